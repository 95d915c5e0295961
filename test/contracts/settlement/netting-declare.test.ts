import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  batchIdOf,
  bytes32,
  closePending,
  CycleStatus,
  deploySettlement,
  digestOf,
  digestPrefix,
  engineEvents,
  extraBanks,
  impair,
  makeBatch,
  mined,
  nettedCyclesOf,
  nettedIn,
  Status,
  submit,
  submitFinal,
  sum,
  totalsCommitment,
  type Batch,
  type SettlementFixture,
} from "./helpers";

interface OpenFixture extends SettlementFixture {
  batch: Batch;
  id: string;
}

/** Cycle 1 is open; bank 0 has a final batch paying bank 1 300 and bank 2 200 (not declared). */
async function openWithFinalBatch(): Promise<OpenFixture> {
  const f = await deploySettlement();
  const [b0, b1, b2] = f.banks;
  await f.engine.connect(f.operator).openCycle();
  const batch = await makeBatch(f.ledger, "final", [
    [b1.address, 300n],
    [b2.address, 200n],
  ]);
  const id = await submitFinal(f, b0, batch, f.banks);
  return { ...f, batch, id };
}

/**
 * A final batch of bank 0 whose totals commit to exactly `counterparties`/`totals`, with the given
 * gross total and the counterparty mask of `maskBanks` (bank 1 unless told), who acknowledge it.
 */
async function finalBatchWith(
  f: SettlementFixture,
  label: string,
  counterparties: string[],
  totals: bigint[],
  grossTotal: bigint,
  maskBanks: readonly HardhatEthersSigner[] = [f.banks[1]],
): Promise<Batch> {
  const batch = await makeBatch(
    f.ledger,
    label,
    maskBanks.map((b) => [b.address, 1n] as const),
    { grossTotal, totalsCommitment: totalsCommitment(counterparties, totals) },
  );
  await submitFinal(f, f.banks[0], batch, maskBanks);
  return { ...batch, counterparties, totals };
}

/** An address nobody controls or enrolled. */
const madeUp = (label: string): string => ethers.getAddress(ethers.dataSlice(ethers.id(label), 12));

describe("NettingEngine: openCycle", function () {
  it("an OPERATOR opens cycle 1: CycleOpened(1, operator, 0), currentCycle, cycleOf", async function () {
    const { engine, operator } = await loadFixture(deploySettlement);
    expect(await engine.currentCycle()).to.equal(0n);
    expect(await engine.connect(operator).openCycle.staticCall()).to.equal(1n);
    const tx = engine.connect(operator).openCycle();
    await expect(tx).to.emit(engine, "CycleOpened").withArgs(1, operator.address, 0);
    const at = (await ethers.provider.getBlock((await mined(tx)).blockNumber))?.timestamp ?? 0;
    expect(await engine.currentCycle()).to.equal(1n);
    expect(await engine.cycleOf(1)).to.deep.equal([CycleStatus.Open, BigInt(at), 0n, 0n, 0n]);
  });

  it("refuses non-operators (the registry's errors) and a second open cycle: NettingCycleStillOpen", async function () {
    const { engine, registry, operator, banks, outsider, owner } = await loadFixture(deploySettlement);
    await expect(engine.connect(banks[0]).openCycle())
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[0].address, 1);
    await expect(engine.connect(outsider).openCycle())
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    await expect(engine.connect(owner).openCycle())
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(owner.address);
    await engine.connect(operator).openCycle();
    await expect(engine.connect(operator).openCycle())
      .to.be.revertedWithCustomError(engine, "NettingCycleStillOpen")
      .withArgs(1);
    await engine.connect(operator).closeCycleWith(1, [], false);
    await expect(engine.connect(operator).openCycle()).to.emit(engine, "CycleOpened").withArgs(2, operator.address, 0);
  });
});

