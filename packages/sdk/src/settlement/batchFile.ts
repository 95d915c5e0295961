/**
 * The batch file a bank keeps: records, header and every leaf hash. `clearhouse.batch/1` is one
 * JSON document (written here from an in-memory batch); `clearhouse.batch/2` is NDJSON with a
 * header line and a body digest, written and read as streams (./batchFileV2.ts,
 * docs/spec/batch-file.md). Read back with validation; verified against the anchored header,
 * naming the payments that were edited, added or removed after anchoring.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { ClearhouseError } from "../errors/base";
import {
  BATCH_FORMAT,
  BATCH_FORMAT_V2,
  batchIdOf,
  canonicalJson,
  metadataDigestOf,
  totalsCommitmentOf,
  totalsOf,
  type Batch,
  type BatchMetadata,
} from "./batch";
import { leavesOf, rootOfLeaves } from "./merkle";
import { validateRecord, type PaymentRecord } from "./record";
import { DEFAULT_TREE_HASH, parseTreeHash, type TreeHash } from "./treeHash";

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** The batch file formats read: `clearhouse.batch/1` (one JSON document) and `/2` (NDJSON, streamed). */
export type BatchFileFormat = typeof BATCH_FORMAT | typeof BATCH_FORMAT_V2;
export const BATCH_FORMATS: readonly BatchFileFormat[] = [BATCH_FORMAT, BATCH_FORMAT_V2];

/** A batch file as read back: what was written, parsed and validated, not yet recomputed. */
export interface BatchFile extends Omit<Batch, "tree"> {
  format: BatchFileFormat;
  /** Each record's leaf hash at build time, in record order. */
  leaves: Hex[];
  /**
   * A `clearhouse.batch/2` file's seal: the SHA-256 and byte length of everything after its
   * header line, as recorded by `batch build`, and whether the body read still matches them.
   */
  seal?: BatchFileSeal;
}

/** The digest a `clearhouse.batch/2` header records of the body, and whether the body matches it. */
export interface BatchFileSeal {
  /** SHA-256 of the body (every byte after the header line's newline), lower-case hex. */
  sha256: string;
  /** The body's length in bytes. */
  bytes: number;
  /** The body read has this digest and length: the file is as `batch build` wrote it. */
  ok: boolean;
}

/** The header fields compared with what was anchored (a `BatchHeader` or the on-chain struct). */
export interface AnchoredHeader {
  root: Hex;
  entryCount: number | bigint;
  grossTotal: bigint;
  totalsCommitment: Hex;
  metadataDigest: Hex;
  counterparties?: readonly Address[];
  totals?: readonly bigint[];
}

export interface BatchVerification {
  ok: boolean;
  /** Payments that differ from what was anchored (edited or added), or are invalid. */
  mismatches: { paymentId: string; problem: string }[];
  /** Batch-level problems: header fields, removed payments, a tampered leaf list. */
  problems: string[];
}

/** A batch file is unreadable or malformed. */
export class BatchFileError extends ClearhouseError {
  override name = "BatchFileError";
  constructor(
    readonly path: string,
    problem: string,
    cause?: unknown,
  ) {
    super(`Batch file ${path}: ${problem}.`, {
      category: "input",
      hint: `A batch file is written by \`clearhouse batch build\` ("${BATCH_FORMAT_V2}") or writeBatchFile ("${BATCH_FORMAT}").`,
      cause,
    });
  }
}

const recordJson = (r: PaymentRecord) => ({ ...r, amount: r.amount.toString() });

/**
 * The batch file's text: records one per line with amounts as decimal strings, the header, and
 * each record's leaf hash (`writeBatchFile` in `@clearhouse/sdk/node` writes it atomically).
 */
export function batchFileText(batch: Batch): string {
  const leaves = Array.from({ length: batch.tree.size }, (_, i) => batch.tree.leafHash(i));
  return textOf(batch, batch.records.map(recordJson), leaves);
}

/**
 * The text of `file` without its payments (`records` and `leaves` empty): what a bank hands the operator
 * so it can present the batch at a cycle's close (`cycle close <files>`). The header, key and
 * submitter are all the engine needs; the payments stay with the bank.
 */
export function sharedBatchFileText(file: BatchFileHead): string {
  return textOf(file, [], []);
}

