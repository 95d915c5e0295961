/**
 * Review 23b, finding D: `declareProved` now runs PrivateProofs.checkBatch BEFORE the declaration's
 * own checks. checkBatch reads `totals[k]` for every counterparty, so a call with fewer totals than
 * counterparties reverts with a Panic (0x32, array out of bounds) instead of the typed
 * NettingLengthMismatch it gave before (Declaring.check ran first). This test asserts the typed
 * error and FAILS today.
 */
import { expect } from "chai";
import { deployZk } from "../zk/helpers";
import { deploySettlement, makeBatch, mined, submitFinal } from "./helpers";

describe("review23b — declareProved's checks moved before the declaration", () => {
  it("fewer totals than counterparties: NettingLengthMismatch (not a Panic)", async () => {
    const f = await deploySettlement();
    await deployZk(f.engine, []);
    await mined(f.engine.connect(f.operator).openCycle());
    const b = await makeBatch(f.ledger, "r23b-len", [
      [f.banks[1].address, 10n],
      [f.banks[2].address, 20n],
    ]);
    await submitFinal(f, f.banks[0], b, f.banks);
    const proof = Array(8).fill(0n) as bigint[];
    await expect(
      f.engine.connect(f.banks[0]).declareProved(1, b.key, b.header, b.counterparties, [10n], proof),
    ).to.be.revertedWithCustomError(f.engine, "NettingLengthMismatch");
  });
});
