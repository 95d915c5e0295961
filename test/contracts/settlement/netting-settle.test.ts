import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  balancesOf,
  CycleStatus,
  declareFinal,
  deploySettlement,
  fundPool,
  impair,
  INITIAL_BALANCE,
  MAX_UINT256,
  mined,
  sum,
  type SettlementFixture,
  netPositionsOf,
} from "./helpers";
import { capacityOf, netting, obligations } from "./netting-model";

type Plan = ReadonlyArray<readonly [number, ReadonlyArray<readonly [number, bigint]>]>;

/** Open cycle 1 and declare, for each [debtor, payments], one final batch of the debtor. */
async function declareAll(f: SettlementFixture, plan: Plan, banks: HardhatEthersSigner[] = f.banks): Promise<void> {
  if ((await f.engine.currentCycle()) === 0n) await mined(f.engine.connect(f.operator).openCycle());
  for (const [k, [debtor, payments]] of plan.entries()) {
    const list = payments.map(([c, amount]) => [banks[c], amount] as const);
    await declareFinal(f, banks[debtor], `plan-${k}-${debtor}`, list);
  }
}

/** Lower `bank`'s balance to `left` by a redemption (a burn records no outflow). */
async function redeemDownTo(f: SettlementFixture, bank: HardhatEthersSigner, left: bigint): Promise<void> {
  const amount = (await f.token.balanceOf(bank.address)) - left;
  await mined(f.token.connect(bank).approve(f.operator.address, amount));
  await mined(f.token.connect(f.operator).burn(bank.address, amount));
}

const addressesOf = (signers: readonly HardhatEthersSigner[]): string[] => signers.map((s) => s.address);

/** The model's outcome for the open cycle, from the chain's current state. */
async function predicted(f: SettlementFixture, cycle = 1n) {
  const banks = await f.engine.participantsOf(cycle);
  const caps = await Promise.all(banks.map((b) => capacityOf(f, b)));
  const owe = await obligations(f.engine, cycle, banks);
  return {
    banks,
    ...netting(
      owe,
      caps.map((c) => c.funds + c.credit),
      caps.map((c) => c.inactive),
    ),
  };
}

