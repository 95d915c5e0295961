/**
 * Review 23b, finding A: a streamed close abandoned by writeOff (Closing → Open) and then finished
 * with closeCycleWith carries into session 0, but the next cycle looks its carried batches up in
 * `closing[cycle].session` (still the abandoned session): a batch that SETTLED in the final close
 * is found "pending" again from the abandoned session's stale carry and settles a second time,
 * while the batch really carried cannot be presented (stuck). These tests assert the sound
 * behaviour and FAIL on the current code.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  batchIdOf,
  declarationOf,
  declareFinal,
  deploySettlement,
  engineEvents,
  MAX_UINT256,
  mined,
  type SettlementFixture,
} from "./helpers";

/** Cycle 1 open: X = bank 0 → bank 1 1,000 (bank 0 cannot pay yet), Y = bank 2 → bank 3 10, Z = bank 3 → bank 1 5. */
async function threeBatches() {
  const f = await deploySettlement();
  const [b0, b1, b2, b3] = f.banks;
  await mined(f.engine.connect(f.operator).openCycle());
  await mined(f.token.connect(b0).approve(f.engineAddress, 0n));
  const x = await declareFinal(f, b0, "r23b-x", [[b1, 1_000n]]);
  const y = await declareFinal(f, b2, "r23b-y", [[b3, 10n]]);
  const z = await declareFinal(f, b3, "r23b-z", [[b1, 5n]]);
  return { ...f, x, y, z };
}

async function abandonedThenClosedWith(f: SettlementFixture & Awaited<ReturnType<typeof threeBatches>>) {
  const { engine, operator, banks, ledger } = f;
  const [b0, b1, b2, b3] = banks;
  const idx = async (a: string) => Number((await ledger.bankOf(a))[0]);
  // Session 1: bank 0 held; X presented and carried in session 1.
  await mined(engine.connect(operator).beginClose(1, 1n << BigInt(await idx(b0.address))));
  await mined(engine.connect(operator).closeStep(1, [declarationOf(b0, f.x)]));
  // Governance writes Y off: the close is abandoned, the cycle Open again.
  await mined(engine.writeOff(1, batchIdOf(b2.address, f.y.key)));
  expect((await engine.cycleOf(1)).status).to.equal(1n);
  // Now bank 0 can pay and bank 3 cannot: closeCycleWith settles X and carries Z (session 0).
  await mined(f.token.connect(b0).approve(f.engineAddress, MAX_UINT256));
  await mined(f.token.connect(b3).approve(f.engineAddress, 0n));
  const r1 = await mined(
    engine.connect(operator).closeCycleWith(1, [declarationOf(b0, f.x), declarationOf(b3, f.z)], true),
  );
  expect(engineEvents(f, r1, "CycleClosed").map((e) => e.grossSettled)).to.deep.equal([1_000n]);
  expect((await engine.cycleOf(2)).pending).to.equal(1n);
  return { b0, b1, b3 };
}

describe("review23b — a streamed close abandoned by writeOff, then closeCycleWith", function () {
  it("the batch carried by the final close is pending in the next cycle, the settled one is not", async function () {
    const f = await loadFixture(threeBatches);
    const { b0, b3 } = await abandonedThenClosedWith(f);
    // Expected: Z (carried by closeCycleWith) pending in cycle 2, X (settled) not.
    expect(await f.engine.pendingOf(2, batchIdOf(b3.address, f.z.key))).to.not.equal(0n);
    expect(await f.engine.pendingOf(2, batchIdOf(b0.address, f.x.key))).to.equal(0n);
  });

  it("a batch settled by the final close cannot be settled again in the next cycle", async function () {
    const f = await loadFixture(threeBatches);
    const { b0 } = await abandonedThenClosedWith(f);
    // Presenting X again (the stale session-1 carry) must be refused; today it settles a second time:
    // bank 0 pays bank 1 another 1,000 (CycleClosed gross 1,000, bank 0's balance down 1,000).
    const before = await f.token.balanceOf(b0.address);
    let settledAgain = 0n;
    try {
      const r = await mined(f.engine.connect(f.operator).closeCycleWith(2, [declarationOf(b0, f.x)], false));
      settledAgain = engineEvents(f, r, "CycleClosed")[0].grossSettled;
    } catch {
      // refused: the sound outcome
    }
    expect(settledAgain, "X settled a second time").to.equal(0n);
    expect(await f.token.balanceOf(b0.address)).to.equal(before);
  });
});
