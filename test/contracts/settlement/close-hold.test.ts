/**
 * NettingEngine's close by holding (decision 023): presented batches, the gridlock rule holding a
 * short bank's row and column, carrying by reference (one word per batch) and presenting what is
 * pending again at the next close; the self-deferral finding; gas at 32 banks all short.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import {
  balancesOf,
  batchIdOf,
  deploySettlement,
  extraBanks,
  fundPool,
  INITIAL_BALANCE,
  makeBatch,
  MAX_UINT256,
  mined,
  passWindows,
  type Batch,
  type SettlementFixture,
} from "./helpers";

type Presented = Batch & { bank: string };

/** Anchor a batch of `bank` paying `payments`; returns what closeCycleWith takes for it. */
async function anchored(
  f: SettlementFixture,
  bank: HardhatEthersSigner,
  label: string,
  payments: ReadonlyArray<readonly [HardhatEthersSigner, bigint]>,
): Promise<Presented> {
  const batch = await makeBatch(
    f.ledger,
    label,
    payments.map(([to, amount]) => [to.address, amount] as const),
  );
  await mined(f.ledger.connect(bank).submitBatch(batch.key, batch.header));
  return { bank: bank.address, ...batch };
}

function eventsOf(f: SettlementFixture, receipt: ContractTransactionReceipt, name: string) {
  return receipt.logs
    .filter((l) => l.address === f.engineAddress)
    .map((l) => f.engine.interface.parseLog(l))
    .filter((e) => e?.name === name)
    .map((e) => e!.args);
}

