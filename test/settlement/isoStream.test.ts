import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { openIsoFile } from "../../packages/sdk/src/node/isoMessageFile";
import {
  Iso20022Error,
  openIsoMessage,
  type IsoMessage,
  type IsoReadOptions,
  type IsoSource,
} from "../../packages/sdk/src/settlement/iso20022";
import { readXml, type XmlNode } from "../../packages/sdk/src/settlement/iso20022/xml";

const SAMPLES = join(__dirname, "..", "..", "samples", "iso20022");
const sample = (name: string): string => readFileSync(join(SAMPLES, name), "utf8");
const small = sample("pacs008-alpine-small.xml");
const PACS008 = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08";
const HEAD = (v: string) => `urn:iso:std:iso:20022:tech:xsd:head.001.001.${v}`;

/** The Document element of a sample, without the XML declaration and comments. */
const documentOf = (xml: string): string => xml.slice(xml.indexOf("<Document"));
/** The same Document with every element name prefixed `p:` and the namespace bound to `p`. */
const prefixed = (doc: string): string =>
  doc.replace(/<(\/?)([A-Za-z])/g, "<$1p:$2").replace(`<p:Document xmlns=`, `<p:Document xmlns:p=`);

const appHdr = (version: string, prefix = "") => {
  const p = prefix ? `${prefix}:` : "";
  return `<${p}AppHdr xmlns${prefix ? `:${prefix}` : ""}="${HEAD(version)}">
    <${p}Fr><${p}FIId><${p}FinInstnId><${p}BICFI>ALPNCHZZXXX</${p}BICFI></${p}FinInstnId></${p}FIId></${p}Fr>
    <${p}To><${p}FIId><${p}FinInstnId><${p}BICFI>BALTLV22XXX</${p}BICFI></${p}FinInstnId></${p}FIId></${p}To>
    <${p}BizMsgIdr>ALPN-20250314-0001</${p}BizMsgIdr>
    <${p}MsgDefIdr>pacs.008.001.08</${p}MsgDefIdr>
    <${p}CreDt>2025-03-14T07:30:00Z</${p}CreDt>
  </${p}AppHdr>`;
};

