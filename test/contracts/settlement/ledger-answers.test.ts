import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  ACK_WINDOW,
  bytes32,
  deploySettlement,
  digestOf,
  digestPrefix,
  impair,
  makeBatch,
  mined,
  nettedCyclesOf,
  nettedIn,
  NO_ANCHOR,
  passWindows,
  Status,
  submit,
  submitFinal,
  type Batch,
  type SettlementFixture,
} from "./helpers";

interface Submitted extends SettlementFixture {
  batch: Batch;
  id: string;
  closesAt: number;
}

/** Bank 0 anchored a batch paying banks 1, 2 and 3. */
async function submitted(): Promise<Submitted> {
  const f = await deploySettlement();
  const [b0, b1, b2, b3] = f.banks;
  const batch = await makeBatch(f.ledger, "three", [
    [b1.address, 100n],
    [b2.address, 200n],
    [b3.address, 300n],
  ]);
  const id = await submit(f.ledger, b0, batch);
  return { ...f, batch, id, closesAt: Number(batch.header.closesAt) };
}

/** The anchor the ledger keeps for `batch`: its digest's first 31 bytes, `status`, `ackMask`. */
const anchor = (batch: Batch, status: bigint, ackMask = 0n): [string, bigint, bigint] => [
  digestPrefix(digestOf(batch.header)),
  status,
  ackMask,
];