describe("NettingEngine: declare", function () {
  it("declares a final batch: BatchDeclared with its obligations, pending in the cycle with its creditor mask", async function () {
    const { engine, ledger, banks, batch, id } = await loadFixture(openWithFinalBatch);
    const [b0, b1, b2] = banks;
    const tx = engine.connect(b0).declare(1, batch.key, batch.header, batch.counterparties, batch.totals);
    await expect(tx)
      .to.emit(engine, "BatchDeclared")
      .withArgs(1, id, b0.address, 500n, [b1.address, b2.address], [300n, 200n]);
    // Pending by reference (the creditors' mask); the amounts are in BatchDeclared only.
    expect(await engine.pendingOf(1, id)).to.equal(0b110n);
    expect(await engine.pendingOf(2, id)).to.equal(0n);
    expect((await engine.cycleOf(1)).pending).to.equal(1n);
    // The ledger marks it Netted and names the cycle in BatchNetted (the engine keeps no record).
    expect(await nettedIn(ledger, await mined(tx))).to.deep.equal([[id, 1n]]);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Netted);
    expect((await ledger.anchorOf(id))[1]).to.equal(Status.Netted);
    expect((await engine.cycleOf(1)).batchCount).to.equal(1n);
  });

  it("adds up repeated counterparties and several batches between the same banks", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, banks, batch } = f;
    const [b0, b1] = banks;
    await engine.connect(b0).declare(1, batch.key, batch.header, batch.counterparties, batch.totals);
    const twice = await makeBatch(f.ledger, "twice", [
      [b1.address, 7n],
      [b1.address, 8n],
    ]);
    await submitFinal(f, b0, twice, banks);
    await expect(engine.connect(b0).declare(1, twice.key, twice.header, twice.counterparties, twice.totals))
      .to.emit(engine, "BatchDeclared")
      .withArgs(1, batchIdOf(b0.address, twice.key), b0.address, 15n, [b1.address, b1.address], [7n, 8n]);
    expect(await engine.pendingOf(1, batchIdOf(b0.address, twice.key))).to.equal(0b10n);
    expect((await engine.cycleOf(1)).batchCount).to.equal(2n);
    expect((await engine.cycleOf(1)).pending).to.equal(2n);
    // Both close together: bank 1 is paid 300 + 7 + 8, bank 2 200.
    await expect(closePending(f, 1))
      .to.emit(engine, "NetPosition")
      .withArgs(1, b1.address, 315n, 0n, 0n)
      .and.to.emit(engine, "CycleClosed")
      .withArgs(1, 515n, 515n, 0n);
  });

  it("a batch that is not final: the ledger's LedgerWrongStatus (Submitted, Disputed, Rejected)", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, ledger, banks, operator } = f;
    const batch = await makeBatch(ledger, "pending", [[banks[1].address, 10n]]);
    const id = await submit(ledger, banks[0], batch);
    const declare = () =>
      engine.connect(banks[0]).declare(1, batch.key, batch.header, batch.counterparties, batch.totals);
    await expect(declare()).to.be.revertedWithCustomError(ledger, "LedgerWrongStatus").withArgs(id, Status.Submitted);
    await ledger.connect(banks[1]).dispute(id, batch.header, 2);
    await expect(declare()).to.be.revertedWithCustomError(ledger, "LedgerWrongStatus").withArgs(id, Status.Disputed);
    await ledger.connect(operator).resolveDispute(id, true);
    await expect(declare()).to.be.revertedWithCustomError(ledger, "LedgerWrongStatus").withArgs(id, Status.Rejected);
    expect(await nettedCyclesOf(ledger, id)).to.deep.equal([]);
    expect((await ledger.anchorOf(id))[1]).to.equal(Status.Rejected);
  });

  it("another header than the anchored one: the ledger's LedgerHeaderMismatch", async function () {
    const { engine, ledger, banks, batch, id } = await loadFixture(openWithFinalBatch);
    const other = { ...batch.header, metadataDigest: bytes32("other") };
    await expect(engine.connect(banks[0]).declare(1, batch.key, other, batch.counterparties, batch.totals))
      .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
      .withArgs(id, digestPrefix(digestOf(batch.header)), digestOf(other));
  });

  it("totals that are not the committed ones: NettingTotalsMismatch(id, expected, given)", async function () {
    const { engine, banks, batch, id } = await loadFixture(openWithFinalBatch);
    const [b0, b1, b2, b3] = banks;
    const wrongs: Array<[string[], bigint[]]> = [
      [batch.counterparties, [301n, 199n]],
      [[b1.address, b3.address], batch.totals],
      [
        [b2.address, b1.address],
        [200n, 300n],
      ],
      [[b1.address], [500n]],
    ];
    for (const [cps, totals] of wrongs) {
      await expect(engine.connect(b0).declare(1, batch.key, batch.header, cps, totals))
        .to.be.revertedWithCustomError(engine, "NettingTotalsMismatch")
        .withArgs(id, batch.header.totalsCommitment, totalsCommitment(cps, totals));
    }
  });

  it("totals whose sum is not the gross total: NettingGrossMismatch(id, header, sum)", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const [, b1, b2] = f.banks;
    const cps = [b1.address, b2.address];
    // The creditors match the header's mask (banks 1 and 2): only the gross total is wrong.
    const batch = await finalBatchWith(f, "gross", cps, [300n, 200n], 501n, [b1, b2]);
    expect(batch.header.counterpartyMask).to.equal(0b110n);
    await expect(f.engine.connect(f.banks[0]).declare(1, batch.key, batch.header, cps, [300n, 200n]))
      .to.be.revertedWithCustomError(f.engine, "NettingGrossMismatch")
      .withArgs(batchIdOf(f.banks[0].address, batch.key), 501n, 500n);
  });

  it("an obligation to oneself, to address zero or of zero: NettingInvalidObligation(debtor, creditor)", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const [b0, b1] = f.banks;
    const cases: Array<[string, string, bigint[]]> = [
      ["self", b0.address, [100n, 400n]],
      ["zero address", ethers.ZeroAddress, [100n, 400n]],
      ["zero amount", b1.address, [500n, 0n]],
    ];
    for (const [label, creditor, totals] of cases) {
      const cps = label === "zero amount" ? [b1.address, f.banks[2].address] : [b1.address, creditor];
      const batch = await finalBatchWith(f, label, cps, totals, 500n);
      await expect(f.engine.connect(b0).declare(1, batch.key, batch.header, cps, totals))
        .to.be.revertedWithCustomError(f.engine, "NettingInvalidObligation")
        .withArgs(b0.address, label === "zero amount" ? f.banks[2].address : creditor);
    }
  });

  it("a batch declared twice, in the same or a later cycle: the ledger's LedgerAlreadyNetted(id)", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, ledger, banks, operator, batch, id } = f;
    const declare = (cycle: number) =>
      engine.connect(banks[0]).declare(cycle, batch.key, batch.header, batch.counterparties, batch.totals);
    await declare(1);
    await expect(declare(1)).to.be.revertedWithCustomError(ledger, "LedgerAlreadyNetted").withArgs(id);
    await mined(closePending(f, 1));
    await engine.connect(operator).openCycle();
    await expect(declare(2)).to.be.revertedWithCustomError(ledger, "LedgerAlreadyNetted").withArgs(id);
    // Netted once, in cycle 1; counted once.
    expect(await nettedCyclesOf(ledger, id)).to.deep.equal([1n]);
    expect((await engine.cycleOf(1)).batchCount).to.equal(1n);
    expect((await engine.cycleOf(2)).batchCount).to.equal(0n);
  });

  it("another bank's key: its own (unknown) batch id, or its own batch under that key", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, ledger, banks, batch } = f;
    const [, b1, , b3] = banks;
    const stranger = batchIdOf(b3.address, batch.key);
    await expect(engine.connect(b3).declare(1, batch.key, batch.header, batch.counterparties, batch.totals))
      .to.be.revertedWithCustomError(ledger, "LedgerUnknownBatch")
      .withArgs(stranger);
    // Bank 3 anchors its own batch under the same key: bank 0's header is not that batch's header.
    const own = await makeBatch(ledger, "final", [[b1.address, 9n]]);
    await submitFinal(f, b3, own, banks);
    await expect(engine.connect(b3).declare(1, batch.key, batch.header, batch.counterparties, batch.totals))
      .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
      .withArgs(stranger, digestPrefix(digestOf(own.header)), digestOf(batch.header));
  });

  it("a cycle that is not the open one: NettingNoOpenCycle(cycleId)", async function () {
    const f = await loadFixture(deploySettlement);
    const { engine, operator, banks } = f;
    const batch = await makeBatch(f.ledger, "nc", [[banks[1].address, 5n]]);
    await submitFinal(f, banks[0], batch, banks);
    const declare = (cycle: number) =>
      engine.connect(banks[0]).declare(cycle, batch.key, batch.header, batch.counterparties, batch.totals);
    for (const cycle of [0, 1]) {
      await expect(declare(cycle)).to.be.revertedWithCustomError(engine, "NettingNoOpenCycle").withArgs(cycle);
    }
    await engine.connect(operator).openCycle();
    await expect(declare(2)).to.be.revertedWithCustomError(engine, "NettingNoOpenCycle").withArgs(2);
    await expect(declare(0)).to.be.revertedWithCustomError(engine, "NettingNoOpenCycle").withArgs(0);
    await engine.connect(operator).closeCycleWith(1, [], false);
    await expect(declare(1)).to.be.revertedWithCustomError(engine, "NettingNoOpenCycle").withArgs(1);
    await expect(engine.connect(operator).closeCycleWith(1, [], false))
      .to.be.revertedWithCustomError(engine, "NettingNoOpenCycle")
      .withArgs(1);
  });

  it("a declarer that is not an active member bank: the registry's errors", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, registry, banks, corporate, batch } = f;
    await expect(engine.connect(corporate).declare(1, batch.key, batch.header, batch.counterparties, batch.totals))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(corporate.address, 2);
    const expected = await impair(f, banks[0].address, "suspended");
    await expect(engine.connect(banks[0]).declare(1, batch.key, batch.header, batch.counterparties, batch.totals))
      .to.be.revertedWithCustomError(registry, expected.name)
      .withArgs(...expected.args);
  });
});

