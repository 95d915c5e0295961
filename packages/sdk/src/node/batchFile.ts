import { readFileSync } from "node:fs";
import {
  BatchFileError,
  batchFileText,
  parseBatchFile,
  sharedBatchFileText,
  type BatchFile,
} from "../settlement/batchFile";
import type { Batch } from "../settlement/batch";
import { writeFileAtomic } from "./fileio";

const messageOf = (e: unknown): string => (e instanceof Error ? e.message.split("\n")[0] : String(e));

function write(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (error) {
    throw new BatchFileError(path, `cannot be written (${messageOf(error)})`, error);
  }
}

/**
 * Write the batch file atomically (a temporary file in the same folder, fsync, rename): records
 * one per line with amounts as decimal strings, the header, and each record's leaf hash.
 */
export function writeBatchFile(path: string, batch: Batch): void {
  write(path, batchFileText(batch));
}

/** Write `file` without its payments: what a bank hands the operator for a cycle's close. */
export function writeSharedBatchFile(path: string, file: BatchFile): void {
  write(path, sharedBatchFileText(file));
}

/** Read and validate a batch file (structure and records); `verifyBatchFile` recomputes the rest. */
export function readBatchFile(path: string): BatchFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new BatchFileError(path, `is not readable JSON (${messageOf(error)})`, error);
  }
  return parseBatchFile(raw, path);
}
