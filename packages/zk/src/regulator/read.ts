/**
 * The regulator reads a traced batch (docs/spec/traced-batch.md §7): with its secret key of the
 * batch's epoch, every chunk's shared key from the ephemeral key in the declaration's calldata, every
 * slot decrypted, the traced payments kept and the zero slots counted. Proofs and roots are checked
 * by the caller (`readTracedBatches` does both).
 */
import { keccak256, concat, toHex, type Hex } from "viem";
import type { TracedDeclaration } from "@clearhouse/sdk/audit";
import { RegulatorEpochError } from "./errors";
import { sharedKey } from "./keys";
import { decryptSlot, isZeroSlot, type SlotPlaintext } from "./decrypt";
import type { RegulatorKeyFile } from "./files";

/** One traced payment as the regulator reads it. */
export interface TracedPayment extends SlotPlaintext {
  cycleId: bigint;
  batchId: Hex;
  /** The declaring (debtor) bank. */
  bank: string;
  chunk: number;
  slot: number;
}

/** What one traced batch gave the regulator. */
export interface TracedBatchReading {
  cycleId: bigint;
  batchId: Hex;
  bank: string;
  epoch: number;
  threshold: bigint;
  transactionHash: Hex;
  /** The chunk roots hash to the anchored header root (the engine checked it too). */
  rootMatches: boolean;
  /** Every chunk's proof re-verified off-chain against the signals re-derived from the chain. */
  proofsVerified: boolean;
  payments: TracedPayment[];
  /** Slots that decrypt to zeros: small payments and unused slots alike. */
  zeroSlots: number;
}

/** Decrypt one traced declaration with the key of its epoch (RegulatorEpochError otherwise). */
export function decryptDeclaration(
  d: TracedDeclaration,
  key: RegulatorKeyFile,
): Omit<TracedBatchReading, "proofsVerified"> {
  if (key.epoch !== d.policy.epoch) throw new RegulatorEpochError(key.epoch, d.policy.epoch, d.batchId);
  const payments: TracedPayment[] = [];
  let zeroSlots = 0;
  d.chunks.forEach((c, chunk) => {
    const shared = sharedKey(key.secret, [c.ephemeral[0], c.ephemeral[1]]);
    for (let slot = 0; slot < c.ciphertexts.length / 7; slot++) {
      const m = decryptSlot(c.ciphertexts.slice(7 * slot, 7 * slot + 7), shared, slot);
      if (isZeroSlot(m)) zeroSlots++;
      else payments.push({ cycleId: d.cycleId, batchId: d.batchId, bank: d.bank, chunk, slot, ...m });
    }
  });
  const roots = keccak256(concat(d.chunks.map((c) => toHex(c.root, { size: 32 }))));
  return {
    cycleId: d.cycleId,
    batchId: d.batchId,
    bank: d.bank,
    epoch: d.policy.epoch,
    threshold: d.policy.threshold,
    transactionHash: d.transactionHash,
    rootMatches: roots.toLowerCase() === d.headerRoot.toLowerCase(),
    payments,
    zeroSlots,
  };
}
