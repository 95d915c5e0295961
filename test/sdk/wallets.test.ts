import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ContractRevertError, InvalidArgumentError, UNLIMITED } from "../../packages/sdk/src";
import { blockNumber, key, rejectsWith, sdkFixture, LIMIT_DAILY, LIMIT_SINGLE } from "./fixture";

/** The deployment's default tiers (e-CNY) in cents: tier 1 phone only, tier 2 ID + bank account. */
const TIER1 = { tier: 1, defined: true, maxSingle: 200_000n, maxDaily: 500_000n, maxBalance: 1_000_000n };
const TIER2 = { tier: 2, defined: true, maxSingle: 5_000_000n, maxDaily: 10_000_000n, maxBalance: 50_000_000n };

async function walletFixture() {
  const f = await sdkFixture();
  const wallet = key(10).address;
  await f.gov.registry.setLimits({
    account: f.addresses.bankA,
    maxSingleTransfer: 1_000_000n,
    maxDailyOutflow: 5_000_000n,
  });
  await f.operator.token.mint({ bank: f.addresses.bankA, amount: 3_000_000n });
  await f.bankA.registry.openWallet({ wallet, tier: 1 });
  return { ...f, wallet, customer: f.gov.as(key(10)) };
}

describe("SDK wallets and tiers (real Hardhat network)", () => {
  it("lists the deployment's default tiers and reads one", async () => {
    const { gov } = await loadFixture(walletFixture);
    expect(await gov.registry.listTiers()).to.deep.equal([TIER1, TIER2]);
    expect(await gov.registry.getTier({ tier: 2 })).to.deep.equal(TIER2);
    expect(await gov.registry.getTier({ tier: 9 })).to.deep.equal({
      tier: 9,
      defined: false,
      maxSingle: 0n,
      maxDaily: 0n,
      maxBalance: 0n,
    });
  });

  it("opens, re-tiers and closes a wallet; getWallet follows", async () => {
    const { gov, bankA, wallet, addresses } = await loadFixture(walletFixture);
    let w = await gov.registry.getWallet({ wallet });
    expect(w).to.deep.include({ wallet, status: "Open", tier: 1, bank: addresses.bankA });
    const retier = await bankA.registry.setWalletTier({ wallet, tier: 2 });
    w = await gov.registry.getWallet({ wallet });
    expect([w.tier, w.since]).to.deep.equal([2, retier.blockNumber]);
    await bankA.registry.closeWallet({ wallet });
    expect((await gov.registry.getWallet({ wallet })).status).to.equal("Closed");
    expect((await gov.registry.getWallet({ wallet: addresses.outsider })).status).to.equal("None");
  });

  it("lets the owner define a tier; setTierCall checks before building", async () => {
    const { gov } = await loadFixture(walletFixture);
    await gov.registry.setTier({ tier: 3, maxSingle: 1n, maxDaily: 2n, maxBalance: 3n });
    expect((await gov.registry.listTiers()).map((t) => t.tier)).to.deep.equal([1, 2, 3]);
    for (const [p, argument] of [
      [{ tier: 0, maxSingle: 1n, maxDaily: 1n, maxBalance: 1n }, "tier"],
      [{ tier: 256, maxSingle: 1n, maxDaily: 1n, maxBalance: 1n }, "tier"],
      [{ tier: 1, maxSingle: 2n, maxDaily: 1n, maxBalance: 1n }, "maxSingle"],
      [{ tier: 1, maxSingle: 1n, maxDaily: 1n, maxBalance: 0n }, "maxBalance"],
    ] as const) {
      const e = await rejectsWith(gov.registry.setTier(p), InvalidArgumentError);
      expect(e.message).to.contain(argument);
    }
  });

  it("refuses a wallet action with the registry's reason, before sending anything", async () => {
    const { bankB, corporate, wallet } = await loadFixture(walletFixture);
    const before = await blockNumber();
    let e = await rejectsWith(bankB.registry.setWalletTier({ wallet, tier: 2 }), ContractRevertError);
    expect(e.errorName).to.equal("RegistryNotWalletBank");
    expect(e.message).to.match(/is not the bank of wallet/);
    e = await rejectsWith(corporate.registry.openWallet({ wallet: key(11).address, tier: 1 }), ContractRevertError);
    expect(e.errorName).to.equal("RegistryMissingRole");
    e = await rejectsWith(bankB.registry.openWallet({ wallet, tier: 1 }), ContractRevertError);
    expect(e.errorName).to.equal("RegistryWalletExists");
    e = await rejectsWith(bankB.registry.openWallet({ wallet: key(11).address, tier: 7 }), ContractRevertError);
    expect(e.errorName).to.equal("RegistryUnknownTier");
    expect(e.message).to.match(/tier 7 is not defined/);
    expect(await blockNumber()).to.equal(before);
  });

  it("checkHolder: a member's limits, a wallet's tier limits, a frozen wallet's reason", async () => {
    const { gov, wallet, addresses } = await loadFixture(walletFixture);
    expect(await gov.registry.checkHolder({ account: addresses.bankB })).to.deep.equal({
      allowed: true,
      maxSingle: LIMIT_SINGLE,
      maxDaily: LIMIT_DAILY,
      maxBalance: UNLIMITED,
    });
    expect(await gov.registry.checkHolder({ account: wallet })).to.deep.equal({
      allowed: true,
      maxSingle: TIER1.maxSingle,
      maxDaily: TIER1.maxDaily,
      maxBalance: TIER1.maxBalance,
    });
    await gov.registry.suspendMember({ account: addresses.bankA });
    const frozen = await gov.registry.checkHolder({ account: wallet });
    expect(frozen).to.deep.include({ allowed: false, errorName: "RegistryMemberSuspended" });
    const outsider = await gov.registry.checkHolder({ account: addresses.outsider });
    expect(outsider).to.deep.include({ allowed: false, errorName: "RegistryNotMember" });
  });

  it("a transfer to a capped wallet is refused before sending, with the amounts", async () => {
    const { gov, bankA, customer, wallet, addresses } = await loadFixture(walletFixture);
    for (let i = 0; i < 10; i++) await bankA.token.transfer({ to: wallet, amount: 100_000n });
    expect(await gov.token.getBalance({ account: wallet })).to.equal(1_000_000n);
    const verdict = await gov.token.checkTransfer({ from: addresses.bankA, to: wallet, amount: 1n });
    expect(verdict).to.deep.include({ allowed: false, errorName: "TokenBalanceCapExceeded" });
    if (verdict.allowed) throw new Error("unreachable");
    expect(verdict.message).to.equal(
      `TokenBalanceCapExceeded: ${wallet.slice(0, 6)}…${wallet.slice(-4)} holds 10,000.00 tEUR; receiving 0.01 tEUR would exceed its balance cap of 10,000.00 tEUR`,
    );
    const before = await blockNumber();
    const e = await rejectsWith(bankA.token.transfer({ to: wallet, amount: 1n }), ContractRevertError);
    expect(e.errorName).to.equal("TokenBalanceCapExceeded");
    expect(await blockNumber()).to.equal(before);
    // the wallet itself spends within its tier
    await customer.token.transfer({ to: addresses.bankB, amount: 200_000n });
    const single = await rejectsWith(
      customer.token.transfer({ to: addresses.bankB, amount: 200_001n }),
      ContractRevertError,
    );
    expect(single.errorName).to.equal("TokenSingleTransferLimitExceeded");
  });
});
