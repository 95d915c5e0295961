/**
 * `clearhouse.batch/2` files on disk (docs/spec/batch-file.md): built and written as a stream
 * (records hashed and written as they come, then the leaves, then the header line with the body's
 * SHA-256, assembled in a temporary file and renamed into place), and read back line by line.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { BatchFileError, type BatchFile, type BatchFileHead } from "../settlement/batchFile";
import {
  MAX_HEADER_LINE_BYTES,
  batchHeadLine,
  batchRecordLine,
  parseBatchHeadLine,
  parseBatchLeafLine,
  parseBatchRecordLine,
  type BatchFileBody,
  type BatchFileHeadV2,
} from "../settlement/batchFileV2";
import {
  DuplicatePaymentIdError,
  buildBatchStream,
  type BuildBatchStreamOptions,
  type StreamedBatch,
} from "../settlement/batchStream";
import type { PaymentRecord } from "../settlement/record";
import type { Hex } from "viem";

const CHUNK = 4 * 1024 * 1024;
const FLUSH = 1024 * 1024;
/** SHA-256 of no bytes: the body digest of a shared file. */
export const EMPTY_BODY_SHA256 = createHash("sha256").digest("hex");

const messageOf = (e: unknown): string => (e instanceof Error ? e.message.split("\n")[0] : String(e));
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
  opts: Omit<BuildBatchStreamOptions, "onRecord">,
): Promise<WrittenBatchFile> {
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

/**
 * Reads a file line by line synchronously in 4 MiB chunks (no whole-file string, so no size
 * ceiling), hashing every byte after the first line.
 */
class LineReader {
  private readonly chunk = Buffer.allocUnsafe(CHUNK);
  private view: Buffer = Buffer.alloc(0);
  private at = 0;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private eof = false;
  private hashing = false;
  readonly hash = createHash("sha256");
  bodyBytes = 0;
  line = 0;

  /** `firstLineIsHeader`: hash only what follows the first line (the body of a batch file). */
  constructor(
    private readonly fd: number,
    private readonly path: string,
    firstLineIsHeader = true,
  ) {
    this.hashing = !firstLineIsHeader;
  }

  /** The next line without its "\n", or undefined at the end; a last line without "\n" is refused. */
  next(maxBytes = MAX_HEADER_LINE_BYTES): string | undefined {
    for (;;) {
      const nl = this.view.indexOf(10, this.at);
      if (nl >= 0) {
        const piece = this.view.subarray(this.at, nl);
        const text = this.parts.length
          ? Buffer.concat([...this.parts, piece]).toString("utf8")
          : piece.toString("utf8");
        this.parts = [];
        this.partBytes = 0;
        this.at = nl + 1;
        this.line++;
        if (!this.hashing) {
          this.hashing = true;
          this.update(this.view.subarray(this.at));
        }
        return text;
      }
      if (this.at < this.view.length) {
        this.parts.push(Buffer.from(this.view.subarray(this.at)));
        this.partBytes += this.view.length - this.at;
        if (this.partBytes > maxBytes) {
          throw new BatchFileError(this.path, `line ${this.line + 1} is longer than ${maxBytes} bytes`);
        }
      }
      if (this.eof) {
        if (this.partBytes > 0) {
          throw new BatchFileError(this.path, `is truncated: line ${this.line + 1} does not end with a newline`);
        }
        return undefined;
      }
      let read: number;
      try {
        read = readSync(this.fd, this.chunk, 0, CHUNK, null);
      } catch (error) {
        throw new BatchFileError(this.path, `cannot be read (${messageOf(error)})`, error);
      }
      this.eof = read === 0;
      this.view = this.chunk.subarray(0, read);
      this.at = 0;
      if (this.hashing) this.update(this.view);
    }
  }

  private update(bytes: Buffer): void {
    this.hash.update(bytes);
    this.bodyBytes += bytes.length;
  }

  /** Read (and hash) what is left without splitting lines. */
  drain(): void {
    for (;;) {
      const nl = this.next(Number.MAX_SAFE_INTEGER);
      if (nl === undefined) return;
    }
  }
}

const V2_START = /^\s*\{\s*"format"\s*:\s*"clearhouse\.batch\/2"/;

/** The first line of a file if it is a `clearhouse.batch/2` header (detected by its format tag), else undefined. */
function openV2(path: string): { fd: number; lines: LineReader; head: BatchFileHeadV2 } | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new BatchFileError(path, `cannot be read (${messageOf(error)})`, error);
  }
  try {
    // Detect the format by the first bytes, before reading a (possibly huge) first line.
    const start = Buffer.alloc(64);
    const got = readSync(fd, start, 0, 64, 0);
    if (!V2_START.test(start.toString("utf8", 0, got))) {
      closeSync(fd);
      return undefined;
    }
    const lines = new LineReader(fd, path);
    const first = lines.next();
    if (first === undefined) throw new BatchFileError(path, "is empty");
    return { fd, lines, head: parseBatchHeadLine(first, path) };
  } catch (error) {
    closeSync(fd);
    throw error;
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
export function readBatchFileHead(path: string): BatchFileHeadRead | undefined {
  const opened = openV2(path);
  if (!opened) return undefined;
  const { fd, lines, head } = opened;
  try {
    lines.drain();
  } finally {
    closeSync(fd);
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
export function readBatchFileV2(path: string): BatchFile | undefined {
  const opened = openV2(path);
  if (!opened) return undefined;
  const { fd, lines, head } = opened;
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
    closeSync(fd);
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
