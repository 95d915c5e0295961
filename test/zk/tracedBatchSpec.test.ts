/**
 * docs/spec/traced-batch.md and its vectors (docs/spec/vectors/traced-batch.json): the file is what
 * the code computes today, and an implementation written from the spec alone — the width-4 Poseidon
 * permutation, the cipher's sponge, the challenge and the evaluation — reproduces every value.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { concat, keccak256, stringToHex, toHex } from "viem";
import { poseidon3 } from "poseidon-lite/poseidon3";
import { poseidon4 } from "poseidon-lite/poseidon4";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { poseidon16 } from "poseidon-lite/poseidon16";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { poseidonPerm } from "@zk-kit/poseidon-cipher";
import { VECTORS_JSON, computeVectors } from "../../scripts/spec/traced-batch-vectors";

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const v = JSON.parse(readFileSync(VECTORS_JSON, "utf8")) as ReturnType<typeof computeVectors>;
const big = (xs: readonly string[]) => xs.map(BigInt);

/** The cipher of spec §4, step by step. */
function encrypt(m: bigint[], key: bigint[], nonce: bigint): bigint[] {
  const padded = [...m, 0n, 0n];
  let state = [0n, key[0], key[1], (nonce + 4n * 2n ** 128n) % P];
  const c: bigint[] = [];
  for (let b = 0; b < 2; b++) {
    state = poseidonPerm(state);
    for (let j = 1; j <= 3; j++) state[j] = (state[j] + padded[3 * b + j - 1]) % P;
    c.push(state[1], state[2], state[3]);
  }
  return [...c, poseidonPerm(state)[1]];
}

describe("spec: traced batches (docs/spec/traced-batch.md)", () => {
  it("the vectors file is what the code computes", () => {
    expect(JSON.parse(JSON.stringify(computeVectors()))).to.deep.equal(v);
  });

  it("§4 perm is the permutation under Poseidon(3): perm(0, a, b, c)[0] = poseidon3(a, b, c)", () => {
    expect(poseidonPerm([0n, 1n, 2n, 3n])[0]).to.equal(poseidon3([1n, 2n, 3n]));
    expect(poseidonPerm(big(v.permutation.input)).map(String)).to.deep.equal(v.permutation.output);
  });

  it("reproduces the keys, the root, every ciphertext, the challenge and the evaluation from the spec", () => {
    const reg = BigInt(v.regulator.secret);
    const e = BigInt(v.ephemeral.secret);
    expect(mulPointEscalar(Base8, reg).map(String)).to.deep.equal(v.regulator.publicKey);
    expect(mulPointEscalar(Base8, e).map(String)).to.deep.equal(v.ephemeral.publicKey);
    const shared = mulPointEscalar(big(v.regulator.publicKey) as [bigint, bigint], e);
    expect(shared.map(String)).to.deep.equal(v.ephemeral.sharedKey);
    // the regulator derives the same key from E
    expect(mulPointEscalar(big(v.ephemeral.publicKey) as [bigint, bigint], reg)).to.deep.equal(shared);

    // §2 slots and root: payments of one creditor in a group of 8, groups in header order
    const slots: [bigint, bigint][] = new Array(32).fill(null).map(() => [0n, 0n]);
    v.records.forEach((r, k) => {
      const at = v.chunk.usedSlots[k];
      const packed = (BigInt(r.ledgerIndex.debtor) << 80n) + (BigInt(r.ledgerIndex.creditor) << 64n) + BigInt(r.amount);
      slots[at] = [poseidon8(big(r.words)), packed];
    });
    const groups = [0, 1, 2, 3].map((g) => poseidon16(slots.slice(8 * g, 8 * g + 8).flat()));
    expect(poseidon4(groups).toString()).to.equal(v.chunk.root);
    expect(keccak256(toHex(BigInt(v.chunk.root), { size: 32 }))).to.equal(v.chunk.header.root);

    // §4 plaintexts and ciphertexts
    const threshold = BigInt(v.threshold);
    const all: bigint[][] = [];
    for (let i = 0; i < 32; i++) {
      const k = v.chunk.usedSlots.indexOf(i);
      const w = k < 0 ? undefined : big(v.records[k].words);
      const m = w && w[3] >= threshold ? [w[0], w[6], w[7], w[3]] : [0n, 0n, 0n, 0n];
      all.push(encrypt(m, shared, BigInt(i)));
    }
    for (const s of v.slots) {
      expect(all[s.index].map(String)).to.deep.equal(s.ciphertext);
      const k = v.chunk.usedSlots.indexOf(s.index);
      const w = k < 0 ? undefined : v.records[k].words;
      expect(s.plaintext).to.deep.equal(
        w && BigInt(w[3]) >= threshold ? [w[0], w[6], w[7], w[3]] : ["0", "0", "0", "0"],
      );
    }

    // §5 challenge and evaluation
    const words = [
      BigInt(v.chunk.root),
      ...big(v.ephemeral.publicKey),
      ...big(v.regulator.publicKey),
      threshold,
      ...all.flat(),
    ];
    const tag = keccak256(stringToHex("clearhouse.trace.challenge/1"));
    const r = BigInt(keccak256(concat([tag, ...words.map((x) => toHex(x, { size: 32 }))]))) % P;
    expect(r.toString()).to.equal(v.challenge);
    let evaluation = 0n;
    let power = 1n;
    for (const x of all.flat()) {
      power = (power * r) % P;
      evaluation = (evaluation + x * power) % P;
    }
    expect(evaluation.toString()).to.equal(v.evaluation);

    // §6 public signals
    expect(v.publicSignals[0]).to.equal(v.chunk.root);
    expect(v.publicSignals.slice(3, 6)).to.deep.equal([...v.ephemeral.publicKey, v.evaluation]);
    expect(v.publicSignals.slice(6)).to.deep.equal([...v.regulator.publicKey, v.threshold, v.challenge]);
  });
});
