/**
 * `clearhouse.batch/2` files on disk (docs/spec/batch-file.md): built and written as a stream
 * (records hashed and written as they come, then the leaves, then the header line with the body's
 * SHA-256, assembled in a temporary file and renamed into place), and read back line by line.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { BatchFileError, type BatchFile, type BatchFileHead } from "../settlement/batchFile";
import {
  batchHeadLine,
  batchRecordLine,
  parseBatchLeafLine,
  parseBatchRecordLine,
  type BatchFileBody,
} from "../settlement/batchFileV2";
import {
  DuplicatePaymentIdError,
  buildBatchStream,
  type BuildBatchStreamOptions,
  type StreamedBatch,
} from "../settlement/batchStream";
import type { PaymentRecord } from "../settlement/record";
import type { Hex } from "viem";
import { CHUNK, closeOpened, LineReader, messageOf, openV2 } from "./batchLines";
import { batchFileBytes, type BatchFileCryptoOptions } from "./envelope/batchFiles";
import { writeFileAtomic } from "./fileio";

const FLUSH = 1024 * 1024;
/** SHA-256 of no bytes: the body digest of a shared file. */
export const EMPTY_BODY_SHA256 = createHash("sha256").digest("hex");

const tempOf = (path: string, what: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.${what}.tmp`);

/** Appends text to a file in ~1 MiB writes, hashing what it writes. */
class HashingWriter {
  private pending = "";
  readonly hash = createHash("sha256");
  bytes = 0;
  constructor(private readonly fh: FileHandle) {}

  /** Add text; returns a promise when a write is under way (await it: that is the backpressure). */
  push(text: string): Promise<void> | undefined {
    this.pending += text;
    return this.pending.length >= FLUSH ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = Buffer.from(this.pending, "utf8");
    this.pending = "";
    this.hash.update(data);
    this.bytes += data.length;
    await this.fh.write(data);
  }
}

/** The result of `writeBatchStream`: the batch (header, compact leaves) and its file's body. */
export interface WrittenBatchFile {
  batch: StreamedBatch;
  body: BatchFileBody;
}

/**
 * Build a batch from records as they come and write it as a `clearhouse.batch/2` file, atomically
 * (nothing at `path` changes unless the whole batch is valid and written). Memory stays bounded
 * apart from the 48 bytes per payment the builder keeps (leaf and payment id hashes): the records
 * go to disk as they are validated. Throws what `buildBatchStream` throws for a bad record, and
 * `BatchFileError` when the file cannot be written.
 */
export async function writeBatchStream(
  path: string,
  records: AsyncIterable<unknown> | Iterable<unknown>,
  opts: Omit<BuildBatchStreamOptions, "onRecord"> & BatchFileCryptoOptions,
): Promise<WrittenBatchFile> {
  if (opts.encryptionKey) return writeEncryptedBatchStream(path, records, opts);
  const bodyPath = tempOf(path, "body");
  const filePath = tempOf(path, "batch");
  const io = async <T>(what: Promise<T>): Promise<T> => {
    try {
      return await what;
    } catch (error) {
      throw new BatchFileError(path, `cannot be written (${messageOf(error)})`, error);
    }
  };
  let bodyFile: FileHandle | undefined;
  let file: FileHandle | undefined;
  try {
    bodyFile = await io(open(bodyPath, "wx"));
    const body = new HashingWriter(bodyFile);
    const batch = await buildBatchStream(records, {
      ...opts,
      onRecord: (r: PaymentRecord) => body.push(batchRecordLine(r)),
    }).catch(async (error: unknown) => {
      if (!(error instanceof DuplicatePaymentIdError) || !bodyFile) throw error;
      // Name the repeated id: read it back from the records written so far.
      await body.flush();
      await bodyFile.close();
      bodyFile = undefined;
      throw new DuplicatePaymentIdError(error.first, error.second, paymentIdAt(bodyPath, error.second));
    });
    const n = batch.header.entryCount;
    const leaves = Buffer.from(batch.leaves.buffer, batch.leaves.byteOffset, batch.leaves.byteLength);
    for (let i = 0; i < n; i++) {
      const pending = body.push(`"0x${leaves.toString("hex", 32 * i, 32 * i + 32)}"\n`);
      if (pending) await io(pending);
    }
    await io(body.flush());
    await io(bodyFile.close());
    bodyFile = undefined;
    const summary: BatchFileBody = { records: n, leaves: n, bytes: body.bytes, sha256: body.hash.digest("hex") };

    file = await io(open(filePath, "wx"));
    await io(file.write(batchHeadLine(batch, summary)));
    const source = await io(open(bodyPath, "r"));
    try {
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await io(source.read(buffer, 0, CHUNK, null));
        if (bytesRead === 0) break;
        await io(file.write(buffer, 0, bytesRead));
      }
    } finally {
      await source.close();
    }
    await io(file.sync());
    await io(file.close());
    file = undefined;
    await io(rename(filePath, path));
    return { batch, body: summary };
  } finally {
    await bodyFile?.close().catch(() => undefined);
    await file?.close().catch(() => undefined);
    await unlink(bodyPath).catch(() => undefined);
    await unlink(filePath).catch(() => undefined);
  }
}

/**
 * `writeBatchStream` with a key: the file is assembled in memory (the plaintext never reaches the
 * disk), sealed as one envelope and written atomically. Memory holds the whole file.
 */
async function writeEncryptedBatchStream(
  path: string,
  records: AsyncIterable<unknown> | Iterable<unknown>,
  opts: Omit<BuildBatchStreamOptions, "onRecord"> & BatchFileCryptoOptions,
): Promise<WrittenBatchFile> {
  const parts: Buffer[] = [];
  const ids: string[] = [];
  const { encryptionKey, ...build } = opts;
  const batch = await buildBatchStream(records, {
    ...build,
    onRecord: (r: PaymentRecord) => {
      parts.push(Buffer.from(batchRecordLine(r), "utf8"));
      ids.push(r.paymentId);
    },
  }).catch((error: unknown) => {
    if (error instanceof DuplicatePaymentIdError) {
      throw new DuplicatePaymentIdError(error.first, error.second, ids[error.second]);
    }
    throw error;
  });
  const n = batch.header.entryCount;
  const leaves = Buffer.from(batch.leaves.buffer, batch.leaves.byteOffset, batch.leaves.byteLength);
  for (let i = 0; i < n; i++) parts.push(Buffer.from(`"0x${leaves.toString("hex", 32 * i, 32 * i + 32)}"\n`, "utf8"));
  const body = Buffer.concat(parts);
  const summary: BatchFileBody = {
    records: n,
    leaves: n,
    bytes: body.length,
    sha256: createHash("sha256").update(body).digest("hex"),
  };
  const plain = Buffer.concat([Buffer.from(batchHeadLine(batch, summary), "utf8"), body]);
  try {
    writeFileAtomic(path, batchFileBytes(plain, { encryptionKey }));
  } catch (error) {
    throw new BatchFileError(path, `cannot be written (${messageOf(error)})`, error);
  }
  return { batch, body: summary };
}

/** The payment id on record line `index` (0-based) of a file of record lines; undefined if unreadable. */
function paymentIdAt(path: string, index: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const lines = new LineReader(fd, path, false);
    for (let i = 0; i < index; i++) lines.next(Number.MAX_SAFE_INTEGER);
    const id = (JSON.parse(lines.next() ?? "{}") as { paymentId?: unknown }).paymentId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What a header-only read returns: the batch fields, and the body's seal (v2) checked by hashing. */
export interface BatchFileHeadRead extends BatchFileHead {
  /** Record lines in the body (0 in a shared file). */
  records: number;
  seal: { sha256: string; bytes: number; ok: boolean };
}

/**
 * Read a `clearhouse.batch/2` file's header line and check its seal by hashing the rest of the
 * file (SHA-256, streaming: no record is parsed or hashed with keccak). Returns undefined for a
 * file in another format (`clearhouse.batch/1`: read it whole with `readBatchFile`).
 */
export function readBatchFileHead(path: string, opts: BatchFileCryptoOptions = {}): BatchFileHeadRead | undefined {
  const opened = openV2(path, opts);
  if (!opened) return undefined;
  const { lines, head } = opened;
  try {
    lines.drain();
  } finally {
    closeOpened(opened);
  }
  const sha256 = lines.hash.digest("hex");
  const { body, headerSealed, ...fields } = head;
  return {
    ...fields,
    records: body.records,
    seal: {
      sha256: body.sha256,
      bytes: body.bytes,
      ok: headerSealed && sha256 === body.sha256 && lines.bodyBytes === body.bytes,
    },
  };
}

/**
 * Read a `clearhouse.batch/2` file whole (records validated, leaves checked), line by line, and
 * its seal; undefined for a file in another format.
 */
export function readBatchFileV2(path: string, opts: BatchFileCryptoOptions = {}): BatchFile | undefined {
  const opened = openV2(path, opts);
  if (!opened) return undefined;
  const { lines, head } = opened;
  const records: PaymentRecord[] = [];
  const leaves: Hex[] = [];
  try {
    const n = head.body.records;
    for (let i = 0; i < 2 * n; i++) {
      const text = lines.next();
      if (text === undefined) {
        throw new BatchFileError(path, `ends at line ${lines.line}, but its header announces ${n} records and leaves`);
      }
      if (i < n) records.push(parseBatchRecordLine(text, i, lines.line, path));
      else leaves.push(parseBatchLeafLine(text, i - n, lines.line, path));
    }
    if (lines.next() !== undefined) {
      throw new BatchFileError(path, `has more lines than its header announces (line ${lines.line})`);
    }
  } finally {
    closeOpened(opened);
  }
  const sha256 = lines.hash.digest("hex");
  const { body, headerSealed, ...fields } = head;
  return {
    ...fields,
    records,
    leaves,
    seal: {
      sha256: body.sha256,
      bytes: body.bytes,
      ok: headerSealed && sha256 === body.sha256 && lines.bodyBytes === body.bytes,
    },
  };
}
