/**
 * VerifierRegistry's regulator keys and trace threshold (issue 23, decision 040): governance
 * rotates the regulator's Baby Jubjub key (on the curve, in the prime-order subgroup, not the
 * identity, not the current key), every epoch's key stays readable, and the trace threshold is set
 * with an event. The BabyJubjub library's checks are compared with @zk-kit/baby-jubjub.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Base8, addPoint, inCurve, mulPointEscalar, subOrder } from "@zk-kit/baby-jubjub";
import type { BabyJubjubHarness, VerifierRegistry } from "../../../typechain-types";

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
type Point = [bigint, bigint];

/** A random scalar in [1, l) and its public key s·Base8. */
function randomKey(): { scalar: bigint; key: Point } {
  const scalar = (BigInt(`0x${randomBytes(32).toString("hex")}`) % (subOrder - 1n)) + 1n;
  return { scalar, key: mulPointEscalar(Base8, scalar) };
}

/** circomlib's and zk-kit's generator of the full group: order 8·l, 8·G = Base8. */
const FULL_GENERATOR: Point = [
  995203441582195749578291179787384436505546430278305826713579947235728471134n,
  5472060717959818805561601436314318772137091100104008585924551046643952123905n,
];
/** The point of order 2. */
const ORDER_2: Point = [0n, P - 1n];

/** Gas bounds (measured: see docs/zk.md "Regulator keys and the trace threshold"). */
const ROTATE_GAS_FIRST = 450_000n; // first key: epoch, x, y and since written to fresh slots
const ROTATE_GAS_NEXT = 435_000n;
const ON_CURVE_GAS = 1_000n;
const SUBGROUP_GAS = 330_000n;

