/** NettingEngine.closeCycleWith: final batches presented by the operator at close, and the ledger's netting mark. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { privateTotalsCommitmentOf } from "../../../packages/zk/src/chunk";
import {
  balancesOf,
  batchIdOf,
  closePending,
  CycleStatus,
  declareFinal,
  deploySettlement,
  digestOf,
  digestPrefix,
  engineEvents,
  extraBanks,
  makeBatch,
  mined,
  netPositionsOf,
  nettedCyclesOf,
  NO_ANCHOR,
  passWindows,
  Status,
  submit,
  totalsCommitment,
  type Batch,
  type SettlementFixture,
} from "./helpers";

/** What closeCycleWith takes for `batch` anchored by `bank`. */
const declaration = (bank: HardhatEthersSigner, b: Batch) => ({
  bank: bank.address,
  key: b.key,
  header: b.header,
  counterparties: b.counterparties,
  totals: b.totals,
});

interface DayFixture extends SettlementFixture {
  /** bank 0 pays banks 1 and 2; bank 1 pays bank 3; bank 2 pays bank 0 — all final by their window. */
  batches: Array<[HardhatEthersSigner, Batch]>;
}

/** Cycle 1 open, three final (silent) batches anchored, none declared. */
async function finalDay(): Promise<DayFixture> {
  const f = await deploySettlement();
  const [b0, b1, b2, b3] = f.banks;
  await mined(f.engine.connect(f.operator).openCycle());
  const plan: Array<[HardhatEthersSigner, Array<readonly [string, bigint]>]> = [
    [
      b0,
      [
        [b1.address, 500n],
        [b2.address, 300n],
      ],
    ],
    [b1, [[b3.address, 200n]]],
    [b2, [[b0.address, 100n]]],
  ];
  const batches: Array<[HardhatEthersSigner, Batch]> = [];
  for (const [k, [bank, payments]] of plan.entries()) {
    const batch = await makeBatch(f.ledger, `day-${k}`, payments);
    await submit(f.ledger, bank, batch);
    batches.push([bank, batch]);
  }
  await passWindows(...batches.map(([, b]) => b));
  return { ...f, batches };
}