function textOf(batch: Omit<BatchFileHead, "format">, records: readonly unknown[], leaves: readonly Hex[]): string {
  const { header } = batch;
  const head = {
    format: BATCH_FORMAT,
    submitter: batch.submitter,
    key: batch.key,
    batchId: batch.batchId,
    currency: batch.currency,
    metadata: JSON.parse(canonicalJson(batch.metadata)) as BatchMetadata,
    ...treeHashMember(batch.treeHash),
    header: { ...header, grossTotal: header.grossTotal.toString(), totals: header.totals.map(String) },
  };
  const list = (items: readonly unknown[]) => items.map((v) => `    ${JSON.stringify(v)}`).join(",\n");
  return [
    "{",
    ...Object.entries(head).map(
      ([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v, null, 2).replace(/\n/g, "\n  ")},`,
    ),
    `  "records": [\n${list(records)}\n  ],`,
    `  "leaves": [\n${list(leaves)}\n  ]`,
    "}",
    "",
  ].join("\n");
}

/**
 * The `treeHash` member a writer adds: none for keccak256 (so files of keccak batches are byte for
 * byte what they were before decision 046), `{ treeHash: "sm3" }` otherwise.
 */
export function treeHashMember(treeHash: TreeHash | undefined): { treeHash?: TreeHash } {
  return treeHash === undefined || treeHash === DEFAULT_TREE_HASH ? {} : { treeHash };
}

/** The fields of a batch file apart from its payments (the header line of a `clearhouse.batch/2` file). */
export type BatchFileHead = Omit<BatchFile, "records" | "leaves" | "seal">;

/**
 * Validate the fields every batch file format shares (format, submitter, key, batch id,
 * currency, metadata, header) of a parsed file or header line; `formats` are the accepted tags.
 */
export function parseBatchHead(
  raw: unknown,
  path: string,
  formats: readonly BatchFileFormat[] = BATCH_FORMATS,
): BatchFileHead {
  const fail = (problem: string, cause?: unknown): never => {
    throw new BatchFileError(path, problem, cause);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("is not a JSON object");
  const f = raw as Record<string, unknown>;
  if (!formats.includes(f.format as BatchFileFormat)) {
    return fail(`has format ${JSON.stringify(f.format)}, expected ${formats.map((x) => `"${x}"`).join(" or ")}`);
  }
  const address = (v: unknown, field: string): Address =>
    typeof v === "string" && isAddress(v, { strict: false }) ? getAddress(v) : fail(`${field} is not an address`);
  const bytes32 = (v: unknown, field: string): Hex =>
    typeof v === "string" && BYTES32.test(v) ? (v.toLowerCase() as Hex) : fail(`${field} is not 32 bytes of hex`);
  const decimal = (v: unknown, field: string): bigint =>
    typeof v === "string" && /^\d+$/.test(v) ? BigInt(v) : fail(`${field} is not a decimal string`);
  const array = (v: unknown, field: string): unknown[] => (Array.isArray(v) ? v : fail(`${field} is not an array`));
  const h = f.header;
  if (typeof h !== "object" || h === null) return fail("header is missing");
  const hr = h as Record<string, unknown>;
  const entryCount = hr.entryCount;
  if (typeof entryCount !== "number" || !Number.isSafeInteger(entryCount) || entryCount < 0) {
    return fail("header.entryCount is not an integer");
  }
  const metadata = f.metadata ?? {};
  try {
    canonicalJson(metadata);
  } catch (error) {
    return fail("metadata is not JSON", error);
  }
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) fail("metadata is not an object");
  let treeHash: TreeHash | undefined;
  try {
    treeHash = f.treeHash === undefined ? undefined : parseTreeHash(f.treeHash);
  } catch (error) {
    return fail(`treeHash ${JSON.stringify(f.treeHash)} is not "keccak256" or "sm3"`, error);
  }
  return {
    format: f.format as BatchFileFormat,
    submitter: address(f.submitter, "submitter"),
    key: bytes32(f.key, "key"),
    batchId: bytes32(f.batchId, "batchId"),
    currency: typeof f.currency === "string" ? f.currency : fail("currency is not a string"),
    metadata: metadata as BatchMetadata,
    ...treeHashMember(treeHash),
    header: {
      root: bytes32(hr.root, "header.root"),
      entryCount,
      grossTotal: decimal(hr.grossTotal, "header.grossTotal"),
      totalsCommitment: bytes32(hr.totalsCommitment, "header.totalsCommitment"),
      metadataDigest: bytes32(hr.metadataDigest, "header.metadataDigest"),
      counterparties: array(hr.counterparties, "header.counterparties").map((c, i) =>
        address(c, `header.counterparties[${i}]`),
      ),
      totals: array(hr.totals, "header.totals").map((t, i) => decimal(t, `header.totals[${i}]`)),
    },
  };
}

/** Validate one record of a batch file (`records[i]`, named by its payment id when it has one). */
export function parseBatchRecord(value: unknown, index: number, path: string): PaymentRecord {
  const id = (value as { paymentId?: unknown } | null)?.paymentId;
  try {
    return validateRecord(value, `records[${index}]${typeof id === "string" ? ` (${id})` : ""}`);
  } catch (error) {
    throw new BatchFileError(
      path,
      error instanceof ClearhouseError ? error.shortMessage.replace(/\.$/, "") : String(error),
      error,
    );
  }
}

/** Validate a parsed `clearhouse.batch/1` file (structure and records); `verifyBatchFile` recomputes the rest. */
export function parseBatchFile(raw: unknown, path = "batch"): BatchFile {
  const head = parseBatchHead(raw, path, [BATCH_FORMAT]);
  const f = raw as Record<string, unknown>;
  const list = (v: unknown, field: string): unknown[] => {
    if (!Array.isArray(v)) throw new BatchFileError(path, `${field} is not an array`);
    return v;
  };
  const records = list(f.records, "records").map((r, i) => parseBatchRecord(r, i, path));
  const leaves = list(f.leaves ?? [], "leaves").map((l, i) => {
    if (typeof l !== "string" || !BYTES32.test(l))
      throw new BatchFileError(path, `leaves[${i}] is not 32 bytes of hex`);
    return l.toLowerCase() as Hex;
  });
  return { ...head, records, leaves };
}

/**
 * Recompute a batch (read from its file, or in memory) and compare it with the header anchored on
 * chain. Each record's leaf is matched against the leaves stored at build time (authenticated by
 * the anchored root), so an edited, added or removed payment is named, not just "root differs".
 */
export function verifyBatchFile(batch: Batch | BatchFile, anchored: AnchoredHeader): BatchVerification {
  const mismatches: BatchVerification["mismatches"] = [];
  const problems: string[] = [];

  // Records: each valid, owed by the submitter, in the batch currency, once.
  const submitter = getAddress(batch.submitter);
  const records: PaymentRecord[] = [];
  const positions: number[] = []; // records[k] is batch.records[positions[k]]
  const invalid = new Set<number>();
  const seen = new Map<string, number>();
  batch.records.forEach((value, i) => {
    const paymentId = String((value as { paymentId?: unknown }).paymentId);
    let r: PaymentRecord;
    try {
      r = validateRecord(value, `records[${i}]`);
    } catch (error) {
      mismatches.push({ paymentId, problem: error instanceof ClearhouseError ? error.shortMessage : String(error) });
      invalid.add(i);
      return;
    }
    if (r.debtorBank !== submitter) {
      mismatches.push({ paymentId, problem: `debtor bank ${r.debtorBank} is not the submitter ${submitter}` });
    }
    if (r.currency !== batch.currency) {
      mismatches.push({ paymentId, problem: `currency ${r.currency} is not the batch currency ${batch.currency}` });
    }
    const first = seen.get(r.paymentId);
    if (first !== undefined) mismatches.push({ paymentId, problem: `appears twice (records[${first}] and [${i}])` });
    else seen.set(r.paymentId, i); // a third copy names the first too
    records.push(r);
    positions.push(i);
  });

  // Leaves: match each record against the build-time leaves, once those are proven to be the
  // anchored ones (they hash to the anchored root). Order does not matter: the tree sorts leaves.
  const treeHash = batch.treeHash ?? DEFAULT_TREE_HASH;
  const leaves = leavesOf(records, treeHash);
  const stored =
    "leaves" in batch ? batch.leaves : Array.from({ length: batch.tree.size }, (_, i) => batch.tree.leafHash(i));
  if (stored.length > 0 && rootOfLeaves(stored, treeHash) === anchored.root.toLowerCase()) {
    // Every position of each stored leaf (a leaf repeats only when a record does).
    const anchoredAt = new Map<string, number[]>();
    stored.forEach((leaf, j) => {
      const key = leaf.toLowerCase();
      const at = anchoredAt.get(key);
      if (at) at.push(j);
      else anchoredAt.set(key, [j]);
    });
    const used = new Set<number>(invalid); // an invalid record stands for the anchored one at its position
    const unmatched: number[] = [];
    leaves.forEach((leaf, k) => {
      // The stored leaf at the record's own position first (the usual case), else the first unused one.
      const i = positions[k];
      const own = i < stored.length && !used.has(i) && stored[i].toLowerCase() === leaf;
      const j = own ? i : (anchoredAt.get(leaf)?.find((p) => !used.has(p)) ?? -1);
      if (j < 0) unmatched.push(k);
      else used.add(j);
    });
    for (const k of unmatched) {
      // The anchored leaf at the record's own position is unclaimed: the record was edited there.
      const i = positions[k];
      const edited = i < stored.length && !used.has(i);
      if (edited) used.add(i);
      mismatches.push({
        paymentId: records[k].paymentId,
        problem: edited
          ? `was edited after anchoring: its leaf ${leaves[k]} is not the anchored leaf ${stored[i]}`
          : "is not in the anchored batch (added after anchoring)",
      });
    }
    stored.forEach((leaf, j) => {
      if (!used.has(j)) problems.push(`anchored payment #${j} (leaf ${leaf}) is missing: removed after anchoring`);
    });
  } else if (stored.length > 0) {
    problems.push("the stored leaves do not hash to the anchored root, so changed payments cannot be named");
  }

  // Header: recompute every field; compare with the anchored header, and the file's header with it.
  const root = leaves.length > 0 ? rootOfLeaves(leaves, treeHash) : undefined;
  problems.push(...headerProblems(batch, { root, entryCount: records.length, ...totalsOf(records) }, anchored));
  return { ok: mismatches.length === 0 && problems.length === 0, mismatches, problems };
}

