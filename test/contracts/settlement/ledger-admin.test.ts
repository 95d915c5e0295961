import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { SettlementLedger, SettlementLedgerV2 } from "../../../typechain-types";
import {
  ACK_WINDOW,
  bytes32,
  deploySettlement,
  digestOf,
  digestPrefix,
  headerTuple,
  makeBatch,
  MAX_WINDOW_SLACK,
  mined,
  nettedCyclesOf,
  passWindows,
  stampedCloseAtFor,
  Status,
  submit,
  submitFinal,
  type Batch,
  type SettlementFixture,
  netPositionsOf,
} from "./helpers";

const MIN_WINDOW = 60;
const MAX_WINDOW = 30 * 86_400;

interface UsedLedger extends SettlementFixture {
  batches: Batch[];
  ids: string[];
}

/** A ledger with history: four batches (acknowledged, disputed, rejected, pending) and a new window. */
async function usedLedger(): Promise<UsedLedger> {
  const f = await deploySettlement();
  const { ledger, banks, operator } = f;
  const [b0, b1, b2, b3] = banks;
  const batches = [
    await makeBatch(ledger, "u0", [[b1.address, 10n]]),
    await makeBatch(ledger, "u1", [
      [b2.address, 20n],
      [b3.address, 30n],
    ]),
    await makeBatch(ledger, "u2", [[b0.address, 40n]]),
    await makeBatch(ledger, "u3", [[b0.address, 50n]]),
  ];
  const ids = [
    await submitFinal(f, b0, batches[0], banks),
    await submit(ledger, b0, batches[1]),
    await submit(ledger, b1, batches[2]),
    await submit(ledger, b3, batches[3]),
  ];
  await ledger.connect(b2).dispute(ids[1], batches[1].header, 5);
  await ledger.connect(b0).dispute(ids[2], batches[2].header, 6);
  await ledger.connect(operator).resolveDispute(ids[2], true);
  await ledger.setAckWindow(2 * ACK_WINDOW);
  return { ...f, batches, ids };
}

async function stateOf(ledger: SettlementLedger, f: UsedLedger): Promise<unknown> {
  return {
    owner: await ledger.owner(),
    paused: await ledger.paused(),
    window: await ledger.ackWindow(),
    banks: await ledger.banks(),
    bankOf: await Promise.all(f.banks.map((b) => ledger.bankOf(b.address))),
    anchors: await Promise.all(f.ids.map((id) => ledger.anchorOf(id))),
    statuses: await Promise.all(f.ids.map((id, i) => ledger.statusOf(id, f.batches[i].header))),
  };
}

async function upgradeToV2(ledger: SettlementLedger): Promise<SettlementLedgerV2> {
  const factory = await ethers.getContractFactory("SettlementLedgerV2");
  const upgraded = (await upgrades.upgradeProxy(ledger, factory, { kind: "uups" })) as unknown as SettlementLedgerV2;
  await upgraded.waitForDeployment();
  return upgraded;
}

