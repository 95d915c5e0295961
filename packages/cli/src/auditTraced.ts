/**
 * What `clearhouse audit decrypt` and `audit ephemeral` start from: the chain's snapshot and the
 * traced declarations of a batch or cycle, read from the chain alone, each with its chunk proofs
 * re-verified off-chain against the signals re-derived from the chain (so the ciphertexts and
 * ephemeral keys are the proven ones), and the traced declarations whose calldata cannot be read
 * (sent through a wallet). The reading itself is @clearhouse/zk's `readTracedTarget`.
 */
import {
  collectSnapshot,
  tracedDeclarations,
  unreadableTraced,
  type ChainSnapshot,
  type TracedDeclaration,
  type UnreadableTraced,
} from "@clearhouse/sdk/audit";
import { parseTracedTarget, proofVerifier, releaseProver, tracedProofsVerify, type TracedTarget } from "@clearhouse/zk";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";

/** A traced declaration and whether every chunk proof re-verified. */
export interface CheckedTraced {
  declaration: TracedDeclaration;
  proofsVerified: boolean;
}

/** A batch id (0x + 64 hex digits) or a cycle number, as a filter. */
export function tracedTarget(target: string): TracedTarget {
  const filter = parseTracedTarget(target);
  if (!filter) throw new UsageError(`"${target}" is neither a batch id (0x + 64 hex digits) nor a cycle number.`);
  return filter;
}

/** Nothing traced was declared for the target. */
export const noTracedBatch = (target: string): UsageError =>
  new UsageError(
    `No traced private batch was declared for ${target}.`,
    "Check the batch id or cycle; batches declared before a regulator key existed carry no ciphertexts.",
  );

/** The target as a filter (UsageError if it is neither) and the chain's snapshot. */
export async function tracedSnapshot(
  target: string,
  g: GlobalOptions,
  io: CliIo,
): Promise<{ filter: TracedTarget; snapshot: ChainSnapshot }> {
  const filter = tracedTarget(target);
  const ch = connect(g, io, false);
  return { filter, snapshot: await collectSnapshot(ch.context) };
}

/** The target's traced declarations, proofs re-verified, and those that cannot be read (UsageError if none at all). */
export async function checkedTraced(
  target: string,
  g: GlobalOptions,
  io: CliIo,
): Promise<{ checked: CheckedTraced[]; unreadable: UnreadableTraced[] }> {
  const { filter, snapshot } = await tracedSnapshot(target, g, io);
  const found = tracedDeclarations(snapshot, filter);
  const unreadable = unreadableTraced(snapshot, filter);
  if (found.length === 0 && unreadable.length === 0) throw noTracedBatch(target);
  const verifier = proofVerifier();
  const checked: CheckedTraced[] = [];
  try {
    for (const declaration of found)
      checked.push({ declaration, proofsVerified: await tracedProofsVerify(declaration, verifier) });
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
