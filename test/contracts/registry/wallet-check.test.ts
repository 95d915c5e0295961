/** ConsortiumRegistry: `check` and `transactionAllowed` for customer wallets (reason codes 9 and 10). */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ConsortiumRegistry } from "../../../typechain-types";
import { Reason } from "../../helpers/fixtures";
import { CODE, walletRegistry } from "./helpers";

const SenderWalletClosed = 9;
const SenderWalletBankInactive = 10;

/** `check`'s reason, after asserting that `transactionAllowed` agrees with it. */
async function reasonOf(registry: ConsortiumRegistry, sender: string, target: string, value = 0n): Promise<number> {
  const [allowed, reason] = await registry.check(sender, target, value, "0x");
  expect(allowed).to.equal(reason === 0n);
  expect(await registry.transactionAllowed(sender, target, value, 0n, 21_000n, "0x")).to.equal(allowed);
  return Number(reason);
}

describe("ConsortiumRegistry check: customer wallets", function () {
  it("lets an open wallet of an active bank send like a member without OPERATOR", async function () {
    const { registry, walletA, bankB } = await loadFixture(walletRegistry);
    const target = await registry.getAddress();
    expect(await reasonOf(registry, walletA.address, target)).to.equal(Reason.Allowed);
    expect(await reasonOf(registry, walletA.address, bankB.address)).to.equal(Reason.Allowed);
    expect(await reasonOf(registry, walletA.address, ethers.ZeroAddress)).to.equal(Reason.CreationNotAllowed);
    expect(await reasonOf(registry, walletA.address, target, 1n)).to.equal(Reason.NativeValueNotAllowed);
  });

  it("applies the sender sanction, the pause and the target sanction to wallets", async function () {
    const { registry, owner, walletA, bankB } = await loadFixture(walletRegistry);
    await registry.addSanction(bankB.address, CODE);
    expect(await reasonOf(registry, walletA.address, bankB.address)).to.equal(Reason.TargetSanctioned);
    await registry.pause();
    expect(await reasonOf(registry, walletA.address, bankB.address)).to.equal(Reason.RegistryPaused);
    expect(await reasonOf(registry, walletA.address, owner.address)).to.equal(Reason.Allowed);
    await registry.addSanction(walletA.address, CODE);
    expect(await reasonOf(registry, walletA.address, owner.address)).to.equal(Reason.SenderSanctioned);
  });

  it("answers SenderWalletClosed (9) for a closed wallet", async function () {
    const { registry, bankA, walletA, bankB } = await loadFixture(walletRegistry);
    await registry.connect(bankA).closeWallet(walletA.address);
    expect(await reasonOf(registry, walletA.address, bankB.address)).to.equal(SenderWalletClosed);
  });

  it("answers SenderWalletBankInactive (10) while the bank is suspended, sanctioned, removed or not a bank", async function () {
    const { registry, bankA, walletA, bankB } = await loadFixture(walletRegistry);
    const reason = () => reasonOf(registry, walletA.address, bankB.address);
    await registry.suspendMember(bankA.address);
    expect(await reason()).to.equal(SenderWalletBankInactive);
    await registry.reinstateMember(bankA.address);
    expect(await reason()).to.equal(Reason.Allowed);
    await registry.addSanction(bankA.address, CODE);
    expect(await reason()).to.equal(SenderWalletBankInactive);
    await registry.removeSanction(bankA.address, CODE);
    await registry.setRoles(bankA.address, 4);
    expect(await reason()).to.equal(SenderWalletBankInactive);
    await registry.setRoles(bankA.address, 2);
    await registry.removeMember(bankA.address);
    expect(await reason()).to.equal(SenderWalletBankInactive);
  });

  it("still answers SenderNotMember (1) for an address that is neither member nor wallet", async function () {
    const { registry, walletB, bankB } = await loadFixture(walletRegistry);
    expect(await reasonOf(registry, walletB.address, bankB.address)).to.equal(Reason.SenderNotMember);
  });
});
