import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { auditChain } from "@clearhouse/sdk/node";
import { reportHtml, reportMarkdown } from "@clearhouse/sdk/audit";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { fromMinorUnits, renderTable } from "@clearhouse/sdk";
import { proofVerifier, releaseProver } from "@clearhouse/zk";
import { ExitCode, UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print, toJson } from "./output";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

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
      "\nExample:\n  clearhouse audit report --out audit-2026-11-23 --batch-file alpine-2026-11-23.json\n\nExit code 5 when a discrepancy is found.",
    )
    .action(async (o: { out: string; batchFile: string[] }) => {
      const g = globals();
      const ch = connect(g, io, false);
      let last = -1;
      const report = await auditChain(ch.context, {
        verifier: proofVerifier(),
        batchFiles: o.batchFile,
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
      const table = renderTable(report.checks, [
        { header: "check", value: (c) => c.title },
        { header: "items", value: (c) => String(c.checked), align: "right" },
        { header: "result", value: (c) => (c.passed ? "passed" : `${c.failures.length} DISCREPANCIES`) },
      ]);
      const x = report.supply;
      const { decimals, symbol } = ch.deployment.token;
      const units = (v: bigint | string) => `${fromMinorUnits(BigInt(v), decimals)} ${symbol}`;
      const supply = [
        `Supply: ${units(x.totalSupply)} (issued ${units(x.issuedTotal)}, redeemed ${units(x.redeemedTotal)}); ` +
          `daily issuance ceiling ${x.issuanceCeiling === null ? "not supported by this token" : units(x.issuanceCeiling)}`,
        ...x.days.map(
          (d) =>
            `  ${d.date}  ${d.issuer}${d.governance ? " (governance)" : ""}  issued ${units(d.issued)}  redeemed ${units(d.redeemed)}`,
        ),
      ].join("\n");
      const details = report.checks.flatMap((c) =>
        c.failures.map((f) => `  ✘ ${f.detail}${f.transactionHash ? ` (tx ${f.transactionHash})` : ""}`),
      );
      print(
        io,
        g,
        `${table}\n${details.join("\n")}${details.length ? "\n" : ""}\n${supply}\n\nVerdict: ${report.ok ? "every check passed" : "discrepancies found"} (${report.events} events, blocks ${report.fromBlock}–${report.toBlock}); report in ${o.out}/`,
        report,
      );
      if (!report.ok)
        throw new UsageError("The audit found discrepancies.", "See the report.", true, ExitCode.auditFailed);
    });
  return audit;
}
