import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ethers } from "hardhat";
import { getAddress, keccak256, stringToHex, toHex, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { readBatchFile, writeBatchFile } from "../../packages/sdk/src/node/batchFile";
import { BatchFileError, verifyBatchFile } from "../../packages/sdk/src/settlement/batchFile";
import { BATCH_FORMAT, buildBatch, type Batch } from "../../packages/sdk/src/settlement/batch";
import { buildBatchTree } from "../../packages/sdk/src/settlement/merkle";
import type { PaymentRecord } from "../../packages/sdk/src/settlement/record";

const bank = (name: string): Address => getAddress(keccak256(toHex(name)).slice(0, 42));
const SUBMITTER = bank("alpine");
const OTHERS = [bank("baltic"), bank("celtic"), bank("danube")];
const KEY = keccak256(stringToHex("2026-11-23/run-1"));
const coder = ethers.AbiCoder.defaultAbiCoder();

function record(i: number, over: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: `PAY-${String(i).padStart(4, "0")}`,
    debtorBank: SUBMITTER,
    creditorBank: OTHERS[i % 3],
    amount: BigInt(1_000 + 37 * i),
    currency: "EUR",
    valueDate: "2026-11-23",
    endToEndId: `E2E-${i}`,
    debtorAccountHash: keccak256(stringToHex(`CH93 0076 2011 6238 ${i}`)),
    creditorAccountHash: keccak256(stringToHex(`DE89 3704 0044 0532 ${i}`)),
    ...over,
  };
}
const records = (n: number) => Array.from({ length: n }, (_, i) => record(i));
const build = (rs: PaymentRecord[], metadata = {}) => buildBatch(rs, { submitter: SUBMITTER, key: KEY, metadata });

