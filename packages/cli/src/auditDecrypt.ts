/**
 * `clearhouse audit decrypt`: the regulator reads the traced payments of a private batch or of a
 * cycle's traced batches (docs/spec/traced-batch.md §7), from the chain alone and its key of the
 * batches' epoch: every chunk's proof is re-verified off-chain against the signals re-derived from
 * the chain (so the ciphertexts are the proven ones), the chunk roots are checked against the
 * anchored header root, then every slot is decrypted. Writes decrypt.json and decrypt.md with --out.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { Hex } from "viem";
import { collectSnapshot, tracedDeclarations } from "@clearhouse/sdk/audit";
import { renderTable } from "@clearhouse/sdk";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import {
  decryptDeclaration,
  proofVerifier,
  readRegulatorKeyFile,
  releaseProver,
  type TracedBatchReading,
} from "@clearhouse/zk";
import { ExitCode, UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print, toJson } from "./output";

const hex = (x: bigint) => `0x${x.toString(16).padStart(64, "0")}`;

/** The readings as Markdown: one table of traced payments, one line per batch. */
export function decryptMarkdown(target: string, readings: readonly TracedBatchReading[]): string {
  const lines = [`# Traced payments of ${target}`, ""];
  for (const r of readings)
    lines.push(
      `- batch \`${r.batchId}\` of ${r.bank}, cycle ${r.cycleId}, epoch ${r.epoch}, threshold ${r.threshold}: ` +
        `${r.payments.length} traced, ${r.zeroSlots} zero slots; proofs ${r.proofsVerified ? "verified" : "NOT VERIFIED"}, ` +
        `root ${r.rootMatches ? "matches the anchored header" : "DOES NOT MATCH"} (tx \`${r.transactionHash}\`)`,
    );
  lines.push("", "| batch | chunk | slot | amount | payment id hash | debtor account hash | creditor account hash |");
  lines.push("|---|---:|---:|---:|---|---|---|");
  for (const r of readings)
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
    .requiredOption(
      "--regulator-key <file>",
      "the regulator's key file of the batches' epoch (clearhouse regulator keygen); not --key-file, the signer's key",
    )
    .option("--out <dir>", "also write decrypt.json and decrypt.md there")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse audit decrypt 7 --regulator-key regulator-epoch-1.json --out cycle-7\n\n" +
        "Exit code 5 when a proof does not re-verify or a root does not match (the payments are then not trusted).",
    )
    .action(async (target: string, o: { regulatorKey: string; out?: string }) => {
      const g = globals();
      const filter = /^0x[0-9a-fA-F]{64}$/.test(target)
        ? { batchId: target.toLowerCase() as Hex }
        : /^\d+$/.test(target)
          ? { cycleId: BigInt(target) }
          : undefined;
      if (!filter) throw new UsageError(`"${target}" is neither a batch id (0x + 64 hex digits) nor a cycle number.`);
      const key = readRegulatorKeyFile(o.regulatorKey);
      const ch = connect(g, io, false);
      const snapshot = await collectSnapshot(ch.context);
      const found = tracedDeclarations(snapshot, filter);
      if (found.length === 0)
        throw new UsageError(
          `No traced private batch was declared for ${target}.`,
          "Check the batch id or cycle; batches declared untraced (before a regulator key existed) carry no ciphertexts.",
        );
      const verifier = proofVerifier();
      const readings: TracedBatchReading[] = [];
      try {
        for (const d of found) {
          let proofsVerified = true;
          for (const p of d.proofs)
            if (!(await verifier.verifyProof(p.circuit, p.proof, p.signals))) proofsVerified = false;
          readings.push({ ...decryptDeclaration(d, key), proofsVerified });
        }
      } finally {
        await releaseProver();
      }
      if (o.out) {
        mkdirSync(o.out, { recursive: true });
        writeFileAtomic(join(o.out, "decrypt.json"), toJson(readings) + "\n");
        writeFileAtomic(join(o.out, "decrypt.md"), decryptMarkdown(target, readings));
      }
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
      print(io, g, [table, ...summary].join("\n"), readings);
      if (readings.some((r) => !r.proofsVerified || !r.rootMatches))
        throw new UsageError(
          "A traced batch does not check out: its payments are not trusted.",
          "See which batch above; report it to the consortium's governance.",
          true,
          ExitCode.auditFailed,
        );
    });
}
