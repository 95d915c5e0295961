/**
 * Upgrading a VerifierRegistry deployed from the implementation before regulator keys (test copy in
 * contracts/test/previous/VerifierRegistryV1.sol, verbatim but renamed) to the current one: the
 * layout validates (RegulatorKeys lives in its own ERC-7201 namespace), circuits, consumers and
 * spent nullifiers survive, and the regulator key functions work afterwards.
 */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import type { VerifierRegistry } from "../../../typechain-types";

const CIRCUIT = ethers.encodeBytes32String("upgrade_probe");
const VK_HASH = ethers.keccak256(ethers.toUtf8Bytes("vk"));
const TRANSCRIPT_HASH = ethers.keccak256(ethers.toUtf8Bytes("transcript"));
const NULLIFIER = 4242n;
const PROOF = Array<bigint>(8).fill(1n);

async function v1Deployment() {
  const [owner, stranger] = await ethers.getSigners();
  const v1 = await upgrades.deployProxy(await ethers.getContractFactory("VerifierRegistryV1"), [owner.address], {
    kind: "uups",
  });
  const address = await v1.getAddress();
  const registry = (await ethers.getContractAt("VerifierRegistry", address)) as unknown as VerifierRegistry;
  const verifier = await (await ethers.getContractFactory("AcceptAllVerifier")).deploy();
  const consumer = await (await ethers.getContractFactory("NullifierConsumer")).deploy(address);
  await registry.registerCircuit(CIRCUIT, await verifier.getAddress(), 2, VK_HASH, TRANSCRIPT_HASH);
  await registry.setConsumer(await consumer.getAddress(), true);
  await consumer.act(CIRCUIT, PROOF, [NULLIFIER, 7n], 0);
  return { owner, stranger, registry, address, verifier, consumer };
}

describe("Upgrade from the VerifierRegistry before regulator keys", function () {
  it("validates the new layout against the previous implementation", async () => {
    const { address } = await loadFixture(v1Deployment);
    await upgrades.validateUpgrade(address, await ethers.getContractFactory("VerifierRegistry"), { kind: "uups" });
  });

  it("keeps circuits, consumers, nullifiers and the owner; regulator keys work afterwards", async () => {
    const { owner, registry, address, verifier, consumer } = await loadFixture(v1Deployment);
    const upgraded = (await upgrades.upgradeProxy(address, await ethers.getContractFactory("VerifierRegistry"), {
      kind: "uups",
    })) as unknown as VerifierRegistry;
    expect(await upgraded.getAddress()).to.equal(address);

    expect(await registry.owner()).to.equal(owner.address);
    const circuit = await registry.circuitOf(CIRCUIT);
    expect([
      circuit.verifier,
      circuit.publicInputs,
      circuit.retired,
      circuit.vkHash,
      circuit.transcriptHash,
    ]).to.deep.equal([await verifier.getAddress(), 2n, false, VK_HASH, TRANSCRIPT_HASH]);
    expect(await registry.circuitVersion(CIRCUIT)).to.equal(1n);
    expect(await registry.isConsumer(await consumer.getAddress())).to.equal(true);
    expect(await registry.isSpent(CIRCUIT, NULLIFIER)).to.equal(true);
    await expect(consumer.act(CIRCUIT, PROOF, [NULLIFIER, 7n], 0))
      .to.be.revertedWithCustomError(registry, "ZkNullifierSpent")
      .withArgs(CIRCUIT, NULLIFIER);

    // The new namespace starts empty, then works.
    expect(await registry.tracePolicy()).to.deep.equal([0n, 0n, 0n, 0n]);
    const key = mulPointEscalar(Base8, 123_456_789n);
    await expect(registry.rotateRegulatorKey(...key))
      .to.emit(registry, "RegulatorKeyRotated")
      .withArgs(1, key[0], key[1]);
    await expect(registry.setTraceThreshold(10_000n)).to.emit(registry, "TraceThresholdSet").withArgs(0n, 10_000n);
    expect(await registry.tracePolicy()).to.deep.equal([1n, ...key, 10_000n]);
    // … and the registry's own functions still work next to it.
    await consumer.act(CIRCUIT, PROOF, [NULLIFIER + 1n, 7n], 0);
    expect(await registry.isSpent(CIRCUIT, NULLIFIER + 1n)).to.equal(true);
  });
});
