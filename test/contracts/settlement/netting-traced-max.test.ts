/**
 * The MAX_TRACED_CHUNKS bound of `declareTracedChunks`, measured with real `private_traced_32`
 * proofs (issue 23, decision 041): MAX_TRACED_CHUNKS full chunks of 32 payments from one bank, 4
 * distinct creditors a chunk (4·MAX_TRACED_CHUNKS counterparties, the most it can name), are accepted under the 15,000,000-gas budget, and the same batch with a bad last proof
 * is refused, naming that chunk, within it too (the batch check fails, then every proof is checked
 * alone). The transaction's calldata size is printed (docs/zk.md: what a Besu node takes). The
 * proofs are made ahead of time (fixtures/max-traced-chunks.json, `npm run fixtures:max-traced-chunks`,
 * ~10 s a chunk); a changed verification key makes the suite fail, naming that command.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import type { Address } from "viem";
import { ARTIFACT_DIR, TRANSCRIPT_PATH } from "../../../packages/zk/src/artifacts";
import { deployZk } from "../zk/helpers";
import { batchIdOf, inOneBlock, makeBatch, mined, Status, submitFinal } from "./helpers";
import { chunksAt, tracedArgs } from "./chunks";
import {
  MAX_TRACED_THRESHOLD,
  TRACED_CIRCUIT,
  deployTracedBound,
  maxTracedFixture,
  maxTracedPolicy,
} from "./tracedMax";

const TRACED = ethers.encodeBytes32String(TRACED_CIRCUIT);
const GAS_BUDGET = 15_000_000n;

/** What is missing to run these tests (empty when nothing is). */
async function missing(): Promise<string[]> {
  const dir = join(ARTIFACT_DIR, TRACED_CIRCUIT);
  const out = ["verification_key.json"].map((f) => join(dir, f)).filter((p) => !existsSync(p));
  if (!(await artifacts.artifactExists("PrivateTraced32Verifier")))
    out.push("contracts/zk/PrivateTraced32Verifier.sol (compiled)");
  return out;
}

describe("NettingEngine — declareTracedChunks at MAX_TRACED_CHUNKS with real private_traced_32 proofs", function () {
  this.timeout(900_000);

  before(async function () {
    const gaps = await missing();
    if (gaps.length > 0)
      throw new Error(
        `the ${TRACED_CIRCUIT} ceremony has not produced ${gaps.join(", ")} (transcript ${TRANSCRIPT_PATH})`,
      );
  });

  /** deployTracedBound with the registry wired and the fixture's key and threshold, cycle 1 open, the fixture's batch anchored (final). */
  async function atTheBound() {
    const max = Number(await (await ethers.deployContract("PrivateProofs")).MAX_TRACED_CHUNKS());
    const { f, all } = await deployTracedBound(max);
    const zk = await deployZk(f.engine); // registers every shipped circuit, private_traced_32 with it
    await mined(f.engine.connect(f.operator).openCycle());
    const policy = maxTracedPolicy();
    await mined(zk.verifierRegistry.rotateRegulatorKey(policy.key!.x, policy.key!.y));
    await mined(zk.verifierRegistry.setTraceThreshold(MAX_TRACED_THRESHOLD));
    const banks = all.map((s) => s.address as Address);
    const indexes = await Promise.all(banks.map(async (a) => Number((await f.ledger.bankOf(a))[0])));
    expect(indexes, "deployTracedBound: bank i at ledger index i").to.deep.equal(banks.map((_, i) => i));
    const { batch, chunks } = maxTracedFixture(banks, max);
    const { header } = batch;
    const b = await makeBatch(
      f.ledger,
      "traced-bound",
      header.counterparties.map((c, i) => [c, header.totals[i]] as const),
      { root: header.root, entryCount: BigInt(header.entryCount), totalsCommitment: header.totalsCommitment },
    );
    b.key = batch.key;
    await submitFinal(f, all[0], b, all);
    return {
      f,
      all,
      max,
      b,
      chunks: tracedArgs(chunks),
      c: await chunksAt(f.engine),
      id: batchIdOf(all[0].address, b.key),
    };
  }

  it("a fixture proved for another bound, other banks or another key names the command that proves it again", () => {
    expect(() => maxTracedFixture([], 23)).to.throw(
      /holds 24 chunks, the bound is 23: .*npm run fixtures:max-traced-chunks/,
    );
    expect(() => maxTracedFixture([], 24)).to.throw(/other banks .*npm run fixtures:max-traced-chunks/);
  });

  it("accepts MAX_TRACED_CHUNKS full chunks (32 payments, 4 creditors each) under the gas budget; prints the calldata size", async () => {
    const { f, all, max, b, chunks, c, id } = await atTheBound();
    expect(chunks).to.have.length(max);
    const tx = c.connect(all[0]).declareTracedChunks(1, b.key, b.header, b.counterparties, b.totals, chunks, {
      gasLimit: GAS_BUDGET,
    });
    await expect(tx)
      .to.emit(f.engine, "BatchProofAccepted")
      .withArgs(1, id, TRACED)
      .and.to.emit(f.engine, "BatchTraced")
      .withArgs(1, id, 1, MAX_TRACED_THRESHOLD, max, maxTracedPolicy().key!.x, maxTracedPolicy().key!.y);
    const receipt = (await (await tx).wait())!;
    const sent = (await ethers.provider.getTransaction(receipt.hash))!;
    const calldata = ethers.dataLength(sent.data);
    const zeros = ethers.getBytes(sent.data).filter((x) => x === 0).length;
    const raw = ethers.dataLength(ethers.Transaction.from(sent).serialized);
    console.log(
      `      ${max} chunks (${max * 32} payments, ${b.counterparties.length} creditors): ${receipt.gasUsed} gas, ${calldata} bytes of calldata, ${zeros} of them zero (${raw} bytes signed)`,
    );
    expect(receipt.gasUsed).to.be.below(GAS_BUDGET);
    // Besu has no per-transaction size limit; its P2P transactions message is 1 MiB (docs/zk.md).
    expect(raw).to.be.below(1_048_576);
    expect(await f.engine.pendingOf(1, id)).to.equal(b.header.counterpartyMask);
    expect(await f.ledger.statusOf(id, b.header)).to.equal(Status.Netted);
  });

  it("refuses MAX_TRACED_CHUNKS chunks with a bad last proof, naming it, within the gas budget (the batch, then each proof alone)", async () => {
    const { all, f, max, b, chunks, c } = await atTheBound();
    const bad = chunks.map((x, i) => (i === max - 1 ? { ...x, proof: chunks[0].proof } : x));
    const send = () =>
      c.connect(all[0]).declareTracedChunks(1, b.key, b.header, b.counterparties, b.totals, bad, {
        gasLimit: GAS_BUDGET,
      });
    await expect(send())
      .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
      .withArgs(TRACED, max - 1);
    const [hash] = await inOneBlock([send]);
    const failed = await ethers.provider.getTransactionReceipt(hash);
    expect(failed?.status).to.equal(0);
    console.log(`      refused at chunk ${max - 1}: ${failed!.gasUsed} gas`);
    expect(failed!.gasUsed).to.be.below(GAS_BUDGET);
  });
});
