import { readFileSync } from "node:fs";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { Command } from "commander";
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { fromMinorUnits } from "@clearhouse/sdk";
import { DEFAULT_CURRENCY_DECIMALS, buildBatch } from "@clearhouse/sdk/settlement";
import {
  readBatchFile,
  readBatchFileHead,
  verifyBatchFileStream,
  writeBatchStream,
  writeSharedBatchFile,
} from "@clearhouse/sdk/node";
import {
  buildRejectionReport,
  verifyBatchFile,
  type BatchFile,
  type BatchVerification,
  type PaymentRecord,
  type RefusedPayment,
  type StreamedBatch,
} from "@clearhouse/sdk/settlement";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import * as ledger from "@clearhouse/sdk/settlement";
import type { SignedDispute } from "@clearhouse/sdk/settlement";
import { verifyInclusion } from "@clearhouse/sdk/settlement";
import { maxXmlBytes, ownBatch, uint64Option } from "./batchGuards";
import { openRecords, type OpenedRecords } from "./paymentInput";
import { refusedSummary, withAppHdrIfPossible } from "./isoReplies";
import { ExitCode, UsageError } from "./exit";
import { connect, loadKey, type CliIo, type GlobalOptions } from "./options";
import { fileCrypto, treeHashFor } from "./encryption";
import { print, toJson } from "./output";

/** A progress bar on stderr (never in --json output). */
function progress(io: CliIo, g: GlobalOptions, label: string) {
  let last = -1;
  return (done: number, total: number) => {
    if (g.json) return;
    const pct = Math.floor((done / Math.max(total, 1)) * 100);
    if (pct === last || (pct % 10 !== 0 && done !== total)) return;
    last = pct;
    const bar = "#".repeat(Math.floor(pct / 5)).padEnd(20, ".");
    io.err(`${label} [${bar}] ${pct}% (${done.toLocaleString("en")}/${total.toLocaleString("en")})`);
  };
}

/** A signed dispute written by `batch dispute --sign-only`. */
function readSignedDispute(path: string): SignedDispute {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`Cannot read the signed dispute ${path}: ${(e as Error).message}`);
  }
  const { batchId, reasonCode, deadline, signer, signature } = json;
  if (
    typeof batchId !== "string" ||
    typeof reasonCode !== "number" ||
    typeof deadline !== "string" ||
    typeof signer !== "string" ||
    !isAddress(signer) ||
    typeof signature !== "string"
  ) {
    throw new UsageError(
      `${path} is not a signed dispute.`,
      "Use the file `batch dispute --sign-only --out <file>` wrote, unchanged.",
    );
  }
  return { batchId: batchId as Hex, reasonCode, deadline: BigInt(deadline), signer, signature: signature as Hex };
}

/** A batch's gross total as a person reads it (minor units when the currency's exponent is unknown). */
function gross(total: bigint, currency: string): string {
  const decimals = DEFAULT_CURRENCY_DECIMALS[currency];
  return decimals === undefined ? `${total} ${currency} minor units` : `${fromMinorUnits(total, decimals)} ${currency}`;
}

/** A refused payment as `--json` output shows it. */
const refusedJson = (p: RefusedPayment) => ({
  index: p.index,
  reasonCode: p.reasonCode,
  element: p.error.element,
  reason: p.error.reason,
});

/**
 * The build's result once done, writing the pacs.002 of the refused payments (`--rejections`) when
 * there are any: after a build, or when the build failed only because every payment was refused.
 * An original AppHdr the reply cannot answer (a party it cannot name) costs the AppHdr, with a
 * warning, not the report.
 */
async function refusalsAnswered(
  written: Promise<{ batch: StreamedBatch }>,
  iso: OpenedRecords["iso"],
  rejections: string | undefined,
  io: CliIo,
): Promise<StreamedBatch> {
  const answer = (accepted: number): void => {
    if (rejections === undefined || !iso || iso.refused.length === 0) return;
    const imported = { messageId: iso.messageId, namespace: iso.namespace, refused: iso.refused, accepted };
    writeFileAtomic(
      rejections,
      withAppHdrIfPossible(iso.appHdr, io, (appHdr) => buildRejectionReport({ imported, ...appHdr })),
    );
  };
  let batch: StreamedBatch;
  try {
    batch = (await written).batch;
  } catch (error) {
    if (!iso || iso.refused.length === 0 || !(error instanceof InvalidArgumentError) || error.argument !== "records")
      throw error;
    answer(0);
    throw new UsageError(
      `Every payment of the message was refused (${iso.refused.length}): no batch was written.` +
        (rejections === undefined ? "" : ` The refusals are answered in ${rejections}.`),
      "See the reasons above or in the pacs.002, correct the message and build again.",
    );
  }
  answer(batch.header.entryCount);
  return batch;
}

