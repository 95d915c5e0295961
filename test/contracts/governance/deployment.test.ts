/** ConsortiumMultisig: constructor validation, construction events and the initial views. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ConsortiumMultisig__factory } from "../../../typechain-types";
import { deployRegistry } from "../../helpers/fixtures";
import {
  accounts,
  CANCEL_TYPES,
  digestOf,
  domainOf,
  draft,
  MAX_DELAY,
  MAX_SIGNERS,
  multisigEvents,
  multisigFixture,
  SENSITIVE_DELAY,
  THRESHOLD,
} from "./helpers";

async function factory(): Promise<ConsortiumMultisig__factory> {
  return ethers.getContractFactory("ConsortiumMultisig");
}

/** `count` distinct random addresses. */
const randomAddresses = (count: number): string[] =>
  Array.from({ length: count }, () => ethers.Wallet.createRandom().address);

describe("ConsortiumMultisig", function () {
  describe("constructor", function () {
    it("refuses a zero signer with MultisigInvalidSigner(0)", async function () {
      const { signers, guardian } = await accounts();
      const f = await factory();
      const owners = [signers[0].address, ethers.ZeroAddress, signers[1].address];
      await expect(f.deploy(owners, 2, 0, 0, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigInvalidSigner")
        .withArgs(ethers.ZeroAddress);
    });

    it("refuses a duplicate signer with MultisigInvalidSigner(duplicate)", async function () {
      const { signers, guardian } = await accounts();
      const f = await factory();
      const owners = [signers[0].address, signers[1].address, signers[2].address, signers[1].address];
      await expect(f.deploy(owners, 2, 0, 0, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigInvalidSigner")
        .withArgs(signers[1].address);
    });

    it("refuses its own (predicted) address as a signer", async function () {
      const { deployer, signers, guardian } = await accounts();
      const f = await factory();
      const self = ethers.getCreateAddress({ from: deployer.address, nonce: await deployer.getNonce() });
      await expect(f.connect(deployer).deploy([signers[0].address, self], 1, 0, 0, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigInvalidSigner")
        .withArgs(self);
    });

    it("refuses threshold 0 and threshold > N with MultisigInvalidThreshold(threshold, N)", async function () {
      const { signers, guardian } = await accounts();
      const f = await factory();
      const owners = signers.map((s) => s.address);
      for (const threshold of [0, 6, 255]) {
        await expect(f.deploy(owners, threshold, 0, 0, guardian.address, []))
          .to.be.revertedWithCustomError(f, "MultisigInvalidThreshold")
          .withArgs(threshold, 5);
      }
      await expect(f.deploy([], 1, 0, 0, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigInvalidThreshold")
        .withArgs(1, 0);
    });

    it("accepts threshold 1 and threshold N", async function () {
      const { signers, guardian } = await accounts();
      const f = await factory();
      const owners = signers.map((s) => s.address);
      for (const threshold of [1, 5]) {
        const m = await f.deploy(owners, threshold, 0, 0, guardian.address, []);
        const [, t] = await m.signers();
        expect(t).to.equal(BigInt(threshold));
      }
    });

    it("accepts 64 signers and refuses 65 with MultisigTooManySigners(65, 64)", async function () {
      const { guardian } = await accounts();
      const f = await factory();
      const owners = randomAddresses(MAX_SIGNERS + 1);
      await expect(f.deploy(owners, 1, 0, 0, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigTooManySigners")
        .withArgs(MAX_SIGNERS + 1, MAX_SIGNERS);
      const m = await f.deploy(owners.slice(0, MAX_SIGNERS), MAX_SIGNERS, 0, 0, guardian.address, []);
      const [list, threshold] = await m.signers();
      expect(list).to.deep.equal(owners.slice(0, MAX_SIGNERS));
      expect(threshold).to.equal(BigInt(MAX_SIGNERS));
    });

    it("refuses a minimum or sensitive delay above 30 days with MultisigInvalidDelay(delay, 30 days)", async function () {
      const { signers, guardian } = await accounts();
      const f = await factory();
      const owners = signers.map((s) => s.address);
      await expect(f.deploy(owners, THRESHOLD, MAX_DELAY + 1, 0, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigInvalidDelay")
        .withArgs(MAX_DELAY + 1, MAX_DELAY);
      await expect(f.deploy(owners, THRESHOLD, 0, MAX_DELAY + 1, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigInvalidDelay")
        .withArgs(MAX_DELAY + 1, MAX_DELAY);
      await expect(f.deploy(owners, THRESHOLD, 2 ** 32 - 1, 0, guardian.address, []))
        .to.be.revertedWithCustomError(f, "MultisigInvalidDelay")
        .withArgs(2 ** 32 - 1, MAX_DELAY);
      const m = await f.deploy(owners, THRESHOLD, MAX_DELAY, MAX_DELAY, guardian.address, []);
      expect(await m.defaultDelays()).to.deep.equal([BigInt(MAX_DELAY), BigInt(MAX_DELAY)]);
    });

    it("emits ThresholdChanged(threshold, 0), DefaultDelaysSet and GuardianChanged(0, guardian)", async function () {
      const { multisig, guardian } = await loadFixture(multisigFixture);
      const tx = multisig.deploymentTransaction();
      if (!tx) throw new Error("no deployment transaction");
      await expect(tx).to.emit(multisig, "ThresholdChanged").withArgs(THRESHOLD, 0);
      await expect(tx).to.emit(multisig, "DefaultDelaysSet").withArgs(0, SENSITIVE_DELAY);
      await expect(tx).to.emit(multisig, "GuardianChanged").withArgs(ethers.ZeroAddress, guardian.address);
    });

    it("emits SignerAdded(signer, 0) for each initial signer, in order and before ThresholdChanged, and PausablesSet([])", async function () {
      const { multisig, signers, guardian } = await loadFixture(multisigFixture);
      const tx = multisig.deploymentTransaction();
      if (!tx) throw new Error("no deployment transaction");
      for (const s of signers) await expect(tx).to.emit(multisig, "SignerAdded").withArgs(s.address, 0);
      await expect(tx).to.emit(multisig, "PausablesSet").withArgs([]);
      expect(await multisigEvents(multisig, tx)).to.deep.equal([
        ...signers.map((s) => ["SignerAdded", s.address, 0n]),
        ["ThresholdChanged", BigInt(THRESHOLD), 0n],
        ["DefaultDelaysSet", 0n, BigInt(SENSITIVE_DELAY)],
        ["GuardianChanged", ethers.ZeroAddress, guardian.address],
        ["PausablesSet", []],
      ]);
    });

    it("registers contract pausables (registry, any contract) and emits PausablesSet(pausables)", async function () {
      const { signers, guardian } = await accounts();
      const { registry } = await deployRegistry();
      const target = await (await ethers.getContractFactory("ReentrantTarget")).deploy();
      const pausables = [await registry.getAddress(), await target.getAddress()];
      const m = await (
        await factory()
      ).deploy(
        signers.map((s) => s.address),
        THRESHOLD,
        0,
        0,
        guardian.address,
        pausables,
      );
      await expect(m.deploymentTransaction()).to.emit(m, "PausablesSet").withArgs(pausables);
      expect(await m.guardian()).to.deep.equal([guardian.address, pausables]);
    });

    it("refuses a pausable without code (EOA, zero address) with MultisigNotAContract(first such target)", async function () {
      const { signers, guardian, outsider } = await accounts();
      const { registry } = await deployRegistry();
      const registryAddress = await registry.getAddress();
      const f = await factory();
      const owners = signers.map((s) => s.address);
      for (const [pausables, culprit] of [
        [[outsider.address], outsider.address],
        [[registryAddress, guardian.address, outsider.address], guardian.address],
        [[registryAddress, ethers.ZeroAddress], ethers.ZeroAddress],
      ] as const) {
        await expect(f.deploy(owners, THRESHOLD, 0, 0, guardian.address, [...pausables]))
          .to.be.revertedWithCustomError(f, "MultisigNotAContract")
          .withArgs(culprit);
      }
    });

    it("accepts a zero guardian", async function () {
      const { signers } = await accounts();
      const m = await (
        await factory()
      ).deploy(
        signers.map((s) => s.address),
        THRESHOLD,
        0,
        0,
        ethers.ZeroAddress,
        [],
      );
      await expect(m.deploymentTransaction())
        .to.emit(m, "GuardianChanged")
        .withArgs(ethers.ZeroAddress, ethers.ZeroAddress);
      expect(await m.guardian()).to.deep.equal([ethers.ZeroAddress, []]);
    });
  });

  describe("initial views", function () {
    it("signers() lists the signers in order with threshold 3 and epoch 0", async function () {
      const { multisig, signers } = await loadFixture(multisigFixture);
      expect(await multisig.signers()).to.deep.equal([signers.map((s) => s.address), BigInt(THRESHOLD), 0n]);
    });

    it("defaultDelays, guardian, nonceOf, queuedOf and approvalsOf start empty", async function () {
      const { multisig, guardian } = await loadFixture(multisigFixture);
      expect(await multisig.defaultDelays()).to.deep.equal([0n, BigInt(SENSITIVE_DELAY)]);
      expect(await multisig.guardian()).to.deep.equal([guardian.address, []]);
      for (const lane of [0n, 1n, 2n ** 64n - 1n]) expect(await multisig.nonceOf(lane)).to.equal(0n);
      expect(await multisig.queuedOf(ethers.ZeroHash)).to.deep.equal([0n, 0n, 0n]);
      expect(await multisig.approvalsOf(ethers.ZeroHash)).to.deep.equal([]);
    });

    it("proposalHash is the EIP-712 digest under {ClearhouseMultisig, 1, chainId, multisig}", async function () {
      const { multisig, outsider, target } = await loadFixture(multisigFixture);
      const p = await draft(multisig, {
        target: await target.getAddress(),
        value: 7n,
        data: target.interface.encodeFunctionData("poke"),
        lane: 3n,
        notBefore: 11n,
      });
      expect(await multisig.proposalHash(p)).to.equal(await digestOf(multisig, p));
      const other = { ...p, target: outsider.address };
      expect(await multisig.proposalHash(other)).to.equal(await digestOf(multisig, other));
      expect(await multisig.proposalHash(other)).not.to.equal(await multisig.proposalHash(p));
    });

    it("eip712Domain (ERC-5267) reports the signing domain", async function () {
      const { multisig, address, chainId } = await loadFixture(multisigFixture);
      const domain = await multisig.eip712Domain();
      expect([domain.fields, domain.name, domain.version, domain.chainId, domain.verifyingContract]).to.deep.equal([
        "0x0f",
        "ClearhouseMultisig",
        "1",
        chainId,
        address,
      ]);
    });

    it("cancelHash is the EIP-712 digest of Cancel(lane, nonce)", async function () {
      const { multisig } = await loadFixture(multisigFixture);
      const domain = await domainOf(multisig);
      for (const [lane, nonce] of [
        [0n, 0n],
        [5n, 9n],
        [2n ** 64n - 1n, 2n ** 64n - 1n],
      ]) {
        expect(await multisig.cancelHash(lane, nonce)).to.equal(
          ethers.TypedDataEncoder.hash(domain, CANCEL_TYPES, { lane, nonce }),
        );
      }
    });
  });
});
