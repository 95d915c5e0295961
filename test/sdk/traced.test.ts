/**
 * Traced private batches through the SDK on a deployed consortium (issue 23): governance registers
 * the regulator's key and the threshold; Danube builds, proves, anchors and declares a traced batch
 * (`declareTracedChunks`); an untraced declaration is then refused with a typed error; and the
 * regulator, from the chain alone (`collectSnapshot`, `tracedDeclarations`) and its key file, reads
 * the payments at or above the threshold and nothing of the others, every proof re-verified — the
 * audit's proof check re-derives the traced chunks' signals as well.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { auditSnapshot, collectSnapshot, tracedDeclarations, unreadableTraced } from "../../packages/sdk/src/audit";
import {
  buildPrivateBatch,
  buildTracedBatch,
  decryptDeclaration,
  proofVerifier,
  provePrivateBatch,
  proveTracedBatch,
  readDeclaration,
  releaseProver,
} from "../../packages/zk/src";
import { sampleRecords } from "../zk/proofs";
import { writeRegulatorKeyFile } from "../../packages/zk/src/regulator/files";
import { cliWorkspace, expectFailure, jsonResult } from "../cli/harness";
import { settlementFixture } from "./settlementFixture";

const SECRET = 0x5eed1234n;
const OTHER = 0xbadc0ffeen;
const THRESHOLD = 1_500n;

describe("SDK: traced private batches, declared and read by the regulator", function () {
  this.timeout(600_000);
  after(releaseProver);

  it("declares a traced batch; the regulator reads its large payments; untraced ones are refused", async () => {
    const f = await settlementFixture();
    const [x, y] = mulPointEscalar(Base8, SECRET);
    await f.gov.zk.rotateRegulatorKey({ x, y });
    await f.gov.zk.setTraceThreshold({ threshold: THRESHOLD });
    const policy = await f.operator.zk.getTracePolicy();
    expect(policy).to.deep.equal({ epoch: 1, key: { x, y }, threshold: THRESHOLD });

    const indexes = new Map<string, number>();
    for (const b of [f.addr.danube, f.addr.alpine, f.addr.celtic])
      indexes.set(b.toLowerCase(), (await f.operator.settlement.ledgerIndexOf({ bank: b }))!);
    const indexOf = (b: string) => indexes.get(b.toLowerCase())!;
    // 30 payments of 1,000 + 37·i: i ≥ 14 are at or above 1,500 (16 of them)
    const records = sampleRecords(30, f.addr.danube, [f.addr.alpine, f.addr.celtic]);
    const traced = buildTracedBatch(records, { submitter: f.addr.danube, key: "traced-sdk", indexOf });
    const progress: number[] = [];
    const chunks = await proveTracedBatch(traced, policy, { onProgress: (done) => progress.push(done) });
    expect(progress).to.deep.equal(traced.chunks.map((_, i) => i + 1));
    await f.bank.danube.settlement.submitBatch({ key: traced.key, header: traced.header });
    await f.bank.alpine.settlement.acknowledgeBatch({ batchId: traced.batchId });
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId: traced.batchId });
    await f.operator.settlement.openCycle();
    await f.bank.danube.settlement.declareTracedChunks({ key: traced.key, header: traced.header, chunks });

    // An untraced private batch cannot be declared any more.
    const plain = buildPrivateBatch(sampleRecords(4, f.addr.danube, [f.addr.alpine]), {
      submitter: f.addr.danube,
      key: "untraced-sdk",
      indexOf,
    });
    const plainChunks = await provePrivateBatch(plain);
    await f.bank.danube.settlement.submitBatch({ key: plain.key, header: plain.header });
    await f.bank.alpine.settlement.acknowledgeBatch({ batchId: plain.batchId });
    await expect(
      f.bank.danube.settlement.declareProvedChunks({ key: plain.key, header: plain.header, chunks: plainChunks }),
    ).to.be.rejectedWith(/traceability is on \(regulator key epoch 1\)/);

    // The regulator, from the chain alone.
    const snapshot = await collectSnapshot(f.gov.context);
    const [d, ...more] = tracedDeclarations(snapshot, { batchId: traced.batchId });
    expect(more).to.have.length(0);
    expect(tracedDeclarations(snapshot, { cycleId: 1n })).to.have.length(1);
    expect(tracedDeclarations(snapshot, { cycleId: 2n })).to.have.length(0);
    expect(d.policy).to.deep.equal(policy);
    const verifier = proofVerifier();
    for (const p of d.proofs) expect(await verifier.verifyProof(p.circuit, p.proof, p.signals)).to.equal(true);
    const reading = decryptDeclaration(d, { epoch: 1, secret: SECRET, public: [x, y] });
    expect(reading.rootMatches).to.equal(true);
    const large = records.filter((r) => r.amount >= THRESHOLD);
    expect(reading.payments.map((p) => p.amount).sort()).to.deep.equal(large.map((r) => r.amount).sort());
    expect(reading.payments).to.have.length(16);
    expect(reading.zeroSlots).to.equal(traced.chunks.length * 32 - 16);
    // the key is matched by its public key, not by the epoch its file is labelled with (review 23, 4)
    expect(decryptDeclaration(d, { epoch: 7, secret: SECRET, public: [x, y] }).payments).to.have.length(16);
    const [ox, oy] = mulPointEscalar(Base8, OTHER);
    expect(() => decryptDeclaration(d, { epoch: 1, secret: OTHER, public: [ox, oy] })).to.throw(
      /epoch 1; the key given \(labelled epoch 1\) is not that key/,
    );
    expect(readDeclaration(d, { files: [{ epoch: 1, secret: OTHER, public: [ox, oy] }] })).to.have.property("notRead");
    // a declaration whose transaction went to another contract is reported, not dropped (review 23, 2)
    const wallet = {
      ...snapshot,
      proofTransactions: { ...snapshot.proofTransactions, [d.transactionHash]: "0x" as const },
    };
    expect(tracedDeclarations(wallet, { cycleId: 1n })).to.have.length(0);
    expect(unreadableTraced(wallet, { cycleId: 1n })).to.deep.equal([
      {
        cycleId: 1n,
        batchId: traced.batchId,
        transactionHash: d.transactionHash,
        blockNumber: d.blockNumber,
        epoch: 1,
        reason:
          "sent through another contract (a wallet or multisig): its transaction's input is not the engine's call",
      },
    ]);
    expect(unreadableTraced(snapshot, { cycleId: 1n })).to.deep.equal([]);

    // The same from the command line: `clearhouse audit decrypt`, by batch and by cycle.
    const w = cliWorkspace(f.deployment, "decrypt");
    const keyPath = join(w.dir, "regulator-1.json");
    writeRegulatorKeyFile(keyPath, { epoch: 1, secret: SECRET, public: [x, y] });
    const out = join(w.dir, "decrypt");
    type Report = {
      readings: { payments: { amount: string }[]; proofsVerified: boolean }[];
      notRead: unknown[];
      unreadable: unknown[];
    };
    const byBatch = jsonResult<Report>(
      await w.cli("--json", "audit", "decrypt", traced.batchId, "--regulator-key", keyPath, "--out", out),
    );
    expect(byBatch.readings).to.have.length(1);
    expect(byBatch.readings[0].proofsVerified).to.equal(true);
    expect(byBatch.readings[0].payments).to.have.length(16);
    expect(byBatch.notRead).to.deep.equal([]);
    expect(byBatch.unreadable).to.deep.equal([]);
    expect(existsSync(join(out, "decrypt.json"))).to.equal(true);
    expect(readFileSync(join(out, "decrypt.md"), "utf8")).to.match(
      /16 traced, \d+ zero slots; proofs verified, root matches/,
    );
    const human = await w.cli("audit", "decrypt", "1", "--regulator-key", keyPath);
    expect(human.code, human.err).to.equal(0);
    expect(human.out).to.match(/16 traced payments/);
    expectFailure(
      await w.cli("audit", "decrypt", "2", "--regulator-key", keyPath),
      2,
      /No traced private batch was declared for 2/,
    );
    expectFailure(await w.cli("audit", "decrypt", "yesterday", "--regulator-key", keyPath), 2, /neither a batch id/);
    expectFailure(await w.cli("audit", "decrypt", "1"), 2, /Give the regulator's key/);
    // another key, even labelled with the batch's epoch: nothing read, exit 2, the chain's key named
    const other = join(w.dir, "other-1.json");
    writeRegulatorKeyFile(other, { epoch: 1, secret: OTHER, public: [ox, oy] });
    expectFailure(
      await w.cli("audit", "decrypt", "1", "--regulator-key", other),
      2,
      /could be read with the keys given: batch 0x[0-9a-f]{64} is encrypted to the regulator key of epoch 1 \(/,
    );
    // several keys: the one that fits is used
    const both = jsonResult<Report>(await w.cli("--json", "audit", "decrypt", "1", "--regulator-key", other, keyPath));
    expect(both.readings[0].payments).to.have.length(16);

    // k-of-n (review 23, 3): the batch's proven ephemeral keys, two officials' partials, combined
    const eph = join(w.dir, "cycle-1.eph.json");
    const written = jsonResult<{ epoch: number; chunks: number }>(
      await w.cli("--json", "audit", "ephemeral", "1", "--out", eph),
    );
    expect(written).to.include({ epoch: 1, chunks: traced.chunks.length });
    const ephFile = JSON.parse(readFileSync(eph, "utf8")) as { kind: string; chunks: { batchId: string }[] };
    expect(ephFile.kind).to.equal("clearhouse.regulator-ephemerals");
    expect(ephFile.chunks.map((c) => c.batchId)).to.deep.equal(traced.chunks.map(() => traced.batchId));
    const split = await w.cli(
      "regulator",
      "split",
      "--key",
      keyPath,
      "--threshold",
      "2",
      "--officials",
      "3",
      "--out-dir",
      join(w.dir, "shares"),
    );
    expect(split.code, split.err).to.equal(0);
    for (const i of [1, 3]) {
      const r = await w.cli(
        "regulator",
        "partial",
        "--share",
        join(w.dir, "shares", `share-${i}.json`),
        "--ephemeral-file",
        eph,
        "--out",
        join(w.dir, `partial-${i}.json`),
      );
      expect(r.code, r.err).to.equal(0);
    }
    const keysFile = join(w.dir, "cycle-1.keys.json");
    const combined = await w.cli(
      "regulator",
      "combine",
      "--share-commitments",
      join(w.dir, "shares", "commitments.json"),
      "--partials",
      join(w.dir, "partial-1.json"),
      join(w.dir, "partial-3.json"),
      "--out",
      keysFile,
    );
    expect(combined.code, combined.err).to.equal(0);
    const shared = jsonResult<Report>(await w.cli("--json", "audit", "decrypt", "1", "--shared-keys", keysFile));
    expect(shared.readings[0].payments.map((p) => BigInt(p.amount)).sort()).to.deep.equal(
      large.map((r) => r.amount).sort(),
    );
    expectFailure(await w.cli("audit", "ephemeral", "1", "--out", eph, "--epoch", "0"), 2, /is not an epoch/);
    expectFailure(
      await w.cli("audit", "ephemeral", "1", "--out", eph, "--epoch", "2"),
      2,
      /no traced batch of epoch 2/,
    );

    // The audit re-derives and re-verifies the traced proofs.
    const report = await auditSnapshot(snapshot, { verifier });
    const proofs = report.checks.find((c) => c.id === "proofs")!;
    expect(proofs.failures).to.deep.equal([]);
  });
});
