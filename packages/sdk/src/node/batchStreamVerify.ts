/**
 * `verifyBatchFileStream`: `verifyBatchFile` for a `clearhouse.batch/2` file of any size, read
 * twice line by line (the stored leaves, then the records) instead of held whole. Memory is 96
 * bytes per payment (stored and recomputed leaves, the compact payment-id index) plus the payments
 * that differ, so ten million payments verify in about a gigabyte. Same checks, same messages,
 * same result as `verifyBatchFile` on the same file (the tests compare the two on edited files).
 */
import { bytesToHex, getAddress, type Address, type Hex } from "viem";
import { countersOf } from "../settlement/batch";
import {
  BatchFileError,
  batchFileHeadOf,
  headerProblems,
  type AnchoredHeader,
  type BatchFileHead,
  type BatchVerification,
} from "../settlement/batchFile";
import { parseBatchLeafLine, parseBatchRecordLine } from "../settlement/batchFileV2";
import { IdIndex } from "../settlement/idIndex";
import { fastKeccakReady } from "../settlement/keccak";
import { createLeafEncoder, proofOfLeafBytes, rootOfLeafBytes } from "../settlement/merkle";
import { DEFAULT_TREE_HASH, fastSm3Ready } from "../settlement/treeHash";
import type { PaymentRecord } from "../settlement/record";
import { closeOpened, openV2, type LineReader } from "./batchLines";
import type { BatchFileCryptoOptions } from "./envelope/batchFiles";

/** Options of `verifyBatchFileStream`. */
export interface VerifyBatchStreamOptions extends BatchFileCryptoOptions {
  /** Also return this payment's record and its proof (from the recomputed leaves). */
  payment?: string;
  /** Called with the lines read so far of the 2 × 2n the two passes read. */
  onProgress?(done: number, total: number): void;
}

/** The result of `verifyBatchFileStream`. */
export interface BatchStreamVerification extends BatchVerification {
  /** The file's header fields. */
  file: BatchFileHead;
  /** With `payment`: its position, record and proof, when the file holds it. */
  inclusion?: { index: number; record: PaymentRecord; proof: Hex[] };
}

