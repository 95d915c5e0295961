/** `clearhouse iso`: ISO 20022 in and out (pacs.008 import, pacs.002 status report). */
import { Command } from "commander";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { readBatchFile, writeJsonFile } from "@clearhouse/sdk/node";
import { requireIntact } from "./batchGuards";
import { buildPacs002, pacs002StatusesOf, type BatchMetadata } from "@clearhouse/sdk/settlement";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";
import { readRecords } from "./paymentInput";

export function isoCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const iso = new Command("iso").description("ISO 20022: import pacs.008, emit pacs.002");
  iso
    .command("import <pacs008>")
    .description("Import a pacs.008 file into payment records (JSON)")
    .addHelpText("after", "\nExample:\n  clearhouse iso import payments.xml --banks bics.json --out records.json")
    .requiredOption("--banks <file>", "BIC → address map")
    .requiredOption("--out <file>", "records JSON to write")
    .action((path: string, o: Record<string, string>) => {
      const g = globals();
      const { records, source } = readRecords(path, o.banks);
      writeJsonFile(
        o.out,
        records.map((r) => ({ ...r, amount: r.amount.toString() })),
      );
      print(io, g, `Imported ${records.length} payments from ${source} into ${o.out}`, {
        file: o.out,
        count: records.length,
      });
    });
  iso
    .command("report <batchFile>")
    .description("Emit a pacs.002 status report for a batch: per payment ACCP, ACSC once settled, RJCT")
    .addHelpText(
      "after",
      "\nEach payment is ACSC once its obligation settled in a closed cycle (also when a held bank's" +
        "\nobligations were carried and settled in a later cycle), ACCP until then, RJCT if the batch" +
        "\nwas rejected or the obligation written off; GrpSts is ACSC once all are settled." +
        "\n\nExample:\n  clearhouse iso report batch.json --out pacs002.xml",
    )
    .requiredOption("--out <file>", "pacs.002 XML to write")
    .option("--original <msgId>", "the pacs.008 MsgId it answers (default: the batch's pacs.008 source)")
    .action(async (path: string, o: Record<string, string>) => {
      const g = globals();
      const file = readBatchFile(path);
      requireIntact(file, path);
      const originalMessageId = o.original ?? originalMessageIdOf(file.metadata);
      if (originalMessageId === undefined) {
        throw new UsageError(
          `${path} was not built from a pacs.008: its original message id is unknown.`,
          "Pass --original <pacs.008 MsgId>.",
        );
      }
      const ch = connect(g, io, false);
      const info = await ch.settlement.getBatch({ batchId: file.batchId });
      const settlement = await ch.settlement.getBatchSettlement({ batchId: file.batchId });
      const { status, statuses, reasons } = pacs002StatusesOf(file.records, settlement, info.status === "Rejected");
      const xml = buildPacs002({
        originalMessageId,
        batchId: file.batchId,
        status,
        statuses,
        reasons,
        records: file.records,
      });
      writeFileAtomic(o.out, xml);
      const count = (s: string) => Object.values(statuses).filter((v) => v === s).length;
      const why =
        status === "ACSC"
          ? "settled"
          : info.status === "Rejected"
            ? "rejected"
            : settlement.declaredIn === undefined
              ? `not settled yet (${info.status})`
              : `${count("ACSC")} settled, ${count("ACCP")} waiting${
                  settlement.pendingIn === undefined ? "" : ` in cycle ${settlement.pendingIn}`
                }${count("RJCT") ? `, ${count("RJCT")} written off` : ""}`;
      print(io, g, `Wrote ${o.out}: pacs.002 ${status} for ${file.records.length} payments — ${why}`, {
        file: o.out,
        status,
        statuses,
      });
    });

  return iso;
}

/**
 * The pacs.008 MsgId a batch answers: its metadata's `messageId`, else the id in a
 * `source` of "pacs.008 <MsgId>" (what `batch build` records for a pacs.008 input).
 */
function originalMessageIdOf(metadata: BatchMetadata): string | undefined {
  if (typeof metadata.messageId === "string") return metadata.messageId;
  const source = typeof metadata.source === "string" ? /^pacs\.008 (.+)$/s.exec(metadata.source) : null;
  return source?.[1];
}
