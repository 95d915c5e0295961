/**
 * ConsortiumRegistry: governance cannot lock itself out (review finding; decision 021). Before the
 * fix `addSanction(multisig)` was an ordinary proposal, after which `check`/`transactionAllowed`
 * refused every transaction to the multisig (Besu drops them), including the one lifting it.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setStorageAt } from "@nomicfoundation/hardhat-network-helpers";
import { Reason } from "../../helpers/fixtures";
import { draft, enact, multisigFixture, signAll } from "../governance/helpers";
import { populated } from "./helpers";

/** ERC-7201 slot of ConsortiumRegistry's storage; `sanctions` is its third field. */
const STORAGE_SLOT = 0x04108f599892ef25b3bf67692103eb029c5cb5c4d19c54666c5cb38a859ae700n;
const sanctionSlot = (account: string): string =>
  ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [account, STORAGE_SLOT + 2n]));

/** The populated registry owned by a multisig (ordinary calls execute at once). */
async function governed() {
  const r = await populated();
  const m = await multisigFixture();
  await r.registry.connect(r.owner).transferOwnership(m.address);
  await m.multisig.claimOwnership(await r.registry.getAddress());
  return { ...r, ...m, registryAddress: await r.registry.getAddress() };
}

describe("ConsortiumRegistry", function () {
  describe("governance cannot lock itself out", function () {
    it("refuses to sanction the owner: RegistryCannotSanctionGovernance(owner)", async function () {
      const { registry, owner } = await loadFixture(populated);
      await expect(registry.addSanction(owner.address, 1))
        .to.be.revertedWithCustomError(registry, "RegistryCannotSanctionGovernance")
        .withArgs(owner.address);
      expect(await registry.sanctionOf(owner.address)).to.equal(0n);
    });

    it("refuses to sanction the pending owner while a handover is under way, and allows it once cancelled", async function () {
      const { registry, dave } = await loadFixture(populated);
      await registry.transferOwnership(dave.address);
      await expect(registry.addSanction(dave.address, 1))
        .to.be.revertedWithCustomError(registry, "RegistryCannotSanctionGovernance")
        .withArgs(dave.address);
      await registry.transferOwnership(ethers.ZeroAddress); // Ownable2Step: cancels the offer
      await expect(registry.addSanction(dave.address, 1)).to.emit(registry, "SanctionAdded");
    });

    it("refuses to offer ownership to a sanctioned account: RegistryAccountSanctioned(account, code)", async function () {
      const { registry, dave } = await loadFixture(populated);
      await registry.addSanction(dave.address, 7);
      await expect(registry.transferOwnership(dave.address))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(dave.address, 7);
      expect(await registry.pendingOwner()).to.equal(ethers.ZeroAddress);
    });

    it("the attack: a proposal to sanction the multisig fails, and transactions to it stay allowed", async function () {
      const f = await loadFixture(governed);
      const p = await draft(f.multisig, {
        target: f.registryAddress,
        data: f.registry.interface.encodeFunctionData("addSanction", [f.address, 1]),
      });
      const inner = f.registry.interface.encodeErrorResult("RegistryCannotSanctionGovernance", [f.address]);
      await expect(f.multisig.execute(p, await signAll(f.multisig, f.signers.slice(0, 3), p)))
        .to.be.revertedWithCustomError(f.multisig, "MultisigCallFailed")
        .withArgs(await f.multisig.proposalHash(p), inner);
      expect(await f.registry.check(f.alice.address, f.address, 0, "0x")).to.deep.equal([true, Reason.Allowed]);
      expect(await f.registry.transactionAllowed(f.alice.address, f.address, 0, 0, 0, "0x")).to.equal(true);
      // Governance still acts: an ordinary proposal goes through.
      const q = await draft(f.multisig, {
        target: f.registryAddress,
        lane: 1n,
        data: f.registry.interface.encodeFunctionData("addSanction", [f.dave.address, 1]),
      });
      await expect(enact(f.multisig, f.signers.slice(0, 3), q)).to.emit(f.registry, "SanctionAdded");
    });

    it("a transaction to governance is never refused on target grounds, even with a sanction left in storage", async function () {
      const { registry, owner, alice } = await loadFixture(populated);
      // A sanction written before this rule existed (an older implementation allowed it).
      await setStorageAt(await registry.getAddress(), sanctionSlot(owner.address), 9);
      expect(await registry.sanctionOf(owner.address)).to.equal(9n);
      expect(await registry.check(alice.address, owner.address, 0, "0x")).to.deep.equal([true, Reason.Allowed]);
      expect(await registry.transactionAllowed(alice.address, owner.address, 0, 0, 0, "0x")).to.equal(true);
      // Other sanctioned targets are still refused.
      await registry.addSanction(ethers.Wallet.createRandom().address, 1);
      const other = ethers.Wallet.createRandom().address;
      await registry.addSanction(other, 1);
      expect(await registry.check(alice.address, other, 0, "0x")).to.deep.equal([false, Reason.TargetSanctioned]);
      // And the leftover sanction can be lifted.
      await expect(registry.removeSanction(owner.address, 9)).to.emit(registry, "SanctionRemoved");
    });

    it("a sanctioned sender is still refused when it calls governance", async function () {
      const { registry, owner, alice } = await loadFixture(populated);
      await registry.addSanction(alice.address, 3);
      expect(await registry.check(alice.address, owner.address, 0, "0x")).to.deep.equal([
        false,
        Reason.SenderSanctioned,
      ]);
    });
  });
});
