import { readFileSync } from "node:fs";
import { batchFileBytes, openBatchFileBytes, type BatchFileCryptoOptions } from "./envelope/batchFiles";
import {
  BatchFileError,
  batchFileText,
  parseBatchFile,
  type BatchFile,
  type BatchFileHead,
} from "../settlement/batchFile";
import { batchHeadLine } from "../settlement/batchFileV2";
import type { Batch } from "../settlement/batch";
import { EMPTY_BODY_SHA256, readBatchFileV2 } from "./batchStreamFile";
import { writeFileAtomic } from "./fileio";

const messageOf = (e: unknown): string => (e instanceof Error ? e.message.split("\n")[0] : String(e));

function write(path: string, text: string, opts: BatchFileCryptoOptions): void {
  try {
    writeFileAtomic(path, batchFileBytes(text, opts));
  } catch (error) {
    throw new BatchFileError(path, `cannot be written (${messageOf(error)})`, error);
  }
}

/**
 * Write an in-memory batch as a `clearhouse.batch/1` file (one JSON document: records one per
 * line with amounts as decimal strings, the header, each record's leaf hash), atomically. The
 * whole text is one string, so this suits batches up to a few hundred thousand payments; larger
 * ones are built and written as a stream by `writeBatchStream` (`clearhouse.batch/2`).
 */
export function writeBatchFile(path: string, batch: Batch, opts: BatchFileCryptoOptions = {}): void {
  write(path, batchFileText(batch), opts);
}

/**
 * Write a batch file without its payments (a `clearhouse.batch/2` header line with an empty
 * body): what a bank hands the operator for a cycle's close.
 */
export function writeSharedBatchFile(path: string, file: BatchFileHead, opts: BatchFileCryptoOptions = {}): void {
  write(path, batchHeadLine(file, { records: 0, leaves: 0, bytes: 0, sha256: EMPTY_BODY_SHA256 }), opts);
}

/**
 * Read and validate a batch file of either format (structure and records); `verifyBatchFile`
 * recomputes the rest. A `clearhouse.batch/2` file is read line by line and carries its `seal`.
 */
export function readBatchFile(path: string, opts: BatchFileCryptoOptions = {}): BatchFile {
  const v2 = readBatchFileV2(path, opts);
  if (v2) return v2;
  let raw: unknown;
  try {
    raw = JSON.parse((openBatchFileBytes(path, opts) ?? readFileSync(path)).toString("utf8"));
  } catch (error) {
    throw new BatchFileError(path, `is not readable JSON (${messageOf(error)})`, error);
  }
  return parseBatchFile(raw, path);
}
