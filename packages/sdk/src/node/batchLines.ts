/**
 * Reading `clearhouse.batch/2` files line by line (internal to the SDK's file helpers): a
 * synchronous line reader over 4 MiB chunks that hashes the body for the seal, and the opener that
 * detects the format and parses the header line.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { BatchFileError } from "../settlement/batchFile";
import { MAX_HEADER_LINE_BYTES, parseBatchHeadLine, type BatchFileHeadV2 } from "../settlement/batchFileV2";
import { openBatchFileBytes, type BatchFileCryptoOptions } from "./envelope/batchFiles";

export const CHUNK = 4 * 1024 * 1024;

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message.split("\n")[0] : String(e));

/**
 * Reads a file line by line synchronously in 4 MiB chunks (no whole-file string, so no size
 * ceiling), hashing every byte after the first line.
 */
export class LineReader {
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

  /**
   * `source`: a file descriptor, or the whole file in memory (a decrypted file). `firstLineIsHeader`:
   * hash only what follows the first line (the body of a batch file).
   */
  constructor(
    private readonly source: number | Buffer,
    private readonly path: string,
    firstLineIsHeader = true,
  ) {
    this.hashing = !firstLineIsHeader;
  }

  private read(): number {
    if (typeof this.source === "number") return readSync(this.source, this.chunk, 0, CHUNK, null);
    if (this.consumed) return 0;
    this.consumed = true;
    this.memory = this.source;
    return this.source.length;
  }
  private consumed = false;
  private memory: Buffer | undefined;

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
        read = this.read();
      } catch (error) {
        throw new BatchFileError(this.path, `cannot be read (${messageOf(error)})`, error);
      }
      this.eof = read === 0;
      this.view = this.memory ? this.memory.subarray(0, read) : this.chunk.subarray(0, read);
      this.memory = undefined;
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

/** An opened file: close it with `closeOpened` (a no-op for a file decrypted into memory, `fd` −1). */
export interface OpenedV2 {
  fd: number;
  lines: LineReader;
  head: BatchFileHeadV2;
}

/** Close what `openV2` opened. */
export function closeOpened(opened: { fd: number }): void {
  if (opened.fd >= 0) closeSync(opened.fd);
}

/**
 * The first line of a file if it is a `clearhouse.batch/2` header (detected by its format tag),
 * else undefined. An encrypted file is opened with `opts.key` into memory first.
 */
export function openV2(path: string, opts: BatchFileCryptoOptions = {}): OpenedV2 | undefined {
  const plain = openBatchFileBytes(path, opts);
  if (plain) {
    if (!V2_START.test(plain.toString("utf8", 0, Math.min(64, plain.length)))) return undefined;
    const lines = new LineReader(plain, path);
    const first = lines.next();
    if (first === undefined) throw new BatchFileError(path, "is empty");
    return { fd: -1, lines, head: parseBatchHeadLine(first, path) };
  }
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
