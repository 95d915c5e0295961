/**
 * Findings of the adversarial review of private mode v2 (decisions 034, 035; review21). Each test
 * reproduces a finding and states what should happen: it fails until the finding is fixed.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Address, Hex } from "viem";
import { buildPrivateBatch } from "../../../packages/zk/src/privateBatch";
import { privateInclusionProof, verifyPrivateInclusion } from "../../../packages/zk/src/privateInclusion";
import { payments } from "../../sdk/settlementFixture";
import { deploySettlement, makeBatch, mined, submitFinal, Status, type SettlementFixture } from "./helpers";

/** Bank 0's private v2 batch: 3 payments to bank 1 (600), 1 to bank 2 (50); ledger indexes read from the chain. */
async function privateDay(f: SettlementFixture) {
  const [debtor, c1, c2] = f.banks;
  const index = new Map<string, number>();
  for (const b of [debtor, c1, c2]) index.set(b.address.toLowerCase(), Number((await f.ledger.bankOf(b.address))[0]));
  const records = payments(
    debtor.address as Address,
    [
      [c1.address as Address, 100n],
      [c1.address as Address, 200n],
      [c1.address as Address, 300n],
      [c2.address as Address, 50n],
    ],
    "r21",
  );
  const batch = buildPrivateBatch(records, {
    submitter: debtor.address as Address,
    key: "r21-day",
    indexOf: (b) => index.get(b.toLowerCase())!,
  });
  return { debtor, c1, c2, index, records, batch };
}

describe("review21 — private mode v2 findings", function () {
  this.timeout(300_000);

  it("F1: a v2 root anchored under a STANDARD totals commitment is declared with `declare` and any totals, yet every creditor's inclusion check passes", async () => {
    const f = await loadFixture(deploySettlement);
    const { debtor, c1, c2, index, records, batch } = await privateDay(f);
    expect(batch.header.totals).to.have.members([600n, 50n]);
    // The bank anchors the honest v2 root (keccak of the chunk roots) but commits to totals of 1 per
    // creditor WITHOUT the v2 tag: nothing on chain ties the root to the commitment's mode.
    const cps = batch.header.counterparties as string[];
    const lowered = cps.map(() => 1n);
    const forged = await makeBatch(
      f.ledger,
      "r21-forged",
      cps.map((c, i) => [c, lowered[i]] as const),
      { root: batch.header.root, entryCount: BigInt(records.length) },
    );
    forged.key = batch.key;
    await submitFinal(f, debtor, forged, [c1, c2]);
    // Each creditor ran the spec's check (§7) before acknowledging: it passes on the anchored root.
    const checks = records.map(
      (r) => () =>
        verifyPrivateInclusion(privateInclusionProof(batch, r.paymentId), {
          record: r,
          bankIndex: index.get(debtor.address.toLowerCase())!,
          creditorIndex: index.get(r.creditorBank.toLowerCase())!,
          headerRoot: forged.header.root as Hex,
        }),
    );
    // Standard `declare` accepts the header with totals of 1 (650 owed): no proof was ever checked.
    await mined(f.engine.connect(f.operator).openCycle());
    const cycle = await f.engine.currentCycle();
    await mined(f.engine.connect(debtor).declare(cycle, forged.key, forged.header, forged.counterparties, lowered));
    expect(await f.ledger.statusOf(batch.batchId, forged.header)).to.equal(Status.Netted);
    // What should happen: a creditor's check must refuse a header whose totals commitment is not the
    // v2-tagged one (only `declareProvedChunks` can declare such a header), so the proofs bind the totals.
    for (const check of checks) expect(check, "the creditor's inclusion check accepted an unproven batch").to.throw();
  });
});
