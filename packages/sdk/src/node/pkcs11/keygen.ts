/**
 * Generate a secp256k1 key pair inside a token (C_GenerateKeyPair with CKM_EC_KEY_PAIR_GEN): the
 * private half is created sensitive and not extractable, so it never leaves the token.
 */
import { randomBytes } from "node:crypto";
import { toHex, type Address, type Hex } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import { Pkcs11ObjectExistsError } from "./errors";
import { DEFAULT_PKCS11_MODULE, SECP256K1_EC_PARAMS, unwrapEcPoint, withSession } from "./token";

export interface GeneratePkcs11KeyOptions {
  /** The token's label. */
  token: string;
  /** The label of the new key pair (CKA_LABEL of both halves). */
  label: string;
  /** The token's user PIN. */
  pin: string;
  /** The PKCS#11 module; default `/usr/lib/softhsm/libsofthsm2.so`. */
  module?: string;
}

export interface GeneratedPkcs11Key {
  address: Address;
  /** The uncompressed public key (0x04‖x‖y). */
  publicKey: Hex;
  /** CKA_ID of both halves (16 random bytes). */
  id: Hex;
  /** The URI naming the new key. */
  uri: string;
}

/** A new secp256k1 key in the token: CKA_SENSITIVE, not CKA_EXTRACTABLE, CKA_SIGN only. */
export function generatePkcs11Key(options: GeneratePkcs11KeyOptions): GeneratedPkcs11Key {
  const uri = { token: options.token, object: options.label };
  const id = randomBytes(16);
  const point = withSession(
    options.module ?? DEFAULT_PKCS11_MODULE,
    uri,
    options.pin,
    ({ lib: l, mod, session }) => {
      mod.C_FindObjectsInit(session, [
        { type: l.CKA_CLASS, value: l.CKO_PRIVATE_KEY },
        { type: l.CKA_LABEL, value: options.label },
      ]);
      const existing = mod.C_FindObjects(session, 1);
      mod.C_FindObjectsFinal(session);
      if (existing.length) throw new Pkcs11ObjectExistsError(options.token, options.label);
      const common = [
        { type: l.CKA_TOKEN, value: true },
        { type: l.CKA_LABEL, value: options.label },
        { type: l.CKA_ID, value: id },
      ];
      const pair = mod.C_GenerateKeyPair(
        session,
        { mechanism: l.CKM_EC_KEY_PAIR_GEN },
        [
          ...common,
          { type: l.CKA_EC_PARAMS, value: Buffer.from(SECP256K1_EC_PARAMS, "hex") },
          { type: l.CKA_VERIFY, value: true },
          { type: l.CKA_PRIVATE, value: false },
        ],
        [
          ...common,
          { type: l.CKA_PRIVATE, value: true },
          { type: l.CKA_SENSITIVE, value: true },
          { type: l.CKA_EXTRACTABLE, value: false },
          { type: l.CKA_SIGN, value: true },
          { type: l.CKA_DERIVE, value: false },
        ],
      );
      const [value] = mod.C_GetAttributeValue(session, pair.publicKey, [{ type: l.CKA_EC_POINT }]);
      return unwrapEcPoint(value.value);
    },
    true,
  );
  const publicKey = toHex(point);
  const enc = encodeURIComponent;
  return {
    address: publicKeyToAddress(publicKey),
    publicKey,
    id: toHex(id),
    uri: `pkcs11:token=${enc(options.token)};object=${enc(options.label)}`,
  };
}
