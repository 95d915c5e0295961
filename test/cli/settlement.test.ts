import { expect } from "chai";
import { fromMinorUnits } from "../../packages/sdk/src/validate";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { leiWithCheckDigits, parsePacs002 } from "../../packages/sdk/src";
import { ExitCode } from "../../packages/cli/src/exit";
import { batchIdOf } from "../../packages/sdk/src/settlement/batch";
import { batchKey } from "../../packages/sdk/src/settlement/ledger";
import { STAMP_GRANULE, STAMP_MARGIN } from "../../packages/sdk/src/settlement/submit";
import { blockNumber } from "../sdk/fixture";
import {
  ACK_WINDOW,
  BANKS_JSON,
  BANK_INDEX,
  BANK_NAMES,
  OPERATOR_INDEX,
  SAMPLES,
  SMALL_SAMPLE,
  UNENROLLED_INDEX,
  payments,
  settlementFixture,
  type BankName,
} from "../sdk/settlementFixture";
import { cliWorkspace, type Run } from "./harness";

const KEY = "2025-03-14-A";

async function cliFixture() {
  const f = await settlementFixture();
  const { cli, keyFile } = cliWorkspace(f.deployment, "settlement");
  const keyOf = Object.fromEntries(BANK_NAMES.map((b) => [b, keyFile(BANK_INDEX[b])])) as Record<BankName, string>;
  return { ...f, cli, keyOf, operatorKey: keyFile(OPERATOR_INDEX), lateKey: keyFile(UNENROLLED_INDEX) };
}

/** A fresh folder for one test's files (the fixture's chain state is reverted, files are not). */
const workDir = () => mkdtempSync(join(tmpdir(), "clearhouse-cli-settlement-"));

/** `--key-file <bank> batch build <input> …` of `bank`'s batch into `out`. */
const build = (cli: (...argv: string[]) => Promise<Run>, key: string, input: string, out: string) =>
  cli("--key-file", key, "batch", "build", input, "--banks", BANKS_JSON, "--key", KEY, "--out", out);

