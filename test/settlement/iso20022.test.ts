import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import { ClearhouseError, InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import {
  accountHash,
  NO_ACCOUNT_HASH,
  otherAccountHash,
  type PaymentRecord,
} from "../../packages/sdk/src/settlement/record";
import {
  DEFAULT_MAX_BYTES,
  Iso20022Error,
  buildPacs002,
  groupStatusOf,
  importPacs008,
  parsePacs002,
  type Pacs002Status,
} from "../../packages/sdk/src/settlement/iso20022";
import { generatePacs008 } from "../../scripts/iso/generate-pacs008";

const SAMPLES = join(__dirname, "..", "..", "samples", "iso20022");
const sample = (name: string): Buffer => readFileSync(join(SAMPLES, name));
const banks = JSON.parse(readFileSync(join(SAMPLES, "banks.json"), "utf8")) as Record<string, Address>;
const small = sample("pacs008-alpine-small.xml").toString("utf8");

const ALPINE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const BALTIC = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const CELTIC = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const DANUBE = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const TX = "Document/FIToFICstmrCdtTrf/CdtTrfTxInf";
const GRP = "Document/FIToFICstmrCdtTrf/GrpHdr";

function refusal(run: () => unknown): Iso20022Error {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(Iso20022Error);
    expect(e).to.be.instanceOf(ClearhouseError);
    return e as Iso20022Error;
  }
  return expect.fail("expected an Iso20022Error");
}

const load = (xml: string | Buffer, file = "test.xml") => importPacs008(xml, { file, banks });
/** The small sample with its first transaction's amount replaced (CtrlSum dropped). */
const withAmount = (amount: string, ccy = "EUR") =>
  small
    .replace(
      '<IntrBkSttlmAmt Ccy="EUR">1250.00</IntrBkSttlmAmt>',
      `<IntrBkSttlmAmt Ccy="${ccy}">${amount}</IntrBkSttlmAmt>`,
    )
    .replace(/<CtrlSum>.*<\/CtrlSum>/, "");