/** The record and proof of one payment of a batch file read whole, or undefined if it holds none. */
function proofFromWhole(file: BatchFile, paymentId: string): { record: PaymentRecord; proof: Hex[] } | undefined {
  const built = buildBatch(file.records, {
    submitter: file.submitter,
    key: file.key,
    metadata: file.metadata,
    ...(file.treeHash ? { treeHash: file.treeHash } : {}),
  });
  const index = built.tree.indexOf(paymentId);
  return index < 0 ? undefined : { record: built.records[index], proof: built.tree.proof(index) };
}

/** `clearhouse batch …`: build, anchor, acknowledge, dispute and verify settlement batches. */
export function batchCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const batch = new Command("batch").description("Settlement batches: build, anchor, acknowledge, verify");

  batch
    .command("build <input>")
    .description(
      "Build a batch file from an ISO 20022 file (pacs.008/.009/.004; bare, in an AppHdr envelope, a SWIFTNet Request or an Alliance DataPDU; streamed) or a JSON array of payment records (offline)",
    )
    .requiredOption("--key <key>", "idempotency key, 1–32 bytes of text (e.g. 2026-11-23-A)")
    .option("--bank <address>", "the submitting bank (default: the address of --key-file or --key)")
    .option("--banks <file>", "bank identifier (BIC, LEI, <ClrSysCd>:<MmbId>) → address map, for ISO input")
    .requiredOption("--out <file>", "batch file to write (clearhouse.batch/2: a header line, then NDJSON)")
    .option(
      "--max-bytes <size>",
      "refuse a pacs.008 file larger than this (bytes, or with KiB/MiB/GiB; default: $CLEARHOUSE_MAX_XML_BYTES or 1GiB)",
    )
    .option("--skip-invalid", "ISO input: leave out invalid payments instead of refusing the message")
    .option(
      "--tree-hash <hash>",
      "the Merkle tree's hash: keccak256 or sm3 (default: the deployment's crypto mode, else keccak256; decision 046)",
    )
    .option("--rejections <file>", "with --skip-invalid: write the refused payments as a pacs.002 (RJCT)")
    .addHelpText(
      "after",
      "\nThe batch is verified as it is built and the file is sealed (a SHA-256 of its content in its header line):" +
        "\n`batch submit`, `cycle declare` and `iso report` then trust it while the seal matches, instead of" +
        "\nrecomputing every payment (pass --verify to recompute anyway)." +
        "\nAn ISO message is all or nothing unless --skip-invalid: then the refused payments are left out," +
        "\nlisted, and with --rejections answered in a pacs.002 (RJCT with an ExternalStatusReason1Code)." +
        "\n\nExample:\n  clearhouse batch build samples/iso20022/pacs008-alpine-small.xml --banks samples/iso20022/banks.json \\\n    --bank 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --key 2026-11-23-A --out batch.json",
    )
    .action(async (input: string, o: Record<string, string | boolean | undefined>) => {
      const g = globals();
      const bank = typeof o.bank === "string" ? o.bank : undefined;
      const out = String(o.out);
      if (bank && !isAddress(bank)) throw new UsageError(`--bank ${bank} is not an address.`);
      if (o.rejections !== undefined && !o.skipInvalid) throw new UsageError("--rejections goes with --skip-invalid.");
      const maxBytes = maxXmlBytes(o.maxBytes as string | undefined, io.env.CLEARHOUSE_MAX_XML_BYTES);
      const submitter = bank ? getAddress(bank) : loadKey(g, io).address;
      const key = ledger.batchKey(String(o.key)); // refused before the input is opened
      const treeHash = treeHashFor(o.treeHash as string | undefined, g, io);
      const opened = await openRecords(input, o.banks as string | undefined, {
        maxBytes,
        skipInvalid: o.skipInvalid === true,
      });
      const { records, count, source, metadata } = opened;
      const hashing = progress(io, g, "hashing");
      const tree = progress(io, g, "tree   ");
      let read = 0;
      const written = writeBatchStream(out, records, {
        submitter,
        key,
        treeHash,
        ...fileCrypto(g, io),
        // The ISO MsgId as given (`iso report` answers it in OrgnlMsgId; a "/" in it is kept), the
        // envelope and the AppHdr's identifiers (BizMsgIdr, MsgDefIdr, Fr, To, CreDt).
        metadata: { source, ...metadata, key },
        ...(count === undefined ? {} : { expectedCount: count }),
        progressEvery: count === undefined ? 10_000 : Math.max(1, Math.floor(count / 100)),
        onProgress: (p) => {
          if (p.phase !== "records") return tree(p.done, p.total ?? 1);
          read = p.done;
          if (count !== undefined) hashing(p.done, count);
          else if (!g.json) io.err(`reading  ${read.toLocaleString("en")} payments`);
        },
      });
      const built = await refusalsAnswered(written, opened.iso, o.rejections as string | undefined, io).finally(() =>
        opened.close?.(),
      );
      const h = built.header;
      const refused = opened.iso?.refused ?? [];
      const skipped = refused.length
        ? `\n  refused ${refused.length}: ${refusedSummary(refused)}` +
          (typeof o.rejections === "string" ? ` (pacs.002 in ${o.rejections})` : "")
        : "";
      print(
        io,
        g,
        `Wrote ${out}: ${h.entryCount} payments, gross ${gross(h.grossTotal, built.currency)}, ${h.counterparties.length} counterparties\n  root ${h.root}\n  batch id ${built.batchId}${skipped}`,
        {
          file: out,
          batchId: built.batchId,
          header: h,
          ...(o.skipInvalid ? { refused: refused.map((p) => refusedJson(p)) } : {}),
        },
      );
    });

  batch
    .command("enroll")
    .description("Enroll your bank in the settlement ledger (once, before others can send you batches)")
    .addHelpText("after", "\nExample:\n  clearhouse batch enroll --key-file alpine.key")
    .action(async () => {
      const g = globals();
      const r = await connect(g, io, true).settlement.enroll();
      print(io, g, `Enrolled as bank #${r.index}${r.tx ? ` (tx ${r.tx.hash})` : " (already enrolled)"}`, r);
    });

  batch
    .command("submit <batchFile>")
    .description("Anchor a batch (idempotent: re-running after a crash or timeout never anchors twice)")
    .option("--verify", "recompute the whole batch even when the file's seal shows it unchanged since `batch build`")
    .addHelpText(
      "after",
      "\nA sealed file (clearhouse.batch/2, unchanged since `batch build`) is trusted by its seal; a changed one," +
        "\nor a clearhouse.batch/1 file, is recomputed in full and refused naming the payment that differs." +
        "\n\nExample:\n  clearhouse batch submit batch.json --key-file alpine.key",
    )
    .action(async (path: string, o: { verify?: boolean }) => {
      const g = globals();
      const { file, ch } = await ownBatch(path, g, io, { verify: o.verify === true });
      // The ledger verifies inclusion with the hash it records at submission: the SDK refuses a
      // file of another tree hash before sending (InvalidArgumentError, exit 2).
      const r = await ch.settlement.submitBatch({ key: file.key, header: file.header, treeHash: file.treeHash });
      const what = r.created
        ? `Anchored batch ${r.batchId} (tx ${r.tx?.hash}, gas ${r.tx?.gasUsed})`
        : `Already anchored: batch ${r.batchId} (nothing sent)`;
      print(io, g, what, r);
    });

  batch
    .command("status <batchIdOrFile>")
    .description("Show a batch's status, sequence and acknowledgement window")
    .addHelpText("after", "\nExample:\n  clearhouse batch status batch.json")
    .action(async (arg: string) => {
      const g = globals();
      if (/^0x/i.test(arg) && !/^0x[0-9a-fA-F]{64}$/.test(arg))
        throw new UsageError(`${arg} is not a batch id (0x + 64 hex digits).`, "Pass a batch id or a batch file.");
      const batchId = (
        /^0x[0-9a-fA-F]{64}$/.test(arg)
          ? arg
          : (readBatchFileHead(arg, fileCrypto(g, io)) ?? readBatchFile(arg, fileCrypto(g, io))).batchId
      ) as Hex;
      const info = await connect(g, io, false).settlement.getBatch({ batchId });
      const closes = new Date(info.windowClosesAt * 1000).toISOString();
      print(
        io,
        g,
        `Batch ${batchId}\n  status   ${info.status}${info.nettedIn !== undefined ? ` (in cycle ${info.nettedIn})` : ""}` +
          `\n  sequence ${info.sequence}\n  window   closes ${closes}`,
        info,
      );
    });

  batch
    .command("ack <batchId>")
    .description("Acknowledge a batch as its counterparty")
    .addHelpText("after", "\nExample:\n  clearhouse batch ack 0x3f…c2 --key-file baltic.key")
    .action(async (batchId: Hex) => {
      const g = globals();
      const tx = await connect(g, io, true).settlement.acknowledgeBatch({ batchId });
      print(io, g, `Acknowledged ${batchId} (tx ${tx.hash})`, tx);
    });

  batch
    .command("dispute <batchId>")
    .description(
      "Dispute a batch as its counterparty; with --sign-only, sign it for someone else to relay (a suspended bank's transactions are dropped)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  clearhouse batch dispute 0x3f…c2 --reason 2 --key-file baltic.key\n" +
        "  clearhouse batch dispute 0x3f…c2 --reason 2 --sign-only --out dispute.json --key-file baltic.key",
    )
    .requiredOption("--reason <code>", "reason code ≥ 1")
    .option("--sign-only", "sign the dispute (EIP-712) instead of sending it; relay it with `batch relay-dispute`")
    .option("--out <file>", "with --sign-only: where to write the signed dispute (default: print it)")
    .action(async (batchId: Hex, o: Record<string, string | boolean>) => {
      const g = globals();
      const reasonCode = Number(uint64Option("reason", String(o.reason)));
      const ch = connect(g, io, true);
      if (o.signOnly) {
        const signed = await ch.settlement.signDispute({ batchId, reasonCode });
        if (typeof o.out === "string") writeFileAtomic(o.out, toJson(signed) + "\n");
        const where = typeof o.out === "string" ? `wrote ${o.out}` : toJson(signed);
        print(io, g, `Signed a dispute of ${batchId} (reason ${reasonCode}) as ${signed.signer}: ${where}`, signed);
        return;
      }
      const tx = await ch.settlement.disputeBatch({ batchId, reasonCode });
      print(io, g, `Disputed ${batchId} with reason ${reasonCode} (tx ${tx.hash})`, tx);
    });

  batch
    .command("relay-dispute <signedFile>")
    .description("Send a counterparty's signed dispute (from `batch dispute --sign-only`); any member may relay it")
    .addHelpText("after", "\nExample:\n  clearhouse batch relay-dispute dispute.json --key-file operator.key")
    .action(async (path: string) => {
      const g = globals();
      const signed = readSignedDispute(path);
      const tx = await connect(g, io, true).settlement.disputeBySignature(signed);
      print(io, g, `Relayed ${signed.signer}'s dispute of ${signed.batchId} (tx ${tx.hash})`, tx);
    });

  batch
    .command("release <bank>")
    .description(
      "Release a removed bank's ledger index (operator); the next bank to enroll gets it after 30 days 15 minutes",
    )
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse batch release 0x90F79bf6EB2c4f870365E785982E1f101E93b906 --key-file operator.key",
    )
    .action(async (bank: string) => {
      const g = globals();
      const tx = await connect(g, io, true).settlement.releaseBank({ bank: bank as Address });
      print(io, g, `Released the ledger index of ${bank} (tx ${tx.hash})`, tx);
    });

  batch
    .command("bank <address>")
    .description("Show a bank's ledger index and whether it is barred or released")
    .addHelpText("after", "\nExample:\n  clearhouse batch bank 0x90F79bf6EB2c4f870365E785982E1f101E93b906")
    .action(async (address: string) => {
      const g = globals();
      const b = await connect(g, io, false).settlement.getLedgerBank({ bank: address as Address });
      const flags = [b.barred ? "barred from anchoring" : "", b.released ? "released (left the consortium)" : ""];
      const state = flags.filter(Boolean).join(", ") || "active";
      print(io, g, `Bank ${b.bank}: index ${b.index}, ${b.sequence} batches anchored, ${state}`, b);
    });

  batch
    .command("share <batchFile>")
    .description("Write the batch file without its payments, for the operator to present at a cycle's close")
    .requiredOption("--out <file>", "where to write the shared file")
    .addHelpText(
      "after",
      "\nThe header, key and submitter stay (a clearhouse.batch/2 header line); no payment leaves the bank.\n" +
        "\nExample:\n  clearhouse batch share batch.json --out alpine-shared.json",
    )
    .action((path: string, o: { out: string }) => {
      const g = globals();
      const head = readBatchFileHead(path, fileCrypto(g, io));
      if (head && !head.seal.ok) {
        throw new UsageError(
          `${path} changed since \`batch build\` wrote it: its seal no longer matches.`,
          "Check it with `batch verify`, or rebuild it from the original payments.",
        );
      }
      const file = head ?? readBatchFile(path, fileCrypto(g, io));
      const count = file.header.entryCount;
      writeSharedBatchFile(o.out, file, fileCrypto(g, io));
      print(io, g, `Wrote ${o.out}: batch ${file.batchId} without its ${count} payment${count === 1 ? "" : "s"}`, {
        batchId: file.batchId,
        out: o.out,
      });
    });

  batch
    .command("verify <batchFile>")
    .description("Check a batch file against what was anchored; with --payment, prove one payment's inclusion on-chain")
    .addHelpText("after", "\nExample:\n  clearhouse batch verify batch.json --payment PAY-0042")
    .option("--payment <id>", "payment id to prove")
    .action(async (path: string, o: Record<string, string>) => {
      const g = globals();
      // A clearhouse.batch/2 file is verified streaming (any size); a /1 file is read whole.
      const crypto = fileCrypto(g, io);
      const streamed = await verifyBatchFileStream(
        path,
        "file",
        o.payment === undefined ? crypto : { ...crypto, payment: o.payment },
      );
      const whole = streamed ? undefined : readBatchFile(path, crypto);
      const file = streamed ? streamed.file : whole!;
      const check: BatchVerification = streamed ?? verifyBatchFile(whole!, whole!.header);
      const ch = connect(g, io, false);
      const anchored = await ch.settlement.getBatch({ batchId: file.batchId });
      const header = await ch.settlement.onChainHeader(file.header, anchored.windowClosesAt);
      const digestOk = (await ch.settlement.headerDigest(header)) === anchored.digest;
      const lines = [
        `Batch ${file.batchId}: ${anchored.status}`,
        `  header matches the anchored digest: ${digestOk ? "yes" : "NO"}`,
      ];
      for (const m of check.mismatches) lines.push(`  payment ${m.paymentId}: ${m.problem}`);
      for (const p of check.problems) lines.push(`  ${p}`);
      let inclusion: { paymentId: string; local: boolean; onChain: boolean } | undefined;
      if (o.payment && !check.ok)
        lines.push(`  payment ${o.payment}: not proved, the file does not match what was anchored`);
      if (o.payment && check.ok) {
        const found = streamed ? streamed.inclusion : proofFromWhole(whole!, o.payment);
        if (!found) throw new UsageError(`Payment ${o.payment} is not in ${path}.`);
        const { record, proof } = found;
        const local = verifyInclusion(file.header.root, record, proof, file.treeHash);
        const onChain = await ch.settlement.verifyRecordOnChain({ batchId: file.batchId, header, record, proof });
        inclusion = { paymentId: o.payment, local, onChain };
        lines.push(
          `  payment ${o.payment}: proof of ${proof.length} hashes, valid locally ${local ? "yes" : "NO"}, on-chain ${onChain ? "yes" : "NO"}`,
        );
      }
      const ok = digestOk && check.ok && (!inclusion || (inclusion.local && inclusion.onChain));
      if (!ok) lines.push(`error: ${path} does not match the anchored batch`);
      const result = { ...check, ok, digestOk, inclusion };
      if (ok || !g.json) print(io, g, lines.join("\n"), result);
      else
        io.out(
          toJson({
            ok: false,
            result,
            error: { name: "BatchMismatch", category: "input", exitCode: ExitCode.badInput },
          }),
        );
      if (!ok) throw new UsageError(`${path} does not match the anchored batch.`, "See what differs above.", true);
    });

  return batch;
}