describe("SettlementLedger: acknowledge", function () {
  it("each counterparty acknowledges: BatchAcknowledged(id, cp, allAcknowledged); Final when all did", async function () {
    const { ledger, banks, id, batch } = await loadFixture(submitted);
    const [, b1, b2, b3] = banks;
    await expect(ledger.connect(b2).acknowledge(id, batch.header))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, b2.address, false);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    await expect(ledger.connect(b1).acknowledge(id, batch.header))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, b1.address, false);
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Submitted, 0b0110n));
    await expect(ledger.connect(b3).acknowledge(id, batch.header))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, b3.address, true);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
    // Final is derived: the stored status stays Submitted, the effective one is Final.
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Submitted, 0b1110n));
  });

  it("refuses the submitter, a non-counterparty bank and a non-member", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, registry, banks, outsider, corporate } = f;
    const batch = await makeBatch(ledger, "one", [[banks[1].address, 5n]]);
    const id = await submit(ledger, banks[0], batch);
    for (const bank of [banks[0], banks[2], banks[3]]) {
      await expect(ledger.connect(bank).acknowledge(id, batch.header))
        .to.be.revertedWithCustomError(ledger, "LedgerNotCounterparty")
        .withArgs(id, bank.address);
    }
    await expect(ledger.connect(outsider).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    await expect(ledger.connect(corporate).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(corporate.address, 2);
  });

  it("a suspended or sanctioned counterparty cannot acknowledge; a sanctioned one cannot dispute (the registry's errors)", async function () {
    const f = await loadFixture(submitted);
    const { ledger, registry, banks, id, batch } = f;
    for (const [bank, how] of [
      [banks[1], "suspended"],
      [banks[2], "sanctioned"],
    ] as const) {
      const expected = await impair(f, bank.address, how);
      await expect(ledger.connect(bank).acknowledge(id, batch.header))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    }
    await expect(ledger.connect(banks[2]).dispute(id, batch.header, 1))
      .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
      .withArgs(banks[2].address, 7);
    // A suspended bank may still dispute, if its transaction reaches the chain (decision 022).
    await expect(ledger.connect(banks[1]).dispute(id, batch.header, 1))
      .to.emit(ledger, "BatchDisputed")
      .withArgs(id, banks[1].address, 1);
  });

  it("a second answer: LedgerAlreadyAnswered (ack then ack, ack then dispute); the others still answer", async function () {
    const { ledger, banks, id, batch } = await loadFixture(submitted);
    await ledger.connect(banks[1]).acknowledge(id, batch.header);
    await expect(ledger.connect(banks[1]).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerAlreadyAnswered")
      .withArgs(id, banks[1].address);
    // A counterparty that acknowledged can no longer dispute: the batch stays as it was.
    await expect(ledger.connect(banks[1]).dispute(id, batch.header, 3))
      .to.be.revertedWithCustomError(ledger, "LedgerAlreadyAnswered")
      .withArgs(id, banks[1].address);
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Submitted, 0b10n));
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    // A counterparty that has not answered still may.
    await expect(ledger.connect(banks[2]).dispute(id, batch.header, 3))
      .to.emit(ledger, "BatchDisputed")
      .withArgs(id, banks[2].address, 3);
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Disputed, 0b10n));
  });

  it("answers up to the header's closesAt; after: LedgerWindowClosed(id, closesAt)", async function () {
    const { ledger, banks, id, closesAt, batch } = await loadFixture(submitted);
    await time.setNextBlockTimestamp(closesAt);
    await expect(ledger.connect(banks[1]).acknowledge(id, batch.header)).to.emit(ledger, "BatchAcknowledged");
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    await expect(ledger.connect(banks[2]).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, closesAt);
    await expect(ledger.connect(banks[3]).dispute(id, batch.header, 1))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, closesAt);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
  });

  it("an unknown batch: LedgerUnknownBatch (acknowledge, dispute, resolve, requireFinal, verifyInclusion)", async function () {
    const { ledger, banks, operator, batch } = await loadFixture(submitted);
    const unknown = bytes32("no such batch");
    // The header of an anchored batch, given with an id nothing is anchored under.
    const calls = [
      () => ledger.connect(banks[1]).acknowledge(unknown, batch.header),
      () => ledger.connect(banks[1]).dispute(unknown, batch.header, 1),
      () => ledger.connect(operator).resolveDispute(unknown, false),
      () => ledger.requireFinal(unknown, batch.header),
      () => ledger.verifyInclusion(unknown, batch.header, batch.header.root, []),
    ];
    for (const call of calls) {
      await expect(call()).to.be.revertedWithCustomError(ledger, "LedgerUnknownBatch").withArgs(unknown);
    }
    // The views do not revert: nothing is stored, the status is None whatever the header.
    expect(await ledger.statusOf(unknown, batch.header)).to.equal(Status.None);
    expect(await ledger.statusOf(unknown, { ...batch.header, root: bytes32("any") })).to.equal(Status.None);
    expect(await ledger.anchorOf(unknown)).to.deep.equal(NO_ANCHOR);
  });

  it("is Final after the window without any answer (stored status: still Submitted)", async function () {
    const { ledger, id, closesAt, batch } = await loadFixture(submitted);
    await time.increaseTo(closesAt);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    await time.increase(1);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
    await ledger.requireFinal(id, batch.header);
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Submitted));
  });

  it("acknowledge / dispute with another header than the anchored one: LedgerHeaderMismatch(id, prefix, given)", async function () {
    const { ledger, banks, id, batch, closesAt } = await loadFixture(submitted);
    const prefix = digestPrefix(digestOf(batch.header));
    const forged = [
      // A counterparty stretching its own window, or a bank adding itself to the mask.
      { ...batch.header, closesAt: batch.header.closesAt + 3_600n },
      { ...batch.header, counterpartyMask: batch.header.counterpartyMask | 1n },
      { ...batch.header, grossTotal: batch.header.grossTotal - 1n },
    ];
    for (const header of forged) {
      await expect(ledger.connect(banks[1]).acknowledge(id, header))
        .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
        .withArgs(id, prefix, digestOf(header));
      await expect(ledger.connect(banks[2]).dispute(id, header, 1))
        .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
        .withArgs(id, prefix, digestOf(header));
    }
    // After the window, a later closesAt does not reopen it.
    await time.increaseTo(closesAt + 1);
    await expect(ledger.connect(banks[3]).dispute(id, forged[0], 1))
      .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
      .withArgs(id, prefix, digestOf(forged[0]));
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Submitted));
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
  });

  it("statusOf with another header: LedgerHeaderMismatch; anchorOf does not need the header", async function () {
    const { ledger, id, batch } = await loadFixture(submitted);
    for (const header of [
      { ...batch.header, closesAt: batch.header.closesAt - 1n },
      { ...batch.header, metadataDigest: bytes32("other") },
    ]) {
      await expect(ledger.statusOf(id, header))
        .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
        .withArgs(id, digestPrefix(digestOf(batch.header)), digestOf(header));
    }
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Submitted));
  });
});

