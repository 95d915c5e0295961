/**
 * Private-mode batches, second design (decision 034; docs/spec/private-batch.md): one batch, one
 * anchor and one declaration for all of a bank's payments, with one `private_netting_256` proof per
 * chunk of 256 payment slots.
 *
 *   slot      (digest, packed): digest = Poseidon8(record), packed = bankIndex·2^80 +
 *             creditorIndex·2^64 + amount; an unused slot is (0, 0)
 *   group     8 slots of ONE creditor: Poseidon16(d0, p0, …, d7, p7)
 *   chunk     32 groups, at most 4 creditors: root = Poseidon2(Poseidon16(groups 0–15),
 *             Poseidon16(groups 16–31))
 *   batch     header.root = keccak256(chunk roots ascending, 32 bytes each, concatenated);
 *             header.totalsCommitment = keccak256(abi.encode(PRIVATE_CHUNKS_TAG, counterparties, totals))
 *
 * Indexes are the SettlementLedger's bank indexes (`bankOf`), given by the caller.
 */
import { concat, encodeAbiParameters, keccak256, stringToHex, toHex, type Address, type Hex } from "viem";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { poseidon16 } from "poseidon-lite/poseidon16";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import {
  batchIdOf,
  batchKey,
  encodeRecord,
  metadataDigestOf,
  totalsOf,
  validateRecord,
  type BatchHeader,
  type BatchMetadata,
  type PaymentRecord,
} from "@clearhouse/sdk/settlement";

/** keccak256("clearhouse.batch.private/2"), NettingEngine.PRIVATE_CHUNKS_TAG. */
export const PRIVATE_CHUNKS_TAG: Hex = keccak256(stringToHex("clearhouse.batch.private/2"));
/** Payment slots per group (one creditor's payments; a bottom node of the chunk tree). */
export const GROUP_SLOTS = 8;
/** Groups per chunk. */
export const CHUNK_GROUPS = 32;
/** Payment slots per chunk, and per `private_netting_256` proof. */
export const CHUNK_SLOTS = GROUP_SLOTS * CHUNK_GROUPS;
/** Creditors per chunk (the circuit's buckets). */
export const CHUNK_BUCKETS = 4;
/** Most chunks of one batch: PrivateProofs.MAX_PROVED_CHUNKS, what one declaration takes. */
export const MAX_PROVED_CHUNKS = 48;

const U64 = 1n << 64n;
const U72 = 1n << 72n;

/** One slot of a chunk. */
export interface PrivateSlot {
  /** Poseidon8 of the record's eight-field encoding; 0 for an unused slot. */
  digest: bigint;
  /** bankIndex·2^80 + creditorIndex·2^64 + amount; 0 for an unused slot. */
  packed: bigint;
  amount: bigint;
  /** The chunk bucket (0–3) of its creditor; 0 for an unused slot. */
  bucket: number;
  used: boolean;
  /** The payment in the slot (absent for an unused slot). */
  record?: PaymentRecord;
}

/** One chunk of a private batch, with everything its proof and its declaration need. */
export interface PrivateChunkV2 {
  root: bigint;
  slots: PrivateSlot[];
  /** Per bucket: the position of its creditor in the batch's `counterparties` (0 when unused). */
  buckets: number[];
  /** Per bucket: the sum of its slots' amounts (0 when unused). */
  amounts: bigint[];
  /** Per bucket: the ledger index of `counterparties[buckets[k]]`. */
  counterpartyIndexes: number[];
  bankIndex: number;
  /** The payments in the chunk, in slot order. */
  records: PaymentRecord[];
}

/** A private batch: its header, its per-counterparty totals and its chunks (roots ascending). */
export interface PrivateBatchV2 {
  submitter: Address;
  key: Hex;
  batchId: Hex;
  currency: string;
  metadata: BatchMetadata;
  header: BatchHeader;
  chunks: PrivateChunkV2[];
}

export interface BuildPrivateBatchOptions {
  submitter: Address;
  /** The batch key (text, ≤ 32 bytes, as for a standard batch). */
  key: string;
  /** The ledger index of a bank (`SettlementLedger.bankOf`): the submitter and every creditor. */
  indexOf: (bank: Address) => number;
  metadata?: BatchMetadata;
}

/** The slot value of a payment. */
export function packedOf(bankIndex: number, creditorIndex: number, amount: bigint): bigint {
  return (BigInt(bankIndex) << 80n) + (BigInt(creditorIndex) << 64n) + amount;
}

