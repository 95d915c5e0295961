/**
 * ConsortiumRegistry's key binding (MemberKeys): only member accounts of the governed factory bind
 * keys (review 24, R24-1/2), only the account unbinds them (R24-6), and what `check` makes of a key.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployToken, lei, Reason, Role } from "../../helpers/fixtures";
import { admitAccountBank, createAccount, deployAccountKit, KeyRole } from "../access/accounts";

async function bound() {
  const f = await deployToken();
  const kit = await deployAccountKit(f.registry, f.owner);
  const key = f.others[9];
  const account = await createAccount(kit, key);
  const address = await account.getAddress();
  await admitAccountBank(f.registry, address, "Account Bank");
  return { ...f, kit, key, account, address };
}

describe("ConsortiumRegistry key binding", function () {
  it("binds an account's key and lets it send with the account's standing", async function () {
    const f = await loadFixture(bound);
    expect(await f.registry.accountOfKey(f.key.address)).to.equal(f.address);
    expect(await f.registry.signingAccountOf(f.key.address)).to.equal(f.address);
    expect(await f.registry.accountFactory()).to.equal(await f.kit.factory.getAddress());
    const target = await f.token.getAddress();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.Allowed);
    expect(await f.registry.transactionAllowed(f.key.address, target, 0, 0, 0, "0x")).to.equal(true);
  });

  it("gives a key of a suspended, removed or sanctioned account that account's refusal", async function () {
    const f = await loadFixture(bound);
    const target = await f.token.getAddress();
    await (await f.registry.suspendMember(f.address)).wait();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderSuspended);
    await (await f.registry.reinstateMember(f.address)).wait();
    await (await f.registry.addSanction(f.address, 7)).wait();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderSanctioned);
    await (await f.registry.removeSanction(f.address, 7)).wait();
    await (await f.registry.removeMember(f.address)).wait();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderRemoved);
  });

  it("refuses a sanctioned key even when its account is in good standing; it signs for nobody", async function () {
    const f = await loadFixture(bound);
    await (await f.registry.addSanction(f.key.address, 9)).wait();
    const target = await f.token.getAddress();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderSanctioned);
    expect(await f.registry.signingAccountOf(f.key.address)).to.equal(ethers.ZeroAddress);
    expect(await f.registry.accountOfKey(f.key.address)).to.equal(f.address);
  });

  it("a key of an account never admitted is refused like a stranger", async function () {
    const f = await loadFixture(bound);
    const other = f.others[10];
    await createAccount(f.kit, other);
    const target = await f.token.getAddress();
    expect((await f.registry.check(other.address, target, 0, "0x"))[1]).to.equal(Reason.SenderNotMember);
  });

  it("unbinds when the account revokes, at once, paused or not; governance revokes through the account", async function () {
    const f = await loadFixture(bound);
    const second = f.others[11];
    await (await f.account.connect(f.key).authorizeKey(second.address, KeyRole.ALL)).wait();
    await (await f.registry.pause()).wait();
    await expect(f.account.connect(second).revokeKey(f.key.address))
      .to.emit(f.registry, "KeyUnbound")
      .withArgs(f.address, f.key.address, f.address);
    await (await f.registry.unpause()).wait();
    expect(await f.registry.accountOfKey(f.key.address)).to.equal(ethers.ZeroAddress);
    const target = await f.token.getAddress();
    expect((await f.registry.check(f.key.address, target, 0, "0x"))[1]).to.equal(Reason.SenderNotMember);
  });

  describe("reverts", function () {
    it("bindKey: a caller that is no account of the factory (a member, a wallet, a look-alike), or no factory set", async function () {
      const f = await loadFixture(bound);
      await expect(f.registry.connect(f.banks[0]).bindKey(f.others[12].address))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMemberAccount")
        .withArgs(f.banks[0].address);
      await (await f.registry.setTier(1, 100n, 1000n, 10_000n)).wait();
      const wallet = f.others[13];
      await (await f.registry.connect(f.banks[0]).openWallet(wallet.address, 1)).wait();
      await expect(f.registry.connect(wallet).bindKey(f.others[12].address))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMemberAccount")
        .withArgs(wallet.address);
      const fresh = await loadFixture(deployToken);
      await expect(fresh.registry.connect(fresh.banks[0]).bindKey(fresh.others[12].address))
        .to.be.revertedWithCustomError(fresh.registry, "RegistryNotMemberAccount")
        .withArgs(fresh.banks[0].address);
    });

    it("bindKey (through authorizeKey): a member, a wallet, governance, a sanctioned address, another account", async function () {
      const f = await loadFixture(bound);
      await (await f.registry.setTier(1, 100n, 1000n, 10_000n)).wait();
      const wallet = f.others[13];
      await (await f.registry.connect(f.banks[0]).openWallet(wallet.address, 1)).wait();
      const sanctioned = f.others[14];
      await (await f.registry.addSanction(sanctioned.address, 3)).wait();
      const other = await createAccount(f.kit, f.others[15]);
      for (const key of [
        f.banks[1].address,
        wallet.address,
        f.owner.address,
        sanctioned.address,
        await other.getAddress(),
      ]) {
        await expect(f.account.connect(f.key).authorizeKey(key, KeyRole.SUBMIT))
          .to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable")
          .withArgs(key);
      }
      await (await f.registry.transferOwnership(f.others[16].address)).wait();
      await expect(f.account.connect(f.key).authorizeKey(f.others[16].address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyUnusable")
        .withArgs(f.others[16].address);
      await expect(f.account.connect(f.key).authorizeKey(f.others[15].address, KeyRole.SUBMIT))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyBound")
        .withArgs(f.others[15].address, await other.getAddress());
    });

    it("unbindKey: an unbound key; anyone but its account, governance included", async function () {
      const f = await loadFixture(bound);
      await expect(f.registry.unbindKey(f.others[14].address))
        .to.be.revertedWithCustomError(f.registry, "RegistryKeyNotBound")
        .withArgs(f.others[14].address);
      for (const caller of [f.owner, f.banks[1], f.key]) {
        await expect(f.registry.connect(caller).unbindKey(f.key.address))
          .to.be.revertedWithCustomError(f.registry, "RegistryNotKeyAccount")
          .withArgs(caller.address, f.key.address, f.address);
      }
    });

    it("admitMember and openWallet refuse a bound key; setAccountFactory is governance's", async function () {
      const f = await loadFixture(bound);
      await expect(f.registry.admitMember(f.key.address, Role.MEMBER_BANK, lei("K"), "K", 1n, 1n))
        .to.be.revertedWithCustomError(f.registry, "RegistryAddressIsKey")
        .withArgs(f.key.address, f.address);
      await (await f.registry.setTier(1, 100n, 1000n, 10_000n)).wait();
      await expect(f.registry.connect(f.banks[1]).openWallet(f.key.address, 1))
        .to.be.revertedWithCustomError(f.registry, "RegistryAddressIsKey")
        .withArgs(f.key.address, f.address);
      await expect(f.registry.connect(f.banks[1]).setAccountFactory(f.banks[1].address))
        .to.be.revertedWithCustomError(f.registry, "OwnableUnauthorizedAccount")
        .withArgs(f.banks[1].address);
      await expect(f.registry.setAccountFactory(ethers.ZeroAddress))
        .to.emit(f.registry, "AccountFactorySet")
        .withArgs(ethers.ZeroAddress);
    });
  });
});
