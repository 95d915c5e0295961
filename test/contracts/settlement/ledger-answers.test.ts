import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  ACK_WINDOW,
  bytes32,
  deploySettlement,
  digestOf,
  impair,
  makeBatch,
  Status,
  submit,
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
  const [state] = await f.ledger.batchOf(id);
  return { ...f, batch, id, closesAt: Number(state.submittedAt) + ACK_WINDOW };
}

describe("SettlementLedger: acknowledge", function () {
  it("each counterparty acknowledges: BatchAcknowledged(id, cp, allAcknowledged); Final when all did", async function () {
    const { ledger, banks, id } = await loadFixture(submitted);
    const [, b1, b2, b3] = banks;
    await expect(ledger.connect(b2).acknowledge(id))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, b2.address, false);
    expect(await ledger.statusOf(id)).to.equal(Status.Submitted);
    await expect(ledger.connect(b1).acknowledge(id))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, b1.address, false);
    expect((await ledger.batchOf(id))[0].ackMask).to.equal(0b0110n);
    await expect(ledger.connect(b3).acknowledge(id))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, b3.address, true);
    expect(await ledger.statusOf(id)).to.equal(Status.Final);
    const [state, , status] = await ledger.batchOf(id);
    // Final is derived: the stored status stays Submitted, the effective one is Final.
    expect([state.status, state.ackMask, status]).to.deep.equal([Status.Submitted, 0b1110n, Status.Final]);
  });

  it("refuses the submitter, a non-counterparty bank and a non-member", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, registry, banks, outsider, corporate } = f;
    const batch = await makeBatch(ledger, "one", [[banks[1].address, 5n]]);
    const id = await submit(ledger, banks[0], batch);
    for (const bank of [banks[0], banks[2], banks[3]]) {
      await expect(ledger.connect(bank).acknowledge(id))
        .to.be.revertedWithCustomError(ledger, "LedgerNotCounterparty")
        .withArgs(id, bank.address);
    }
    await expect(ledger.connect(outsider).acknowledge(id))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    await expect(ledger.connect(corporate).acknowledge(id))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(corporate.address, 2);
  });

  it("a suspended or sanctioned counterparty cannot answer (the registry's errors)", async function () {
    const f = await loadFixture(submitted);
    const { ledger, registry, banks, id } = f;
    for (const [bank, how] of [
      [banks[1], "suspended"],
      [banks[2], "sanctioned"],
    ] as const) {
      const expected = await impair(f, bank.address, how);
      await expect(ledger.connect(bank).acknowledge(id))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
      await expect(ledger.connect(bank).dispute(id, 1))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    }
  });

  it("a second answer: LedgerAlreadyAnswered (ack then ack, ack then dispute)", async function () {
    const { ledger, banks, id } = await loadFixture(submitted);
    await ledger.connect(banks[1]).acknowledge(id);
    await expect(ledger.connect(banks[1]).acknowledge(id))
      .to.be.revertedWithCustomError(ledger, "LedgerAlreadyAnswered")
      .withArgs(id, banks[1].address);
    await expect(ledger.connect(banks[1]).dispute(id, 3))
      .to.be.revertedWithCustomError(ledger, "LedgerAlreadyAnswered")
      .withArgs(id, banks[1].address);
  });

  it("answers up to submittedAt + window; after: LedgerWindowClosed(id, closesAt)", async function () {
    const { ledger, banks, id, closesAt } = await loadFixture(submitted);
    await time.setNextBlockTimestamp(closesAt);
    await expect(ledger.connect(banks[1]).acknowledge(id)).to.emit(ledger, "BatchAcknowledged");
    expect(await ledger.statusOf(id)).to.equal(Status.Submitted);
    await expect(ledger.connect(banks[2]).acknowledge(id))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, closesAt);
    await expect(ledger.connect(banks[3]).dispute(id, 1))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, closesAt);
    expect(await ledger.statusOf(id)).to.equal(Status.Final);
  });

  it("an unknown batch: LedgerUnknownBatch (acknowledge, dispute, resolve, batchOf, requireFinal)", async function () {
    const { ledger, banks, operator, batch } = await loadFixture(submitted);
    const unknown = bytes32("no such batch");
    const calls = [
      () => ledger.connect(banks[1]).acknowledge(unknown),
      () => ledger.connect(banks[1]).dispute(unknown, 1),
      () => ledger.connect(operator).resolveDispute(unknown, false),
      () => ledger.batchOf(unknown),
      () => ledger.requireFinal(unknown, batch.header),
      () => ledger.verifyInclusion(unknown, batch.header, batch.header.root, []),
    ];
    for (const call of calls) {
      await expect(call()).to.be.revertedWithCustomError(ledger, "LedgerUnknownBatch").withArgs(unknown);
    }
    expect(await ledger.statusOf(unknown)).to.equal(Status.None);
  });

  it("is Final after the window without any answer", async function () {
    const { ledger, id, closesAt, batch } = await loadFixture(submitted);
    await time.increaseTo(closesAt);
    expect(await ledger.statusOf(id)).to.equal(Status.Submitted);
    await time.increase(1);
    expect(await ledger.statusOf(id)).to.equal(Status.Final);
    await ledger.requireFinal(id, batch.header);
  });
});

