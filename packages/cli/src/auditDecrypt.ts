/**
 * `clearhouse audit decrypt`: the regulator reads the traced payments of a private batch or of a
 * cycle's traced batches (docs/spec/traced-batch.md §7), from the chain alone: every chunk's proof
 * is re-verified off-chain against the signals re-derived from the chain (so the ciphertexts are
 * the proven ones), the chunk roots are checked against the anchored header root, then every slot
 * is decrypted with the key that fits the batch: a key file whose public key is the chain's key of
 * the batch's epoch, or shared keys k officials combined. Batches no key given fits are listed, not
 * read; batches whose calldata cannot be read are listed and fail the command (exit 5). Writes
 * decrypt.json and decrypt.md with --out.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { renderTable } from "@clearhouse/sdk";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import {
  proofVerifier,
  readRegulatorKeyFile,
  readSharedKeysFile,
  readTracedTarget,
  releaseProver,
  type DecryptReport,
} from "@clearhouse/zk";
import { ExitCode, UsageError } from "./exit";
import { type CliIo, type GlobalOptions } from "./options";
import { print, toJson } from "./output";
import { noTracedBatch, tracedSnapshot, unreadableLines } from "./auditTraced";

const hex = (x: bigint) => `0x${x.toString(16).padStart(64, "0")}`;

/** The report as Markdown: one line per batch, then one table of traced payments. */
export function decryptMarkdown(report: DecryptReport): string {
  const lines = [`# Traced payments of ${report.target}`, ""];
  for (const r of report.readings)
    lines.push(
      `- batch \`${r.batchId}\` of ${r.bank}, cycle ${r.cycleId}, epoch ${r.epoch}, threshold ${r.threshold}: ` +
        `${r.payments.length} traced, ${r.zeroSlots} zero slots; proofs ${r.proofsVerified ? "verified" : "NOT VERIFIED"}, ` +
        `root ${r.rootMatches ? "matches the anchored header" : "DOES NOT MATCH"} (tx \`${r.transactionHash}\`)`,
    );
  for (const n of report.notRead)
    lines.push(`- batch \`${n.batchId}\`, cycle ${n.cycleId}, epoch ${n.epoch}: not read, ${n.reason}`);
  for (const u of report.unreadable)
    lines.push(
      `- batch \`${u.batchId}\`, cycle ${u.cycleId}, epoch ${u.epoch}: **NOT READABLE**, ${u.reason} (tx \`${u.transactionHash}\`)`,
    );
  lines.push("", "| batch | chunk | slot | amount | payment id hash | debtor account hash | creditor account hash |");
  lines.push("|---|---:|---:|---:|---|---|---|");
  for (const r of report.readings)
    for (const p of r.payments)
      lines.push(
        `| \`${p.batchId.slice(0, 10)}…\` | ${p.chunk} | ${p.slot} | ${p.amount} | \`${hex(p.paymentIdHash)}\` | \`${hex(p.debtorAccountHash)}\` | \`${hex(p.creditorAccountHash)}\` |`,
      );
  return lines.join("\n") + "\n";
}

