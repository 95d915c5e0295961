/**
 * Private-mode batches. A bank's payments are split into chunks of NETTING_CHUNK (16) records with
 * at most NETTING_BUCKETS (4) creditor banks each; a chunk's root is the complete Poseidon(2) tree
 * over its 16 slots' leaves Poseidon(record) (unused slots hold the all-zero record). Each chunk is
 * anchored as its own batch and its per-counterparty totals are accepted by the netting engine only
 * with a `batch_netting_16` proof. The header commits to the totals with a private-mode tag, so a
 * private chunk can never be declared without its proof.
 */
import { encodeAbiParameters, keccak256, stringToHex, toHex, type Address, type Hex } from "viem";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import {
  batchIdOf,
  metadataDigestOf,
  totalsOf,
  type BatchHeader,
  type BatchMetadata,
} from "@clearhouse/sdk/settlement";
import { batchKey } from "@clearhouse/sdk/settlement";
import { encodeRecord, validateRecord, type EncodedRecord, type PaymentRecord } from "@clearhouse/sdk/settlement";
import { NETTING_BUCKETS, NETTING_CHUNK } from "@clearhouse/sdk/zk";

/** keccak256("clearhouse.batch.private/1"), NettingEngine.PRIVATE_BATCH_TAG. */
export const PRIVATE_BATCH_TAG: Hex = keccak256(stringToHex("clearhouse.batch.private/1"));

const ZERO_RECORD: EncodedRecord = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];

/** keccak256(abi.encode(PRIVATE_BATCH_TAG, counterparties, totals)). */
export function privateTotalsCommitmentOf(counterparties: readonly Address[], totals: readonly bigint[]): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address[]" }, { type: "uint256[]" }],
      [PRIVATE_BATCH_TAG, counterparties, totals],
    ),
  );
}

/** Root of the complete Poseidon tree over a chunk's slots (records padded with zero records). */
export function chunkRoot(records: readonly EncodedRecord[]): bigint {
  if (records.length > NETTING_CHUNK)
    throw new InvalidArgumentError("records", `has more than ${NETTING_CHUNK} payments`);
  let level = [...records, ...new Array<EncodedRecord>(NETTING_CHUNK - records.length).fill(ZERO_RECORD)].map((r) =>
    poseidon8([...r]),
  );
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(poseidon2([level[i], level[i + 1]]));
    level = next;
  }
  return level[0];
}

/** One anchored chunk of a private-mode batch. */
export interface PrivateChunk {
  submitter: Address;
  key: Hex;
  batchId: Hex;
  currency: string;
  metadata: BatchMetadata;
  records: PaymentRecord[];
  header: BatchHeader;
}

export interface BuildPrivateOptions {
  submitter: Address;
  /** Text prefix of the chunks' keys: chunk i is anchored under `${keyPrefix}/${i}` (≤ 32 bytes). */
  keyPrefix: string;
  metadata?: BatchMetadata;
}

/**
 * Split a bank's payments into private-mode chunks. Payments are grouped by creditor (ascending
 * address), cut into runs of at most 16 payments with at most 4 creditors, in input order within a
 * creditor. Every record is validated; each debtor must be `submitter`; one currency.
 */
export function buildPrivateChunks(records: readonly PaymentRecord[], opts: BuildPrivateOptions): PrivateChunk[] {
  if (records.length === 0) throw new InvalidArgumentError("records", "is empty: a batch needs at least one payment");
  const valid = records.map((r, i) => validateRecord(r, `records[${i}]`));
  valid.forEach((r, i) => {
    if (r.debtorBank.toLowerCase() !== opts.submitter.toLowerCase()) {
      throw new InvalidArgumentError(
        `records[${i}].debtorBank`,
        `is ${r.debtorBank}, not the submitter ${opts.submitter}`,
      );
    }
    if (r.currency !== valid[0].currency) {
      throw new InvalidArgumentError(
        `records[${i}].currency`,
        `is ${r.currency} but the batch is in ${valid[0].currency}`,
      );
    }
  });
  const sorted = [...valid].sort((a, b) => {
    const x = a.creditorBank.toLowerCase();
    const y = b.creditorBank.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const groups: PaymentRecord[][] = [];
  let current: PaymentRecord[] = [];
  for (const r of sorted) {
    const creditors = new Set(current.map((c) => c.creditorBank));
    if (current.length === NETTING_CHUNK || (!creditors.has(r.creditorBank) && creditors.size === NETTING_BUCKETS)) {
      groups.push(current);
      current = [];
    }
    current.push(r);
  }
  groups.push(current);
  const metadata: BatchMetadata = { ...(opts.metadata ?? {}), mode: "private", chunks: groups.length };
  return groups.map((group, i) => {
    const key = batchKey(`${opts.keyPrefix}/${i}`).toLowerCase() as Hex;
    const { counterparties, totals, gross } = totalsOf(group);
    const chunkMetadata: BatchMetadata = { ...metadata, chunk: i };
    return {
      submitter: opts.submitter,
      key,
      batchId: batchIdOf(opts.submitter, key),
      currency: group[0].currency,
      metadata: chunkMetadata,
      records: group,
      header: {
        root: toHex(chunkRoot(group.map(encodeRecord)), { size: 32 }),
        entryCount: group.length,
        grossTotal: gross,
        totalsCommitment: privateTotalsCommitmentOf(counterparties, totals),
        metadataDigest: metadataDigestOf(chunkMetadata),
        counterparties,
        totals,
      },
    };
  });
}