describe("VerifierRegistry: regulator keys and the trace threshold", function () {
  async function fixture() {
    const [owner, stranger] = await ethers.getSigners();
    const verifierRegistry = (await upgrades.deployProxy(
      await ethers.getContractFactory("VerifierRegistry"),
      [owner.address],
      { kind: "uups" },
    )) as unknown as VerifierRegistry;
    const harness = (await (
      await ethers.getContractFactory("BabyJubjubHarness")
    ).deploy()) as unknown as BabyJubjubHarness;
    return { owner, stranger, verifierRegistry, harness };
  }

  describe("the BabyJubjub library", () => {
    it("the test points are what they claim: on the curve, of order 2 and 8·l", () => {
      expect(inCurve(FULL_GENERATOR)).to.equal(true);
      expect(mulPointEscalar(FULL_GENERATOR, 8n)).to.deep.equal(Base8);
      expect(mulPointEscalar(FULL_GENERATOR, subOrder)).to.not.deep.equal([0n, 1n]);
      expect(inCurve(ORDER_2)).to.equal(true);
      expect(addPoint(ORDER_2, ORDER_2)).to.deep.equal([0n, 1n]);
    });

    it("property: 50 random keys s·Base8 are on the curve and in the prime subgroup", async () => {
      const { harness } = await loadFixture(fixture);
      for (let i = 0; i < 50; i++) {
        const { scalar, key } = randomKey();
        expect(await harness.isOnCurve(...key), `isOnCurve for s = ${scalar}`).to.equal(true);
        expect(await harness.inPrimeSubgroup(...key), `inPrimeSubgroup for s = ${scalar}`).to.equal(true);
      }
    });

    it("property: random pairs off the curve are refused by both checks", async () => {
      const { harness } = await loadFixture(fixture);
      for (let i = 0; i < 50; i++) {
        const pair: Point = [
          BigInt(`0x${randomBytes(32).toString("hex")}`) % P,
          BigInt(`0x${randomBytes(32).toString("hex")}`) % P,
        ];
        if (inCurve(pair)) continue; // about one pair in p: never in practice
        expect(await harness.isOnCurve(...pair), `isOnCurve(${pair})`).to.equal(false);
        expect(await harness.inPrimeSubgroup(...pair), `inPrimeSubgroup(${pair})`).to.equal(false);
      }
    });

    it("points on the curve outside the subgroup fail inPrimeSubgroup; Base8 and the identity pass", async () => {
      const { harness } = await loadFixture(fixture);
      const base8PlusOrder2 = addPoint(Base8, ORDER_2);
      for (const point of [FULL_GENERATOR, ORDER_2, base8PlusOrder2, addPoint(Base8, FULL_GENERATOR)]) {
        expect(inCurve(point)).to.equal(true);
        expect(await harness.isOnCurve(...point)).to.equal(true);
        expect(await harness.inPrimeSubgroup(...point), `${point}`).to.equal(false);
      }
      expect(await harness.inPrimeSubgroup(...Base8)).to.equal(true);
      expect(await harness.inPrimeSubgroup(0n, 1n)).to.equal(true);
    });

    it("a coordinate at or above p is refused even when equal to a curve point mod p", async () => {
      const { harness } = await loadFixture(fixture);
      expect(await harness.isOnCurve(Base8[0] + P, Base8[1])).to.equal(false);
      expect(await harness.isOnCurve(Base8[0], Base8[1] + P)).to.equal(false);
      expect(await harness.inPrimeSubgroup(Base8[0] + P, Base8[1])).to.equal(false);
    });

    it(`gas: isOnCurve < ${ON_CURVE_GAS}, inPrimeSubgroup < ${SUBGROUP_GAS}`, async () => {
      const { harness } = await loadFixture(fixture);
      const { key } = randomKey();
      const [onCurveGas, subgroupGas] = await harness.gasOf(...key);
      console.log(`      isOnCurve: ${onCurveGas} gas, inPrimeSubgroup: ${subgroupGas} gas (inside the call)`);
      expect(onCurveGas).to.be.lessThan(ON_CURVE_GAS);
      expect(subgroupGas).to.be.lessThan(SUBGROUP_GAS);
    });
  });

  describe("rotateRegulatorKey", () => {
    it("starts with no key: epoch 0, (0, 0), traceability off", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      expect(await verifierRegistry.regulatorKey()).to.deep.equal([0n, 0n, 0n]);
      expect(await verifierRegistry.tracePolicy()).to.deep.equal([0n, 0n, 0n, 0n]);
      await expect(verifierRegistry.regulatorKeyAt(0))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkUnknownRegulatorEpoch")
        .withArgs(0);
    });

    it("opens epoch 1, then 2; epoch 1's key stays readable with its time", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const first = randomKey().key;
      const second = randomKey().key;
      expect(await verifierRegistry.rotateRegulatorKey.staticCall(...first)).to.equal(1n);
      await expect(verifierRegistry.rotateRegulatorKey(...first))
        .to.emit(verifierRegistry, "RegulatorKeyRotated")
        .withArgs(1, first[0], first[1]);
      const since1 = BigInt(await time.latest());
      expect(await verifierRegistry.regulatorKey()).to.deep.equal([1n, ...first]);
      await time.increase(3600);
      await expect(verifierRegistry.rotateRegulatorKey(...second))
        .to.emit(verifierRegistry, "RegulatorKeyRotated")
        .withArgs(2, second[0], second[1]);
      const since2 = BigInt(await time.latest());
      expect(await verifierRegistry.regulatorKey()).to.deep.equal([2n, ...second]);
      expect(await verifierRegistry.regulatorKeyAt(1)).to.deep.equal([...first, since1]);
      expect(await verifierRegistry.regulatorKeyAt(2)).to.deep.equal([...second, since2]);
      await expect(verifierRegistry.regulatorKeyAt(3))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkUnknownRegulatorEpoch")
        .withArgs(3);
    });

    it("an earlier epoch's key may come back, under a new epoch", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const first = randomKey().key;
      await verifierRegistry.rotateRegulatorKey(...first);
      await verifierRegistry.rotateRegulatorKey(...randomKey().key);
      await expect(verifierRegistry.rotateRegulatorKey(...first))
        .to.emit(verifierRegistry, "RegulatorKeyRotated")
        .withArgs(3, first[0], first[1]);
    });

    it("refuses a caller other than the owner (OwnableUnauthorizedAccount)", async () => {
      const { verifierRegistry, stranger } = await loadFixture(fixture);
      await expect(verifierRegistry.connect(stranger).rotateRegulatorKey(...randomKey().key))
        .to.be.revertedWithCustomError(verifierRegistry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
    });

    const invalid: [string, () => Point, string][] = [
      ["a pair off the curve", () => [1n, 2n], "not on curve"],
      ["(0, 0)", () => [0n, 0n], "not on curve"],
      ["x ≥ p (a curve point's x plus p)", () => [Base8[0] + P, Base8[1]], "not on curve"],
      ["y ≥ p (a curve point's y plus p)", () => [Base8[0], Base8[1] + P], "not on curve"],
      ["the identity (0, 1)", () => [0n, 1n], "identity"],
      ["the point of order 2 (0, p − 1)", () => ORDER_2, "not in prime subgroup"],
      ["the full group's generator (order 8·l)", () => FULL_GENERATOR, "not in prime subgroup"],
      ["Base8 plus the point of order 2", () => addPoint(Base8, ORDER_2), "not in prime subgroup"],
    ];
    for (const [what, point, reason] of invalid) {
      it(`refuses ${what}: ZkRegulatorKeyInvalid "${reason}"`, async () => {
        const { verifierRegistry } = await loadFixture(fixture);
        const [x, y] = point();
        await expect(verifierRegistry.rotateRegulatorKey(x, y))
          .to.be.revertedWithCustomError(verifierRegistry, "ZkRegulatorKeyInvalid")
          .withArgs(x, y, reason);
      });
    }

    it('refuses the current key: ZkRegulatorKeyInvalid "unchanged"', async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const key = randomKey().key;
      await verifierRegistry.rotateRegulatorKey(...key);
      await expect(verifierRegistry.rotateRegulatorKey(...key))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkRegulatorKeyInvalid")
        .withArgs(key[0], key[1], "unchanged");
    });

    it(`gas: the first rotation < ${ROTATE_GAS_FIRST}, the next < ${ROTATE_GAS_NEXT}`, async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const first = await (await verifierRegistry.rotateRegulatorKey(...randomKey().key)).wait();
      const next = await (await verifierRegistry.rotateRegulatorKey(...randomKey().key)).wait();
      console.log(`      rotateRegulatorKey: first ${first!.gasUsed} gas, next ${next!.gasUsed} gas`);
      expect(first!.gasUsed).to.be.lessThan(ROTATE_GAS_FIRST);
      expect(next!.gasUsed).to.be.lessThan(ROTATE_GAS_NEXT);
    });
  });

  describe("setTraceThreshold", () => {
    it("sets the threshold with TraceThresholdSet(previous, threshold); tracePolicy reads key and threshold", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      expect(await verifierRegistry.traceThreshold()).to.equal(0n);
      await expect(verifierRegistry.setTraceThreshold(1_000_000n))
        .to.emit(verifierRegistry, "TraceThresholdSet")
        .withArgs(0n, 1_000_000n);
      await expect(verifierRegistry.setTraceThreshold(2n ** 64n - 1n))
        .to.emit(verifierRegistry, "TraceThresholdSet")
        .withArgs(1_000_000n, 2n ** 64n - 1n);
      await expect(verifierRegistry.setTraceThreshold(0n))
        .to.emit(verifierRegistry, "TraceThresholdSet")
        .withArgs(2n ** 64n - 1n, 0n);
      await verifierRegistry.setTraceThreshold(5_000n);
      const key = randomKey().key;
      await verifierRegistry.rotateRegulatorKey(...key);
      expect(await verifierRegistry.traceThreshold()).to.equal(5_000n);
      expect(await verifierRegistry.tracePolicy()).to.deep.equal([1n, ...key, 5_000n]);
    });

    it("refuses an unchanged threshold (ZkTraceThresholdUnchanged), the default 0 included", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      await expect(verifierRegistry.setTraceThreshold(0n))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkTraceThresholdUnchanged")
        .withArgs(0n);
      await verifierRegistry.setTraceThreshold(7n);
      await expect(verifierRegistry.setTraceThreshold(7n))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkTraceThresholdUnchanged")
        .withArgs(7n);
    });

    it("refuses a caller other than the owner (OwnableUnauthorizedAccount)", async () => {
      const { verifierRegistry, stranger } = await loadFixture(fixture);
      await expect(verifierRegistry.connect(stranger).setTraceThreshold(1n))
        .to.be.revertedWithCustomError(verifierRegistry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
    });
  });
});