/** What a verifier recomputed from a file's payments (`root` undefined when it holds none). */
export interface RecomputedHeader {
  root: Hex | undefined;
  entryCount: number;
  gross: bigint;
  counterparties: readonly Address[];
  totals: readonly bigint[];
}

/**
 * The batch-level problems of a verification (`verifyBatchFile`, `verifyBatchFileStream`): every
 * recomputed field against the anchored header, the file's own header against it, and the batch id.
 */
export function headerProblems(
  file: Pick<BatchFileHead, "submitter" | "key" | "batchId" | "metadata" | "header">,
  recomputed: RecomputedHeader,
  anchored: AnchoredHeader,
): string[] {
  const problems: string[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (String(actual).toLowerCase() !== String(expected).toLowerCase()) {
      problems.push(`${what} is ${String(actual)}, anchored ${String(expected)}`);
    }
  };
  const { counterparties, totals } = recomputed;
  check("the recomputed root", recomputed.root ?? "(none)", anchored.root);
  check("entryCount", recomputed.entryCount, anchored.entryCount);
  check("grossTotal", recomputed.gross, anchored.grossTotal);
  check("totalsCommitment", totalsCommitmentOf([...counterparties], [...totals]), anchored.totalsCommitment);
  if (anchored.counterparties) check("counterparties", counterparties.join(", "), anchored.counterparties.join(", "));
  if (anchored.totals) check("totals", totals.join(", "), anchored.totals.join(", "));
  check("metadataDigest", metadataDigestOf(file.metadata), anchored.metadataDigest);
  for (const field of ["root", "entryCount", "grossTotal", "totalsCommitment", "metadataDigest"] as const) {
    check(`the file's header.${field}`, file.header[field], anchored[field]);
  }
  if (batchIdOf(file.submitter, file.key) !== file.batchId.toLowerCase()) {
    problems.push(`batchId ${file.batchId} is not keccak256(abi.encode(submitter, key))`);
  }
  return problems;
}

/** A batch file's head fields alone, from any value that has them (a header read, a parsed line). */
export function batchFileHeadOf(value: BatchFileHead): BatchFileHead {
  const { format, submitter, key, batchId, currency, metadata, treeHash, header } = value;
  return { format, submitter, key, batchId, currency, metadata, ...treeHashMember(treeHash), header };
}
