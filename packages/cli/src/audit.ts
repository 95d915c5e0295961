import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { auditChain } from "@clearhouse/sdk/node";
import {
  checksTable,
  reportHtml,
  reportMarkdown,
  sectionTables,
  verdictText,
  type ReportTable,
} from "@clearhouse/sdk/audit";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { renderTable } from "@clearhouse/sdk";
import { proofVerifier, releaseProver } from "@clearhouse/zk";
import { ExitCode, UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print, toJson } from "./output";
import { addDecryptCommand } from "./auditDecrypt";
import { addEphemeralCommand } from "./auditEphemeral";
import { fileCrypto } from "./encryption";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** On-chain text (a member's name) for a terminal: control characters (escapes, newlines) as spaces. */
const plain = (s: string) => s.replace(/\p{Cc}/gu, " ");

/** A report section for the terminal: its title, its note, then the table (or what it lacks). */
function section(t: ReportTable): string {
  const head = `${t.title}${t.note ? `: ${plain(t.note)}` : ""}`;
  if (t.rows.length === 0) return `${head}\n  ${t.empty}`;
  const table = renderTable(
    t.rows,
    t.headers.map((header, i) => ({
      header,
      value: (row: string[]) => plain(row[i]),
      ...(t.numeric?.includes(i) ? { align: "right" as const } : {}),
    })),
  );
  return `${head}\n${table}`;
}

export function auditCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const audit = new Command("audit").description(
    "rebuild the state from events, compare it with the contracts, re-verify every proof",
  );
  audit
    .command("report")
    .description("audit the whole deployment; write report.json, report.md and report.html")
    .option("--out <dir>", "where to write the report files", "audit-report")
    .option("--batch-file <file>", "also check a bank's batch file against its anchored root (repeatable)", collect, [])
    .addHelpText(
      "after",
      '\nExample:\n  clearhouse audit report --out audit-2026-11-23 --batch-file alpine-2026-11-23.json\n\nExit code 5 when a discrepancy is found (a check that examined nothing is "not run", not a failure).',
    )
    .action(async (o: { out: string; batchFile: string[] }) => {
      const g = globals();
      const ch = connect(g, io, false);
      let last = -1;
      const report = await auditChain(ch.context, {
        verifier: proofVerifier(),
        batchFiles: o.batchFile,
        ...fileCrypto(g, io),
        onProgress: (done, total) => {
          const pct = Math.floor((100 * done) / Math.max(total, 1));
          if (!g.json && pct !== last && (pct % 25 === 0 || done === total)) io.err(`reading events: ${pct}%`);
          last = pct;
        },
      }).finally(releaseProver);
      mkdirSync(o.out, { recursive: true });
      writeFileAtomic(join(o.out, "report.json"), toJson(report) + "\n");
      writeFileAtomic(join(o.out, "report.md"), reportMarkdown(report));
      writeFileAtomic(join(o.out, "report.html"), reportHtml(report));
      const checks = checksTable(report);
      checks.rows = checks.rows.map((row, i) =>
        report.checks[i].result === "failed" ? [...row.slice(0, 2), row[2].toUpperCase()] : row,
      );
      const details = report.checks.flatMap((c) =>
        c.failures.map((f) => `  ✘ ${f.detail}${f.transactionHash ? ` (tx ${f.transactionHash})` : ""}`),
      );
      const sections = sectionTables(report).map(section);
      const { passed, failed, notRun } = report.summary;
      print(
        io,
        g,
        [
          section(checks),
          ...(details.length ? [details.join("\n")] : []),
          ...sections,
          `Checks: ${passed} passed, ${failed} failed, ${notRun} not run`,
          `Verdict: ${verdictText(report)} (${report.events} events, blocks ${report.fromBlock}–${report.toBlock}); report in ${o.out}/`,
        ].join("\n\n"),
        report,
      );
      if (!report.ok)
        throw new UsageError("The audit found discrepancies.", "See the report.", true, ExitCode.auditFailed);
    });
  addDecryptCommand(audit, io, globals);
  addEphemeralCommand(audit, io, globals);
  return audit;
}
