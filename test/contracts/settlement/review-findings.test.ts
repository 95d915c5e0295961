/**
 * Findings of the adversarial review of the close by holding (decision 023), each reproduced and
 * now refused: opening a cycle while one is being closed in steps (F1), writeOff during such a close
 * (F2), a released bank's index reused mid-close (F3), the engine lifting a bar governance set (F4),
 * the audit and writeOff (F7), pendingOf of a closed cycle (F8), batches too big to present (G1).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Hex } from "viem";
import {
  batchIdOf,
  closePending,
  declarationOf,
  declareFinal,
  deploySettlement,
  extraBanks,
  makeBatch,
  MAX_UINT256,
  mined,
  passWindows,
  pendingDeclarations,
  type SettlementFixture,
} from "./helpers";
import { nettingCycles } from "../../../packages/sdk/src/audit/netting";
import type { AuditEvent, ChainSnapshot } from "../../../packages/sdk/src/audit/collect";

/** The audit's netting check over every event of the engine, the ledger and the token so far. */
async function auditNetting(f: SettlementFixture) {
  const sources = [
    ["NettingEngine", f.engine] as const,
    ["SettlementLedger", f.ledger] as const,
    ["SettlementToken", f.token] as const,
  ];
  const events: AuditEvent[] = [];
  for (const [name, c] of sources) {
    const address = (await c.getAddress()).toLowerCase();
    const logs = await ethers.provider.getLogs({ address, fromBlock: 0, toBlock: "latest" });
    for (const log of logs) {
      const parsed = c.interface.parseLog(log);
      if (!parsed) continue;
      const args: Record<string, unknown> = {};
      parsed.fragment.inputs.forEach((input, i) => {
        const v = parsed.args[i];
        args[input.name] = Array.isArray(v) ? [...v] : v;
      });
      events.push({
        contract: name as never,
        eventName: parsed.name,
        args,
        blockNumber: BigInt(log.blockNumber),
        logIndex: log.index,
        transactionHash: log.transactionHash as Hex,
      });
    }
  }
  events.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : Number(a.blockNumber - b.blockNumber),
  );
  return nettingCycles({
    events,
    addresses: { NettingEngine: f.engineAddress },
    deployment: { token: { name: "Test Euro", symbol: "tEUR", decimals: 2 } },
  } as unknown as ChainSnapshot);
}

