/** ConsortiumRegistry (WalletTiers): KYC tiers and customer wallets — every function, event and revert. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistry, Role, UNLIMITED } from "../../helpers/fixtures";
import { admit, CODE, DAILY, nextBlock, SINGLE, T1, T2, walletRegistry, WalletStatus } from "./helpers";

describe("ConsortiumRegistry wallet tiers", function () {
  describe("setTier", function () {
    it("defines and redefines a tier with its event; tierOf reads it", async function () {
      const { registry } = await loadFixture(deployRegistry);
      expect(await registry.tierOf(7)).to.deep.equal([0n, 0n, 0n]);
      await expect(registry.setTier(7, 1n, 2n, 3n))
        .to.emit(registry, "TierSet")
        .withArgs(7, 1n, 2n, 3n);
      expect(await registry.tierOf(7)).to.deep.equal([1n, 2n, 3n]);
      await expect(registry.setTier(7, 5n, 5n, 1n))
        .to.emit(registry, "TierSet")
        .withArgs(7, 5n, 5n, 1n);
      expect(await registry.tierOf(7)).to.deep.equal([5n, 5n, 1n]);
    });

    it("accepts boundaries: tier 1 and 255, zero single/daily, unlimited values", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.setTier(1, 0n, 0n, 1n))
        .to.emit(registry, "TierSet")
        .withArgs(1, 0n, 0n, 1n);
      await expect(registry.setTier(255, UNLIMITED, UNLIMITED, UNLIMITED))
        .to.emit(registry, "TierSet")
        .withArgs(255, UNLIMITED, UNLIMITED, UNLIMITED);
    });

    it("works while the registry is paused (admin)", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await registry.pause();
      await expect(registry.setTier(3, 1n, 1n, 1n)).to.emit(registry, "TierSet");
    });

    it("reverts for a non-owner, tier 0, single above daily, and a zero balance cap", async function () {
      const { registry, others } = await loadFixture(deployRegistry);
      await expect(registry.connect(others[0]).setTier(1, 1n, 1n, 1n))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(others[0].address);
      await expect(registry.setTier(0, 1n, 1n, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidTier")
        .withArgs(0);
      await expect(registry.setTier(1, 3n, 2n, 10n))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidTierLimits")
        .withArgs(3n, 2n, 10n);
      await expect(registry.setTier(1, 1n, 2n, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidTierLimits")
        .withArgs(1n, 2n, 0n);
    });
  });

  describe("openWallet", function () {
    it("opens a wallet for the calling bank with its event and record", async function () {
      const { registry, bankB, walletB } = await loadFixture(walletRegistry);
      const since = await nextBlock();
      await expect(registry.connect(bankB).openWallet(walletB.address, 2))
        .to.emit(registry, "WalletOpened")
        .withArgs(walletB.address, bankB.address, 2);
      expect(await registry.walletOf(walletB.address)).to.deep.equal([WalletStatus.Open, 2n, bankB.address, since]);
      expect(await registry.walletOf(ethers.ZeroAddress)).to.deep.equal([0n, 0n, ethers.ZeroAddress, 0n]);
    });

    it("reverts unless the caller is an active, unsanctioned MEMBER_BANK and the registry runs", async function () {
      const { registry, bankB, corp, walletA, walletB, stranger } = await loadFixture(walletRegistry);
      const open = (caller: typeof bankB) => registry.connect(caller).openWallet(walletB.address, 1);
      await expect(open(stranger))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(stranger.address);
      await expect(open(walletA))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(walletA.address);
      await expect(open(corp))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(corp.address, Role.MEMBER_BANK);
      await registry.pause();
      await expect(open(bankB)).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await registry.unpause();
      await registry.addSanction(bankB.address, CODE);
      await expect(open(bankB))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(bankB.address, CODE);
      await registry.removeSanction(bankB.address, CODE);
      await registry.suspendMember(bankB.address);
      const suspendedAt = await ethers.provider.getBlockNumber();
      await expect(open(bankB))
        .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
        .withArgs(bankB.address, suspendedAt);
      await registry.removeMember(bankB.address);
      const removedAt = await ethers.provider.getBlockNumber();
      await expect(open(bankB))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(bankB.address, removedAt);
    });

    it("reverts for the zero address, a sanctioned address, a member, and an undefined tier", async function () {
      const { registry, bankA, bankB, corp, walletB } = await loadFixture(walletRegistry);
      const by = registry.connect(bankA);
      await expect(by.openWallet(ethers.ZeroAddress, 1)).to.be.revertedWithCustomError(registry, "RegistryZeroAddress");
      await registry.addSanction(walletB.address, CODE);
      await expect(by.openWallet(walletB.address, 1))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(walletB.address, CODE);
      for (const member of [bankA, bankB, corp]) {
        await expect(by.openWallet(member.address, 1))
          .to.be.revertedWithCustomError(registry, "RegistryWalletIsMember")
          .withArgs(member.address);
      }
      await registry.removeMember(corp.address);
      await expect(by.openWallet(corp.address, 1))
        .to.be.revertedWithCustomError(registry, "RegistryWalletIsMember")
        .withArgs(corp.address);
      const fresh = ethers.Wallet.createRandom().address;
      for (const tier of [0, 3, 255]) {
        await expect(by.openWallet(fresh, tier))
          .to.be.revertedWithCustomError(registry, "RegistryUnknownTier")
          .withArgs(tier);
      }
    });

    it("refuses an open wallet (any bank) and a closed one: closed wallets are never reopened", async function () {
      const { registry, bankA, bankB, walletA } = await loadFixture(walletRegistry);
      for (const bank of [bankA, bankB]) {
        await expect(registry.connect(bank).openWallet(walletA.address, 2))
          .to.be.revertedWithCustomError(registry, "RegistryWalletExists")
          .withArgs(walletA.address, WalletStatus.Open, bankA.address);
      }
      await registry.connect(bankA).closeWallet(walletA.address);
      for (const bank of [bankA, bankB]) {
        await expect(registry.connect(bank).openWallet(walletA.address, 1))
          .to.be.revertedWithCustomError(registry, "RegistryWalletExists")
          .withArgs(walletA.address, WalletStatus.Closed, bankA.address);
      }
    });
  });

  describe("setWalletTier", function () {
    it("upgrades and downgrades the bank's wallet with events; the record's block moves", async function () {
      const { registry, bankA, walletA } = await loadFixture(walletRegistry);
      let since = await nextBlock();
      await expect(registry.connect(bankA).setWalletTier(walletA.address, 2))
        .to.emit(registry, "WalletTierChanged")
        .withArgs(walletA.address, bankA.address, 1, 2);
      expect(await registry.walletOf(walletA.address)).to.deep.equal([WalletStatus.Open, 2n, bankA.address, since]);
      since = await nextBlock();
      await expect(registry.connect(bankA).setWalletTier(walletA.address, 1))
        .to.emit(registry, "WalletTierChanged")
        .withArgs(walletA.address, bankA.address, 2, 1);
      expect(await registry.walletOf(walletA.address)).to.deep.equal([WalletStatus.Open, 1n, bankA.address, since]);
    });

    it("reverts for a non-wallet, a closed wallet, another caller, the same or an undefined tier", async function () {
      const { registry, owner, bankA, bankB, walletA, walletB, stranger } = await loadFixture(walletRegistry);
      await expect(registry.connect(bankA).setWalletTier(walletB.address, 2))
        .to.be.revertedWithCustomError(registry, "RegistryNotWallet")
        .withArgs(walletB.address);
      for (const caller of [bankB, owner, stranger, walletA]) {
        await expect(registry.connect(caller).setWalletTier(walletA.address, 2))
          .to.be.revertedWithCustomError(registry, "RegistryNotWalletBank")
          .withArgs(caller.address, walletA.address, bankA.address);
      }
      await expect(registry.connect(bankA).setWalletTier(walletA.address, 1))
        .to.be.revertedWithCustomError(registry, "RegistryWalletTierUnchanged")
        .withArgs(walletA.address, 1);
      for (const tier of [0, 3]) {
        await expect(registry.connect(bankA).setWalletTier(walletA.address, tier))
          .to.be.revertedWithCustomError(registry, "RegistryUnknownTier")
          .withArgs(tier);
      }
      await registry.connect(bankA).closeWallet(walletA.address);
      const closedAt = await ethers.provider.getBlockNumber();
      await expect(registry.connect(bankA).setWalletTier(walletA.address, 2))
        .to.be.revertedWithCustomError(registry, "RegistryWalletClosed")
        .withArgs(walletA.address, closedAt);
    });

    it("reverts when the wallet's bank is paused out, sanctioned or suspended", async function () {
      const { registry, bankA, walletA } = await loadFixture(walletRegistry);
      const retier = () => registry.connect(bankA).setWalletTier(walletA.address, 2);
      await registry.pause();
      await expect(retier()).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await registry.unpause();
      await registry.addSanction(bankA.address, CODE);
      await expect(retier())
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(bankA.address, CODE);
      await registry.removeSanction(bankA.address, CODE);
      await registry.suspendMember(bankA.address);
      const at = await ethers.provider.getBlockNumber();
      await expect(retier())
        .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
        .withArgs(bankA.address, at);
    });
  });

  describe("closeWallet", function () {
    it("lets the bank close its wallet, with the event and record", async function () {
      const { registry, bankA, walletA } = await loadFixture(walletRegistry);
      const since = await nextBlock();
      await expect(registry.connect(bankA).closeWallet(walletA.address))
        .to.emit(registry, "WalletClosed")
        .withArgs(walletA.address, bankA.address);
      expect(await registry.walletOf(walletA.address)).to.deep.equal([WalletStatus.Closed, 1n, bankA.address, since]);
    });

    it("lets governance close any wallet, even while paused and with the bank suspended", async function () {
      const { registry, bankA, walletA } = await loadFixture(walletRegistry);
      await registry.suspendMember(bankA.address);
      await registry.pause();
      await expect(registry.closeWallet(walletA.address))
        .to.emit(registry, "WalletClosed")
        .withArgs(walletA.address, bankA.address);
    });

    it("reverts for a non-wallet, a closed wallet, another caller, and an inactive bank", async function () {
      const { registry, bankA, bankB, walletA, walletB, stranger } = await loadFixture(walletRegistry);
      await expect(registry.connect(bankA).closeWallet(walletB.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotWallet")
        .withArgs(walletB.address);
      for (const caller of [bankB, stranger, walletA]) {
        await expect(registry.connect(caller).closeWallet(walletA.address))
          .to.be.revertedWithCustomError(registry, "RegistryNotWalletBank")
          .withArgs(caller.address, walletA.address, bankA.address);
      }
      await registry.pause();
      await expect(registry.connect(bankA).closeWallet(walletA.address)).to.be.revertedWithCustomError(
        registry,
        "EnforcedPause",
      );
      await registry.unpause();
      await registry.removeMember(bankA.address);
      const removedAt = await ethers.provider.getBlockNumber();
      await expect(registry.connect(bankA).closeWallet(walletA.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(bankA.address, removedAt);
      await registry.closeWallet(walletA.address);
      const closedAt = await ethers.provider.getBlockNumber();
      await expect(registry.closeWallet(walletA.address))
        .to.be.revertedWithCustomError(registry, "RegistryWalletClosed")
        .withArgs(walletA.address, closedAt);
    });
  });

  describe("members and wallets never mix", function () {
    it("admitMember refuses an open or a closed wallet", async function () {
      const { registry, bankA, walletA } = await loadFixture(walletRegistry);
      await expect(admit(registry, walletA))
        .to.be.revertedWithCustomError(registry, "RegistryAccountIsWallet")
        .withArgs(walletA.address, WalletStatus.Open);
      await registry.connect(bankA).closeWallet(walletA.address);
      await expect(admit(registry, walletA))
        .to.be.revertedWithCustomError(registry, "RegistryAccountIsWallet")
        .withArgs(walletA.address, WalletStatus.Closed);
    });

    it("requireActive, requireMember and isActiveMember treat a wallet as a non-member", async function () {
      const { registry, walletA } = await loadFixture(walletRegistry);
      await expect(registry.requireActive(walletA.address, 0))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(walletA.address);
      await expect(registry.requireMember(walletA.address, 0))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(walletA.address);
      expect(await registry.isActiveMember(walletA.address)).to.equal(false);
    });
  });

  describe("requireHolder", function () {
    it("returns a member's limits with an unlimited balance cap", async function () {
      const { registry, bankA, corp } = await loadFixture(walletRegistry);
      expect(await registry.requireHolder(bankA.address)).to.deep.equal([SINGLE, DAILY, UNLIMITED]);
      await registry.setLimits(corp.address, 3n, 4n);
      expect(await registry.requireHolder(corp.address)).to.deep.equal([3n, 4n, UNLIMITED]);
    });

    it("refuses members exactly as requireActive does", async function () {
      const { registry, bankA, bankB, corp } = await loadFixture(walletRegistry);
      await registry.addSanction(bankA.address, CODE);
      await registry.suspendMember(bankB.address);
      await registry.removeMember(corp.address);
      for (const m of [bankA, bankB, corp]) {
        const err = await registry.requireActive(m.address, 0).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, "requireActive must refuse").to.not.equal(null);
      }
      await expect(registry.requireHolder(bankA.address))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(bankA.address, CODE);
      const suspended = (await registry.memberOf(bankB.address)).statusSince;
      await expect(registry.requireHolder(bankB.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
        .withArgs(bankB.address, suspended);
      const removed = (await registry.memberOf(corp.address)).statusSince;
      await expect(registry.requireHolder(corp.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(corp.address, removed);
    });

    it("returns an open wallet's tier limits, following tier changes at once", async function () {
      const { registry, bankA, walletA } = await loadFixture(walletRegistry);
      expect(await registry.requireHolder(walletA.address)).to.deep.equal([T1.maxSingle, T1.maxDaily, T1.maxBalance]);
      await registry.setTier(1, 10n, 20n, 30n);
      expect(await registry.requireHolder(walletA.address)).to.deep.equal([10n, 20n, 30n]);
      await registry.connect(bankA).setWalletTier(walletA.address, 2);
      expect(await registry.requireHolder(walletA.address)).to.deep.equal([T2.maxSingle, T2.maxDaily, T2.maxBalance]);
    });

    it("refuses an outsider, a sanctioned outsider or wallet, a closed wallet, and while paused", async function () {
      const { registry, bankA, walletA, walletB, walletC } = await loadFixture(walletRegistry);
      await expect(registry.requireHolder(walletB.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(walletB.address);
      await registry.addSanction(walletB.address, CODE);
      await expect(registry.requireHolder(walletB.address))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(walletB.address, CODE);
      await registry.connect(bankA).openWallet(walletC.address, 1);
      await registry.addSanction(walletC.address, CODE + 1);
      await expect(registry.requireHolder(walletC.address))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(walletC.address, CODE + 1);
      await registry.pause();
      await expect(registry.requireHolder(walletA.address)).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(registry.requireHolder(bankA.address)).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await registry.unpause();
      await registry.connect(bankA).closeWallet(walletA.address);
      const closedAt = await ethers.provider.getBlockNumber();
      await expect(registry.requireHolder(walletA.address))
        .to.be.revertedWithCustomError(registry, "RegistryWalletClosed")
        .withArgs(walletA.address, closedAt);
    });

    it("freezes a wallet with its bank's own error: suspended, removed, sanctioned, role lost", async function () {
      const { registry, bankA, walletA } = await loadFixture(walletRegistry);
      await registry.suspendMember(bankA.address);
      const suspendedAt = await ethers.provider.getBlockNumber();
      await expect(registry.requireHolder(walletA.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
        .withArgs(bankA.address, suspendedAt);
      await registry.reinstateMember(bankA.address);
      expect((await registry.requireHolder(walletA.address))[2]).to.equal(T1.maxBalance);
      await registry.setRoles(bankA.address, Role.CORPORATE);
      await expect(registry.requireHolder(walletA.address))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(bankA.address, Role.MEMBER_BANK);
      await registry.setRoles(bankA.address, Role.MEMBER_BANK);
      await registry.addSanction(bankA.address, CODE);
      await expect(registry.requireHolder(walletA.address))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(bankA.address, CODE);
      await registry.removeSanction(bankA.address, CODE);
      await registry.removeMember(bankA.address);
      const removedAt = await ethers.provider.getBlockNumber();
      await expect(registry.requireHolder(walletA.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(bankA.address, removedAt);
    });
  });
});