describe("NettingEngine: closeCycle", function () {
  it("nets 4 banks: exact NetPosition events, balances move by the positions, supply unchanged", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, token, operator, banks, engineAddress } = f;
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
    const supply = await token.totalSupply();
    const before = await balancesOf(f, addressesOf(banks));
    const tx = engine.connect(operator).closeCycle(1);
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
    await expect(tx).not.to.emit(engine, "ObligationDeferred");
    const receipt = await mined(tx);
    const netEvents = receipt.logs.filter((l) => l.topics[0] === engine.interface.getEvent("NetPosition").topicHash);
    expect(netEvents).to.have.length(4);
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
    expect([cycle.status, cycle.batchCount]).to.deep.equal([CycleStatus.Closed, 4n]);
    expect(cycle.closedAt).to.be.greaterThanOrEqual(cycle.openedAt);
    expect(await engine.participantsOf(2)).to.deep.equal([]);
  });

  it("closing: OPERATOR only; an empty cycle closes with CycleClosed(id, 0, 0, 0)", async function () {
    const { engine, registry, operator, banks } = await loadFixture(deploySettlement);
    await engine.connect(operator).openCycle();
    await expect(engine.connect(banks[0]).closeCycle(1))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[0].address, 1);
    await expect(engine.connect(operator).closeCycle(1)).to.emit(engine, "CycleClosed").withArgs(1, 0n, 0n, 0n);
  });

  it("gridlock: a bank short of allowance is deferred, its incoming settles, it settles once funded", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, token, operator, banks, engineAddress } = f;
    const [b0, b1, b2, b3] = banks;
    await token.connect(b0).approve(engineAddress, 100_000n);
    await declareAll(f, [
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
    const before = await balancesOf(f, addressesOf(banks));
    const supply = await token.totalSupply();
    await expect(engine.connect(operator).closeCycle(1))
      .to.emit(engine, "ObligationDeferred")
      .withArgs(1, b0.address, b1.address, 500_000n)
      .and.to.emit(engine, "ObligationDeferred")
      .withArgs(1, b0.address, b2.address, 300_000n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b0.address, 150_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, -100_000n, 100_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b2.address, -200_000n, 200_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, 150_000n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 350_000n, 300_000n, 1n);
    const after = await balancesOf(f, addressesOf(banks));
    expect(after.map((b, i) => b - before[i])).to.deep.equal([150_000n, -100_000n, -200_000n, 150_000n]);
    expect(await token.allowance(b0.address, engineAddress)).to.equal(100_000n);
    // The deferred obligations open the next cycle.
    expect(await engine.participantsOf(2)).to.deep.equal([b0.address, b1.address, b2.address]);
    expect(await obligations(engine, 2n, addressesOf(banks))).to.deep.equal([
      [0n, 500_000n, 300_000n, 0n],
      [0n, 0n, 0n, 0n],
      [0n, 0n, 0n, 0n],
      [0n, 0n, 0n, 0n],
    ]);
    await expect(engine.connect(operator).openCycle()).to.emit(engine, "CycleOpened").withArgs(2, operator.address, 3);
    // Still unfunded: carried again.
    await expect(engine.connect(operator).closeCycle(2))
      .to.emit(engine, "ObligationDeferred")
      .withArgs(2, b0.address, b1.address, 500_000n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(2, 0n, 0n, 1n);
    await engine.connect(operator).openCycle();
    await token.connect(b0).approve(engineAddress, MAX_UINT256);
    await expect(engine.connect(operator).closeCycle(3))
      .to.emit(engine, "NetPosition")
      .withArgs(3, b0.address, -800_000n, 800_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(3, b1.address, 500_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(3, b2.address, 300_000n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(3, 800_000n, 800_000n, 0n);
    const final = await balancesOf(f, addressesOf(banks));
    expect(final.map((b, i) => b - before[i])).to.deep.equal([-650_000n, 400_000n, 100_000n, 150_000n]);
    expect(await token.totalSupply()).to.equal(supply);
    expect(await engine.participantsOf(4)).to.deep.equal([]);
  });

  it("gridlock rule: the short debtor (by balance) is deferred and that suffices for the others", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, operator, banks } = f;
    const [b0, b1, b2, b3] = banks;
    await redeemDownTo(f, b0, 100_000n);
    // Netted, bank 0 is short 750,000; once it is deferred bank 1 owes 800,000 net and can pay it.
    await declareAll(f, [
      [0, [[1, 900_000n]]],
      [1, [[2, 800_000n]]],
      [2, [[3, 100_000n]]],
      [3, [[0, 50_000n]]],
    ]);
    const model = await predicted(f);
    expect(model.deferred).to.deep.equal([true, false, false, false]);
    const tx = engine.connect(operator).closeCycle(1);
    await expect(tx)
      .to.emit(engine, "ObligationDeferred")
      .withArgs(1, b0.address, b1.address, 900_000n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, -800_000n, 800_000n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, 50_000n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 950_000n, 800_000n, 1n);
    const receipt = await mined(tx);
    const deferredTopic = engine.interface.getEvent("ObligationDeferred").topicHash;
    expect(receipt.logs.filter((l) => l.topics[0] === deferredTopic)).to.have.length(1);
    const positions = await netPositionsOf(engine, 1, addressesOf([b0, b1, b2, b3]));
    expect(positions).to.deep.equal([50_000n, -800_000n, 700_000n, 50_000n]);
    expect(positions).to.deep.equal(model.net);
  });

  it("gridlock rule: a tie defers both (lowest index first) and a debtor left short by that follows", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, operator, banks } = f;
    const [b0, b1, b2, b3] = banks;
    for (const bank of [b0, b1]) await redeemDownTo(f, bank, 100_000n);
    await redeemDownTo(f, b2, 200_000n);
    // Banks 0 and 1 are both short 450,000. Bank 2 is a net creditor until one of them is deferred,
    // then short 100,000; after both it is short 700,000. Bank 3's payments to banks 0 and 1 settle.
    await declareAll(f, [
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
    const model = await predicted(f);
    // Participants in order of appearance: banks 0, 2, 1, 3.
    expect(model.banks).to.deep.equal([b0.address, b2.address, b1.address, b3.address]);
    expect(model.deferred).to.deep.equal([true, true, true, false]);
    await expect(engine.connect(operator).closeCycle(1))
      .to.emit(engine, "ObligationDeferred")
      .withArgs(1, b0.address, b2.address, 600_000n)
      .and.to.emit(engine, "ObligationDeferred")
      .withArgs(1, b1.address, b2.address, 600_000n)
      .and.to.emit(engine, "ObligationDeferred")
      .withArgs(1, b2.address, b3.address, 900_000n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b0.address, 50_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, 50_000n, 0n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, -100_000n, 100_000n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 100_000n, 100_000n, 3n);
    expect(await obligations(engine, 2n, model.banks)).to.deep.equal(model.carried);
    expect(await netPositionsOf(engine, 1, model.banks)).to.deep.equal(model.net);
  });

  for (const how of ["suspended", "sanctioned"] as const) {
    it(`a ${how} participant: every obligation to and from it is deferred, the rest settles`, async function () {
      const f = await loadFixture(deploySettlement);
      const { engine, token, operator, banks } = f;
      const [b0, b1, b2, b3] = banks;
      await declareAll(f, [
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
      await expect(engine.connect(operator).closeCycle(1))
        .to.emit(engine, "ObligationDeferred")
        .withArgs(1, b0.address, b2.address, 50_000n)
        .and.to.emit(engine, "ObligationDeferred")
        .withArgs(1, b2.address, b3.address, 70_000n)
        .and.to.emit(engine, "NetPosition")
        .withArgs(1, b0.address, -70_000n, 70_000n, 0n)
        .and.to.emit(engine, "NetPosition")
        .withArgs(1, b1.address, 80_000n, 0n, 0n)
        .and.to.emit(engine, "NetPosition")
        .withArgs(1, b2.address, 0n, 0n, 0n)
        .and.to.emit(engine, "NetPosition")
        .withArgs(1, b3.address, -10_000n, 10_000n, 0n)
        .and.to.emit(engine, "CycleClosed")
        .withArgs(1, 150_000n, 80_000n, 0n);
      const after = await balancesOf(f, addressesOf(banks));
      expect(after.map((b, i) => b - before[i])).to.deep.equal([-70_000n, 80_000n, 0n, -10_000n]);
      expect(await token.totalSupply()).to.equal(supply);
      expect(await engine.participantsOf(2)).to.deep.equal([b0.address, b2.address, b3.address]);
      expect(await engine.obligationOf(2, b0.address, b2.address)).to.equal(50_000n);
      expect(await engine.obligationOf(2, b2.address, b3.address)).to.equal(70_000n);
    });
  }

  it("limits: a position above the single-transfer limit is short, whatever the balance", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, operator, banks } = f;
    const [b0, b1] = banks;
    expect(await f.token.balanceOf(b0.address)).to.equal(INITIAL_BALANCE);
    await declareAll(f, [[0, [[1, 1_200_000n]]]]);
    expect((await capacityOf(f, b0.address)).funds).to.equal(1_000_000n);
    await expect(engine.connect(operator).closeCycle(1))
      .to.emit(engine, "ObligationDeferred")
      .withArgs(1, b0.address, b1.address, 1_200_000n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 1n);
  });

  it("limits: a debtor whose remaining daily outflow is below its position is short; equal settles", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, operator, banks, registry, token } = f;
    const [b0, b1, , b3] = banks;
    await registry.setLimits(b0.address, 500_000n, 600_000n);
    await token.connect(b0).transfer(b3.address, 300_000n);
    await declareAll(f, [[0, [[1, 300_001n]]]]);
    expect((await capacityOf(f, b0.address)).funds).to.equal(300_000n);
    await expect(engine.connect(operator).closeCycle(1))
      .to.emit(engine, "ObligationDeferred")
      .withArgs(1, b0.address, b1.address, 300_001n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 1n);
    await engine.connect(operator).openCycle();
    await declareAll(f, [[1, [[0, 1n]]]]);
    // Netted against the 1 it receives, bank 0 owes exactly what is left of its daily limit.
    await expect(engine.connect(operator).closeCycle(2))
      .to.emit(engine, "NetPosition")
      .withArgs(2, b0.address, -300_000n, 300_000n, 0n);
    expect((await token.outflowToday(b0.address))[1]).to.equal(600_000n);
  });
});