describe("review: engine-streamed findings", function () {
  it("F1 fixed: openCycle is refused while the current cycle is being closed in several transactions", async function () {
    const f = await loadFixture(deploySettlement);
    const [b0, b1] = f.banks;
    const op = f.engine.connect(f.operator);
    await mined(op.openCycle());
    await declareFinal(f, b0, "orphan", [[b1, 1_000n]]);
    const pending = await pendingDeclarations(f, 1);
    await mined(op.beginClose(1, 0n));
    await mined(op.closeStep(1, pending));
    await expect(op.openCycle()).to.be.revertedWithCustomError(f.engine, "NettingCycleStillOpen").withArgs(1);
    const before = await f.token.balanceOf(b1.address);
    await mined(op.finishClose(1, true));
    expect(await f.token.balanceOf(b1.address)).to.equal(before + 1_000n);
    expect(await f.engine.currentCycle()).to.equal(2n);
  });

  it("F2 fixed: a pending batch naming a released bank whose index was reused can be written off during a close in steps", async function () {
    const f = await loadFixture(deploySettlement);
    const [b0, , , b3] = f.banks;
    const op = f.engine.connect(f.operator);
    await mined(op.openCycle());
    const x = await declareFinal(f, b0, "to-b3", [[b3, 100n]]);
    const id = batchIdOf(b0.address, x.key);
    await mined(f.registry.removeMember(b3.address));
    await mined(closePending(f, 1, [], true)); // b3 inactive: held, the batch is carried into cycle 2
    expect(await f.engine.pendingOf(2, id)).to.equal(0b1000n);
    await mined(f.ledger.connect(f.operator).releaseBank(b3.address));
    const [, availableAt] = await f.ledger.freeIndexes();
    await time.increaseTo(availableAt[0]);
    const [n] = await extraBanks(f, 1);
    await mined(f.ledger.connect(n).enroll()); // n gets index 3
    expect((await f.ledger.bankOf(n.address))[0]).to.equal(3n);
    // The operator closes in steps (as the SDK does for a large cycle).
    await mined(op.beginClose(2, 1n << 3n));
    const pending = await pendingDeclarations(f, 2);
    await expect(op.closeStep(2, pending)).to.be.revertedWithCustomError(f.engine, "NettingIndexReused");
    // Governance writes off what is pending with the released bank: the close is abandoned (the
    // cycle is Open again) and can be begun again without it.
    await expect(f.engine.writeOff(2, id)).to.emit(f.engine, "PendingWrittenOff").withArgs(2, id, 0b1000n);
    expect((await f.engine.cycleOf(2)).status).to.equal(1n);
    await mined(op.beginClose(2, 0n));
    await mined(op.closeStep(2, await pendingDeclarations(f, 2)));
    await mined(op.finishClose(2, true));
    expect((await f.engine.cycleOf(2)).status).to.equal(2n);
  });

  it("F3 fixed: a step refuses a released bank (its index could change holder before the finish)", async function () {
    const f = await loadFixture(deploySettlement);
    const [b0, , , b3] = f.banks;
    const op = f.engine.connect(f.operator);
    await mined(op.openCycle());
    const x = await declareFinal(f, b0, "to-b3", [[b3, 100n]]);
    await mined(f.registry.removeMember(b3.address));
    await mined(closePending(f, 1, [], true)); // carried into cycle 2 (b3 held, inactive)
    await mined(f.ledger.connect(f.operator).releaseBank(b3.address));
    await mined(op.beginClose(2, 0n));
    await expect(op.closeStep(2, [declarationOf(b0, x)]))
      .to.be.revertedWithCustomError(f.engine, "NettingIndexReused")
      .withArgs(3, b3.address, ethers.ZeroAddress);
  });

  it("F4 fixed: the engine never lifts a bar governance set", async function () {
    const f = await loadFixture(deploySettlement);
    const [b0, b1] = f.banks;
    const op = f.engine.connect(f.operator);
    await mined(op.openCycle());
    await mined(f.token.connect(b0).approve(f.engineAddress, 0n));
    await declareFinal(f, b0, "short", [[b1, 1_000n]]);
    await mined(f.ledger.connect(f.owner).setBarred(b0.address, true)); // governance's own bar (e.g. compliance)
    for (let c = 1; c <= 3; c++) await mined(closePending(f, c, [], true));
    expect(await f.engine.deferralsOf(b0.address)).to.equal(3n);
    await mined(f.token.connect(b0).approve(f.engineAddress, MAX_UINT256));
    await expect(closePending(f, 4, [], true))
      .to.emit(f.engine, "DeferralsCleared")
      .and.not.to.emit(f.ledger, "BankBarred");
    expect(await f.ledger.isBarred(b0.address)).to.equal(true); // still governance's bar
  });

  it("F7 fixed: the audit knows a written-off batch is no longer live", async function () {
    const f = await loadFixture(deploySettlement);
    const [b0, b1] = f.banks;
    const op = f.engine.connect(f.operator);
    await mined(op.openCycle());
    await mined(f.token.connect(b0).approve(f.engineAddress, 0n));
    const x = await declareFinal(f, b0, "short", [[b1, 1_000n]]);
    await mined(closePending(f, 1, [], true)); // b0 held, carried
    await mined(f.engine.writeOff(2, batchIdOf(b0.address, x.key)));
    await mined(closePending(f, 2, [], true));
    const result = await auditNetting(f);
    expect(result.failures).to.deep.equal([]);
    expect(result.checked).to.equal(2);
  });

  it("F8 fixed: pendingOf is 0 once the cycle is closed", async function () {
    const f = await loadFixture(deploySettlement);
    const [b0, b1] = f.banks;
    await mined(f.engine.connect(f.operator).openCycle());
    const x = await declareFinal(f, b0, "settles", [[b1, 10n]]);
    await mined(closePending(f, 1, [], true));
    expect(await f.engine.pendingOf(1, batchIdOf(b0.address, x.key))).to.equal(0n);
  });

  it("G1 fixed: a batch of more than 256 entries is refused at declaration (it could not be presented again)", async function () {
    const f = await loadFixture(deploySettlement);
    const [b0, b1] = f.banks;
    await mined(f.engine.connect(f.operator).openCycle());
    const payments = Array.from({ length: 257 }, () => [b1.address, 1n] as const);
    const batch = await makeBatch(f.ledger, "huge", payments);
    await mined(f.ledger.connect(b0).submitBatch(batch.key, batch.header));
    await passWindows(batch);
    await expect(f.engine.connect(b0).declare(1, batch.key, batch.header, batch.counterparties, batch.totals))
      .to.be.revertedWithCustomError(f.engine, "NettingTooManyEntries")
      .withArgs(batchIdOf(b0.address, batch.key), 257, 256);
  });
});
