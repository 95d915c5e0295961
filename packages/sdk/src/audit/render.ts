/**
 * The audit report as a person reads it: its sections as titled tables, amounts in currency units
 * of the deployment's token, limits "unlimited" when unlimited, dates as ISO dates: the titled
 * tables (one source for report.md, report.html and the CLI's output, so the three always say the
 * same), and report.md and report.html themselves.
 */
import type { AgreementEntry } from "./agreements";
import type { ReportedCheck, AuditReport } from "./report";
import { supplySentence } from "./supply";
import { formatLimit, formatAmount } from "./units";

/** One section of the report as a table of text cells. */
export interface ReportTable {
  /** The section heading ("Contracts", "Members"…). */
  title: string;
  /** A sentence shown before the table, if any. */
  note?: string;
  headers: string[];
  /** Columns (by index) that hold amounts or counts, aligned right. */
  numeric?: number[];
  rows: string[][];
  /** What to say when there are no rows. */
  empty: string;
}

/** A check's result in words: "passed", "3 discrepancies", "not run: <why>". */
export function resultText(c: ReportedCheck): string {
  if (c.result === "failed") return `${c.failures.length} discrepancies`;
  if (c.result === "not run") return `not run: ${c.notRunReason ?? "there was nothing to examine"}`;
  return "passed";
}

/** The verdict in words, with how many checks passed, failed and were not run. */
export function verdictText(r: AuditReport): string {
  const { passed, failed, notRun } = r.summary;
  const counts = `${passed} passed, ${failed} failed, ${notRun} not run`;
  if (failed > 0) return `discrepancies found — ${counts}`;
  if (notRun > 0) return `every check that ran passed — ${counts}`;
  return `every check passed — ${counts}`;
}

const dateOnly = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

function amountIn(r: AuditReport, a: AgreementEntry): (minor: string) => string {
  return (minor) => (a.inSettlementToken ? formatAmount(r.token, minor) : `${minor} minor units of ${a.token}`);
}

/** The checks table. */
export function checksTable(r: AuditReport): ReportTable {
  return {
    title: "Checks",
    headers: ["check", "items", "result"],
    numeric: [1],
    rows: r.checks.map((c) => [c.title, String(c.checked), resultText(c)]),
    empty: "No checks.",
  };
}

/** The report's sections after the checks: supply, contracts, agreements, milestones, disputes, members. */
export function sectionTables(r: AuditReport): ReportTable[] {
  const u = (minor: string) => formatAmount(r.token, minor);
  const milestones = r.agreements.flatMap((a) =>
    a.milestones.map((m) => [
      a.agreementId,
      String(m.index),
      m.payee,
      amountIn(r, a)(m.amount),
      m.deadline,
      m.status,
      m.conditionHolds ? "holds" : "does not hold",
    ]),
  );
  const disputes = r.agreements.flatMap((a) =>
    a.disputes.map((d) => [
      a.agreementId,
      String(d.milestone),
      d.openedBy,
      dateOnly(d.openedAt),
      d.state,
      d.resolution
        ? `by ${d.resolution.by} on ${dateOnly(d.resolution.resolvedAt)}: ${amountIn(r, a)(d.resolution.toPayee)} to the payee, ${amountIn(r, a)(d.resolution.toPayer)} to the payer`
        : "—",
    ]),
  );
  return [
    {
      title: "Supply",
      note: supplySentence(r.supply, r.token),
      headers: ["UTC day", "issuer", "issued", "redeemed"],
      numeric: [2, 3],
      rows: r.supply.days.map((d) => [
        d.date,
        `${d.issuer}${d.governance ? " (governance)" : ""}`,
        u(d.issued),
        u(d.redeemed),
      ]),
      empty: "No issuance or redemption.",
    },
    {
      title: "Contracts",
      note: "Proxies with the implementation the deployment file records and the one in their EIP-1967 slot on chain.",
      headers: ["contract", "address", "implementation (deployment file)", "implementation (on chain)", "matches"],
      rows: r.contracts.map((c) => [
        c.name,
        c.address,
        c.implementation ?? "— (no proxy)",
        c.implementationOnChain ?? "—",
        c.matchesDeployment === null
          ? "—"
          : c.matchesDeployment
            ? "yes"
            : c.upgradedByGovernance
              ? `upgraded by governance in block ${c.upgradedByGovernance.blockNumber}: update the file`
              : "NO",
      ]),
      empty: "No contracts.",
    },
    {
      title: "Agreements",
      headers: [
        "agreement",
        "status",
        "payer",
        "arbiter",
        "payees",
        "created",
        "total",
        "funded",
        "released",
        "refunded",
        "locked",
      ],
      numeric: [6, 7, 8, 9, 10],
      rows: r.agreements.map((a) => {
        const x = amountIn(r, a);
        return [
          a.agreementId,
          a.status,
          a.payer,
          a.arbiter,
          a.payees.join(", "),
          a.createdAt,
          x(a.total),
          x(a.funded),
          x(a.released),
          x(a.refunded),
          x(a.locked),
        ];
      }),
      empty: "No agreements.",
    },
    {
      title: "Milestones",
      headers: ["agreement", "#", "payee", "amount", "deadline", "status", "condition"],
      numeric: [3],
      rows: milestones,
      empty: "No milestones.",
    },
    {
      title: "Disputes",
      headers: ["agreement", "milestone", "opened by", "opened", "state", "resolution"],
      rows: disputes,
      empty: "No disputes.",
    },
    {
      title: "Members",
      headers: ["member", "account", "status", "roles", "sanction", "max single transfer", "max daily outflow"],
      numeric: [5, 6],
      rows: r.members.map((m) => [
        m.name,
        m.account,
        m.status,
        m.roles.join(", ") || "—",
        m.sanction ? `reason ${m.sanction}` : "none",
        formatLimit(r.token, m.maxSingleTransfer),
        formatLimit(r.token, m.maxDailyOutflow),
      ]),
      empty: "No members.",
    },
  ];
}

/** A Markdown table cell: `|` escaped, and control characters (a newline would end the row and let
 * on-chain text such as a member's name write lines of the report) shown as spaces. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\p{Cc}/gu, " ");

/** Markdown lines of one table, under a `##` heading. */
export function markdownTable(t: ReportTable): string[] {
  const lines = [`## ${t.title}`, ""];
  if (t.note) lines.push(t.note, "");
  if (t.rows.length === 0) return [...lines, t.empty];
  return [
    ...lines,
    `| ${t.headers.join(" | ")} |`,
    `|${t.headers.map((_, i) => (t.numeric?.includes(i) ? "---:" : "---")).join("|")}|`,
    ...t.rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
}

/** Escape text for HTML. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** One table as HTML, under an `<h2>` whose id is the title in lower case. */
export function htmlTable(t: ReportTable): string {
  const id = t.title.toLowerCase();
  const head = `<h2 id="${id}">${escapeHtml(t.title)}</h2>\n${t.note ? `<p id="${id}-note">${escapeHtml(t.note)}</p>\n` : ""}`;
  if (t.rows.length === 0) return `${head}<p>${escapeHtml(t.empty)}</p>`;
  const align = (i: number) => (t.numeric?.includes(i) ? ` class="num"` : "");
  return (
    `${head}<table id="${id}-table"><thead><tr>${t.headers.map((h, i) => `<th${align(i)}>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>\n` +
    t.rows.map((row) => `<tr>${row.map((c, i) => `<td${align(i)}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n") +
    "\n</tbody></table>"
  );
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
