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
import { auditSnapshot, collectSnapshot, tracedDeclarations } from "../../packages/sdk/src/audit";
import {
  buildPrivateBatch,
  buildTracedBatch,
  decryptDeclaration,
  proofVerifier,
  provePrivateBatch,
  proveTracedBatch,
  releaseProver,
} from "../../packages/zk/src";
import { sampleRecords } from "../zk/proofs";
import { writeRegulatorKeyFile } from "../../packages/zk/src/regulator/files";
import { cliWorkspace, expectFailure, jsonResult } from "../cli/harness";
import { settlementFixture } from "./settlementFixture";

const SECRET = 0x5eed1234n;
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
    // another epoch's key file is refused, naming the epoch to use
    expect(() => decryptDeclaration(d, { epoch: 2, secret: SECRET, public: [x, y] })).to.throw(/epoch 1/);

    // The same from the command line: `clearhouse audit decrypt`, by batch and by cycle.
    const w = cliWorkspace(f.deployment, "decrypt");
    const keyPath = join(w.dir, "regulator-1.json");
    writeRegulatorKeyFile(keyPath, { epoch: 1, secret: SECRET, public: [x, y] });
    const out = join(w.dir, "decrypt");
    const byBatch = jsonResult<{ payments: { amount: string }[]; proofsVerified: boolean }[]>(
      await w.cli("--json", "audit", "decrypt", traced.batchId, "--regulator-key", keyPath, "--out", out),
    );
    expect(byBatch).to.have.length(1);
    expect(byBatch[0].proofsVerified).to.equal(true);
    expect(byBatch[0].payments).to.have.length(16);
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
    const epoch2 = join(w.dir, "regulator-2.json");
    writeRegulatorKeyFile(epoch2, { epoch: 2, secret: SECRET, public: [x, y] });
    expectFailure(await w.cli("audit", "decrypt", "1", "--regulator-key", epoch2), 2, /epoch 1; this key is epoch 2/);

    // The audit re-derives and re-verifies the traced proofs.
    const report = await auditSnapshot(snapshot, { verifier });
    const proofs = report.checks.find((c) => c.id === "proofs")!;
    expect(proofs.failures).to.deep.equal([]);
  });
});
