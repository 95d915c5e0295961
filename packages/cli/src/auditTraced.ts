/**
 * What `clearhouse audit decrypt` and `audit ephemeral` start from: the traced declarations of a
 * batch or cycle, read from the chain alone, each with its chunk proofs re-verified off-chain
 * against the signals re-derived from the chain (so the ciphertexts and ephemeral keys are the
 * proven ones), and the traced declarations whose calldata cannot be read (sent through a wallet).
 */
import type { Hex } from "viem";
import {
  collectSnapshot,
  tracedDeclarations,
  unreadableTraced,
  type TracedDeclaration,
  type UnreadableTraced,
} from "@clearhouse/sdk/audit";
import { proofVerifier, releaseProver } from "@clearhouse/zk";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";

/** A traced declaration and whether every chunk proof re-verified. */
export interface CheckedTraced {
  declaration: TracedDeclaration;
  proofsVerified: boolean;
}

/** A batch id (0x + 64 hex digits) or a cycle number, as a filter. */
export function tracedTarget(target: string): { batchId: Hex } | { cycleId: bigint } {
  if (/^0x[0-9a-fA-F]{64}$/.test(target)) return { batchId: target.toLowerCase() as Hex };
  if (/^\d+$/.test(target)) return { cycleId: BigInt(target) };
  throw new UsageError(`"${target}" is neither a batch id (0x + 64 hex digits) nor a cycle number.`);
}

/** The target's traced declarations, proofs re-verified, and those that cannot be read (UsageError if none at all). */
export async function checkedTraced(
  target: string,
  g: GlobalOptions,
  io: CliIo,
): Promise<{ checked: CheckedTraced[]; unreadable: UnreadableTraced[] }> {
  const filter = tracedTarget(target);
  const ch = connect(g, io, false);
  const snapshot = await collectSnapshot(ch.context);
  const found = tracedDeclarations(snapshot, filter);
  const unreadable = unreadableTraced(snapshot, filter);
  if (found.length === 0 && unreadable.length === 0)
    throw new UsageError(
      `No traced private batch was declared for ${target}.`,
      "Check the batch id or cycle; batches declared before a regulator key existed carry no ciphertexts.",
    );
  const verifier = proofVerifier();
  const checked: CheckedTraced[] = [];
  try {
    for (const declaration of found) {
      let proofsVerified = true;
      for (const p of declaration.proofs)
        if (!(await verifier.verifyProof(p.circuit, p.proof, p.signals))) proofsVerified = false;
      checked.push({ declaration, proofsVerified });
    }
  } finally {
    await releaseProver();
  }
  return { checked, unreadable };
}

/** One line per declaration the regulator cannot read from its transaction. */
export const unreadableLines = (unreadable: readonly UnreadableTraced[]): string[] =>
  unreadable.map(
    (u) =>
      `batch ${u.batchId} (cycle ${u.cycleId}, epoch ${u.epoch}, tx ${u.transactionHash}): NOT READABLE: ${u.reason}`,
  );