describe("NettingEngine: closeCycleWith", function () {
  it("nets the presented batches: Netted in the ledger, the same events as declare, positions settled, next cycle opened", async function () {
    const f = await loadFixture(finalDay);
    const { engine, ledger, token, operator, banks, batches } = f;
    const [b0, b1, b2, b3] = banks;
    const accounts = [b0, b1, b2, b3].map((b) => b.address);
    const before = await balancesOf(f, accounts);
    const supply = await token.totalSupply();
    const tx = engine.connect(operator).closeCycleWith(
      1,
      batches.map(([bank, b]) => declaration(bank, b)),
      true,
    );
    const [id0, id1] = batches.map(([bank, b]) => batchIdOf(bank.address, b.key));
    await expect(tx)
      .to.emit(ledger, "BatchNetted")
      .withArgs(id0, 1)
      .and.to.emit(engine, "BatchDeclared")
      .withArgs(1, id0, b0.address, 800n, batches[0][1].counterparties, batches[0][1].totals)
      .and.to.emit(engine, "BatchDeclared")
      .withArgs(1, id1, b1.address, 200n, [b3.address], [200n])
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 1_100n, 700n, 0n)
      .and.to.emit(engine, "CycleOpened")
      .withArgs(2, operator.address, 0);
    // b0: -800 +100 = -700; b1: +500 -200 = +300; b2: +300 -100 = +200; b3: +200.
    const positions = await netPositionsOf(engine, 1, accounts);
    expect(positions).to.deep.equal([-700n, 300n, 200n, 200n]);
    const after = await balancesOf(f, accounts);
    expect(after.map((x, i) => x - before[i])).to.deep.equal(positions);
    expect(await token.totalSupply()).to.equal(supply);
    for (const [bank, b] of batches) {
      const id = batchIdOf(bank.address, b.key);
      expect(await ledger.statusOf(id, b.header)).to.equal(Status.Netted);
      expect(await ledger.anchorOf(id)).to.deep.equal([digestPrefix(digestOf(b.header)), Status.Netted, 0n]);
      expect(await nettedCyclesOf(ledger, id)).to.deep.equal([1n]);
    }
    const cycle = await engine.cycleOf(1);
    expect([cycle.status, cycle.batchCount]).to.deep.equal([CycleStatus.Closed, 3n]);
    expect(await engine.currentCycle()).to.equal(2n);
    expect((await engine.cycleOf(2)).status).to.equal(CycleStatus.Open);
    // Presented obligations are in the events, not in storage: nothing is pending anywhere.
    expect((await engine.cycleOf(1)).pending).to.equal(0n);
    expect((await engine.cycleOf(2)).pending).to.equal(0n);
    expect(await engine.pendingOf(1, id0)).to.equal(0n);
  });

  it("adds presented batches to those declared on chain, and leaves the next cycle closed without openNext", async function () {
    const f = await loadFixture(finalDay);
    const { engine, operator, banks, batches } = f;
    const [b0, b1, b2, b3] = banks;
    await declareFinal(f, b3, "on-chain", [[b0, 1_000n]]);
    // The batch declared on chain is pending: it must be presented with the fresh ones.
    await expect(engine.connect(operator).closeCycleWith(1, [declaration(...batches[0])], false))
      .to.be.revertedWithCustomError(engine, "NettingPendingNotPresented")
      .withArgs(1, 1, 0);
    await mined(closePending(f, 1, [declaration(...batches[0])]));
    expect(
      await netPositionsOf(
        engine,
        1,
        [b0, b1, b2, b3].map((b) => b.address),
      ),
    ).to.deep.equal([200n, 500n, 300n, -1_000n]);
    expect((await engine.cycleOf(1)).batchCount).to.equal(2n);
    expect(await engine.currentCycle()).to.equal(1n);
    // The batches not presented stay Final, to be netted in a later cycle.
    const [bank1, batch1] = batches[1];
    const id1 = batchIdOf(bank1.address, batch1.key);
    expect(await f.ledger.statusOf(id1, batch1.header)).to.equal(Status.Final);
    expect(await nettedCyclesOf(f.ledger, id1)).to.deep.equal([]);
    await mined(engine.connect(operator).openCycle());
    await mined(engine.connect(operator).closeCycleWith(2, [declaration(bank1, batch1)], false));
    expect(await nettedCyclesOf(f.ledger, id1)).to.deep.equal([2n]);
    expect(await f.ledger.statusOf(id1, batch1.header)).to.equal(Status.Netted);
  });

  it("resolves gridlock the same way: a short debtor is held, its batch and the batches paying it carried", async function () {
    const f = await loadFixture(finalDay);
    const { engine, token, operator, banks, batches } = f;
    const [b0, b1, , b3] = banks;
    const [id0, id1, id2] = batches.map(([bank, b]) => batchIdOf(bank.address, b.key));
    await mined(token.connect(b0).approve(f.engineAddress, 0n)); // b0 can pay in nothing
    const tx = engine.connect(operator).closeCycleWith(
      1,
      batches.map(([bank, b]) => declaration(bank, b)),
      true,
    );
    await expect(tx)
      .to.emit(engine, "BankHeld")
      .withArgs(1, b0.address, false, 0n, 1)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, id0, 0b110n)
      .and.to.emit(engine, "BatchCarried")
      .withArgs(1, id2, 0b1n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, -200n, 200n, 0n)
      .and.to.emit(engine, "NetPosition")
      .withArgs(1, b3.address, 200n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 200n, 200n, 1n)
      .and.to.emit(engine, "CycleOpened")
      .withArgs(2, operator.address, 2);
    expect(await engine.pendingOf(2, id0)).to.equal(0b110n);
    expect(await engine.pendingOf(2, id1)).to.equal(0n);
    expect(await engine.pendingOf(2, id2)).to.equal(0b1n);
    // All three were netted once, in cycle 1: the carried ones are presented again, not re-marked.
    await mined(token.connect(b0).approve(f.engineAddress, 1_000n));
    const receipt = await mined(closePending(f, 2));
    expect(engineEvents(f, receipt, "BatchDeclared")).to.have.length(0);
    expect(engineEvents(f, receipt, "CycleClosed").map((e) => [e.grossSettled, e.netSettled])).to.deep.equal([
      [900n, 700n],
    ]);
    for (const id of [id0, id2]) expect(await nettedCyclesOf(f.ledger, id)).to.deep.equal([1n]);
  });

  it("presents a batch of a bank suspended since: Netted, and held with its obligations, not lost", async function () {
    const f = await loadFixture(finalDay);
    const [b0] = f.banks;
    const id0 = batchIdOf(b0.address, f.batches[0][1].key);
    await mined(f.registry.suspendMember(b0.address));
    await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(...f.batches[0])], true))
      .to.emit(f.engine, "BankHeld")
      .withArgs(1, b0.address, true, 0n, 0)
      .and.to.emit(f.engine, "BatchCarried")
      .withArgs(1, id0, 0b110n)
      .and.to.emit(f.engine, "CycleClosed")
      .withArgs(1, 0n, 0n, 1n);
    expect(await nettedCyclesOf(f.ledger, id0)).to.deep.equal([1n]);
    expect(await f.ledger.statusOf(id0, f.batches[0][1].header)).to.equal(Status.Netted);
    expect(await f.engine.pendingOf(2, id0)).to.equal(0b110n);
    expect(await f.engine.deferralsOf(b0.address)).to.equal(0n);
  });

  it("a close of pending batches only still works while the ledger is paused (nothing to mark)", async function () {
    const f = await loadFixture(finalDay);
    const [bank, b] = f.batches[1];
    await mined(f.engine.connect(bank).declare(1, b.key, b.header, b.counterparties, b.totals));
    await f.ledger.pause();
    await expect(closePending(f, 1)).to.emit(f.engine, "CycleClosed").withArgs(1, 200n, 200n, 0n);
  });

  describe("refuses", function () {
    it("a caller that is not an active OPERATOR: the registry's error", async function () {
      const { engine, registry, banks } = await loadFixture(finalDay);
      await expect(engine.connect(banks[0]).closeCycleWith(1, [], false))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(banks[0].address, 1);
    });

    it("a cycle that is not the open one: NettingNoOpenCycle", async function () {
      const { engine, operator } = await loadFixture(finalDay);
      await expect(engine.connect(operator).closeCycleWith(2, [], false))
        .to.be.revertedWithCustomError(engine, "NettingNoOpenCycle")
        .withArgs(2);
    });

    it("while paused: EnforcedPause", async function () {
      const { engine, operator } = await loadFixture(finalDay);
      await engine.pause();
      await expect(engine.connect(operator).closeCycleWith(1, [], false)).to.be.revertedWithCustomError(
        engine,
        "EnforcedPause",
      );
    });

    it("a batch still in its window: the ledger's LedgerWrongStatus(id, Submitted)", async function () {
      const f = await loadFixture(finalDay);
      const fresh = await makeBatch(f.ledger, "fresh", [[f.banks[1].address, 5n]]);
      const id = await submit(f.ledger, f.banks[0], fresh);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(f.banks[0], fresh)], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerWrongStatus")
        .withArgs(id, Status.Submitted);
    });

    it("a batch presented twice, in one close or a later one: LedgerAlreadyNetted(id)", async function () {
      const f = await loadFixture(finalDay);
      const d = declaration(...f.batches[0]);
      const id = batchIdOf(d.bank, d.key);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [d, d], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerAlreadyNetted")
        .withArgs(id);
      await mined(f.engine.connect(f.operator).closeCycleWith(1, [d], true));
      await expect(f.engine.connect(f.operator).closeCycleWith(2, [d], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerAlreadyNetted")
        .withArgs(id);
      // Nor can the bank declare it on chain afterwards.
      const [, b] = f.batches[0];
      await expect(f.engine.connect(f.banks[0]).declare(2, b.key, b.header, b.counterparties, b.totals))
        .to.be.revertedWithCustomError(f.ledger, "LedgerAlreadyNetted")
        .withArgs(id);
      // The one netting, in cycle 1, is in the BatchNetted event.
      expect(await nettedCyclesOf(f.ledger, id)).to.deep.equal([1n]);
    });

    it("a batch declared on chain first is pending: presented, not netted again; presented twice: NettingBatchRepeated", async function () {
      const f = await loadFixture(finalDay);
      const [bank, b] = f.batches[0];
      const id = batchIdOf(bank.address, b.key);
      await mined(f.engine.connect(bank).declare(1, b.key, b.header, b.counterparties, b.totals));
      expect(await f.engine.pendingOf(1, id)).to.equal(0b110n);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(bank, b), declaration(bank, b)], false))
        .to.be.revertedWithCustomError(f.engine, "NettingBatchRepeated")
        .withArgs(id);
      const receipt = await mined(f.engine.connect(f.operator).closeCycleWith(1, [declaration(bank, b)], false));
      expect(engineEvents(f, receipt, "BatchDeclared")).to.have.length(0);
      expect(await nettedCyclesOf(f.ledger, id)).to.deep.equal([1n]);
      expect((await f.engine.cycleOf(1)).batchCount).to.equal(1n);
    });

    it("a disputed or a rejected batch: LedgerWrongStatus(id, Disputed | Rejected)", async function () {
      const f = await loadFixture(deploySettlement);
      const [b0, b1] = f.banks;
      await mined(f.engine.connect(f.operator).openCycle());
      const b = await makeBatch(f.ledger, "disputed", [[b1.address, 5n]]);
      const id = await submit(f.ledger, b0, b);
      await mined(f.ledger.connect(b1).dispute(id, b.header, 3));
      await passWindows(b);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(b0, b)], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerWrongStatus")
        .withArgs(id, Status.Disputed);
      await mined(f.ledger.connect(f.operator).resolveDispute(id, true));
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(b0, b)], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerWrongStatus")
        .withArgs(id, Status.Rejected);
    });

    it("a misconfigured deployment: the ledger's LedgerNotNettingEngine, the token's TokenNotClearingEngine", async function () {
      const f = await loadFixture(finalDay);
      const d = declaration(...f.batches[0]);
      const tokenAddress = await f.token.getAddress();
      await mined(f.ledger.setNettingEngine(tokenAddress));
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [d], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerNotNettingEngine")
        .withArgs(f.engineAddress);
      await mined(f.ledger.setNettingEngine(f.engineAddress));
      await mined(f.token.setClearingEngine(ethers.ZeroAddress));
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [d], false))
        .to.be.revertedWithCustomError(f.token, "TokenNotClearingEngine")
        .withArgs(f.engineAddress);
    });

    it("another bank than the one that anchored it: LedgerUnknownBatch", async function () {
      const f = await loadFixture(finalDay);
      const d = { ...declaration(...f.batches[0]), bank: f.banks[3].address };
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [d], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerUnknownBatch")
        .withArgs(batchIdOf(d.bank, d.key));
    });

    it("a header other than the anchored one: LedgerHeaderMismatch", async function () {
      const f = await loadFixture(finalDay);
      const d = declaration(...f.batches[0]);
      const forged = { ...d, header: { ...d.header, entryCount: d.header.entryCount + 1n } };
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [forged], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerHeaderMismatch")
        .withArgs(batchIdOf(d.bank, d.key), digestPrefix(digestOf(d.header)), digestOf(forged.header));
    });

    it("totals other than the committed ones: NettingTotalsMismatch", async function () {
      const f = await loadFixture(finalDay);
      const d = declaration(...f.batches[0]);
      const totals = [d.totals[0] + 1n, d.totals[1] - 1n];
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [{ ...d, totals }], false))
        .to.be.revertedWithCustomError(f.engine, "NettingTotalsMismatch")
        .withArgs(batchIdOf(d.bank, d.key), d.header.totalsCommitment, totalsCommitment(d.counterparties, totals));
    });

    it("a private-mode batch (tagged commitment, needs a proof): NettingTotalsMismatch", async function () {
      const f = await loadFixture(finalDay);
      const cps = [f.banks[1].address];
      const b = await makeBatch(f.ledger, "private", [[cps[0], 9n]], {
        totalsCommitment: privateTotalsCommitmentOf(cps as `0x${string}`[], [9n]),
      });
      await submit(f.ledger, f.banks[0], b);
      await passWindows(b);
      await expect(
        f.engine.connect(f.operator).closeCycleWith(1, [declaration(f.banks[0], b)], false),
      ).to.be.revertedWithCustomError(f.engine, "NettingTotalsMismatch");
    });

    it("counterparties and totals of different lengths: NettingLengthMismatch", async function () {
      const f = await loadFixture(finalDay);
      const d = declaration(...f.batches[0]);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [{ ...d, totals: [d.totals[0]] }], false))
        .to.be.revertedWithCustomError(f.engine, "NettingLengthMismatch")
        .withArgs(2, 1);
    });

    it("a zero amount or the debtor itself as creditor: NettingInvalidObligation", async function () {
      const f = await loadFixture(finalDay);
      const [b0, b1] = f.banks;
      for (const [label, payments] of [
        ["zero", [[b1.address, 0n]]],
        ["self", [[b0.address, 4n]]],
      ] as const) {
        const b = await makeBatch(f.ledger, label, payments, { counterpartyMask: 0b10n, grossTotal: 4n });
        await submit(f.ledger, b0, b);
        await passWindows(b);
        await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(b0, b)], false))
          .to.be.revertedWithCustomError(f.engine, "NettingInvalidObligation")
          .withArgs(b0.address, payments[0][0]);
      }
    });

    it("a creditor that is not enrolled: LedgerNotEnrolled", async function () {
      const f = await loadFixture(finalDay);
      const [outsider] = await extraBanks(f, 1);
      const b = await makeBatch(f.ledger, "outsider", [[outsider.address, 3n]], { counterpartyMask: 0b10n });
      await submit(f.ledger, f.banks[0], b);
      await passWindows(b);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(f.banks[0], b)], false))
        .to.be.revertedWithCustomError(f.ledger, "LedgerNotEnrolled")
        .withArgs(outsider.address);
    });

    it("creditors other than the header's counterparties: NettingCounterpartiesMismatch", async function () {
      const f = await loadFixture(finalDay);
      const [b0, , b2] = f.banks;
      // Anchored naming bank 1 only, totals paying bank 2 (committed, so only the mask disagrees).
      const b = await makeBatch(f.ledger, "mask", [[b2.address, 3n]], { counterpartyMask: 0b10n });
      await submit(f.ledger, b0, b);
      await passWindows(b);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(b0, b)], false))
        .to.be.revertedWithCustomError(f.engine, "NettingCounterpartiesMismatch")
        .withArgs(batchIdOf(b0.address, b.key), 0b10n, 0b100n);
    });

    it("totals that do not add up to the gross total: NettingGrossMismatch", async function () {
      const f = await loadFixture(finalDay);
      const b = await makeBatch(f.ledger, "gross", [[f.banks[1].address, 3n]], { grossTotal: 4n });
      await submit(f.ledger, f.banks[0], b);
      await passWindows(b);
      await expect(f.engine.connect(f.operator).closeCycleWith(1, [declaration(f.banks[0], b)], false))
        .to.be.revertedWithCustomError(f.engine, "NettingGrossMismatch")
        .withArgs(batchIdOf(f.banks[0].address, b.key), 4n, 3n);
    });
  });
});

