import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { DEFAULT_MAX_XML_BYTES, maxXmlBytes } from "../../packages/cli/src/batchGuards";
import { UsageError } from "../../packages/cli/src/exit";
import { writeBatchFile } from "../../packages/sdk/src/node/batchFile";
import { buildBatch } from "../../packages/sdk/src/settlement/batch";
import { STAMP_GRANULE, STAMP_MARGIN } from "../../packages/sdk/src/settlement/submit";
import {
  ACK_WINDOW,
  BANKS_JSON,
  BANK_INDEX,
  BANK_NAMES,
  OPERATOR_INDEX,
  SMALL_SAMPLE,
  payments,
  settlementFixture,
  type BankName,
} from "../sdk/settlementFixture";
import { cliWorkspace } from "./harness";

const KEY = "2025-03-14-A";
const SAMPLES_DIR = join(__dirname, "..", "..", "samples", "iso20022");

async function cliFixture() {
  const f = await settlementFixture();
  const { cli, keyFile } = cliWorkspace(f.deployment, "batchfile");
  const keyOf = Object.fromEntries(BANK_NAMES.map((b) => [b, keyFile(BANK_INDEX[b])])) as Record<BankName, string>;
  return { ...f, cli, keyOf, operatorKey: keyFile(OPERATOR_INDEX) };
}

const workDir = () => mkdtempSync(join(tmpdir(), "clearhouse-cli-batchfile-"));

