/**
 * private_traced_32 (issue 23, decision 041), from the committed wasm and zkey: the proof's public
 * signals are what the engine will build from the chain and the published ciphertexts; the
 * regulator decrypts the payments at or above the threshold and reads zeros for the others; and a
 * bank that cheats cannot produce a proof the engine accepts — garbage ciphertexts, an old key, a
 * different amount, a large payment left as zeros — each case shown on the witness or on a real
 * proof checked against the signals the engine would use.
 */
import { expect } from "chai";
import type { Address } from "viem";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { decryptSlot, isZeroSlot } from "../../packages/zk/src/regulator/decrypt";
import { prove, releaseProver, verify } from "../../packages/zk/src/prover";
import { traceChallenge, traceEvaluation, type TracePolicy } from "../../packages/sdk/src/zk";
import { buildTracedBatch, tracePlaintext } from "../../packages/zk/src/tracedBatch";
import { checkPrivateTraced, privateTracedInputs } from "../../packages/zk/src/tracedInputs";
import type { CircuitInputs } from "../../packages/zk/src/signals";
import { payments } from "../sdk/settlementFixture";
import { outputs, refused } from "./witness";

const BANK: Address = "0x1000000000000000000000000000000000000001";
const CREDITORS: Address[] = [2, 3, 4].map((n) => `0x${String(n).repeat(40)}` as Address);
const indexOf = (b: Address) =>
  b.toLowerCase() === BANK ? 3 : 10 + CREDITORS.findIndex((c) => c.toLowerCase() === b.toLowerCase());
const THRESHOLD = 1_000_000n;
const SECRET_1 = 0x1234567890abcdefn; // the regulator's epoch-1 key
const SECRET_2 = 0xfedcba0987654321n; // epoch 2
const policyOf = (secret: bigint, epoch: number, threshold = THRESHOLD): TracePolicy => {
  const [x, y] = mulPointEscalar(Base8, secret);
  return { epoch, key: { x, y }, threshold };
};

