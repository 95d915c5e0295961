/** `clearhouse iso`: ISO 20022 in and out (pacs.008 import, pacs.002 status report). */
import { Command } from "commander";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { readBatchFile, writeJsonFile } from "@clearhouse/sdk/node";
import { requireIntact } from "./batchGuards";
import { buildPacs002 } from "@clearhouse/sdk/settlement";
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
    .description("Emit a pacs.002 status report for a batch (ACSC once final)")
    .addHelpText("after", "\nExample:\n  clearhouse iso report batch.json --out pacs002.xml")
    .requiredOption("--out <file>", "pacs.002 XML to write")
    .option("--original <msgId>", "the pacs.008 message id it answers (default: from the batch's metadata)")
    .action(async (path: string, o: Record<string, string>) => {
      const g = globals();
      const file = readBatchFile(path);
      requireIntact(file, path);
      const ch = connect(g, io, false);
      const info = await ch.settlement.getBatch({ batchId: file.batchId });
      // ACSC (settlement completed) only once the batch's obligations settled in a closed cycle.
      const settled = await ch.settlement.isBatchSettled({ batchId: file.batchId, debtor: file.submitter });
      const status = info.status === "Rejected" ? "RJCT" : settled ? "ACSC" : "ACCP";
      const originalMessageId = o.original ?? String(file.metadata.messageId ?? file.metadata.source ?? "UNKNOWN");
      const xml = buildPacs002({ originalMessageId, batchId: file.batchId, status, records: file.records });
      writeFileAtomic(o.out, xml);
      const why = status === "ACSC" ? "settled" : status === "RJCT" ? "rejected" : `not settled yet (${info.status})`;
      print(io, g, `Wrote ${o.out}: pacs.002 ${status} for ${file.records.length} payments — ${why}`, {
        file: o.out,
        status,
      });
    });

  return iso;
}