describe("clearhouse batch files: clearhouse.batch/2, the seal, --verify, --max-bytes", () => {
  it("submits and declares a sealed file by its seal, --verify recomputes; a changed file is refused naming the payment", async () => {
    const { cli, keyOf, operatorKey } = await loadFixture(cliFixture);
    const dir = workDir();
    const file = join(dir, "alpine.json");
    const build = await cli(
      "--key-file",
      keyOf.alpine,
      "batch",
      "build",
      SMALL_SAMPLE,
      "--banks",
      BANKS_JSON,
      "--key",
      KEY,
      "--out",
      file,
    );
    expect(build.code, build.err).to.equal(ExitCode.ok);
    const text = readFileSync(file, "utf8");
    expect(JSON.parse(text.split("\n")[0])).to.deep.include({ format: "clearhouse.batch/2" });

    // One byte of one payment (ALPN-TX-0002's amount 9999 → 9899): the seal breaks, the whole
    // batch is recomputed and the payment named; nothing is sent.
    const edited = join(dir, "edited.json");
    writeFileSync(edited, text.replace(/("paymentId":"ALPN-TX-0002".*?"amount":)"9999"/, '$1"9899"'));
    const refused = await cli("--key-file", keyOf.alpine, "batch", "submit", edited);
    expect(refused.code).to.equal(ExitCode.badInput);
    expect(refused.err).to.match(/is inconsistent: payment ALPN-TX-0002: was edited after anchoring/);
    // The header line edited instead (a total), the records not: refused too.
    const header = join(dir, "header.json");
    writeFileSync(header, text.replace('"totals":["9999"', '"totals":["10999"'));
    const badHeader = await cli("--key-file", keyOf.alpine, "batch", "submit", header);
    expect(badHeader.code).to.equal(ExitCode.badInput);
    expect(badHeader.err).to.match(/is inconsistent: .*totals/);
    const badClose = await cli("--key-file", operatorKey, "cycle", "close", header);
    expect(badClose.code).to.equal(ExitCode.badInput);
    expect(badClose.err).to.match(/changed since it was written: its header or body no longer matches its seal/);

    const submitted = await cli("--key-file", keyOf.alpine, "batch", "submit", file, "--verify");
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    expect(submitted.out).to.match(/^Anchored batch 0x[0-9a-f]{64}/);
    await time.increase(ACK_WINDOW + STAMP_MARGIN + STAMP_GRANULE);
    expect((await cli("--key-file", operatorKey, "cycle", "open")).code).to.equal(ExitCode.ok);
    const declared = await cli("--key-file", keyOf.alpine, "cycle", "declare", file);
    expect(declared.code, declared.err).to.equal(ExitCode.ok);
    expect(declared.out).to.match(/^Declared 0x[0-9a-f]{64} \(tx 0x/);
    const report = await cli("iso", "report", file, "--out", join(dir, "pacs002.xml"));
    expect(report.code, report.err).to.equal(ExitCode.ok);
    expect(report.out).to.match(/pacs\.002\.001\.10 ACCP for 5 payments/);
    const verified = await cli("batch", "verify", file);
    expect(verified.code, verified.err).to.equal(ExitCode.ok);
  });

  it("iso report answers an AppHdr with an AppHdr, names the original's version, writes .10–.13", async () => {
    const { cli, keyOf } = await loadFixture(cliFixture);
    const dir = workDir();
    const file = join(dir, "apphdr.json");
    const input = join(SAMPLES_DIR, "pacs008-apphdr-head03.xml");
    const build = await cli(
      "--key-file",
      keyOf.alpine,
      "batch",
      "build",
      input,
      "--banks",
      BANKS_JSON,
      "--key",
      "AH-1",
      "--out",
      file,
    );
    expect(build.code, build.err).to.equal(ExitCode.ok);
    expect((await cli("--key-file", keyOf.alpine, "batch", "submit", file)).code).to.equal(ExitCode.ok);
    const out = join(dir, "reply.xml");
    const report = await cli("iso", "report", file, "--out", out);
    expect(report.code, report.err).to.equal(ExitCode.ok);
    const xml = readFileSync(out, "utf8");
    expect(xml).to.match(
      /^<\?xml[^>]*>\n<Envelope xmlns="urn:swift:xsd:envelope">\n {2}<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head\.001\.001\.03">/,
    );
    expect(xml).to.include("<OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>").and.include("<Rltd>");
    const bare = join(dir, "bare.xml");
    const noHdr = await cli("iso", "report", file, "--out", bare, "--no-app-hdr", "--pacs-version", "13");
    expect(noHdr.code, noHdr.err).to.equal(ExitCode.ok);
    expect(noHdr.out).to.match(/pacs\.002\.001\.13 ACCP for 1 payments/);
    expect(readFileSync(bare, "utf8")).to.match(
      /^<\?xml[^>]*>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs\.002\.001\.13">/,
    );
    const bad = await cli("iso", "report", file, "--out", bare, "--pacs-version", "9");
    expect(bad.code).to.equal(ExitCode.badInput);
    expect(bad.err).to.match(/--pacs-version 9 is not one of 10, 11, 12, 13/);
  });

  it("still submits a clearhouse.batch/1 file (always recomputed)", async () => {
    const { cli, keyOf, addr } = await loadFixture(cliFixture);
    const file = join(workDir(), "v1.json");
    const rs = payments(
      addr.baltic,
      [
        [addr.alpine, 4_000n],
        [addr.celtic, 5_000n],
      ],
      "BALTIC",
    );
    writeBatchFile(file, buildBatch(rs, { submitter: addr.baltic, key: KEY }));
    expect((JSON.parse(readFileSync(file, "utf8")) as { format: string }).format).to.equal("clearhouse.batch/1");
    const submitted = await cli("--key-file", keyOf.baltic, "batch", "submit", file);
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    expect(submitted.out).to.match(/^Anchored batch/);
    expect((await cli("batch", "status", file)).out).to.match(/status {3}Submitted/);
  });

  it("--max-bytes (or CLEARHOUSE_MAX_XML_BYTES) sets the pacs.008 size limit", async () => {
    const { cli, keyOf } = await loadFixture(cliFixture);
    const out = join(workDir(), "small.json");
    const build = (...extra: string[]) =>
      cli(
        "--key-file",
        keyOf.alpine,
        "batch",
        "build",
        SMALL_SAMPLE,
        "--banks",
        BANKS_JSON,
        "--key",
        KEY,
        "--out",
        out,
        ...extra,
      );
    const tooBig = await build("--max-bytes", "1KiB");
    expect(tooBig.code).to.equal(ExitCode.badInput);
    expect(tooBig.err).to.match(/1024/);
    const bad = await build("--max-bytes", "lots");
    expect(bad.code).to.equal(ExitCode.badInput);
    expect(bad.err).to.match(/--max-bytes lots is not a size/);
    expect((await build("--max-bytes", "50MiB")).code).to.equal(ExitCode.ok);

    expect(maxXmlBytes(undefined, undefined)).to.equal(DEFAULT_MAX_XML_BYTES);
    expect(maxXmlBytes(undefined, "2GiB")).to.equal(2 * 1024 ** 3);
    expect(maxXmlBytes("500MB", "2GiB")).to.equal(500_000_000);
    expect(maxXmlBytes("1234", undefined)).to.equal(1234);
    expect(() => maxXmlBytes(undefined, "0")).to.throw(UsageError, /CLEARHOUSE_MAX_XML_BYTES 0 is not a size/);
  });
});
