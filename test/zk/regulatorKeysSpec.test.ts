/**
 * docs/spec/regulator-keys.md's vectors (docs/spec/vectors/regulator-keys.json), checked twice: (a)
 * packages/zk/src/regulator computes them again, and (b) an implementation written from the spec
 * alone — BabyJubjub point arithmetic, the bare Poseidon permutation, poseidon-lite and keccak, none
 * of the regulator module — gives the same keys, ciphertexts, shares, proofs and combined key.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { addPoint, Base8, inCurve, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { poseidonPerm } from "@zk-kit/poseidon-cipher";
import { poseidon3 } from "poseidon-lite/poseidon3";
import { poseidon12 } from "poseidon-lite/poseidon12";
import { keccak256, stringToHex } from "viem";
import { computeVectors, VECTORS_JSON } from "../../scripts/spec/regulator-keys-vectors";

type Hex = string;
interface Pt {
  x: Hex;
  y: Hex;
}
interface Vectors {
  parameters: {
    p: string;
    l: string;
    base8: Pt;
    dleqDomain: Hex;
    poseidonPermutation: { input: Hex[]; output: Hex[] };
  };
  sampling: { blocks: Hex[]; scalar: Hex };
  regulator: { secret: Hex; public: Pt };
  chunk: {
    ephemeralSecret: Hex;
    ephemeral: Pt;
    sharedKey: Pt;
    slots: { nonce: number; plaintext: Hex[]; initialState: Hex[]; ciphertext: Hex[] }[];
  };
  threshold: {
    k: number;
    n: number;
    coefficients: Hex[];
    shares: { index: number; value: Hex; commitment: Pt }[];
    partials: { index: number; point: Pt }[];
    dleq: { index: number; nonce: Hex; A: Pt; B: Pt; challenge: Hex; response: Hex }[];
    lagrange: { indexes: number[]; coefficients: Hex[] };
    combined: Pt;
  };
  files: Record<"key" | "share" | "partial", Record<string, unknown>>;
}

const v = JSON.parse(readFileSync(VECTORS_JSON, "utf8")) as Vectors;
const p = BigInt(v.parameters.p);
const l = BigInt(v.parameters.l);
const pt = (q: Pt): [bigint, bigint] => [BigInt(q.x), BigInt(q.y)];
const modL = (a: bigint) => ((a % l) + l) % l;
const invL = (a: bigint): bigint => {
  let [r, b, e] = [1n, modL(a), l - 2n];
  for (; e > 0n; e >>= 1n, b = (b * b) % l) if (e & 1n) r = (r * b) % l;
  return r;
};
const G = pt(v.parameters.base8);
const mul = (q: [bigint, bigint], k: bigint) => mulPointEscalar(q, k);

describe("docs/spec/regulator-keys.md vectors", () => {
  it("are what packages/zk/src/regulator computes", () => {
    expect(JSON.parse(JSON.stringify(computeVectors()))).to.deep.equal(v);
  });

  it("§0–§2 from the spec alone: parameters, sampling, keys, ECDH", () => {
    expect(G).to.deep.equal(Base8);
    expect(inCurve(G) && mul(G, l)[0] === 0n && mul(G, l)[1] === 1n).to.equal(true);
    // 32 bytes big-endian, top 5 bits cleared, kept iff 0 < x < l
    const masked = v.sampling.blocks.map((b) => BigInt(b) & ((1n << 251n) - 1n));
    expect(masked[0] >= l).to.equal(true);
    expect(masked[1] > 0n && masked[1] < l).to.equal(true);
    expect(BigInt(v.sampling.scalar)).to.equal(masked[1]);
    const s = BigInt(v.regulator.secret);
    const e = BigInt(v.chunk.ephemeralSecret);
    expect(mul(G, s)).to.deep.equal(pt(v.regulator.public));
    expect(mul(G, e)).to.deep.equal(pt(v.chunk.ephemeral));
    expect(mul(pt(v.regulator.public), e)).to.deep.equal(pt(v.chunk.sharedKey));
    expect(mul(pt(v.chunk.ephemeral), s)).to.deep.equal(pt(v.chunk.sharedKey));
  });

  it("§3 from the spec alone: the permutation is circomlib's Poseidon t = 4; the slot cipher", () => {
    const perm = v.parameters.poseidonPermutation;
    expect(poseidonPerm(perm.input.map(BigInt)).map(BigInt)).to.deep.equal(perm.output.map(BigInt));
    expect(BigInt(perm.output[0])).to.equal(poseidon3([1n, 2n, 3n]));
    const [kx, ky] = pt(v.chunk.sharedKey);
    for (const slot of v.chunk.slots) {
      const m = [...slot.plaintext.map(BigInt), 0n, 0n]; // 4 elements padded to 6
      let state = [0n, kx, ky, BigInt(slot.nonce) + 4n * 2n ** 128n];
      expect(state).to.deep.equal(slot.initialState.map(BigInt));
      const c: bigint[] = [];
      for (let i = 0; i < 2; i++) {
        state = poseidonPerm(state);
        for (let j = 1; j <= 3; j++) state[j] = (state[j] + m[3 * i + j - 1]) % p;
        c.push(state[1], state[2], state[3]);
      }
      c.push(poseidonPerm(state)[1]);
      expect(c).to.deep.equal(slot.ciphertext.map(BigInt));
    }
  });

  it("§4–§5 from the spec alone: shares, commitments, DLEQ proofs, Lagrange, the combined key", () => {
    const t = v.threshold;
    const [s, a1] = t.coefficients.map(BigInt);
    expect(s).to.equal(BigInt(v.regulator.secret));
    for (const sh of t.shares) {
      expect(BigInt(sh.value)).to.equal(modL(s + a1 * BigInt(sh.index)));
      expect(mul(G, BigInt(sh.value))).to.deep.equal(pt(sh.commitment));
    }
    const domain = BigInt(keccak256(stringToHex("clearhouse.regulator-dleq/1"))) % p;
    expect(BigInt(v.parameters.dleqDomain)).to.equal(domain);
    const E = pt(v.chunk.ephemeral);
    for (const d of t.dleq) {
      const si = BigInt(t.shares[d.index - 1].value);
      const S = pt(t.shares[d.index - 1].commitment);
      const D = pt(t.partials.find((x) => x.index === d.index)!.point);
      expect(mul(E, si)).to.deep.equal(D);
      const w = BigInt(d.nonce);
      const [A, B] = [mul(G, w), mul(E, w)];
      expect([A, B]).to.deep.equal([pt(d.A), pt(d.B)]);
      const c = poseidon12([domain, BigInt(d.index), ...S, ...E, ...D, ...A, ...B]) % l;
      expect(c).to.equal(BigInt(d.challenge));
      const z = modL(w - c * si);
      expect(z).to.equal(BigInt(d.response));
      // the verifier's equations
      expect(addPoint(mul(G, z), mul(S, c))).to.deep.equal(A);
      expect(addPoint(mul(E, z), mul(D, c))).to.deep.equal(B);
    }
    const [i, j] = t.lagrange.indexes.map(BigInt);
    const lambdas = [modL(j * invL(j - i)), modL(i * invL(i - j))];
    expect(lambdas).to.deep.equal(t.lagrange.coefficients.map(BigInt));
    const K = addPoint(mul(pt(t.partials[0].point), lambdas[0]), mul(pt(t.partials[1].point), lambdas[1]));
    expect(K).to.deep.equal(pt(t.combined));
    expect(K).to.deep.equal(pt(v.chunk.sharedKey));
  });

  it("§6 the files: kind, version, epoch, fields in order, numbers as 0x + 64 hex digits", () => {
    expect(Object.keys(v.files.key)).to.deep.equal(["kind", "version", "epoch", "secret", "public"]);
    expect(Object.keys(v.files.share)).to.deep.equal([
      "kind",
      "version",
      "epoch",
      "index",
      "k",
      "n",
      "share",
      "commitments",
      "public",
    ]);
    expect(Object.keys(v.files.partial)).to.deep.equal(["kind", "version", "epoch", "index", "items"]);
    expect(v.files.share.share).to.equal(v.threshold.shares[0].value);
    expect(JSON.stringify(v.files)).to.match(/"0x[0-9a-f]{64}"/);
    expect(
      JSON.stringify(v.files)
        .match(/"0x[0-9a-f]*"/g)!
        .every((h) => h.length === 68),
    ).to.equal(true);
  });
});