describe("SettlementLedger: disputes", function () {
  it("reason 0: LedgerInvalidReason; a dispute: BatchDisputed, status Disputed, no further answers", async function () {
    const { ledger, banks, id, batch } = await loadFixture(submitted);
    await expect(ledger.connect(banks[2]).dispute(id, batch.header, 0)).to.be.revertedWithCustomError(
      ledger,
      "LedgerInvalidReason",
    );
    await ledger.connect(banks[1]).acknowledge(id, batch.header);
    await expect(ledger.connect(banks[2]).dispute(id, batch.header, 42))
      .to.emit(ledger, "BatchDisputed")
      .withArgs(id, banks[2].address, 42);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Disputed);
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Disputed, 0b10n));
    // The others can no longer answer, whatever the window says.
    await expect(ledger.connect(banks[3]).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Disputed);
    // The disputing bank answering again gets LedgerWrongStatus, not LedgerAlreadyAnswered.
    await expect(ledger.connect(banks[2]).dispute(id, batch.header, 42))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Disputed);
    // A dispute does not lapse with the window.
    await passWindows(batch);
    await time.increase(ACK_WINDOW);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Disputed);
  });

  it("after the window: LedgerWindowClosed", async function () {
    const { ledger, banks, id, closesAt, batch } = await loadFixture(submitted);
    await time.setNextBlockTimestamp(closesAt + 1);
    await expect(ledger.connect(banks[1]).dispute(id, batch.header, 1))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, closesAt);
  });

  it("an OPERATOR upholds a dispute: DisputeResolved(id, operator, true), Rejected", async function () {
    const { ledger, banks, operator, id, batch } = await loadFixture(submitted);
    await ledger.connect(banks[3]).dispute(id, batch.header, 7);
    await expect(ledger.connect(operator).resolveDispute(id, true))
      .to.emit(ledger, "DisputeResolved")
      .withArgs(id, operator.address, true);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Rejected);
    await passWindows(batch);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Rejected);
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Rejected));
    await expect(ledger.requireFinal(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Rejected);
    await expect(ledger.connect(operator).resolveDispute(id, false))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Rejected);
  });

  it("an OPERATOR dismisses a dispute: DisputeResolved(id, operator, false), Final", async function () {
    const { ledger, banks, operator, id, batch } = await loadFixture(submitted);
    await ledger.connect(banks[3]).dispute(id, batch.header, 7);
    await expect(ledger.connect(operator).resolveDispute(id, false))
      .to.emit(ledger, "DisputeResolved")
      .withArgs(id, operator.address, false);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
    // A dismissed dispute is stored Final (not derived from acknowledgements or the clock).
    expect(await ledger.anchorOf(id)).to.deep.equal(anchor(batch, Status.Final));
    await ledger.requireFinal(id, batch.header);
    await expect(ledger.connect(banks[1]).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Final);
  });

  it("resolveDispute: non-operators get the registry's errors; an undisputed batch LedgerWrongStatus", async function () {
    const f = await loadFixture(submitted);
    const { ledger, registry, banks, operator, outsider, id, batch } = f;
    await expect(ledger.connect(operator).resolveDispute(id, true))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Submitted);
    await ledger.connect(banks[1]).dispute(id, batch.header, 1);
    for (const caller of [banks[0], banks[1]]) {
      await expect(ledger.connect(caller).resolveDispute(id, true))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(caller.address, 1);
    }
    await expect(ledger.connect(outsider).resolveDispute(id, true))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    // The contract owner is governance, not an operator.
    await expect(ledger.resolveDispute(id, true)).to.be.revertedWithCustomError(registry, "RegistryNotMember");
    // resolveDispute takes no header, so it reports the stored status: a batch Final by its window
    // is stored Submitted; one Final by all acknowledgements too.
    const other = await makeBatch(ledger, "late", [[banks[0].address, 1n]]);
    const lateId = await submit(ledger, banks[2], other);
    const acked = await makeBatch(ledger, "acked", [[banks[0].address, 1n]]);
    const ackedId = await submitFinal(f, banks[2], acked, banks);
    await passWindows(other);
    expect(await ledger.statusOf(lateId, other.header)).to.equal(Status.Final);
    await expect(ledger.connect(operator).resolveDispute(lateId, true))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(lateId, Status.Submitted);
    await expect(ledger.connect(operator).resolveDispute(ackedId, false))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(ackedId, Status.Submitted);
  });
});

describe("SettlementLedger: requireFinal and verifyInclusion", function () {
  it("requireFinal: LedgerHeaderMismatch for another header, LedgerWrongStatus before Final", async function () {
    const { ledger, banks, id, batch } = await loadFixture(submitted);
    const other = { ...batch.header, grossTotal: batch.header.grossTotal + 1n };
    await expect(ledger.requireFinal(id, other))
      .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
      .withArgs(id, digestPrefix(digestOf(batch.header)), digestOf(other));
    await expect(ledger.requireFinal(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Submitted);
    for (const bank of banks.slice(1)) await ledger.connect(bank).acknowledge(id, batch.header);
    await ledger.requireFinal(id, batch.header);
    await ledger.connect(banks[1]).requireFinal(id, batch.header);
    await expect(ledger.requireFinal(id, other)).to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch");
  });

  it("verifyInclusion: true for every record of a real StandardMerkleTree, false for a tampered leaf", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const types = ["uint256", "address", "address", "uint64", "uint256", "uint256", "uint256", "uint256"];
    const values = Array.from({ length: 13 }, (_, i) => [
      BigInt(ethers.id(`payment ${i}`)) >> 8n,
      banks[0].address,
      banks[1 + (i % 3)].address,
      20_000n + BigInt(i),
      1_000n * BigInt(i + 1),
      BigInt(i),
      BigInt(ethers.id(`ref ${i}`)),
      0n,
    ]);
    const tree = StandardMerkleTree.of(values, types);
    const batch = await makeBatch(ledger, "tree", [[banks[1].address, 91_000n]], {
      root: tree.root,
      entryCount: BigInt(values.length),
    });
    const id = await submit(ledger, banks[0], batch);
    for (const [i, v] of tree.entries()) {
      const leaf = tree.leafHash(v);
      const words = v.map((x) => BigInt(x as string | bigint)) as bigint[];
      expect(await ledger.leafOf(words)).to.equal(leaf);
      expect(await ledger.verifyInclusion(id, batch.header, leaf, tree.getProof(i))).to.equal(true);
    }
    const tampered = [...values[4]];
    tampered[4] = (tampered[4] as bigint) + 1n;
    const tamperedLeaf = await ledger.leafOf(tampered.map((x) => BigInt(x)));
    expect(await ledger.verifyInclusion(id, batch.header, tamperedLeaf, tree.getProof(4))).to.equal(false);
    // A real leaf with another leaf's proof, and a proof against another header, fail too.
    expect(await ledger.verifyInclusion(id, batch.header, tree.leafHash(values[0]), tree.getProof(1))).to.equal(false);
    const otherHeader = { ...batch.header, root: bytes32("forged root") };
    await expect(ledger.verifyInclusion(id, otherHeader, tree.leafHash(values[0]), tree.getProof(0)))
      .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
      .withArgs(id, digestPrefix(digestOf(batch.header)), digestOf(otherHeader));
  });
});

