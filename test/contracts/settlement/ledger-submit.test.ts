import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  ACK_WINDOW,
  batchIdOf,
  bytes32,
  DAY,
  deployLedgerAndEngine,
  deploySettlement,
  digestOf,
  digestPrefix,
  extraBanks,
  submittedArgs,
  impair,
  inOneBlock,
  makeBatch,
  MAX_WINDOW_SLACK,
  mined,
  minedRevert,
  newSlotsWrittenBy,
  NO_ANCHOR,
  Status,
  submit,
  type SettlementFixture,
} from "./helpers";

async function withTwoPayments(f: SettlementFixture, label = "b") {
  const [, b1, b2] = f.banks;
  return makeBatch(f.ledger, label, [
    [b1.address, 400n],
    [b2.address, 600n],
  ]);
}

describe("SettlementLedger: enrollment", function () {
  it("enrolls member banks in order: BankEnrolled(bank, index), bankOf, banks()", async function () {
    const { ledger, banks } = await loadFixture(deployLedgerAndEngine);
    for (const [i, bank] of banks.entries()) {
      expect(await ledger.connect(bank).enroll.staticCall()).to.equal(BigInt(i));
      await expect(ledger.connect(bank).enroll()).to.emit(ledger, "BankEnrolled").withArgs(bank.address, i);
      expect(await ledger.bankOf(bank.address)).to.deep.equal([BigInt(i), 0n]);
    }
    expect(await ledger.banks()).to.deep.equal(banks.map((b) => b.address));
  });

  it("refuses a second enrollment: LedgerAlreadyEnrolled(bank, index)", async function () {
    const { ledger, banks } = await loadFixture(deploySettlement);
    await expect(ledger.connect(banks[2]).enroll())
      .to.be.revertedWithCustomError(ledger, "LedgerAlreadyEnrolled")
      .withArgs(banks[2].address, 2);
  });

  it("bankOf an address never enrolled: LedgerNotEnrolled", async function () {
    const { ledger, outsider } = await loadFixture(deploySettlement);
    await expect(ledger.bankOf(outsider.address))
      .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
      .withArgs(outsider.address);
  });

  it("refuses non-members, non-banks, suspended and sanctioned banks with the registry's errors", async function () {
    const f = await loadFixture(deployLedgerAndEngine);
    const { ledger, registry, outsider, corporate, operator, banks } = f;
    await expect(ledger.connect(outsider).enroll())
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    for (const nonBank of [corporate, operator]) {
      await expect(ledger.connect(nonBank).enroll())
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(nonBank.address, 2);
    }
    for (const [bank, how] of [
      [banks[0], "suspended"],
      [banks[1], "sanctioned"],
    ] as const) {
      const expected = await impair(f, bank.address, how);
      await expect(ledger.connect(bank).enroll())
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    }
    expect(await ledger.banks()).to.deep.equal([]);
  });
});

