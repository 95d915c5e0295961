/**
 * verifyBatchFileStream (a clearhouse.batch/2 file verified in two streaming passes) gives what
 * verifyBatchFile gives on the same file read whole: intact files, edited, swapped, replaced and
 * repeated payments, a tampered leaf list or header, and another batch's anchored header; plus the
 * proof of one payment.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, keccak256, stringToHex, toHex, type Address } from "viem";
import { readBatchFile } from "../../packages/sdk/src/node/batchFile";
import { writeBatchStream } from "../../packages/sdk/src/node/batchStreamFile";
import { verifyBatchFileStream } from "../../packages/sdk/src/node/batchStreamVerify";
import { buildBatch } from "../../packages/sdk/src/settlement/batch";
import { BatchFileError, verifyBatchFile, type AnchoredHeader } from "../../packages/sdk/src/settlement/batchFile";
import { rootOfLeaves, verifyInclusion } from "../../packages/sdk/src/settlement/merkle";
import type { PaymentRecord } from "../../packages/sdk/src/settlement/record";

const bank = (name: string): Address => getAddress(keccak256(toHex(name)).slice(0, 42));
const SUBMITTER = bank("alpine");
const OTHERS = [bank("baltic"), bank("celtic"), bank("danube")];
const ACCOUNT = keccak256(stringToHex("IBAN:CH9300762011623852957"));

const record = (i: number): PaymentRecord => ({
  paymentId: `PAY-${String(i).padStart(5, "0")}`,
  debtorBank: SUBMITTER,
  creditorBank: OTHERS[i % 3],
  amount: BigInt(1_000 + 37 * i),
  currency: "EUR",
  valueDate: "2026-11-23",
  endToEndId: `E2E-${i}`,
  debtorAccountHash: ACCOUNT,
  creditorAccountHash: ACCOUNT,
});

describe("node/batchStreamVerify: verifyBatchFileStream", () => {
  let dir: string;
  let file: string;
  let text: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "clearhouse-batch-verify-"));
    file = join(dir, "batch.json");
    await writeBatchStream(
      file,
      Array.from({ length: 300 }, (_, i) => record(i)),
      {
        submitter: SUBMITTER,
        key: "K-1",
        metadata: { source: "test" },
      },
    );
    text = readFileSync(file, "utf8");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Both verifiers on `content` against `anchored` (default: the intact file's header). */
  async function both(name: string, content: string, anchored?: AnchoredHeader) {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, content);
    const whole = readBatchFile(path);
    const want = verifyBatchFile(whole, anchored ?? readBatchFile(file).header);
    const got = await verifyBatchFileStream(path, anchored ?? readBatchFile(file).header);
    expect(got, name).not.to.equal(undefined);
    const { file: head, inclusion, ...result } = got!;
    expect(result, name).to.deep.equal(want);
    expect(head.batchId).to.equal(whole.batchId);
    expect(inclusion).to.equal(undefined);
    return result;
  }

  const lines = () => text.split("\n");
  const withLines = (edit: (l: string[]) => void): string => {
    const l = lines();
    edit(l);
    return l.join("\n");
  };

  it("agrees with verifyBatchFile on the intact file, against its header and on its own ('file')", async () => {
    expect((await both("intact", text)).ok).to.equal(true);
    const self = await verifyBatchFileStream(file, "file");
    expect(self?.ok).to.equal(true);
    expect(self?.file.header.entryCount).to.equal(300);
  });

  it("names an edited payment, a replaced one, a repeated one; accepts swapped lines", async () => {
    const edited = await both("edited", text.replace('"amount":"1037"', '"amount":"1038"'));
    expect(edited.mismatches).to.deep.equal([{ paymentId: "PAY-00001", problem: edited.mismatches[0].problem }]);
    expect(edited.mismatches[0].problem).to.match(/^was edited after anchoring: its leaf 0x/);
    const replaced = await both("replaced", text.replace('"paymentId":"PAY-00007"', '"paymentId":"PAY-99999"'));
    expect(replaced.ok).to.equal(false);
    const repeated = await both("repeated", text.replace('"paymentId":"PAY-00008"', '"paymentId":"PAY-00009"'));
    expect(repeated.mismatches.map((m) => m.problem)).to.include("appears twice (records[8] and [9])");
    const swapped = await both(
      "swapped",
      withLines((l) => ([l[3], l[4]] = [l[4], l[3]])),
    );
    expect(swapped.ok).to.equal(true);
  });

  it("agrees on an id used three times and on a record repeated with its leaf (review findings)", async () => {
    const triple = await both(
      "triple",
      withLines((l) => {
        l[3] = l[3].replace('"paymentId":"PAY-00002"', '"paymentId":"PAY-00001"');
        l[4] = l[4].replace('"paymentId":"PAY-00003"', '"paymentId":"PAY-00001"');
      }),
    );
    const twice = triple.mismatches.filter((m) => m.problem.startsWith("appears twice")).map((m) => m.problem);
    expect(twice).to.deep.equal(["appears twice (records[1] and [2])", "appears twice (records[1] and [3])"]);
    // Record 1 copied over record 2 and its leaf over leaf 2, against a header of those leaves.
    const repeated = withLines((l) => {
      l[2] = l[1];
      l[1 + 300 + 1] = l[1 + 300];
    });
    const leaves = repeated
      .split("\n")
      .slice(301, 601)
      .map((t) => JSON.parse(t) as `0x${string}`);
    const anchored = { ...readBatchFile(file).header, root: rootOfLeaves(leaves) };
    const result = await both("repeated-leaf", repeated, anchored);
    expect(result.mismatches.map((m) => m.problem)).to.deep.equal(["appears twice (records[0] and [1])"]);
  });

  it("reports a tampered leaf list, a changed header and another batch's anchored header", async () => {
    const leafLine = 1 + 300 + 5;
    const tampered = await both(
      "leaf",
      withLines((l) => (l[leafLine] = `"0x${"ab".repeat(32)}"`)),
    );
    expect(tampered.problems).to.include(
      "the stored leaves do not hash to the anchored root, so changed payments cannot be named",
    );
    const header = await both(
      "header",
      text.replace(/"grossTotal":"(\d+)"/, (_m, v: string) => `"grossTotal":"${BigInt(v) + 1n}"`),
    );
    expect(header.problems.join("\n")).to.match(/the file's header\.grossTotal is/);
    const other = buildBatch([record(1), record(2)], { submitter: SUBMITTER, key: "K-2" });
    const against = await both("other", text, other.header);
    expect(against.ok).to.equal(false);
  });

  it("returns the proof of one payment, valid under the root", async () => {
    const result = await verifyBatchFileStream(file, "file", { payment: "PAY-00123" });
    expect(result?.inclusion?.index).to.equal(123);
    expect(verifyInclusion(result!.file.header.root, result!.inclusion!.record, result!.inclusion!.proof)).to.equal(
      true,
    );
    expect((await verifyBatchFileStream(file, "file", { payment: "NOPE" }))?.inclusion).to.equal(undefined);
  });

  it("refuses a truncated file and says undefined for a clearhouse.batch/1 file", async () => {
    const truncated = join(dir, "truncated.json");
    writeFileSync(truncated, lines().slice(0, 400).join("\n") + "\n");
    const error = await verifyBatchFileStream(truncated, "file").catch((e: unknown) => e);
    expect(error).to.be.instanceOf(BatchFileError);
    expect((error as Error).message).to.match(/ends at line/);
    const v1 = join(dir, "v1.json");
    writeFileSync(v1, JSON.stringify({ format: "clearhouse.batch/1" }));
    expect(await verifyBatchFileStream(v1, "file")).to.equal(undefined);
  });
});
