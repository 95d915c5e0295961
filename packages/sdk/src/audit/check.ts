/**
 * What an audit check is: its result, its findings and the options every check receives. Kept
 * apart from the checks themselves (./checks.ts, ./netting.ts, ./proofs.ts, ./supply.ts) so each
 * check module depends on these types and `runChecks` on the checks, without an import cycle.
 */
import type { Hex } from "viem";
import type { BatchFile } from "../settlement/batchFile";
import type { CircuitId } from "../zk/circuits";
import type { VerificationKey } from "../zk/vk";

/** One failure of a check; `transactionHash` names the transaction to blame, when there is one. */
export interface Finding {
  detail: string;
  transactionHash?: Hex;
}

export interface CheckResult {
  id: string;
  title: string;
  /** How many items were checked (holders, batches, cycles…). */
  checked: number;
  failures: Finding[];
  /**
   * Why the check examined nothing, when `checked` is 0 (no agreements, no batch files given…):
   * the report then says "not run" with this reason, never "passed".
   */
  notRunReason?: string;
}

/** Off-chain proof verification, injected so the audit core needs no prover (see `@clearhouse/zk`). */
export interface ProofVerifier {
  /** Off-chain verification of a proof in calldata form. */
  verifyProof(circuit: CircuitId, proof: readonly bigint[], publicSignals: readonly bigint[]): Promise<boolean>;
  /** The verification keys the auditor trusts (the committed ones); a circuit without one is not checked. */
  verificationKeys: Partial<Record<CircuitId, VerificationKey>>;
}

export interface CheckOptions extends ProofVerifier {
  /** Bank batch files to check against what was anchored (optional). */
  batchFiles?: { path: string; file: BatchFile }[];
}
