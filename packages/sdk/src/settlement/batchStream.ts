/**
 * Building a batch from a stream of payments: the same batch `buildBatch` builds (same checks,
 * same leaves, same root and header), with memory bounded apart from the leaf hashes, which are
 * held compactly (32 bytes each in one growing byte array, plus a 16-byte payment id hash each for
 * the duplicate check). The records themselves are handed to `onRecord` (e.g. written to the batch
 * file) and not kept.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";
import {
  batchIdOf,
  countersOf,
  metadataDigestOf,
  totalsCommitmentOf,
  type BatchHeader,
  type BatchMetadata,
} from "./batch";
import { batchKey } from "./ledger";
import { fastKeccakReady } from "./keccak";
import { createLeafEncoder, rootOfLeafBytes, type LeafEncoder } from "./merkle";
import { validateRecord, type PaymentRecord } from "./record";
import { DEFAULT_TREE_HASH, fastSm3Ready, parseTreeHash, type TreeHash } from "./treeHash";

/** Where a streaming build is: validating and hashing records, then hashing the tree. */
export interface BatchStreamProgress {
  phase: "records" | "tree";
  done: number;
  /** Known in the tree phase (n − 1 pair hashes); the record count is not known in advance. */
  total?: number;
}

export interface BuildBatchStreamOptions {
  /** The anchoring bank: every record's debtor bank. */
  submitter: Address;
  /** The idempotency key (as `buildBatch`). */
  key: Hex | string;
  metadata?: BatchMetadata;
  /** The tree's hash (decision 046): keccak256 (default) or sm3. */
  treeHash?: TreeHash;
  /** Each validated, normalized record in order, once hashed: write it somewhere; it is not kept. */
  onRecord?(record: PaymentRecord, index: number): void | Promise<void>;
  /** Called every `progressEvery` records (default 10,000), and through the tree's hashing. */
  onProgress?(progress: BatchStreamProgress): void;
  progressEvery?: number;
  /** Records expected, if known: the leaf array is allocated once. */
  expectedCount?: number;
}

/** A batch built from a stream: everything `Batch` has except the records and the full tree. */
export interface StreamedBatch {
  submitter: Address;
  key: Hex;
  batchId: Hex;
  currency: string;
  metadata: BatchMetadata;
  /** The tree's hash; absent means keccak256. */
  treeHash?: TreeHash;
  header: BatchHeader;
  /** Each record's leaf hash, 32 bytes each, in record order (exactly 32 × entryCount bytes). */
  leaves: Uint8Array;
}

/**
 * Two records of a streamed batch share a payment id (found by its keccak hash: the ids themselves
 * are not kept). `paymentId` is filled in when the caller can read it back (`writeBatchStream`).
 */
export class DuplicatePaymentIdError extends InvalidArgumentError {
  override name = "DuplicatePaymentIdError";
  constructor(
    readonly first: number,
    readonly second: number,
    readonly paymentId?: string,
  ) {
    super(
      `records[${second}].paymentId`,
      `${paymentId === undefined ? "is" : `${JSON.stringify(paymentId)} is`} also the payment id of records[${first}]`,
      "A payment id appears once per batch: remove the duplicate or give it its own id.",
    );
  }
}

const ID_BYTES = 16;
const MAX_RECORDS = 0xffffffff;

/**
 * Validates, checks and hashes records one at a time (the incremental core of `buildBatchStream`):
 * `add` each record, then `finish` for the duplicate check, the root and the header.
 */
export class BatchBuilder {
  readonly submitter: Address;
  readonly key: Hex;
  readonly metadata: BatchMetadata;
  readonly treeHash: TreeHash;
  private readonly metadataDigest: Hex;
  private readonly encoder: LeafEncoder;
  private leaves: Uint8Array;
  private ids: Uint8Array;
  private count = 0;
  private currency: string | undefined;
  private gross = 0n;
  private readonly byBank = new Map<Address, bigint>();

  constructor(opts: {
    submitter: Address;
    key: Hex | string;
    metadata?: BatchMetadata;
    treeHash?: TreeHash;
    expectedCount?: number;
  }) {
    if (typeof opts.submitter !== "string" || !isAddress(opts.submitter, { strict: false })) {
      throw new InvalidArgumentError("submitter", `${String(opts.submitter)} is not an address`);
    }
    this.submitter = getAddress(opts.submitter);
    if (typeof opts.key !== "string") throw new InvalidArgumentError("key", "must be a string");
    this.key = batchKey(opts.key).toLowerCase() as Hex;
    this.metadata = opts.metadata ?? {};
    this.metadataDigest = metadataDigestOf(this.metadata);
    this.treeHash = parseTreeHash(opts.treeHash);
    this.encoder = createLeafEncoder(this.treeHash);
    const capacity = Math.max(1024, Math.min(opts.expectedCount ?? 0, MAX_RECORDS));
    this.leaves = new Uint8Array(32 * capacity);
    this.ids = new Uint8Array(ID_BYTES * capacity);
  }

  /** Records added so far. */
  get size(): number {
    return this.count;
  }

