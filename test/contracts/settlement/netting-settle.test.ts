/**
 * NettingEngine's close of batches declared on chain (closeCycleWith presenting every pending batch
 * again): netting, the gridlock rule holding short and inactive banks whole (decision 023), limits.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  balancesOf,
  batchIdOf,
  closePending,
  CycleStatus,
  declareFinal,
  deploySettlement,
  engineEvents,
  fundPool,
  impair,
  INITIAL_BALANCE,
  MAX_UINT256,
  mined,
  sum,
  type SettlementFixture,
  netPositionsOf,
} from "./helpers";
import { capacityOf, closeByRule, type ModelBatch } from "./netting-model";

type Plan = ReadonlyArray<readonly [number, ReadonlyArray<readonly [number, bigint]>]>;

/**
 * Open cycle 1 (if none is open yet) and declare, for each [debtor, payments], one final batch of
 * the debtor; returns them as the model takes them (fixture bank i has ledger index i).
 */
async function declareAll(
  f: SettlementFixture,
  plan: Plan,
  banks: HardhatEthersSigner[] = f.banks,
): Promise<ModelBatch[]> {
  if ((await f.engine.currentCycle()) === 0n) await mined(f.engine.connect(f.operator).openCycle());
  const out: ModelBatch[] = [];
  for (const [k, [debtor, payments]] of plan.entries()) {
    const list = payments.map(([c, amount]) => [banks[c], amount] as const);
    const batch = await declareFinal(f, banks[debtor], `plan-${k}-${debtor}`, list);
    out.push({
      id: batchIdOf(banks[debtor].address, batch.key),
      debtor,
      creditors: payments.map(([c]) => c),
      amounts: payments.map(([, a]) => a),
      live: batch.header.counterpartyMask,
    });
  }
  return out;
}

/** Lower `bank`'s balance to `left` by a redemption (a burn records no outflow). */
async function redeemDownTo(f: SettlementFixture, bank: HardhatEthersSigner, left: bigint): Promise<void> {
  const amount = (await f.token.balanceOf(bank.address)) - left;
  await mined(f.token.connect(bank).approve(f.operator.address, amount));
  await mined(f.token.connect(f.operator).burn(bank.address, amount));
}

const addressesOf = (signers: readonly HardhatEthersSigner[]): string[] => signers.map((s) => s.address);

/** The reference model's close of `batches`, from the chain's current capacities of the fixture banks. */
async function predicted(f: SettlementFixture, batches: readonly ModelBatch[]) {
  const caps = await Promise.all(f.banks.map((b) => capacityOf(f, b.address)));
  return closeByRule(
    batches,
    (i) => caps[i].funds + caps[i].credit,
    (i) => caps[i].inactive,
  );
}