describe("SettlementLedger: governance", function () {
  it("initialize refuses a registry without code and a window out of bounds", async function () {
    const { ledger, registry, owner, outsider } = await loadFixture(deploySettlement);
    const factory = await ethers.getContractFactory("SettlementLedger");
    await expect(upgrades.deployProxy(factory, [owner.address, outsider.address, ACK_WINDOW], { kind: "uups" }))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidRegistry")
      .withArgs(outsider.address);
    await expect(upgrades.deployProxy(factory, [owner.address, await registry.getAddress(), 59], { kind: "uups" }))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidWindow")
      .withArgs(59);
    await expect(
      ledger.initialize(owner.address, await registry.getAddress(), ACK_WINDOW),
    ).to.be.revertedWithCustomError(ledger, "InvalidInitialization");
  });

  it("setAckWindow: owner only, 1 minute to 30 days (LedgerInvalidWindow), AckWindowSet", async function () {
    const { ledger, banks, operator } = await loadFixture(deploySettlement);
    for (const caller of [banks[0], operator]) {
      await expect(ledger.connect(caller).setAckWindow(600))
        .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
        .withArgs(caller.address);
    }
    for (const bad of [0, MIN_WINDOW - 1, MAX_WINDOW + 1, 2 ** 32 - 1]) {
      await expect(ledger.setAckWindow(bad)).to.be.revertedWithCustomError(ledger, "LedgerInvalidWindow").withArgs(bad);
    }
    for (const good of [MIN_WINDOW, MAX_WINDOW, 900]) {
      await expect(ledger.setAckWindow(good)).to.emit(ledger, "AckWindowSet").withArgs(good);
      expect(await ledger.ackWindow()).to.equal(BigInt(good));
    }
  });

  it("renounceOwnership is disabled (LedgerOwnershipCannotBeRenounced); ownership moves in two steps", async function () {
    const { ledger, owner, banks } = await loadFixture(deploySettlement);
    await expect(ledger.renounceOwnership()).to.be.revertedWithCustomError(ledger, "LedgerOwnershipCannotBeRenounced");
    await expect(ledger.connect(banks[0]).renounceOwnership())
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
    await ledger.transferOwnership(banks[3].address);
    expect(await ledger.owner()).to.equal(owner.address);
    await ledger.connect(banks[3]).acceptOwnership();
    expect(await ledger.owner()).to.equal(banks[3].address);
    await expect(ledger.setAckWindow(600))
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(owner.address);
    await expect(ledger.connect(banks[3]).setAckWindow(600)).to.emit(ledger, "AckWindowSet").withArgs(600);
  });
});

