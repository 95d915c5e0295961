/**
 * The regulator's keys and slot cipher (packages/zk/src/regulator): key generation in [1, l−1],
 * ECDH with the checks on E, encryption and decryption of a slot, and the typed refusal of a
 * wrong key, nonce or tampered ciphertext.
 */
import { expect } from "chai";
import { addPoint, Base8, inCurve, mulPointEscalar, subOrder } from "@zk-kit/baby-jubjub";
import { poseidonEncrypt } from "@zk-kit/poseidon-cipher";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import {
  BASE8,
  decryptSlot,
  encryptionKey,
  encryptSlot,
  generateEphemeralKey,
  generateRegulatorKey,
  IDENTITY,
  InvalidCurvePointError,
  isZeroSlot,
  randomScalar,
  regulatorPublicKey,
  sharedKey,
  SlotDecryptionError,
  SUBGROUP_ORDER,
  ZERO_SLOT,
  type Point,
} from "../../packages/zk/src/regulator";

const P_MOD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** (0, −1): a point of order 2, on the curve but outside the prime-order subgroup. */
const ORDER_TWO: Point = [0n, P_MOD - 1n];

/** A byte source that returns the given 32-byte blocks in turn. */
const scripted = (...blocks: bigint[]) => {
  let t = 0;
  return (n: number) => Buffer.from(blocks[t++].toString(16).padStart(2 * n, "0"), "hex");
};

describe("regulator keys and slot cipher", () => {
  const regulator = generateRegulatorKey();
  const ephemeral = generateEphemeralKey();
  const K = encryptionKey(ephemeral.secret, regulator.public);
  const slot = { paymentIdHash: 11n, debtorAccountHash: 22n, creditorAccountHash: 33n, amount: 1_234_500n };

  it("draws secrets in [1, l−1] by rejection: 0, l and above are redrawn, the top 5 bits are cleared", () => {
    expect(regulator.secret > 0n && regulator.secret < SUBGROUP_ORDER).to.equal(true);
    expect(regulator.public).to.deep.equal(mulPointEscalar(Base8, regulator.secret));
    expect(SUBGROUP_ORDER).to.equal(subOrder);
    expect(randomScalar(scripted(0n, SUBGROUP_ORDER, SUBGROUP_ORDER + 5n, 7n))).to.equal(7n);
    // 2^255 + 9: the top bits are cleared, leaving 9
    expect(randomScalar(scripted((1n << 255n) + 9n))).to.equal(9n);
    expect(randomScalar(scripted(SUBGROUP_ORDER - 1n))).to.equal(SUBGROUP_ORDER - 1n);
  });

  it("regulatorPublicKey is s·Base8 and refuses 0 and l", () => {
    expect(regulatorPublicKey(5n)).to.deep.equal(mulPointEscalar(Base8, 5n));
    for (const bad of [0n, SUBGROUP_ORDER, -1n]) expect(() => regulatorPublicKey(bad)).to.throw(InvalidArgumentError);
  });

  it("ECDH: the bank's e·P is the regulator's s·E", () => {
    expect(sharedKey(regulator.secret, ephemeral.public)).to.deep.equal(K);
    expect(inCurve(K)).to.equal(true);
  });

  it("sharedKey refuses an E off the curve, outside the subgroup, the identity, or out of the field", () => {
    const [x, y] = ephemeral.public;
    // E + (0, −1): on the curve, and l·(E + T) = T ≠ identity
    const mixed = addPoint(ephemeral.public, ORDER_TWO) as Point;
    expect(inCurve(mixed)).to.equal(true);
    const cases: [Point, RegExp][] = [
      [[x, y + 1n], /not on the curve/],
      [ORDER_TWO, /not in the prime-order subgroup/],
      [mixed, /not in the prime-order subgroup/],
      [IDENTITY, /identity/],
      [[x + P_MOD, y], /field modulus/],
    ];
    for (const [bad, message] of cases) {
      expect(() => sharedKey(regulator.secret, bad), String(bad))
        .to.throw(InvalidCurvePointError, message)
        .with.property("category", "input");
    }
  });

  it("encrypts a slot to 7 field elements, exactly poseidonEncrypt(message, K, nonce = slot index)", () => {
    const c = encryptSlot(slot, K, 3);
    expect(c).to.have.length(7);
    expect(c).to.deep.equal(poseidonEncrypt([11n, 22n, 33n, 1_234_500n], K, 3n));
    expect(decryptSlot(c, sharedKey(regulator.secret, ephemeral.public), 3)).to.deep.equal(slot);
    expect(decryptSlot(c, K, 3n)).to.deep.equal(slot);
  });

  it("a zero slot decrypts to all-zero fields, and isZeroSlot says so", () => {
    const zero = decryptSlot(encryptSlot(ZERO_SLOT, K, 0), K, 0);
    expect(zero).to.deep.equal(ZERO_SLOT);
    expect(isZeroSlot(zero)).to.equal(true);
    expect(isZeroSlot(slot)).to.equal(false);
    expect(isZeroSlot({ ...ZERO_SLOT, amount: 1n })).to.equal(false);
  });

  it("a wrong key, a wrong nonce or a tampered element is refused with a typed error, not the library's", () => {
    const c = encryptSlot(slot, K, 5);
    const other = sharedKey(generateRegulatorKey().secret, ephemeral.public);
    const attempts: [bigint[], Point, number][] = [
      [c, other, 5],
      [c, K, 6],
      ...c.map((_, i): [bigint[], Point, number] => [c.map((v, j) => (j === i ? (v + 1n) % P_MOD : v)), K, 5]),
    ];
    for (const [ct, key, nonce] of attempts) {
      let thrown: unknown;
      try {
        decryptSlot(ct, key, nonce);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(SlotDecryptionError);
      const e = thrown as SlotDecryptionError;
      expect(e.shortMessage).to.equal(
        `Slot ${nonce}: the ciphertext does not decrypt under this key: wrong epoch's key or a tampered ciphertext.`,
      );
      expect(e.category).to.equal("input");
      expect(e.hint).to.match(/epoch/);
    }
  });

  it("refuses malformed input before decrypting: length, elements outside the field, nonce ≥ 2^128, K off the curve", () => {
    const c = encryptSlot(slot, K, 1);
    expect(() => decryptSlot(c.slice(0, 6), K, 1)).to.throw(InvalidArgumentError, /ciphertext/);
    expect(() => decryptSlot([...c.slice(0, 6), -1n], K, 1)).to.throw(InvalidArgumentError, /ciphertext\[6\]/);
    expect(() => decryptSlot(c, K, 2n ** 128n)).to.throw(InvalidArgumentError, /nonce/);
    expect(() => decryptSlot(c, K, -1)).to.throw(InvalidArgumentError, /nonce/);
    expect(() => decryptSlot(c, [K[0], K[1] + 1n], 1)).to.throw(InvalidCurvePointError, /shared key K/);
    expect(() => encryptSlot({ ...slot, amount: -1n }, K, 1)).to.throw(InvalidArgumentError, /amount/);
    expect(() => encryptionKey(ephemeral.secret, IDENTITY)).to.throw(InvalidCurvePointError, /regulator public key/);
    expect(BASE8).to.deep.equal(Base8);
  });
});
