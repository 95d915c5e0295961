/**
 * Batch files at rest (docs/spec/encrypted-envelope.md §5): a batch file of any format sealed
 * whole as one envelope of kind `clearhouse.batch`, in the file form. The readers of
 * `@clearhouse/sdk/node` (`readBatchFile`, `readBatchFileHead`, `verifyBatchFileStream`) take the
 * key in their options and open such a file in memory (the plaintext never touches the disk); a
 * writer given a key seals the file before it is written.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { isEnvelope, openEnvelope, parseEnvelopeFile, sealEnvelopeFile, type EnvelopeKey } from "./envelope";
import { EnvelopeKeyError } from "./errors";

/** Options of the batch file readers and writers: the envelope key, when files are encrypted. */
export interface BatchFileCryptoOptions {
  /** Seals what is written; opens what is read (a plain file is read as it is, with or without a key). */
  encryptionKey?: EnvelopeKey;
}

/** Whether the file at `path` starts an envelope (reads its first 64 bytes); false when unreadable. */
export function isEncryptedFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const start = Buffer.alloc(64);
    const got = readSync(fd, start, 0, 64, 0);
    return isEnvelope(start.subarray(0, got));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The plaintext of an encrypted batch file, or undefined for a plain one. An encrypted file without
 * a key, with another key, or changed after it was sealed is refused with a typed error.
 */
export function openBatchFileBytes(path: string, opts: BatchFileCryptoOptions = {}): Buffer | undefined {
  if (!isEncryptedFile(path)) return undefined;
  const parsed = parseEnvelopeFile(readFileSync(path), path, "clearhouse.batch");
  if (!opts.encryptionKey) {
    throw new EnvelopeKeyError(
      path,
      `is encrypted (${parsed.header.alg}, key ${parsed.header.kid}) and no decryption key was given`,
    );
  }
  return Buffer.from(openEnvelope(opts.encryptionKey, parsed, path));
}

/** The bytes to write for a batch file: sealed when a key is given, else the text as it is. */
export function batchFileBytes(text: string | Buffer, opts: BatchFileCryptoOptions = {}): Buffer {
  const plain = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return opts.encryptionKey ? sealEnvelopeFile(opts.encryptionKey, "clearhouse.batch", plain) : plain;
}
