/**
 * AES-256-GCM envelope keys held in an HSM (PKCS#11 `CKM_AES_GCM`): the secret key is generated
 * inside the token (`CKM_AES_KEY_GEN`, sensitive, never extractable) and every seal or open is one
 * session that logs in and out around it (`withSession`, as the signing key does). The key is
 * named by a PKCS#11 URI (RFC 7512, `pkcs11:token=<t>;object=<label>`); the envelope's `kid` is
 * that URI without its query. SM4 is not offered from an HSM: PKCS#11 has no standard SM4-GCM
 * mechanism (vendors define their own), so SM4-GCM keys come from key files.
 */
import { randomBytes } from "node:crypto";
import type * as Pkcs11Js from "pkcs11js";
import { DEFAULT_PKCS11_MODULE } from "../pkcs11/constants";
import { Pkcs11ObjectExistsError, Pkcs11ObjectNotFoundError } from "../pkcs11/errors";
import { withSession, type Session } from "../pkcs11/token";
import { describeKey, parsePkcs11Uri, type Pkcs11Uri } from "../pkcs11/uri";
import { TAG_BYTES, type EnvelopeKey } from "./envelope";
import { EnvelopeKeyError } from "./errors";

export interface Pkcs11EnvelopeKeyOptions {
  /** `pkcs11:token=<label>;object=<label>[;id=…][?module-path=…]`. */
  uri: string;
  /** The token's user PIN. */
  pin: string;
  /** The PKCS#11 module when the URI names none (default: Debian's SoftHSM2). */
  module?: string;
}

/** A CK_ULONG attribute (native byte order: little-endian on the platforms Node runs on). */
function ulong(value: Buffer): number {
  return Number(value.length === 8 ? value.readBigUInt64LE() : value.readUInt32LE());
}

/** The URI's AES secret key in the session's token; refuses none, several, and keys not AES-256. */
function findSecretKey({ lib: l, mod, session }: Session, uri: Pkcs11Uri): Pkcs11Js.Handle {
  const template: Pkcs11Js.Template = [{ type: l.CKA_CLASS, value: l.CKO_SECRET_KEY }];
  if (uri.object !== undefined) template.push({ type: l.CKA_LABEL, value: uri.object });
  if (uri.id !== undefined) template.push({ type: l.CKA_ID, value: Buffer.from(uri.id) });
  mod.C_FindObjectsInit(session, template);
  let found: Pkcs11Js.Handle[];
  try {
    found = mod.C_FindObjects(session, 2);
  } finally {
    mod.C_FindObjectsFinal(session);
  }
  const name = describeKey(uri);
  if (found.length === 0) throw new Pkcs11ObjectNotFoundError(uri.token, name, "holds no secret key");
  if (found.length > 1)
    throw new Pkcs11ObjectNotFoundError(uri.token, name, "holds several secret keys (add id=) named");
  const [type, length] = mod.C_GetAttributeValue(session, found[0], [
    { type: l.CKA_KEY_TYPE },
    { type: l.CKA_VALUE_LEN },
  ]);
  if (ulong(type.value) !== l.CKK_AES || ulong(length.value) !== 32) {
    throw new EnvelopeKeyError(
      `pkcs11:token=${uri.token};${name}`,
      `is not an AES-256 key (CKA_KEY_TYPE ${ulong(type.value)}, ${ulong(length.value)} bytes)`,
    );
  }
  return found[0];
}

/** The URI without its query: the envelope's key id. */
function keyIdOf(uri: string): string {
  return uri.split("?")[0];
}

