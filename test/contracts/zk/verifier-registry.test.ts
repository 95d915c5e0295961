import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { CIRCUITS, CIRCUIT_IDS } from "../../../packages/sdk/src/zk/circuits";
import { releaseProver } from "../../../packages/zk/src/prover";
import { type ProofBundle } from "../../../packages/sdk/src/zk/proof";
import { amountProof, kycProof } from "../../zk/proofs";
import { calldata, circuitKey, deployZkWithConsumer, transcriptHash, vkHash } from "./helpers";

const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

describe("VerifierRegistry", function () {
  this.timeout(120_000);
  let kyc: ProofBundle;
  let amount: ProofBundle;

  before(async () => {
    kyc = (await kycProof()).bundle;
    amount = await amountProof();
  });
  after(releaseProver);

  async function fixture() {
    return deployZkWithConsumer();
  }

  describe("registration", () => {
    it("registers each circuit with its verifier, input count, vk and transcript hashes", async () => {
      const { verifierRegistry, verifiers } = await loadFixture(fixture);
      for (const id of CIRCUIT_IDS) {
        const c = await verifierRegistry.circuitOf(circuitKey(id));
        expect(c.verifier).to.equal(verifiers[id]);
        expect(c.publicInputs).to.equal(CIRCUITS[id].publicSignals.length);
        expect(c.retired).to.equal(false);
        expect(c.vkHash).to.equal(vkHash(id));
        expect(c.transcriptHash).to.equal(transcriptHash());
        const n = CIRCUITS[id].publicSignals.length;
        expect(c.selector).to.equal(
          ethers.id(`verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${n}])`).slice(0, 10),
        );
      }
    });

    it("emits CircuitRegistered", async () => {
      const { verifierRegistry, verifiers } = await loadFixture(fixture);
      const id = ethers.encodeBytes32String("kyc_v2");
      await expect(
        verifierRegistry.registerCircuit(id, verifiers.kyc_membership, 4, vkHash("kyc_membership"), transcriptHash()),
      )
        .to.emit(verifierRegistry, "CircuitRegistered")
        .withArgs(id, verifiers.kyc_membership, 4, vkHash("kyc_membership"), transcriptHash());
    });

    it("refuses a second registration under the same id", async () => {
      const { verifierRegistry, verifiers } = await loadFixture(fixture);
      const id = circuitKey("kyc_membership");
      await expect(verifierRegistry.registerCircuit(id, verifiers.kyc_membership, 4, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkCircuitExists")
        .withArgs(id);
    });

    it("refuses a verifier that is not a contract, and 0 or more than 32 public inputs", async () => {
      const { verifierRegistry, verifiers, stranger } = await loadFixture(fixture);
      const id = ethers.encodeBytes32String("new");
      await expect(verifierRegistry.registerCircuit(id, stranger.address, 4, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidVerifier")
        .withArgs(stranger.address, 4);
      await expect(verifierRegistry.registerCircuit(id, verifiers.amount_limit, 0, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidVerifier")
        .withArgs(verifiers.amount_limit, 0);
      await expect(verifierRegistry.registerCircuit(id, verifiers.amount_limit, 33, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidVerifier")
        .withArgs(verifiers.amount_limit, 33);
    });

    it("only the owner registers, retires and sets consumers", async () => {
      const { verifierRegistry, verifiers, stranger, consumer } = await loadFixture(fixture);
      const as = verifierRegistry.connect(stranger);
      const id = ethers.encodeBytes32String("x");
      const c = await consumer.getAddress();
      for (const call of [
        () => as.registerCircuit(id, verifiers.amount_limit, 3, ethers.ZeroHash, ethers.ZeroHash),
        () => as.retireCircuit(circuitKey("amount_limit")),
        () => as.setConsumer(c, false),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(verifierRegistry, "OwnableUnauthorizedAccount")
          .withArgs(stranger.address);
      }
    });

    it("retires a circuit: proofs are no longer accepted, its record stays readable", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const id = circuitKey("amount_limit");
      await expect(verifierRegistry.retireCircuit(id)).to.emit(verifierRegistry, "CircuitRetired").withArgs(id);
      expect((await verifierRegistry.circuitOf(id)).retired).to.equal(true);
      const { proof, signals } = calldata(amount);
      await expect(verifierRegistry.verify(id, proof, signals)).to.be.revertedWithCustomError(
        verifierRegistry,
        "ZkUnknownCircuit",
      );
      await expect(verifierRegistry.retireCircuit(id))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkUnknownCircuit")
        .withArgs(id);
    });

    it("circuitOf and verify refuse an unknown circuit", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const id = ethers.encodeBytes32String("nope");
      await expect(verifierRegistry.circuitOf(id))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkUnknownCircuit")
        .withArgs(id);
      const { proof, signals } = calldata(amount);
      await expect(verifierRegistry.verify(id, proof, signals)).to.be.revertedWithCustomError(
        verifierRegistry,
        "ZkUnknownCircuit",
      );
    });

    it("sets and unsets consumers (contracts only)", async () => {
      const { verifierRegistry, consumer, stranger } = await loadFixture(fixture);
      const c = await consumer.getAddress();
      expect(await verifierRegistry.isConsumer(c)).to.equal(true);
      await expect(verifierRegistry.setConsumer(c, false)).to.emit(verifierRegistry, "ConsumerSet").withArgs(c, false);
      expect(await verifierRegistry.isConsumer(c)).to.equal(false);
      await expect(verifierRegistry.setConsumer(stranger.address, true))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidConsumer")
        .withArgs(stranger.address);
    });
  });

  describe("verification", () => {
    it("accepts the valid kyc_membership and amount_limit proofs", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      for (const bundle of [kyc, amount]) {
        const { proof, signals } = calldata(bundle);
        expect(await verifierRegistry.verify(circuitKey(bundle.circuit), proof, signals)).to.equal(true);
        await verifierRegistry.requireValid(circuitKey(bundle.circuit), proof, signals);
      }
    });

    it("rejects every tampered public input and every tampered proof element", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      for (const bundle of [kyc, amount]) {
        const key = circuitKey(bundle.circuit);
        const { proof, signals } = calldata(bundle);
        for (let i = 0; i < signals.length; i++) {
          const bad = [...signals];
          bad[i] = (bad[i] + 1n) % FIELD;
          expect(await verifierRegistry.verify(key, proof, bad), `${bundle.circuit} signal ${i}`).to.equal(false);
          await expect(verifierRegistry.requireValid(key, proof, bad))
            .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidProof")
            .withArgs(key);
        }
        for (let i = 0; i < proof.length; i++) {
          const bad = [...proof];
          bad[i] = bad[i] + 1n;
          expect(await verifierRegistry.verify(key, bad, signals), `${bundle.circuit} proof[${i}]`).to.equal(false);
        }
      }
    });

    it("rejects a public input at or above the field modulus (no aliasing)", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const { proof, signals } = calldata(amount);
      const bad = [...signals];
      bad[1] = bad[1] + FIELD;
      expect(await verifierRegistry.verify(circuitKey("amount_limit"), proof, bad)).to.equal(false);
    });

    it("rejects a proof of one circuit presented as another", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      const { proof, signals } = calldata(amount);
      await expect(verifierRegistry.verify(circuitKey("kyc_membership"), proof, signals))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkWrongSignalCount")
        .withArgs(circuitKey("kyc_membership"), 4, 3);
      // Padded to kyc_membership's signal count, it reaches that verifier and fails there.
      expect(await verifierRegistry.verify(circuitKey("kyc_membership"), proof, [...signals, 0n])).to.equal(false);
    });
  });

  describe("nullifiers", () => {
    it("a consumer verifies and spends a nullifier once", async () => {
      const { verifierRegistry, consumer } = await loadFixture(fixture);
      const key = circuitKey("kyc_membership");
      const { proof, signals } = calldata(kyc);
      const nullifier = signals[1];
      expect(await verifierRegistry.isSpent(key, nullifier)).to.equal(false);
      await expect(consumer.act(key, proof, signals, 1))
        .to.emit(verifierRegistry, "NullifierSpent")
        .withArgs(key, nullifier, await consumer.getAddress());
      expect(await verifierRegistry.isSpent(key, nullifier)).to.equal(true);
      await expect(consumer.act(key, proof, signals, 1))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkNullifierSpent")
        .withArgs(key, nullifier);
    });

    it("an invalid proof spends nothing", async () => {
      const { verifierRegistry, consumer } = await loadFixture(fixture);
      const key = circuitKey("kyc_membership");
      const { proof, signals } = calldata(kyc);
      const bad = [...signals];
      bad[3] = bad[3] + 1n; // another message
      await expect(consumer.act(key, proof, bad, 1))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidProof")
        .withArgs(key);
      expect(await verifierRegistry.isSpent(key, signals[1])).to.equal(false);
    });

    it("refuses callers that are not consumers, and a nullifier index outside the signals", async () => {
      const { verifierRegistry, consumer, stranger } = await loadFixture(fixture);
      const key = circuitKey("kyc_membership");
      const { proof, signals } = calldata(kyc);
      await expect(verifierRegistry.connect(stranger).verifyAndSpend(key, proof, signals, 1))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkNotConsumer")
        .withArgs(stranger.address);
      await expect(consumer.act(key, proof, signals, 4))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidNullifierIndex")
        .withArgs(key, 4);
    });
  });

  describe("ownership and upgrades", () => {
    it("cannot be renounced", async () => {
      const { verifierRegistry } = await loadFixture(fixture);
      await expect(verifierRegistry.renounceOwnership()).to.be.revertedWithCustomError(
        verifierRegistry,
        "ZkOwnershipCannotBeRenounced",
      );
    });

    it("upgrades by the owner only, keeping circuits and spent nullifiers", async () => {
      const { verifierRegistry, consumer, stranger } = await loadFixture(fixture);
      const key = circuitKey("kyc_membership");
      const { proof, signals } = calldata(kyc);
      await consumer.act(key, proof, signals, 1);
      const factory = await ethers.getContractFactory("VerifierRegistry");
      await expect(upgrades.upgradeProxy(verifierRegistry, factory.connect(stranger))).to.be.revertedWithCustomError(
        verifierRegistry,
        "OwnableUnauthorizedAccount",
      );
      const upgraded = await upgrades.upgradeProxy(verifierRegistry, factory, { redeployImplementation: "always" });
      expect(await upgraded.isSpent(key, signals[1])).to.equal(true);
      expect((await upgraded.circuitOf(key)).vkHash).to.equal(vkHash("kyc_membership"));
    });
  });
});