export function addDecryptCommand(audit: Command, io: CliIo, globals: () => GlobalOptions): void {
  audit
    .command("decrypt")
    .description("the regulator reads the traced payments of a private batch or cycle, proofs re-verified")
    .argument("<target>", "a batch id (0x + 64 hex digits) or a cycle number")
    .option(
      "--regulator-key <files...>",
      "regulator key files (clearhouse regulator keygen), any epochs; not --key-file, the signer's key",
    )
    .option("--shared-keys <files...>", "shared keys k officials combined (clearhouse regulator combine)")
    .option("--out <dir>", "also write decrypt.json and decrypt.md there")
    .addHelpText(
      "after",
      "\nEach batch is read with the key that fits it: a key file whose public key is the one the chain\n" +
        "registered for the batch's epoch (the file's epoch label is not trusted), or a shared-keys file\n" +
        "holding the key of every chunk. Batches no key fits are listed as not read.\n" +
        "\nExamples:\n  clearhouse audit decrypt 7 --regulator-key regulator-epoch-1.json regulator-epoch-2.json --out cycle-7\n" +
        "  clearhouse audit decrypt 0x… --shared-keys batch-7.keys.json\n\n" +
        "Exit code 5 when a proof does not re-verify, a root does not match (the payments are then not trusted)\n" +
        "or a traced batch's calldata cannot be read (declared through a wallet). Exit code 2 when no batch\n" +
        "could be read with the keys given.",
    )
    .action(async (target: string, o: { regulatorKey?: string[]; sharedKeys?: string[]; out?: string }) => {
      const g = globals();
      if (!o.regulatorKey?.length && !o.sharedKeys?.length)
        throw new UsageError(
          "Give the regulator's key: --regulator-key <file> or --shared-keys <file>.",
          "The key file comes from `clearhouse regulator keygen`; shared keys from `clearhouse regulator combine` (k-of-n).",
        );
      const keys = {
        files: (o.regulatorKey ?? []).map(readRegulatorKeyFile),
        shared: (o.sharedKeys ?? []).map(readSharedKeysFile),
      };
      const { filter, snapshot } = await tracedSnapshot(target, g, io);
      let report: DecryptReport;
      try {
        report = await readTracedTarget(snapshot, target, filter, keys, { verifier: proofVerifier() });
      } finally {
        await releaseProver();
      }
      const { unreadable } = report;
      if (report.readings.length + report.notRead.length + unreadable.length === 0) throw noTracedBatch(target);
      if (report.readings.length === 0 && report.unreadable.length === 0)
        throw new UsageError(
          `No traced batch of ${target} could be read with the keys given: ${report.notRead.map((n) => `batch ${n.batchId} is ${n.reason}`).join("; ")}.`,
          "Give the key file of that epoch (clearhouse regulator keygen wrote it), or the shared keys its officials combined.",
        );
      if (o.out) {
        mkdirSync(o.out, { recursive: true });
        writeFileAtomic(join(o.out, "decrypt.json"), toJson(report) + "\n");
        writeFileAtomic(join(o.out, "decrypt.md"), decryptMarkdown(report));
      }
      const readings = report.readings;
      const table = renderTable(
        readings.flatMap((r) => r.payments),
        [
          { header: "batch", value: (p) => `${p.batchId.slice(0, 10)}…` },
          { header: "chunk", value: (p) => String(p.chunk), align: "right" },
          { header: "slot", value: (p) => String(p.slot), align: "right" },
          { header: "amount", value: (p) => p.amount.toString(), align: "right" },
          { header: "payment id hash", value: (p) => `${hex(p.paymentIdHash).slice(0, 18)}…` },
          { header: "debtor account", value: (p) => `${hex(p.debtorAccountHash).slice(0, 18)}…` },
          { header: "creditor account", value: (p) => `${hex(p.creditorAccountHash).slice(0, 18)}…` },
        ],
      );
      const summary = readings.map(
        (r) =>
          `batch ${r.batchId} (cycle ${r.cycleId}, epoch ${r.epoch}): ${r.payments.length} traced payments, ` +
          `${r.zeroSlots} zero slots; proofs ${r.proofsVerified ? "verified" : "NOT VERIFIED"}; ` +
          `root ${r.rootMatches ? "matches" : "DOES NOT MATCH"}`,
      );
      const notRead = report.notRead.map(
        (n) => `batch ${n.batchId} (cycle ${n.cycleId}, epoch ${n.epoch}): not read, ${n.reason}`,
      );
      print(io, g, [table, ...summary, ...notRead, ...unreadableLines(unreadable)].join("\n"), report);
      if (unreadable.length > 0)
        throw new UsageError(
          "A traced batch's ciphertexts cannot be read from its transaction: what it traced is not confirmed.",
          "It was declared through another contract; ask the bank for the internal call's input (debug_traceTransaction) or have governance require direct declarations.",
          true,
          ExitCode.auditFailed,
        );
      if (readings.some((r) => !r.proofsVerified || !r.rootMatches))
        throw new UsageError(
          "A traced batch does not check out: its payments are not trusted.",
          "See which batch above; report it to the consortium's governance.",
          true,
          ExitCode.auditFailed,
        );
    });
}
