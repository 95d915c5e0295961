/**
 * ISO 20022 message kinds and field rules beyond pacs.008 basics: versions 08–13, pacs.009 (with
 * cover), pacs.004 returns that net against the original, agent identification (BIC, LEI, its
 * registry hash, clearing-system ids), ISO 4217 minor units, group totals, duplicate ids,
 * skipInvalid with a pacs.002 of the rejections, and reconciling a counterparty's pacs.002.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { leiHash } from "../../packages/sdk/src/registry/identifiers";
import { accountHash, NO_ACCOUNT_HASH, otherAccountHash } from "../../packages/sdk/src/settlement/record";
import {
  ISO4217_MINOR_UNITS,
  Iso20022Error,
  IsoPaymentError,
  MessageMapper,
  bankMapEntriesFromMembers,
  buildPacs002,
  buildRejectionReport,
  createBankMap,
  createMappingContext,
  importIsoMessage,
  importPacs008,
  messageKindOf,
  parseBankKey,
  parsePacs002,
  reconcilePacs002,
} from "../../packages/sdk/src/settlement/iso20022";
import { Iso20022Validator, formatXsdIssues } from "../../scripts/lib/xsd";

const SAMPLES = join(__dirname, "..", "..", "samples", "iso20022");
const text = (name: string): string => readFileSync(join(SAMPLES, name), "utf8");
const banks = JSON.parse(text("banks-ids.json")) as Record<string, Address>;
const ALPINE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const BALTIC = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const CELTIC = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const DANUBE = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const TX = "Document/FIToFICstmrCdtTrf/CdtTrfTxInf";
const GRP = "Document/FIToFICstmrCdtTrf/GrpHdr";
const imp = (name: string, extra: Partial<Parameters<typeof importIsoMessage>[1]> = {}) =>
  importIsoMessage(text(name), { file: name, banks, ...extra });

function refusal(run: () => unknown): Iso20022Error {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(Iso20022Error);
    return e as Iso20022Error;
  }
  return expect.fail("expected an Iso20022Error");
}

describe("ISO 20022 messages, versions and agents", () => {
  it("imports pacs.008 versions 09, 10, 12, 13 with their ids, minor units and agents", () => {
    const v09 = imp("pacs008-v09-uetr.xml");
    expect(v09).to.deep.include({ kind: "pacs.008", messageId: "ALPN-20250315-0009" });
    expect(v09.records.map((r) => [r.paymentId, r.amount, r.creditorBank])).to.deep.equal([
      ["8a562c67-ca16-48ba-b074-65581be6f011", 100_000n, BALTIC],
      ["b1f6c2d4-3e5a-4c7b-9d8e-0f1a2b3c4d5e", 50_025n, CELTIC],
    ]);
    expect(v09.records[1].debtorAccountHash).to.equal(NO_ACCOUNT_HASH);
    const v10 = imp("pacs008-v10-lei.xml");
    expect(v10.records.map((r) => [r.paymentId, r.debtorBank, r.creditorBank, r.amount])).to.deep.equal([
      ["ALPN-TX-1001", ALPINE, DANUBE, 12_000n],
      ["ALPN-TX-1002", ALPINE, CELTIC, 20_000n], // LEI only
    ]);
    expect(v10.records[1].creditorAccountHash).to.equal(otherAccountHash("CELT-ACC-42"));
    expect(imp("pacs008-v12-jpy.xml").records[0]).to.deep.include({ amount: 75_000n, currency: "JPY" });
    expect(imp("pacs008-v13-bhd.xml").records[0]).to.deep.include({ amount: 12_345n, currency: "BHD" });
  });

  it("maps Fedwire-style agents by ABA routing number (USABA:<MmbId>)", () => {
    const fw = imp("pacs008-fedwire-usaba.xml");
    expect(fw.records.map((r) => [r.paymentId, r.debtorBank, r.creditorBank, r.amount, r.currency])).to.deep.equal([
      ["20250314MMQFMP2L000001", ALPINE, BALTIC, 2_500_000n, "USD"],
      ["20250314MMQFMP2L000002", ALPINE, BALTIC, 125_000n, "USD"],
    ]);
    const unmapped = refusal(() => imp("pacs008-unmapped-agent.xml"));
    expect(unmapped).to.be.instanceOf(IsoPaymentError);
    expect(unmapped).to.deep.include({
      element: `${TX}[1]/CdtrAgt/FinInstnId/ClrSysMmbId/MmbId`,
      reason: "ClrSysMmbId USABA:111000025 maps to no member bank (payment T1)",
      statusReason: "RC01",
    });
  });

  it("resolves agents with several ids by precedence and refuses ids of different members", () => {
    const v10 = text("pacs008-v10-lei.xml");
    // BIC unmapped but LEI mapped: the LEI decides.
    const onlyLei = Object.fromEntries(Object.entries(banks).filter(([k]) => k !== "ALPNCHZZXXX"));
    expect(importIsoMessage(v10, { banks: onlyLei }).records[0].debtorBank).to.equal(ALPINE);
    // BIC Alpine, LEI Baltic: refused naming both.
    const clash = refusal(() =>
      importIsoMessage(v10.replace("<LEI>5299000ALPINEBNK0037</LEI>", "<LEI>5299000BALTICBNK0083</LEI>"), { banks }),
    );
    expect(clash.element).to.equal(`${TX}[1]/DbtrAgt/FinInstnId`);
    expect(clash.reason).to.equal(
      `BICFI ALPNCHZZ is member ${ALPINE} but LEI 5299000BALTICBNK0083 is member ${BALTIC} (payment ALPN-TX-1001)`,
    );
    // Nothing maps: every identifier is named.
    const none = refusal(() => importIsoMessage(v10, { banks: { BALTLV22XXX: BALTIC } }));
    expect(none.reason).to.equal(
      "BICFI ALPNCHZZ, LEI 5299000ALPINEBNK0037 map to no member bank (payment ALPN-TX-1001)",
    );
    // A bad LEI check digit is refused at the element.
    const bad = refusal(() =>
      importIsoMessage(v10.replace(/5299000ALPINEBNK0037/g, "5299000ALPINEBNK0038"), { banks }),
    );
    expect(bad).to.deep.include({ element: `${TX}[1]/DbtrAgt/FinInstnId/LEI` });
    // The deployment's member table knows only keccak256(LEI): it maps LEIs too.
    const members = [
      { account: ALPINE as Address, leiHash: leiHash("5299000ALPINEBNK0037"), status: "Active" },
      { account: CELTIC as Address, leiHash: leiHash("5299000CELTICBNK0042"), status: "Active" },
      { account: DANUBE as Address, leiHash: leiHash("5299000DANUBEBNK0012"), status: "Removed" },
    ];
    const leiHashes = bankMapEntriesFromMembers(members);
    expect(Object.values(leiHashes)).to.deep.equal([ALPINE, CELTIC]); // the removed member is left out
    const second = importIsoMessage(
      v10
        .replace(/<CdtTrfTxInf>[\s\S]*?<\/CdtTrfTxInf>/, "")
        .replace("<NbOfTxs>2", "<NbOfTxs>1")
        .replace(/<CtrlSum>.*<\/CtrlSum>/, ""),
      {
        banks: {},
        leiHashes,
      },
    ).records;
    expect(second.map((r) => [r.debtorBank, r.creditorBank])).to.deep.equal([[ALPINE, CELTIC]]);
  });

  it("validates each bank-map key's kind and names the bad one", () => {
    expect(parseBankKey("ALPNCHZZ")).to.deep.equal({ kind: "BIC", key: "ALPNCHZZXXX" });
    expect(parseBankKey("5299000ALPINEBNK0037")).to.deep.equal({ kind: "LEI", key: "5299000ALPINEBNK0037" });
    expect(parseBankKey("usaba:011000028")).to.deep.equal({ kind: "clearing", key: "USABA:011000028" });
    expect(parseBankKey("5299000ALPINEBNK0038")).to.deep.equal({
      problem: "is an LEI whose ISO 17442 check digits are wrong",
    });
    expect(() => createBankMap({ ALPNCHZ: ALPINE })).to.throw(InvalidArgumentError, "banks.ALPNCHZ");
    expect(() => createBankMap({ "USABA:": ALPINE })).to.throw(InvalidArgumentError, "<ClrSysCd>:<MmbId>");
    expect(() => createBankMap({ ALPNCHZZ: ALPINE, ALPNCHZZXXX: BALTIC })).to.throw(
      InvalidArgumentError,
      "maps ALPNCHZZXXX to a second address",
    );
    expect(() => createBankMap({ ALPNCHZZ: "0x12" })).to.throw(InvalidArgumentError, "is not a bank address");
  });

  it("imports pacs.009 interbank transfers (the institutions are the banks), cover payments included", () => {
    const fi = imp("pacs009-cover.xml");
    expect(fi.kind).to.equal("pacs.009");
    expect(fi.records.map((r) => [r.paymentId, r.endToEndId, r.debtorBank, r.creditorBank, r.amount])).to.deep.equal([
      ["ALPN-FI-0001", "LIQ-20250314-01", ALPINE, BALTIC, 500_000_000n],
      ["ALPN-COV-0002", "INV-COVER-77", ALPINE, CELTIC, 25_000n],
    ]);
    // The cover's underlying customer account is not the interbank leg's.
    expect(fi.records[1].creditorAccountHash).to.equal(NO_ACCOUNT_HASH);
    const noCdtr = refusal(() =>
      importIsoMessage(
        text("pacs009-cover.xml").replace(
          /<Cdtr>\s*<FinInstnId>\s*<BICFI>BALTLV22XXX/,
          "<Cdtr><FinInstnId><BICFI>ZZZZLV22XXX",
        ),
        {
          banks,
        },
      ),
    );
    expect(noCdtr.element).to.equal("Document/FICdtTrf/CdtTrfTxInf[1]/Cdtr/FinInstnId/BICFI");
  });

  it("imports a pacs.004 return as a record from the returning bank that nets against the original", () => {
    const original = importPacs008(text("pacs008-alpine-small.xml"), { banks }).records[2];
    const ret = imp("pacs004-return-alpine.xml");
    expect(ret.kind).to.equal("pacs.004");
    expect(ret.returns).to.deep.equal({ "DANU-RTR-0001": "ALPN-TX-0003" });
    const [r] = ret.records;
    expect(r).to.deep.equal({
      paymentId: "DANU-RTR-0001",
      debtorBank: original.creditorBank,
      creditorBank: original.debtorBank,
      amount: original.amount,
      currency: "EUR",
      valueDate: "2025-03-18",
      endToEndId: original.endToEndId,
      debtorAccountHash: original.creditorAccountHash,
      creditorAccountHash: original.debtorAccountHash,
    });
    // Without InstgAgt/InstdAgt the original's agents are used, reversed.
    const noInstg = text("pacs004-return-alpine.xml").replace(/<InstgAgt>[\s\S]*?<\/InstdAgt>\n/, "");
    expect(importIsoMessage(noInstg, { banks }).records[0]).to.deep.include({
      debtorBank: DANUBE,
      creditorBank: ALPINE,
    });
    const noRtrId = refusal(() =>
      importIsoMessage(text("pacs004-return-alpine.xml").replace(/<RtrId>.*<\/RtrId>/, ""), { banks }),
    );
    expect(noRtrId.element).to.equal("Document/PmtRtr/TxInf[1]/RtrId");
    const total = refusal(() =>
      importIsoMessage(
        text("pacs004-return-alpine.xml").replace('Ccy="EUR">250.00</TtlRtrd', 'Ccy="EUR">25.00</TtlRtrd'),
        { banks },
      ),
    );
    expect(total).to.deep.include({ element: "Document/PmtRtr/GrpHdr/TtlRtrdIntrBkSttlmAmt" });
  });

  it("dispatches by Document namespace and names the supported messages", () => {
    expect(messageKindOf("urn:iso:std:iso:20022:tech:xsd:pacs.009.001.12", "f").id).to.equal("pacs.009");
    const wrong = refusal(() => imp("pacs008-wrong-namespace.xml"));
    expect(wrong.element).to.equal("Document");
    expect(wrong.reason).to.equal(
      "namespace urn:iso:std:iso:20022:tech:xsd:pacs.003.001.08 is not a supported message " +
        "(pacs.008.001.02 – .13, pacs.009.001.08 – .12, pacs.004.001.09 – .14)",
    );
    const only008 = refusal(() => importPacs008(text("pacs009-cover.xml"), { banks }));
    expect(only008.reason).to.match(/is not a supported message \(pacs\.008\.001\.02 – \.13\)$/);
  });

  it("checks field rules the XSD does not: ISO 4217 minor units, NbOfTxs, totals, UETR, duplicates", () => {
    expect(ISO4217_MINOR_UNITS).to.deep.include({ EUR: 2, JPY: 0, BHD: 3, CLF: 4, ISK: 0 });
    expect(ISO4217_MINOR_UNITS).not.to.have.property("XAU");
    const jpy = refusal(() => imp("pacs008-jpy-decimals.xml"));
    expect(jpy).to.deep.include({ reason: "1500.50 JPY has more decimals than JPY's 0", statusReason: "AM02" });
    const count = refusal(() => imp("pacs008-nboftxs-mismatch.xml"));
    expect(count).to.deep.include({
      element: `${GRP}/NbOfTxs`,
      reason: "says 3 transactions but the message has 2 CdtTrfTxInf",
    });
    const dup = refusal(() => imp("pacs008-duplicate-uetr.xml"));
    expect(dup).to.deep.include({
      element: `${TX}[2]/PmtId/UETR`,
      reason: "8a562c67-ca16-48ba-b074-65581be6f011 repeats CdtTrfTxInf[1]",
      statusReason: "AM05",
    });
    const v09 = text("pacs008-v09-uetr.xml");
    const ttl = refusal(() =>
      importIsoMessage(v09.replace("<CtrlSum>1500.25</CtrlSum>", "").replace('EUR">1500.25<', 'EUR">1500.20<'), {
        banks,
      }),
    );
    expect(ttl).to.deep.include({
      element: `${GRP}/TtlIntrBkSttlmAmt`,
      reason: "is 1500.20 EUR but the IntrBkSttlmAmt add up to 1500.25",
    });
    const ccy = refusal(() => importIsoMessage(v09.replace('Ccy="EUR">500.25', 'Ccy="CHF">500.25'), { banks }));
    expect(ccy).to.deep.include({
      element: `${TX}[2]/IntrBkSttlmAmt/@Ccy`,
      reason: "is CHF but TtlIntrBkSttlmAmt is in EUR",
    });
    const uetr = refusal(() => importIsoMessage(v09.replace("b1f6c2d4-3e5a-4c7b", "b1f6c2d4-3e5a-1c7b"), { banks }));
    expect(uetr).to.deep.include({ element: `${TX}[2]/PmtId/UETR` });
    const e2e = refusal(() => importIsoMessage(v09.replace("INV-9002", "INV-9001"), { banks }));
    expect(e2e).to.deep.include({ element: `${TX}[2]/PmtId/EndToEndId`, reason: "INV-9001 repeats CdtTrfTxInf[1]" });
  });

  it("maps a message one transaction at a time (the streaming driver's interface)", () => {
    const ctx = createMappingContext({ banks }, "stream.xml");
    const kind = messageKindOf("urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08", ctx.file);
    const header = {
      MsgId: "M-1",
      CreDtTm: "2025-03-14T09:00:00Z",
      NbOfTxs: "2",
      CtrlSum: "3.00",
      IntrBkSttlmDt: "2025-03-14",
    };
    const tx = (id: string, amount: string) => ({
      PmtId: { EndToEndId: id, TxId: id },
      IntrBkSttlmAmt: { "#text": amount, "@Ccy": "EUR" },
      DbtrAgt: { FinInstnId: { BICFI: "ALPNCHZZXXX" } },
      CdtrAgt: { FinInstnId: { BICFI: "BALTLV22XXX" } },
    });
    const mapper = new MessageMapper(ctx, kind, header);
    expect(mapper.transaction(tx("A", "1.00"), 1)).to.deep.include({ paymentId: "A", amount: 100n });
    expect(mapper.transaction(tx("B", "2.00"), 2)).to.deep.include({ paymentId: "B", amount: 200n });
    mapper.finish();
    const short = new MessageMapper(ctx, kind, header);
    short.transaction(tx("A", "1.00"), 1);
    expect(refusal(() => short.finish()).reason).to.equal("says 2 transactions but the message has 1 CdtTrfTxInf");
  });
});

describe("ISO 20022 --skip-invalid and pacs.002 reconciliation", () => {
  let validator: Iso20022Validator;
  before(async () => {
    validator = await Iso20022Validator.create();
  });
  after(() => validator.dispose());

  it("skipInvalid keeps the valid payments and answers the refused ones in a valid pacs.002 (RJCT + code)", () => {
    const small = text("pacs008-alpine-small.xml")
      .replace("LV92BALT0002345678901", "LV93BALT0002345678901") // tx 1: bad IBAN → AC01
      .replace('Ccy="EUR">99.99', 'Ccy="EUR">99.999') // tx 2: too many decimals → AM02
      .replace("<BICFI>DANUATWWXXX</BICFI>", "<BICFI>ZZZZATWWXXX</BICFI>") // tx 3: unknown agent → RC01
      .replace("<CtrlSum>1001600.50</CtrlSum>", "<CtrlSum>1001600.509</CtrlSum>");
    const result = importIsoMessage(small, { file: "mixed.xml", banks, skipInvalid: true });
    expect(result.records.map((r) => r.paymentId)).to.deep.equal([
      "ALPN-TX-0004",
      "3f2c9a1e-7b4d-4c8e-9a6f-2d1b0e5c7a93",
    ]);
    expect(result.refused.map((p) => [p.index, p.reasonCode, p.txId])).to.deep.equal([
      [1, "AC01", "ALPN-TX-0001"],
      [2, "AM02", "ALPN-TX-0002"],
      [3, "RC01", "ALPN-TX-0003"],
    ]);
    expect(() => importIsoMessage(small, { banks })).to.throw(Iso20022Error, "CdtrAcct/Id/IBAN");
    const xml = buildRejectionReport({ imported: result, createdAt: new Date("2025-03-14T10:00:00Z") });
    const report = validator.validate(xml);
    expect(report.valid, formatXsdIssues(report)).to.equal(true);
    const parsed = parsePacs002(xml);
    expect(parsed).to.deep.include({ originalMessageId: "ALPN-20250314-0001", groupStatus: "PART" });
    expect(parsed.transactions.map((t) => [t.originalTxId, t.status, t.reason])).to.deep.equal([
      ["ALPN-TX-0001", "RJCT", "AC01"],
      ["ALPN-TX-0002", "RJCT", "AM02"],
      ["ALPN-TX-0003", "RJCT", "RC01"],
    ]);
    expect(xml).to.include("<AddtlInf>CdtTrfTxInf[1]/CdtrAcct/Id/IBAN: LV93BALT0002345678901 is not a valid IBAN");
    // Streamed (a count of accepted payments) and with the original's AppHdr: an Envelope, each part valid.
    const appHdr = {
      namespace: "urn:iso:std:iso:20022:tech:xsd:head.001.001.03",
      bizMsgIdr: "ALPN-20250314-0001",
      msgDefIdr: "pacs.008.001.08",
      from: "ALPNCHZZXXX",
      to: "BALTLV22XXX",
      creationDate: "2025-03-14T09:00:00Z",
    };
    const { messageId, namespace, refused } = result;
    const streamed = { messageId, namespace, refused, accepted: 0 };
    const enveloped = buildRejectionReport({ imported: streamed, appHdr, createdAt: new Date("2025-03-14T10:00:00Z") });
    const checked = validator.validate(enveloped);
    expect(checked.valid, formatXsdIssues(checked)).to.equal(true);
    expect(checked.messages).to.deep.equal(["head.001.001.03", "pacs.002.001.10"]);
    expect(enveloped).to.include("<GrpSts>RJCT</GrpSts>").and.include("<Rltd>");
    // Group rules stay fatal: a wrong NbOfTxs refuses the message even with skipInvalid.
    expect(() => imp("pacs008-nboftxs-mismatch.xml", { skipInvalid: true })).to.throw(Iso20022Error, "NbOfTxs");
    expect(() => buildRejectionReport({ imported: imp("pacs008-v09-uetr.xml") })).to.throw(
      InvalidArgumentError,
      "is empty",
    );
  });

  it("reads pacs.002 versions 10–13 and reconciles a counterparty's report against a batch", () => {
    const { records } = importPacs008(text("pacs008-alpine-small.xml"), { banks });
    const report = parsePacs002(text("pacs002-baltic-status.xml"));
    const { payments, unmatched } = reconcilePacs002(report, records);
    expect(payments.map((p) => [p.paymentId, p.status, p.reason])).to.deep.equal([
      ["ALPN-TX-0001", "accepted", undefined],
      ["ALPN-TX-0002", "unknown", undefined],
      ["ALPN-TX-0003", "unknown", undefined],
      ["ALPN-TX-0004", "rejected", "AC04"],
      ["3f2c9a1e-7b4d-4c8e-9a6f-2d1b0e5c7a93", "unknown", undefined],
    ]);
    expect(unmatched.map((t) => t.originalTxId)).to.deep.equal(["ALPN-TX-9999"]);
    const built = buildPacs002({ originalMessageId: "ALPN-20250314-0001", batchId: 1n, status: "ACSC", records });
    for (const v of ["10", "11", "12", "13"]) {
      const xml = built.replace("pacs.002.001.10", `pacs.002.001.${v}`);
      if (v !== "10") expect(validator.validate(xml).valid, v).to.equal(true);
      const all = reconcilePacs002(parsePacs002(xml), records).payments;
      expect(
        all.every((p) => p.status === "accepted"),
        v,
      ).to.equal(true);
    }
    // A report with only a group status applies it to every payment.
    const groupOnly = { ...report, groupStatus: "RJCT", transactions: [] };
    expect(reconcilePacs002(groupOnly, records).payments.every((p) => p.status === "rejected")).to.equal(true);
  });

  it("a rejected payment's reason is chosen from the element refused", () => {
    const refused = imp("pacs008-v13-bhd.xml", { skipInvalid: true, currencyDecimals: {} });
    expect(refused.refused).to.deep.equal([]);
    const bad = importIsoMessage(
      text("pacs008-v13-bhd.xml").replace("<IntrBkSttlmDt>2025-03-18", "<IntrBkSttlmDt>2025-02-30"),
      {
        banks,
        skipInvalid: true,
      },
    );
    // An impossible date passes the sums but fails the record: DT01.
    expect(bad.refused.map((p) => p.reasonCode)).to.deep.equal(["DT01"]);
    expect(accountHash("CH9300762011623852957")).to.match(/^0x/);
  });
});
