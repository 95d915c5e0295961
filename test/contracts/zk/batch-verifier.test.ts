/**
 * `verifyBatch` of the private_netting_256 verifier (decision 036): n Groth16 proofs of one key in one
 * pairing product with Fiat-Shamir coefficients. It accepts exactly when every proof would verify
 * alone, refuses malformed input, and costs a fraction of n single verifications. The proofs are the
 * real ones of fixtures/max-proved-chunks.json (bank index 0, creditors by maxChunksIndexes).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { PrivateNetting256Verifier } from "../../../typechain-types";
import { bucketWords } from "../../../packages/sdk/src/zk/privateWords";
import { maxChunksFixture, maxChunksIndexes } from "../settlement/provedChunks";
import type { ProvedChunk } from "../settlement/chunks";

const MAX = 48;
/** BN254's scalar field: a public signal must be below it. */
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

type Proof = [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
type Signals = [bigint, bigint, bigint];

const chunks: ProvedChunk[] = maxChunksFixture(MAX);
const all = maxChunksIndexes(MAX);
const proofOf = (c: ProvedChunk): Proof => [...c.proof] as Proof;
const signalsOf = (c: ProvedChunk): Signals => {
  const [w0, w1] = bucketWords(
    0,
    c.buckets.map((p) => all[p]),
    c.amounts,
  );
  return [c.root, w0, w1];
};

describe("PrivateNetting256Verifier.verifyBatch (decision 036)", function () {
  this.timeout(120_000);
  let v: PrivateNetting256Verifier;
  const single = (p: Proof, s: Signals) =>
    v.verifyProof(
      [p[0], p[1]],
      [
        [p[2], p[3]],
        [p[4], p[5]],
      ],
      [p[6], p[7]],
      s,
    );

  before(async () => {
    v = (await ethers.deployContract("PrivateNetting256Verifier")) as unknown as PrivateNetting256Verifier;
  });

  it("accepts n valid proofs, each of which verifies alone (n = 1, 2, 3, 48)", async () => {
    for (const c of chunks.slice(0, 3)) expect(await single(proofOf(c), signalsOf(c))).to.equal(true);
    for (const n of [1, 2, 3, MAX]) {
      const some = chunks.slice(0, n);
      expect(await v.verifyBatch(some.map(proofOf), some.map(signalsOf)), `n = ${n}`).to.equal(true);
    }
  });

  it("refuses the batch if any one proof is changed, wherever it is", async () => {
    const some = chunks.slice(0, 4);
    for (let i = 0; i < some.length; i++) {
      const proofs = some.map(proofOf);
      proofs[i] = [...proofs[i]] as Proof;
      [proofs[i][6], proofs[i][7]] = [proofs[(i + 1) % 4][6], proofs[(i + 1) % 4][7]]; // another proof's C
      expect(await v.verifyBatch(proofs, some.map(signalsOf)), `proof ${i}`).to.equal(false);
    }
  });

  it("refuses two proofs whose C points were swapped: the sum is unchanged, only the random coefficients tell", async () => {
    const some = chunks.slice(0, 2);
    const [p0, p1] = some.map(proofOf);
    const swapped: Proof[] = [
      [p0[0], p0[1], p0[2], p0[3], p0[4], p0[5], p1[6], p1[7]],
      [p1[0], p1[1], p1[2], p1[3], p1[4], p1[5], p0[6], p0[7]],
    ];
    expect(await single(swapped[0], signalsOf(some[0]))).to.equal(false);
    expect(await v.verifyBatch(swapped, some.map(signalsOf))).to.equal(false);
  });

  it("refuses signals that belong to another proof, another bank, or a changed amount", async () => {
    const some = chunks.slice(0, 2);
    const proofs = some.map(proofOf);
    expect(await v.verifyBatch(proofs, [signalsOf(some[1]), signalsOf(some[0])])).to.equal(false);
    const [s0, s1] = some.map(signalsOf);
    expect(await v.verifyBatch(proofs, [[s0[0], s0[1] | (1n << 176n), s0[2]], s1])).to.equal(false);
    expect(await v.verifyBatch(proofs, [s0, [s1[0], s1[1], s1[2] + (1n << 16n)]])).to.equal(false);
  });

  it("refuses malformed input: no proof, unequal lengths, a signal not below the field, more than 256 proofs", async () => {
    const some = chunks.slice(0, 2);
    expect(await v.verifyBatch([], [])).to.equal(false);
    expect(await v.verifyBatch(some.map(proofOf), [signalsOf(some[0])])).to.equal(false);
    const [s0, s1] = some.map(signalsOf);
    expect(await v.verifyBatch(some.map(proofOf), [[s0[0] + R, s0[1], s0[2]], s1])).to.equal(false);
    const many = Array.from({ length: 257 }, (_, i) => chunks[i % MAX]);
    expect(await v.verifyBatch(many.map(proofOf), many.map(signalsOf))).to.equal(false);
  });

  it("costs a fraction of n single verifications (gas printed)", async () => {
    const gas = async (n: number) => {
      const some = chunks.slice(0, n);
      return v.verifyBatch.estimateGas(some.map(proofOf), some.map(signalsOf));
    };
    const one = await single.bind(null)(proofOf(chunks[0]), signalsOf(chunks[0])); // warm
    expect(one).to.equal(true);
    const singleGas = await v.verifyProof.estimateGas(
      [chunks[0].proof[0], chunks[0].proof[1]],
      [
        [chunks[0].proof[2], chunks[0].proof[3]],
        [chunks[0].proof[4], chunks[0].proof[5]],
      ],
      [chunks[0].proof[6], chunks[0].proof[7]],
      signalsOf(chunks[0]),
    );
    const measured: [number, bigint][] = [];
    for (const n of [1, 2, 4, 16, MAX]) measured.push([n, await gas(n)]);
    console.log(
      `      single verifyProof ${singleGas}; verifyBatch ` +
        measured.map(([n, g]) => `n=${n}: ${g} (${(Number(g) / n).toFixed(0)} a proof)`).join(", "),
    );
    // Each further proof adds one pairing pair and two scalar multiplications (~47k), against a
    // whole verification (~228k); the four fixed pairs and five multiplications are paid once.
    for (const [n, g] of measured) {
      if (n >= 4) expect(g, `n = ${n}`).to.be.below((singleGas * BigInt(n)) / 2n);
      if (n >= 16) expect(g, `n = ${n}`).to.be.below((singleGas * BigInt(n)) / 3n);
    }
  });
});