describe("SettlementLedger: submitBatch", function () {
  it("anchors a batch: BatchSubmitted(id, submitter, key, sequence, digest, header) and its anchor", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    expect(batch.header.counterpartyMask).to.equal(0b110n);
    const id = batchIdOf(banks[0].address, batch.key);
    expect(await ledger.batchIdOf(banks[0].address, batch.key)).to.equal(id);
    expect(await ledger.digestOf(batch.header)).to.equal(digestOf(batch.header));
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.None);
    expect(await ledger.anchorOf(id)).to.deep.equal(NO_ANCHOR);
    expect(await ledger.connect(banks[0]).submitBatch.staticCall(batch.key, batch.header)).to.deep.equal([id, true]);
    const tx = ledger.connect(banks[0]).submitBatch(batch.key, batch.header);
    await expect(tx)
      .to.emit(ledger, "BatchSubmitted")
      .withArgs(...submittedArgs(banks[0].address, batch, 1n));
    const at = BigInt((await ethers.provider.getBlock((await mined(tx)).blockNumber))?.timestamp ?? 0);
    // The window end is the submitter's stamp, within [submission + window, … + MAX_WINDOW_SLACK].
    expect(batch.header.closesAt).to.be.within(at + BigInt(ACK_WINDOW), at + BigInt(ACK_WINDOW + MAX_WINDOW_SLACK));
    // Stored: the digest's first 31 bytes and the status; no acknowledgement yet.
    expect(await ledger.anchorOf(id)).to.deep.equal([digestPrefix(digestOf(batch.header)), Status.Submitted, 0n]);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    expect(await ledger.bankOf(banks[0].address)).to.deep.equal([0n, 1n]);
  });

  it("numbers each member's batches from 1, independently of other members", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    for (let n = 1n; n <= 3n; n++) {
      const batch = await makeBatch(ledger, `a${n}`, [[banks[1].address, n]]);
      await expect(ledger.connect(banks[0]).submitBatch(batch.key, batch.header))
        .to.emit(ledger, "BatchSubmitted")
        .withArgs(...submittedArgs(banks[0].address, batch, n));
    }
    // The same key from another bank is another batch.
    const same = await makeBatch(ledger, "a1", [[banks[0].address, 1n]]);
    await expect(ledger.connect(banks[3]).submitBatch(same.key, same.header))
      .to.emit(ledger, "BatchSubmitted")
      .withArgs(...submittedArgs(banks[3].address, same, 1n));
    expect((await ledger.bankOf(banks[0].address))[1]).to.equal(3n);
    expect((await ledger.bankOf(banks[3].address))[1]).to.equal(1n);
  });

  it("enrolls an unenrolled bank on its first submission (its own new bit is refused)", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const [fifth] = await extraBanks(f, 1);
    const ownBit = await makeBatch(ledger, "own", [[banks[0].address, 9n]], { counterpartyMask: 0b10001n });
    await expect(ledger.connect(fifth).submitBatch(ownBit.key, ownBit.header))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidCounterparties")
      .withArgs(0b10001n, 5);
    const batch = await makeBatch(ledger, "first", [[banks[0].address, 9n]]);
    await expect(ledger.connect(fifth).submitBatch(batch.key, batch.header))
      .to.emit(ledger, "BankEnrolled")
      .withArgs(fifth.address, 4)
      .and.to.emit(ledger, "BatchSubmitted");
    expect(await ledger.bankOf(fifth.address)).to.deep.equal([4n, 1n]);
  });

  it("is idempotent: the same key and header again returns (id, false), emits nothing, changes nothing", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    const id = await submit(ledger, banks[0], batch);
    await mined(ledger.connect(banks[1]).acknowledge(id, batch.header));
    const before = [await ledger.anchorOf(id), await ledger.bankOf(banks[0].address), await ledger.banks()];
    expect(before[0]).to.deep.equal([digestPrefix(digestOf(batch.header)), Status.Submitted, 0b10n]);
    expect(await ledger.connect(banks[0]).submitBatch.staticCall(batch.key, batch.header)).to.deep.equal([id, false]);
    const retry = ledger.connect(banks[0]).submitBatch(batch.key, batch.header);
    await expect(retry).not.to.emit(ledger, "BatchSubmitted");
    await expect(retry).not.to.emit(ledger, "BankEnrolled");
    expect((await mined(retry)).logs).to.have.length(0);
    expect([await ledger.anchorOf(id), await ledger.bankOf(banks[0].address), await ledger.banks()]).to.deep.equal(
      before,
    );
  });

  it("refuses the same key with other content: LedgerBatchConflict(id, anchored prefix, submitted)", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    const id = await submit(ledger, banks[0], batch);
    const variants = [
      { ...batch.header, root: bytes32("other root") },
      { ...batch.header, entryCount: batch.header.entryCount + 1n },
      { ...batch.header, grossTotal: batch.header.grossTotal + 1n },
      { ...batch.header, metadataDigest: bytes32("other meta") },
      { ...batch.header, counterpartyMask: 0b1000n },
    ];
    for (const header of variants) {
      await expect(ledger.connect(banks[0]).submitBatch(batch.key, header))
        .to.be.revertedWithCustomError(ledger, "LedgerBatchConflict")
        .withArgs(id, digestPrefix(digestOf(batch.header)), digestOf(header));
    }
    expect((await ledger.bankOf(banks[0].address))[1]).to.equal(1n);
  });

  it("two clients sending one key and header in one block: one BatchSubmitted, sequence + 1", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    const send = () => ledger.connect(banks[0]).submitBatch(batch.key, batch.header, { gasLimit: 300_000 });
    const [h1, h2] = await inOneBlock([send, send]);
    const [r1, r2] = await Promise.all([h1, h2].map((h) => ethers.provider.getTransactionReceipt(h)));
    expect(r1?.blockNumber).to.equal(r2?.blockNumber);
    expect([r1?.status, r2?.status]).to.deep.equal([1, 1]);
    const block = r1?.blockNumber ?? 0;
    const events = await ledger.queryFilter(ledger.filters.BatchSubmitted(), block, block);
    expect(events).to.have.length(1);
    expect(events[0].transactionHash).to.equal(h1);
    expect(r2?.logs).to.have.length(0);
    expect((await ledger.bankOf(banks[0].address))[1]).to.equal(1n);
    expect((await ledger.anchorOf(batchIdOf(banks[0].address, batch.key)))[0]).to.equal(
      digestPrefix(digestOf(batch.header)),
    );
  });

  it("two clients sending one key with different headers in one block: the second LedgerBatchConflict", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    const other = { ...batch.header, metadataDigest: bytes32("retry with another file name") };
    const [h1, h2] = await inOneBlock([
      () => ledger.connect(banks[0]).submitBatch(batch.key, batch.header, { gasLimit: 300_000 }),
      () => ledger.connect(banks[0]).submitBatch(batch.key, other, { gasLimit: 300_000 }),
    ]);
    const [r1, r2] = await Promise.all([h1, h2].map((h) => ethers.provider.getTransactionReceipt(h)));
    expect(r1?.blockNumber).to.equal(r2?.blockNumber);
    expect([r1?.status, r2?.status]).to.deep.equal([1, 0]);
    await expect(minedRevert(h2))
      .to.be.revertedWithCustomError(ledger, "LedgerBatchConflict")
      .withArgs(batchIdOf(banks[0].address, batch.key), digestPrefix(digestOf(batch.header)), digestOf(other));
    expect((await ledger.bankOf(banks[0].address))[1]).to.equal(1n);
  });

  it("refuses a zero root, entry count or gross total: LedgerInvalidHeader(field)", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    const cases = [
      ["root", { root: ethers.ZeroHash }],
      ["entryCount", { entryCount: 0n }],
      ["grossTotal", { grossTotal: 0n }],
    ] as const;
    for (const [field, change] of cases) {
      await expect(ledger.connect(banks[0]).submitBatch(batch.key, { ...batch.header, ...change }))
        .to.be.revertedWithCustomError(ledger, "LedgerInvalidHeader")
        .withArgs(field);
    }
    // A zero totals commitment or metadata digest is the submitter's business.
    await expect(
      ledger.connect(banks[0]).submitBatch(batch.key, {
        ...batch.header,
        totalsCommitment: ethers.ZeroHash,
        metadataDigest: ethers.ZeroHash,
      }),
    ).to.emit(ledger, "BatchSubmitted");
  });

  it("refuses masks that are empty, name an unenrolled index or the submitter: LedgerInvalidCounterparties", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    for (const mask of [0n, 1n << 4n, 0b10110n, 1n << 31n, 0b1n, 0b111n]) {
      await expect(ledger.connect(banks[0]).submitBatch(batch.key, { ...batch.header, counterpartyMask: mask }))
        .to.be.revertedWithCustomError(ledger, "LedgerInvalidCounterparties")
        .withArgs(mask, 4);
    }
    expect((await ledger.bankOf(banks[0].address))[1]).to.equal(0n);
  });

  it("refuses submitters that are not active member banks with the registry's errors", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, registry, banks, outsider, corporate, operator } = f;
    const batch = await withTwoPayments(f);
    await expect(ledger.connect(outsider).submitBatch(batch.key, batch.header))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    for (const nonBank of [corporate, operator]) {
      await expect(ledger.connect(nonBank).submitBatch(batch.key, batch.header))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(nonBank.address, 2);
    }
    const id = await submit(ledger, banks[0], batch);
    for (const how of ["suspended", "sanctioned"] as const) {
      const bank = how === "suspended" ? banks[0] : banks[3];
      const expected = await impair(f, bank.address, how);
      // Even an idempotent retry is refused.
      await expect(ledger.connect(bank).submitBatch(batch.key, batch.header))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    }
    const removed = await mined(registry.removeMember(banks[1].address));
    await expect(ledger.connect(banks[1]).submitBatch(batch.key, batch.header))
      .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
      .withArgs(banks[1].address, removed.blockNumber);
    // Nothing changed: one batch of bank 0, still as submitted.
    expect(await ledger.bankOf(banks[0].address)).to.deep.equal([0n, 1n]);
    expect(await ledger.anchorOf(id)).to.deep.equal([digestPrefix(digestOf(batch.header)), Status.Submitted, 0n]);
  });

  it("pause (owner only) stops enroll, submit, acknowledge, dispute and resolve; unpause resumes", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks, operator, owner } = f;
    const [fifth] = await extraBanks(f, 1);
    const batch = await withTwoPayments(f);
    const id = await submit(ledger, banks[0], batch);
    await expect(ledger.connect(banks[0]).pause())
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
    await expect(ledger.connect(owner).pause()).to.emit(ledger, "Paused").withArgs(owner.address);
    const paused = [
      () => ledger.connect(fifth).enroll(),
      () => ledger.connect(banks[0]).submitBatch(bytes32("k2"), batch.header),
      () => ledger.connect(banks[0]).submitBatch(batch.key, batch.header),
      () => ledger.connect(banks[1]).acknowledge(id, batch.header),
      () => ledger.connect(banks[2]).dispute(id, batch.header, 1),
      () => ledger.connect(operator).resolveDispute(id, true),
    ];
    for (const send of paused) await expect(send()).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    // Reads, including what the netting engine needs, still work.
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    expect(await ledger.verifyInclusion(id, batch.header, batch.header.root, [])).to.equal(true);
    await expect(ledger.connect(banks[0]).unpause())
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
    await ledger.connect(owner).unpause();
    await expect(ledger.connect(banks[1]).acknowledge(id, batch.header)).to.emit(ledger, "BatchAcknowledged");
  });

  it("a registry emergency pause stops submissions (the registry's EnforcedPause)", async function () {
    const f = await loadFixture(deploySettlement);
    const batch = await withTwoPayments(f);
    await f.registry.pause();
    await expect(f.ledger.connect(f.banks[0]).submitBatch(batch.key, batch.header)).to.be.revertedWithCustomError(
      f.registry,
      "EnforcedPause",
    );
  });
});