describe("NettingEngine: declare — creditors are the batch's anchored counterparties", function () {
  it("committed arrays of different lengths: NettingLengthMismatch(counterparties, totals)", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const [b0, b1, b2] = f.banks;
    const cps = [b1.address, b2.address];
    const batch = await finalBatchWith(f, "lengths", cps, [500n], 500n);
    await expect(f.engine.connect(b0).declare(1, batch.key, batch.header, cps, [500n]))
      .to.be.revertedWithCustomError(f.engine, "NettingLengthMismatch")
      .withArgs(2, 1);
    // Checked before the commitment: also against a batch committing to equal lengths.
    await expect(f.engine.connect(b0).declare(1, f.batch.key, f.batch.header, [b1.address], f.batch.totals))
      .to.be.revertedWithCustomError(f.engine, "NettingLengthMismatch")
      .withArgs(1, 2);
    const id = batchIdOf(b0.address, batch.key);
    expect(await nettedCyclesOf(f.ledger, id)).to.deep.equal([]);
    expect(await f.ledger.statusOf(id, batch.header)).to.equal(Status.Final);
  });

  it("made-up or unenrolled creditors: the ledger's LedgerNotEnrolled(creditor); the cycle stays usable", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, ledger, operator, banks } = f;
    const [b0, b1, b2] = banks;
    // The old attack: 31 made-up creditors filling the cycle's 32 participants.
    const junk = Array.from({ length: 31 }, (_, i) => madeUp(`junk ${i}`));
    const ones = junk.map(() => 1n);
    const filler = await finalBatchWith(f, "junk", junk, ones, 31n);
    await expect(engine.connect(b0).declare(1, filler.key, filler.header, junk, ones))
      .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
      .withArgs(junk[0]);
    // A made-up creditor next to the masked one, and a member bank that never enrolled.
    const [unenrolled] = await extraBanks(f, 1);
    for (const [label, stranger] of [
      ["one made-up", madeUp("stranger")],
      ["unenrolled bank", unenrolled.address],
    ] as const) {
      const cps = [b1.address, stranger];
      const batch = await finalBatchWith(f, label, cps, [1n, 2n], 3n);
      await expect(engine.connect(b0).declare(1, batch.key, batch.header, cps, [1n, 2n]))
        .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
        .withArgs(stranger);
    }
    expect((await engine.cycleOf(1)).pending).to.equal(0n);
    expect((await engine.cycleOf(1)).batchCount).to.equal(0n);
    // Honest banks are not blocked, in this cycle or the next.
    const honest = await makeBatch(ledger, "honest", [[b2.address, 5n]]);
    await submitFinal(f, b1, honest, banks);
    await expect(engine.connect(b1).declare(1, honest.key, honest.header, honest.counterparties, honest.totals))
      .to.emit(engine, "BatchDeclared")
      .withArgs(1, batchIdOf(b1.address, honest.key), b1.address, 5n, [b2.address], [5n]);
    await mined(closePending(f, 1));
    await expect(engine.connect(operator).openCycle()).to.emit(engine, "CycleOpened").withArgs(2, operator.address, 0);
  });

  it("a corporate, the engine or the operator as creditor: LedgerNotEnrolled(creditor)", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, ledger, banks, corporate, operator, engineAddress } = f;
    const [b0, b1, , b3] = banks;
    // The old pinned case: the header names bank 1; the totals pay bank 3 and a corporate.
    const unmasked = [b3.address, corporate.address];
    const old = await finalBatchWith(f, "unmasked", unmasked, [40n, 60n], 100n);
    await expect(engine.connect(b0).declare(1, old.key, old.header, unmasked, [40n, 60n]))
      .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
      .withArgs(corporate.address);
    for (const nonBank of [corporate.address, engineAddress, operator.address]) {
      const cps = [nonBank, b1.address];
      const batch = await finalBatchWith(f, `to ${nonBank}`, cps, [60n, 40n], 100n);
      await expect(engine.connect(b0).declare(1, batch.key, batch.header, cps, [60n, 40n]))
        .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
        .withArgs(nonBank);
    }
    expect((await engine.cycleOf(1)).pending).to.equal(0n);
  });

  it("creditors other than the header's mask: NettingCounterpartiesMismatch(id, headerMask, declaredMask)", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, banks } = f;
    const [b0, b1, b2, b3] = banks;
    const cases: Array<[string, HardhatEthersSigner[], HardhatEthersSigner[], bigint, bigint]> = [
      ["outside the mask", [b3], [b1], 0b10n, 0b1000n],
      ["one more than the mask", [b1, b3], [b1], 0b10n, 0b1010n],
      ["a mask bit without creditor", [b1], [b1, b2], 0b110n, 0b10n],
      ["a repeated creditor, one missing", [b1, b1], [b1, b2], 0b110n, 0b10n],
    ];
    for (const [label, creditors, maskBanks, headerMask, declaredMask] of cases) {
      const cps = creditors.map((c) => c.address);
      const totals = cps.map(() => 10n);
      const batch = await finalBatchWith(f, label, cps, totals, sum(totals), maskBanks);
      expect(batch.header.counterpartyMask).to.equal(headerMask);
      await expect(engine.connect(b0).declare(1, batch.key, batch.header, cps, totals))
        .to.be.revertedWithCustomError(engine, "NettingCounterpartiesMismatch")
        .withArgs(batchIdOf(b0.address, batch.key), headerMask, declaredMask);
    }
    expect((await engine.cycleOf(1)).pending).to.equal(0n);
    // Repeated creditors covering exactly the mask are accepted; their amounts add up.
    const cps = [b2.address, b1.address, b2.address];
    const ok = await finalBatchWith(f, "repeats", cps, [1n, 2n, 3n], 6n, [b1, b2]);
    await expect(engine.connect(b0).declare(1, ok.key, ok.header, cps, [1n, 2n, 3n]))
      .to.emit(engine, "BatchDeclared")
      .withArgs(1, batchIdOf(b0.address, ok.key), b0.address, 6n, cps, [1n, 2n, 3n]);
    expect(await engine.pendingOf(1, batchIdOf(b0.address, ok.key))).to.equal(0b110n);
  });

  it("33 participants close (no cap any more); a member bank not enrolled in the ledger cannot be a creditor", async function () {
    const f = await loadFixture(openWithFinalBatch);
    const { engine, ledger, banks } = f;
    const extra = await extraBanks(f, 29);
    for (const bank of extra.slice(0, 28)) await mined(ledger.connect(bank).enroll());
    // The ledger takes 256 banks (ledger-banks.test.ts); the 33rd member is not enrolled yet.
    const [thirtyThird] = extra.slice(28);
    // Bank 0 pays each of the 31 other enrolled banks: 32 participants.
    const others = [...banks.slice(1), ...extra.slice(0, 28)];
    const payments = others.map((b) => [b.address, 1n] as const);
    const all = await makeBatch(ledger, "all 31", payments);
    expect(all.header.counterpartyMask).to.equal(0xfffffffen);
    await submitFinal(f, banks[0], all, others);
    await mined(engine.connect(banks[0]).declare(1, all.key, all.header, all.counterparties, all.totals));
    expect(await engine.pendingOf(1, batchIdOf(banks[0].address, all.key))).to.equal(0xfffffffen);
    // The unenrolled 33rd member bank cannot be named as a creditor.
    const cps = [banks[2].address, thirtyThird.address];
    const over = await finalBatchWith(f, "33rd", cps, [1n, 1n], 2n, [banks[2]]);
    await expect(engine.connect(banks[0]).declare(1, over.key, over.header, cps, [1n, 1n]))
      .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
      .withArgs(thirtyThird.address);
    // Once enrolled (index 32) it can: 33 participants in one cycle, where 32 used to be the cap.
    await mined(ledger.connect(thirtyThird).enroll());
    expect((await ledger.bankOf(thirtyThird.address))[0]).to.equal(32n);
    const to33 = await makeBatch(ledger, "to 33rd", [[thirtyThird.address, 1n]]);
    await submitFinal(f, banks[0], to33, [thirtyThird]);
    await mined(engine.connect(banks[0]).declare(1, to33.key, to33.header, to33.counterparties, to33.totals));
    const receipt = await mined(closePending(f, 1));
    expect(engineEvents(f, receipt, "NetPosition")).to.have.length(33);
    expect(
      engineEvents(f, receipt, "CycleClosed").map((e) => [e.grossSettled, e.netSettled, e.heldBanks]),
    ).to.deep.equal([[32n, 32n, 0n]]);
  });
});