describe("NettingEngine close by holding (decision 023)", () => {
  it("settles a liquid day of presented batches: net positions move, nothing is carried", async () => {
    const f = await loadFixture(deploySettlement);
    const [b0, b1, b2, b3] = f.banks;
    await mined(f.engine.connect(f.operator).openCycle());
    const batches = [
      await anchored(f, b0, "d0", [
        [b1, 500n],
        [b2, 300n],
      ]),
      await anchored(f, b1, "d1", [[b3, 200n]]),
      await anchored(f, b2, "d2", [[b0, 100n]]),
    ];
    await passWindows(...batches);
    const before = await balancesOf(
      f,
      [b0, b1, b2, b3].map((b) => b.address),
    );
    const receipt = await mined(f.engine.connect(f.operator).closeCycleWith(1, batches, true));
    const after = await balancesOf(
      f,
      [b0, b1, b2, b3].map((b) => b.address),
    );
    expect(after.map((a, i) => a - before[i])).to.deep.equal([-700n, 300n, 200n, 200n]);
    expect(eventsOf(f, receipt, "BatchCarried")).to.have.length(0);
    expect(eventsOf(f, receipt, "BankHeld")).to.have.length(0);
    const [closed] = eventsOf(f, receipt, "CycleClosed");
    expect([closed.grossSettled, closed.netSettled, closed.heldBanks]).to.deep.equal([1_100n, 700n, 0n]);
    expect((await f.engine.cycleOf(2)).pending).to.equal(0n);
    console.log(`      gas: closeCycleWith 3 batches, 4 banks ${receipt.gasUsed}`);
  });

  it("finding: a bank that lets itself be deferred is no longer paid by the banks it owes", async () => {
    // X owes Y 1,000, Y owes X 800. X revokes its allowance: before, X was deferred while Y still
    // paid X 800 every cycle. Now X is held: its row and its column wait, nobody pays it.
    const f = await loadFixture(deploySettlement);
    const [x, y] = f.banks;
    await mined(f.engine.connect(f.operator).openCycle());
    await mined(f.token.connect(x).approve(f.engineAddress, 0n));
    const bx = await anchored(f, x, "x1", [[y, 1_000n]]);
    const by = await anchored(f, y, "y1", [[x, 800n]]);
    await passWindows(bx, by);
    const before = await balancesOf(f, [x.address, y.address]);
    const receipt = await mined(f.engine.connect(f.operator).closeCycleWith(1, [bx, by], true));
    expect(await balancesOf(f, [x.address, y.address])).to.deep.equal(before);
    const held = eventsOf(f, receipt, "BankHeld");
    expect(held.map((h) => [h.bank, h.inactive, h.capacity, h.consecutive])).to.deep.equal([
      [x.address, false, 0n, 1n],
    ]);
    const carried = eventsOf(f, receipt, "BatchCarried").map((c) => [c.batchId, c.creditorMask]);
    const [ix, iy] = [(await f.ledger.bankOf(x.address))[0], (await f.ledger.bankOf(y.address))[0]];
    expect(carried).to.deep.equal([
      [batchIdOf(x.address, bx.key), 1n << iy],
      [batchIdOf(y.address, by.key), 1n << ix],
    ]);
    expect(await f.engine.heldIn(1)).to.equal(1n << ix);
    expect(await f.engine.deferralsOf(x.address)).to.equal(1n);
    expect((await f.engine.cycleOf(2)).pending).to.equal(2n);
    expect(await f.engine.pendingOf(2, batchIdOf(x.address, bx.key))).to.equal(1n << iy);

    // Next cycle: the pending batches must be presented; once X can pay, the two net to 200.
    await expect(f.engine.connect(f.operator).closeCycleWith(2, [bx], false))
      .to.be.revertedWithCustomError(f.engine, "NettingPendingNotPresented")
      .withArgs(2, 2, 1);
    await expect(f.engine.connect(f.operator).closeCycleWith(2, [bx, bx, by], false))
      .to.be.revertedWithCustomError(f.engine, "NettingBatchRepeated")
      .withArgs(batchIdOf(x.address, bx.key));
    await mined(f.token.connect(x).approve(f.engineAddress, MAX_UINT256));
    const second = await mined(f.engine.connect(f.operator).closeCycleWith(2, [bx, by], false));
    expect(await balancesOf(f, [x.address, y.address])).to.deep.equal([before[0] - 200n, before[1] + 200n]);
    expect(eventsOf(f, second, "DeferralsCleared").map((e) => e.bank)).to.deep.equal([x.address]);
    expect(await f.engine.deferralsOf(x.address)).to.equal(0n);
    expect(eventsOf(f, second, "BatchDeclared")).to.have.length(0);
  });

  it("refuses a pending batch presented with another header or other totals", async () => {
    const f = await loadFixture(deploySettlement);
    const [x, y] = f.banks;
    await mined(f.engine.connect(f.operator).openCycle());
    await mined(f.token.connect(x).approve(f.engineAddress, 0n));
    const bx = await anchored(f, x, "x1", [[y, 1_000n]]);
    await passWindows(bx);
    await mined(f.engine.connect(f.operator).closeCycleWith(1, [bx], true));
    const forged = { ...bx, totals: [999n] };
    await expect(f.engine.connect(f.operator).closeCycleWith(2, [forged], false)).to.be.revertedWithCustomError(
      f.engine,
      "NettingTotalsMismatch",
    );
    const otherHeader = { ...bx, header: { ...bx.header, grossTotal: 999n } };
    await expect(f.engine.connect(f.operator).closeCycleWith(2, [otherHeader], false)).to.be.revertedWithCustomError(
      f.ledger,
      "LedgerHeaderMismatch",
    );
  });

  it("32 banks, each owing the 31 others, all short: one close carries 32 words, not 992 pairs", async function () {
    const f = await loadFixture(deploySettlement);
    const all = [...f.banks, ...(await extraBanks(f, 28))];
    for (const bank of all.slice(4)) {
      await mined(f.ledger.connect(bank).enroll());
      await mined(f.token.connect(f.operator).mint(bank.address, INITIAL_BALANCE));
    }
    await mined(f.engine.connect(f.operator).openCycle());
    const batches: Presented[] = [];
    for (const [i, bank] of all.entries()) {
      const payments = all.filter((_, j) => j !== i).map((to, j) => [to, BigInt(1_000 + i * 37 + j)] as const);
      batches.push(await anchored(f, bank, `dense-${i}`, payments));
    }
    for (const bank of all) await mined(f.token.connect(bank).approve(f.engineAddress, 0n));
    await passWindows(...batches);
    const first = await mined(f.engine.connect(f.operator).closeCycleWith(1, batches, true, { gasLimit: 29_000_000 }));
    expect(eventsOf(f, first, "BatchCarried")).to.have.length(32);
    const [closed] = eventsOf(f, first, "CycleClosed");
    expect([closed.grossSettled, closed.netSettled]).to.deep.equal([0n, 0n]);
    const second = await mined(f.engine.connect(f.operator).closeCycleWith(2, batches, true));
    console.log(`      gas: 32 banks all short: first close ${first.gasUsed}, next close ${second.gasUsed}`);
    expect(first.gasUsed).to.be.lessThan(15_000_000n);
    expect(second.gasUsed).to.be.lessThan(15_000_000n);
    // Liquid again: everything settles at the third close, and the books balance.
    for (const bank of all) await mined(f.token.connect(bank).approve(f.engineAddress, MAX_UINT256));
    const third = await mined(f.engine.connect(f.operator).closeCycleWith(3, batches, false));
    expect(eventsOf(f, third, "BatchCarried")).to.have.length(0);
    const balances = await balancesOf(
      f,
      all.map((b) => b.address),
    );
    expect(balances.reduce((a, b) => a + b, 0n)).to.equal(INITIAL_BALANCE * 32n);
    expect(balances).to.not.deep.equal(all.map(() => INITIAL_BALANCE));
  });

  it("rescue: a token other than the settlement token can be rescued whole", async () => {
    const f = await loadFixture(deploySettlement);
    const Stray = await ethers.getContractFactory("PlainTokenPeer");
    const stray = await Stray.deploy();
    const strayAddress = await stray.getAddress();
    await mined(stray.mint(f.engineAddress, 77n));
    await expect(f.engine.rescue(strayAddress, f.banks[0].address, 77n))
      .to.emit(f.engine, "Rescued")
      .withArgs(strayAddress, f.banks[0].address, 77n);
    expect(await stray.balanceOf(f.banks[0].address)).to.equal(77n);
  });

  it("rescue: governance takes back a stray token, and of the settlement token only what exceeds the pool", async () => {
    const f = await loadFixture(deploySettlement);
    const [b0] = f.banks;
    const tokenAddress = await f.token.getAddress();
    await fundPool(f, 1_000n);
    await mined(f.token.connect(b0).transfer(f.engineAddress, 50n));
    await expect(f.engine.rescue(tokenAddress, b0.address, 51n))
      .to.be.revertedWithCustomError(f.engine, "NettingRescueTooMuch")
      .withArgs(tokenAddress, 50n, 51n);
    await expect(f.engine.connect(b0).rescue(tokenAddress, b0.address, 1n)).to.be.revertedWithCustomError(
      f.engine,
      "OwnableUnauthorizedAccount",
    );
    await expect(f.engine.rescue(tokenAddress, ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(
      f.engine,
      "NettingInvalidAddress",
    );
    await expect(f.engine.rescue(tokenAddress, b0.address, 0n)).to.be.revertedWithCustomError(
      f.engine,
      "NettingZeroAmount",
    );
    await expect(f.engine.rescue(tokenAddress, b0.address, 50n))
      .to.emit(f.engine, "Rescued")
      .withArgs(tokenAddress, b0.address, 50n);
  });
});

describe("NettingEngine close in several transactions (decision 023)", () => {
  async function dayOf(f: SettlementFixture): Promise<Presented[]> {
    const [b0, b1, b2, b3] = f.banks;
    await mined(f.engine.connect(f.operator).openCycle());
    const batches = [
      await anchored(f, b0, "s0", [
        [b1, 500n],
        [b2, 300n],
      ]),
      await anchored(f, b1, "s1", [[b3, 200n]]),
      await anchored(f, b2, "s2", [[b0, 100n]]),
      await anchored(f, b3, "s3", [[b1, 50n]]),
    ];
    await passWindows(...batches);
    return batches;
  }

  it("begin, steps, finish: the same money moves as in one transaction", async () => {
    const f = await loadFixture(deploySettlement);
    const batches = await dayOf(f);
    const banks = f.banks.map((b) => b.address);
    const before = await balancesOf(f, banks);
    await expect(f.engine.connect(f.operator).beginClose(1, 0n)).to.emit(f.engine, "CloseBegun").withArgs(1, 1, 0n);
    await expect(f.engine.connect(f.operator).closeCycleWith(1, batches, false)).to.be.revertedWithCustomError(
      f.engine,
      "NettingNoOpenCycle",
    );
    await mined(f.engine.connect(f.operator).closeStep(1, batches.slice(0, 2)));
    await expect(f.engine.connect(f.operator).closeStep(1, [batches[1]]))
      .to.be.revertedWithCustomError(f.engine, "NettingBatchRepeated")
      .withArgs(batchIdOf(batches[1].bank, batches[1].key));
    await mined(f.engine.connect(f.operator).closeStep(1, batches.slice(2)));
    const finished = await mined(f.engine.connect(f.operator).finishClose(1, true));
    const after = await balancesOf(f, banks);
    expect(after.map((a, i) => a - before[i])).to.deep.equal([-700n, 350n, 200n, 150n]);
    const [closed] = eventsOf(f, finished, "CycleClosed");
    expect([closed.grossSettled, closed.netSettled, closed.heldBanks]).to.deep.equal([1_150n, 700n, 0n]);
    expect(await f.engine.currentCycle()).to.equal(2n);
    expect((await f.engine.cycleOf(2)).pending).to.equal(0n);
  });

  it("a bank that cannot pay at the finish: refused, then a restart holding it closes", async () => {
    const f = await loadFixture(deploySettlement);
    const batches = await dayOf(f);
    const [b0] = f.banks;
    await mined(f.engine.connect(f.operator).beginClose(1, 0n));
    await mined(f.engine.connect(f.operator).closeStep(1, batches));
    await mined(f.token.connect(b0).approve(f.engineAddress, 0n));
    await expect(f.engine.connect(f.operator).finishClose(1, false))
      .to.be.revertedWithCustomError(f.engine, "NettingNotCovered")
      .withArgs(1, b0.address, 700n, 0n);
    const i0 = (await f.ledger.bankOf(b0.address))[0];
    await expect(f.engine.connect(f.operator).beginClose(1, 1n << i0))
      .to.emit(f.engine, "CloseBegun")
      .withArgs(1, 2, 1n << i0);
    // The fresh batches of session 1 are pending now: session 2 presents them again.
    expect((await f.engine.cycleOf(1)).pending).to.equal(4n);
    await mined(f.engine.connect(f.operator).closeStep(1, batches.slice(0, 3)));
    await expect(f.engine.connect(f.operator).finishClose(1, false))
      .to.be.revertedWithCustomError(f.engine, "NettingPendingNotPresented")
      .withArgs(1, 4, 3);
    await mined(f.engine.connect(f.operator).closeStep(1, batches.slice(3)));
    const finished = await mined(f.engine.connect(f.operator).finishClose(1, true));
    expect(eventsOf(f, finished, "BankHeld").map((h) => h.bank)).to.deep.equal([b0.address]);
    // b0's batch and b2's entry to b0 wait in cycle 2; b1 → b3 and b3 → b1 settled.
    expect((await f.engine.cycleOf(2)).pending).to.equal(2n);
  });
});
