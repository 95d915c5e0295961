/** SettlementToken: customer wallets as holders — tier limits, balance cap, frozen and closed wallets. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { INITIAL_BALANCE, SANCTION_CODE, fundedToken, signPermit, startNextDay } from "./helpers";

const T1 = { maxSingle: 200_000n, maxDaily: 500_000n, maxBalance: 1_000_000n } as const;
const T2 = { maxSingle: 5_000_000n, maxDaily: 10_000_000n, maxBalance: 50_000_000n } as const;

/** fundedToken + tiers 1 and 2; wallets w1, w2 (tier 1) and w3 (tier 2) at banks[0], w4 (tier 1) at banks[1]. */
async function walletToken() {
  const f = await fundedToken();
  const { registry, banks, others } = f;
  const [w1, w2, w3, w4] = others.slice(7, 11);
  await registry.setTier(1, T1.maxSingle, T1.maxDaily, T1.maxBalance);
  await registry.setTier(2, T2.maxSingle, T2.maxDaily, T2.maxBalance);
  await registry.connect(banks[0]).openWallet(w1.address, 1);
  await registry.connect(banks[0]).openWallet(w2.address, 1);
  await registry.connect(banks[0]).openWallet(w3.address, 2);
  await registry.connect(banks[1]).openWallet(w4.address, 1);
  return { ...f, w1, w2, w3, w4 };
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("not mined");
  return receipt.gasUsed;
}