describe("NettingEngine: closing the declared batches", function () {
  it("nets 4 banks: exact NetPosition events, balances move by the positions, supply unchanged", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, token, banks, engineAddress } = f;
    const [b0, b1, b2, b3] = banks;
    await fundPool(f, 50_000n);
    await declareAll(f, [
      [
        0,
        [
          [1, 300_000n],
          [2, 100_000n],
        ],
      ],
      [
        1,
        [
          [2, 250_000n],
          [3, 50_000n],
        ],
      ],
      [
        2,
        [
          [0, 120_000n],
          [3, 80_000n],
        ],
      ],
      [
        3,
        [
          [0, 200_000n],
          [1, 10_000n],
        ],
      ],
    ]);
    expect((await engine.cycleOf(1)).pending).to.equal(4n);
    const supply = await token.totalSupply();
    const before = await balancesOf(f, addressesOf(banks));
    const tx = closePending(f, 1);
    await expect(tx)
      .to.emit(engine, "NetPosition")
      .withArgs(1, b0.address, -80_000n, 80_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, 10_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b2.address, 150_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, -80_000n, 80_000n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 1_110_000n, 160_000n, 0n);
    const receipt = await mined(tx);
    expect(engineEvents(f, receipt, "BatchCarried")).to.have.length(0);
    expect(engineEvents(f, receipt, "BankHeld")).to.have.length(0);
    // Pending batches presented again are not declared again.
    expect(engineEvents(f, receipt, "BatchDeclared")).to.have.length(0);
    expect(engineEvents(f, receipt, "NetPosition")).to.have.length(4);
    const positions = await netPositionsOf(engine, 1, addressesOf(banks));
    expect(positions).to.deep.equal([-80_000n, 10_000n, 150_000n, -80_000n]);
    expect(sum(positions)).to.equal(0n);
    const after = await balancesOf(f, addressesOf(banks));
    expect(after.map((b, i) => b - before[i])).to.deep.equal(positions);
    expect(await token.totalSupply()).to.equal(supply);
    // The engine holds nothing but the untouched credit pool.
    expect(await token.balanceOf(engineAddress)).to.equal(50_000n);
    expect(await engine.creditPool()).to.deep.equal([50_000n, 0n]);
    const cycle = await engine.cycleOf(1);
    expect([cycle.status, cycle.batchCount, cycle.pending]).to.deep.equal([CycleStatus.Closed, 4n, 4n]);
    expect(cycle.closedAt).to.be.greaterThanOrEqual(cycle.openedAt);
    expect((await engine.cycleOf(2)).pending).to.equal(0n);
    expect(await engine.heldIn(1)).to.equal(0n);
  });

  it("closing: OPERATOR only; an empty cycle closes with CycleClosed(id, 0, 0, 0)", async function () {
    const { engine, registry, operator, banks } = await loadFixture(deploySettlement);
    await engine.connect(operator).openCycle();
    await expect(engine.connect(banks[0]).closeCycleWith(1, [], false))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[0].address, 1);
    await expect(engine.connect(operator).closeCycleWith(1, [], false))
      .to.emit(engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 0n);
  });

  it("a declared batch must be presented at the close: NettingPendingNotPresented(cycle, pending, presented)", async function () {
    const f = await loadFixture(deploySettlement);
    await declareAll(f, [
      [0, [[1, 10n]]],
      [1, [[2, 5n]]],
    ]);
    await expect(f.engine.connect(f.operator).closeCycleWith(1, [], false))
      .to.be.revertedWithCustomError(f.engine, "NettingPendingNotPresented")
      .withArgs(1, 2, 0);
    await expect(closePending(f, 1)).to.emit(f.engine, "CycleClosed").withArgs(1, 15n, 10n, 0n);
  });

  it("gridlock: a bank short of allowance is held whole (its incoming waits too), and settles once funded", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, token, operator, banks, engineAddress } = f;
    const [b0, b1, b2, b3] = banks;
    await token.connect(b0).approve(engineAddress, 100_000n);
    const batches = await declareAll(f, [
      [
        0,
        [
          [1, 500_000n],
          [2, 300_000n],
        ],
      ],
      [1, [[0, 100_000n]]],
      [2, [[3, 200_000n]]],
      [3, [[0, 50_000n]]],
    ]);
    const model = await predicted(f, batches);
    expect(model.order).to.deep.equal([0]);
    const before = await balancesOf(f, addressesOf(banks));
    const supply = await token.totalSupply();
    // Bank 0 owes 650,000 net and may pay in 100,000: held. Its row and its column wait, so banks
    // 1 and 3 do not pay it either; only bank 2 → bank 3 settles.
    const tx = closePending(f, 1);
    await expect(tx)
      .to.emit(engine, "BankHeld")
      .withArgs(1, b0.address, false, 100_000n, 1)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, batches[0].id, 0b110n)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, batches[1].id, 0b1n)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, batches[3].id, 0b1n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, 0n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b2.address, -200_000n, 200_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, 200_000n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 200_000n, 200_000n, 1n);
    const receipt = await mined(tx);
    expect(engineEvents(f, receipt, "BatchCarried").map((e) => [e.batchId, e.creditorMask])).to.deep.equal(
      model.carried,
    );
    expect(engineEvents(f, receipt, "NetPosition").map((e) => e.bank)).to.not.include(b0.address);
    const after = await balancesOf(f, addressesOf(banks));
    expect(after.map((b, i) => b - before[i])).to.deep.equal([0n, 0n, -200_000n, 200_000n]);
    expect(await token.allowance(b0.address, engineAddress)).to.equal(100_000n);
    // The held batches wait in cycle 2 by reference.
    expect(await engine.heldIn(1)).to.equal(0b1n);
    expect((await engine.cycleOf(2)).pending).to.equal(3n);
    expect(await engine.pendingOf(2, batches[0].id)).to.equal(0b110n);
    expect(await engine.pendingOf(2, batches[2].id)).to.equal(0n);
    await expect(engine.connect(operator).openCycle()).to.emit(engine, "CycleOpened").withArgs(2, operator.address, 3);
    expect((await engine.cycleOf(2)).batchCount).to.equal(3n);
    // Still unfunded: held again, the count of consecutive holds grows.
    await expect(closePending(f, 2))
      .to.emit(engine, "BankHeld")
      .withArgs(2, b0.address, false, 100_000n, 2)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(2, 0n, 0n, 1n);
    expect(await engine.deferralsOf(b0.address)).to.equal(2n);
    await engine.connect(operator).openCycle();
    await token.connect(b0).approve(engineAddress, MAX_UINT256);
    await expect(closePending(f, 3))
      .to.emit(engine, "NetPosition")
      .withArgs(3, b0.address, -650_000n, 650_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(3, b1.address, 400_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(3, b2.address, 300_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(3, b3.address, -50_000n, 50_000n, 0n)
      .and.to.emit(engine, "DeferralsCleared")
      .withArgs(3, b0.address)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(3, 950_000n, 700_000n, 0n);
    expect(await engine.deferralsOf(b0.address)).to.equal(0n);
    const final = await balancesOf(f, addressesOf(banks));
    expect(final.map((b, i) => b - before[i])).to.deep.equal([-650_000n, 400_000n, 100_000n, 150_000n]);
    expect(await token.totalSupply()).to.equal(supply);
    expect((await engine.cycleOf(4)).pending).to.equal(0n);
  });

  it("gridlock rule: the short debtor (by balance) is held and that suffices for the others", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, banks } = f;
    const [b0, b1, b2, b3] = banks;
    await redeemDownTo(f, b0, 100_000n);
    // Netted, bank 0 is short 750,000; once it is held bank 1 owes 800,000 net and can pay it.
    const batches = await declareAll(f, [
      [0, [[1, 900_000n]]],
      [1, [[2, 800_000n]]],
      [2, [[3, 100_000n]]],
      [3, [[0, 50_000n]]],
    ]);
    const model = await predicted(f, batches);
    expect(model.order).to.deep.equal([0]);
    const tx = closePending(f, 1);
    await expect(tx)
      .to.emit(engine, "BankHeld")
      .withArgs(1, b0.address, false, 100_000n, 1)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, batches[0].id, 0b10n)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, batches[3].id, 0b1n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, -800_000n, 800_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, 100_000n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 900_000n, 800_000n, 1n);
    const receipt = await mined(tx);
    expect(engineEvents(f, receipt, "BatchCarried")).to.have.length(2);
    const positions = await netPositionsOf(engine, 1, addressesOf([b1, b2, b3]));
    expect(positions).to.deep.equal([-800_000n, 700_000n, 100_000n]);
    expect(positions).to.deep.equal([1, 2, 3].map((i) => model.net.get(i)));
    expect(model.net.has(0)).to.equal(false);
  });

  it("gridlock rule: a tie holds the lowest index first, and a bank left short by that follows", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, banks } = f;
    const [b0, b1, b2, b3] = banks;
    for (const bank of [b0, b1]) await redeemDownTo(f, bank, 100_000n);
    await redeemDownTo(f, b2, 200_000n);
    // Banks 0 and 1 are both short 450,000: bank 0 is held first. Bank 1 is still short 450,000,
    // more than bank 2's 100,000 (it no longer receives bank 0's 600,000): bank 1 next. Bank 2 then
    // owes 900,000 against 200,000: held. Bank 3, paid by nobody any more, pays nobody either.
    const batches = await declareAll(f, [
      [0, [[2, 600_000n]]],
      [1, [[2, 600_000n]]],
      [2, [[3, 900_000n]]],
      [
        3,
        [
          [0, 50_000n],
          [1, 50_000n],
        ],
      ],
    ]);
    const model = await predicted(f, batches);
    expect(model.order).to.deep.equal([0, 1, 2]);
    const tx = closePending(f, 1);
    await expect(tx)
      .to.emit(engine, "BankHeld")
      .withArgs(1, b0.address, false, 100_000n, 1)
      .and.to.emit(engine, "BankHeld")
      .withArgs(1, b1.address, false, 100_000n, 1)
      .and.to.emit(engine, "BankHeld")
      .withArgs(1, b2.address, false, 200_000n, 1)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, 0n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 3n);
    const receipt = await mined(tx);
    expect(engineEvents(f, receipt, "BatchCarried").map((e) => [e.batchId, e.creditorMask])).to.deep.equal(
      model.carried,
    );
    expect(model.carried.map(([, m]) => m)).to.deep.equal([0b100n, 0b100n, 0b1000n, 0b11n]);
    expect(await engine.heldIn(1)).to.equal(0b111n);
    expect(await netPositionsOf(engine, 1, [b3.address])).to.deep.equal([model.net.get(3)]);
  });

  for (const how of ["suspended", "sanctioned"] as const) {
    it(`a ${how} participant is held: every obligation to and from it waits, the rest settles`, async function () {
      const f = await loadFixture(deploySettlement);
      const { engine, token, banks } = f;
      const [b0, b1, b2, b3] = banks;
      const batches = await declareAll(f, [
        [
          0,
          [
            [1, 100_000n],
            [2, 50_000n],
          ],
        ],
        [2, [[3, 70_000n]]],
        [3, [[0, 30_000n]]],
        [1, [[3, 20_000n]]],
      ]);
      await impair(f, b2.address, how);
      const before = await balancesOf(f, addressesOf(banks));
      const supply = await token.totalSupply();
      const tx = closePending(f, 1);
      await expect(tx)
        .to.emit(engine, "BankHeld")
        .withArgs(1, b2.address, true, 0n, 0)
        .and.to.emit(engine, "BatchCarried")
        .withArgs(1, batches[0].id, 0b100n)
        .and.to.emit(engine, "BatchCarried")
        .withArgs(1, batches[1].id, 0b1000n)
        .and.to.emit(engine, "NetPosition")
        .withArgs(1, b0.address, -70_000n, 70_000n, 0n)
        .and.to.emit(engine, "NetPosition")
        .withArgs(1, b1.address, 80_000n, 0n, 0n)
        .and.to.emit(engine, "NetPosition")
        .withArgs(1, b3.address, -10_000n, 10_000n, 0n)
        .and.to.emit(engine, "CycleClosed")
        .withArgs(1, 150_000n, 80_000n, 1n);
      const receipt = await mined(tx);
      expect(engineEvents(f, receipt, "NetPosition").map((e) => e.bank)).to.not.include(b2.address);
      const after = await balancesOf(f, addressesOf(banks));
      expect(after.map((b, i) => b - before[i])).to.deep.equal([-70_000n, 80_000n, 0n, -10_000n]);
      expect(await token.totalSupply()).to.equal(supply);
      // An inactive bank is not counted as held short.
      expect(await engine.deferralsOf(b2.address)).to.equal(0n);
      expect((await engine.cycleOf(2)).pending).to.equal(2n);
      expect(await engine.pendingOf(2, batches[0].id)).to.equal(0b100n);
      expect(await engine.pendingOf(2, batches[1].id)).to.equal(0b1000n);
    });
  }

  it("limits: a position above the single-transfer limit is short, whatever the balance", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, banks } = f;
    const [b0] = banks;
    expect(await f.token.balanceOf(b0.address)).to.equal(INITIAL_BALANCE);
    const [batch] = await declareAll(f, [[0, [[1, 1_200_000n]]]]);
    expect((await capacityOf(f, b0.address)).funds).to.equal(1_000_000n);
    await expect(closePending(f, 1))
      .to.emit(engine, "BankHeld")
      .withArgs(1, b0.address, false, 1_000_000n, 1)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, batch.id, 0b10n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 1n);
  });

  it("limits: a debtor whose remaining daily outflow is below its position is short; equal settles", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, operator, banks, registry, token } = f;
    const [b0, b1, , b3] = banks;
    await registry.setLimits(b0.address, 500_000n, 600_000n);
    await token.connect(b0).transfer(b3.address, 300_000n);
    const [batch] = await declareAll(f, [[0, [[1, 300_001n]]]]);
    expect((await capacityOf(f, b0.address)).funds).to.equal(300_000n);
    await expect(closePending(f, 1))
      .to.emit(engine, "BatchCarried")
      .withArgs(1, batch.id, 0b10n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 1n);
    await engine.connect(operator).openCycle();
    await declareAll(f, [[1, [[0, 1n]]]]);
    // Netted against the 1 it receives, bank 0 owes exactly what is left of its daily limit.
    await expect(closePending(f, 2))
      .to.emit(engine, "NetPosition")
      .withArgs(2, b0.address, -300_000n, 300_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(2, b1.address, 300_000n, 0n, 0n);
    expect((await token.outflowToday(b0.address))[1]).to.equal(600_000n);
  });
});
