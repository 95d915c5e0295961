/** ConsortiumMultisig: what happens around the executed call — failures, re-entrancy and value. */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ConsortiumRegistry } from "../../../typechain-types";
import { deployRegistry } from "../../helpers/fixtures";
import {
  draft,
  pokeDraft,
  multisigFixture,
  type MultisigFixture,
  queueWith,
  REENTRANT_CALL,
  signAll,
  timelockedMultisig,
} from "./helpers";

interface WithRegistry extends MultisigFixture {
  registry: ConsortiumRegistry;
  registryOwner: HardhatEthersSigner;
}

/** The multisig (ordinary calls at once) next to a registry it does not own yet. */
async function withRegistry(): Promise<WithRegistry> {
  const f = await multisigFixture();
  const { registry, owner } = await deployRegistry();
  return { ...f, registry, registryOwner: owner };
}

/** The same with every call timelocked. */
async function timelockedWithRegistry(): Promise<WithRegistry> {
  const f = await timelockedMultisig();
  const { registry, owner } = await deployRegistry();
  return { ...f, registry, registryOwner: owner };
}

async function handOver(f: WithRegistry): Promise<void> {
  await f.registry.connect(f.registryOwner).transferOwnership(f.address);
  await f.multisig.claimOwnership(await f.registry.getAddress());
}

