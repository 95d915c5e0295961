import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  ACK_WINDOW,
  batchIdOf,
  bytes32,
  deployLedgerAndEngine,
  deploySettlement,
  digestOf,
  extraBanks,
  headerTuple,
  impair,
  inOneBlock,
  makeBatch,
  mined,
  minedRevert,
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

  it("takes 32 banks; the 33rd (by enroll or by a first submission): LedgerTooManyBanks", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const extra = await extraBanks(f, 29);
    for (const [i, bank] of extra.slice(0, 28).entries()) {
      await expect(ledger.connect(bank).enroll())
        .to.emit(ledger, "BankEnrolled")
        .withArgs(bank.address, i + 4);
    }
    expect(await ledger.banks()).to.have.length(32);
    const last = extra[28];
    await expect(ledger.connect(last).enroll()).to.be.revertedWithCustomError(ledger, "LedgerTooManyBanks");
    const toBank0 = await makeBatch(ledger, "33rd", [[banks[0].address, 1n]]);
    await expect(ledger.connect(last).submitBatch(toBank0.key, toBank0.header)).to.be.revertedWithCustomError(
      ledger,
      "LedgerTooManyBanks",
    );
    // With 32 banks every mask bit is an enrolled bank: index 31 is a valid counterparty.
    const toIndex31 = await makeBatch(ledger, "to31", [[extra[27].address, 5n]]);
    expect(toIndex31.header.counterpartyMask).to.equal(1n << 31n);
    await expect(ledger.connect(banks[0]).submitBatch(toIndex31.key, toIndex31.header)).to.emit(
      ledger,
      "BatchSubmitted",
    );
  });
});

describe("SettlementLedger: submitBatch", function () {
  it("anchors a batch: BatchSubmitted(id, submitter, key, sequence, digest, header) and its state", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const batch = await withTwoPayments(f);
    expect(batch.header.counterpartyMask).to.equal(0b110n);
    const id = batchIdOf(banks[0].address, batch.key);
    expect(await ledger.batchIdOf(banks[0].address, batch.key)).to.equal(id);
    expect(await ledger.digestOf(batch.header)).to.equal(digestOf(batch.header));
    expect(await ledger.statusOf(id)).to.equal(Status.None);
    expect(await ledger.connect(banks[0]).submitBatch.staticCall(batch.key, batch.header)).to.deep.equal([id, true]);
    const tx = ledger.connect(banks[0]).submitBatch(batch.key, batch.header);
    await expect(tx)
      .to.emit(ledger, "BatchSubmitted")
      .withArgs(id, banks[0].address, batch.key, 1n, digestOf(batch.header), headerTuple(batch.header));
    const at = (await ethers.provider.getBlock((await mined(tx)).blockNumber))?.timestamp;
    const [state, digest, status] = await ledger.batchOf(id);
    // closesAt = submission time + the window in force at submission
    const submittedAt = BigInt(at ?? 0);
    expect(state).to.deep.equal([1n, submittedAt, Status.Submitted, 0b110n, 0n, submittedAt + BigInt(ACK_WINDOW), 0n]);
    expect(state.closesAt).to.equal(submittedAt + BigInt(ACK_WINDOW));
    expect(digest).to.equal(digestOf(batch.header));
    expect(status).to.equal(Status.Submitted);
    expect(await ledger.statusOf(id)).to.equal(Status.Submitted);
    expect(await ledger.bankOf(banks[0].address)).to.deep.equal([0n, 1n]);
  });

  it("numbers each member's batches from 1, independently of other members", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    for (let n = 1n; n <= 3n; n++) {
      const batch = await makeBatch(ledger, `a${n}`, [[banks[1].address, n]]);
      await expect(ledger.connect(banks[0]).submitBatch(batch.key, batch.header))
        .to.emit(ledger, "BatchSubmitted")
        .withArgs(
          batchIdOf(banks[0].address, batch.key),
          banks[0].address,
          batch.key,
          n,
          digestOf(batch.header),
          headerTuple(batch.header),
        );
    }
    // The same key from another bank is another batch.
    const same = await makeBatch(ledger, "a1", [[banks[0].address, 1n]]);
    await expect(ledger.connect(banks[3]).submitBatch(same.key, same.header))
      .to.emit(ledger, "BatchSubmitted")
      .withArgs(
        batchIdOf(banks[3].address, same.key),
        banks[3].address,
        same.key,
        1n,
        digestOf(same.header),
        headerTuple(same.header),
      );
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
    await mined(ledger.connect(banks[1]).acknowledge(id));
    const before = [await ledger.batchOf(id), await ledger.bankOf(banks[0].address), await ledger.banks()];
    expect(await ledger.connect(banks[0]).submitBatch.staticCall(batch.key, batch.header)).to.deep.equal([id, false]);
    const retry = ledger.connect(banks[0]).submitBatch(batch.key, batch.header);
    await expect(retry).not.to.emit(ledger, "BatchSubmitted");
    await expect(retry).not.to.emit(ledger, "BankEnrolled");
    expect((await mined(retry)).logs).to.have.length(0);
    expect([await ledger.batchOf(id), await ledger.bankOf(banks[0].address), await ledger.banks()]).to.deep.equal(
      before,
    );
  });

  it("refuses the same key with other content: LedgerBatchConflict(id, anchored, submitted)", async function () {
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
        .withArgs(id, digestOf(batch.header), digestOf(header));
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
    expect((await ledger.batchOf(batchIdOf(banks[0].address, batch.key)))[1]).to.equal(digestOf(batch.header));
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
      .withArgs(batchIdOf(banks[0].address, batch.key), digestOf(batch.header), digestOf(other));
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
    expect((await ledger.batchOf(id))[0].sequence).to.equal(1n);
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
      () => ledger.connect(banks[1]).acknowledge(id),
      () => ledger.connect(banks[2]).dispute(id, 1),
      () => ledger.connect(operator).resolveDispute(id, true),
    ];
    for (const send of paused) await expect(send()).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    // Reads, including what the netting engine needs, still work.
    expect(await ledger.statusOf(id)).to.equal(Status.Submitted);
    await expect(ledger.connect(banks[0]).unpause())
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
    await ledger.connect(owner).unpause();
    await expect(ledger.connect(banks[1]).acknowledge(id)).to.emit(ledger, "BatchAcknowledged");
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
