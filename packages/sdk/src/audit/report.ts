/**
 * The audit report: what was checked, what passed, and every discrepancy with its transaction —
 * as JSON (for machines), Markdown (for the file) and a self-contained HTML page.
 */
import type { BatchFile } from "../settlement/batchFile";
import type { CheckResult, ProofVerifier } from "./check";
import { runChecks } from "./checks";
import type { ChainSnapshot } from "./collect";
import { supplyMarkdown, supplySection, type SupplySection } from "./supply";

export interface AuditReport {
  format: "clearhouse.audit/1";
  generatedAt: string;
  chainId: number;
  fromBlock: string;
  toBlock: string;
  events: number;
  ok: boolean;
  /** The token's supply, ceiling, and issuance and redemption per issuer per UTC day. */
  supply: SupplySection;
  checks: (CheckResult & { passed: boolean })[];
}

/**
 * Build a report from a snapshot (pure apart from proof verification, which `verifier` does:
 * `proofVerifier()` from `@clearhouse/zk` checks proofs with snarkjs against the committed keys).
 */
export async function auditSnapshot(
  snapshot: ChainSnapshot,
  opts: { verifier: ProofVerifier; batchFiles?: { path: string; file: BatchFile }[] },
): Promise<AuditReport> {
  const checks = await runChecks(snapshot, { ...opts.verifier, batchFiles: opts.batchFiles });
  const withStatus = checks.map((c) => ({ ...c, passed: c.failures.length === 0 }));
  return {
    format: "clearhouse.audit/1",
    generatedAt: new Date().toISOString(),
    chainId: snapshot.chainId,
    fromBlock: snapshot.fromBlock.toString(),
    toBlock: snapshot.toBlock.toString(),
    events: snapshot.events.length,
    ok: withStatus.every((c) => c.passed),
    supply: supplySection(snapshot),
    checks: withStatus,
  };
}

export function reportMarkdown(r: AuditReport): string {
  const lines = [
    `# Clearhouse audit report`,
    "",
    `Chain ${r.chainId}, blocks ${r.fromBlock}–${r.toBlock}, ${r.events} events, generated ${r.generatedAt}.`,
    "",
    `**Verdict: ${r.ok ? "every check passed" : `${r.checks.filter((c) => !c.passed).length} check(s) found discrepancies`}.**`,
    "",
    "| check | items | result |",
    "|---|---:|---|",
    ...r.checks.map(
      (c) => `| ${c.title} | ${c.checked} | ${c.passed ? "passed" : `**${c.failures.length} discrepancies**`} |`,
    ),
  ];
  lines.push("", ...supplyMarkdown(r.supply));
  for (const c of r.checks.filter((x) => !x.passed)) {
    lines.push("", `## ${c.title}`, "");
    for (const f of c.failures) lines.push(`- ${f.detail}${f.transactionHash ? ` (tx ${f.transactionHash})` : ""}`);
  }
  return lines.join("\n") + "\n";
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function reportHtml(r: AuditReport): string {
  const rows = r.checks
    .map(
      (c) =>
        `<tr class="${c.passed ? "ok" : "fail"}"><td>${esc(c.title)}</td><td>${c.checked}</td><td>${c.passed ? "passed" : `${c.failures.length} discrepancies`}</td></tr>` +
        c.failures
          .map(
            (f) =>
              `<tr class="detail"><td colspan="3">${esc(f.detail)}${f.transactionHash ? ` <code>${f.transactionHash}</code>` : ""}</td></tr>`,
          )
          .join(""),
    )
    .join("\n");
  const supplyRows = r.supply.days
    .map(
      (d) =>
        `<tr><td>${d.date}</td><td>${esc(d.issuer)}${d.governance ? " (governance)" : ""}</td><td>${d.issued}</td><td>${d.redeemed}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clearhouse audit report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
tr.ok td:last-child{color:#0a7d32}tr.fail td:last-child{color:#b3261e;font-weight:600}tr.detail td{font-size:.9em;color:#555;padding-left:2rem}.verdict{font-size:1.3rem;margin:1rem 0}</style></head>
<body><h1>Clearhouse audit report</h1>
<p>Chain ${r.chainId}, blocks ${r.fromBlock}–${r.toBlock}, ${r.events} events, generated ${esc(r.generatedAt)}.</p>
<p class="verdict" id="verdict">${r.ok ? "✔ Every check passed" : "✘ Discrepancies found"}</p>
<table><thead><tr><th>check</th><th>items</th><th>result</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Supply</h2>
<p id="supply">Total supply ${r.supply.totalSupply} minor units; issued ${r.supply.issuedTotal}, redeemed ${r.supply.redeemedTotal} since deployment; daily issuance ceiling ${r.supply.issuanceCeiling ?? "not supported by this token"}.</p>
<table><thead><tr><th>UTC day</th><th>issuer</th><th>issued</th><th>redeemed</th></tr></thead><tbody>
${supplyRows}
</tbody></table></body></html>
`;
}