describe("ConsortiumMultisig", function () {
  describe("executed call", function () {
    it("a reverting call fails with MultisigCallFailed(hash, its revert data)", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, target } = f;
      const p = await draft(multisig, {
        target: await target.getAddress(),
        data: target.interface.encodeFunctionData("refuse", [7]),
      });
      await expect(multisig.execute(p, await signAll(multisig, signers.slice(0, 3), p)))
        .to.be.revertedWithCustomError(multisig, "MultisigCallFailed")
        .withArgs(await multisig.proposalHash(p), target.interface.encodeErrorResult("TargetRefused", [7]));
    });

    it("a failed call does not consume the nonce: the same signatures execute once the call can succeed", async function () {
      const f = await loadFixture(withRegistry);
      const { multisig, signers, registry, address } = f;
      const p = await draft(multisig, {
        target: await registry.getAddress(),
        data: registry.interface.encodeFunctionData("pause"),
      });
      const hash = await multisig.proposalHash(p);
      const sigs = await signAll(multisig, signers.slice(0, 3), p);
      await expect(multisig.execute(p, sigs))
        .to.be.revertedWithCustomError(multisig, "MultisigCallFailed")
        .withArgs(hash, registry.interface.encodeErrorResult("OwnableUnauthorizedAccount", [address]));
      expect(await multisig.nonceOf(0n)).to.equal(0n);

      await handOver(f);
      const tx = multisig.execute(p, sigs);
      await expect(tx).to.emit(multisig, "Executed").withArgs(hash, 0n, 0n);
      await expect(tx).to.emit(registry, "Paused").withArgs(address);
      expect(await multisig.nonceOf(0n)).to.equal(1n);
    });

    it("a failed queued call keeps its queue entry and can be retried", async function () {
      const f = await loadFixture(timelockedWithRegistry);
      const { multisig, signers, registry } = f;
      const p = await draft(multisig, {
        target: await registry.getAddress(),
        data: registry.interface.encodeFunctionData("pause"),
      });
      const hash = await multisig.proposalHash(p);
      const executableAt = await queueWith(multisig, signers.slice(0, 3), p);
      const queued = await multisig.queuedOf(hash);
      await time.setNextBlockTimestamp(executableAt);
      await expect(multisig.execute(p, "0x")).to.be.revertedWithCustomError(multisig, "MultisigCallFailed");
      expect(await multisig.queuedOf(hash)).to.deep.equal(queued);
      await handOver(f);
      await expect(multisig.execute(p, "0x")).to.emit(multisig, "Executed").withArgs(hash, 0n, 0n);
      expect(await registry.paused()).to.equal(true);
    });

    it("a call with data to an address without code fails with MultisigNotAContract(target), consuming nothing", async function () {
      const { multisig, signers, outsider } = await loadFixture(multisigFixture);
      for (const [data, value] of [
        ["0x12345678", 0n],
        ["0x00", 0n],
        ["0x12345678", 1n],
      ] as const) {
        const p = await draft(multisig, { target: outsider.address, data, value });
        await expect(multisig.execute(p, await signAll(multisig, signers.slice(0, 3), p), { value }))
          .to.be.revertedWithCustomError(multisig, "MultisigNotAContract")
          .withArgs(outsider.address);
      }
      expect(await multisig.nonceOf(0n)).to.equal(0n);
    });

    it("queue refuses a call with data to an address without code, rather than after the timelock", async function () {
      const { multisig, signers, outsider } = await loadFixture(timelockedMultisig);
      const p = await draft(multisig, { target: outsider.address, data: "0x12345678" });
      const hash = await multisig.proposalHash(p);
      await expect(multisig.queue(p, await signAll(multisig, signers.slice(0, 3), p)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotAContract")
        .withArgs(outsider.address);
      expect(await multisig.queuedOf(hash)).to.deep.equal([0n, 0n, 0n]);
    });

    it("execute refuses a queued call whose target lost its code during the timelock, keeping its entry", async function () {
      const { multisig, signers, target } = await loadFixture(timelockedMultisig);
      const address = await target.getAddress();
      const p = await draft(multisig, { target: address, data: target.interface.encodeFunctionData("poke") });
      const hash = await multisig.proposalHash(p);
      const executableAt = await queueWith(multisig, signers.slice(0, 3), p);
      const queued = await multisig.queuedOf(hash);
      await network.provider.send("hardhat_setCode", [address, "0x"]);
      await time.setNextBlockTimestamp(executableAt);
      await expect(multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigNotAContract")
        .withArgs(address);
      expect(await multisig.queuedOf(hash)).to.deep.equal(queued);
      expect(await multisig.nonceOf(0n)).to.equal(0n);
    });

    it("a plain transfer (empty data) to an address without code still executes, with or without value", async function () {
      const { multisig, signers, outsider } = await loadFixture(multisigFixture);
      const value = ethers.parseEther("1");
      for (const [lane, amount] of [
        [0n, value],
        [1n, 0n],
      ] as const) {
        const p = await draft(multisig, { target: outsider.address, value: amount, lane });
        const tx = multisig.execute(p, await signAll(multisig, signers.slice(0, 3), p), { value: amount });
        await expect(tx)
          .to.emit(multisig, "Executed")
          .withArgs(await multisig.proposalHash(p), lane, 0n);
        await expect(tx).to.changeEtherBalances([outsider, multisig], [amount, 0n]);
      }
    });
  });

  describe("re-entrancy", function () {
    it("a target calling back execute() for another proposal makes the outer call fail (ReentrancyGuardReentrantCall)", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, target, address, outsider } = f;
      const inner = await draft(multisig, { target: outsider.address, lane: 1n });
      const innerData = multisig.interface.encodeFunctionData("execute", [
        inner,
        await signAll(multisig, signers.slice(0, 3), inner),
      ]);
      await target.arm(address, innerData);
      const outer = await pokeDraft(f);
      await expect(multisig.execute(outer, await signAll(multisig, signers.slice(0, 3), outer)))
        .to.be.revertedWithCustomError(multisig, "MultisigCallFailed")
        .withArgs(await multisig.proposalHash(outer), REENTRANT_CALL);
      expect(await multisig.nonceOf(0n)).to.equal(0n);
      expect(await multisig.nonceOf(1n)).to.equal(0n);
      expect(await target.pokes()).to.equal(0n);

      // Control: the inner proposal is valid on its own.
      await expect(outsider.sendTransaction({ to: address, data: innerData }))
        .to.emit(multisig, "Executed")
        .withArgs(await multisig.proposalHash(inner), 1n, 0n);
    });

    it("a proposal whose call is the multisig's own execute() fails the same way", async function () {
      const { multisig, signers, address, outsider } = await loadFixture(multisigFixture);
      const inner = await draft(multisig, { target: outsider.address, lane: 1n });
      const outer = await draft(multisig, {
        target: address,
        data: multisig.interface.encodeFunctionData("execute", [
          inner,
          await signAll(multisig, signers.slice(0, 3), inner),
        ]),
      });
      await expect(multisig.execute(outer, await signAll(multisig, signers.slice(0, 3), outer)))
        .to.be.revertedWithCustomError(multisig, "MultisigCallFailed")
        .withArgs(await multisig.proposalHash(outer), REENTRANT_CALL);
    });
  });

  describe("value", function () {
    it("forwards the proposal's value from msg.value to the target", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, target, address, outsider } = f;
      const value = ethers.parseEther("1.5");
      const p = await pokeDraft(f, { value });
      const tx = multisig.connect(outsider).execute(p, await signAll(multisig, signers.slice(0, 3), p), { value });
      await expect(tx).to.emit(target, "Poked").withArgs(address, value, 1n);
      await expect(tx).to.changeEtherBalances([outsider, target, multisig], [-value, value, 0n]);
    });

    it("sends value to an EOA; msg.value above the proposal's value stays in the multisig and funds later calls", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, outsider, others } = f;
      const value = ethers.parseEther("1");
      const p0 = await draft(multisig, { target: outsider.address, value });
      await expect(
        multisig.execute(p0, await signAll(multisig, signers.slice(0, 3), p0), { value: 3n * value }),
      ).to.changeEtherBalances([outsider, multisig], [value, 2n * value]);

      const p1 = await draft(multisig, { target: others[0].address, value: 2n * value });
      await expect(multisig.execute(p1, await signAll(multisig, signers.slice(0, 3), p1))).to.changeEtherBalances(
        [others[0], multisig],
        [2n * value, -2n * value],
      );
    });

    it("a value above the multisig's balance fails with MultisigCallFailed(hash, 0x)", async function () {
      const f = await loadFixture(multisigFixture);
      const p = await draft(f.multisig, { target: f.outsider.address, value: 1n });
      await expect(f.multisig.execute(p, await signAll(f.multisig, f.signers.slice(0, 3), p)))
        .to.be.revertedWithCustomError(f.multisig, "MultisigCallFailed")
        .withArgs(await f.multisig.proposalHash(p), "0x");
    });

    it("has no receive function: a plain transfer to the multisig reverts", async function () {
      const { address, outsider } = await loadFixture(multisigFixture);
      await expect(outsider.sendTransaction({ to: address, value: 1n })).to.be.revertedWithoutReason();
      expect(await ethers.provider.getBalance(address)).to.equal(0n);
    });
  });
});
