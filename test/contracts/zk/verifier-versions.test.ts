/**
 * VerifierRegistry: versioned circuits (review finding "a retired circuit id can never be
 * re-registered and consumers hard-code ids"; decision 021). Consumers keep asking for the circuit
 * by name; the registry maps the name to its current version, so a fixed verifier replaces a broken
 * one without a consumer upgrade. Retired versions stay retired; nullifiers are kept per name.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setStorageAt } from "@nomicfoundation/hardhat-network-helpers";
import { CIRCUITS } from "../../../packages/sdk/src/zk/circuits";
import { releaseProver } from "../../../packages/zk/src/prover";
import { type ProofBundle } from "../../../packages/sdk/src/zk/proof";
import { amountProof, kycProof } from "../../zk/proofs";
import { calldata, circuitKey, deployZkWithConsumer, transcriptHash, vkHash } from "./helpers";

/** ERC-7201 slot of VerifierRegistry's storage; `currentVersion` is its fourth field. */
const STORAGE_SLOT = 0x2d1d4484590dcab916e72c83e3b0721adca87de3d67aa072f902763954046600n;

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
    const zk = await deployZkWithConsumer();
    // A fixed verifier for amount_limit: a fresh deployment of the exported contract.
    const fixed = await (await ethers.getContractFactory(CIRCUITS.amount_limit.contract)).deploy();
    return { ...zk, fixed: await fixed.getAddress() };
  }

  describe("versions", () => {
    it("every circuit starts at version 1; circuitAt reads a version, ZkUnknownCircuitVersion otherwise", async () => {
      const { verifierRegistry, verifiers } = await loadFixture(fixture);
      const id = circuitKey("amount_limit");
      expect(await verifierRegistry.circuitVersion(id)).to.equal(1n);
      expect((await verifierRegistry.circuitAt(id, 1)).verifier).to.equal(verifiers.amount_limit);
      await expect(verifierRegistry.circuitAt(id, 2))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkUnknownCircuitVersion")
        .withArgs(id, 2);
      expect(await verifierRegistry.circuitVersion(ethers.encodeBytes32String("nothing"))).to.equal(0n);
    });

    it("the limitation: a retired id is registered again as version 2, and consumers asking by name verify at once", async () => {
      const { verifierRegistry, fixed } = await loadFixture(fixture);
      const id = circuitKey("amount_limit");
      const { proof, signals } = calldata(amount);
      await verifierRegistry.retireCircuit(id);
      await expect(verifierRegistry.requireValid(id, proof, signals)).to.be.revertedWithCustomError(
        verifierRegistry,
        "ZkUnknownCircuit",
      );
      await expect(verifierRegistry.registerCircuit(id, fixed, 3, vkHash("amount_limit"), transcriptHash()))
        .to.emit(verifierRegistry, "CircuitRegistered")
        .withArgs(id, fixed, 3, vkHash("amount_limit"), transcriptHash())
        .and.to.emit(verifierRegistry, "CircuitVersionRegistered")
        .withArgs(id, 2, fixed, vkHash("amount_limit"));
      expect(await verifierRegistry.circuitVersion(id)).to.equal(2n);
      await verifierRegistry.requireValid(id, proof, signals); // the same call a consumer makes
      expect((await verifierRegistry.circuitOf(id)).verifier).to.equal(fixed);
      expect((await verifierRegistry.circuitAt(id, 1)).retired).to.equal(true);
    });

    it("replaceCircuit swaps a live version for the next in one call: the old one retired for good", async () => {
      const { verifierRegistry, verifiers, fixed } = await loadFixture(fixture);
      const id = circuitKey("amount_limit");
      await expect(verifierRegistry.replaceCircuit(id, fixed, 3, vkHash("amount_limit"), transcriptHash()))
        .to.emit(verifierRegistry, "CircuitRetired")
        .withArgs(id)
        .and.to.emit(verifierRegistry, "CircuitVersionRetired")
        .withArgs(id, 1)
        .and.to.emit(verifierRegistry, "CircuitVersionRegistered")
        .withArgs(id, 2, fixed, vkHash("amount_limit"));
      const v1 = await verifierRegistry.circuitAt(id, 1);
      expect([v1.verifier, v1.retired]).to.deep.equal([verifiers.amount_limit, true]);
      const v2 = await verifierRegistry.circuitAt(id, 2);
      expect([v2.verifier, v2.retired]).to.deep.equal([fixed, false]);
      const { proof, signals } = calldata(amount);
      expect(await verifierRegistry.verify(id, proof, signals)).to.equal(true);
      // Version 3 replaces version 2; version 1 stays retired.
      await verifierRegistry.replaceCircuit(id, verifiers.amount_limit, 3, vkHash("amount_limit"), transcriptHash());
      expect(await verifierRegistry.circuitVersion(id)).to.equal(3n);
      expect((await verifierRegistry.circuitAt(id, 1)).retired).to.equal(true);
      expect((await verifierRegistry.circuitAt(id, 2)).retired).to.equal(true);
      expect((await verifierRegistry.circuitAt(id, 3)).retired).to.equal(false);
    });

    it("retireCircuit retires the current version (CircuitVersionRetired)", async () => {
      const { verifierRegistry, fixed } = await loadFixture(fixture);
      const id = circuitKey("amount_limit");
      await verifierRegistry.replaceCircuit(id, fixed, 3, vkHash("amount_limit"), transcriptHash());
      await expect(verifierRegistry.retireCircuit(id))
        .to.emit(verifierRegistry, "CircuitVersionRetired")
        .withArgs(id, 2);
      expect((await verifierRegistry.circuitAt(id, 2)).retired).to.equal(true);
      expect((await verifierRegistry.circuitOf(id)).retired).to.equal(true);
    });

    it("refuses: registerCircuit over a live version (ZkCircuitExists), replaceCircuit of a retired or unknown one (ZkUnknownCircuit), a bad verifier", async () => {
      const { verifierRegistry, fixed, stranger } = await loadFixture(fixture);
      const id = circuitKey("amount_limit");
      await expect(verifierRegistry.registerCircuit(id, fixed, 3, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkCircuitExists")
        .withArgs(id);
      const unknown = ethers.encodeBytes32String("unknown");
      await expect(verifierRegistry.replaceCircuit(unknown, fixed, 3, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkUnknownCircuit")
        .withArgs(unknown);
      await verifierRegistry.retireCircuit(id);
      await expect(verifierRegistry.replaceCircuit(id, fixed, 3, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkUnknownCircuit")
        .withArgs(id);
      await expect(verifierRegistry.registerCircuit(id, stranger.address, 3, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkInvalidVerifier")
        .withArgs(stranger.address, 3);
      await expect(verifierRegistry.connect(stranger).replaceCircuit(id, fixed, 3, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(verifierRegistry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
    });

    it("nullifiers are kept per circuit name: one spent under version 1 stays spent under version 2", async () => {
      const { verifierRegistry, consumer, verifiers } = await loadFixture(fixture);
      const id = circuitKey("kyc_membership");
      const { proof, signals } = calldata(kyc);
      await consumer.act(id, proof, signals, 1);
      const again = await (await ethers.getContractFactory(CIRCUITS.kyc_membership.contract)).deploy();
      await verifierRegistry.replaceCircuit(
        id,
        await again.getAddress(),
        4,
        vkHash("kyc_membership"),
        transcriptHash(),
      );
      expect(await verifierRegistry.isSpent(id, signals[1])).to.equal(true);
      await expect(consumer.act(id, proof, signals, 1))
        .to.be.revertedWithCustomError(verifierRegistry, "ZkNullifierSpent")
        .withArgs(id, signals[1]);
      expect(verifiers.kyc_membership).to.not.equal(await again.getAddress());
    });

    it("a circuit registered before versions existed reads as version 1 and is replaced as version 2", async () => {
      const { verifierRegistry, verifiers, fixed } = await loadFixture(fixture);
      const id = circuitKey("amount_limit");
      // The old implementation kept no version: clear the version word this one wrote.
      const slot = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [id, STORAGE_SLOT + 3n]),
      );
      await setStorageAt(await verifierRegistry.getAddress(), slot, 0);
      await setStorageAt(
        await verifierRegistry.getAddress(),
        ethers.keccak256(
          ethers.AbiCoder.defaultAbiCoder().encode(
            ["uint256", "bytes32"],
            [
              1,
              ethers.keccak256(
                ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [id, STORAGE_SLOT + 4n]),
              ),
            ],
          ),
        ),
        0,
      );
      expect(await verifierRegistry.circuitVersion(id)).to.equal(1n);
      expect((await verifierRegistry.circuitAt(id, 1)).verifier).to.equal(verifiers.amount_limit);
      await verifierRegistry.replaceCircuit(id, fixed, 3, vkHash("amount_limit"), transcriptHash());
      expect(await verifierRegistry.circuitVersion(id)).to.equal(2n);
      const v1 = await verifierRegistry.circuitAt(id, 1);
      expect([v1.verifier, v1.retired]).to.deep.equal([verifiers.amount_limit, true]);
    });
  });
});