describe("SettlementLedger: upgrade to V2", function () {
  it("keeps banks, sequences, anchors (digest prefix, status, acks), window, owner and pause", async function () {
    const f = await loadFixture(usedLedger);
    const { ledger } = f;
    await ledger.pause();
    const before = await stateOf(ledger, f);
    const implementation = await upgrades.erc1967.getImplementationAddress(await ledger.getAddress());
    const upgraded = await upgradeToV2(ledger);
    expect(await upgraded.getAddress()).to.equal(await ledger.getAddress());
    expect(await upgrades.erc1967.getImplementationAddress(await ledger.getAddress())).to.not.equal(implementation);
    expect(await upgraded.version()).to.equal("2");
    expect(await stateOf(upgraded, f)).to.deep.equal(before);
    // The snapshot holds what the fixture did, so the comparison is not vacuous.
    expect(await Promise.all(f.ids.map((id, i) => upgraded.statusOf(id, f.batches[i].header)))).to.deep.equal([
      Status.Final,
      Status.Disputed,
      Status.Rejected,
      Status.Submitted,
    ]);
    expect(await Promise.all(f.ids.map((id) => upgraded.anchorOf(id)))).to.deep.equal([
      [digestPrefix(digestOf(f.batches[0].header)), Status.Submitted, 0b10n],
      [digestPrefix(digestOf(f.batches[1].header)), Status.Disputed, 0n],
      [digestPrefix(digestOf(f.batches[2].header)), Status.Rejected, 0n],
      [digestPrefix(digestOf(f.batches[3].header)), Status.Submitted, 0n],
    ]);
    expect(await upgraded.ackWindow()).to.equal(BigInt(2 * ACK_WINDOW));
    expect(await upgraded.paused()).to.equal(true);
  });

  it("behaves the same after the upgrade: idempotency, conflicts, sequences, answers", async function () {
    const f = await loadFixture(usedLedger);
    const { banks, batches, ids, operator } = f;
    const upgraded = await upgradeToV2(f.ledger);
    expect(await upgraded.connect(banks[0]).submitBatch.staticCall(batches[0].key, batches[0].header)).to.deep.equal([
      ids[0],
      false,
    ]);
    await expect(
      upgraded.connect(banks[0]).submitBatch(batches[0].key, { ...batches[0].header, root: bytes32("x") }),
    ).to.be.revertedWithCustomError(upgraded, "LedgerBatchConflict");
    // Stamped for the window now in force (the fixture doubled it).
    const next = await makeBatch(upgraded, "after", [[banks[1].address, 1n]], {
      closesAt: await stampedCloseAtFor(upgraded),
    });
    await expect(upgraded.connect(banks[0]).submitBatch(next.key, next.header))
      .to.emit(upgraded, "BatchSubmitted")
      .withArgs(
        await upgraded.batchIdOf(banks[0].address, next.key),
        banks[0].address,
        next.key,
        3n,
        await upgraded.digestOf(next.header),
        headerTuple(next.header),
      );
    await expect(upgraded.connect(operator).resolveDispute(ids[1], false))
      .to.emit(upgraded, "DisputeResolved")
      .withArgs(ids[1], operator.address, false);
    await expect(upgraded.connect(banks[0]).acknowledge(ids[3], batches[3].header))
      .to.emit(upgraded, "BatchAcknowledged")
      .withArgs(ids[3], banks[0].address, true);
  });

  it("refuses an upgrade by anyone but the owner (OwnableUnauthorizedAccount)", async function () {
    const { ledger, banks, operator, outsider } = await loadFixture(usedLedger);
    const factory = await ethers.getContractFactory("SettlementLedgerV2");
    const implementation = await upgrades.prepareUpgrade(ledger, factory, { kind: "uups" });
    if (typeof implementation !== "string") throw new Error("prepareUpgrade returned a transaction");
    const before = await upgrades.erc1967.getImplementationAddress(await ledger.getAddress());
    for (const caller of [operator, banks[0], outsider]) {
      await expect(ledger.connect(caller).upgradeToAndCall(implementation, "0x"))
        .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
        .withArgs(caller.address);
    }
    expect(await upgrades.erc1967.getImplementationAddress(await ledger.getAddress())).to.equal(before);
    await expect(ledger.upgradeToAndCall(implementation, "0x")).to.emit(ledger, "Upgraded").withArgs(implementation);
  });

  it("validateUpgrade accepts V2 and rejects a contract that drops the ledger's namespace", async function () {
    const { ledger } = await loadFixture(deploySettlement);
    const v2 = await ethers.getContractFactory("SettlementLedgerV2");
    expect(await upgrades.validateUpgrade(ledger, v2, { kind: "uups" })).to.equal(undefined);
    const unrelated = await ethers.getContractFactory("NettingEngine");
    const error = await upgrades.validateUpgrade(ledger, unrelated, { kind: "uups" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain("erc7201:clearhouse.storage.SettlementLedger");
  });
});

/**
 * Stamp `batch` for the window in force (latest block + ackWindow + STAMP_MARGIN) and submit it
 * from `bank`; returns its id and the end of its window (the stamp, in the anchored header).
 */
async function submitWithWindow(
  f: SettlementFixture,
  bank: HardhatEthersSigner,
  batch: Batch,
): Promise<{ id: string; closesAt: bigint }> {
  const window = await f.ledger.ackWindow();
  batch.header.closesAt = await stampedCloseAtFor(f.ledger);
  const receipt = await mined(f.ledger.connect(bank).submitBatch(batch.key, batch.header));
  const at = (await ethers.provider.getBlock(receipt.blockNumber))?.timestamp;
  if (at === undefined) throw new Error("no block");
  const id = await f.ledger.batchIdOf(bank.address, batch.key);
  // The ledger checked the stamp against the window in force at submission.
  expect(batch.header.closesAt).to.be.within(BigInt(at) + window, BigInt(at) + window + BigInt(MAX_WINDOW_SLACK));
  expect(await f.ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
  return { id, closesAt: batch.header.closesAt };
}

describe("SettlementLedger: the acknowledgement window is fixed per batch", function () {
  it("a longer window set later neither reopens a batch Final by its window nor undoes its netting", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, engine, banks, operator } = f;
    const batch = await makeBatch(ledger, "retro", [[banks[1].address, 1_000n]]);
    const { id, closesAt } = await submitWithWindow(f, banks[0], batch);
    const idle = await makeBatch(ledger, "retro-idle", [[banks[1].address, 7n]]);
    const { id: idleId, closesAt: idleClosesAt } = await submitWithWindow(f, banks[0], idle);
    await passWindows(batch, idle);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
    await engine.connect(operator).openCycle();
    await mined(engine.connect(banks[0]).declare(1, batch.key, batch.header, batch.counterparties, batch.totals));
    await mined(engine.connect(operator).closeCycleWith(1, [{ bank: banks[0].address, ...batch }], false));
    await expect(ledger.setAckWindow(4 * ACK_WINDOW))
      .to.emit(ledger, "AckWindowSet")
      .withArgs(4 * ACK_WINDOW);
    // The batch keeps its own window (in its anchored header): still netted (final, then taken
    // into cycle 1), nobody can answer it any more.
    expect(batch.header.closesAt).to.equal(closesAt);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Netted);
    expect((await ledger.anchorOf(id))[1]).to.equal(Status.Netted);
    expect(await nettedCyclesOf(ledger, id)).to.deep.equal([1n]);
    await expect(ledger.connect(banks[1]).dispute(id, batch.header, 1))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Netted);
    await expect(ledger.connect(banks[1]).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Netted);
    // A batch final by its window and not netted stays closed to answers under the longer window.
    expect(await ledger.statusOf(idleId, idle.header)).to.equal(Status.Final);
    await expect(ledger.connect(banks[1]).dispute(idleId, idle.header, 1))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(idleId, idleClosesAt);
    await expect(ledger.connect(banks[1]).acknowledge(idleId, idle.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(idleId, idleClosesAt);
    await expect(ledger.connect(operator).resolveDispute(id, true))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Netted);
    expect(await netPositionsOf(engine, 1, [banks[1].address])).to.deep.equal([1_000n]);
    // A batch submitted now gets the new window: a header stamped for the old one is refused…
    const later = await makeBatch(ledger, "later", [[banks[1].address, 5n]]);
    await expect(ledger.connect(banks[0]).submitBatch(later.key, later.header)).to.be.revertedWithCustomError(
      ledger,
      "LedgerInvalidWindowEnd",
    );
    // …and one stamped for the new one is still open after the old window would have closed.
    const next = await submitWithWindow(f, banks[0], later);
    const submittedAt = (await ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    expect(next.closesAt).to.be.at.least(BigInt(submittedAt + 4 * ACK_WINDOW));
    await time.increaseTo(submittedAt + ACK_WINDOW + 1);
    expect(await ledger.statusOf(next.id, later.header)).to.equal(Status.Submitted);
    await expect(ledger.connect(banks[1]).dispute(next.id, later.header, 2))
      .to.emit(ledger, "BatchDisputed")
      .withArgs(next.id, banks[1].address, 2);
  });

  it("a shorter window set later does not finalize a pending batch early; new batches get it", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, engine, banks, operator } = f;
    const batch = await makeBatch(ledger, "short", [
      [banks[1].address, 1n],
      [banks[2].address, 1n],
    ]);
    const { id, closesAt } = await submitWithWindow(f, banks[0], batch);
    await time.increase(MIN_WINDOW + 5);
    await expect(ledger.setAckWindow(MIN_WINDOW)).to.emit(ledger, "AckWindowSet").withArgs(MIN_WINDOW);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    await expect(ledger.requireFinal(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Submitted);
    await engine.connect(operator).openCycle();
    await expect(engine.connect(banks[0]).declare(1, batch.key, batch.header, batch.counterparties, batch.totals))
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Submitted);
    // A batch submitted now closes MIN_WINDOW after its submission, before the first one.
    const later = await makeBatch(ledger, "short-later", [[banks[2].address, 2n]]);
    const next = await submitWithWindow(f, banks[0], later);
    expect(next.closesAt).to.be.lessThan(closesAt);
    await time.increaseTo(next.closesAt + 1n);
    expect(await ledger.statusOf(next.id, later.header)).to.equal(Status.Final);
    await expect(ledger.connect(banks[2]).acknowledge(next.id, later.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(next.id, next.closesAt);
    // The first batch is still answerable up to its own closesAt, and Final by its window only after it.
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    await time.setNextBlockTimestamp(closesAt);
    await expect(ledger.connect(banks[1]).acknowledge(id, batch.header))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, banks[1].address, false);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    await time.increase(1);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
    await expect(ledger.connect(banks[2]).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, closesAt);
  });
});