describe("private_traced_32 circuit", function () {
  this.timeout(300_000);
  after(releaseProver);

  // 20 payments to 3 creditors; every 4th is large (≥ 1,000,000 minor units)
  const to: [Address, bigint][] = [];
  for (let i = 0; i < 20; i++) to.push([CREDITORS[i % 3], i % 4 === 0 ? THRESHOLD + BigInt(i) : 100n + BigInt(i)]);
  const batch = buildTracedBatch(payments(BANK, to, "traced"), { submitter: BANK, key: "traced-1", indexOf });
  const chunk = batch.chunks[0];
  const policy = policyOf(SECRET_1, 1);
  const w = privateTracedInputs(chunk, policy, 777n);
  const signalsOf = (inputs: CircuitInputs) => outputs("private_traced_32", inputs, 10);

  it("outputs the chunk root, the bucket words, E = e·Base8 and the ciphertexts' evaluation at the challenge", async () => {
    expect(batch.chunks).to.have.length(1);
    const got = await signalsOf(w.inputs);
    expect(got).to.deep.equal(w.publicSignals);
    expect(got[0]).to.equal(chunk.root);
    expect([got[3], got[4]]).to.deep.equal(mulPointEscalar(Base8, 777n));
    expect(got[5]).to.equal(traceEvaluation(w.ciphertexts, w.challenge));
    expect(checkPrivateTraced(w.inputs)).to.equal(w.inputs);
  });

  it("lets the regulator read the large payments and only zeros for the small and unused slots", () => {
    const shared = mulPointEscalar(w.ephemeralKey, SECRET_1);
    const read = w.ciphertexts.map((c, i) => decryptSlot(c, shared, i));
    const large = chunk.slots.filter((s) => s.used && s.amount >= THRESHOLD);
    expect(large).to.have.length(5);
    read.forEach((m, i) => {
      const s = chunk.slots[i];
      expect(m).to.deep.equal(tracePlaintext(s.used ? s.record : undefined, THRESHOLD));
      if (s.used && s.amount >= THRESHOLD) expect(m.amount).to.equal(s.amount);
      else expect(isZeroSlot(m)).to.equal(true);
    });
    // another key (epoch 2's) cannot read it: the tag does not match
    const wrong = mulPointEscalar(w.ephemeralKey, SECRET_2);
    expect(() => decryptSlot(w.ciphertexts[0], wrong, 0)).to.throw(/does not decrypt under this key/);
  });

  it("proves, and the proof holds for exactly the signals the engine derives from what is published", async () => {
    const bundle = await prove("private_traced_32", w.inputs);
    expect(bundle.publicSignals.map(BigInt)).to.deep.equal(w.publicSignals);
    expect(await verify(bundle)).to.equal(true);

    // Garbage published instead of the proven ciphertexts: the engine derives another challenge and
    // evaluation from them, and the proof does not hold for those.
    const garbage = w.ciphertexts.map((c, i) => (i === 3 ? [c[0] + 1n, ...c.slice(1)] : c));
    const r = traceChallenge(chunk.root, w.ephemeralKey, policy, garbage);
    const engine = [...w.publicSignals];
    engine[9] = r;
    engine[5] = traceEvaluation(garbage, r);
    expect(await verify({ ...bundle, publicSignals: engine.map(String) })).to.equal(false);
    // and a witness built for that challenge evaluates the real ciphertexts, not the garbage
    const [, , , , , evaluation] = await signalsOf({ ...w.inputs, challenge: r.toString() });
    expect(evaluation).to.not.equal(engine[5]);

    // Signals with the current (epoch 2) key: the epoch-1 proof does not hold for them.
    const rotated = policyOf(SECRET_2, 2);
    const now = [...w.publicSignals];
    now[6] = rotated.key!.x;
    now[7] = rotated.key!.y;
    expect(await verify({ ...bundle, publicSignals: now.map(String) })).to.equal(false);
  });

  it("ties every plaintext to the anchored root: another amount or a large payment hidden as unused changes it", async () => {
    const i = chunk.slots.findIndex((s) => s.used && s.amount >= THRESHOLD);
    const words = (w.inputs.words as string[][]).map((row) => [...row]);
    // encrypting another amount means another record word 3, so another digest and root
    const other = words.map((row, k) =>
      k === i ? row.map((v, j) => (j === 3 ? (BigInt(v) + 1n).toString() : v)) : row,
    );
    const total = (w.inputs.total as string[]).map((t, k) =>
      k === chunk.slots[i].bucket ? (BigInt(t) + 1n).toString() : t,
    );
    const [root] = await signalsOf({ ...w.inputs, words: other, total });
    expect(root).to.not.equal(chunk.root);
    // a used slot cannot be declared unused (its plaintext would be zeros): it has an amount
    const used = (w.inputs.used as string[]).map((u, k) => (k === i ? "0" : u));
    expect(await refused("private_traced_32", { ...w.inputs, used })).to.match(/Assert Failed|Error/);
    // nor can its amount be dropped from the unused slot and the totals: the root changes
    const emptied = words.map((row, k) => (k === i ? row.map(() => "0") : row));
    const less = (w.inputs.total as string[]).map((t, k) =>
      k === chunk.slots[i].bucket ? (BigInt(t) - chunk.slots[i].amount).toString() : t,
    );
    const [root2] = await signalsOf({ ...w.inputs, used, words: emptied, total: less });
    expect(root2).to.not.equal(chunk.root);
  });

  it("traces by the public threshold: a higher one is another public signal, and zeros the large payments", async () => {
    const high = privateTracedInputs(chunk, policyOf(SECRET_1, 1, 2n ** 63n), 777n);
    const got = await signalsOf(high.inputs);
    expect(got[8]).to.equal(2n ** 63n);
    expect(got[8]).to.not.equal(w.publicSignals[8]);
    const shared = mulPointEscalar(high.ephemeralKey, SECRET_1);
    for (const [i, c] of high.ciphertexts.entries()) expect(isZeroSlot(decryptSlot(c, shared, i))).to.equal(true);
    // threshold 0 traces every used slot
    const all = privateTracedInputs(chunk, policyOf(SECRET_1, 1, 0n), 777n);
    const key1 = mulPointEscalar(all.ephemeralKey, SECRET_1);
    const read = all.ciphertexts.map((c, i) => decryptSlot(c, key1, i));
    expect(read.filter((m) => m.amount !== 0n)).to.have.length(20);
  });

  it("refuses out-of-range inputs in the circuit: a threshold or amount of 2^64, a bucket of 4", async () => {
    expect(await refused("private_traced_32", { ...w.inputs, threshold: (2n ** 64n).toString() })).to.be.a("string");
    const bucket = (w.inputs.bucket as string[]).map((b, k) => (k === 0 ? "4" : b));
    expect(await refused("private_traced_32", { ...w.inputs, bucket })).to.be.a("string");
  });

  it("checks raw inputs before proving, naming the wrong one", () => {
    const bad = (over: Partial<CircuitInputs>) => () => checkPrivateTraced({ ...w.inputs, ...over } as CircuitInputs);
    expect(bad({ threshold: (2n ** 64n).toString() })).to.throw(/threshold/);
    expect(bad({ ephemeralSecret: "0" })).to.throw(/ephemeralSecret/);
    expect(bad({ regulatorKey: ["0", "1"] })).to.throw(/regulatorKey/);
    expect(bad({ regulatorKey: ["1", "2"] })).to.throw(/regulatorKey/);
    expect(bad({ total: ["1", "0", "0", "0"] })).to.throw(/total\[0\]/);
    expect(bad({ extra: "1" })).to.throw(/extra/);
    expect(() => privateTracedInputs(chunk, { ...policy, threshold: 2n ** 64n })).to.throw(/threshold/);
  });
});
