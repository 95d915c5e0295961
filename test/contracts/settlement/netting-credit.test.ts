import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Role } from "../../helpers/fixtures";
import {
  balancesOf,
  closePending,
  declareFinal,
  deploySettlement,
  fundPool,
  giveOperator,
  impair,
  MAX_UINT256,
  mined,
  sum,
  type SettlementFixture,
} from "./helpers";

/** 200,000 in the pool, a 150,000 line for bank 0, which allows the engine only 100,000. */
async function withCredit(): Promise<SettlementFixture> {
  const f = await deploySettlement();
  await fundPool(f, 200_000n);
  await mined(f.engine.connect(f.operator).setCreditLine(f.banks[0].address, 150_000n));
  await mined(f.token.connect(f.banks[0]).approve(f.engineAddress, 100_000n));
  await mined(f.engine.connect(f.operator).openCycle());
  return f;
}

describe("NettingEngine: credit pool and lines", function () {
  it("setCreditLine: raising needs an active MEMBER_BANK (registry errors), lowering never; the pool must cover unused credit", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, registry, operator, banks, corporate, outsider, engineAddress } = f;
    await expect(engine.connect(operator).setCreditLine(banks[0].address, 100_000n))
      .to.be.revertedWithCustomError(engine, "NettingCreditUncovered")
      .withArgs(0n, 100_000n);
    await expect(engine.connect(banks[0]).setCreditLine(banks[0].address, 1n))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[0].address, 1);
    // Raising a line needs an active MEMBER_BANK: the registry's errors.
    for (const account of [ethers.ZeroAddress, outsider.address]) {
      await expect(engine.connect(operator).setCreditLine(account, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(account);
    }
    for (const nonBank of [corporate.address, engineAddress, operator.address]) {
      await expect(engine.connect(operator).setCreditLine(nonBank, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(nonBank, Role.MEMBER_BANK);
    }
    // Setting zero (never a raise) is allowed for anyone and changes nothing.
    await expect(engine.connect(operator).setCreditLine(outsider.address, 0n))
      .to.emit(engine, "CreditLineSet")
      .withArgs(outsider.address, 0n);
    expect(await engine.creditOf(ethers.ZeroAddress)).to.deep.equal([0n, 0n]);
    await fundPool(f, 200_000n);
    await expect(engine.connect(operator).setCreditLine(banks[0].address, 150_000n))
      .to.emit(engine, "CreditLineSet")
      .withArgs(banks[0].address, 150_000n);
    expect(await engine.creditPool()).to.deep.equal([200_000n, 150_000n]);
    await expect(engine.connect(operator).setCreditLine(banks[1].address, 60_000n))
      .to.be.revertedWithCustomError(engine, "NettingCreditUncovered")
      .withArgs(200_000n, 210_000n);
    // Lowering or raising a line counts only the difference.
    await engine.connect(operator).setCreditLine(banks[0].address, 140_000n);
    await engine.connect(operator).setCreditLine(banks[1].address, 60_000n);
    expect(await engine.creditPool()).to.deep.equal([200_000n, 200_000n]);
    expect(await engine.creditOf(banks[1].address)).to.deep.equal([60_000n, 0n]);
    // A suspended bank's line cannot be raised, but it can be cut to zero, which frees its reserve.
    const expected = await impair(f, banks[1].address, "suspended");
    await expect(engine.connect(operator).setCreditLine(banks[1].address, 60_001n))
      .to.be.revertedWithCustomError(registry, expected.name)
      .withArgs(...expected.args);
    await expect(engine.connect(operator).withdrawCreditPool(1n))
      .to.be.revertedWithCustomError(engine, "NettingCreditUncovered")
      .withArgs(199_999n, 200_000n);
    await expect(engine.connect(operator).setCreditLine(banks[1].address, 0n))
      .to.emit(engine, "CreditLineSet")
      .withArgs(banks[1].address, 0n);
    expect(await engine.creditPool()).to.deep.equal([200_000n, 140_000n]);
    await engine.connect(operator).withdrawCreditPool(60_000n);
    expect(await engine.creditPool()).to.deep.equal([140_000n, 140_000n]);
  });

  it("fundCreditPool / withdrawCreditPool: CreditPoolChanged, OPERATOR only, at most the pool, never below unused credit", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, registry, token, operator, banks, engineAddress } = f;
    await giveOperator(f, 300_000n);
    await token.connect(operator).approve(engineAddress, MAX_UINT256);
    await expect(engine.connect(operator).fundCreditPool(0)).to.be.revertedWithCustomError(engine, "NettingZeroAmount");
    await expect(engine.connect(banks[0]).fundCreditPool(1))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[0].address, 1);
    const fund = engine.connect(operator).fundCreditPool(200_000n);
    await expect(fund).to.emit(engine, "CreditPoolChanged").withArgs(operator.address, 200_000n, 200_000n);
    await expect(fund).to.changeTokenBalances(token, [operator, engine], [-200_000n, 200_000n]);
    await engine.connect(operator).setCreditLine(banks[0].address, 150_000n);
    await expect(engine.connect(operator).withdrawCreditPool(60_000n))
      .to.be.revertedWithCustomError(engine, "NettingCreditUncovered")
      .withArgs(140_000n, 150_000n);
    await expect(engine.connect(banks[0]).withdrawCreditPool(1))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[0].address, 1);
    await expect(engine.connect(operator).withdrawCreditPool(0)).to.be.revertedWithCustomError(
      engine,
      "NettingZeroAmount",
    );
    const withdraw = engine.connect(operator).withdrawCreditPool(50_000n);
    await expect(withdraw).to.emit(engine, "CreditPoolChanged").withArgs(operator.address, -50_000n, 150_000n);
    await expect(withdraw).to.changeTokenBalances(token, [operator, engine], [50_000n, -50_000n]);
    // More than the pool: NettingPoolTooSmall(pool, amount asked), whatever the unused credit.
    await expect(engine.connect(operator).withdrawCreditPool(150_001n))
      .to.be.revertedWithCustomError(engine, "NettingPoolTooSmall")
      .withArgs(150_000n, 150_001n);
    // Within the pool but leaving less than the unused credit: NettingCreditUncovered(pool left, unused).
    await expect(engine.connect(operator).withdrawCreditPool(1n))
      .to.be.revertedWithCustomError(engine, "NettingCreditUncovered")
      .withArgs(149_999n, 150_000n);
    await engine.connect(operator).setCreditLine(banks[0].address, 0n);
    await expect(engine.connect(operator).withdrawCreditPool(150_001n))
      .to.be.revertedWithCustomError(engine, "NettingPoolTooSmall")
      .withArgs(150_000n, 150_001n);
    await engine.connect(operator).withdrawCreditPool(150_000n);
    expect(await engine.creditPool()).to.deep.equal([0n, 0n]);
    await expect(engine.connect(operator).withdrawCreditPool(1n))
      .to.be.revertedWithCustomError(engine, "NettingPoolTooSmall")
      .withArgs(0n, 1n);
    expect(await token.balanceOf(engineAddress)).to.equal(0n);
  });

  it("a short debtor covered by its line draws the rest from the pool: NetPosition(…, fromBalance, fromCredit)", async function () {
    const f = await loadFixture(withCredit);
    const { engine, token, banks, engineAddress } = f;
    const [b0, b1] = banks;
    await declareFinal(f, b0, "draw", [[b1, 180_000n]]);
    const accounts = [...banks.map((b) => b.address), engineAddress];
    const before = await balancesOf(f, accounts);
    const supply = await token.totalSupply();
    await expect(closePending(f, 1))
      .to.emit(engine, "NetPosition")
      .withArgs(1, b0.address, -180_000n, 100_000n, 80_000n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, 180_000n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 180_000n, 180_000n, 0n);
    expect((await engine.cycleOf(2)).pending).to.equal(0n);
    const after = await balancesOf(f, accounts);
    expect(after.map((b, i) => b - before[i])).to.deep.equal([-100_000n, 180_000n, 0n, 0n, -80_000n]);
    expect(sum(after)).to.equal(sum(before));
    expect(await token.totalSupply()).to.equal(supply);
    expect(await engine.creditOf(b0.address)).to.deep.equal([150_000n, 80_000n]);
    expect(await engine.creditPool()).to.deep.equal([120_000n, 70_000n]);
    expect(await token.balanceOf(engineAddress)).to.equal(120_000n);
  });

  it("a debtor short even with its whole line is held and draws nothing", async function () {
    const f = await loadFixture(withCredit);
    const { engine, banks } = f;
    await declareFinal(f, banks[0], "too much", [[banks[1], 250_001n]]);
    await expect(closePending(f, 1))
      .to.emit(engine, "BankHeld")
      .withArgs(1, banks[0].address, false, 250_000n, 1)
      .and.to.emit(engine, "BatchCarried")
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 1n);
    expect(await engine.creditOf(banks[0].address)).to.deep.equal([150_000n, 0n]);
    expect(await engine.creditPool()).to.deep.equal([200_000n, 150_000n]);
  });

  it("exactly balance + unused credit settles and uses the whole line", async function () {
    const f = await loadFixture(withCredit);
    const { engine, banks } = f;
    await declareFinal(f, banks[0], "exact", [[banks[1], 250_000n]]);
    await expect(closePending(f, 1))
      .to.emit(engine, "NetPosition")
      .withArgs(1, banks[0].address, -250_000n, 100_000n, 150_000n);
    expect(await engine.creditPool()).to.deep.equal([50_000n, 0n]);
  });

  it("repayCredit: CreditRepaid(bank, amount, stillUsed); more than used: NettingRepayTooMuch", async function () {
    const f = await loadFixture(withCredit);
    const { engine, token, registry, operator, banks, corporate, engineAddress } = f;
    const [b0, b1] = banks;
    await declareFinal(f, b0, "draw", [[b1, 180_000n]]);
    await mined(closePending(f, 1));
    await expect(engine.connect(b0).repayCredit(80_001n))
      .to.be.revertedWithCustomError(engine, "NettingRepayTooMuch")
      .withArgs(b0.address, 80_001n, 80_000n);
    await expect(engine.connect(b1).repayCredit(1n))
      .to.be.revertedWithCustomError(engine, "NettingRepayTooMuch")
      .withArgs(b1.address, 1n, 0n);
    await expect(engine.connect(b0).repayCredit(0n)).to.be.revertedWithCustomError(engine, "NettingZeroAmount");
    await expect(engine.connect(corporate).repayCredit(1n))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(corporate.address, 2);
    // The allowance of 100,000 was spent by the settlement.
    await expect(engine.connect(b0).repayCredit(30_000n))
      .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
      .withArgs(engineAddress, 0n, 30_000n);
    await token.connect(b0).approve(engineAddress, 30_000n);
    const repay = engine.connect(b0).repayCredit(30_000n);
    await expect(repay).to.emit(engine, "CreditRepaid").withArgs(b0.address, 30_000n, 50_000n);
    await expect(repay).to.changeTokenBalances(token, [b0, engine], [-30_000n, 30_000n]);
    expect(await engine.creditOf(b0.address)).to.deep.equal([150_000n, 50_000n]);
    expect(await engine.creditPool()).to.deep.equal([150_000n, 100_000n]);
    // A line lowered below what is used leaves no unused credit; the pool can then be emptied.
    await engine.connect(operator).setCreditLine(b0.address, 20_000n);
    expect(await engine.creditPool()).to.deep.equal([150_000n, 0n]);
    await engine.connect(operator).withdrawCreditPool(150_000n);
    await token.connect(b0).approve(engineAddress, 50_000n);
    await expect(engine.connect(b0).repayCredit(50_000n))
      .to.emit(engine, "CreditRepaid")
      .withArgs(b0.address, 50_000n, 0n);
    expect(await engine.creditPool()).to.deep.equal([50_000n, 20_000n]);
  });

  it("credit also covers a debtor limited by its daily outflow", async function () {
    const f = await loadFixture(withCredit);
    const { engine, registry, token, banks, engineAddress } = f;
    const [b0, b1, , b3] = banks;
    await token.connect(b0).approve(engineAddress, MAX_UINT256);
    await registry.setLimits(b0.address, 500_000n, 600_000n);
    await token.connect(b0).transfer(b3.address, 500_000n);
    await declareFinal(f, b0, "daily", [[b1, 200_000n]]);
    await expect(closePending(f, 1))
      .to.emit(engine, "NetPosition")
      .withArgs(1, b0.address, -200_000n, 100_000n, 100_000n);
  });
});
