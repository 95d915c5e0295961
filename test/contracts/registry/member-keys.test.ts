/** ConsortiumRegistry's key binding (MemberKeys): bindKey, unbindKey and what `check` makes of a key. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployToken, lei, Reason, Role } from "../../helpers/fixtures";

describe("ConsortiumRegistry key binding", function () {
  async function bound() {
    const f = await deployToken();
    const [bank] = f.banks;
    const key = f.others[9];
    await (await f.registry.connect(bank).bindKey(key.address)).wait();
    return { ...f, bank, key };
  }

  it("binds a key to its caller and lets it send with the caller's standing", async function () {
    const f = await loadFixture(deployToken);
    const [bank] = f.banks;
    const key = f.others[9];
    await expect(f.registry.connect(bank).bindKey(key.address))
      .to.emit(f.registry, "KeyBound")
      .withArgs(bank.address, key.address);
    expect(await f.registry.accountOfKey(key.address)).to.equal(bank.address);
    const target = await f.token.getAddress();
    expect((await f.registry.check(key.address, target, 0, "0x"))[1]).to.equal(Reason.Allowed);
    expect(await f.registry.transactionAllowed(key.address, target, 0, 0, 0, "0x")).to.equal(true);
  });

  it("gives a key of a suspended, removed or sanctioned account that account's refusal", async function () {
    const f = await loadFixture(bound);
    const target = await f.token.getAddress();
    await (await f.registry.suspendMember(f.bank.address)).wait();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderSuspended);
    await (await f.registry.reinstateMember(f.bank.address)).wait();
    await (await f.registry.addSanction(f.bank.address, 7)).wait();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderSanctioned);
    await (await f.registry.removeSanction(f.bank.address, 7)).wait();
    await (await f.registry.removeMember(f.bank.address)).wait();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderRemoved);
  });

  it("refuses a sanctioned key even when its account is in good standing", async function () {
    const f = await loadFixture(bound);
    await (await f.registry.addSanction(f.key.address, 9)).wait();
    const target = await f.token.getAddress();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderSanctioned);
  });

  it("gives a key of a non-member caller nothing: it is refused like a stranger", async function () {
    const f = await loadFixture(deployToken);
    const key = f.others[10];
    await (await f.registry.connect(f.outsider).bindKey(key.address)).wait();
    const target = await f.token.getAddress();
    expect((await f.registry.check(key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderNotMember);
  });

  it("unbinds by the account or governance, at once, paused or not", async function () {
    const f = await loadFixture(bound);
    const target = await f.token.getAddress();
    await (await f.registry.pause()).wait();
    await expect(f.registry.connect(f.bank).unbindKey(f.key.address))
      .to.emit(f.registry, "KeyUnbound")
      .withArgs(f.bank.address, f.key.address, f.bank.address);
    await (await f.registry.unpause()).wait();
    expect(await f.registry.accountOfKey(f.key.address)).to.equal(ethers.ZeroAddress);
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderNotMember);
    await (await f.registry.connect(f.bank).bindKey(f.key.address)).wait();
    await expect(f.registry.unbindKey(f.key.address))
      .to.emit(f.registry, "KeyUnbound")
      .withArgs(f.bank.address, f.key.address, f.owner.address);
  });

  describe("reverts", function () {
    it("bindKey: zero, self, governance, pending owner", async function () {
      const f = await loadFixture(deployToken);
      const [bank] = f.banks;
      const r = f.registry.connect(bank);
      await expect(r.bindKey(ethers.ZeroAddress)).to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable");
      await expect(r.bindKey(bank.address)).to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable");
      await expect(r.bindKey(f.owner.address)).to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable");
      await (await f.registry.transferOwnership(f.others[11].address)).wait();
      await expect(r.bindKey(f.others[11].address))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable")
        .withArgs(f.others[11].address);
    });

    it("bindKey: a member or a wallet can't be a key", async function () {
      const f = await loadFixture(deployToken);
      const [bank, bank2] = f.banks;
      await expect(f.registry.connect(bank).bindKey(bank2.address))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable")
        .withArgs(bank2.address);
      await (await f.registry.setTier(1, 100n, 1000n, 10_000n)).wait();
      const wallet = f.others[12];
      await (await f.registry.connect(bank).openWallet(wallet.address, 1)).wait();
      await expect(f.registry.connect(bank2).bindKey(wallet.address))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable")
        .withArgs(wallet.address);
    });

    it("bindKey: a key bound already, and a key binding keys of its own", async function () {
      const f = await loadFixture(bound);
      await expect(f.registry.connect(f.banks[1]).bindKey(f.key.address))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyBound")
        .withArgs(f.key.address, f.bank.address);
      await expect(f.registry.connect(f.key).bindKey(f.others[13].address))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable")
        .withArgs(f.key.address);
    });

    it("unbindKey: an unbound key, and a caller that is neither its account nor governance", async function () {
      const f = await loadFixture(bound);
      await expect(f.registry.unbindKey(f.others[14].address))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyNotBound")
        .withArgs(f.others[14].address);
      await expect(f.registry.connect(f.banks[1]).unbindKey(f.key.address))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotKeyAccount")
        .withArgs(f.banks[1].address, f.key.address, f.bank.address);
      await expect(f.registry.connect(f.key).unbindKey(f.key.address))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotKeyAccount")
        .withArgs(f.key.address, f.key.address, f.bank.address);
    });

    it("admitMember and openWallet refuse a bound key", async function () {
      const f = await loadFixture(bound);
      await expect(f.registry.admitMember(f.key.address, Role.MEMBER_BANK, lei("K"), "K", 1n, 1n))
        .to.be.revertedWithCustomError(f.registry, "RegistryAddressIsKey")
        .withArgs(f.key.address, f.bank.address);
      await (await f.registry.setTier(1, 100n, 1000n, 10_000n)).wait();
      await expect(f.registry.connect(f.banks[1]).openWallet(f.key.address, 1))
        .to.be.revertedWithCustomError(f.registry, "RegistryAddressIsKey")
        .withArgs(f.key.address, f.bank.address);
    });
  });
});