describe("settlement/batch: buildBatch, batch files, verification", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "clearhouse-batch-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("builds the header: root, count, gross, sorted counterparties, totals and their commitment", () => {
    const rs = records(10);
    const batch = build(rs, { file: "alpine-2026-11-23.xml", run: 1 });
    const h = batch.header;
    expect(h.root).to.equal(buildBatchTree(rs).root);
    expect(h.entryCount).to.equal(10);
    expect(h.grossTotal).to.equal(rs.reduce((s, r) => s + r.amount, 0n));
    const sorted = [...OTHERS].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(h.counterparties).to.deep.equal(sorted);
    expect(h.totals).to.deep.equal(
      sorted.map((cp) => rs.filter((r) => r.creditorBank === cp).reduce((s, r) => s + r.amount, 0n)),
    );
    expect(h.totalsCommitment).to.equal(
      ethers.keccak256(coder.encode(["address[]", "uint256[]"], [h.counterparties, h.totals])),
    );
    expect(h.metadataDigest).to.equal(ethers.id('{"file":"alpine-2026-11-23.xml","run":1}'));
    expect(batch.batchId).to.equal(ethers.keccak256(coder.encode(["address", "bytes32"], [SUBMITTER, KEY])));
    expect(batch.currency).to.equal("EUR");
  });

  it("digests metadata as canonical JSON (sorted keys at every depth), {} by default", () => {
    const a = build(records(2), { b: [1, { y: true, x: null }], a: "é" }).header.metadataDigest;
    const b = build(records(2), { a: "é", b: [1, { x: null, y: true }] }).header.metadataDigest;
    expect(a).to.equal(b).and.to.equal(ethers.id('{"a":"é","b":[1,{"x":null,"y":true}]}'));
    const none = buildBatch(records(2), { submitter: SUBMITTER, key: KEY }).header.metadataDigest;
    expect(none).to.equal(ethers.id("{}"));
    expect(() => build(records(2), { n: Number.NaN })).to.throw(InvalidArgumentError, "metadata.n");
  });

  it("accepts a text key (stored as its UTF-8 bytes) and refuses a bad one", () => {
    const batch = buildBatch(records(1), { submitter: SUBMITTER, key: "2026-11-23-A" });
    expect(batch.key).to.equal(stringToHex("2026-11-23-A", { size: 32 }));
    expect(() => buildBatch(records(1), { submitter: SUBMITTER, key: "x".repeat(33) })).to.throw(
      InvalidArgumentError,
      "key",
    );
  });

  it("refuses a payment owed by another bank, naming the payment", () => {
    const rs = records(5);
    rs[3] = record(3, { debtorBank: OTHERS[0], creditorBank: SUBMITTER });
    expect(() => build(rs))
      .to.throw(InvalidArgumentError)
      .with.property("message")
      .that.matches(/records\[3\]\.debtorBank.*"PAY-0003".*not by the submitter/);
  });

  it("refuses mixed currencies, an empty batch, duplicates and invalid records", () => {
    const mixed = records(4);
    mixed[2] = record(2, { currency: "USD" });
    expect(() => build(mixed)).to.throw(InvalidArgumentError, "records[2].currency");
    expect(() => build([])).to.throw(InvalidArgumentError, "empty");
    const dup = records(4);
    dup[3] = record(3, { paymentId: dup[0].paymentId });
    expect(() => build(dup)).to.throw(InvalidArgumentError, "records[0]");
    expect(() => build([record(0, { amount: 0n })])).to.throw(InvalidArgumentError, "records[0].amount");
    expect(() => buildBatch(records(1), { submitter: "0x12" as Address, key: KEY })).to.throw(
      InvalidArgumentError,
      "submitter",
    );
  });

  it("reports progress over validation and hashing", () => {
    const calls: [number, number][] = [];
    buildBatch(records(500), { submitter: SUBMITTER, key: KEY, onProgress: (d, t) => calls.push([d, t]) });
    const total = 3 * 500 - 1;
    expect(calls.at(-1)).to.deep.equal([total, total]);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i][0]).to.be.greaterThan(calls[i - 1][0]);
      expect(calls[i][0] - calls[i - 1][0]).to.be.at.most(total * 0.05);
    }
  });

  describe("batch file", () => {
    let batch: Batch;
    let path: string;
    const edit = (change: (json: { records: Record<string, unknown>[]; [k: string]: unknown }) => void) => {
      const json = JSON.parse(readFileSync(path, "utf8"));
      change(json);
      const edited = join(dir, "edited.json");
      writeFileSync(edited, JSON.stringify(json));
      return readBatchFile(edited);
    };

    beforeEach(() => {
      batch = build(records(40), { source: "pacs.008" });
      path = join(dir, "batch.json");
      writeBatchFile(path, batch);
    });

    it("round-trips: format tag, decimal amounts, header, leaves; nothing left behind", () => {
      const raw = JSON.parse(readFileSync(path, "utf8"));
      expect(raw.format).to.equal(BATCH_FORMAT);
      expect(raw.records[0].amount).to.equal("1000");
      expect(raw.header.grossTotal).to.equal(batch.header.grossTotal.toString());
      const file = readBatchFile(path);
      expect(file.records).to.deep.equal(batch.records);
      expect(file.header).to.deep.equal(batch.header);
      expect(file.leaves).to.deep.equal(batch.records.map((_, i) => batch.tree.leafHash(i)));
      expect({ ...file, records: [], header: {}, leaves: [] }).to.deep.include({
        submitter: SUBMITTER,
        key: KEY,
        batchId: batch.batchId,
        metadata: { source: "pacs.008" },
      });
      expect(verifyBatchFile(file, batch.header)).to.deep.equal({ ok: true, mismatches: [], problems: [] });
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
    });

    it("names the payment whose amount was edited after anchoring", () => {
      const file = edit((json) => {
        json.records[17].amount = "999999";
      });
      const result = verifyBatchFile(file, batch.header);
      expect(result.ok).to.equal(false);
      expect(result.mismatches).to.have.length(1);
      expect(result.mismatches[0].paymentId).to.equal("PAY-0017");
      expect(result.mismatches[0].problem).to.match(/edited after anchoring/);
      expect(result.problems.join("\n"))
        .to.match(/recomputed root/)
        .and.to.match(/grossTotal/);
    });

    it("names added payments and counts removed ones; record order does not matter", () => {
      const added = edit((json) => {
        json.records.push({ ...json.records[0], paymentId: "PAY-9999" });
      });
      expect(verifyBatchFile(added, batch.header).mismatches).to.deep.equal([
        { paymentId: "PAY-9999", problem: "is not in the anchored batch (added after anchoring)" },
      ]);
      const removed = edit((json) => {
        json.records.splice(5, 1);
        (json.leaves as Hex[]).splice(5, 1);
      });
      const r = verifyBatchFile(removed, batch.header);
      expect(r.ok).to.equal(false);
      expect(r.problems.join("\n")).to.match(/leaves do not hash to the anchored root/);
      const dropped = edit((json) => {
        json.records.splice(5, 1);
      });
      expect(verifyBatchFile(dropped, batch.header).problems.join("\n")).to.match(/#5 .* is missing/);
      const shuffled = edit((json) => {
        json.records.reverse();
      });
      expect(verifyBatchFile(shuffled, batch.header).ok).to.equal(true);
    });

    it("reports edited metadata, stored header and a wrong anchored header", () => {
      const meta = edit((json) => {
        json.metadata = { source: "other" };
      });
      expect(verifyBatchFile(meta, batch.header).problems.join("\n")).to.match(/metadataDigest/);
      const header = edit((json) => {
        (json.header as Record<string, unknown>).entryCount = 41;
      });
      expect(verifyBatchFile(header, batch.header).problems.join("\n")).to.match(/file's header\.entryCount/);
      const other = build(records(39));
      const result = verifyBatchFile(readBatchFile(path), other.header);
      expect(result.ok).to.equal(false);
      expect(result.problems.join("\n")).to.match(/entryCount is 40, anchored 39/);
    });

    it("refuses a file of another format or with an invalid record, naming it", () => {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify({ format: "other/1" }));
      expect(() => readBatchFile(bad)).to.throw(BatchFileError, "other/1");
      expect(() =>
        edit((json) => {
          json.records[3].amount = "1.5";
        }),
      ).to.throw(BatchFileError, "records[3] (PAY-0003).amount");
      writeFileSync(bad, "{ not json");
      expect(() => readBatchFile(bad)).to.throw(BatchFileError, "JSON");
    });

    it("verifies an in-memory batch whose record was changed after building", () => {
      batch.records[2] = { ...batch.records[2], creditorBank: OTHERS[0] };
      const result = verifyBatchFile(batch, batch.header);
      expect(result.mismatches.map((m) => m.paymentId)).to.deep.equal(["PAY-0002"]);
    });
  });
});