/** Compare 32-byte hash `x` of `xs` with hash `y` of `ys` as unsigned integers. */
function compareHash(xs: Uint8Array, x: number, ys: Uint8Array, y: number): number {
  for (let i = 0; i < 32; i++) {
    const d = xs[x + i] - ys[y + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** Stored leaves sorted (positions), to find a recomputed leaf anywhere among them. */
class LeafLookup {
  private readonly order: Uint32Array;
  constructor(
    private readonly leaves: Uint8Array,
    n: number,
  ) {
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.order.sort((a, b) => compareHash(leaves, 32 * a, leaves, 32 * b) || a - b);
  }

  /** The first unused position holding `leaf` (32 bytes at `at` of `src`), or −1. */
  find(src: Uint8Array, at: number, used: Uint8Array): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareHash(this.leaves, 32 * this.order[mid], src, at) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (; lo < this.order.length && compareHash(this.leaves, 32 * this.order[lo], src, at) === 0; lo++) {
      if (!used[this.order[lo]]) return this.order[lo];
    }
    return -1;
  }
}

function nextLine(lines: LineReader, path: string, n: number): string {
  const text = lines.next(Number.MAX_SAFE_INTEGER);
  if (text === undefined) {
    throw new BatchFileError(path, `ends at line ${lines.line}, but its header announces ${n} records and leaves`);
  }
  return text;
}

/**
 * Verify a `clearhouse.batch/2` file against an anchored header (`file` to check it against its
 * own header line), streaming; undefined for a file in another format (use `verifyBatchFile` on
 * `readBatchFile`'s result). Throws `BatchFileError` for a file that cannot be read or parsed.
 */
export async function verifyBatchFileStream(
  path: string,
  anchored: AnchoredHeader | "file",
  opts: VerifyBatchStreamOptions = {},
): Promise<BatchStreamVerification | undefined> {
  await fastKeccakReady(); // the WebAssembly keccak from the first leaf (14× @noble/hashes)
  // Pass 1: the stored leaves (the records are skipped).
  const first = openV2(path, opts);
  if (!first) return undefined;
  const body = first.head.body;
  const file = batchFileHeadOf(first.head);
  const treeHash = file.treeHash ?? DEFAULT_TREE_HASH;
  if (treeHash === "sm3") await fastSm3Ready();
  const n = body.records;
  const total = 4 * n;
  let done = 0;
  const tick = (): void => {
    done++;
    if (opts.onProgress && (done % 65_536 === 0 || done === total)) opts.onProgress(done, total);
  };
  const stored = new Uint8Array(32 * n);
  try {
    for (let i = 0; i < n; i++, tick()) nextLine(first.lines, path, n);
    for (let j = 0; j < n; j++, tick()) {
      const hex = parseBatchLeafLine(nextLine(first.lines, path, n), j, first.lines.line, path);
      for (let b = 0; b < 32; b++) stored[32 * j + b] = parseInt(hex.slice(2 + 2 * b, 4 + 2 * b), 16);
    }
    if (first.lines.next() !== undefined) {
      throw new BatchFileError(path, `has more lines than its header announces (line ${first.lines.line})`);
    }
  } finally {
    closeOpened(first);
  }
  const against: AnchoredHeader = anchored === "file" ? file.header : anchored;
  const mismatches: BatchVerification["mismatches"] = [];
  const problems: string[] = [];
  const storedOk = n > 0 && rootOfLeafBytes(stored, n, undefined, treeHash) === against.root.toLowerCase();
  const lookup = storedOk ? new LeafLookup(stored, n) : undefined;

  // Pass 2: the records, each validated, hashed and matched against the stored leaves.
  const second = openV2(path, opts);
  if (!second) throw new BatchFileError(path, "changed format while it was being verified");
  const submitter = getAddress(file.submitter);
  const encoder = createLeafEncoder(treeHash);
  const computed = new Uint8Array(32 * n);
  const used = new Uint8Array(n);
  const ids = new IdIndex();
  const unmatched: { k: number; paymentId: string }[] = [];
  const byBank = new Map<Address, bigint>();
  let gross = 0n;
  let inclusion: { index: number; record: PaymentRecord } | undefined;
  try {
    for (let i = 0; i < n; i++, tick()) {
      const r = parseBatchRecordLine(nextLine(second.lines, path, n), i, second.lines.line, path);
      if (r.debtorBank !== submitter) {
        mismatches.push({
          paymentId: r.paymentId,
          problem: `debtor bank ${r.debtorBank} is not the submitter ${submitter}`,
        });
      }
      if (r.currency !== file.currency) {
        mismatches.push({
          paymentId: r.paymentId,
          problem: `currency ${r.currency} is not the batch currency ${file.currency}`,
        });
      }
      const firstAt = ids.firstOrAdd(r.paymentId, i);
      if (firstAt !== undefined) {
        mismatches.push({ paymentId: r.paymentId, problem: `appears twice (records[${firstAt}] and [${i}])` });
      }
      encoder.leaf(r, `records[${i}]`, computed, 32 * i);
      byBank.set(r.creditorBank, (byBank.get(r.creditorBank) ?? 0n) + r.amount);
      gross += r.amount;
      if (opts.payment !== undefined && r.paymentId === opts.payment && !inclusion) inclusion = { index: i, record: r };
      if (!lookup) continue;
      // The leaf at the record's own position first (the usual case), else anywhere unused.
      const j =
        !used[i] && compareHash(stored, 32 * i, computed, 32 * i) === 0 ? i : lookup.find(computed, 32 * i, used);
      if (j < 0) unmatched.push({ k: i, paymentId: r.paymentId });
      else used[j] = 1;
    }
    for (let j = 0; j < n; j++, tick()) nextLine(second.lines, path, n);
  } finally {
    closeOpened(second);
  }
  if (lookup) {
    const leafAt = (bytes: Uint8Array, i: number) => bytesToHex(bytes.subarray(32 * i, 32 * i + 32));
    for (const { k, paymentId } of unmatched) {
      // The anchored leaf at the record's own position is unclaimed: the record was edited there.
      const edited = k < n && !used[k];
      if (edited) used[k] = 1;
      mismatches.push({
        paymentId,
        problem: edited
          ? `was edited after anchoring: its leaf ${leafAt(computed, k)} is not the anchored leaf ${leafAt(stored, k)}`
          : "is not in the anchored batch (added after anchoring)",
      });
    }
    for (let j = 0; j < n; j++) {
      if (!used[j])
        problems.push(`anchored payment #${j} (leaf ${leafAt(stored, j)}) is missing: removed after anchoring`);
    }
  } else if (n > 0) {
    problems.push("the stored leaves do not hash to the anchored root, so changed payments cannot be named");
  }

  // Header: recompute every field; compare with the anchored header, and the file's header with it.
  const root = n > 0 ? rootOfLeafBytes(computed, n, undefined, treeHash) : undefined;
  problems.push(...headerProblems(file, { root, entryCount: n, gross, ...countersOf(byBank) }, against));
  return {
    ok: mismatches.length === 0 && problems.length === 0,
    mismatches,
    problems,
    file,
    ...(inclusion
      ? { inclusion: { ...inclusion, proof: proofOfLeafBytes(computed, n, inclusion.index, treeHash) } }
      : {}),
  };
}