describe("SettlementLedger: netting mark", function () {
  it("setNettingEngine: owner only, a contract only, NettingEngineSet", async function () {
    const f = await loadFixture(deploySettlement);
    expect(await f.ledger.nettingEngine()).to.equal(f.engineAddress);
    await expect(f.ledger.connect(f.operator).setNettingEngine(f.engineAddress))
      .to.be.revertedWithCustomError(f.ledger, "OwnableUnauthorizedAccount")
      .withArgs(f.operator.address);
    await expect(f.ledger.setNettingEngine(f.banks[0].address))
      .to.be.revertedWithCustomError(f.ledger, "LedgerInvalidEngine")
      .withArgs(f.banks[0].address);
    const token = await f.token.getAddress();
    await expect(f.ledger.setNettingEngine(token)).to.emit(f.ledger, "NettingEngineSet").withArgs(token);
  });

  it("markNetted: only the netting engine (LedgerNotNettingEngine); nothing netted, nothing stored", async function () {
    const f = await loadFixture(finalDay);
    const [bank, b] = f.batches[0];
    const id = batchIdOf(bank.address, b.key);
    for (const caller of [f.operator, bank, f.owner]) {
      await expect(f.ledger.connect(caller).markNetted(id, b.header, 1))
        .to.be.revertedWithCustomError(f.ledger, "LedgerNotNettingEngine")
        .withArgs(caller.address);
    }
    // Final by its window, stored Submitted, never netted.
    expect(await f.ledger.statusOf(id, b.header)).to.equal(Status.Final);
    expect(await f.ledger.anchorOf(id)).to.deep.equal([digestPrefix(digestOf(b.header)), Status.Submitted, 0n]);
    expect(await nettedCyclesOf(f.ledger, id)).to.deep.equal([]);
    expect(await f.ledger.anchorOf(ethers.ZeroHash)).to.deep.equal(NO_ANCHOR);
  });

  it("markNetted while the ledger is paused: EnforcedPause (nothing can be netted)", async function () {
    const f = await loadFixture(finalDay);
    await f.ledger.pause();
    await expect(
      f.engine.connect(f.operator).closeCycleWith(1, [declaration(...f.batches[0])], false),
    ).to.be.revertedWithCustomError(f.ledger, "EnforcedPause");
  });
});
