/** `clearhouse iso`: ISO 20022 in and out (pacs.008/.009/.004 import, pacs.002 status report). */
import { Command } from "commander";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { readBatchFile, writeJsonFile } from "@clearhouse/sdk/node";
import { requireIntact } from "./batchGuards";
import {
  bankMapEntriesFromMembers,
  buildPacs002,
  buildRejectionReport,
  pacs002StatusesOf,
  PACS002_VERSIONS,
  type AppHdrSummary,
  type BatchMetadata,
  type Pacs002Version,
} from "@clearhouse/sdk/settlement";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";
import { readRecords } from "./paymentInput";
import { refusedSummary, withAppHdrIfPossible } from "./isoReplies";
import { fileCrypto } from "./encryption";

export function isoCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const iso = new Command("iso").description("ISO 20022: import pacs.008/.009/.004, read and write pacs.002");
  iso
    .command("import <message>")
    .description("Import a pacs.008, pacs.009 or pacs.004 file into payment records (JSON)")
    .addHelpText(
      "after",
      "\nAgents are mapped to member banks by BIC, LEI or clearing-system member id (<ClrSysCd>:<MmbId>," +
        "\ne.g. USABA:011000028) from --banks, and by LEI from the deployment's member table with" +
        "\n--registry. A message is all or nothing unless --skip-invalid: then the refused payments are" +
        "\nleft out and, with --rejections, answered in a pacs.002 (RJCT with a reason code)." +
        "\n\nExamples:\n  clearhouse iso import payments.xml --banks banks.json --out records.json" +
        "\n  clearhouse iso import payments.xml --banks banks.json --out records.json --skip-invalid --rejections rjct.xml",
    )
    .option("--banks <file>", "bank map: JSON object of BIC / LEI / <ClrSysCd>:<MmbId> → address")
    .option("--registry", "also map agents by LEI from the deployment's member table (needs the chain)")
    .option("--skip-invalid", "leave out invalid payments instead of refusing the message")
    .option("--rejections <file>", "with --skip-invalid: write the refused payments as a pacs.002 (RJCT)")
    .requiredOption("--out <file>", "records JSON to write")
    .action(async (path: string, o: Record<string, string | boolean | undefined>) => {
      const g = globals();
      const banks = typeof o.banks === "string" ? o.banks : undefined;
      if (!banks && !o.registry) throw new UsageError("Give --banks <file>, --registry, or both.");
      if (o.rejections !== undefined && !o.skipInvalid) throw new UsageError("--rejections goes with --skip-invalid.");
      if (!/\.xml$/i.test(path)) throw new UsageError(`${path} is not an ISO 20022 .xml file.`);
      const leiHashes = o.registry
        ? bankMapEntriesFromMembers(await connect(g, io, false).registry.listMembers())
        : undefined;
      const { records, source, imported } = readRecords(path, banks, {
        skipInvalid: o.skipInvalid === true,
        ...(leiHashes ? { leiHashes } : {}),
      });
      const refused = imported?.refused ?? [];
      if (typeof o.rejections === "string" && imported && refused.length > 0) {
        writeFileAtomic(o.rejections, buildRejectionReport({ imported }));
      }
      writeJsonFile(
        String(o.out),
        records.map((r) => ({ ...r, amount: r.amount.toString() })),
      );
      const skipped = refused.length
        ? `; refused ${refused.length}: ${refusedSummary(refused)}` +
          (typeof o.rejections === "string" ? ` (pacs.002 in ${o.rejections})` : "")
        : "";
      print(io, g, `Imported ${records.length} payments from ${source} into ${String(o.out)}${skipped}`, {
        file: o.out,
        count: records.length,
        ...(o.skipInvalid
          ? {
              refused: refused.map((p) => ({
                index: p.index,
                reasonCode: p.reasonCode,
                element: p.error.element,
                reason: p.error.reason,
              })),
            }
          : {}),
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
        "\nWhen the original came with an AppHdr, the report is an Envelope with a reply AppHdr" +
        "\n(From/To swapped, Rltd = the original's) unless --no-app-hdr." +
        "\n\nExample:\n  clearhouse iso report batch.json --out pacs002.xml",
    )
    .requiredOption("--out <file>", "pacs.002 XML to write")
    .option("--original <msgId>", "the pacs.008 MsgId it answers (default: the batch's pacs.008 source)")
    .option("--pacs-version <n>", `pacs.002.001.NN version to write: ${PACS002_VERSIONS.join(", ")}`, "10")
    .option("--no-app-hdr", "write a bare Document even when the original came with an AppHdr")
    .action(async (path: string, o: Record<string, string | boolean>) => {
      const g = globals();
      const file = readBatchFile(path, fileCrypto(g, io));
      requireIntact(file, path);
      const version = Number(o.pacsVersion);
      if (!(PACS002_VERSIONS as readonly number[]).includes(version)) {
        throw new UsageError(`--pacs-version ${String(o.pacsVersion)} is not one of ${PACS002_VERSIONS.join(", ")}.`);
      }
      const originalMessageId = typeof o.original === "string" ? o.original : originalMessageIdOf(file.metadata);
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
      const { appHdr, ...original } = originalOf(file.metadata, o.appHdr !== false);
      const xml = withAppHdrIfPossible(appHdr, io, (reply) =>
        buildPacs002({
          originalMessageId,
          batchId: file.batchId,
          status,
          statuses,
          reasons,
          records: file.records,
          version: version as Pacs002Version,
          ...original,
          ...reply,
        }),
      );
      writeFileAtomic(String(o.out), xml);
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
      print(
        io,
        g,
        `Wrote ${String(o.out)}: pacs.002.001.${version} ${status} for ${file.records.length} payments — ${why}`,
        {
          file: o.out,
          status,
          statuses,
        },
      );
    });

  return iso;
}

/** The original's message name id and AppHdr from a batch's metadata (what `batch build` kept). */
function originalOf(
  metadata: BatchMetadata,
  withAppHdr: boolean,
): { originalMessageNameId?: string; appHdr?: AppHdrSummary } {
  const nameId = metadata.messageNameId;
  const appHdr = metadata.appHdr;
  const isAppHdr = (v: unknown): v is AppHdrSummary =>
    typeof v === "object" && v !== null && typeof (v as { namespace?: unknown }).namespace === "string";
  return {
    ...(typeof nameId === "string" && /^pacs\.00[489]\.001\.\d{2}$/.test(nameId)
      ? { originalMessageNameId: nameId }
      : {}),
    ...(withAppHdr && isAppHdr(appHdr) ? { appHdr } : {}),
  };
}

/**
 * The pacs.008 MsgId a batch answers: its metadata's `messageId`, else the id in a
 * `source` of "pacs.008 <MsgId>" (or pacs.009, pacs.004: what `batch build` records for ISO input).
 */
function originalMessageIdOf(metadata: BatchMetadata): string | undefined {
  if (typeof metadata.messageId === "string") return metadata.messageId;
  const source = typeof metadata.source === "string" ? /^pacs\.00[489] (.+)$/s.exec(metadata.source) : null;
  return source?.[1];
}
