/**
 * The audit report: what was checked and with what result (passed, failed, or not run because
 * there was nothing to examine), every discrepancy with its transaction, and what an auditor needs
 * around it — the supply, every contract's addresses, every agreement, every member — as JSON (for
 * machines, amounts in minor units); ./render.ts renders it as Markdown and HTML (amounts in
 * currency units). The JSON shape is documented in docs/audit.md.
 */
import type { BatchFile } from "../settlement/batchFile";
import type { CheckResult, ProofVerifier } from "./check";
import { runChecks } from "./checks";
import type { ChainSnapshot } from "./collect";
import { agreementsSection, type AgreementEntry } from "./agreements";
import { contractsSection, type ContractEntry } from "./contracts";
import { membersSection, type MemberEntry } from "./members";
import { supplySection, type SupplySection } from "./supply";
import type { ReportToken } from "./units";

/** A check's result: `not run` when it examined nothing (with `notRunReason` saying why). */
export type CheckOutcome = "passed" | "failed" | "not run";

/** A check as the report gives it. */
export interface ReportedCheck extends CheckResult {
  result: CheckOutcome;
}

export interface AuditReport {
  format: "clearhouse.audit/2";
  generatedAt: string;
  chainId: number;
  fromBlock: string;
  toBlock: string;
  events: number;
  /** No check failed ("not run" checks do not count against it; see `summary`). */
  ok: boolean;
  /** How many checks passed, failed and were not run. */
  summary: { passed: number; failed: number; notRun: number };
  /** The token every amount of the report is in (its minor units in this JSON). */
  token: ReportToken;
  /** The token's supply, ceiling, and issuance and redemption per issuer per UTC day. */
  supply: SupplySection;
  /** Every contract of the deployment file, with proxy and implementation addresses. */
  contracts: ContractEntry[];
  /** Every conditional-payment agreement: parties, amounts, milestones, disputes. */
  agreements: AgreementEntry[];
  /** Every member ever admitted: status, roles, sanction, limits. */
  members: MemberEntry[];
  checks: ReportedCheck[];
}

/** The three-state result of a check: failed if it found anything, not run if it examined nothing. */
export function outcomeOf(c: CheckResult): CheckOutcome {
  if (c.failures.length > 0) return "failed";
  return c.checked === 0 ? "not run" : "passed";
}

/**
 * Build a report from a snapshot (pure apart from proof verification, which `verifier` does:
 * `proofVerifier()` from `@clearhouse/zk` checks proofs with snarkjs against the committed keys).
 */
export async function auditSnapshot(
  snapshot: ChainSnapshot,
  opts: { verifier: ProofVerifier; batchFiles?: { path: string; file: BatchFile }[] },
): Promise<AuditReport> {
  const checks: ReportedCheck[] = (await runChecks(snapshot, { ...opts.verifier, batchFiles: opts.batchFiles })).map(
    (c) => {
      const result = outcomeOf(c);
      const { notRunReason, ...rest } = c;
      return {
        ...rest,
        result,
        ...(result === "not run" ? { notRunReason: notRunReason ?? "there was nothing to examine" } : {}),
      };
    },
  );
  const count = (o: CheckOutcome) => checks.filter((c) => c.result === o).length;
  const { name, symbol, decimals } = snapshot.deployment.token;
  return {
    format: "clearhouse.audit/2",
    generatedAt: new Date().toISOString(),
    chainId: snapshot.chainId,
    fromBlock: snapshot.fromBlock.toString(),
    toBlock: snapshot.toBlock.toString(),
    events: snapshot.events.length,
    ok: count("failed") === 0,
    summary: { passed: count("passed"), failed: count("failed"), notRun: count("not run") },
    token: { name, symbol, decimals, address: snapshot.deployment.contracts.SettlementToken.proxy },
    supply: supplySection(snapshot),
    contracts: contractsSection(snapshot),
    agreements: agreementsSection(snapshot),
    members: membersSection(snapshot),
    checks,
  };
}
