/**
 * A settlement batch: one bank's outgoing payments in one currency, their Merkle tree and the
 * header it anchors on chain (SettlementLedger.submitBatch). The batch file the bank keeps and its
 * verification are in ./batchFile.ts.
 */
import { encodeAbiParameters, getAddress, isAddress, keccak256, stringToHex, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";
import { batchKey } from "./ledger";
import { buildBatchTree, type BatchTree } from "./merkle";
import { validateRecord, type PaymentRecord } from "./record";
import { DEFAULT_TREE_HASH, parseTreeHash, type TreeHash } from "./treeHash";

/** The format tag of a batch file written whole from memory (`writeBatchFile`): one JSON document. */
export const BATCH_FORMAT = "clearhouse.batch/1";
/** The format tag of a streamed batch file (`writeBatchStream`, `batch build`): NDJSON with a sealed body. */
export const BATCH_FORMAT_V2 = "clearhouse.batch/2";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Free-form batch metadata (file name, run id…); only its digest is anchored. */
export type BatchMetadata = { [key: string]: JsonValue };

/** What the bank anchors of a batch (on chain, `counterparties`/`totals` become a mask and a commitment). */
export interface BatchHeader {
  /** Merkle root over the records (StandardMerkleTree-compatible keccak leaves, or SM3: `treeHash`). */
  root: Hex;
  entryCount: number;
  /** Sum of the amounts, minor units. */
  grossTotal: bigint;
  /** keccak256(abi.encode(address[] counterparties, uint256[] totals)). */
  totalsCommitment: Hex;
  /** keccak256 of the metadata as canonical JSON (keys sorted, no whitespace). */
  metadataDigest: Hex;
  /** The creditor banks, ascending by address. */
  counterparties: Address[];
  /** Gross amount to each counterparty, in the order of `counterparties`. */
  totals: bigint[];
}

export interface BuildBatchOptions {
  /** The anchoring bank: every record's debtor bank. */
  submitter: Address;
  /**
   * The submission's idempotency key: 32 bytes of hex, or a text of 1–32 bytes stored as its UTF-8
   * bytes (`batchKey`). The batch id is keccak256(abi.encode(submitter, key)).
   */
  key: Hex | string;
  metadata?: BatchMetadata;
  /** The tree's hash (decision 046): keccak256 (default) or sm3 — what the ledger's setting names. */
  treeHash?: TreeHash;
  /** Progress over validation then hashing (see `buildBatchTree`). */
  onProgress?(done: number, total: number): void;
}

export interface Batch {
  submitter: Address;
  /** The key as bytes32. */
  key: Hex;
  /** keccak256(abi.encode(submitter, key)), as SettlementLedger.batchIdOf. */
  batchId: Hex;
  currency: string;
  metadata: BatchMetadata;
  /** The tree's hash; absent means keccak256 (files written before decision 046). */
  treeHash?: TreeHash;
  /** Validated and normalized, in the input order (the tree's indexes). */
  records: PaymentRecord[];
  tree: BatchTree;
  header: BatchHeader;
}

/** keccak256(abi.encode(submitter, key)): the batch id SettlementLedger derives. */
export function batchIdOf(submitter: Address, key: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [submitter, key]));
}

/** keccak256(abi.encode(address[] counterparties, uint256[] totals)). */
export function totalsCommitmentOf(counterparties: readonly Address[], totals: readonly bigint[]): Hex {
  return keccak256(encodeAbiParameters([{ type: "address[]" }, { type: "uint256[]" }], [counterparties, totals]));
}

/** Metadata as canonical JSON: object keys sorted (UTF-16 order) at every depth, no whitespace. */
export function canonicalJson(value: unknown, where = "metadata"): string {
  if (value === null || typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(where, `${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${where}[${i}]`)).join(",")}]`;
  if (typeof value === "object") {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidArgumentError(where, "must be a plain object, array, string, finite number, boolean or null");
    }
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], `${where}.${k}`)}`);
    return `{${entries.join(",")}}`;
  }
  throw new InvalidArgumentError(where, `a ${typeof value} is not JSON`);
}