describe("SettlementLedger: the window end stamped in the header (closesAt)", function () {
  /** Pin the next block 5 s after the latest; returns its timestamp. */
  async function pinNextBlock(): Promise<bigint> {
    const next = (await time.latest()) + 5;
    await time.setNextBlockTimestamp(next);
    return BigInt(next);
  }

  it("MAX_WINDOW_SLACK is 15 minutes", async function () {
    const { ledger } = await loadFixture(deploySettlement);
    expect(await ledger.MAX_WINDOW_SLACK()).to.equal(BigInt(MAX_WINDOW_SLACK));
    expect(MAX_WINDOW_SLACK).to.equal(15 * 60);
  });

  it("refuses closesAt 1 s before now + window or 1 s after it + slack: LedgerInvalidWindowEnd(closesAt, earliest, latest)", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    for (const offset of [-1n, BigInt(MAX_WINDOW_SLACK) + 1n]) {
      const now = await pinNextBlock();
      const earliest = now + BigInt(ACK_WINDOW);
      const latest = earliest + BigInt(MAX_WINDOW_SLACK);
      const header = { ...batch.header, closesAt: earliest + offset };
      // A gas limit, so the transaction is mined in the pinned block rather than estimated.
      await expect(ledger.connect(banks[0]).submitBatch(batch.key, header, { gasLimit: 300_000 }))
        .to.be.revertedWithCustomError(ledger, "LedgerInvalidWindowEnd")
        .withArgs(header.closesAt, earliest, latest);
      expect(await time.latest()).to.equal(Number(now));
    }
    const id = batchIdOf(banks[0].address, batch.key);
    expect(await ledger.anchorOf(id)).to.deep.equal(NO_ANCHOR);
    expect(await ledger.bankOf(banks[0].address)).to.deep.equal([0n, 0n]);
  });

  it("accepts closesAt exactly at now + window and exactly at now + window + slack; each batch keeps its own", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const early = await makeBatch(ledger, "earliest", [[banks[1].address, 10n]]);
    const late = await makeBatch(ledger, "latest", [[banks[1].address, 20n]]);
    let now = await pinNextBlock();
    early.header.closesAt = now + BigInt(ACK_WINDOW);
    await expect(ledger.connect(banks[0]).submitBatch(early.key, early.header, { gasLimit: 300_000 }))
      .to.emit(ledger, "BatchSubmitted")
      .withArgs(...submittedArgs(banks[0].address, early, 1n));
    now = await pinNextBlock();
    late.header.closesAt = now + BigInt(ACK_WINDOW + MAX_WINDOW_SLACK);
    await expect(ledger.connect(banks[0]).submitBatch(late.key, late.header, { gasLimit: 300_000 }))
      .to.emit(ledger, "BatchSubmitted")
      .withArgs(...submittedArgs(banks[0].address, late, 2n));
    const [earlyId, lateId] = [early, late].map((b) => batchIdOf(banks[0].address, b.key));
    // The window of each is the one in its header: the first closes, the second is open 15 minutes more.
    await time.increaseTo(early.header.closesAt + 1n);
    expect(await ledger.statusOf(earlyId, early.header)).to.equal(Status.Final);
    expect(await ledger.statusOf(lateId, late.header)).to.equal(Status.Submitted);
    await time.setNextBlockTimestamp(late.header.closesAt);
    await expect(ledger.connect(banks[1]).dispute(lateId, late.header, 4))
      .to.emit(ledger, "BatchDisputed")
      .withArgs(lateId, banks[1].address, 4);
  });

  it("a retry of an anchored key with a now stale closesAt returns (id, false) and changes nothing", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    const id = await submit(ledger, banks[0], batch);
    await mined(ledger.connect(banks[2]).acknowledge(id, batch.header));
    // Two days later the stamp is far below now + window: a new batch with it is refused…
    await time.increase(2 * DAY);
    expect(BigInt(await time.latest()) + BigInt(ACK_WINDOW)).to.be.greaterThan(batch.header.closesAt);
    await expect(
      ledger.connect(banks[0]).submitBatch(bytes32("fresh key"), batch.header),
    ).to.be.revertedWithCustomError(ledger, "LedgerInvalidWindowEnd");
    // …but the retry of the anchored one is recognized before the window end is checked.
    const before = [await ledger.anchorOf(id), await ledger.bankOf(banks[0].address), await ledger.banks()];
    expect(before[0]).to.deep.equal([digestPrefix(digestOf(batch.header)), Status.Submitted, 0b100n]);
    expect(await ledger.connect(banks[0]).submitBatch.staticCall(batch.key, batch.header)).to.deep.equal([id, false]);
    const receipt = await mined(ledger.connect(banks[0]).submitBatch(batch.key, batch.header));
    expect(receipt.logs).to.have.length(0);
    expect([await ledger.anchorOf(id), await ledger.bankOf(banks[0].address), await ledger.banks()]).to.deep.equal(
      before,
    );
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
  });

  it("the same key with a header differing only in closesAt: LedgerBatchConflict", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    const id = await submit(ledger, banks[0], batch);
    // A second client stamping the same batch a second later: a valid window end, but other content.
    for (const closesAt of [batch.header.closesAt + 1n, batch.header.closesAt - 1n]) {
      const restamped = { ...batch.header, closesAt };
      await expect(ledger.connect(banks[0]).submitBatch(batch.key, restamped))
        .to.be.revertedWithCustomError(ledger, "LedgerBatchConflict")
        .withArgs(id, digestPrefix(digestOf(batch.header)), digestOf(restamped));
    }
    expect(await ledger.bankOf(banks[0].address)).to.deep.equal([0n, 1n]);
    expect(await ledger.anchorOf(id)).to.deep.equal([digestPrefix(digestOf(batch.header)), Status.Submitted, 0n]);
  });
});