describe("clearhouse batch / cycle / iso (CLI against the in-process chain)", () => {
  it("imports pacs.008 into records, as text and --json; builds the same tree from XML or records", async () => {
    const { cli, addr } = await loadFixture(cliFixture);
    const dir = workDir();
    const records = join(dir, "records.json");
    const imported = await cli("iso", "import", SMALL_SAMPLE, "--banks", BANKS_JSON, "--out", records);
    expect(imported.code, imported.err).to.equal(ExitCode.ok);
    expect(imported.out).to.equal(`Imported 5 payments from pacs.008 ALPN-20250314-0001 into ${records}\n`);
    const written = JSON.parse(readFileSync(records, "utf8")) as Record<string, string>[];
    expect(written.map((r) => r.paymentId)).to.deep.equal([
      "ALPN-TX-0001",
      "ALPN-TX-0002",
      "ALPN-TX-0003",
      "ALPN-TX-0004",
      "3f2c9a1e-7b4d-4c8e-9a6f-2d1b0e5c7a93", // no TxId: its UETR
    ]);
    expect(written[3]).to.deep.include({ amount: "100000050", debtorBank: addr.alpine, creditorBank: addr.baltic });
    expect(written[2]).to.deep.include({ amount: "25000", valueDate: "2025-03-17", creditorBank: addr.danube });

    const json = await cli("--json", "iso", "import", SMALL_SAMPLE, "--banks", BANKS_JSON, "--out", records);
    expect(json.code, json.err).to.equal(ExitCode.ok);
    expect(JSON.parse(json.out)).to.deep.equal({ ok: true, result: { file: records, count: 5 } });

    const fromXml = await cli(
      "--json",
      "batch",
      "build",
      SMALL_SAMPLE,
      "--banks",
      BANKS_JSON,
      "--bank",
      addr.alpine,
      "--key",
      KEY,
      "--out",
      join(dir, "a.json"),
    );
    const fromRecords = await cli(
      "--json",
      "batch",
      "build",
      records,
      "--bank",
      addr.alpine,
      "--key",
      KEY,
      "--out",
      join(dir, "b.json"),
    );
    type Built = { result: { batchId: string; header: { root: string; grossTotal: string } } };
    const [a, b] = [JSON.parse(fromXml.out) as Built, JSON.parse(fromRecords.out) as Built];
    expect(a.result.header.root).to.equal(b.result.header.root);
    expect(a.result.header.grossTotal).to.equal("100160050");
    expect(a.result.batchId).to.equal(b.result.batchId);
    expect(fromXml.err).to.equal(""); // no progress bar in --json mode

    const noBanks = await cli("batch", "build", SMALL_SAMPLE, "--bank", addr.alpine, "--key", KEY, "--out", records);
    expect(noBanks.code).to.equal(ExitCode.badInput);
    expect(noBanks.err).to.match(/^error: An ISO 20022 file needs --banks <bank-map\.json>/);
  });

  it("iso import reads every message kind, maps agents by any id or the registry's LEIs, and skips invalid payments", async () => {
    const { cli, addr } = await loadFixture(cliFixture);
    const dir = workDir();
    const out = join(dir, "records.json");
    // Every kind of bank-map key: BICs, LEIs, clearing-system member ids.
    const banksIds = join(SAMPLES, "banks-ids.json");
    const imp = (name: string, ...extra: string[]) =>
      cli("iso", "import", join(SAMPLES, name), "--banks", banksIds, "--out", out, ...extra);
    for (const [name, summary] of [
      ["pacs008-fedwire-usaba.xml", "2 payments from pacs.008 20250314MMQFMP2L000001"],
      ["pacs009-cover.xml", "2 payments from pacs.009 ALPN-20250314-9001"],
      ["pacs004-return-alpine.xml", "1 payments from pacs.004 DANU-20250318-RTR1"],
    ]) {
      const r = await imp(name);
      expect(r.code, r.err).to.equal(ExitCode.ok);
      expect(r.out).to.equal(`Imported ${summary} into ${out}\n`);
    }
    expect(JSON.parse(readFileSync(out, "utf8"))[0]).to.deep.include({
      paymentId: "DANU-RTR-0001",
      debtorBank: addr.danube,
      creditorBank: addr.alpine,
    });

    // Refusals: exit 2, file + element + reason, nothing written, no stack trace.
    for (const [name, reason] of [
      [
        "pacs008-unmapped-agent.xml",
        /CdtrAgt\/FinInstnId\/ClrSysMmbId\/MmbId: ClrSysMmbId USABA:111000025 maps to no member bank \(payment T1\)/,
      ],
      ["pacs008-wrong-namespace.xml", /Document: namespace .*pacs\.003\.001\.08 is not a supported message/],
      ["pacs008-nboftxs-mismatch.xml", /GrpHdr\/NbOfTxs: says 3 transactions but the message has 2/],
      ["pacs008-duplicate-uetr.xml", /CdtTrfTxInf\[2\]\/PmtId\/UETR: .* repeats CdtTrfTxInf\[1\]/],
      ["pacs008-jpy-decimals.xml", /1500\.50 JPY has more decimals than JPY's 0/],
    ] as const) {
      const r = await imp(name);
      expect(r.code, name).to.equal(ExitCode.badInput);
      expect(r.err, name).to.match(new RegExp(`^error: .*${name.replace(/\./g, "\\.")}: `));
      expect(r.err, name).to.match(reason);
      expect(r.err, name).not.to.match(/\n\s+at /);
      expect(r.out, name).to.equal("");
    }
    const badKey = join(dir, "bad-banks.json");
    writeFileSync(badKey, JSON.stringify({ ALPNCHZZXXX: addr.alpine, "USABA 0260": addr.baltic }));
    const bad = await cli("iso", "import", SMALL_SAMPLE, "--banks", badKey, "--out", out);
    expect(bad.code).to.equal(ExitCode.badInput);
    expect(bad.err).to.match(/bad-banks\.json: key "USABA 0260" is not a BIC/);

    // --skip-invalid: the valid payment is kept, the duplicate answered in a pacs.002.
    const rejections = join(dir, "rjct.xml");
    const skipped = await cli(
      "--json",
      "iso",
      "import",
      join(SAMPLES, "pacs008-duplicate-uetr.xml"),
      "--banks",
      banksIds,
      "--out",
      out,
      "--skip-invalid",
      "--rejections",
      rejections,
    );
    expect(skipped.code, skipped.err).to.equal(ExitCode.ok);
    expect(JSON.parse(skipped.out).result).to.deep.include({ count: 1 });
    expect(JSON.parse(skipped.out).result.refused).to.deep.equal([
      {
        index: 2,
        reasonCode: "AM05",
        element: "Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/PmtId/UETR",
        reason: "8a562c67-ca16-48ba-b074-65581be6f011 repeats CdtTrfTxInf[1]",
      },
    ]);
    const report = parsePacs002(readFileSync(rejections));
    expect(report.transactions.map((t) => [t.originalTxId, t.status, t.reason])).to.deep.equal([
      ["T2", "RJCT", "AM05"],
    ]);
    const lone = await cli(
      "iso",
      "import",
      SMALL_SAMPLE,
      "--banks",
      BANKS_JSON,
      "--out",
      out,
      "--rejections",
      rejections,
    );
    expect(lone.code).to.equal(ExitCode.badInput);
  });

  it("refuses hostile or broken input with exit code 2, naming the element and the reason", async () => {
    const { cli } = await loadFixture(cliFixture);
    const out = join(workDir(), "records.json");
    const imp = (name: string) => cli("iso", "import", join(SAMPLES, name), "--banks", BANKS_JSON, "--out", out);
    const expectations: [string, RegExp][] = [
      ["pacs008-xxe.xml", /pacs008-xxe\.xml: line 2, column 1: <!DOCTYPE is refused: DTDs and entity declarations/],
      [
        "pacs008-malformed.xml",
        /pacs008-malformed\.xml: line 44, column 29: not well-formed XML: Expected closing tag 'EndToEndId'/,
      ],
      ["pacs008-missing-element.xml", /CdtTrfTxInf\[2\]\/IntrBkSttlmAmt: missing/],
      ["pacs008-bad-amount.xml", /CdtTrfTxInf\[3\]\/IntrBkSttlmAmt: 10\.005 EUR has more decimals than EUR's 2/],
    ];
    const codes: Record<string, number> = {};
    for (const [name, reason] of expectations) {
      const r = await imp(name);
      expect(r.err, name).to.match(/^error: /);
      expect(r.err, name).to.match(reason);
      expect(r.err, name).not.to.match(/root:/); // the XXE never read /etc/passwd
      expect(r.out, name).to.equal("");
      codes[name] = r.code;
    }
    const junk = join(workDir(), "junk.json");
    writeFileSync(junk, "{ not a batch");
    const notBatch = await cli("batch", "status", junk);
    expect(notBatch.err).to.match(/^error: Batch file .*junk\.json: is not readable JSON/);
    codes["junk.json"] = notBatch.code;
    const missing = await imp("pacs008-missing.xml");
    expect(missing.err).to.match(/^error: .*pacs008-missing\.xml/);
    codes["pacs008-missing.xml"] = missing.code;
    const badBank = await cli(
      "batch",
      "build",
      SMALL_SAMPLE,
      "--banks",
      BANKS_JSON,
      "--bank",
      "0x1234",
      "--key",
      KEY,
      "--out",
      out,
    );
    expect(badBank.err).to.match(/^error: .*0x1234/);
    codes["--bank 0x1234"] = badBank.code;
    const badCycle = await cli("cycle", "status", "--cycle", "abc");
    expect(badCycle.err).to.match(/^error: .*abc/);
    codes["--cycle abc"] = badCycle.code;
    const json = await cli(
      "--json",
      "iso",
      "import",
      join(SAMPLES, "pacs008-xxe.xml"),
      "--banks",
      BANKS_JSON,
      "--out",
      out,
    );
    const body = JSON.parse(json.out) as { ok: boolean; error: { name: string; exitCode: number } };
    expect(body).to.deep.include({ ok: false });
    expect(body.error.name).to.equal("Iso20022Error");
    codes["--json pacs008-xxe.xml"] = body.error.exitCode;
    // Unreadable, hostile or malformed input is bad input (2), not an unexpected failure (1).
    expect(codes).to.deep.equal({
      "pacs008-xxe.xml": ExitCode.badInput,
      "pacs008-malformed.xml": ExitCode.badInput,
      "pacs008-missing-element.xml": ExitCode.badInput,
      "pacs008-bad-amount.xml": ExitCode.badInput,
      "junk.json": ExitCode.badInput,
      "pacs008-missing.xml": ExitCode.badInput,
      "--bank 0x1234": ExitCode.badInput,
      "--cycle abc": ExitCode.badInput,
      "--json pacs008-xxe.xml": ExitCode.badInput,
    });
  });

  it("builds, submits (idempotently), shows, acknowledges and verifies a batch", async () => {
    const { cli, keyOf, addr, lateKey } = await loadFixture(cliFixture);
    const dir = workDir();
    const file = join(dir, "alpine.json");
    const built = await build(cli, keyOf.alpine, SMALL_SAMPLE, file);
    expect(built.code, built.err).to.equal(ExitCode.ok);
    const batchId = batchIdOf(addr.alpine, batchKey(KEY));
    expect(built.out).to.include(`Wrote ${file}: 5 payments, gross 1,001,600.50 EUR, 3 counterparties`);
    expect(built.out).to.include(`batch id ${batchId}`);
    expect(built.err).to.match(/reading {2}5 payments/); // streamed: the count is known at the end
    expect(built.err).to.match(/tree {4}\[#{20}\] 100% \(4\/4\)/);

    const submitted = await cli("--key-file", keyOf.alpine, "batch", "submit", file);
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    expect(submitted.out).to.match(new RegExp(`^Anchored batch ${batchId} \\(tx 0x[0-9a-f]{64}, gas \\d+\\)`));
    const before = await blockNumber();
    const again = await cli("--key-file", keyOf.alpine, "batch", "submit", file);
    expect(again.code, again.err).to.equal(ExitCode.ok);
    expect(again.out).to.equal(`Already anchored: batch ${batchId} (nothing sent)\n`);
    expect(await blockNumber()).to.equal(before);

    const status = await cli("batch", "status", file);
    expect(status.code, status.err).to.equal(ExitCode.ok);
    expect(status.out).to.match(/status {3}Submitted\n {2}sequence 1\n {2}window {3}closes \d{4}-\d\d-\d\dT/);
    const acked = await cli("--key-file", keyOf.baltic, "batch", "ack", batchId);
    expect(acked.code, acked.err).to.equal(ExitCode.ok);
    expect(acked.out).to.match(new RegExp(`^Acknowledged ${batchId} \\(tx 0x`));
    const self = await cli("--key-file", keyOf.alpine, "batch", "ack", batchId);
    expect(self.code).to.equal(ExitCode.refusedByChain);
    expect(self.err).to.match(/^error: LedgerNotCounterparty: /);
    const late = await cli("--key-file", lateKey, "batch", "ack", batchId);
    expect(late.err).to.match(/^error: LedgerNotCounterparty: /);
    const statusJson = JSON.parse((await cli("--json", "batch", "status", batchId)).out) as {
      result: { status: string; sequence: string; ackMask: string };
    };
    expect(statusJson.result).to.deep.include({ status: "Submitted", sequence: "1", ackMask: "2" });

    const verified = await cli("batch", "verify", file, "--payment", "ALPN-TX-0004");
    expect(verified.code, verified.err).to.equal(ExitCode.ok);
    expect(verified.out).to.include(`Batch ${batchId}: Submitted`);
    expect(verified.out).to.include("header matches the anchored digest: yes");
    expect(verified.out).to.match(/payment ALPN-TX-0004: proof of \d+ hashes, valid locally yes, on-chain yes/);
    const unknown = await cli("batch", "verify", file, "--payment", "NOPE-1");
    expect(unknown.code).to.equal(ExitCode.badInput);
    expect(unknown.err).to.include(`Payment NOPE-1 is not in ${file}.`);

    const edited = join(dir, "edited.json");
    const text = readFileSync(file, "utf8");
    const changed = text.replace(/("paymentId":"ALPN-TX-0002".*?"amount":)"9999"/, '$1"19999"');
    expect(changed).not.to.equal(text);
    writeFileSync(edited, changed);
    const tampered = await cli("batch", "verify", edited, "--payment", "ALPN-TX-0002");
    expect(tampered.code).to.equal(ExitCode.badInput);
    expect(tampered.out).to.match(/payment ALPN-TX-0002: was edited after anchoring/);
    expect(tampered.out).to.include("payment ALPN-TX-0002: not proved, the file does not match what was anchored");
    expect(tampered.out).to.include(`error: ${edited} does not match the anchored batch`);
    // --json prints exactly one document: the verification result.
    const json = await cli("--json", "batch", "verify", edited);
    expect(json.code).to.equal(ExitCode.badInput);
    const result = JSON.parse(json.out) as {
      ok: boolean;
      result: { ok: boolean; mismatches: { paymentId: string }[] };
      error: { category: string; exitCode: number };
    };
    expect(result.ok).to.equal(false);
    expect(result.result.ok).to.equal(false);
    expect(result.result.mismatches.map((m) => m.paymentId)).to.deep.equal(["ALPN-TX-0002"]);
    expect(result.error).to.deep.equal({ name: "BatchMismatch", category: "input", exitCode: ExitCode.badInput });

    const enrolled = await cli("--key-file", lateKey, "batch", "enroll");
    expect(enrolled.out).to.match(/^Enrolled as bank #4 \(tx 0x/);
    expect((await cli("--key-file", lateKey, "batch", "enroll")).out).to.match(/\(already enrolled\)/);
  });

  it("closes a cycle with presented batch files (one shared without its payments) and opens the next", async () => {
    const { cli, keyOf, addr, operatorKey } = await loadFixture(cliFixture);
    const dir = workDir();
    const balticInput = join(dir, "baltic-records.json");
    const rs = payments(addr.baltic, [[addr.alpine, 40_000_000n]], "BALTIC");
    writeFileSync(balticInput, JSON.stringify(rs.map((r) => ({ ...r, amount: r.amount.toString() }))));
    const files = { alpine: join(dir, "alpine.json"), baltic: join(dir, "baltic.json") };
    for (const [bank, input] of [
      ["alpine", SMALL_SAMPLE],
      ["baltic", balticInput],
    ] as const) {
      expect((await build(cli, keyOf[bank], input, files[bank])).code).to.equal(ExitCode.ok);
      expect((await cli("--key-file", keyOf[bank], "batch", "submit", files[bank])).code).to.equal(ExitCode.ok);
    }
    expect((await cli("--key-file", operatorKey, "cycle", "open")).code).to.equal(ExitCode.ok);
    const early = await cli("--key-file", operatorKey, "cycle", "close", files.alpine);
    expect(early.code).to.equal(ExitCode.refusedByChain);
    expect(early.err).to.match(/^error: LedgerWrongStatus: batch 0x.{4}….{4} is Submitted/);
    await time.increase(ACK_WINDOW + STAMP_MARGIN + STAMP_GRANULE);
    // The operator needs no payments: baltic hands over its file without them.
    const shared = join(dir, "baltic-shared.json");
    const share = await cli("batch", "share", files.baltic, "--out", shared);
    expect(share.code, share.err).to.equal(ExitCode.ok);
    expect(share.out).to.match(/^Wrote .*baltic-shared\.json: batch 0x[0-9a-f]{64} without its 1 payment\n$/);
    // A clearhouse.batch/2 header line and nothing after it: no payment, no leaf.
    const sharedText = readFileSync(shared, "utf8");
    expect(sharedText.split("\n")).to.have.length(2);
    const sharedHead = JSON.parse(sharedText) as { format: string; body: Record<string, unknown> };
    expect(sharedHead.format).to.equal("clearhouse.batch/2");
    expect(sharedHead.body).to.deep.include({ records: 0, leaves: 0, bytes: 0 });
    const closed = await cli("--key-file", operatorKey, "cycle", "close", files.alpine, shared, "--open-next");
    expect(closed.code, closed.err).to.equal(ExitCode.ok);
    expect(closed.out).to.match(/^Closed cycle 1 \(tx 0x[0-9a-f]{64}, gas \d+\)\n {2}2 batch file\(s\) presented\n/);
    expect(closed.out).to.include(`  ${addr.baltic}  net +${fromMinorUnits(100_125_050n - 40_000_000n, 2)} tEUR\n`);
    expect(closed.out).to.match(/Opened cycle 2\n$/);
    expect((await cli("batch", "status", files.alpine)).out).to.match(/status {3}Netted \(in cycle 1\)/);
    const again = await cli("--key-file", operatorKey, "cycle", "close", files.alpine);
    expect(again.code).to.equal(ExitCode.refusedByChain);
    expect(again.err).to.match(/^error: LedgerAlreadyNetted: batch 0x.{4}….{4} was already netted\n/);
    const status = await cli("cycle", "status");
    expect(status.out).to.match(/^Cycle 2: Open, 0 batches\n/);
  });

  it("runs a cycle: open, declare, close, status; reports pacs.002 ACCP, then ACSC once settled", async () => {
    const { cli, keyOf, addr, operatorKey } = await loadFixture(cliFixture);
    const dir = workDir();
    const inputs: Record<BankName, string> = {
      alpine: SMALL_SAMPLE,
      baltic: join(dir, "baltic-records.json"),
      celtic: join(dir, "celtic-records.json"),
      danube: join(dir, "danube-records.json"),
    };
    const plan: Record<Exclude<BankName, "alpine">, [BankName, bigint][]> = {
      baltic: [["alpine", 40_000_000n]],
      celtic: [["danube", 2_000_000n]],
      danube: [
        ["baltic", 3_000_000n],
        ["celtic", 1_000n],
      ],
    };
    for (const [bank, to] of Object.entries(plan) as [Exclude<BankName, "alpine">, [BankName, bigint][]][]) {
      const rs = payments(
        addr[bank],
        to.map(([c, amount]) => [addr[c], amount]),
        bank.toUpperCase(),
      );
      writeFileSync(inputs[bank], JSON.stringify(rs.map((r) => ({ ...r, amount: r.amount.toString() }))));
    }
    const files = {} as Record<BankName, string>;
    for (const bank of BANK_NAMES) {
      files[bank] = join(dir, `${bank}.json`);
      const b = await build(cli, keyOf[bank], inputs[bank], files[bank]);
      expect(b.code, `${bank}: ${b.err}`).to.equal(ExitCode.ok);
      const s = await cli("--key-file", keyOf[bank], "batch", "submit", files[bank]);
      expect(s.code, `${bank}: ${s.err}`).to.equal(ExitCode.ok);
    }

    const pacs002 = join(dir, "alpine.pacs002.xml");
    const report = (...extra: string[]) =>
      cli("iso", "report", files.alpine, "--out", pacs002, "--original", "ALPN-20250314-0001", ...extra);
    const accp = await report();
    expect(accp.code, accp.err).to.equal(ExitCode.ok);
    expect(accp.out).to.equal(`Wrote ${pacs002}: pacs.002.001.10 ACCP for 5 payments — not settled yet (Submitted)\n`);
    expect(parsePacs002(readFileSync(pacs002)).groupStatus).to.equal("ACCP");

    for (const bank of ["baltic", "celtic", "danube"] as const) {
      const alpineId = batchIdOf(addr.alpine, batchKey(KEY));
      const r = await cli("--key-file", keyOf[bank], "batch", "ack", alpineId);
      expect(r.code, `${bank}: ${r.err}`).to.equal(ExitCode.ok);
    }
    expect((await cli("batch", "status", files.alpine)).out).to.match(/status {3}Final/);
    // Final (acknowledged) is not settled: the report stays ACCP until the cycle closes.
    expect((await report()).out).to.equal(
      `Wrote ${pacs002}: pacs.002.001.10 ACCP for 5 payments — not settled yet (Final)\n`,
    );
    const early = await cli("--key-file", keyOf.baltic, "cycle", "declare", files.baltic);
    expect(early.code).to.equal(ExitCode.refusedByChain);
    expect(early.err).to.match(/^error: NettingNoOpenCycle: /);

    const notOperator = await cli("--key-file", keyOf.alpine, "cycle", "open");
    expect(notOperator.code).to.equal(ExitCode.refusedByChain);
    expect(notOperator.err).to.match(/^error: RegistryMissingRole: /);
    const opened = await cli("--key-file", operatorKey, "cycle", "open");
    expect(opened.code, opened.err).to.equal(ExitCode.ok);
    expect(opened.out).to.match(/^Opened cycle 1 \(tx 0x/);

    const notFinal = await cli("--key-file", keyOf.baltic, "cycle", "declare", files.baltic);
    expect(notFinal.code).to.equal(ExitCode.refusedByChain);
    expect(notFinal.err).to.match(/^error: LedgerWrongStatus: batch 0x.{4}….{4} is Submitted/);
    await time.increase(ACK_WINDOW + STAMP_MARGIN + STAMP_GRANULE); // the other batches become final when their windows pass
    for (const bank of BANK_NAMES) {
      const d = await cli("--key-file", keyOf[bank], "cycle", "declare", files[bank]);
      expect(d.code, `${bank}: ${d.err}`).to.equal(ExitCode.ok);
      expect(d.out).to.match(/^Declared 0x[0-9a-f]{64} \(tx 0x/);
    }
    const open = await cli("cycle", "status");
    expect(open.code, open.err).to.equal(ExitCode.ok);
    expect(open.out).to.match(/^Cycle 1: Open, 4 batches, 4 pending\n/);
    expect(open.out).to.match(
      new RegExp(`${addr.alpine}  net 0\\.00 tEUR  owes 0x[0-9a-fA-F]{40} [0-9,]+\\.\\d\\d tEUR`),
    );

    const closed = await cli("--key-file", operatorKey, "cycle", "close");
    expect(closed.code, closed.err).to.equal(ExitCode.ok);
    expect(closed.out).to.match(/^Closed cycle 1 \(tx 0x[0-9a-f]{64}, gas \d+\)\n/);
    const expected: Record<BankName, bigint> = {
      alpine: 40_000_000n - 100_160_050n,
      baltic: 100_125_050n - 40_000_000n + 3_000_000n,
      celtic: 9_999n + 1_000n - 2_000_000n,
      danube: 25_001n + 2_000_000n - 3_000_000n - 1_000n,
    };
    for (const bank of BANK_NAMES) {
      const net = expected[bank];
      // in currency units (tEUR has 2 decimals); minor units only under --json
      expect(closed.out).to.include(`  ${addr[bank]}  net ${net > 0n ? "+" : ""}${fromMinorUnits(net, 2)} tEUR\n`);
    }
    const status = await cli("--json", "cycle", "status", "--cycle", "1");
    const cycle = JSON.parse(status.out) as { result: { status: string; positions: { bank: string; net: string }[] } };
    expect(cycle.result.status).to.equal("Closed");
    expect(cycle.result.positions.reduce((s, p) => s + BigInt(p.net), 0n)).to.equal(0n);

    const acsc = await report();
    expect(acsc.out).to.equal(`Wrote ${pacs002}: pacs.002.001.10 ACSC for 5 payments — settled\n`);
    const parsed = parsePacs002(readFileSync(pacs002), { file: pacs002 });
    expect(parsed).to.deep.include({
      originalMessageId: "ALPN-20250314-0001",
      groupStatus: "ACSC",
      batchId: batchIdOf(addr.alpine, batchKey(KEY)),
    });
    expect(parsed.transactions.map((t) => [t.originalTxId ?? t.originalUetr, t.status])).to.deep.equal([
      ["ALPN-TX-0001", "ACSC"],
      ["ALPN-TX-0002", "ACSC"],
      ["ALPN-TX-0003", "ACSC"],
      ["ALPN-TX-0004", "ACSC"],
      ["3f2c9a1e-7b4d-4c8e-9a6f-2d1b0e5c7a93", "ACSC"],
    ]);
    // Without --original: the pacs.008 MsgId the batch was built from, as it is (no "pacs.008 " prefix).
    const fromMetadata = await cli("iso", "report", files.alpine, "--out", pacs002);
    expect(fromMetadata.code, fromMetadata.err).to.equal(ExitCode.ok);
    expect(parsePacs002(readFileSync(pacs002)).originalMessageId).to.equal("ALPN-20250314-0001");
  });

  it("iso report answers a 35-character pacs.008 MsgId as it is, and asks for --original without one", async () => {
    const { cli, keyOf } = await loadFixture(cliFixture);
    const dir = workDir();
    const msgId = "ALPN/20250314/0001-ABCDEFGHIJKLMNOP"; // 35 characters, the ISO maximum, with "/"
    expect(msgId).to.have.length(35);
    const xml = join(dir, "long-msgid.xml");
    writeFileSync(xml, readFileSync(SMALL_SAMPLE, "utf8").replace("<MsgId>ALPN-20250314-0001<", `<MsgId>${msgId}<`));
    const file = join(dir, "alpine.json");
    const built = await build(cli, keyOf.alpine, xml, file);
    expect(built.code, built.err).to.equal(ExitCode.ok);
    const submitted = await cli("--key-file", keyOf.alpine, "batch", "submit", file);
    expect(submitted.code, submitted.err).to.equal(ExitCode.ok);
    const out = join(dir, "pacs002.xml");
    const r = await cli("iso", "report", file, "--out", out);
    expect(r.code, r.err).to.equal(ExitCode.ok);
    expect(r.out).to.equal(`Wrote ${out}: pacs.002.001.10 ACCP for 5 payments — not settled yet (Submitted)\n`);
    const report = parsePacs002(readFileSync(out));
    expect(report).to.deep.include({ originalMessageId: msgId, groupStatus: "ACCP" });
    const headLine = readFileSync(file, "utf8").split("\n")[0];
    const metadata = (JSON.parse(headLine) as { metadata: Record<string, unknown> }).metadata;
    expect(metadata).to.deep.include({ messageId: msgId, source: `pacs.008 ${msgId}` });

    const records = join(dir, "records.json");
    expect((await cli("iso", "import", SMALL_SAMPLE, "--banks", BANKS_JSON, "--out", records)).code).to.equal(0);
    const fromJson = join(dir, "from-json.json");
    expect((await build(cli, keyOf.alpine, records, fromJson)).code).to.equal(ExitCode.ok);
    const unknown = await cli("iso", "report", fromJson, "--out", out);
    expect(unknown.code).to.equal(ExitCode.badInput);
    expect(unknown.err).to.match(/was not built from a pacs\.008: its original message id is unknown/);
  });
  // Last: an in-process run that reads the chain through --registry leaves the next tests' batches
  // looking not yet final (a client cache across loadFixture reverts?), so it runs after them.
  it("iso import --registry maps agents named only by LEI through the members' LEI hashes on chain", async () => {
    const { cli, addr } = await loadFixture(cliFixture);
    const dir = workDir();
    const out = join(dir, "records.json");
    const leiOnly = readFileSync(join(SAMPLES, "pacs008-v10-lei.xml"), "utf8")
      .replace(/<CdtTrfTxInf>[\s\S]*?<\/CdtTrfTxInf>/, "")
      .replace("<NbOfTxs>2", "<NbOfTxs>1")
      .replace(/<CtrlSum>.*<\/CtrlSum>/, "")
      .replace("5299000ALPINEBNK0037", leiWithCheckDigits("5493000SETTLE00000"))
      .replace("5299000CELTICBNK0042", leiWithCheckDigits("5493000SETTLE20000"));
    const leiFile = join(dir, "lei-only.xml");
    writeFileSync(leiFile, leiOnly);
    const viaRegistry = await cli("iso", "import", leiFile, "--registry", "--out", out);
    expect(viaRegistry.code, viaRegistry.err).to.equal(ExitCode.ok);
    expect(JSON.parse(readFileSync(out, "utf8"))[0]).to.deep.include({
      debtorBank: addr.alpine,
      creditorBank: addr.celtic,
    });
    const withoutRegistry = await cli("iso", "import", leiFile, "--banks", BANKS_JSON, "--out", out);
    expect(withoutRegistry.code).to.equal(ExitCode.badInput);
    expect(withoutRegistry.err).to.match(/LEI 5493000SETTLE00000\d\d maps to no member bank/);
  });
});