describe("SettlementToken customer wallets", function () {
  it("moves tokens bank → wallet → wallet → bank with Transfer and the wallet's Outflow", async function () {
    const { token, banks, w1, w2 } = await loadFixture(walletToken);
    const day = await startNextDay();
    await token.connect(banks[0]).transfer(w1.address, 300_000n);
    await expect(token.connect(w1).transfer(w2.address, 150_000n))
      .to.emit(token, "Transfer")
      .withArgs(w1.address, w2.address, 150_000n)
      .and.to.emit(token, "Outflow")
      .withArgs(w1.address, day, 150_000n, 150_000n);
    await expect(token.connect(w2).transfer(banks[1].address, 50_000n))
      .to.emit(token, "Outflow")
      .withArgs(w2.address, day, 50_000n, 50_000n);
    expect(await token.balanceOf(w1.address)).to.equal(150_000n);
    expect(await token.balanceOf(w2.address)).to.equal(100_000n);
    expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 50_000n);
  });

  it("caps a wallet's balance: up to the cap exactly, then TokenBalanceCapExceeded", async function () {
    const { token, banks, w1, w2 } = await loadFixture(walletToken);
    await token.connect(banks[0]).transfer(w1.address, 900_000n);
    await token.connect(banks[0]).transfer(w1.address, 100_000n);
    expect(await token.balanceOf(w1.address)).to.equal(T1.maxBalance);
    await expect(token.connect(banks[1]).transfer(w1.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenBalanceCapExceeded")
      .withArgs(w1.address, T1.maxBalance, 1n, T1.maxBalance);
    await token.connect(banks[0]).transfer(w2.address, 900_000n);
    await expect(token.connect(w2).transfer(w1.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenBalanceCapExceeded")
      .withArgs(w1.address, T1.maxBalance, 1n, T1.maxBalance);
    // A self-transfer does not change the balance, so it is not refused at the cap.
    await expect(token.connect(w1).transfer(w1.address, 10n)).to.emit(token, "Transfer");
    expect(await token.balanceOf(w1.address)).to.equal(T1.maxBalance);
  });

  it("applies the tier's single and daily limits to the wallet, per UTC day", async function () {
    const { token, registry, banks, w1, w2 } = await loadFixture(walletToken);
    await token.connect(banks[0]).transfer(w1.address, 1_000_000n);
    const day = await startNextDay();
    await expect(token.connect(w1).transfer(banks[0].address, T1.maxSingle + 1n))
      .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
      .withArgs(w1.address, T1.maxSingle + 1n, T1.maxSingle);
    await token.connect(w1).transfer(banks[0].address, 200_000n);
    await token.connect(w1).transfer(w2.address, 200_000n);
    await expect(token.connect(w1).transfer(banks[0].address, 100_001n))
      .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
      .withArgs(w1.address, day, 400_000n, 100_001n, T1.maxDaily);
    await token.connect(w1).transfer(banks[0].address, 100_000n);
    await startNextDay();
    await expect(token.connect(w1).transfer(banks[0].address, 200_000n)).to.emit(token, "Outflow");
    expect(await registry.requireHolder(w1.address)).to.deep.equal([T1.maxSingle, T1.maxDaily, T1.maxBalance]);
  });

  it("an upgraded wallet gets the higher tier's limits at once", async function () {
    const { token, registry, banks, w1 } = await loadFixture(walletToken);
    await token.connect(banks[0]).transfer(w1.address, 1_000_000n);
    await registry.connect(banks[0]).setWalletTier(w1.address, 2);
    await token.connect(banks[1]).transfer(w1.address, 1_000_000n);
    expect(await token.balanceOf(w1.address)).to.equal(2_000_000n);
    await expect(token.connect(w1).transfer(banks[0].address, 1_000_000n)).to.emit(token, "Transfer");
  });

  it("a downgraded wallet above the new cap keeps its funds and may spend, but receives nothing", async function () {
    const { token, registry, banks, w3 } = await loadFixture(walletToken);
    await token.connect(banks[0]).transfer(w3.address, 1_000_000n);
    await token.connect(banks[1]).transfer(w3.address, 1_000_000n);
    await registry.connect(banks[0]).setWalletTier(w3.address, 1);
    expect(await token.balanceOf(w3.address)).to.equal(2_000_000n);
    await expect(token.connect(banks[2]).transfer(w3.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenBalanceCapExceeded")
      .withArgs(w3.address, 2_000_000n, 1n, T1.maxBalance);
    await expect(token.connect(w3).transfer(banks[0].address, T1.maxSingle + 1n))
      .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
      .withArgs(w3.address, T1.maxSingle + 1n, T1.maxSingle);
    await token.connect(w3).transfer(banks[0].address, T1.maxSingle);
    expect(await token.balanceOf(w3.address)).to.equal(1_800_000n);
  });

  it("lowering a tier's cap applies at once to every wallet of the tier, at every bank", async function () {
    const { token, registry, banks, w1, w4, w3 } = await loadFixture(walletToken);
    await token.connect(banks[0]).transfer(w1.address, 600_000n);
    await token.connect(banks[1]).transfer(w4.address, 600_000n);
    await registry.setTier(1, T1.maxSingle, T1.maxDaily, 500_000n);
    for (const w of [w1, w4]) {
      await expect(token.connect(banks[2]).transfer(w.address, 1n))
        .to.be.revertedWithCustomError(token, "TokenBalanceCapExceeded")
        .withArgs(w.address, 600_000n, 1n, 500_000n);
      await token.connect(w).transfer(banks[2].address, 100_000n);
      expect(await token.balanceOf(w.address)).to.equal(500_000n);
    }
    await token.connect(banks[2]).transfer(w3.address, 600_000n); // tier 2 is untouched
  });

  it("a suspended or removed bank freezes its wallets (send and receive) with the bank's error", async function () {
    const { token, registry, banks, w1, w4 } = await loadFixture(walletToken);
    await token.connect(banks[0]).transfer(w1.address, 100_000n);
    await registry.suspendMember(banks[0].address);
    const at = await ethers.provider.getBlockNumber();
    await expect(token.connect(w1).transfer(w4.address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
      .withArgs(banks[0].address, at);
    await expect(token.connect(banks[1]).transfer(w1.address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
      .withArgs(banks[0].address, at);
    await token.connect(banks[1]).transfer(w4.address, 1n); // another bank's wallet is unaffected
    await registry.reinstateMember(banks[0].address);
    await token.connect(w1).transfer(w4.address, 1n);
    await registry.removeMember(banks[0].address);
    const removedAt = await ethers.provider.getBlockNumber();
    await expect(token.connect(w1).transfer(w4.address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
      .withArgs(banks[0].address, removedAt);
    expect(await token.balanceOf(w1.address)).to.equal(99_999n);
  });

  it("a closed or sanctioned wallet can neither send nor receive", async function () {
    const { token, registry, banks, w1, w2 } = await loadFixture(walletToken);
    await token.connect(banks[0]).transfer(w1.address, 100_000n);
    await token.connect(banks[0]).transfer(w2.address, 100_000n);
    await registry.connect(banks[0]).closeWallet(w1.address);
    const closedAt = await ethers.provider.getBlockNumber();
    await expect(token.connect(w1).transfer(banks[0].address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryWalletClosed")
      .withArgs(w1.address, closedAt);
    await expect(token.connect(banks[0]).transfer(w1.address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryWalletClosed")
      .withArgs(w1.address, closedAt);
    await registry.addSanction(w2.address, SANCTION_CODE);
    await expect(token.connect(w2).transfer(banks[0].address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
      .withArgs(w2.address, SANCTION_CODE);
    await expect(token.connect(banks[0]).transfer(w2.address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
      .withArgs(w2.address, SANCTION_CODE);
  });

  it("members stay uncapped: a bank receives far above any tier cap", async function () {
    const { token, banks } = await loadFixture(walletToken);
    await token.connect(banks[1]).transfer(banks[0].address, 1_000_000n);
    expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE + 1_000_000n);
  });

  describe("allowances", function () {
    it("a wallet approves and a bank spends it within the wallet's tier limits", async function () {
      const { token, banks, w1 } = await loadFixture(walletToken);
      await token.connect(banks[0]).transfer(w1.address, 500_000n);
      await expect(token.connect(w1).approve(banks[0].address, 400_000n))
        .to.emit(token, "Approval")
        .withArgs(w1.address, banks[0].address, 400_000n);
      await expect(token.connect(banks[0]).transferFrom(w1.address, banks[0].address, T1.maxSingle + 1n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(w1.address, T1.maxSingle + 1n, T1.maxSingle);
      await token.connect(banks[0]).transferFrom(w1.address, banks[0].address, T1.maxSingle);
      expect(await token.balanceOf(w1.address)).to.equal(300_000n);
    });

    it("a wallet spends a bank's allowance as spender; a closed wallet cannot", async function () {
      const { token, registry, banks, w1, w2 } = await loadFixture(walletToken);
      await token.connect(banks[0]).approve(w1.address, 100_000n);
      await token.connect(w1).transferFrom(banks[0].address, w2.address, 60_000n);
      expect(await token.balanceOf(w2.address)).to.equal(60_000n);
      await registry.connect(banks[0]).closeWallet(w1.address);
      const closedAt = await ethers.provider.getBlockNumber();
      await expect(token.connect(w1).transferFrom(banks[0].address, w2.address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryWalletClosed")
        .withArgs(w1.address, closedAt);
    });

    it("a frozen wallet cannot raise an allowance but may revoke one", async function () {
      const { token, registry, banks, w1 } = await loadFixture(walletToken);
      await token.connect(w1).approve(banks[0].address, 5n);
      await registry.connect(banks[0]).closeWallet(w1.address);
      const closedAt = await ethers.provider.getBlockNumber();
      await expect(token.connect(w1).approve(banks[0].address, 6n))
        .to.be.revertedWithCustomError(registry, "RegistryWalletClosed")
        .withArgs(w1.address, closedAt);
      await expect(token.connect(w1).approve(banks[0].address, 0n)).to.emit(token, "Approval");
    });

    it("a wallet's permit sets an allowance", async function () {
      const { token, banks, w1, outsider } = await loadFixture(walletToken);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, w1, banks[0].address, 77n, deadline);
      await token.connect(outsider).permit(w1.address, banks[0].address, 77n, deadline, sig.v, sig.r, sig.s);
      expect(await token.allowance(w1.address, banks[0].address)).to.equal(77n);
    });
  });

  it("issue and redeem stay bank-only: a wallet is refused as RegistryNotMember", async function () {
    const { token, registry, operator, banks, w1 } = await loadFixture(walletToken);
    await expect(token.connect(operator).mint(w1.address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(w1.address);
    await token.connect(banks[0]).transfer(w1.address, 10n);
    await token.connect(w1).approve(operator.address, 10n);
    await expect(token.connect(operator).burn(w1.address, 10n))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(w1.address);
  });

  it("gas: openWallet, and a wallet transfer against a member transfer", async function () {
    const { token, registry, banks, others, w1, w2 } = await loadFixture(walletToken);
    const fresh: HardhatEthersSigner = others[11];
    const open = await gasOf(registry.connect(banks[0]).openWallet(fresh.address, 1));
    // Warm every balance and the day's outflow first, so the figures compare like with like.
    await startNextDay();
    await token.connect(banks[0]).transfer(w1.address, 500_000n);
    await token.connect(banks[0]).transfer(w2.address, 500_000n);
    await token.connect(banks[1]).transfer(banks[0].address, 1n);
    await token.connect(w1).transfer(w2.address, 1n);
    await token.connect(w2).transfer(w1.address, 1n);
    const member = await gasOf(token.connect(banks[0]).transfer(banks[1].address, 1_000n));
    const toWallet = await gasOf(token.connect(banks[0]).transfer(w1.address, 1_000n));
    const walletToWallet = await gasOf(token.connect(w1).transfer(w2.address, 1_000n));
    const walletToBank = await gasOf(token.connect(w2).transfer(banks[0].address, 1_000n));
    console.log(
      `      gas: openWallet ${open}; transfer bank→bank ${member}, bank→wallet ${toWallet}, ` +
        `wallet→wallet ${walletToWallet}, wallet→bank ${walletToBank}`,
    );
    expect(open < 80_000n).to.equal(true);
    expect(walletToWallet - member < 20_000n).to.equal(true);
  });
});