describe("ISO 20022 pacs.008 import", () => {
  it("imports the small Alpine sample exactly", () => {
    const result = importPacs008(sample("pacs008-alpine-small.xml"), { file: "pacs008-alpine-small.xml", banks });
    expect(result.messageId).to.equal("ALPN-20250314-0001");
    expect(result.creationDateTime).to.equal("2025-03-14T08:30:00+01:00");
    const alpineA = accountHash("CH9300762011623852957");
    const alpineB = accountHash("CH0200230004567890123");
    // keccak256("IBAN:CH9300762011623852957") (docs/spec/batch-encoding.md)
    expect(alpineA).to.equal("0x3cfc30e4da9023c5246d36bb0b10e31caf70741f55480dab09f8a0c3fcc9df8d");
    const rec = (r: Omit<PaymentRecord, "currency" | "debtorBank">): PaymentRecord => ({
      ...r,
      currency: "EUR",
      debtorBank: ALPINE,
    });
    expect(result.records).to.deep.equal([
      rec({
        paymentId: "ALPN-TX-0001",
        creditorBank: BALTIC,
        amount: 125_000n,
        valueDate: "2025-03-14",
        endToEndId: "INV-2025-0042",
        debtorAccountHash: alpineA,
        creditorAccountHash: accountHash("LV92BALT0002345678901"),
      }),
      rec({
        paymentId: "ALPN-TX-0002",
        creditorBank: CELTIC,
        amount: 9_999n,
        valueDate: "2025-03-14",
        endToEndId: "ORDER-7731",
        debtorAccountHash: alpineB,
        creditorAccountHash: accountHash("IE39CELT93115212345678"),
      }),
      rec({
        paymentId: "ALPN-TX-0003",
        creditorBank: DANUBE,
        amount: 25_000n, // "250": no fraction digits
        valueDate: "2025-03-17", // the transaction's own IntrBkSttlmDt wins over the group header's
        endToEndId: "RENT-2025-03",
        debtorAccountHash: alpineA,
        creditorAccountHash: accountHash("AT611904300234573201"),
      }),
      rec({
        paymentId: "ALPN-TX-0004",
        creditorBank: BALTIC,
        amount: 100_000_050n, // "1000000.5"
        valueDate: "2025-03-14",
        endToEndId: "CAPEX-0099",
        debtorAccountHash: otherAccountHash("ALPN-CUST-7781"), // DbtrAcct/Id/Othr/Id
        creditorAccountHash: accountHash("LV63BALT0009876543210"),
      }),
      rec({
        paymentId: "3f2c9a1e-7b4d-4c8e-9a6f-2d1b0e5c7a93", // no TxId: the UETR
        creditorBank: DANUBE,
        amount: 1n,
        valueDate: "2025-03-14",
        endToEndId: "NOTPROVIDED",
        debtorAccountHash: alpineB,
        creditorAccountHash: accountHash("AT671904300987654321"),
      }),
    ]);
  });

  it("converts decimal amounts exactly, without floats", () => {
    // 1.15 * 100 is 114.99999999999999 in floating point; 18 digits exceed 2^53.
    for (const [text, minor] of [
      ["1.15", 115n],
      ["4.35", 435n],
      ["0.29", 29n],
      ["+12.3", 1230n],
      ["007.", 700n],
      ["9007199254740993.07", 900719925474099307n],
    ] as const) {
      expect(load(withAmount(text)).records[0].amount, text).to.equal(minor);
    }
    const notDecimal = refusal(() => load(withAmount("1e3")));
    expect(notDecimal.element).to.equal(`${TX}[1]/IntrBkSttlmAmt`);
    expect(notDecimal.reason).to.equal("1e3 is not a decimal amount of at most 18 digits");
    expect(refusal(() => load(withAmount("-5.00"))).reason).to.match(/not a decimal amount/);
    expect(refusal(() => load(withAmount("1234567890123456789"))).reason).to.match(/at most 18 digits/);
    const zero = refusal(() => load(withAmount("0.00")));
    expect(zero.element).to.equal(`${TX}[1]/IntrBkSttlmAmt`);
    expect(zero.cause).to.be.instanceOf(InvalidArgumentError); // validateRecord's refusal, wrapped
  });

  it("refuses JPY with decimals and accepts other currencies' minor units", () => {
    const jpy = refusal(() => load(withAmount("15000.5", "JPY"), "jpy.xml"));
    expect(jpy.shortMessage).to.equal(
      "jpy.xml: CdtTrfTxInf[1]/IntrBkSttlmAmt: 15000.5 JPY has more decimals than JPY's 0",
    );
    expect(load(withAmount("15000", "JPY")).records[0]).to.include({ amount: 15_000n, currency: "JPY" });
    expect(load(withAmount("1.005", "KWD")).records[0].amount).to.equal(1_005n);
    expect(load(withAmount("10.00", "SEK")).records[0].amount).to.equal(1_000n);
    expect(load(withAmount("10", "ISK")).records[0].amount).to.equal(10n); // ISO 4217: ISK has 0
    const gold = refusal(() => load(withAmount("10", "XAU"))); // a code without minor unit (N.A.)
    expect(gold.element).to.equal(`${TX}[1]/IntrBkSttlmAmt/@Ccy`);
    expect(gold.reason).to.equal("XAU has no known minor unit");
    const opts = { banks, currencyDecimals: { XAU: 0 } };
    expect(importPacs008(withAmount("10", "XAU"), opts).records[0].amount).to.equal(10n);
  });

  it("refuses each bad sample with the element and the reason", () => {
    const xxe = refusal(() => importPacs008(sample("pacs008-xxe.xml"), { file: "pacs008-xxe.xml", banks }));
    expect(xxe).to.deep.include({ file: "pacs008-xxe.xml", element: "", line: 2, column: 1 });
    expect(xxe.reason).to.match(/^<!DOCTYPE is refused: DTDs and entity declarations are not accepted/);
    expect(xxe.message).not.to.match(/root:/); // /etc/passwd was never read

    const bad = refusal(() => importPacs008(sample("pacs008-malformed.xml"), { file: "pacs008-malformed.xml", banks }));
    expect(bad).to.deep.include({ element: "", line: 44, column: 29 });
    expect(bad.shortMessage).to.equal(
      "pacs008-malformed.xml: line 44, column 29: not well-formed XML: " +
        "Expected closing tag 'EndToEndId' (opened in line 44, col 9) instead of closing tag 'EndToEnd'.",
    );

    const amount = refusal(() =>
      importPacs008(sample("pacs008-bad-amount.xml"), { file: "pacs008-bad-amount.xml", banks }),
    );
    expect(amount.element).to.equal(`${TX}[3]/IntrBkSttlmAmt`);
    expect(amount.reason).to.equal("10.005 EUR has more decimals than EUR's 2");
    expect(amount.shortMessage).to.equal(
      "pacs008-bad-amount.xml: CdtTrfTxInf[3]/IntrBkSttlmAmt: 10.005 EUR has more decimals than EUR's 2",
    );

    const missing = refusal(() => importPacs008(sample("pacs008-missing-element.xml"), { banks }));
    expect(missing).to.deep.include({ file: "pacs.008", element: `${TX}[2]/IntrBkSttlmAmt`, reason: "missing" });
  });

  it("refuses DTDs in any form, undeclared entities and foreign encodings", () => {
    const bomb = `<?xml version="1.0"?><!doctype lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;">]><lolz>&lol1;</lolz>`;
    expect(refusal(() => load(bomb)).reason).to.match(/^<!DOCTYPE is refused/);
    const entity = refusal(() => load(small.replace("<EndToEndId>INV-2025-0042", "<EndToEndId>&xxe;")));
    expect(entity.reason).to.match(/^undeclared entity &xxe;/);
    const latin1 = small.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    expect(refusal(() => load(latin1)).reason).to.equal(
      "declares encoding ISO-8859-1: ISO 20022 messages must be UTF-8",
    );
    expect(refusal(() => load(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).reason).to.equal(
      "not valid UTF-8",
    );
  });

  it("refuses a file over maxBytes before parsing it", () => {
    const size = Buffer.byteLength(small);
    const tooSmall = refusal(() => importPacs008(small, { file: "big.xml", banks, maxBytes: size - 1 }));
    expect(tooSmall).to.deep.include({ element: "", reason: `${size} bytes exceed the limit of ${size - 1} bytes` });
    expect(importPacs008(small, { banks, maxBytes: size }).records).to.have.length(5);
    // Neither well-formed nor DTD-free, yet the size is what is reported: nothing else was looked at.
    const huge = Buffer.alloc(DEFAULT_MAX_BYTES + 1, "<!DOCTYPE x [");
    const started = performance.now();
    expect(refusal(() => load(huge)).reason).to.equal(
      `${DEFAULT_MAX_BYTES + 1} bytes exceed the limit of 10485760 bytes`,
    );
    expect(performance.now() - started).to.be.below(50);
    // Multi-byte characters count as bytes, not as UTF-16 units.
    const euros = `<a>${"€".repeat(400)}</a>`;
    expect(refusal(() => importPacs008(euros, { banks, maxBytes: 1000 })).reason).to.match(/^1207 bytes exceed/);
  });

  it("checks NbOfTxs and CtrlSum against the transactions", () => {
    const count = refusal(() => load(small.replace("<NbOfTxs>5</NbOfTxs>", "<NbOfTxs>6</NbOfTxs>")));
    expect(count.element).to.equal(`${GRP}/NbOfTxs`);
    expect(count.reason).to.equal("says 6 transactions but the message has 5 CdtTrfTxInf");
    const sum = refusal(() => load(small.replace("<CtrlSum>1001600.50</CtrlSum>", "<CtrlSum>1001600.51</CtrlSum>")));
    expect(sum).to.deep.include({
      element: `${GRP}/CtrlSum`,
      reason: "is 1001600.51 but the amounts add up to 1001600.50",
    });
  });

  it("refuses an unknown BIC, a bad IBAN, duplicate ids and an intra-bank payment", () => {
    const three = Object.fromEntries(Object.entries(banks).filter(([bic]) => bic !== "DANUATWWXXX"));
    const unknown = refusal(() => importPacs008(small, { banks: three }));
    expect(unknown.element).to.equal(`${TX}[3]/CdtrAgt/FinInstnId/BICFI`);
    expect(unknown.reason).to.equal("BICFI DANUATWWXXX maps to no member bank (payment ALPN-TX-0003)");
    const iban = refusal(() => load(small.replace("LV92BALT0002345678901", "LV93BALT0002345678901")));
    expect(iban.element).to.equal(`${TX}[1]/CdtrAcct/Id/IBAN`);
    const dup = refusal(() => load(small.replace("ALPN-TX-0002", "ALPN-TX-0001")));
    expect(dup).to.deep.include({ element: `${TX}[2]/PmtId/TxId`, reason: "ALPN-TX-0001 repeats CdtTrfTxInf[1]" });
    const self = refusal(() => load(small.replace("<BICFI>BALTLV22XXX</BICFI>", "<BICFI>ALPNCHZZXXX</BICFI>")));
    expect(self.element).to.equal(`${TX}[1]/CdtrAgt/FinInstnId/BICFI`);
    expect(self.reason).to.match(/^equals the debtor bank/);
    const long = refusal(() => load(small.replace("INV-2025-0042", "X".repeat(36))));
    expect(long).to.deep.include({ element: `${TX}[1]/PmtId/EndToEndId` });
    expect(long.cause).to.be.instanceOf(InvalidArgumentError);
  });

  it("takes TxId, else UETR, else EndToEndId as payment id; refuses a payment nothing identifies (decision 026)", () => {
    const [first] = load(small).records;
    expect(first.paymentId).to.equal("ALPN-TX-0001");
    const uetr = "0e5f1b1c-2f4a-4d7e-8b1a-3c9d2e4f5a6b";
    const noTxId = small.replace("<TxId>ALPN-TX-0001</TxId>", "");
    expect(load(noTxId).records[0].paymentId).to.equal("INV-2025-0042"); // EndToEndId
    const withUetr = small.replace("<TxId>ALPN-TX-0001</TxId>", `<UETR>${uetr}</UETR>`);
    expect(load(withUetr).records[0].paymentId).to.equal(uetr);
    // TxId wins over a UETR.
    const both = small.replace("<TxId>ALPN-TX-0001</TxId>", `<TxId>ALPN-TX-0001</TxId><UETR>${uetr}</UETR>`);
    expect(load(both).records[0].paymentId).to.equal("ALPN-TX-0001");
    // InstrId is never the payment id (ALPN-INSTR-0001 is ignored).
    expect(load(noTxId).records[0].paymentId).not.to.equal("ALPN-INSTR-0001");
    const nothing = refusal(() => load(noTxId.replace("<EndToEndId>INV-2025-0042", "<EndToEndId>NOTPROVIDED")));
    expect(nothing).to.deep.include({
      element: `${TX}[1]/PmtId`,
      reason: "has no TxId, no UETR and EndToEndId is NOTPROVIDED: nothing identifies the payment",
    });
    const badUetr = refusal(() => load(withUetr.replace(uetr, uetr.toUpperCase())));
    expect(badUetr).to.deep.include({ element: `${TX}[1]/PmtId/UETR` });
    expect(badUetr.reason).to.match(/is not a UETR \(a lower-case UUIDv4\)$/);
    // An EndToEndId taken as id collides with another payment's TxId: refused as a duplicate.
    const dup = refusal(() => load(noTxId.replace("<TxId>ALPN-TX-0002</TxId>", "<TxId>INV-2025-0042</TxId>")));
    expect(dup).to.deep.include({ element: `${TX}[2]/PmtId/TxId`, reason: "INV-2025-0042 repeats CdtTrfTxInf[1]" });
  });

  it("hashes an absent account as NO_ACCOUNT_HASH and an Othr/Id apart from an IBAN of the same text", () => {
    const noAccounts = small
      .replace(/<DbtrAcct>[\s\S]*?<\/DbtrAcct>/, "")
      .replace(/<CdtrAcct>[\s\S]*?<\/CdtrAcct>/, "");
    const [r] = load(noAccounts).records;
    expect(NO_ACCOUNT_HASH).to.equal(`0x${"0".repeat(64)}`);
    expect(r.debtorAccountHash).to.equal(NO_ACCOUNT_HASH);
    expect(r.creditorAccountHash).to.equal(NO_ACCOUNT_HASH);
    expect(load(noAccounts).records[1].debtorAccountHash).to.equal(accountHash("CH0200230004567890123"));
    // The same text as an IBAN and as Othr/Id: two different hashes.
    const asOther = small.replace("<IBAN>LV92BALT0002345678901</IBAN>", "<Othr><Id>LV92BALT0002345678901</Id></Othr>");
    const other = load(asOther).records[0].creditorAccountHash;
    expect(other).to.equal(otherAccountHash("LV92BALT0002345678901"));
    expect(other).not.to.equal(accountHash("LV92BALT0002345678901"));
    // An Id with neither IBAN nor Othr is refused, naming it.
    const empty = refusal(() => load(small.replace("<IBAN>LV92BALT0002345678901</IBAN>", "<Prxy/>")));
    expect(empty).to.deep.include({ element: `${TX}[1]/CdtrAcct/Id`, reason: "has neither IBAN nor Othr/Id" });
  });

  it("takes a transaction's IntrBkSttlmDt over the group header's, and the group's otherwise", () => {
    const records = load(small).records;
    expect(records.map((r) => r.valueDate)).to.deep.equal([
      "2025-03-14",
      "2025-03-14",
      "2025-03-17",
      "2025-03-14",
      "2025-03-14",
    ]);
    const noGroupDate = small.replace("<IntrBkSttlmDt>2025-03-14</IntrBkSttlmDt>", "");
    const missing = refusal(() => load(noGroupDate));
    expect(missing).to.deep.include({
      element: `${TX}[1]/IntrBkSttlmDt`,
      reason: "missing (neither in the transaction nor in GrpHdr)",
    });
  });

  it("accepts pacs.008 versions 02–13 and namespace prefixes, decodes the XML entities", () => {
    expect(load(small.replace("pacs.008.001.08", "pacs.008.001.13")).records).to.have.length(5);
    expect(refusal(() => load(small.replace("pacs.008.001.08", "pacs.008.001.14"))).element).to.equal("Document");
    expect(refusal(() => load(small.replace("pacs.008.001.08", "pacs.009.001.08"))).element).to.equal("Document");
    const prefixed = small.replace(/<(\/?)([A-Z][A-Za-z]*)/g, "<$1p:$2").replace('xmlns="urn', 'xmlns:p="urn');
    expect(load(prefixed).records).to.deep.equal(load(small).records);
    const escaped = load(small.replace("INV-2025-0042", "A&lt;&amp;&gt;&#66;&#x43;&quot;"));
    expect(escaped.records[0].endToEndId).to.equal('A<&>BC"');
  });

  it("imports a generated 2,500-transaction file", function () {
    this.timeout(60_000);
    const params = { debtorBic: "ALPNCHZZXXX", creditorBics: ["BALTLV22XXX", "CELTIE2DXXX", "DANUATWWXXX"] };
    const xml = generatePacs008({ ...params, count: 2_500, seed: 42, valueDate: "2025-03-14" });
    expect(generatePacs008({ ...params, count: 2_500, seed: 42, valueDate: "2025-03-14" })).to.equal(xml);
    const started = performance.now();
    const { records } = importPacs008(xml, { file: "generated.xml", banks });
    const ms = performance.now() - started;
    console.log(
      `      2,500 transactions, ${(Buffer.byteLength(xml) / 1024).toFixed(0)} KiB imported in ${ms.toFixed(0)} ms`,
    );
    expect(records).to.have.length(2_500);
    expect(new Set(records.map((r) => r.paymentId)).size).to.equal(2_500);
    expect(records.every((r) => r.debtorBank === ALPINE && r.valueDate === "2025-03-14")).to.equal(true);
    expect(new Set(records.map((r) => r.creditorBank))).to.deep.equal(new Set([BALTIC, CELTIC, DANUBE]));
    expect(ms).to.be.below(10_000);
  });
});

describe("ISO 20022 pacs.002 status report", () => {
  const { records } = importPacs008(small, { banks });
  const createdAt = new Date("2025-03-14T09:15:00Z");

  it("round-trips an accepted batch", () => {
    const xml = buildPacs002({
      originalMessageId: "ALPN-20250314-0001",
      batchId: 7n,
      status: "ACSC",
      records,
      createdAt,
    });
    expect(xml).to.match(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs\.002\.001\.10">/,
    );
    const report = parsePacs002(xml);
    expect(report).to.deep.include({
      creationDateTime: "2025-03-14T09:15:00.000Z",
      originalMessageId: "ALPN-20250314-0001",
      originalMessageNameId: "pacs.008.001.08",
      groupStatus: "ACSC",
      batchId: "7",
    });
    expect(report.messageId).to.match(/^CH[0-9a-f]{33}$/);
    expect(report.transactions).to.deep.equal(
      records.map((r, i) => ({
        originalEndToEndId: r.endToEndId,
        [i === 4 ? "originalUetr" : "originalTxId"]: r.paymentId, // the fifth payment is known by its UETR
        status: "ACSC",
      })),
    );
    // Deterministic: the same batch and status give the same MsgId.
    expect(
      parsePacs002(buildPacs002({ originalMessageId: "ALPN-20250314-0001", batchId: 7n, status: "ACSC", records }))
        .messageId,
    ).to.equal(report.messageId);
  });

  it("round-trips a rejected batch with reasons", () => {
    const reasons = { "ALPN-TX-0003": "AM02 limit exceeded", "ALPN-TX-0004": "RegistryMemberSuspended" };
    const xml = buildPacs002({
      originalMessageId: "ALPN-20250314-0001",
      batchId: "0xabc",
      status: "RJCT",
      records,
      reasons,
    });
    const report = parsePacs002(xml, { file: "status.xml" });
    expect(report.groupStatus).to.equal("RJCT");
    expect(report.transactions.map((t) => [t.originalTxId ?? t.originalUetr, t.status, t.reason])).to.deep.equal([
      ["ALPN-TX-0001", "RJCT", undefined],
      ["ALPN-TX-0002", "RJCT", undefined],
      ["ALPN-TX-0003", "RJCT", "AM02 limit exceeded"],
      ["ALPN-TX-0004", "RJCT", "RegistryMemberSuspended"],
      ["3f2c9a1e-7b4d-4c8e-9a6f-2d1b0e5c7a93", "RJCT", undefined],
    ]);
    expect(() => buildPacs002({ originalMessageId: "M", batchId: 1n, status: "ACCP", records, reasons })).to.throw(
      InvalidArgumentError,
      "reasons go only with status RJCT",
    );
    expect(() =>
      buildPacs002({ originalMessageId: "M", batchId: 1n, status: "RJCT", records, reasons: { nope: "x" } }),
    ).to.throw(InvalidArgumentError, "is not a payment of records");
    expect(() =>
      buildPacs002({
        originalMessageId: "M",
        batchId: 1n,
        status: "RJCT",
        records,
        reasons: { "ALPN-TX-0001": "x".repeat(36) },
      }),
    ).to.throw(InvalidArgumentError, "1–35 characters");
  });

  it("answers each payment with its own status, a UETR as OrgnlUETR, a 35-character MsgId as it is", () => {
    const msgId = "M".repeat(35);
    const [settled, waiting] = [records[0].paymentId, records[1].paymentId];
    const uetr = records[4].paymentId;
    const statuses = Object.fromEntries(
      records.map((r): [string, Pacs002Status] => [r.paymentId, r.paymentId === waiting ? "ACCP" : "ACSC"]),
    );
    expect(groupStatusOf(records.map((r) => (r.paymentId === waiting ? "ACCP" : "ACSC")))).to.equal("ACCP");
    expect(groupStatusOf(["ACSC", "ACSC"])).to.equal("ACSC");
    expect(groupStatusOf(["RJCT", "ACSC"])).to.equal("PART");
    expect(groupStatusOf(["RJCT", "RJCT"])).to.equal("RJCT");
    const xml = buildPacs002({ originalMessageId: msgId, batchId: 7n, status: "ACCP", statuses, records });
    expect(xml).to.include(`<OrgnlMsgId>${msgId}</OrgnlMsgId>`);
    expect(xml).to.include(`<OrgnlUETR>${uetr}</OrgnlUETR>`);
    const report = parsePacs002(xml);
    expect(report).to.deep.include({ originalMessageId: msgId, groupStatus: "ACCP" });
    expect(report.transactions.map((t) => [t.originalTxId ?? t.originalUetr, t.status])).to.deep.equal(
      records.map((r) => [r.paymentId, r.paymentId === waiting ? "ACCP" : "ACSC"]),
    );
    expect(report.transactions[4]).to.deep.equal({
      originalEndToEndId: "NOTPROVIDED",
      originalUetr: uetr,
      status: "ACSC",
    });
    // Another per-transaction status, another MsgId; the uniform report keeps the former one.
    const uniform = buildPacs002({ originalMessageId: msgId, batchId: 7n, status: "ACSC", records });
    expect(parsePacs002(uniform).messageId).not.to.equal(report.messageId);
    // The group status must be the transactions' one.
    expect(() => buildPacs002({ originalMessageId: msgId, batchId: 7n, status: "ACSC", statuses, records })).to.throw(
      InvalidArgumentError,
      "is ACSC but the transactions' statuses make ACCP",
    );
    const part = buildPacs002({
      originalMessageId: msgId,
      batchId: 7n,
      status: "PART",
      statuses: { [settled]: "RJCT" },
      reasons: { [settled]: "written off in cycle 3" },
      records,
    });
    const partReport = parsePacs002(part);
    expect(partReport.groupStatus).to.equal("PART");
    expect(partReport.transactions[0]).to.deep.include({ status: "RJCT", reason: "written off in cycle 3" });
    expect(() =>
      buildPacs002({ originalMessageId: msgId, batchId: 7n, status: "ACSC", records, reasons: { [settled]: "x" } }),
    ).to.throw(InvalidArgumentError, "reasons go only with status RJCT");
    expect(() => buildPacs002({ originalMessageId: "M".repeat(36), batchId: 7n, status: "ACSC", records })).to.throw(
      InvalidArgumentError,
      "1–35 characters",
    );
  });

  it("escapes <&> in references and reasons", () => {
    const tricky = [{ ...records[0], paymentId: "TX<&>'1", endToEndId: 'E2E</OrgnlEndToEndId>&"' }];
    const xml = buildPacs002({
      originalMessageId: "MSG<&>",
      batchId: "b<&>",
      status: "RJCT",
      records: tricky,
      reasons: { "TX<&>'1": "bad <&> input" },
    });
    expect(xml).to.include("<OrgnlTxId>TX&lt;&amp;&gt;&apos;1</OrgnlTxId>");
    expect(xml).to.include("<OrgnlEndToEndId>E2E&lt;/OrgnlEndToEndId&gt;&amp;&quot;</OrgnlEndToEndId>");
    expect(xml).to.include("<Prtry>bad &lt;&amp;&gt; input</Prtry>");
    const report = parsePacs002(xml);
    expect(report).to.deep.include({ originalMessageId: "MSG<&>", batchId: "b<&>" });
    expect(report.transactions).to.deep.equal([
      {
        originalEndToEndId: 'E2E</OrgnlEndToEndId>&"',
        originalTxId: "TX<&>'1",
        status: "RJCT",
        reason: "bad <&> input",
      },
    ]);
    expect(() => buildPacs002({ originalMessageId: "M\u0001", batchId: 1n, status: "ACCP", records })).to.throw(
      InvalidArgumentError,
      "characters XML cannot carry",
    );
  });

  it("reads pacs.002 with the same protections", () => {
    expect(refusal(() => parsePacs002(`<!DOCTYPE d><Document/>`)).reason).to.match(/^<!DOCTYPE is refused/);
    expect(refusal(() => parsePacs002(small, { file: "wrong.xml" })).reason).to.match(/is not pacs\.002\.001\.NN$/);
  });
});
