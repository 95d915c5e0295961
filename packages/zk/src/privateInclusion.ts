/**
 * A payment's place in a private batch (v2), for its creditor: the 8 slots of its group (all the
 * creditor's own payments), the 16 group hashes of its half of the chunk, the other half's hash and
 * every chunk root of the batch. With the record, the creditor recomputes its slot, the group, the
 * chunk root and the header's root, and so knows its payment is counted under the anchored batch
 * with the amount it expects (docs/spec/private-batch.md §7). It also carries the batch's
 * counterparties and totals, so the creditor can check the anchored totals commitment is the
 * private-mode v2 one: only then can the batch be declared with its proofs alone, never with
 * `declare` and totals of the bank's choosing.
 */
import type { Address, Hex } from "viem";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { poseidon16 } from "poseidon-lite/poseidon16";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { encodeRecord, validateRecord, type PaymentRecord } from "@clearhouse/sdk/settlement";
import {
  CHUNK_GROUPS,
  GROUP_SLOTS,
  groupHash,
  packedOf,
  privateBatchRoot,
  privateChunksCommitmentOf,
  type PrivateBatchV2,
} from "./privateBatch";

export interface PrivateInclusionProof {
  /** Which chunk (in the batch's ascending order), group (0–31) and slot (0–7). */
  chunk: number;
  group: number;
  slot: number;
  /** The group's 8 slots. */
  groupSlots: { digest: bigint; packed: bigint }[];
  /** The 16 group hashes of the half the group is in (its own included). */
  halfGroups: bigint[];
  /** The hash of the chunk's other half. */
  otherHalf: bigint;
  /** Every chunk root of the batch, ascending. */
  chunkRoots: bigint[];
  /** The batch's counterparties and totals (what its totals commitment hashes, with the v2 tag). */
  counterparties: Address[];
  totals: bigint[];
}

/** What of the anchored header the check reads (`getBatch` / `submitBatch` give it). */
export interface AnchoredPrivateHeader {
  root: Hex;
  totalsCommitment: Hex;
  counterpartyMask: bigint;
}

/** The inclusion proof of the batch's payment `paymentId`. */
export function privateInclusionProof(batch: PrivateBatchV2, paymentId: string): PrivateInclusionProof {
  for (const [c, chunk] of batch.chunks.entries()) {
    const at = chunk.records.findIndex((r) => r.paymentId === paymentId);
    if (at < 0) continue;
    // records are in slot order, skipping unused slots: find the at-th used slot
    let seen = -1;
    const index = chunk.slots.findIndex((s) => s.used && ++seen === at);
    const group = Math.floor(index / GROUP_SLOTS);
    const groups: bigint[] = [];
    for (let g = 0; g < CHUNK_GROUPS; g++)
      groups.push(groupHash(chunk.slots.slice(g * GROUP_SLOTS, (g + 1) * GROUP_SLOTS)));
    const half = group < 16 ? 0 : 1;
    return {
      chunk: c,
      group,
      slot: index % GROUP_SLOTS,
      groupSlots: chunk.slots
        .slice(group * GROUP_SLOTS, (group + 1) * GROUP_SLOTS)
        .map((s) => ({ digest: s.digest, packed: s.packed })),
      halfGroups: groups.slice(half * 16, half * 16 + 16),
      otherHalf: poseidon16(groups.slice((1 - half) * 16, (1 - half) * 16 + 16)),
      chunkRoots: batch.chunks.map((ch) => ch.root),
      counterparties: [...batch.header.counterparties],
      totals: [...batch.header.totals],
    };
  }
  throw new InvalidArgumentError("paymentId", `${paymentId} is not in this batch`);
}

/**
 * Check that `record` is counted in the anchored private batch `header`, owed by ledger index
 * `bankIndex` to `creditorIndex`, and that the header can only be declared with its proofs: its
 * totals commitment is the v2-tagged one of the proof's counterparties and totals, the creditor is
 * among them and in the header's counterparty mask. Throws an InvalidArgumentError naming the first
 * step that does not hold; returns the chunk root it leads to.
 */
export function verifyPrivateInclusion(
  proof: PrivateInclusionProof,
  o: { record: PaymentRecord; bankIndex: number; creditorIndex: number; header: AnchoredPrivateHeader },
): bigint {
  validateRecord(o.record, "record"); // an amount from 2^64 on would alias into the creditor index
  const slot = proof.groupSlots[proof.slot];
  if (!slot || proof.groupSlots.length !== GROUP_SLOTS) throw new InvalidArgumentError("slot", "is not in the group");
  if (slot.digest !== poseidon8([...encodeRecord(o.record)]))
    throw new InvalidArgumentError("record", "its digest is not the slot's: another record");
  if (slot.packed !== packedOf(o.bankIndex, o.creditorIndex, o.record.amount))
    throw new InvalidArgumentError("record", "the slot does not say this bank owes this creditor this amount");
  if (proof.halfGroups.length !== 16 || proof.halfGroups[proof.group % 16] !== groupHash(proof.groupSlots))
    throw new InvalidArgumentError("groupSlots", "do not hash to the group in its half");
  const half = poseidon16(proof.halfGroups);
  const root = poseidon2(proof.group < 16 ? [half, proof.otherHalf] : [proof.otherHalf, half]);
  if (proof.chunkRoots[proof.chunk] !== root)
    throw new InvalidArgumentError("chunkRoots", "the group does not lead to the chunk's root");
  if (privateBatchRoot(proof.chunkRoots) !== o.header.root.toLowerCase())
    throw new InvalidArgumentError("header.root", "the chunk roots do not hash to the anchored root");
  if (privateChunksCommitmentOf(proof.counterparties, proof.totals) !== o.header.totalsCommitment.toLowerCase())
    throw new InvalidArgumentError(
      "header.totalsCommitment",
      "is not the private-mode v2 commitment of the batch's counterparties and totals: the batch could be " +
        "declared without its proofs; do not acknowledge it (dispute it)",
    );
  const creditor = o.record.creditorBank.toLowerCase();
  if (!proof.counterparties.some((c) => c.toLowerCase() === creditor))
    throw new InvalidArgumentError("counterparties", `do not name the creditor ${o.record.creditorBank}`);
  if (((o.header.counterpartyMask >> BigInt(o.creditorIndex)) & 1n) === 0n)
    throw new InvalidArgumentError("header.counterpartyMask", `does not hold the creditor's index ${o.creditorIndex}`);
  return root;
}
