/**
 * The audit report: what was checked and with what result (passed, failed, or not run because
 * there was nothing to examine), every discrepancy with its transaction, and what an auditor needs
 * around it — the supply, every contract's addresses, every agreement, every member — as JSON (for
 * machines, amounts in minor units), Markdown (for the file) and a self-contained HTML page
 * (amounts in currency units). The JSON shape is documented in docs/audit.md.
 */
import type { BatchFile } from "../settlement/batchFile";
import type { CheckResult, ProofVerifier } from "./check";
import { runChecks } from "./checks";
import type { ChainSnapshot } from "./collect";
import { agreementsSection, type AgreementEntry } from "./agreements";
import { contractsSection, type ContractEntry } from "./contracts";
import { membersSection, type MemberEntry } from "./members";
import { checksTable, escapeHtml, htmlTable, markdownTable, sectionTables, verdictText } from "./render";
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

const findingText = (f: { detail: string; transactionHash?: string }) =>
  `${f.detail}${f.transactionHash ? ` (tx ${f.transactionHash})` : ""}`;

/** The report as Markdown (report.md): amounts in currency units. */
export function reportMarkdown(r: AuditReport): string {
  const lines = [
    `# Clearhouse audit report`,
    "",
    `Chain ${r.chainId}, blocks ${r.fromBlock}–${r.toBlock}, ${r.events} events, generated ${r.generatedAt}; amounts in ${r.token.symbol} (${r.token.name}).`,
    "",
    `**Verdict: ${verdictText(r)}.**`,
    "",
    ...markdownTable(checksTable(r)),
  ];
  for (const c of r.checks.filter((x) => x.result === "failed")) {
    lines.push("", `### ${c.title}`, "");
    for (const f of c.failures) lines.push(`- ${findingText(f)}`);
  }
  for (const t of sectionTables(r)) lines.push("", ...markdownTable(t));
  return lines.join("\n") + "\n";
}

/** The report as a self-contained HTML page (report.html): amounts in currency units. */
export function reportHtml(r: AuditReport): string {
  const rows = r.checks
    .map(
      (c) =>
        `<tr class="${c.result === "passed" ? "ok" : c.result === "failed" ? "fail" : "notrun"}"><td>${escapeHtml(c.title)}</td><td class="num">${c.checked}</td><td>${escapeHtml(c.result === "failed" ? `${c.failures.length} discrepancies` : c.result === "not run" ? `not run: ${c.notRunReason}` : "passed")}</td></tr>` +
        c.failures
          .map(
            (f) =>
              `<tr class="detail"><td colspan="3">${escapeHtml(f.detail)}${f.transactionHash ? ` <code>${f.transactionHash}</code>` : ""}</td></tr>`,
          )
          .join(""),
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clearhouse audit report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}table{border-collapse:collapse;width:100%;margin-bottom:1rem}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}.num{text-align:right;white-space:nowrap}
tr.ok td:last-child{color:#0a7d32}tr.fail td:last-child{color:#b3261e;font-weight:600}tr.notrun td:last-child{color:#8a6d00}tr.detail td{font-size:.9em;color:#555;padding-left:2rem}.verdict{font-size:1.3rem;margin:1rem 0}</style></head>
<body><h1>Clearhouse audit report</h1>
<p>Chain ${r.chainId}, blocks ${r.fromBlock}–${r.toBlock}, ${r.events} events, generated ${escapeHtml(r.generatedAt)}; amounts in ${escapeHtml(r.token.symbol)} (${escapeHtml(r.token.name)}).</p>
<p class="verdict" id="verdict">${r.ok ? "✔" : "✘"} ${escapeHtml(verdictText(r).replace(/^./, (c) => c.toUpperCase()))}</p>
<h2 id="checks">Checks</h2>
<table id="checks-table"><thead><tr><th>check</th><th class="num">items</th><th>result</th></tr></thead><tbody>
${rows}
</tbody></table>
${sectionTables(r).map(htmlTable).join("\n")}
</body></html>
`;
}
