/**
 * Envelope keys from key files: 32 bytes for AES-256-GCM (Node's OpenSSL), 16 bytes for SM4-GCM
 * (sm-crypto-v2's SM4 in GCM mode: Node 20's OpenSSL has SM4 only in ECB, CBC, CFB, OFB and CTR).
 * A key file of exactly 32 or 16 bytes is the raw key — except 32 bytes that are all hex digits,
 * which spell a 16-byte key; any other file must hold its hex (64 or 32 digits, an optional 0x,
 * whitespace around: `echo <hex> > k.key` writes a newline, so its 33 or 65 bytes are read as hex). Its id is `sha256:` and the first 16 hex digits of SHA-256 of the key.
 */
import { createCipheriv, createDecipheriv, createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { sm4 } from "sm-crypto-v2";
import { ENVELOPE_ALGORITHMS, TAG_BYTES, type EnvelopeAlgorithm, type EnvelopeKey } from "./envelope";
import { EnvelopeFormatError, EnvelopeKeyError } from "./errors";

/** Key length in bytes per algorithm. */
export const KEY_BYTES: Record<EnvelopeAlgorithm, number> = { "AES-256-GCM": 32, "SM4-GCM": 16 };

/** The algorithm of a key of `length` bytes. */
function algorithmOf(length: number): EnvelopeAlgorithm | undefined {
  return ENVELOPE_ALGORITHMS.find((a) => KEY_BYTES[a] === length);
}

/** Parse an algorithm name given by a user (case-insensitive: aes-256-gcm, sm4-gcm). */
export function parseEnvelopeAlgorithm(value: string, source = "--encrypt-alg"): EnvelopeAlgorithm {
  const found = ENVELOPE_ALGORITHMS.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) {
    throw new EnvelopeFormatError(
      source,
      `${JSON.stringify(value)} is not an algorithm (${ENVELOPE_ALGORITHMS.join(" or ")})`,
    );
  }
  return found;
}

/** The id of a key file's key: `sha256:` + the first 16 hex digits of SHA-256(key). */
export function keyFileId(key: Uint8Array): string {
  return `sha256:${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}

/** An envelope key over raw key bytes; `algorithm` (if given) must fit the length. */
export function envelopeKeyFromBytes(key: Uint8Array, source: string, algorithm?: EnvelopeAlgorithm): EnvelopeKey {
  const alg = algorithm ?? algorithmOf(key.length);
  if (alg === undefined || KEY_BYTES[alg] !== key.length) {
    const expected = algorithm ? `${KEY_BYTES[algorithm]} for ${algorithm}` : "32 (AES-256-GCM) or 16 (SM4-GCM)";
    throw new EnvelopeKeyError(source, `is ${key.length} bytes long, expected ${expected}`);
  }
  const bytes = Uint8Array.from(key);
  const id = keyFileId(bytes);
  if (alg === "AES-256-GCM") {
    return {
      algorithm: alg,
      id,
      seal(nonce, plaintext, aad) {
        const cipher = createCipheriv("aes-256-gcm", bytes, nonce, { authTagLength: TAG_BYTES });
        cipher.setAAD(aad);
        return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      },
      open(nonce, sealed, aad) {
        const decipher = createDecipheriv("aes-256-gcm", bytes, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const out = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
        try {
          return Buffer.concat([out, decipher.final()]);
        } catch {
          return undefined;
        }
      },
    };
  }
  return {
    algorithm: alg,
    id,
    seal(nonce, plaintext, aad) {
      const { output, tag } = sm4.encrypt(plaintext, bytes, {
        mode: "gcm",
        iv: nonce,
        associatedData: aad,
        outputTag: true,
        output: "array",
      });
      if (!tag || tag.length !== TAG_BYTES) throw new Error("sm-crypto-v2 returned no 16-byte GCM tag");
      return Buffer.concat([output, tag]);
    },
    open(nonce, sealed, aad) {
      try {
        return sm4.decrypt(sealed.subarray(0, sealed.length - TAG_BYTES), bytes, {
          mode: "gcm",
          iv: nonce,
          associatedData: aad,
          tag: sealed.subarray(sealed.length - TAG_BYTES),
          output: "array",
        });
      } catch {
        return undefined;
      }
    },
  };
}

/** Read a key file (raw bytes, or hex text) as an envelope key. */
export function readEnvelopeKeyFile(path: string, algorithm?: EnvelopeAlgorithm): EnvelopeKey {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    throw new EnvelopeKeyError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  // 32 bytes that are all hex digits spell a 16-byte key (`printf %s <hex>` writes no newline); a
  // random 32-byte key is all hex digits with probability (22/256)^32 (review 24c, F5).
  const spelled = content.length === 32 && /^[0-9a-fA-F]{32}$/.test(content.toString("latin1"));
  if (!spelled && (content.length === 16 || content.length === 32))
    return envelopeKeyFromBytes(content, path, algorithm);
  const hex = /^(0x)?([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/.exec(content.toString("latin1").trim());
  if (!hex) {
    throw new EnvelopeKeyError(
      path,
      `is ${content.length} bytes long, expected 32 (AES-256-GCM) or 16 (SM4-GCM) raw bytes, or their hex`,
    );
  }
  return envelopeKeyFromBytes(Buffer.from(hex[2], "hex"), path, algorithm);
}