const ENVELOPES: Record<string, { xml: string; envelope: string; wrapper: string[]; head?: string }> = {
  "a business envelope, no prefixes": {
    xml: `<Envelope>${appHdr("02")}${documentOf(small)}</Envelope>`,
    envelope: "Envelope",
    wrapper: ["Envelope"],
    head: HEAD("02"),
  },
  "a BizMsgEnvlp with prefixes everywhere (head.001.001.03)": {
    xml: `<?xml version="1.0" encoding="utf-8"?>
<env:BizMsgEnvlp xmlns:env="urn:example:envelope">${appHdr("03", "h")}
${prefixed(documentOf(small))}</env:BizMsgEnvlp>`,
    envelope: "BizMsgEnvlp",
    wrapper: ["BizMsgEnvlp"],
    head: HEAD("03"),
  },
  "a <Message> holding a head.001.001.01 AppHdr": {
    xml: `<Message xmlns="urn:example:message">${appHdr("01")}${documentOf(small)}</Message>`,
    envelope: "Message",
    wrapper: ["Message"],
    head: HEAD("01"),
  },
  "a SWIFTNet InterAct Request (CBPR+)": {
    xml: `<?xml version="1.0" encoding="UTF-8"?>
<SwInt:ExchangeRequest xmlns:SwInt="urn:swift:snl:ns.SwInt" xmlns:Sw="urn:swift:snl:ns.Sw" xmlns:SwSec="urn:swift:snl:ns.SwSec">
  <SwInt:Request>
    <SwInt:RequestControl><SwInt:RequestCrypto>TRUE</SwInt:RequestCrypto><Sw:RequestSubType>swift.cbprplus.02</Sw:RequestSubType></SwInt:RequestControl>
    <Sw:RequestE2EControl><Sw:MsgId>C86081900000XTWA</Sw:MsgId><Sw:CreationTime>2025-03-14T07:30:00Z</Sw:CreationTime></Sw:RequestE2EControl>
    <SwInt:RequestHeader>
      <SwInt:Requestor>ou=xxx,o=alpnchzz,o=swift</SwInt:Requestor>
      <SwInt:Responder>ou=xxx,o=baltlv22,o=swift</SwInt:Responder>
      <SwInt:Service>swift.finplus!pc</SwInt:Service>
      <SwInt:RequestType>pacs.008.001.08</SwInt:RequestType>
      <SwInt:Priority>Normal</SwInt:Priority>
      <SwInt:RequestRef>ALPN-REQ-1 &amp; more</SwInt:RequestRef>
    </SwInt:RequestHeader>
    <SwInt:RequestPayload>
      ${appHdr("02", "head")}
      ${prefixed(documentOf(small)).replace(/p:/g, "pacs:").replace("xmlns:p=", "xmlns:pacs=")}
    </SwInt:RequestPayload>
    <SwSec:SignatureList><SwSec:Signature><SwSec:Manifest><Sw:Reference><Sw:DigestRef>Sw.RequestPayload</Sw:DigestRef></Sw:Reference></SwSec:Manifest></SwSec:Signature></SwSec:SignatureList>
  </SwInt:Request>
</SwInt:ExchangeRequest>`,
    envelope: "Request",
    wrapper: ["ExchangeRequest", "Request", "RequestPayload"],
    head: HEAD("02"),
  },
  "a SWIFT Alliance DataPDU (T2 RTGS)": {
    xml: `<?xml version="1.0" encoding="UTF-8"?>
<Saa:DataPDU xmlns:Saa="urn:swift:saa:xsd:saa.2.0" xmlns:Sw="urn:swift:snl:ns.Sw" xmlns:SwInt="urn:swift:snl:ns.SwInt">
  <Saa:Revision>2.0.15</Saa:Revision>
  <Saa:Header>
    <Saa:Message>
      <Saa:SenderReference>ALPN-REF-1</Saa:SenderReference>
      <Saa:MessageIdentifier>pacs.008.001.08</Saa:MessageIdentifier>
      <Saa:Format>MX</Saa:Format>
      <Saa:Sender><Saa:DN>ou=xxx,o=alpnchzz,o=swift</Saa:DN><Saa:FullName><Saa:X1>ALPNCHZZXXX</Saa:X1></Saa:FullName></Saa:Sender>
      <Saa:Receiver><Saa:DN>ou=xxx,o=trgtxepm,o=swift</Saa:DN><Saa:FullName><Saa:X1>TRGTXEPMXXX</Saa:X1></Saa:FullName></Saa:Receiver>
      <Saa:NetworkInfo><Saa:Service>esmig.t2.iast!p</Saa:Service></Saa:NetworkInfo>
    </Saa:Message>
  </Saa:Header>
  <Saa:Body>
    ${appHdr("02")}
    ${documentOf(small)}
  </Saa:Body>
</Saa:DataPDU>`,
    envelope: "DataPDU",
    wrapper: ["DataPDU", "Body"],
    head: HEAD("02"),
  },
};

async function readAll(source: IsoSource, opts: IsoReadOptions = {}, name = "CdtTrfTxInf") {
  const message = await openIsoMessage(source, { file: "in.xml", ...opts });
  const txs: { node: XmlNode; index: number; line: number }[] = [];
  for await (const tx of message.transactions(name)) txs.push(tx);
  return { message, txs };
}

async function refused(source: IsoSource, opts: IsoReadOptions = {}, name = "CdtTrfTxInf"): Promise<Iso20022Error> {
  try {
    await readAll(source, opts, name);
  } catch (e) {
    expect(e).to.be.instanceOf(Iso20022Error);
    return e as Iso20022Error;
  }
  expect.fail("expected the input to be refused");
}

/** What the whole-document reader makes of a sample: the header and the transactions. */
function reference(xml: string): { header: XmlNode; txs: XmlNode[]; namespace: string } {
  const { document, namespace } = readXml(xml, { file: "ref.xml", maxBytes: 1 << 20, arrays: ["CdtTrfTxInf"] });
  const root = document.FIToFICstmrCdtTrf as XmlNode;
  return { header: root.GrpHdr as XmlNode, txs: root.CdtTrfTxInf as XmlNode[], namespace };
}