  /** Validate and hash one record (the next in order); returns it normalized. */
  add(value: unknown): PaymentRecord {
    const i = this.count;
    if (i >= MAX_RECORDS) throw new InvalidArgumentError("records", "has more than 2^32 − 1 payments");
    const r = validateRecord(value, `records[${i}]`);
    if (r.debtorBank !== this.submitter) {
      throw new InvalidArgumentError(
        `records[${i}].debtorBank`,
        `payment ${JSON.stringify(r.paymentId)} is owed by ${r.debtorBank}, not by the submitter ${this.submitter}`,
        "A bank anchors only its own outgoing payments: split the file by debtor bank.",
      );
    }
    if (this.currency === undefined) this.currency = r.currency;
    else if (r.currency !== this.currency) {
      throw new InvalidArgumentError(
        `records[${i}].currency`,
        `payment ${JSON.stringify(r.paymentId)} is in ${r.currency} but the batch is in ${this.currency} (records[0])`,
        "A batch settles in one currency: build one batch per currency.",
      );
    }
    if (32 * (i + 1) > this.leaves.length) this.grow();
    this.encoder.leaf(r, `records[${i}]`, this.leaves, 32 * i);
    this.encoder.paymentIdHash(this.ids, ID_BYTES * i, ID_BYTES);
    this.byBank.set(r.creditorBank, (this.byBank.get(r.creditorBank) ?? 0n) + r.amount);
    this.gross += r.amount;
    this.count = i + 1;
    return r;
  }

  private grow(): void {
    const capacity = Math.min(MAX_RECORDS, 2 * (this.leaves.length / 32));
    const leaves = new Uint8Array(32 * capacity);
    leaves.set(this.leaves);
    this.leaves = leaves;
    const ids = new Uint8Array(ID_BYTES * capacity);
    ids.set(this.ids);
    this.ids = ids;
  }

  /**
   * The two positions of the first repeated payment id (by its 128-bit keccak prefix), or
   * undefined. Sorts positions by id hash: no id strings are kept.
   */
  private duplicate(): [number, number] | undefined {
    const n = this.count;
    const ids = this.ids;
    const prefix = new Uint32Array(n);
    for (let i = 0, o = 0; i < n; i++, o += ID_BYTES) {
      prefix[i] = ((ids[o] << 24) | (ids[o + 1] << 16) | (ids[o + 2] << 8) | ids[o + 3]) >>> 0;
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const compare = (a: number, b: number): number => {
      for (let k = 4, x = ID_BYTES * a, y = ID_BYTES * b; k < ID_BYTES; k++) {
        const d = ids[x + k] - ids[y + k];
        if (d !== 0) return d;
      }
      return 0;
    };
    order.sort((a, b) => prefix[a] - prefix[b] || compare(a, b) || a - b);
    let found: [number, number] | undefined;
    for (let s = 1; s < n; s++) {
      const [a, b] = [order[s - 1], order[s]];
      if (prefix[a] === prefix[b] && compare(a, b) === 0 && (!found || b < found[1])) found = [a, b];
    }
    return found;
  }

  /** Check for repeated payment ids, hash the tree and return the batch (refuses an empty one). */
  finish(onTree?: (done: number, total: number) => void): StreamedBatch {
    const n = this.count;
    if (n === 0 || this.currency === undefined) {
      throw new InvalidArgumentError("records", "is empty: a batch needs at least one payment");
    }
    const dup = this.duplicate();
    if (dup) throw new DuplicatePaymentIdError(dup[0], dup[1]);
    const leaves = this.leaves.slice(0, 32 * n);
    this.leaves = new Uint8Array(0);
    this.ids = new Uint8Array(0);
    const root = rootOfLeafBytes(leaves, n, onTree, this.treeHash);
    const { counterparties, totals } = countersOf(this.byBank);
    return {
      submitter: this.submitter,
      key: this.key,
      batchId: batchIdOf(this.submitter, this.key),
      currency: this.currency,
      metadata: this.metadata,
      ...(this.treeHash === DEFAULT_TREE_HASH ? {} : { treeHash: this.treeHash }),
      leaves,
      header: {
        root,
        entryCount: n,
        grossTotal: this.gross,
        totalsCommitment: totalsCommitmentOf(counterparties, totals),
        metadataDigest: this.metadataDigest,
        counterparties,
        totals,
      },
    };
  }
}

const isThenable = (v: unknown): v is PromiseLike<void> =>
  typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";

/**
 * Build a batch from records as they come (an async or sync iterable): the same header as
 * `buildBatch` on the same records, memory bounded apart from the compact leaf hashes. Each record
 * is validated, hashed and handed to `onRecord` (awaited if it returns a promise), then dropped.
 */
export async function buildBatchStream(
  records: AsyncIterable<unknown> | Iterable<unknown>,
  opts: BuildBatchStreamOptions,
): Promise<StreamedBatch> {
  await fastKeccakReady();
  if (opts.treeHash === "sm3") await fastSm3Ready();
  const builder = new BatchBuilder(opts);
  const every = Math.max(1, Math.floor(opts.progressEvery ?? 10_000));
  const { onRecord, onProgress } = opts;
  for await (const value of records) {
    const record = builder.add(value);
    if (onRecord) {
      const pending = onRecord(record, builder.size - 1);
      if (isThenable(pending)) await pending;
    }
    if (onProgress && builder.size % every === 0) onProgress({ phase: "records", done: builder.size });
  }
  if (onProgress) onProgress({ phase: "records", done: builder.size });
  return builder.finish(onProgress && ((done, total) => onProgress({ phase: "tree", done, total })));
}