/** keccak256(utf8(canonicalJson(metadata))). */
export function metadataDigestOf(metadata: BatchMetadata): Hex {
  return keccak256(stringToHex(canonicalJson(metadata)));
}

/** Counterparties (ascending by address) and the gross total to each. */
export function totalsOf(records: readonly PaymentRecord[]): {
  counterparties: Address[];
  totals: bigint[];
  gross: bigint;
} {
  const byBank = new Map<Address, bigint>();
  let gross = 0n;
  for (const r of records) {
    byBank.set(r.creditorBank, (byBank.get(r.creditorBank) ?? 0n) + r.amount);
    gross += r.amount;
  }
  return { ...countersOf(byBank), gross };
}

/** Per-bank totals as a header lists them: counterparties ascending by address, totals alongside. */
export function countersOf(byBank: ReadonlyMap<Address, bigint>): { counterparties: Address[]; totals: bigint[] } {
  const counterparties = [...byBank.keys()].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { counterparties, totals: counterparties.map((c) => byBank.get(c)!) };
}

/**
 * Validate a bank's payments and build its batch: records (validated; each debtor is `submitter`;
 * one currency; unique payment ids), Merkle tree and header. Refuses an empty batch.
 */
export function buildBatch(records: readonly PaymentRecord[], opts: BuildBatchOptions): Batch {
  if (typeof opts.submitter !== "string" || !isAddress(opts.submitter, { strict: false })) {
    throw new InvalidArgumentError("submitter", `${String(opts.submitter)} is not an address`);
  }
  const submitter = getAddress(opts.submitter);
  if (typeof opts.key !== "string") throw new InvalidArgumentError("key", "must be a string");
  const key = batchKey(opts.key).toLowerCase() as Hex;
  if (records.length === 0) throw new InvalidArgumentError("records", "is empty: a batch needs at least one payment");
  if (records.length > 0xffffffff) throw new InvalidArgumentError("records", "has more than 2^32 − 1 payments");
  const metadata = opts.metadata ?? {};
  const metadataDigest = metadataDigestOf(metadata);
  const treeHash = parseTreeHash(opts.treeHash);

  const n = records.length;
  const total = 3 * n - 1; // validation, then the tree's 2n − 1 hashes
  const step = Math.max(1, Math.floor(total / 100));
  const valid: PaymentRecord[] = new Array<PaymentRecord>(n);
  for (let i = 0; i < n; i++) {
    const r = validateRecord(records[i], `records[${i}]`);
    if (r.debtorBank !== submitter) {
      throw new InvalidArgumentError(
        `records[${i}].debtorBank`,
        `payment ${JSON.stringify(r.paymentId)} is owed by ${r.debtorBank}, not by the submitter ${submitter}`,
        "A bank anchors only its own outgoing payments: split the file by debtor bank.",
      );
    }
    if (i > 0 && r.currency !== valid[0].currency) {
      throw new InvalidArgumentError(
        `records[${i}].currency`,
        `payment ${JSON.stringify(r.paymentId)} is in ${r.currency} but the batch is in ${valid[0].currency} (records[0])`,
        "A batch settles in one currency: build one batch per currency.",
      );
    }
    valid[i] = r;
    if (opts.onProgress && ((i + 1) % step === 0 || i + 1 === n)) opts.onProgress(i + 1, total);
  }
  const tree = buildBatchTree(valid, {
    treeHash,
    onProgress: opts.onProgress && ((done) => opts.onProgress!(n + done, total)),
  });
  const { counterparties, totals, gross } = totalsOf(valid);
  return {
    submitter,
    key,
    batchId: batchIdOf(submitter, key),
    currency: valid[0].currency,
    metadata,
    ...(treeHash === DEFAULT_TREE_HASH ? {} : { treeHash }),
    records: valid,
    tree,
    header: {
      root: tree.root,
      entryCount: n,
      grossTotal: gross,
      totalsCommitment: totalsCommitmentOf(counterparties, totals),
      metadataDigest,
      counterparties,
      totals,
    },
  };
}

// ------------------------------------------------------------------ batch file