describe("SettlementLedger: anchorOf (what is stored) through a batch's life", function () {
  it("digest prefix, stored status (Submitted, Disputed, Rejected, Final, Netted) and acknowledgement mask", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, engine, banks, operator } = f;
    const [b0, b1, b2] = banks;
    const pay = (label: string) =>
      makeBatch(ledger, label, [
        [b1.address, 10n],
        [b2.address, 20n],
      ]);
    const [silent, disputed, rejected, dismissed, netted] = [
      await pay("silent"),
      await pay("disputed"),
      await pay("rejected"),
      await pay("dismissed"),
      await pay("netted"),
    ];
    const ids: string[] = [];
    for (const b of [silent, disputed, rejected, dismissed, netted]) ids.push(await submit(ledger, b0, b));
    const [silentId, disputedId, rejectedId, dismissedId, nettedId] = ids;
    for (const [i, b] of [silent, disputed, rejected, dismissed, netted].entries()) {
      expect(await ledger.anchorOf(ids[i])).to.deep.equal(anchor(b, Status.Submitted));
    }
    // Acknowledgements show in the mask, whatever happens to the batch next.
    await mined(ledger.connect(b2).acknowledge(disputedId, disputed.header));
    await mined(ledger.connect(b1).dispute(disputedId, disputed.header, 9));
    await mined(ledger.connect(b1).dispute(rejectedId, rejected.header, 9));
    await mined(ledger.connect(operator).resolveDispute(rejectedId, true));
    await mined(ledger.connect(b2).dispute(dismissedId, dismissed.header, 9));
    await mined(ledger.connect(operator).resolveDispute(dismissedId, false));
    await mined(ledger.connect(b1).acknowledge(nettedId, netted.header));
    await mined(ledger.connect(b2).acknowledge(nettedId, netted.header));
    await mined(engine.connect(operator).openCycle());
    const receipt = await mined(
      engine.connect(b0).declare(1, netted.key, netted.header, netted.counterparties, netted.totals),
    );
    expect(await nettedIn(ledger, receipt)).to.deep.equal([[nettedId, 1n]]);
    await passWindows(silent, disputed, rejected, dismissed, netted);
    expect(await ledger.anchorOf(silentId)).to.deep.equal(anchor(silent, Status.Submitted));
    expect(await ledger.statusOf(silentId, silent.header)).to.equal(Status.Final);
    expect(await ledger.anchorOf(disputedId)).to.deep.equal(anchor(disputed, Status.Disputed, 0b100n));
    expect(await ledger.anchorOf(rejectedId)).to.deep.equal(anchor(rejected, Status.Rejected));
    expect(await ledger.anchorOf(dismissedId)).to.deep.equal(anchor(dismissed, Status.Final));
    expect(await ledger.anchorOf(nettedId)).to.deep.equal(anchor(netted, Status.Netted, 0b110n));
    expect(await ledger.statusOf(nettedId, netted.header)).to.equal(Status.Netted);
    expect(await nettedCyclesOf(ledger, nettedId)).to.deep.equal([1n]);
    // Only a batch's own status byte moves: the prefixes are the submitted digests'.
    for (const [i, b] of [silent, disputed, rejected, dismissed, netted].entries()) {
      expect((await ledger.anchorOf(ids[i]))[0]).to.equal(digestPrefix(digestOf(b.header)));
    }
  });
});
