/**
 * SM2 key files (docs/crypto.md, "Signing with SM2 from the SDK and CLI"): what `clearhouse sm2
 * keygen` writes, a JSON object
 *   { "format": "clearhouse.sm2-key/1", "curve": "sm2p256v1", "privateKey": "<64 hex>", "publicKey": "04<128 hex>" }
 * (mode 0600). Read also: a file holding only the private key's 64 hex digits, and a PEM EC
 * private key (SEC 1 or PKCS #8) on sm2p256v1 as OpenSSL/Tongsuo/GmSSL export it; a PEM key of
 * another curve is Sm2CurveError.
 */
import { existsSync, readFileSync } from "node:fs";
import { bytesToHex } from "viem";
import { Sm2CurveError, Sm2KeyError, sm2KeyPairOf, sm2PublicKeyOf, type Sm2KeyPair } from "../crypto/sm2";
import { writeFileAtomic } from "./fileio";

export const SM2_KEY_FORMAT = "clearhouse.sm2-key/1";

/** The JSON an SM2 key file holds. */
export interface Sm2KeyFile {
  format: typeof SM2_KEY_FORMAT;
  curve: "sm2p256v1";
  /** d, 64 hex digits, no 0x. */
  privateKey: string;
  /** 04 ‖ x ‖ y, 130 hex digits, no 0x. */
  publicKey: string;
}

/** Named curves' OIDs as DER (tag, length, value), to tell an SM2 PEM key from another. */
const CURVE_OIDS: Record<string, string> = {
  sm2p256v1: "06082a811ccf5501822d",
  secp256k1: "06052b8104000a",
  "P-256 (prime256v1)": "06082a8648ce3d030107",
  "P-384 (secp384r1)": "06052b81040022",
  "P-521 (secp521r1)": "06052b81040023",
};

/** The file's JSON for `key`. */
export function sm2KeyFileOf(key: Sm2KeyPair): Sm2KeyFile {
  return {
    format: SM2_KEY_FORMAT,
    curve: "sm2p256v1",
    privateKey: key.privateKey.slice(2),
    publicKey: key.publicKey.uncompressed.slice(2),
  };
}

/** Write `key` to a new file readable by its owner only; an existing file is never overwritten. */
export function writeSm2KeyFile(path: string, key: Sm2KeyPair): void {
  if (existsSync(path))
    throw new Sm2KeyError(path, "exists already", "Choose another --out: a key file is never overwritten.");
  writeFileAtomic(path, `${JSON.stringify(sm2KeyFileOf(key), null, 2)}\n`, 0o600);
}

/** Read an SM2 key file (JSON, bare hex or PEM): the key pair, its public key checked. */
export function readSm2KeyFile(path: string): Sm2KeyPair {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Sm2KeyError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSm2KeyText(text, path);
}

/** Parse the text of an SM2 key file; `source` names it in errors. */
export function parseSm2KeyText(text: string, source = "SM2 key file"): Sm2KeyPair {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN")) return fromPem(trimmed, source);
  if (!trimmed.startsWith("{")) {
    if (/^(0x)?[0-9a-fA-F]{64}$/.test(trimmed)) return sm2KeyPairOf(trimmed, source);
    throw new Sm2KeyError(source, `is not an SM2 key file (${SM2_KEY_FORMAT} JSON, 64 hex digits, or a PEM EC key)`);
  }
  let j: Partial<Record<keyof Sm2KeyFile, unknown>>;
  try {
    j = JSON.parse(trimmed) as typeof j;
  } catch {
    throw new Sm2KeyError(source, "is not valid JSON");
  }
  if (j.format !== SM2_KEY_FORMAT) throw new Sm2KeyError(source, `format must be "${SM2_KEY_FORMAT}"`);
  if (j.curve !== "sm2p256v1") throw new Sm2CurveError(source, `is a key of curve ${JSON.stringify(j.curve)}`);
  if (typeof j.privateKey !== "string") throw new Sm2KeyError(source, "has no privateKey");
  const key = sm2KeyPairOf(j.privateKey, `${source}: privateKey`);
  if (j.publicKey !== undefined) {
    if (typeof j.publicKey !== "string") throw new Sm2KeyError(source, "publicKey is not hex");
    const stated = sm2PublicKeyOf(j.publicKey, `${source}: publicKey`);
    if (stated.uncompressed !== key.publicKey.uncompressed)
      throw new Sm2KeyError(source, "publicKey is not the private key's public key on sm2p256v1 (edited, or mixed up)");
  }
  return key;
}

function fromPem(pem: string, source: string): Sm2KeyPair {
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1] ?? "";
  if (label !== "EC PRIVATE KEY" && label !== "PRIVATE KEY")
    throw new Sm2KeyError(source, `is a PEM "${label}", not an EC private key`);
  const body = pem.replace(/-----[A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
  const der = bytesToHex(Uint8Array.from(Buffer.from(body, "base64"))).slice(2);
  const curve = Object.entries(CURVE_OIDS).find(([, oid]) => der.includes(oid))?.[0];
  if (curve === undefined) throw new Sm2KeyError(source, "is a PEM key of no curve Clearhouse knows (not sm2p256v1)");
  if (curve !== "sm2p256v1") throw new Sm2CurveError(source, `is a ${curve} key`);
  // SEC 1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING (32) d, … }, alone or inside PKCS #8.
  const at = der.indexOf("0201010420");
  if (at < 0) throw new Sm2KeyError(source, "is a PEM SM2 key without a 32-byte private key");
  return sm2KeyPairOf(der.slice(at + 10, at + 74), source);
}
