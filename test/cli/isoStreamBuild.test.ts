/**
 * `batch build` from ISO 20022 files, streamed (issue 18): the envelope shapes banks send build
 * the same batch as the bare Document and keep the AppHdr's identifiers in the batch metadata; a
 * message refused at its end (a group check) leaves no batch file. Offline: no chain is used.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import { refusedSummary } from "../../packages/cli/src/isoReplies";
import { Iso20022Error, parsePacs002 } from "../../packages/sdk/src/settlement/iso20022";
import { generatePacs008 } from "../../scripts/iso/generate-pacs008";
import { BANKS_JSON, SMALL_SAMPLE } from "../sdk/settlementFixture";
import { cliRunner } from "./harness";

const SAMPLES = join(__dirname, "..", "..", "samples", "iso20022");
const ALPINE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("CLI batch build: ISO 20022 input streamed, in its envelopes", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-iso-stream-"));
  const cli = cliRunner(join(dir, "no-deployment.json")); // batch build is offline
  const build = (input: string, out: string) =>
    cli("batch", "build", input, "--banks", BANKS_JSON, "--bank", ALPINE, "--key", "K-1", "--out", out);
  const headerOf = (file: string) =>
    JSON.parse(readFileSync(file, "utf8").split("\n", 1)[0]) as {
      header: { root: string; entryCount: number };
      metadata: Record<string, unknown>;
    };

  it("builds the same batch from the bare Document, a SWIFT Alliance DataPDU and a SWIFTNet Request", async () => {
    const bare = readFileSync(SMALL_SAMPLE, "utf8").replace(/^<\?xml[^>]*>\s*/, "");
    const document = bare.slice(bare.indexOf("<Document"));
    const shapes = {
      bare: SMALL_SAMPLE,
      dataPdu: `<?xml version="1.0" encoding="UTF-8"?>\n<Saa:DataPDU xmlns:Saa="urn:swift:saa:xsd:saa.2.0"><Saa:Revision>2.0.14</Saa:Revision><Saa:Header/><Saa:Body>${document}</Saa:Body></Saa:DataPDU>`,
      request: `<?xml version="1.0" encoding="UTF-8"?>\n<Request><RequestHeader/><RequestPayload>${document}</RequestPayload></Request>`,
    };
    const roots: string[] = [];
    for (const [name, content] of Object.entries(shapes)) {
      let input = content;
      if (name !== "bare") writeFileSync((input = join(dir, `${name}.xml`)), content);
      const out = join(dir, `${name}.json`);
      const r = await build(input, out);
      expect(r.code, `${name}: ${r.err}`).to.equal(ExitCode.ok);
      const h = headerOf(out);
      expect(h.header.entryCount, name).to.equal(5);
      expect(h.metadata.messageId, name).to.equal("ALPN-20250314-0001");
      if (name !== "bare") expect(h.metadata.envelope, name).to.equal(name === "dataPdu" ? "DataPDU" : "Request");
      roots.push(h.header.root);
    }
    expect(new Set(roots).size).to.equal(1);
  });

  it("keeps the AppHdr's identifiers of a head.001.001.02 envelope in the batch metadata", async () => {
    const out = join(dir, "apphdr.json");
    const r = await build(join(SAMPLES, "pacs008-apphdr-head02.xml"), out);
    expect(r.code, r.err).to.equal(ExitCode.ok);
    expect(headerOf(out).metadata).to.deep.include({
      envelope: "Envelope",
      appHdr: {
        namespace: "urn:iso:std:iso:20022:tech:xsd:head.001.001.02",
        bizMsgIdr: "ALPN-20250314-0101",
        msgDefIdr: "pacs.008.001.08",
        from: "ALPNCHZZXXX",
        to: "BALTLV22XXX",
        bizSvc: "swift.cbprplus.02",
        creationDate: "2025-03-14T09:00:00Z",
        parties: { from: { bicfi: "ALPNCHZZXXX" }, to: { bicfi: "BALTLV22XXX" } },
      },
    });
  });

  it("builds the shipped T2 DataPDU and SWIFTNet Request samples, keeping their AppHdrs", async () => {
    const shipped = {
      "pacs008-datapdu-t2.xml": { envelope: "DataPDU", bizMsgIdr: "ALPN-20250314-0201", to: "TRGTXEPMXXX" },
      "pacs008-swiftnet-request.xml": { envelope: "Request", bizMsgIdr: "ALPN-20250314-0301", to: "BALTLV22XXX" },
    };
    for (const [name, want] of Object.entries(shipped)) {
      const out = join(dir, `${name}.json`);
      const r = await build(join(SAMPLES, name), out);
      expect(r.code, `${name}: ${r.err}`).to.equal(ExitCode.ok);
      const h = headerOf(out);
      expect(h.header.entryCount, name).to.equal(1);
      expect(h.metadata.envelope, name).to.equal(want.envelope);
      expect(h.metadata.appHdr, name).to.deep.include({ bizMsgIdr: want.bizMsgIdr, from: "ALPNCHZZXXX", to: want.to });
    }
  });

  it("refuses the shipped billion-laughs and deeply nested samples before expanding or recursing (exit 2)", async () => {
    const hostile = {
      "pacs008-billion-laughs.xml": /line 2.*<!DOCTYPE is refused/,
      "pacs008-deeply-nested.xml": /nested deeper than 64/,
    };
    for (const [name, reason] of Object.entries(hostile)) {
      const out = join(dir, `${name}.json`);
      const r = await build(join(SAMPLES, name), out);
      expect(r.code, name).to.equal(ExitCode.badInput);
      expect(r.err, name).to.match(reason);
      expect(r.err, name).not.to.match(/\n\s+at /);
      expect(existsSync(out), name).to.equal(false);
    }
  });

  it("--skip-invalid leaves refused payments out and answers them in a pacs.002 (--rejections)", async () => {
    const out = join(dir, "skipped.json");
    const rejections = join(dir, "skipped-rjct.xml");
    const input = join(SAMPLES, "pacs008-duplicate-uetr.xml");
    const r = await cli(
      "--json",
      "batch",
      "build",
      input,
      "--banks",
      BANKS_JSON,
      "--bank",
      ALPINE,
      "--key",
      "K-2",
      "--out",
      out,
      "--skip-invalid",
      "--rejections",
      rejections,
    );
    expect(r.code, r.err).to.equal(ExitCode.ok);
    const result = JSON.parse(r.out).result as { header: { entryCount: number }; refused: unknown[] };
    expect(result.header.entryCount).to.equal(1);
    expect(result.refused).to.deep.equal([
      {
        index: 2,
        reasonCode: "AM05",
        element: "Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/PmtId/UETR",
        reason: "8a562c67-ca16-48ba-b074-65581be6f011 repeats CdtTrfTxInf[1]",
      },
    ]);
    const report = parsePacs002(readFileSync(rejections));
    expect(report.groupStatus).to.equal("PART");
    expect(report.transactions.map((t) => [t.originalTxId, t.status, t.reason])).to.deep.equal([
      ["T2", "RJCT", "AM05"],
    ]);
    // Without --skip-invalid the same file is refused whole; --rejections alone is a usage error.
    expect((await build(input, join(dir, "whole.json"))).code).to.equal(ExitCode.badInput);
    const alone = await cli(
      "batch",
      "build",
      input,
      "--banks",
      BANKS_JSON,
      "--bank",
      ALPINE,
      "--key",
      "K-3",
      "--out",
      out,
      "--rejections",
      rejections,
    );
    expect(alone.code).to.equal(ExitCode.badInput);
    expect(alone.err).to.match(/--rejections goes with --skip-invalid/);
  });

  it("--skip-invalid with every payment refused writes no batch, but the pacs.002 (GrpSts RJCT)", async () => {
    const out = join(dir, "none.json");
    const rejections = join(dir, "none-rjct.xml");
    const r = await cli(
      "batch",
      "build",
      join(SAMPLES, "pacs008-unmapped-agent.xml"),
      "--banks",
      BANKS_JSON,
      "--bank",
      ALPINE,
      "--key",
      "K-4",
      "--out",
      out,
      "--skip-invalid",
      "--rejections",
      rejections,
    );
    expect(r.code).to.equal(ExitCode.badInput);
    expect(r.err).to.match(/Every payment of the message was refused \(1\): no batch was written/);
    expect(existsSync(out)).to.equal(false);
    expect(parsePacs002(readFileSync(rejections)).groupStatus).to.equal("RJCT");
  });

  it("answers without an AppHdr, with a warning, when the original's sender cannot be named", async () => {
    const xml = readFileSync(join(SAMPLES, "pacs008-apphdr-head02.xml"), "utf8")
      .replace("<BICFI>ALPNCHZZXXX</BICFI>", "<Othr><Id>ALPINE-INTERNAL</Id></Othr>") // the AppHdr's Fr
      .replace('Ccy="EUR">10.00<', 'Ccy="EUR">10.001<'); // the one payment: AM02
    const input = join(dir, "unnamed-sender.xml");
    writeFileSync(input, xml);
    const rejections = join(dir, "unnamed-rjct.xml");
    const r = await cli(
      ...["batch", "build", input, "--banks", BANKS_JSON, "--bank", ALPINE, "--key", "K-6"],
      ...["--out", join(dir, "unnamed.json"), "--skip-invalid", "--rejections", rejections],
    );
    expect(r.code).to.equal(ExitCode.badInput);
    expect(r.err).to.match(
      /warning: no reply AppHdr \(appHdr\.from is missing from the original AppHdr\): the pacs\.002 is a bare Document/,
    );
    const report = readFileSync(rejections, "utf8");
    expect(report).to.match(/^<\?xml[^>]*>\n<Document /);
    expect(parsePacs002(report).groupStatus).to.equal("RJCT");
  });

  it("lists at most 10 refused payments in text, then says how many more", () => {
    const refused = Array.from({ length: 12 }, (_, i) => ({
      index: i + 1,
      reasonCode: "AM02" as const,
      error: new Iso20022Error("f.xml", `CdtTrfTxInf[${i + 1}]/IntrBkSttlmAmt`, "too many decimals"),
    }));
    const text = refusedSummary(refused);
    expect(text.split("; #")).to.have.length(10);
    expect(text).to.match(/^#1 AM02 f\.xml: .*; and 2 more \(all in --json and the pacs\.002\)$/);
    expect(refusedSummary(refused.slice(0, 2))).not.to.include("more");
  });

  it("a large file (read on a second thread) refused before its first payment exits 2, not hangs", async () => {
    // ≥ 8 MiB: batch build reads it on a worker thread. The output folder is missing, so the build
    // fails before reading a transaction; the process must still end (review finding).
    const big = join(dir, "big.xml");
    const params = { debtorBic: "ALPNCHZZXXX", creditorBics: ["BALTLV22XXX", "CELTIE2DXXX"], seed: 3 };
    writeFileSync(big, generatePacs008({ ...params, count: 25_000, valueDate: "2025-03-14" }));
    expect(statSync(big).size).to.be.greaterThan(8 * 2 ** 20);
    const bin = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
    const argv = [bin, "batch", "build", big, "--banks", BANKS_JSON, "--bank", ALPINE, "--key", "K-5"];
    const out = join(dir, "missing-folder", "out.json");
    const run = spawnSync(process.execPath, [...argv, "--out", out], { encoding: "utf8", timeout: 60_000 });
    expect(run.signal, "killed by the timeout: the process hung").to.equal(null);
    expect(run.status, run.stderr).to.equal(ExitCode.badInput);
    expect(run.stderr).to.match(/cannot be written/);
  });

  it("refuses a message whose group check fails at its end (exit 2, no stack) and writes no batch file", async () => {
    const out = join(dir, "refused.json");
    const r = await build(join(SAMPLES, "pacs008-nboftxs-mismatch.xml"), out);
    expect(r.code).to.equal(ExitCode.badInput);
    expect(r.err).to.match(/^error: .*pacs008-nboftxs-mismatch\.xml: .*NbOfTxs.*3/m);
    expect(r.err).not.to.match(/\n\s+at /);
    expect(existsSync(out)).to.equal(false);
  });
});
