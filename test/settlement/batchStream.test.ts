import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { getAddress, keccak256, stringToHex, toHex, type Address } from "viem";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { readBatchFile, writeBatchFile, writeSharedBatchFile } from "../../packages/sdk/src/node/batchFile";
import { readBatchFileHead, writeBatchStream } from "../../packages/sdk/src/node/batchStreamFile";
import { BATCH_FORMAT, BATCH_FORMAT_V2, buildBatch } from "../../packages/sdk/src/settlement/batch";
import { BatchFileError, verifyBatchFile } from "../../packages/sdk/src/settlement/batchFile";
import {
  DuplicatePaymentIdError,
  buildBatchStream,
  type BatchStreamProgress,
} from "../../packages/sdk/src/settlement/batchStream";
import type { PaymentRecord } from "../../packages/sdk/src/settlement/record";

const bank = (name: string): Address => getAddress(keccak256(toHex(name)).slice(0, 42));
const SUBMITTER = bank("alpine");
const OTHERS = [bank("baltic"), bank("celtic"), bank("danube")];
const KEY = "2026-11-23-A";
const DEBTOR_ACCOUNT = keccak256(stringToHex("IBAN:CH9300762011623852957"));
const CREDITOR_ACCOUNT = keccak256(stringToHex("IBAN:DE89370400440532013000"));

function record(i: number, over: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: `PAY-${String(i).padStart(7, "0")}`,
    debtorBank: SUBMITTER,
    creditorBank: OTHERS[i % 3],
    amount: BigInt(1_000 + 37 * i),
    currency: "EUR",
    valueDate: "2026-11-23",
    endToEndId: `E2E-${i}`,
    debtorAccountHash: DEBTOR_ACCOUNT,
    creditorAccountHash: CREDITOR_ACCOUNT,
    ...over,
  };
}
/** Records generated one at a time: nothing holds them but the consumer. */
function* generate(n: number): Generator<PaymentRecord> {
  for (let i = 0; i < n; i++) yield record(i);
}
async function* slowly(n: number): AsyncGenerator<PaymentRecord> {
  for (let i = 0; i < n; i++) {
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield record(i);
  }
}
const opts = { submitter: SUBMITTER, key: KEY, metadata: { source: "test", run: 1 } };