/** An AES-256-GCM envelope key in an HSM. Checks the key exists (one session) before returning. */
export function pkcs11EnvelopeKey(options: Pkcs11EnvelopeKeyOptions): EnvelopeKey {
  const uri = parsePkcs11Uri(options.uri);
  const modulePath = uri.modulePath ?? options.module ?? DEFAULT_PKCS11_MODULE;
  withSession(modulePath, uri, options.pin, (s) => findSecretKey(s, uri));
  const gcm = (l: typeof Pkcs11Js, nonce: Uint8Array, aad: Uint8Array): Pkcs11Js.Mechanism => ({
    mechanism: l.CKM_AES_GCM,
    parameter: {
      type: l.CK_PARAMS_AES_GCM,
      iv: Buffer.from(nonce),
      aad: Buffer.from(aad),
      ivBits: 8 * nonce.length,
      tagBits: 8 * TAG_BYTES,
    } as Pkcs11Js.AesGCM,
  });
  return {
    algorithm: "AES-256-GCM",
    id: keyIdOf(options.uri),
    seal(nonce, plaintext, aad) {
      return withSession(modulePath, uri, options.pin, (s) => {
        const key = findSecretKey(s, uri);
        s.mod.C_EncryptInit(s.session, gcm(s.lib, nonce, aad), key);
        return Buffer.from(
          s.mod.C_Encrypt(s.session, Buffer.from(plaintext), Buffer.alloc(plaintext.length + TAG_BYTES)),
        );
      });
    },
    open(nonce, sealed, aad) {
      return withSession(modulePath, uri, options.pin, (s) => {
        const key = findSecretKey(s, uri);
        s.mod.C_DecryptInit(s.session, gcm(s.lib, nonce, aad), key);
        try {
          return Buffer.from(s.mod.C_Decrypt(s.session, Buffer.from(sealed), Buffer.alloc(sealed.length)));
        } catch (e) {
          const code = (e as { code?: number }).code;
          // A failed tag: CKR_ENCRYPTED_DATA_INVALID by the standard; SoftHSM2 answers CKR_GENERAL_ERROR
          // (OpenSSL's final step failing). Either way nothing was decrypted.
          const failedTag = [
            s.lib.CKR_ENCRYPTED_DATA_INVALID,
            s.lib.CKR_ENCRYPTED_DATA_LEN_RANGE,
            s.lib.CKR_GENERAL_ERROR,
          ];
          if (code !== undefined && failedTag.includes(code)) return undefined;
          throw e;
        }
      });
    },
  };
}

export interface GeneratePkcs11AesKeyOptions {
  token: string;
  label: string;
  pin: string;
  module?: string;
}

/**
 * Generate an AES-256 key inside the token (`CKM_AES_KEY_GEN`): `CKA_TOKEN`, `CKA_PRIVATE`,
 * `CKA_SENSITIVE` true, `CKA_EXTRACTABLE` false, `CKA_ENCRYPT`/`CKA_DECRYPT` true, a random
 * 16-byte `CKA_ID`. Refuses a label the token already holds. Returns the key's URI.
 */
export function generatePkcs11AesKey(options: GeneratePkcs11AesKeyOptions): string {
  const uri = { token: options.token, object: options.label };
  withSession(
    options.module ?? DEFAULT_PKCS11_MODULE,
    uri,
    options.pin,
    ({ lib: l, mod, session }) => {
      mod.C_FindObjectsInit(session, [
        { type: l.CKA_CLASS, value: l.CKO_SECRET_KEY },
        { type: l.CKA_LABEL, value: options.label },
      ]);
      const existing = mod.C_FindObjects(session, 1);
      mod.C_FindObjectsFinal(session);
      if (existing.length) throw new Pkcs11ObjectExistsError(options.token, options.label);
      mod.C_GenerateKey(session, { mechanism: l.CKM_AES_KEY_GEN }, [
        { type: l.CKA_CLASS, value: l.CKO_SECRET_KEY },
        { type: l.CKA_KEY_TYPE, value: l.CKK_AES },
        { type: l.CKA_VALUE_LEN, value: 32 },
        { type: l.CKA_TOKEN, value: true },
        { type: l.CKA_PRIVATE, value: true },
        { type: l.CKA_SENSITIVE, value: true },
        { type: l.CKA_EXTRACTABLE, value: false },
        { type: l.CKA_ENCRYPT, value: true },
        { type: l.CKA_DECRYPT, value: true },
        { type: l.CKA_LABEL, value: options.label },
        { type: l.CKA_ID, value: randomBytes(16) },
      ]);
    },
    true,
  );
  const enc = encodeURIComponent;
  return `pkcs11:token=${enc(options.token)};object=${enc(options.label)}`;
}