/** Poseidon16 over a group's 8 (digest, packed) pairs. */
export function groupHash(slots: readonly Pick<PrivateSlot, "digest" | "packed">[]): bigint {
  if (slots.length !== GROUP_SLOTS) throw new InvalidArgumentError("slots", `must be ${GROUP_SLOTS} slots`);
  return poseidon16(slots.flatMap((s) => [s.digest, s.packed]));
}

/** A chunk's root from its 32 group hashes. */
export function chunkRootOf(groups: readonly bigint[]): bigint {
  if (groups.length !== CHUNK_GROUPS) throw new InvalidArgumentError("groups", `must be ${CHUNK_GROUPS} hashes`);
  return poseidon2([poseidon16(groups.slice(0, 16)), poseidon16(groups.slice(16))]);
}

/** header.root of a private batch: keccak256 over its chunk roots, ascending, 32 bytes each. */
export function privateBatchRoot(roots: readonly bigint[]): Hex {
  for (let i = 1; i < roots.length; i++)
    if (roots[i] <= roots[i - 1]) throw new InvalidArgumentError("roots", "must be strictly ascending");
  return keccak256(concat(roots.map((r) => toHex(r, { size: 32 }))));
}

/** keccak256(abi.encode(PRIVATE_CHUNKS_TAG, counterparties, totals)). */
export function privateChunksCommitmentOf(counterparties: readonly Address[], totals: readonly bigint[]): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address[]" }, { type: "uint256[]" }],
      [PRIVATE_CHUNKS_TAG, counterparties, totals],
    ),
  );
}

/**
 * How a batch's payments are cut into chunks: groups of 8 slots per chunk and the chunk root over
 * the group hashes. `private/2` (this file) and the traced `private/3` (tracedBatch.ts) differ only
 * in these, in the totals commitment's tag and in the metadata's mode.
 */
export interface ChunkLayout {
  /** Groups of 8 slots per chunk. */
  groups: number;
  /** The chunk root from its `groups` group hashes. */
  root: (groups: readonly bigint[]) => bigint;
  /** The totals commitment of a batch of these chunks. */
  commitment: (counterparties: readonly Address[], totals: readonly bigint[]) => Hex;
  /** `metadata.mode`. */
  mode: string;
  /** The proof's circuit, for messages. */
  circuit: string;
}

/** The layout of a private/2 batch: 32 groups (256 slots) a chunk, `private_netting_256`. */
export const PRIVATE_V2_LAYOUT: ChunkLayout = {
  groups: CHUNK_GROUPS,
  root: chunkRootOf,
  commitment: privateChunksCommitmentOf,
  mode: "private/2",
  circuit: "private_netting_256",
};

const EMPTY: PrivateSlot = { digest: 0n, packed: 0n, amount: 0n, bucket: 0, used: false };

/**
 * Build a private batch from a bank's payments: validated records (each debtor the submitter, one
 * currency), grouped by creditor (ascending address, input order within a creditor) into groups of
 * 8, the groups cut into chunks of 32 groups and at most 4 creditors, the chunks ordered by root.
 */
export function buildPrivateBatch(records: readonly PaymentRecord[], o: BuildPrivateBatchOptions): PrivateBatchV2 {
  return buildChunkedBatch(records, o, PRIVATE_V2_LAYOUT);
}