describe("SettlementLedger: one storage word per batch", function () {
  it("a submission writes exactly one new slot, holding the digest's first 31 bytes and the status Submitted", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const ledgerAddress = await ledger.getAddress();
    const batch = await withTwoPayments(f);
    const receipt = await mined(ledger.connect(banks[0]).submitBatch(batch.key, batch.header));
    const { sstores, created } = await newSlotsWrittenBy(receipt.hash, ledgerAddress);
    // Two writes: the anchor (new) and the bank's sequence (a slot it already had since enrollment).
    expect(sstores).to.equal(2);
    expect(created).to.have.length(1);
    const [anchor] = created;
    expect(anchor.value).to.equal(`${digestPrefix(digestOf(batch.header))}01`);
    expect(await ethers.provider.getStorage(ledgerAddress, anchor.slot)).to.equal(anchor.value);
    // A second batch of the same bank: again one new slot, another one.
    const second = await makeBatch(ledger, "second", [[banks[3].address, 1n]]);
    const again = await mined(ledger.connect(banks[0]).submitBatch(second.key, second.header));
    const next = await newSlotsWrittenBy(again.hash, ledgerAddress);
    expect(next.created).to.have.length(1);
    expect(next.created[0].slot).to.not.equal(anchor.slot);
    expect(next.created[0].value).to.equal(`${digestPrefix(digestOf(second.header))}01`);
  });

  it("acknowledgements write their own word when given: one new slot for the first, none after; a retry writes nothing", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const ledgerAddress = await ledger.getAddress();
    const batch = await withTwoPayments(f);
    const id = await submit(ledger, banks[0], batch);
    const first = await mined(ledger.connect(banks[1]).acknowledge(id, batch.header));
    const ackSlot = await newSlotsWrittenBy(first.hash, ledgerAddress);
    expect(ackSlot.sstores).to.equal(1);
    expect(ackSlot.created).to.have.length(1);
    expect(BigInt(ackSlot.created[0].value)).to.equal(0b10n);
    const second = await mined(ledger.connect(banks[2]).acknowledge(id, batch.header));
    const after = await newSlotsWrittenBy(second.hash, ledgerAddress);
    expect([after.sstores, after.created]).to.deep.equal([1, []]);
    expect(await ethers.provider.getStorage(ledgerAddress, ackSlot.created[0].slot)).to.equal(
      ethers.toBeHex(0b110n, 32),
    );
    const retry = await mined(ledger.connect(banks[0]).submitBatch(batch.key, batch.header));
    expect(await newSlotsWrittenBy(retry.hash, ledgerAddress)).to.deep.equal({ sstores: 0, created: [] });
  });
});