describe("ISO 20022 streaming reader (openIsoMessage)", () => {
  const expected = reference(small);

  describe("well-formed samples read as the whole-document reader reads them", () => {
    for (const name of [
      "pacs008-alpine-small.xml",
      "pacs008-spec-vectors.xml",
      "pacs008-bad-amount.xml",
      "pacs008-missing-element.xml",
    ]) {
      it(name, async () => {
        const xml = sample(name);
        const ref = reference(xml);
        const { message, txs } = await readAll(xml);
        expect(message.envelope).to.equal("bare");
        expect(message.wrapper).to.deep.equal([]);
        expect(message.appHdr).to.equal(undefined);
        expect(message.namespace).to.equal(ref.namespace);
        expect(message.root).to.equal("FIToFICstmrCdtTrf");
        expect(message.header).to.deep.equal(ref.header);
        expect(txs.map((t) => t.node)).to.deep.equal(ref.txs);
        expect(txs.map((t) => t.index)).to.deep.equal(ref.txs.map((_, i) => i + 1));
      });
    }

    it("gives each transaction the line of its start tag", async () => {
      const { txs } = await readAll(small);
      const lines = small.split("\n").flatMap((l, i) => (l.includes("<CdtTrfTxInf>") ? [i + 1] : []));
      expect(txs.map((t) => t.line)).to.deep.equal(lines);
    });

    it("reads the same in chunks of 1, 7 and 64 bytes (tokens and UTF-8 cut at every boundary)", async () => {
      const xml = small.replace("Matterhorn Uhren AG", "Zürcher Uhren – AG €");
      const whole = await readAll(xml);
      expect((whole.txs[0].node.Dbtr as XmlNode).Nm).to.equal("Zürcher Uhren – AG €");
      for (const chunkSize of [1, 7, 64]) {
        const chunked = await readAll(xml, { chunkSize });
        expect(chunked.message.header).to.deep.equal(whole.message.header);
        expect(chunked.txs).to.deep.equal(whole.txs);
      }
    });
  });

  describe("envelopes", () => {
    for (const [title, env] of Object.entries(ENVELOPES)) {
      it(`${title}: the same header and transactions as the bare Document, and the AppHdr`, async () => {
        for (const chunkSize of [1 << 20, 13]) {
          const { message, txs } = await readAll(env.xml, { chunkSize });
          expect(message.envelope).to.equal(env.envelope);
          expect(message.wrapper).to.deep.equal(env.wrapper);
          expect(message.namespace).to.equal(PACS008);
          expect(message.header).to.deep.equal(expected.header);
          expect(txs.map((t) => t.node)).to.deep.equal(expected.txs);
          expect(message.appHdr?.namespace).to.equal(env.head);
          const hdr = message.appHdr?.node as XmlNode;
          expect(hdr.BizMsgIdr).to.equal("ALPN-20250314-0001");
          expect(hdr.MsgDefIdr).to.equal("pacs.008.001.08");
          expect(hdr.CreDt).to.equal("2025-03-14T07:30:00Z");
          expect(hdr.Fr).to.deep.equal({ FIId: { FinInstnId: { BICFI: "ALPNCHZZXXX" } } });
          expect(hdr.To).to.deep.equal({ FIId: { FinInstnId: { BICFI: "BALTLV22XXX" } } });
        }
      });
    }

    it("keeps the message's other elements (pacs.002 OrgnlGrpInfAndSts) and applies `arrays`", async () => {
      const xml = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
        <GrpHdr><MsgId>R1</MsgId></GrpHdr>
        <OrgnlGrpInfAndSts><OrgnlMsgId>M1</OrgnlMsgId><GrpSts>ACCP</GrpSts></OrgnlGrpInfAndSts>
        <TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId><StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf></TxInfAndSts>
        <TxInfAndSts><OrgnlEndToEndId>E2</OrgnlEndToEndId></TxInfAndSts>
      </FIToFIPmtStsRpt></Document>`;
      const { message, txs } = await readAll(xml, { arrays: ["StsRsnInf"] }, "TxInfAndSts");
      expect(message.root).to.equal("FIToFIPmtStsRpt");
      expect(message.others).to.deep.equal({ OrgnlGrpInfAndSts: { OrgnlMsgId: "M1", GrpSts: "ACCP" } });
      expect(txs.map((t) => t.node)).to.deep.equal([
        { OrgnlEndToEndId: "E1", StsRsnInf: [{ Rsn: { Cd: "AC01" } }] },
        { OrgnlEndToEndId: "E2" },
      ]);
    });

    it("iterates the transactions once", async () => {
      const message: IsoMessage = await openIsoMessage(small);
      for await (const tx of message.transactions("CdtTrfTxInf")) expect(tx.index).to.be.greaterThan(0);
      let error: unknown;
      try {
        for await (const tx of message.transactions("CdtTrfTxInf")) expect.fail(`read ${tx.index} again`);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(InvalidArgumentError);
    });
  });

  describe("hostile and broken input is refused with file, element path, line and reason", () => {
    it("the XXE / entity-expansion sample, at its DOCTYPE, before any expansion", async () => {
      const e = await refused(sample("pacs008-xxe.xml"));
      expect(e.file).to.equal("in.xml");
      expect(e.line).to.equal(2);
      expect(e.reason).to.match(/<!DOCTYPE is refused/);
    });

    it("the malformed sample, at the end tag that does not match", async () => {
      const e = await refused(sample("pacs008-malformed.xml"));
      expect(e.element).to.match(/^Document\/FIToFICstmrCdtTrf\/CdtTrfTxInf\[\d+\]\//);
      expect(e.reason).to.match(/does not close/);
      expect(e.line).to.be.greaterThan(1);
    });

    it("a billion-laughs DTD inside an envelope", async () => {
      const bomb = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>`;
      const e = await refused(
        `${bomb}\n${ENVELOPES["a business envelope, no prefixes"].xml.replace("INV-2025-0042", "&lol1;")}`,
      );
      expect(e.reason).to.match(/DOCTYPE is refused/);
    });

    it("an undeclared entity, at its element", async () => {
      const e = await refused(small.replace("INV-2025-0042", "&lol1;"));
      expect(e.element).to.equal("Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/PmtId/EndToEndId");
      expect(e.reason).to.match(/undeclared entity &lol1;/);
      expect(e.line).to.equal(18);
      expect(e.message).to.contain("in.xml: CdtTrfTxInf[1]/PmtId/EndToEndId (line 18, column");
      for (const chunkSize of [5, 333]) {
        const chunked = await refused(small.replace("INV-2025-0042", "&lol1;"), { chunkSize });
        expect([chunked.line, chunked.column]).to.deep.equal([e.line, e.column]);
      }
    });

    it("elements nested deeper than maxDepth (a million levels: no stack overflow)", async () => {
      async function* deep(): AsyncGenerator<string> {
        yield `<Document xmlns="${PACS008}"><FIToFICstmrCdtTrf><GrpHdr/><CdtTrfTxInf>`;
        for (let i = 0; i < 1000; i++) yield "<a>".repeat(1000);
      }
      const e = await refused(deep());
      expect(e.reason).to.equal("elements nested deeper than 64 levels");
      expect(e.element.split("/")).to.have.length(64);
      expect((await refused(small.replace("<Nm>Matterhorn", "<Nm><a><b>Matterhorn"), { maxDepth: 6 })).reason).to.match(
        /deeper than 6/,
      );
    });

    it("an input over maxBytes, a file over it before reading", async () => {
      expect((await refused(small, { maxBytes: 1000, chunkSize: 256 })).reason).to.match(/more than 1000 bytes/);
      const dir = mkdtempSync(join(tmpdir(), "isostream-"));
      try {
        const path = join(dir, "big.xml");
        writeFileSync(path, small);
        const e = await openIsoFile(path, { maxBytes: 1000 }).then(
          () => expect.fail("opened"),
          (err: unknown) => err as Iso20022Error,
        );
        expect(e).to.be.instanceOf(Iso20022Error);
        expect(e.file).to.equal(path);
        expect(e.reason).to.equal(`${Buffer.byteLength(small)} bytes exceed the limit of 1000 bytes`);
        const message = await openIsoFile(path);
        let n = 0;
        for await (const tx of message.transactions("CdtTrfTxInf")) n += tx.index > 0 ? 1 : 0;
        expect(n).to.equal(5);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("a foreign namespace in the AppHdr even under a wrapper path named SplmtryData/Envlp (review finding)", async () => {
      const head = sample("pacs008-apphdr-head02.xml").replace(
        "<Fr>\n      <FIId>",
        '<Fr>\n      <FIId xmlns="urn:evil">',
      );
      const wrapped = head
        .replace(
          '<Envelope xmlns="urn:swift:xsd:envelope">',
          '<Envelope xmlns="urn:swift:xsd:envelope"><SplmtryData><Envlp>',
        )
        .replace("</Envelope>", "</Envlp></SplmtryData></Envelope>");
      for (const xml of [head, wrapped]) {
        const e = await refused(xml);
        expect(e.reason).to.match(/in namespace "urn:evil", not in the namespace of the AppHdr/);
      }
      // Inside the Document, SplmtryData/Envlp is ISO 20022's open content: any namespace is read.
      const open = documentOf(small).replace(
        "</FIToFICstmrCdtTrf>",
        '<SplmtryData><Envlp><Btch xmlns="urn:clearhouse:settlement:batch"><Id>7</Id></Btch></Envlp></SplmtryData></FIToFICstmrCdtTrf>',
      );
      const { message } = await readAll(open);
      expect(message.others).to.deep.equal({
        SplmtryData: { Envlp: { Btch: { "@xmlns": "urn:clearhouse:settlement:batch", Id: "7" } } },
      });
    });

    it("an element of another namespace inside the Document, a Document outside ISO 20022", async () => {
      const mixed = small.replace("<ChrgBr>SLEV</ChrgBr>", '<x:ChrgBr xmlns:x="urn:evil">SLEV</x:ChrgBr>');
      const e = await refused(mixed);
      expect(e.element).to.equal("Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/ChrgBr");
      expect(e.reason).to.match(/in namespace "urn:evil", not in the namespace of the Document/);
      expect((await refused(small.replace(PACS008, "urn:example:pacs"))).reason).to.match(
        /ISO 20022 message namespace/,
      );
      const unbound = await refused(small.replace("<ChrgBr>SLEV</ChrgBr>", "<q:ChrgBr>SLEV</q:ChrgBr>"));
      expect(unbound.reason).to.match(/prefix q: of <q:ChrgBr> is not declared/);
      const head = ENVELOPES["a business envelope, no prefixes"].xml.replace(HEAD("02"), "urn:swift:xsd:$ahV10");
      expect((await refused(head)).reason).to.match(/not an ISO 20022 business application header/);
    });

    it("a truncated file, naming the element left open", async () => {
      const cut = small.slice(0, small.indexOf("ORDER-7731"));
      const e = await refused(cut, { chunkSize: 100 });
      expect(e.element).to.equal("Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/PmtId/EndToEndId");
      expect(e.reason).to.match(/the file ends before <\/EndToEndId> \(truncated\?\)/);
      expect((await refused(small.slice(0, -30))).reason).to.match(/truncated/);
    });

    it("invalid UTF-8, split across a chunk boundary or not", async () => {
      const bytes = Buffer.from(small.replace("Matterhorn", "Matterhorn\u20ac"), "utf8");
      const euro = bytes.indexOf(Buffer.from("\u20ac", "utf8"));
      expect((await readAll(bytes, { chunkSize: euro + 1 })).txs).to.have.length(5);
      const broken = Buffer.from(bytes);
      broken[euro + 2] = 0x41; // E2 82 41: a three-byte sequence cut short
      for (const chunkSize of [euro + 1, euro + 2, 1 << 20]) {
        const e = await refused(broken, { chunkSize });
        expect(e.reason).to.match(/^not valid UTF-8 \(in bytes \d+–\d+\)$/);
        expect(e.line).to.be.within(1, 30);
      }
      expect((await refused(Buffer.concat([bytes, Buffer.from([0xe2])]))).reason).to.match(/not valid UTF-8/);
      const replacement = Buffer.from(small.replace("Matterhorn", "Matterhorn\ufffd"), "utf8");
      expect((await readAll(replacement, { chunkSize: 3 })).txs).to.have.length(5);
    });

    it("other well-formedness and limit violations", async () => {
      const cases: [string, IsoReadOptions, RegExp][] = [
        [small.replace("<ChrgBr>SLEV</ChrgBr>", "<ChrgBr>SLEV</ChrgBrr>"), {}, /<\/ChrgBrr> does not close <ChrgBr>/],
        [small.replace("SLEV", "SL\u0001EV"), {}, /character U\+0001 is not allowed/],
        [small.replace('Ccy="EUR"', 'Ccy="EUR" Ccy="CHF"'), {}, /attribute Ccy appears twice/],
        [small.replace('Ccy="EUR"', "Ccy=EUR"), {}, /must be quoted/],
        [small.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), {}, /must be UTF-8/],
        [`${small}<Document/>`, {}, /a second root element/],
        [small.replace("</GrpHdr>", "</GrpHdr>stray text"), {}, /text is not allowed here/],
        [small.replace("Matterhorn Uhren AG", "M".repeat(200)), { maxTextLength: 100 }, /text longer than 100/],
        [small.replace('Ccy="EUR"', 'Ccy="EUR" a="1" b="2"'), { maxAttributes: 2 }, /more than 2 attributes/],
        [small, { maxSubtreeElements: 10 }, /more than 10 elements in one CdtTrfTxInf/],
        [small.replace("<GrpHdr>", "<Foo/><GrpHdr>"), {}, /expected GrpHdr first, found <Foo>/],
        [`<Envelope>${documentOf(small)}${documentOf(small)}</Envelope>`, {}, /a second Document/],
        [`<E><X>${appHdr("02")}</X>${documentOf(small)}</E>`, {}, /children of the same element/],
        ["<Envelope><Other/></Envelope>", {}, /no ISO 20022 Document element found \(the root element is <Envelope>\)/],
      ];
      for (const [xml, opts, reason] of cases) {
        const e = await refused(xml, { chunkSize: 50, ...opts });
        expect(e.reason, xml.slice(0, 80)).to.match(reason);
        expect(e.file).to.equal("in.xml");
      }
    });
  });

  it("streams 50,000 generated transactions without holding them (heap stays far below the input's size)", async () => {
    const COUNT = 50_000;
    const body = documentOf(small).split("<CdtTrfTxInf>")[1].split("</CdtTrfTxInf>")[0];
    const tx = (i: number) => body.replace("ALPN-TX-0001", `TX-${i}`);
    let bytes = 0;
    async function* input(): AsyncGenerator<string> {
      yield `<Document xmlns="${PACS008}"><FIToFICstmrCdtTrf><GrpHdr><MsgId>BIG</MsgId></GrpHdr>`;
      for (let i = 0; i < COUNT; i += 500) {
        let block = "";
        for (let k = i; k < i + 500; k++) block += `<CdtTrfTxInf>${tx(k)}</CdtTrfTxInf>\n`;
        bytes += block.length;
        yield block;
      }
      yield "</FIToFICstmrCdtTrf></Document>";
    }
    // A garbage collection before each sample, so the figure is what the reader holds, not garbage.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    const message = await openIsoMessage(input());
    let wrong = 0;
    for await (const t of message.transactions("CdtTrfTxInf")) {
      count++;
      if ((t.node.PmtId as XmlNode).TxId !== `TX-${t.index - 1}`) wrong++;
      if (count % 20_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    expect(count).to.equal(COUNT);
    expect(wrong).to.equal(0);
    expect(bytes).to.be.greaterThan(40 * 2 ** 20);
    // Whole-document parsing would hold several times the input's 40+ MB; streaming holds a chunk
    // of text and the transactions read from it.
    expect(peak).to.be.lessThan(8 * 2 ** 20);
  });
});
