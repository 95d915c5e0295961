import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openIsoFile } from "../../packages/sdk/src/node/isoMessageFile";
import { openIsoFileThreaded } from "../../packages/sdk/src/node/isoMessageThreaded";
import { Iso20022Error, type IsoMessage } from "../../packages/sdk/src/settlement/iso20022";

const SAMPLES = join(__dirname, "..", "..", "samples", "iso20022");

/** The repeated transaction element of a message element. */
const TRANSACTION: Record<string, string> = {
  FIToFICstmrCdtTrf: "CdtTrfTxInf",
  FICdtTrf: "CdtTrfTxInf",
  PmtRtr: "TxInf",
  FIToFIPmtStsRpt: "TxInfAndSts",
};

type Outcome =
  | { ok: true; head: object; transactions: unknown[]; others: unknown }
  | { ok: false; name: string; message: string; line?: number; column?: number; hint?: string };

/** Everything a reader yields for a file, or the refusal it ends with. */
async function readAll(open: typeof openIsoFile, file: string, opts = {}): Promise<Outcome> {
  try {
    const m: IsoMessage = await open(file, opts);
    const head = { file: m.file, envelope: m.envelope, wrapper: m.wrapper, appHdr: m.appHdr, namespace: m.namespace };
    const transactions: unknown[] = [];
    for await (const tx of m.transactions(TRANSACTION[m.root] ?? "CdtTrfTxInf")) transactions.push(tx);
    return { ok: true, head: { ...head, root: m.root, header: m.header }, transactions, others: { ...m.others } };
  } catch (e) {
    if (!(e instanceof Iso20022Error)) throw e;
    return { ok: false, name: e.name, message: e.message, line: e.line, column: e.column, hint: e.hint };
  }
}

describe("openIsoFileThreaded: the streaming reader on a worker thread", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "clearhouse-iso-threaded-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Each thread starts ts-node here (~0.9 s), so a selection: every envelope, a message with other
  // elements, and refusals from the tokenizer, the walker and the namespace check.
  const chosen = [
    "pacs008-alpine-small.xml",
    "pacs008-apphdr-head02.xml",
    "pacs002-baltic-status.xml",
    "pacs008-malformed.xml",
    "pacs008-xxe.xml",
    "pacs008-wrong-namespace.xml",
  ];
  it("the selection below exists among the samples", () => {
    const all = readdirSync(SAMPLES);
    for (const name of chosen) expect(all).to.include(name);
  });
  for (const name of chosen) {
    it(`${name}: the same message, transactions and refusal as openIsoFile`, async () => {
      const file = join(SAMPLES, name);
      const inThread = await readAll(openIsoFile, file);
      const threaded = await readAll(openIsoFileThreaded, file);
      expect(threaded).to.deep.equal(inThread);
    });
  }

  it("refuses a missing file and one over maxBytes as openIsoFile does", async () => {
    const missing = join(dir, "missing.xml");
    expect(await readAll(openIsoFileThreaded, missing)).to.deep.equal(await readAll(openIsoFile, missing));
    const small = join(SAMPLES, "pacs008-alpine-small.xml");
    const over = await readAll(openIsoFileThreaded, small, { maxBytes: 100 });
    expect(over).to.deep.equal(await readAll(openIsoFile, small, { maxBytes: 100 }));
    expect(over.ok).to.equal(false);
  });

  it("carries 20,000 transactions in order through its bounded batches, and a refusal at the very end", async () => {
    const small = readFileSync(join(SAMPLES, "pacs008-alpine-small.xml"), "utf8");
    const [head, rest] = small.split(/(?=<CdtTrfTxInf>)/, 2) as [string, string];
    const tx = rest.slice(0, rest.indexOf("</CdtTrfTxInf>") + "</CdtTrfTxInf>".length);
    const tail = small.slice(small.lastIndexOf("</CdtTrfTxInf>") + "</CdtTrfTxInf>".length);
    const body = Array.from({ length: 20_000 }, (_, i) => tx.replace(/<TxId>[^<]*</, `<TxId>T${i}<`)).join("\n");
    const file = join(dir, "many.xml");
    writeFileSync(file, head + body + tail);
    const threaded = await readAll(openIsoFileThreaded, file);
    expect(threaded.ok && threaded.transactions.length).to.equal(20_000);
    // Compared as JSON: chai's deep equality (with Hardhat's matchers) takes over a minute here.
    expect(JSON.stringify(threaded)).to.equal(JSON.stringify(await readAll(openIsoFile, file)));
    const truncated = join(dir, "truncated.xml");
    writeFileSync(truncated, head + body);
    const refused = await readAll(openIsoFileThreaded, truncated);
    expect(refused.ok).to.equal(false);
    expect(refused).to.deep.equal(await readAll(openIsoFile, truncated));
  });

  it("stops its thread when the caller stops early or closes before iterating", async () => {
    const file = join(SAMPLES, "pacs008-alpine-small.xml");
    const m = await openIsoFileThreaded(file);
    for await (const tx of m.transactions("CdtTrfTxInf")) {
      expect(tx.index).to.equal(1);
      break;
    }
    const again = await openIsoFileThreaded(file);
    await again.close();
    let threw = false;
    try {
      for await (const _ of m.transactions("CdtTrfTxInf")) void _;
    } catch (e) {
      threw = (e as Error).message.includes("iterated once");
    }
    expect(threw).to.equal(true);
  });
});
