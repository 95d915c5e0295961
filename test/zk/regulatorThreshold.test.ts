/**
 * k-of-n threshold decryption of the regulator's key: Shamir shares over Z_l, DLEQ-proved partial
 * decryptions, Lagrange combination at 0, and every refusal (forged, duplicate, too few, unknown,
 * mixed ephemeral keys).
 */
import { expect } from "chai";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import {
  add,
  BASE8,
  checkThresholdPublic,
  combinePartials,
  decryptSlot,
  DuplicatePartialError,
  encryptionKey,
  encryptSlot,
  generateEphemeralKey,
  generateRegulatorKey,
  lagrangeAtZero,
  MixedEphemeralError,
  modL,
  mul,
  partialDecrypt,
  PartialDecryptionInvalidError,
  sharedKey,
  splitRegulatorKey,
  SUBGROUP_ORDER,
  TooFewPartialsError,
  UnknownOfficialError,
  verifyPartial,
  type PartialDecryption,
} from "../../packages/zk/src/regulator";

/** Every subset of size k of 1..n. */
function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k), ...subsets(n - 1, k - 1).map((s) => [...s, n])];
}

describe("regulator threshold decryption", function () {
  this.timeout(120_000);
  const regulator = generateRegulatorKey();
  const chunk = generateEphemeralKey();
  const K = sharedKey(regulator.secret, chunk.public);

  for (const [k, n] of [
    [2, 3],
    [3, 5],
  ]) {
    describe(`${k}-of-${n}`, () => {
      const { public: pub, shares } = splitRegulatorKey(regulator.secret, k, n);
      const partials = shares.map((s) => partialDecrypt(s, chunk.public));
      const pick = (indexes: number[]) => indexes.map((i) => partials[i - 1]);

      it("publishes S_i = s_i·Base8 and P, consistent with one polynomial of degree k − 1", () => {
        expect(pub.public).to.deep.equal(regulator.public);
        expect(pub.commitments.map((c) => c.index)).to.deep.equal(shares.map((s) => s.index));
        shares.forEach((s, t) => expect(mul(BASE8, s.value)).to.deep.equal(pub.commitments[t].point));
        checkThresholdPublic(pub);
      });

      it("any k shares give K = s·E, and decrypt the chunk's slots", () => {
        const all = subsets(n, k);
        expect(all.length).to.equal(k === 2 ? 3 : 10);
        for (const set of all) expect(combinePartials(pick(set), pub.commitments, k), String(set)).to.deep.equal(K);
        const slot = { paymentIdHash: 1n, debtorAccountHash: 2n, creditorAccountHash: 3n, amount: 500n };
        const c = encryptSlot(slot, encryptionKey(chunk.secret, regulator.public), 4);
        expect(decryptSlot(c, combinePartials(pick(all[0]), pub.commitments, k), 4)).to.deep.equal(slot);
      });

      it("more than k valid partials give the same K", () => {
        expect(combinePartials(partials, pub.commitments, k)).to.deep.equal(K);
      });

      it("k − 1 shares give another point (and are refused at threshold k)", () => {
        for (const set of subsets(n, k - 1)) {
          expect(combinePartials(pick(set), pub.commitments, k - 1)).not.to.deep.equal(K);
          expect(() => combinePartials(pick(set), pub.commitments, k))
            .to.throw(TooFewPartialsError)
            .with.property("threshold", k);
        }
      });

      it("refuses a forged partial (wrong D_i), naming the official", () => {
        const forged: PartialDecryption = { ...partials[1], point: add(partials[1].point, chunk.public) };
        expect(verifyPartial(forged, pub.commitments[1].point)).to.equal(false);
        expect(verifyPartial(partials[1], pub.commitments[1].point)).to.equal(true);
        const set = [partials[0], forged, ...partials.slice(2, k)];
        expect(() => combinePartials(set, pub.commitments, k))
          .to.throw(PartialDecryptionInvalidError, /^Official 2's partial decryption does not verify/)
          .with.property("index", 2);
      });
    });
  }

  describe("refusals", () => {
    const { public: pub, shares } = splitRegulatorKey(regulator.secret, 2, 3);
    const partials = shares.map((s) => partialDecrypt(s, chunk.public));

    it("a proof for another official's commitment, or with D_i = s_j·E, does not verify", () => {
      expect(verifyPartial(partials[0], pub.commitments[1].point)).to.equal(false);
      // official 1 passes off official 2's D as their own: the proof binds D to S_1's log
      const stolen = { ...partials[0], point: partials[1].point };
      expect(verifyPartial(stolen, pub.commitments[0].point)).to.equal(false);
      // a proof with its challenge or response changed
      const p = partials[0];
      for (const proof of [
        { ...p.proof, challenge: modL(p.proof.challenge + 1n) },
        { ...p.proof, response: modL(p.proof.response + 1n) },
        { ...p.proof, response: p.proof.response + SUBGROUP_ORDER },
      ])
        expect(verifyPartial({ ...p, proof }, pub.commitments[0].point)).to.equal(false);
      // a D outside the subgroup is not a valid partial
      expect(verifyPartial({ ...p, point: [0n, 1n] }, pub.commitments[0].point)).to.equal(false);
    });

    it("duplicates, unknown officials, too few and mixed ephemeral keys, each with its typed error", () => {
      expect(() => combinePartials([partials[0], partials[0]], pub.commitments, 2))
        .to.throw(DuplicatePartialError, /Official 1's partial decryption was given twice/)
        .with.property("index", 1);
      expect(() => combinePartials([partials[0], { ...partials[1], index: 7 }], pub.commitments, 2))
        .to.throw(UnknownOfficialError, /No official 7 holds a share of this key \(officials: 1, 2, 3\)/)
        .with.property("category", "input");
      expect(() => combinePartials([partials[2]], pub.commitments, 2)).to.throw(
        TooFewPartialsError,
        /1 partial decryption\(s\) given; the key was split 2-of-n and needs 2/,
      );
      const other = partialDecrypt(shares[1], generateEphemeralKey().public);
      expect(() => combinePartials([partials[0], other], pub.commitments, 2))
        .to.throw(MixedEphemeralError)
        .with.property("index", 2);
    });

    it("refuses thresholds outside [2, n] and n outside [2, 255]", () => {
      for (const [k, n] of [
        [1, 3],
        [4, 3],
        [2, 1],
        [2, 256],
        [1.5, 3],
      ])
        expect(() => splitRegulatorKey(regulator.secret, k, n), `${k}-of-${n}`).to.throw(InvalidArgumentError);
      expect(() => splitRegulatorKey(0n, 2, 3)).to.throw(InvalidArgumentError, /secret/);
    });

    it("commitments edited or taken from another split are refused", () => {
      const other = splitRegulatorKey(regulator.secret, 2, 3).public;
      const mixed = { ...pub, commitments: [pub.commitments[0], other.commitments[1], pub.commitments[2]] };
      expect(() => checkThresholdPublic(mixed)).to.throw(InvalidArgumentError, /commitments/);
      const tail = { ...pub, commitments: [pub.commitments[0], pub.commitments[1], other.commitments[2]] };
      expect(() => checkThresholdPublic(tail)).to.throw(InvalidArgumentError, /S_3 is not on the polynomial/);
    });

    it("Lagrange coefficients at 0 sum to 1 and reconstruct s from any k shares", () => {
      const { shares: five } = splitRegulatorKey(regulator.secret, 3, 5);
      for (const set of subsets(5, 3)) {
        const lambdas = lagrangeAtZero(set);
        expect(modL(lambdas.reduce((a, b) => a + b, 0n))).to.equal(1n);
        const s = modL(set.reduce((acc, i, t) => acc + lambdas[t] * five[i - 1].value, 0n));
        expect(s).to.equal(regulator.secret);
      }
    });
  });
});
