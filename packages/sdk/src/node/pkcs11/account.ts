/**
 * A viem `LocalAccount` whose secp256k1 key stays in an HSM: the payload is hashed here
 * (keccak256), the token signs the digest with CKM_ECDSA and returns r‖s, and the account
 * normalises s to the lower half (EIP-2) and finds v by recovering the public key with both
 * recovery ids, keeping the one that gives the token's own public key (CKA_EC_POINT).
 */
import {
  hashMessage,
  hashTypedData,
  keccak256,
  parseSignature,
  recoverPublicKey,
  serializeSignature,
  serializeTransaction,
  toHex,
  type Hex,
  type LocalAccount,
  type SignableMessage,
  type TypedData,
  type TypedDataDefinition,
} from "viem";
import { publicKeyToAddress, toAccount, type NonceManager } from "viem/accounts";
import { ClearhouseError } from "../../errors/base";
import { DEFAULT_PKCS11_MODULE, findPrivateKey, publicPoint, withSession } from "./token";
import { parsePkcs11Uri, type Pkcs11Uri } from "./uri";

/** The order n of secp256k1's group; a signature's s must be at most n/2 (EIP-2). */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The token's signature does not verify against its own public key (a broken token or module). */
export class Pkcs11SignatureError extends ClearhouseError {
  override name = "Pkcs11SignatureError";
  constructor(
    readonly token: string,
    problem: string,
  ) {
    super(`Token "${token}" returned a signature that ${problem}.`, {
      category: "internal",
      hint: "Nothing was sent. Check the token with pkcs11-tool --test; report it if it persists.",
    });
  }
}

export interface Pkcs11AccountOptions {
  /** The key, as an RFC 7512 URI (`pkcs11:token=<label>;object=<label>`) or already parsed. */
  uri: string | Pkcs11Uri;
  /** The token's user PIN (from CLEARHOUSE_PKCS11_PIN or a prompt in the CLI; never a flag). */
  pin: string;
  /**
   * The PKCS#11 module (.so) when the URI has no `module-path`; default
   * `/usr/lib/softhsm/libsofthsm2.so` (Debian's SoftHSM2).
   */
  module?: string;
  /** viem's nonce manager for the account (as `privateKeyToAccount` takes it). */
  nonceManager?: NonceManager;
}

/** An HSM-backed account: a viem LocalAccount plus the key's URI and uncompressed public key. */
export type Pkcs11Account = LocalAccount<"pkcs11"> & {
  /** The key's URI, parsed. */
  readonly keyUri: Pkcs11Uri;
  /** The PKCS#11 module it loads. */
  readonly modulePath: string;
  /** The key's uncompressed public key (0x04‖x‖y), from CKA_EC_POINT. */
  readonly publicKey: Hex;
  /** Sign a 32-byte digest as Ethereum does (r, s low, v 27/28), in the token. */
  sign(parameters: { hash: Hex }): Promise<Hex>;
};

/** Split the token's r‖s, make s low (EIP-2), and find the recovery id that gives `publicKey`. */
export async function toEthereumSignature(token: string, hash: Hex, rs: Uint8Array, publicKey: Hex): Promise<Hex> {
  if (rs.length !== 64) throw new Pkcs11SignatureError(token, `is ${rs.length} bytes, not r‖s of 64`);
  const r = BigInt(toHex(rs.slice(0, 32)));
  let s = BigInt(toHex(rs.slice(32)));
  if (r === 0n || r >= N || s === 0n || s >= N) throw new Pkcs11SignatureError(token, "has r or s out of range");
  if (s > N / 2n) s = N - s;
  for (const yParity of [0, 1]) {
    const signature = serializeSignature({ r: toHex(r, { size: 32 }), s: toHex(s, { size: 32 }), yParity });
    const recovered = await recoverPublicKey({ hash, signature }).catch(() => undefined);
    if (recovered?.toLowerCase() === publicKey.toLowerCase()) return signature;
  }
  throw new Pkcs11SignatureError(token, "does not verify against the key's public key (CKA_EC_POINT)");
}

/**
 * An account whose key is the URI's secp256k1 key in a PKCS#11 token. Checks now, before anything
 * is signed: the module loads, the token is there, the PIN is right, the key exists and is on
 * secp256k1, and reads its public key (the address). Each signature then opens a session, logs in,
 * signs the digest and logs out. Throws a `Pkcs11KeyError` subclass (category input) otherwise.
 */
export function pkcs11Account(options: Pkcs11AccountOptions): Pkcs11Account {
  const uri = typeof options.uri === "string" ? parsePkcs11Uri(options.uri) : options.uri;
  const modulePath = uri.modulePath ?? options.module ?? DEFAULT_PKCS11_MODULE;
  const { pin } = options;
  const publicKey = withSession(modulePath, uri, pin, (s) => toHex(publicPoint(s, uri, findPrivateKey(s, uri).id)));

  const sign = async ({ hash }: { hash: Hex }): Promise<Hex> => {
    const rs = withSession(modulePath, uri, pin, (s) => {
      const { key } = findPrivateKey(s, uri);
      s.mod.C_SignInit(s.session, { mechanism: s.lib.CKM_ECDSA }, key);
      return s.mod.C_Sign(s.session, Buffer.from(hash.slice(2), "hex"), Buffer.alloc(256));
    });
    return toEthereumSignature(uri.token, hash, rs, publicKey);
  };

  const account = toAccount({
    address: publicKeyToAddress(publicKey),
    nonceManager: options.nonceManager,
    sign,
    signMessage: ({ message }: { message: SignableMessage }) => sign({ hash: hashMessage(message) }),
    async signTransaction(transaction, opts) {
      // as viem's own signTransaction: a blob transaction is signed without its sidecars
      const serializer = opts?.serializer ?? serializeTransaction;
      const signable = transaction.type === "eip4844" ? { ...transaction, sidecars: false as const } : transaction;
      const signature = await sign({ hash: keccak256(await serializer(signable)) });
      return await serializer(transaction, parseSignature(signature));
    },
    signTypedData: <const T extends TypedData | Record<string, unknown>, P extends keyof T | "EIP712Domain" = keyof T>(
      typedData: TypedDataDefinition<T, P>,
    ) => sign({ hash: hashTypedData(typedData) }),
  });
  return Object.assign(account, { source: "pkcs11" as const, keyUri: uri, modulePath, sign, publicKey });
}