describe("settlement/batchStream: streaming builds and clearhouse.batch/2 files", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "clearhouse-batch-stream-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("builds the same header and leaves as buildBatch, from a sync or an async iterable", async () => {
    const rs = Array.from(generate(301));
    const batch = buildBatch(rs, opts);
    for (const source of [generate(301), slowly(301)]) {
      const seen: number[] = [];
      const progress: BatchStreamProgress[] = [];
      const streamed = await buildBatchStream(source, {
        ...opts,
        progressEvery: 100,
        onRecord: (_r, i) => void seen.push(i),
        onProgress: (p) => progress.push(p),
      });
      expect(streamed.header).to.deep.equal(batch.header);
      expect([streamed.batchId, streamed.key, streamed.currency]).to.deep.equal([batch.batchId, batch.key, "EUR"]);
      expect(streamed.leaves.length).to.equal(32 * 301);
      const leaves = Array.from({ length: 301 }, (_, i) => toHex(streamed.leaves.subarray(32 * i, 32 * i + 32)));
      expect(leaves).to.deep.equal(Array.from({ length: 301 }, (_, i) => batch.tree.leafHash(i)));
      expect(seen).to.deep.equal(Array.from({ length: 301 }, (_, i) => i));
      expect(progress.filter((p) => p.phase === "records").map((p) => p.done)).to.deep.equal([100, 200, 300, 301]);
      expect(progress.at(-1)).to.deep.equal({ phase: "tree", done: 300, total: 300 });
    }
  });

  it("refuses what buildBatch refuses: empty, another debtor, another currency, a repeated payment id", async () => {
    const refuse = async (rs: PaymentRecord[], pattern: RegExp) => {
      const error = await buildBatchStream(rs, opts).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect((error as Error).message).to.match(pattern);
    };
    await refuse([], /`records`: is empty/);
    await refuse(
      [record(0), record(1, { debtorBank: OTHERS[0] })],
      /`records\[1\]\.debtorBank`: payment "PAY-0000001"/,
    );
    await refuse([record(0), record(1, { currency: "CHF" })], /`records\[1\]\.currency`: .* is in CHF/);
    await refuse(
      [record(0), record(1), record(2), record(7, { paymentId: "PAY-0000001" })],
      /`records\[3\]\.paymentId`: is also the payment id of records\[1\]/,
    );
    await refuse([record(0), { ...record(1), amount: 0n }], /records\[1\]\.amount/);
  });

  it("writes a clearhouse.batch/2 file and reads it back: header line, records, leaves, a matching seal", async () => {
    const path = join(dir, "v2.json");
    const rs = Array.from(generate(257));
    const { batch, body } = await writeBatchStream(path, slowly(257), opts);
    const text = readFileSync(path, "utf8");
    const lines = text.split("\n");
    expect(lines).to.have.length(1 + 2 * 257 + 1);
    expect(lines.at(-1)).to.equal("");
    const head = JSON.parse(lines[0]) as { format: string; body: Record<string, unknown>; seal: string };
    expect(head.format).to.equal(BATCH_FORMAT_V2);
    expect(head.body).to.deep.equal(body);
    expect(body.bytes).to.equal(Buffer.byteLength(text) - Buffer.byteLength(lines[0]) - 1);
    expect(JSON.parse(lines[1])).to.deep.equal({ ...rs[0], amount: rs[0].amount.toString() });
    expect(JSON.parse(lines[258])).to.equal(toHex(batch.leaves.subarray(0, 32)));

    const file = readBatchFile(path);
    expect(file.format).to.equal(BATCH_FORMAT_V2);
    expect(file.records).to.deep.equal(rs);
    expect(file.header).to.deep.equal(buildBatch(rs, opts).header);
    expect(file.seal).to.deep.equal({ sha256: body.sha256, bytes: body.bytes, ok: true });
    expect(verifyBatchFile(file, batch.header)).to.deep.equal({ ok: true, mismatches: [], problems: [] });
    const quick = readBatchFileHead(path)!;
    expect(quick.seal.ok).to.equal(true);
    expect([quick.records, quick.batchId, quick.header]).to.deep.equal([257, batch.batchId, batch.header]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("writeBatchStream names a repeated payment id, read back from the records it wrote", async () => {
    const rs = [...generate(5), record(9, { paymentId: "PAY-0000002" })];
    const error = await writeBatchStream(join(dir, "dup.json"), rs, opts).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DuplicatePaymentIdError);
    expect((error as Error).message).to.match(
      /`records\[5\]\.paymentId`: "PAY-0000002" is also the payment id of records\[2\]/,
    );
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("leaves nothing behind, and the previous file in place, when a record is refused midway", async () => {
    const path = join(dir, "kept.json");
    writeFileSync(path, "previous");
    const bad = (function* () {
      yield* generate(3);
      yield record(3, { valueDate: "2026-02-30" });
    })();
    const error = await writeBatchStream(path, bad, opts).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect((error as Error).message).to.match(/records\[3\]\.valueDate/);
    expect(readFileSync(path, "utf8")).to.equal("previous");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("still reads clearhouse.batch/1 files (no seal: always recomputed)", () => {
    const path = join(dir, "v1.json");
    const rs = Array.from(generate(12));
    const batch = buildBatch(rs, opts);
    writeBatchFile(path, batch);
    expect((JSON.parse(readFileSync(path, "utf8")) as { format: string }).format).to.equal(BATCH_FORMAT);
    const file = readBatchFile(path);
    expect([file.format, file.seal, file.records]).to.deep.equal([BATCH_FORMAT, undefined, rs]);
    expect(verifyBatchFile(file, batch.header).ok).to.equal(true);
    expect(readBatchFileHead(path)).to.equal(undefined);
  });

  it("detects a changed byte: the seal breaks and full verification names the payment", async () => {
    const path = join(dir, "sealed.json");
    const { batch } = await writeBatchStream(path, generate(40), opts);
    const text = readFileSync(path, "utf8");
    // One byte of one record: PAY-0000017's amount 1629 → 1639.
    const edited = join(dir, "edited.json");
    const changed = text.replace('"amount":"1629"', '"amount":"1639"');
    expect(changed).not.to.equal(text);
    writeFileSync(edited, changed);
    expect(readBatchFileHead(edited)!.seal.ok).to.equal(false);
    const file = readBatchFile(edited);
    expect(file.seal!.ok).to.equal(false);
    const check = verifyBatchFile(file, file.header);
    expect(check.ok).to.equal(false);
    expect(check.mismatches.map((m) => m.paymentId)).to.deep.equal(["PAY-0000017"]);
    expect(check.mismatches[0].problem).to.match(/was edited after anchoring/);

    // The header line changed (a total), the body not: the seal covers the header too.
    const header = join(dir, "header.json");
    const total = batch.header.totals[0].toString();
    writeFileSync(header, text.replace(`"totals":["${total}"`, `"totals":["${BigInt(total) + 1n}"`));
    expect(readBatchFileHead(header)!.seal.ok).to.equal(false);
    expect(verifyBatchFile(readBatchFile(header), readBatchFile(header).header).problems.join("\n")).to.match(/totals/);

    // Cut short: refused as truncated, never read as a smaller batch.
    const cut = join(dir, "cut.json");
    writeFileSync(cut, text.slice(0, text.length - 30));
    expect(() => readBatchFile(cut)).to.throw(BatchFileError, /truncated/);
    expect(() => readBatchFileHead(cut)).to.throw(BatchFileError, /truncated: line 81 does not end with a newline/);
  });

  it("writes a shared file: the header line with an empty, sealed body", async () => {
    const path = join(dir, "full.json");
    const shared = join(dir, "shared.json");
    const { batch } = await writeBatchStream(path, generate(5), opts);
    writeSharedBatchFile(shared, readBatchFileHead(path)!);
    const head = readBatchFileHead(shared)!;
    expect([head.records, head.seal.ok, head.header]).to.deep.equal([0, true, batch.header]);
    const file = readBatchFile(shared);
    expect([file.records, file.leaves]).to.deep.equal([[], []]);
    expect(statSync(shared).size).to.be.below(2048);
  });

  it("reads the example of docs/spec/batch-file.md: sealed, and its records produce its header", () => {
    const spec = readFileSync(join(__dirname, "../../docs/spec/batch-file.md"), "utf8");
    const example = /```ndjson\n([\s\S]*?)```/.exec(spec)![1];
    const path = join(dir, "example.ndjson");
    writeFileSync(path, example);
    const file = readBatchFile(path);
    expect(file.seal!.ok).to.equal(true);
    expect(file.records.map((r) => r.paymentId)).to.deep.equal(["TX-0001", "TX-0002"]);
    expect(verifyBatchFile(file, file.header).ok).to.equal(true);
    expect(buildBatch(file.records, { ...file, metadata: file.metadata }).header).to.deep.equal(file.header);
  });

  it("builds 200,000 streamed payments with heap that does not grow with them (leaves: 48 bytes each)", async function () {
    this.timeout(180_000);
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const n = 200_000;
    gc();
    const base = process.memoryUsage();
    let heap = 0;
    let buffers = 0;
    const sample = () => {
      gc();
      const m = process.memoryUsage();
      heap = Math.max(heap, m.heapUsed - base.heapUsed);
      buffers = Math.max(buffers, m.arrayBuffers - base.arrayBuffers);
    };
    const path = join(dir, "big.json");
    const { batch } = await writeBatchStream(path, generate(n), {
      ...opts,
      progressEvery: 20_000,
      onProgress: (p) => p.phase === "records" && p.done > 0 && sample(),
    });
    expect(batch.header.entryCount).to.equal(n);
    // Kept records would be ~500 bytes of heap each (100 MB); the builder keeps only byte arrays:
    // leaves (32 B) and payment id hashes (16 B) per payment, in arrays that double (≤ 2×).
    expect(heap, `heap grew by ${heap} bytes`).to.be.below(16 * 1024 * 1024);
    expect(buffers, `array buffers grew by ${buffers} bytes`).to.be.below(2 * 48 * n + 8 * 1024 * 1024);
    expect(batch.leaves.byteLength).to.equal(32 * n); // the leaves are all there, compactly
    const head = readBatchFileHead(path)!;
    expect([head.records, head.seal.ok]).to.deep.equal([n, true]);
  });
});