/** {@link buildPrivateBatch} for any chunk layout (tracedBatch.ts uses it for private/3). */
export function buildChunkedBatch(
  records: readonly PaymentRecord[],
  o: BuildPrivateBatchOptions,
  layout: ChunkLayout,
): PrivateBatchV2 {
  if (records.length === 0) throw new InvalidArgumentError("records", "is empty: a batch needs at least one payment");
  const valid = records.map((r, i) => validateRecord(r, `records[${i}]`));
  valid.forEach((r, i) => {
    if (r.debtorBank.toLowerCase() !== o.submitter.toLowerCase())
      throw new InvalidArgumentError(
        `records[${i}].debtorBank`,
        `is ${r.debtorBank}, not the submitter ${o.submitter}`,
      );
    if (r.currency !== valid[0].currency)
      throw new InvalidArgumentError(
        `records[${i}].currency`,
        `is ${r.currency} but the batch is in ${valid[0].currency}`,
      );
  });
  const { counterparties, totals, gross } = totalsOf(valid);
  const bankIndex = ledgerIndex(o.indexOf, o.submitter, "submitter");
  const indexes = counterparties.map((c) => ledgerIndex(o.indexOf, c, `creditor ${c}`));

  // One creditor's payments in groups of 8, creditors in the header's order.
  const byCreditor = new Map<string, PaymentRecord[]>();
  for (const r of valid) {
    const k = r.creditorBank.toLowerCase();
    byCreditor.set(k, [...(byCreditor.get(k) ?? []), r]);
  }
  const groups: { position: number; records: PaymentRecord[] }[] = [];
  counterparties.forEach((c, position) => {
    const mine = byCreditor.get(c.toLowerCase())!;
    for (let i = 0; i < mine.length; i += GROUP_SLOTS)
      groups.push({ position, records: mine.slice(i, i + GROUP_SLOTS) });
  });

  // Groups into chunks: `layout.groups` groups, at most 4 creditors.
  const plans: (typeof groups)[] = [];
  let current: typeof groups = [];
  for (const g of groups) {
    const creditors = new Set(current.map((x) => x.position));
    if (current.length === layout.groups || (!creditors.has(g.position) && creditors.size === CHUNK_BUCKETS)) {
      plans.push(current);
      current = [];
    }
    current.push(g);
  }
  plans.push(current);
  if (plans.length > MAX_PROVED_CHUNKS)
    throw new InvalidArgumentError(
      "records",
      `make ${plans.length} chunks, more than the ${MAX_PROVED_CHUNKS} one declaration takes (MAX_PROVED_CHUNKS): ` +
        `split the payments into several batches (at most 4 creditors and ${layout.groups * GROUP_SLOTS} slots a chunk)`,
    );

  const chunks = plans
    .map((plan) => chunkOf(plan, bankIndex, indexes, counterparties.length, layout))
    .sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  const key = batchKey(o.key).toLowerCase() as Hex;
  const metadata: BatchMetadata = { ...(o.metadata ?? {}), mode: layout.mode, chunks: chunks.length };
  return {
    submitter: o.submitter,
    key,
    batchId: batchIdOf(o.submitter, key),
    currency: valid[0].currency,
    metadata,
    chunks,
    header: {
      root: privateBatchRoot(chunks.map((c) => c.root)),
      entryCount: valid.length,
      grossTotal: gross,
      totalsCommitment: layout.commitment(counterparties, totals),
      metadataDigest: metadataDigestOf(metadata),
      counterparties,
      totals,
    },
  };
}

function ledgerIndex(indexOf: (bank: Address) => number, bank: Address, what: string): number {
  const i = indexOf(bank);
  if (!Number.isInteger(i) || i < 0 || i > 255)
    throw new InvalidArgumentError("indexOf", `gave ${String(i)} for the ${what}: not a ledger index (0–255)`);
  return i;
}

function chunkOf(
  plan: { position: number; records: PaymentRecord[] }[],
  bankIndex: number,
  indexes: readonly number[],
  counterpartyCount: number,
  layout: ChunkLayout,
): PrivateChunkV2 {
  const positions = [...new Set(plan.map((g) => g.position))];
  const buckets = [...positions, ...new Array<number>(CHUNK_BUCKETS - positions.length).fill(0)];
  const amounts = new Array<bigint>(CHUNK_BUCKETS).fill(0n);
  const slots: PrivateSlot[] = [];
  const records: PaymentRecord[] = [];
  for (const g of plan) {
    const bucket = positions.indexOf(g.position);
    for (const r of g.records) {
      if (r.amount >= U64) throw new InvalidArgumentError("amount", `${r.amount} does not fit 64 bits`);
      amounts[bucket] += r.amount;
      records.push(r);
      slots.push({
        digest: poseidon8([...encodeRecord(r)]),
        packed: packedOf(bankIndex, indexes[g.position], r.amount),
        amount: r.amount,
        bucket,
        used: true,
        record: r,
      });
    }
    for (let i = g.records.length; i < GROUP_SLOTS; i++) slots.push(EMPTY);
  }
  while (slots.length < layout.groups * GROUP_SLOTS) slots.push(EMPTY);
  for (const a of amounts) if (a >= U72) throw new InvalidArgumentError("amounts", "a chunk total exceeds 72 bits");
  const groupHashes: bigint[] = [];
  for (let g = 0; g < layout.groups; g++)
    groupHashes.push(groupHash(slots.slice(g * GROUP_SLOTS, (g + 1) * GROUP_SLOTS)));
  if (counterpartyCount === 0) throw new InvalidArgumentError("records", "have no creditor");
  return {
    root: layout.root(groupHashes),
    slots,
    buckets,
    amounts,
    counterpartyIndexes: buckets.map((p) => indexes[p]),
    bankIndex,
    records,
  };
}
