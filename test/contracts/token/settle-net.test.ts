/** SettlementToken.settleNet: a clearing cycle's net positions moved in one call by the clearing engine. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { UNLIMITED, type TokenFixture } from "../../helpers/fixtures";
import { fundedToken, impair, IMPAIRMENTS, INITIAL_BALANCE, startNextDay } from "./helpers";

interface NetFixture extends TokenFixture {
  /** Stands in for the NettingEngine: the corporate member, named clearing engine. */
  engine: HardhatEthersSigner;
  /** The engine's pool before any settlement. */
  pool: bigint;
}

const POOL = 500_000n;

/** Funded token; the corporate member is the clearing engine, holds POOL and every bank allows it everything. */
async function clearingToken(): Promise<NetFixture> {
  const f = await fundedToken();
  const engine = f.corporate;
  await f.token.setClearingEngine(engine.address);
  await f.token.connect(f.banks[3]).transfer(engine.address, POOL);
  for (const bank of f.banks) await f.token.connect(bank).approve(engine.address, ethers.MaxUint256);
  return { ...f, engine, pool: POOL };
}

const balances = (f: NetFixture, accounts: readonly string[]) => Promise.all(accounts.map((a) => f.token.balanceOf(a)));

describe("SettlementToken settleNet", function () {
  describe("setClearingEngine", function () {
    it("lets the owner name the engine: ClearingEngineSet, clearingEngine()", async function () {
      const { token, corporate } = await loadFixture(fundedToken);
      expect(await token.clearingEngine()).to.equal(ethers.ZeroAddress);
      await expect(token.setClearingEngine(corporate.address))
        .to.emit(token, "ClearingEngineSet")
        .withArgs(corporate.address);
      expect(await token.clearingEngine()).to.equal(corporate.address);
    });

    it("reverts with OwnableUnauthorizedAccount for anyone else", async function () {
      const { token, operator } = await loadFixture(fundedToken);
      await expect(token.connect(operator).setClearingEngine(operator.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(operator.address);
    });
  });

  describe("settleNet", function () {
    it("takes the debits into the pool and pays the credits out: Transfer per move, Outflow per debtor, supply unchanged", async function () {
      const f = await loadFixture(clearingToken);
      const [a, b, c, d] = f.banks;
      const day = await startNextDay();
      const supply = await f.token.totalSupply();
      const accounts = [a.address, b.address, c.address, d.address];
      const before = await balances(f, accounts);
      const tx = f.token.connect(f.engine).settleNet(accounts, [-700n, 400n, -100n, 400n]);
      await expect(tx)
        .to.emit(f.token, "Transfer")
        .withArgs(a.address, f.engine.address, 700n)
        .and.to.emit(f.token, "Transfer")
        .withArgs(c.address, f.engine.address, 100n)
        .and.to.emit(f.token, "Transfer")
        .withArgs(f.engine.address, b.address, 400n)
        .and.to.emit(f.token, "Transfer")
        .withArgs(f.engine.address, d.address, 400n)
        .and.to.emit(f.token, "Outflow")
        .withArgs(a.address, day, 700n, 700n);
      const after = await balances(f, accounts);
      expect(after.map((x, i) => x - before[i])).to.deep.equal([-700n, 400n, -100n, 400n]);
      expect(await f.token.balanceOf(f.engine.address)).to.equal(f.pool);
      expect(await f.token.totalSupply()).to.equal(supply);
      expect(await f.token.outflowToday(c.address)).to.deep.equal([day, 100n]);
      expect(await f.token.outflowToday(b.address)).to.deep.equal([day, 0n]);
      expect(await f.token.allowance(a.address, f.engine.address)).to.equal(ethers.MaxUint256);
    });

    it("pays out of the pool when the engine's own entry is negative (credit drawn), as the engine's outflow", async function () {
      const f = await loadFixture(clearingToken);
      const [a, b] = f.banks;
      const day = await startNextDay();
      await expect(f.token.connect(f.engine).settleNet([a.address, f.engine.address, b.address], [-300n, -200n, 500n]))
        .to.emit(f.token, "Outflow")
        .withArgs(f.engine.address, day, 200n, 200n);
      expect(await f.token.balanceOf(f.engine.address)).to.equal(f.pool - 200n);
      expect(await f.token.balanceOf(b.address)).to.equal(INITIAL_BALANCE + 500n);
    });

    it("spends a finite allowance and refuses a debit beyond it with ERC20InsufficientAllowance", async function () {
      const f = await loadFixture(clearingToken);
      const [a, b] = f.banks;
      await f.token.connect(a).approve(f.engine.address, 1_000n);
      await f.token.connect(f.engine).settleNet([a.address, b.address], [-600n, 600n]);
      expect(await f.token.allowance(a.address, f.engine.address)).to.equal(400n);
      await expect(f.token.connect(f.engine).settleNet([a.address, b.address], [-401n, 401n]))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(f.engine.address, 400n, 401n);
    });

    it("accepts an empty settlement and an all-zero one, moving nothing", async function () {
      const f = await loadFixture(clearingToken);
      await expect(f.token.connect(f.engine).settleNet([], [])).not.to.emit(f.token, "Transfer");
      await expect(f.token.connect(f.engine).settleNet([f.banks[0].address], [0n])).not.to.emit(f.token, "Transfer");
    });

    it("reverts with TokenNotClearingEngine for any other caller, and for everyone while no engine is named", async function () {
      const f = await loadFixture(clearingToken);
      await expect(f.token.connect(f.operator).settleNet([], []))
        .to.be.revertedWithCustomError(f.token, "TokenNotClearingEngine")
        .withArgs(f.operator.address);
      await f.token.setClearingEngine(ethers.ZeroAddress);
      await expect(f.token.connect(f.engine).settleNet([], []))
        .to.be.revertedWithCustomError(f.token, "TokenNotClearingEngine")
        .withArgs(f.engine.address);
    });

    it("reverts with TokenSettlementLengthMismatch when accounts and deltas differ in length", async function () {
      const f = await loadFixture(clearingToken);
      await expect(f.token.connect(f.engine).settleNet([f.banks[0].address], [1n, -1n]))
        .to.be.revertedWithCustomError(f.token, "TokenSettlementLengthMismatch")
        .withArgs(1, 2);
    });

    it("reverts with TokenSettlementUnbalanced when the deltas do not sum to zero", async function () {
      const f = await loadFixture(clearingToken);
      const [a, b] = f.banks;
      await expect(f.token.connect(f.engine).settleNet([a.address, b.address], [-100n, 101n]))
        .to.be.revertedWithCustomError(f.token, "TokenSettlementUnbalanced")
        .withArgs(1n);
      await expect(f.token.connect(f.engine).settleNet([a.address, b.address], [-100n, 99n]))
        .to.be.revertedWithCustomError(f.token, "TokenSettlementUnbalanced")
        .withArgs(-1n);
    });

    for (const how of IMPAIRMENTS) {
      for (const side of ["debtor", "creditor"] as const) {
        it(`reverts with the registry error when a ${side} is ${how}`, async function () {
          const f = await loadFixture(clearingToken);
          const [a, b] = f.banks;
          const e = await impair(f.registry, (side === "debtor" ? a : b).address, how);
          await expect(f.token.connect(f.engine).settleNet([a.address, b.address], [-5n, 5n]))
            .to.be.revertedWithCustomError(f.registry, e.name)
            .withArgs(...e.args);
        });
      }
    }

    it("reverts with the registry error when the engine itself is suspended", async function () {
      const f = await loadFixture(clearingToken);
      const e = await impair(f.registry, f.engine.address, "suspended");
      await expect(f.token.connect(f.engine).settleNet([], []))
        .to.be.revertedWithCustomError(f.registry, e.name)
        .withArgs(...e.args);
    });

    it("applies the debtor's single-transfer and daily limits", async function () {
      const f = await loadFixture(clearingToken);
      const [a, b] = f.banks;
      const day = await startNextDay();
      await f.registry.setLimits(a.address, 100n, 250n);
      await expect(f.token.connect(f.engine).settleNet([a.address, b.address], [-101n, 101n]))
        .to.be.revertedWithCustomError(f.token, "TokenSingleTransferLimitExceeded")
        .withArgs(a.address, 101n, 100n);
      await f.token.connect(f.engine).settleNet([a.address, b.address], [-100n, 100n]);
      await f.token.connect(f.engine).settleNet([a.address, b.address], [-100n, 100n]);
      await expect(f.token.connect(f.engine).settleNet([a.address, b.address], [-51n, 51n]))
        .to.be.revertedWithCustomError(f.token, "TokenDailyOutflowLimitExceeded")
        .withArgs(a.address, day, 200n, 51n, 250n);
    });

    it("reverts with ERC20InsufficientBalance when a debtor holds less than its debit", async function () {
      const f = await loadFixture(clearingToken);
      const [a, b] = f.banks;
      await f.registry.setLimits(a.address, UNLIMITED, UNLIMITED);
      const left = await f.token.balanceOf(a.address);
      await expect(f.token.connect(f.engine).settleNet([a.address, b.address], [-(left + 1n), left + 1n]))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientBalance")
        .withArgs(a.address, left, left + 1n);
    });

    it("reverts with EnforcedPause while the token is paused", async function () {
      const f = await loadFixture(clearingToken);
      await f.token.pause();
      await expect(f.token.connect(f.engine).settleNet([], [])).to.be.revertedWithCustomError(f.token, "EnforcedPause");
    });

    it("property: random balanced settlements move exactly their deltas and never change the supply", async function () {
      const f = await loadFixture(clearingToken);
      const supply = await f.token.totalSupply();
      const accounts = [...f.banks.map((b) => b.address), f.engine.address];
      let seed = 0x5eed;
      const rand = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      for (let round = 0; round < 25; round++) {
        await startNextDay();
        // Random positions for the banks; the engine's entry balances them (credit drawn or pool refilled).
        const deltas = f.banks.map(() => BigInt(rand(20_001) - 10_000));
        const engineDelta = -deltas.reduce((s, x) => s + x, 0n);
        const all = [...deltas, engineDelta];
        const before = await balances(f, accounts);
        await f.token.connect(f.engine).settleNet(accounts, all);
        const after = await balances(f, accounts);
        expect(after.map((x, i) => x - before[i])).to.deep.equal(all);
        expect(await f.token.totalSupply()).to.equal(supply);
      }
    });
  });
});
