/**
 * TraceBinding (docs/spec/traced-batch.md §5): the engine's challenge and evaluation over a traced
 * chunk's published ciphertexts equal the spec vectors and the SDK's, for the vectors' chunk and for
 * random ones; an element not below p is refused, naming its position; gas measured.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { traceChallenge, traceEvaluation } from "../../../packages/sdk/src/zk/traceBinding";
import { VECTORS_JSON, vectorWitness, type computeVectors } from "../../../scripts/spec/traced-batch-vectors";
import { FIELD_MODULUS } from "../../../packages/sdk/src/zk/field";

const v = JSON.parse(readFileSync(VECTORS_JSON, "utf8")) as ReturnType<typeof computeVectors>;

describe("TraceBinding (challenge and evaluation of a traced chunk's ciphertexts)", () => {
  async function harness() {
    return ethers.deployContract("TraceBindingHarness");
  }

  it("derives the spec vectors' challenge and evaluation from the chunk's 224 published elements", async () => {
    const h = await harness();
    const { chunk, policy, w } = vectorWitness();
    const [r, e] = await h.bind(
      chunk.root,
      w.ephemeralKey,
      policy.key!.x,
      policy.key!.y,
      policy.threshold,
      w.ciphertexts.flat(),
    );
    expect(r.toString()).to.equal(v.challenge);
    expect(e.toString()).to.equal(v.evaluation);
    // one element changed: another challenge, another evaluation
    const tampered = w.ciphertexts.flat();
    tampered[223] = (tampered[223] + 1n) % FIELD_MODULUS;
    const [r2, e2] = await h.bind(chunk.root, w.ephemeralKey, policy.key!.x, policy.key!.y, policy.threshold, tampered);
    expect(r2).to.not.equal(r);
    expect(e2).to.not.equal(e);
  });

  it("agrees with the SDK on random chunks, within 3,368 + 47,368 gas", async () => {
    const h = await harness();
    const rnd = () => BigInt(ethers.hexlify(ethers.randomBytes(32))) % FIELD_MODULUS;
    for (let t = 0; t < 5; t++) {
      const c: bigint[][] = Array.from({ length: 32 }, () => Array.from({ length: 7 }, rnd));
      const root = rnd();
      const E: [bigint, bigint] = [rnd(), rnd()];
      const policy = { epoch: 1, key: { x: rnd(), y: rnd() }, threshold: BigInt(t) * 1000n };
      const r = traceChallenge(root, E, policy, c);
      const [gotR, gotE, gasC, gasE] = await h.bind(root, E, policy.key.x, policy.key.y, policy.threshold, c.flat());
      expect(gotR).to.equal(r);
      expect(gotE).to.equal(traceEvaluation(c, r));
      expect(Number(gasC)).to.be.at.most(3_368);
      expect(Number(gasE)).to.be.at.most(47_368);
      if (t === 0) console.log(`      challenge ${gasC} gas, evaluation ${gasE} gas (224 elements)`);
    }
  });

  it("refuses an element that is not below p, naming its position", async () => {
    const h = await harness();
    const c = new Array<bigint>(224).fill(1n);
    c[100] = FIELD_MODULUS;
    await expect(h.bind(1n, [2n, 3n], 4n, 5n, 6n, c))
      .to.be.revertedWithCustomError(
        await ethers.getContractAt("NettingEngine", await h.getAddress()),
        "NettingTraceCiphertextNotInField",
      )
      .withArgs(100, FIELD_MODULUS);
  });
});
