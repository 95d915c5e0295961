/**
 * What the regulator reads of a batch or a cycle (docs/spec/traced-batch.md §7), from the chain
 * alone: its traced declarations, each read with the key that fits it (`readDeclaration`), the
 * chunk proofs of every batch read re-verified off-chain against the signals re-derived from the
 * chain (so the ciphertexts are the proven ones), and the traced declarations whose calldata cannot
 * be read. `clearhouse audit decrypt` and the console's regulator page (`GET /api/regulator/traced`)
 * both report this.
 */
import type { Hex } from "viem";
import {
  tracedDeclarations,
  unreadableTraced,
  type ChainSnapshot,
  type ProofVerifier,
  type TracedDeclaration,
  type UnreadableTraced,
} from "@clearhouse/sdk/audit";
import { ClearhouseError } from "@clearhouse/sdk/errors";
import { readDeclaration, type RegulatorReadingKeys, type TracedBatchReading } from "./read";

/** A traced batch none of the keys given fits. */
export interface NotRead {
  cycleId: bigint;
  batchId: Hex;
  epoch: number;
  reason: string;
}

/** What the regulator reads of a batch or cycle (`audit decrypt --json`, decrypt.json, the console's page). */
export interface DecryptReport {
  /** The batch id or cycle number asked for, as given. */
  target: string;
  readings: TracedBatchReading[];
  notRead: NotRead[];
  unreadable: UnreadableTraced[];
}

/** One batch (by id) or one cycle. */
export type TracedTarget = { batchId: Hex } | { cycleId: bigint };

/** A batch id (0x + 64 hex digits) or a cycle number as a target; undefined for anything else. */
export function parseTracedTarget(target: string): TracedTarget | undefined {
  if (/^0x[0-9a-fA-F]{64}$/.test(target)) return { batchId: target.toLowerCase() as Hex };
  if (/^\d+$/.test(target)) return { cycleId: BigInt(target) };
  return undefined;
}

/** Whether every chunk proof of `d` re-verifies (each one is checked: a failure is reported, not thrown). */
export async function tracedProofsVerify(d: TracedDeclaration, verifier: ProofVerifier): Promise<boolean> {
  let verified = true;
  for (const p of d.proofs) if (!(await verifier.verifyProof(p.circuit, p.proof, p.signals))) verified = false;
  return verified;
}

export interface ReadTracedOptions {
  /** Re-verifies the chunk proofs of the batches read (`proofVerifier()`; the caller releases the prover). */
  verifier: ProofVerifier;
  /**
   * The reason every batch is not read when `keys` holds no key at all (default: the reason
   * `readDeclaration` gives, naming the chain's key of the batch's epoch).
   */
  noKeyReason?: string;
}

/**
 * The report of `target` (a batch id or cycle number, as given; `filter` is what it names): every
 * traced declaration read with the key of `keys` that fits it, its proofs re-verified; those no key
 * fits in `notRead`, with why; those whose calldata cannot be read in `unreadable`. Nothing found is
 * an empty report, not an error: the caller says what that means to its user.
 */
export async function readTracedTarget(
  snapshot: ChainSnapshot,
  target: string,
  filter: TracedTarget,
  keys: RegulatorReadingKeys,
  options: ReadTracedOptions,
): Promise<DecryptReport> {
  const report: DecryptReport = {
    target,
    readings: [],
    notRead: [],
    unreadable: unreadableTraced(snapshot, filter),
  };
  const keyless = !keys.files?.length && !keys.shared?.length;
  for (const d of tracedDeclarations(snapshot, filter)) {
    const notRead = (reason: string) =>
      report.notRead.push({ cycleId: d.cycleId, batchId: d.batchId, epoch: d.policy.epoch, reason });
    if (keyless && options.noKeyReason !== undefined) {
      notRead(options.noKeyReason);
      continue;
    }
    // One batch that cannot be read never hides the others (review 23b, B): its reason is reported.
    let r: ReturnType<typeof readDeclaration>;
    try {
      r = readDeclaration(d, keys);
    } catch (e) {
      if (!(e instanceof ClearhouseError)) throw e;
      notRead(`not readable with the keys given: ${e.message}`);
      continue;
    }
    if ("notRead" in r) notRead(r.notRead);
    else report.readings.push({ ...r.read, proofsVerified: await tracedProofsVerify(d, options.verifier) });
  }
  return report;
}
