/**
 * The lines of a `clearhouse.batch/2` file (docs/spec/batch-file.md): a header line (one JSON
 * object: the batch's fields and the body's SHA-256 and length), then one JSON object per record,
 * then one JSON string per leaf hash. Every line is a JSON value ending in "\n", so the file is
 * NDJSON, written and read one line at a time (the Node side is in `@clearhouse/sdk/node`).
 */
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex, stringToBytes, type Hex } from "viem";
import { BATCH_FORMAT_V2, canonicalJson, type BatchMetadata } from "./batch";
import { BatchFileError, parseBatchHead, parseBatchRecord, treeHashMember, type BatchFileHead } from "./batchFile";
import type { PaymentRecord } from "./record";

/** What the header line says of the body: section sizes, byte length and SHA-256. */
export interface BatchFileBody {
  /** Record lines (0 in a shared file). */
  records: number;
  /** Leaf lines (as many as records). */
  leaves: number;
  /** Bytes after the header line's newline. */
  bytes: number;
  /** SHA-256 of those bytes, lower-case hex (64 digits). */
  sha256: string;
}

/** The parsed header line of a `clearhouse.batch/2` file. */
export interface BatchFileHeadV2 extends BatchFileHead {
  body: BatchFileBody;
  /** The header line's `seal` matches its other members (the body still has to match `body`). */
  headerSealed: boolean;
}

/**
 * The seal of a header line: SHA-256 (lower-case hex) of the canonical JSON (`canonicalJson`) of
 * the header object without its `seal` member. It covers `body.sha256`, so it binds the header
 * fields to the records and leaves: editing either is detected.
 */
export function batchHeadSeal(headWithoutSeal: Record<string, unknown>): string {
  return bytesToHex(sha256(stringToBytes(canonicalJson(headWithoutSeal, "header line")))).slice(2);
}

/** A header line longer than this is refused before parsing (counterparties and metadata are small). */
export const MAX_HEADER_LINE_BYTES = 16 * 1024 * 1024;

/** The header line (with its "\n") of a batch with these fields and body. */
export function batchHeadLine(head: Omit<BatchFileHead, "format">, body: BatchFileBody): string {
  const { header } = head;
  const line: Record<string, unknown> = {
    format: BATCH_FORMAT_V2,
    submitter: head.submitter,
    key: head.key,
    batchId: head.batchId,
    currency: head.currency,
    metadata: JSON.parse(canonicalJson(head.metadata)) as BatchMetadata,
    ...treeHashMember(head.treeHash),
    header: {
      root: header.root,
      entryCount: header.entryCount,
      grossTotal: header.grossTotal.toString(),
      totalsCommitment: header.totalsCommitment,
      metadataDigest: header.metadataDigest,
      counterparties: header.counterparties,
      totals: header.totals.map(String),
    },
    body: { records: body.records, leaves: body.leaves, bytes: body.bytes, sha256: body.sha256 },
  };
  return JSON.stringify({ ...line, seal: batchHeadSeal(line) }) + "\n";
}

/** A record's line: its nine fields in a fixed order, the amount as a decimal string. */
export function batchRecordLine(r: PaymentRecord): string {
  return (
    JSON.stringify({
      paymentId: r.paymentId,
      debtorBank: r.debtorBank,
      creditorBank: r.creditorBank,
      amount: r.amount.toString(),
      currency: r.currency,
      valueDate: r.valueDate,
      endToEndId: r.endToEndId,
      debtorAccountHash: r.debtorAccountHash,
      creditorAccountHash: r.creditorAccountHash,
    }) + "\n"
  );
}

/** Parse and validate a header line (without its "\n"). */
export function parseBatchHeadLine(line: string, path: string): BatchFileHeadV2 {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    throw new BatchFileError(path, `line 1 (the header) is not JSON (${(error as Error).message})`, error);
  }
  const head = parseBatchHead(raw, path, [BATCH_FORMAT_V2]);
  const body = (raw as { body?: unknown }).body;
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const count = (field: keyof BatchFileBody): number => {
    const v = b[field];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
      throw new BatchFileError(path, `body.${field} is not a count`);
    return v;
  };
  const sha256 = b.sha256;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new BatchFileError(path, "body.sha256 is not 64 lower-case hex digits");
  }
  const records = count("records");
  if (count("leaves") !== records) throw new BatchFileError(path, "body.leaves is not body.records");
  if (records !== 0 && records !== head.header.entryCount) {
    throw new BatchFileError(path, `body.records is ${records}, but header.entryCount is ${head.header.entryCount}`);
  }
  const { seal, ...rest } = raw as Record<string, unknown>;
  let headerSealed = false;
  try {
    headerSealed = typeof seal === "string" && batchHeadSeal(rest) === seal;
  } catch {
    // not canonical-JSON-able: not sealed
  }
  return { ...head, body: { records, leaves: records, bytes: count("bytes"), sha256 }, headerSealed };
}

/** Parse and validate record line `line` (1-based, for errors) holding `records[index]`. */
export function parseBatchRecordLine(text: string, index: number, line: number, path: string): PaymentRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BatchFileError(path, `line ${line} (records[${index}]) is not JSON (${(error as Error).message})`, error);
  }
  return parseBatchRecord(raw, index, path);
}

const LEAF_LINE = /^"(0x[0-9a-f]{64})"$/;

/** Parse leaf line `line` (1-based) holding `leaves[index]`: a JSON string of 0x + 64 lower-case hex digits. */
export function parseBatchLeafLine(text: string, index: number, line: number, path: string): Hex {
  const m = LEAF_LINE.exec(text);
  if (!m) throw new BatchFileError(path, `line ${line} (leaves[${index}]) is not a quoted 32-byte lower-case hex hash`);
  return m[1] as Hex;
}