describe("SettlementLedger: disputes", function () {
  it("reason 0: LedgerInvalidReason; a dispute: BatchDisputed, status Disputed, no further answers", async function () {
    const { ledger, banks, id } = await loadFixture(submitted);
    await expect(ledger.connect(banks[2]).dispute(id, 0)).to.be.revertedWithCustomError(ledger, "LedgerInvalidReason");
    await ledger.connect(banks[1]).acknowledge(id);
    await expect(ledger.connect(banks[2]).dispute(id, 42))
      .to.emit(ledger, "BatchDisputed")
      .withArgs(id, banks[2].address, 42);
    expect(await ledger.statusOf(id)).to.equal(Status.Disputed);
    // The others can no longer answer, whatever the window says.
    await expect(ledger.connect(banks[3]).acknowledge(id))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Disputed);
    // The disputing bank answering again gets LedgerWrongStatus, not LedgerAlreadyAnswered.
    await expect(ledger.connect(banks[2]).dispute(id, 42))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Disputed);
    // A dispute does not lapse with the window.
    await time.increase(ACK_WINDOW * 2);
    expect(await ledger.statusOf(id)).to.equal(Status.Disputed);
  });

  it("after the window: LedgerWindowClosed", async function () {
    const { ledger, banks, id, closesAt } = await loadFixture(submitted);
    await time.setNextBlockTimestamp(closesAt + 1);
    await expect(ledger.connect(banks[1]).dispute(id, 1))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, closesAt);
  });

  it("an OPERATOR upholds a dispute: DisputeResolved(id, operator, true), Rejected", async function () {
    const { ledger, banks, operator, id, batch } = await loadFixture(submitted);
    await ledger.connect(banks[3]).dispute(id, 7);
    await expect(ledger.connect(operator).resolveDispute(id, true))
      .to.emit(ledger, "DisputeResolved")
      .withArgs(id, operator.address, true);
    expect(await ledger.statusOf(id)).to.equal(Status.Rejected);
    await time.increase(ACK_WINDOW * 2);
    expect(await ledger.statusOf(id)).to.equal(Status.Rejected);
    await expect(ledger.requireFinal(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Rejected);
    await expect(ledger.connect(operator).resolveDispute(id, false))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Rejected);
  });

  it("an OPERATOR dismisses a dispute: DisputeResolved(id, operator, false), Final", async function () {
    const { ledger, banks, operator, id, batch } = await loadFixture(submitted);
    await ledger.connect(banks[3]).dispute(id, 7);
    await expect(ledger.connect(operator).resolveDispute(id, false))
      .to.emit(ledger, "DisputeResolved")
      .withArgs(id, operator.address, false);
    expect(await ledger.statusOf(id)).to.equal(Status.Final);
    await ledger.requireFinal(id, batch.header);
    await expect(ledger.connect(banks[1]).acknowledge(id))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Final);
  });

  it("resolveDispute: non-operators get the registry's errors; an undisputed batch LedgerWrongStatus", async function () {
    const { ledger, registry, banks, operator, outsider, id, closesAt } = await loadFixture(submitted);
    await expect(ledger.connect(operator).resolveDispute(id, true))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Submitted);
    await ledger.connect(banks[1]).dispute(id, 1);
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
    // A batch that became Final by its window reports its effective status.
    const other = await makeBatch(ledger, "late", [[banks[0].address, 1n]]);
    const lateId = await submit(ledger, banks[2], other);
    await time.increaseTo(closesAt + ACK_WINDOW + 100);
    await expect(ledger.connect(operator).resolveDispute(lateId, true))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(lateId, Status.Final);
  });
});

describe("SettlementLedger: requireFinal and verifyInclusion", function () {
  it("requireFinal: LedgerHeaderMismatch for another header, LedgerWrongStatus before Final", async function () {
    const { ledger, banks, id, batch } = await loadFixture(submitted);
    const other = { ...batch.header, grossTotal: batch.header.grossTotal + 1n };
    await expect(ledger.requireFinal(id, other))
      .to.be.revertedWithCustomError(ledger, "LedgerHeaderMismatch")
      .withArgs(id, digestOf(batch.header), digestOf(other));
    await expect(ledger.requireFinal(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Submitted);
    for (const bank of banks.slice(1)) await ledger.connect(bank).acknowledge(id);
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
      .withArgs(id, digestOf(batch.header), digestOf(otherHeader));
  });
});
