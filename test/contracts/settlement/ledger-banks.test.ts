import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { lei, Role, UNLIMITED } from "../../helpers/fixtures";
import {
  ACK_WINDOW,
  batchIdOf,
  deploySettlement,
  extraBanks,
  makeBatch,
  MAX_WINDOW_SLACK,
  mined,
  submit,
  submitFinal,
  type SettlementFixture,
} from "./helpers";

const MAX_WINDOW = 30 * 86_400;
const QUARANTINE = MAX_WINDOW + MAX_WINDOW_SLACK;
const MemberStatus = { Active: 1, Suspended: 2, Removed: 3 } as const;

interface FullFixture extends SettlementFixture {
  /** 252 extra banks, ledger indexes 4 … 255. */
  extra: Awaited<ReturnType<typeof extraBanks>>;
  /** Two more admitted banks, not enrolled (the 257th and 258th). */
  spare: Awaited<ReturnType<typeof extraBanks>>;
}

/** The settlement fixture with all 256 indexes taken, and two more member banks waiting. */
async function full(): Promise<FullFixture> {
  const f = await deploySettlement();
  const all = await extraBanks(f, 254);
  const extra = all.slice(0, 252);
  for (const bank of extra) await mined(f.ledger.connect(bank).enroll());
  return { ...f, extra, spare: all.slice(252) };
}

/** Remove `bank` in the registry and release its index (by the operator). */
async function removeAndRelease(f: SettlementFixture, bank: string) {
  await mined(f.registry.removeMember(bank));
  const receipt = await mined(f.ledger.connect(f.operator).releaseBank(bank));
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  return BigInt(block!.timestamp + QUARANTINE + 1);
}

describe("SettlementLedger: 256 banks", function () {
  it("enrolls 256 banks; the 257th (by enroll or by a first submission): LedgerTooManyBanks", async function () {
    const f = await loadFixture(full);
    const { ledger, banks, extra, spare } = f;
    expect(await ledger.banks()).to.deep.equal([...banks, ...extra].map((b) => b.address));
    expect(await ledger.bankOf(extra[251].address)).to.deep.equal([255n, 0n]);
    await expect(ledger.connect(spare[0]).enroll()).to.be.revertedWithCustomError(ledger, "LedgerTooManyBanks");
    const toBank0 = await makeBatch(ledger, "257th", [[banks[0].address, 1n]]);
    await expect(ledger.connect(spare[0]).submitBatch(toBank0.key, toBank0.header)).to.be.revertedWithCustomError(
      ledger,
      "LedgerTooManyBanks",
    );
    // Index 255 is a counterparty (bit 255) and a submitter like any other.
    const to255 = await makeBatch(ledger, "to255", [[extra[251].address, 5n]]);
    expect(to255.header.counterpartyMask).to.equal(1n << 255n);
    await expect(ledger.connect(banks[0]).submitBatch(to255.key, to255.header)).to.emit(ledger, "BatchSubmitted");
    const from255 = await makeBatch(ledger, "from255", [
      [banks[1].address, 5n],
      [extra[250].address, 6n],
    ]);
    expect(from255.header.counterpartyMask).to.equal((1n << 254n) | 2n);
    const id = await submit(ledger, extra[251], from255);
    await expect(ledger.connect(extra[250]).acknowledge(id, from255.header))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, extra[250].address, false);
    expect((await ledger.anchorOf(id))[2]).to.equal(1n << 254n);
  });

  it("release, quarantine and reuse: the 257th bank gets a removed bank's index after MAX_WINDOW + slack", async function () {
    const f = await loadFixture(full);
    const { ledger, banks, extra, spare, operator } = f;
    const leaving = extra[1]; // index 5
    // A batch paying the leaving bank with the longest window there is, open at the release.
    await mined(ledger.setAckWindow(MAX_WINDOW));
    const t = (await time.latest()) + 10;
    const open = await makeBatch(ledger, "open at release", [[leaving.address, 7n]], {
      closesAt: BigInt(t + MAX_WINDOW + MAX_WINDOW_SLACK),
    });
    await time.setNextBlockTimestamp(t);
    const openId = await submit(ledger, banks[0], open);
    await mined(ledger.setAckWindow(ACK_WINDOW));
    await mined(f.registry.removeMember(leaving.address));
    await time.setNextBlockTimestamp(t + 5);
    const release = ledger.connect(operator).releaseBank(leaving.address);
    const availableAt = BigInt(t + 5 + QUARANTINE + 1);
    await expect(release).to.emit(ledger, "BankReleased").withArgs(leaving.address, 5, availableAt);
    expect(await ledger.RELEASE_QUARANTINE()).to.equal(BigInt(QUARANTINE));
    expect((await ledger.banks())[5]).to.equal(ethers.ZeroAddress);
    expect(await ledger.bankOf(leaving.address)).to.deep.equal([5n, 0n]);
    expect(await ledger.isReleased(leaving.address)).to.equal(true);
    expect(await ledger.freeIndexes()).to.deep.equal([[5n], [availableAt]]);
    // While free, no batch may name the index; the 257th bank waits for the quarantine.
    const toFree = await makeBatch(ledger, "to free", [[banks[1].address, 1n]], { counterpartyMask: (1n << 5n) | 2n });
    await expect(ledger.connect(banks[0]).submitBatch(toFree.key, toFree.header))
      .to.be.revertedWithCustomError(ledger, "LedgerCounterpartyReleased")
      .withArgs((1n << 5n) | 2n, 1n << 5n);
    await expect(ledger.connect(spare[0]).enroll())
      .to.be.revertedWithCustomError(ledger, "LedgerIndexInQuarantine")
      .withArgs(5, availableAt);
    await time.setNextBlockTimestamp(availableAt - 1n);
    await expect(ledger.connect(spare[0]).enroll()).to.be.revertedWithCustomError(ledger, "LedgerIndexInQuarantine");
    // The batch that was open at the release closed before the index can be given again.
    expect(BigInt(await time.latest())).to.be.greaterThanOrEqual(open.header.closesAt);
    await time.setNextBlockTimestamp(availableAt);
    await expect(ledger.connect(spare[0]).enroll())
      .to.emit(ledger, "BankIndexReused")
      .withArgs(5, leaving.address, spare[0].address)
      .and.to.emit(ledger, "BankEnrolled")
      .withArgs(spare[0].address, 5);
    expect((await ledger.banks())[5]).to.equal(spare[0].address);
    expect(await ledger.bankOf(spare[0].address)).to.deep.equal([5n, 0n]);
    expect(await ledger.bankOf(leaving.address)).to.deep.equal([5n, 0n]);
    expect(await ledger.freeIndexes()).to.deep.equal([[], []]);
    await expect(ledger.connect(spare[0]).acknowledge(openId, open.header))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(openId, open.header.closesAt);
    await expect(ledger.connect(spare[1]).enroll()).to.be.revertedWithCustomError(ledger, "LedgerTooManyBanks");
    // New batches name the new holder by bit 5.
    const toNew = await makeBatch(ledger, "to new holder", [[spare[0].address, 3n]]);
    expect(toNew.header.counterpartyMask).to.equal(1n << 5n);
    const id = await submit(ledger, banks[0], toNew);
    await expect(ledger.connect(spare[0]).acknowledge(id, toNew.header))
      .to.emit(ledger, "BatchAcknowledged")
      .withArgs(id, spare[0].address, true);
  });
});

describe("SettlementLedger: releaseBank", function () {
  it("refuses non-operators, unknown banks, banks not Removed, a second release and a paused ledger", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, registry, banks, operator, outsider } = f;
    await expect(ledger.connect(banks[0]).releaseBank(banks[1].address))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[0].address, Role.OPERATOR);
    await expect(ledger.connect(operator).releaseBank(outsider.address))
      .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
      .withArgs(outsider.address);
    await expect(ledger.connect(operator).releaseBank(banks[1].address))
      .to.be.revertedWithCustomError(ledger, "LedgerBankNotRemoved")
      .withArgs(banks[1].address, MemberStatus.Active);
    await mined(registry.suspendMember(banks[1].address));
    await expect(ledger.connect(operator).releaseBank(banks[1].address))
      .to.be.revertedWithCustomError(ledger, "LedgerBankNotRemoved")
      .withArgs(banks[1].address, MemberStatus.Suspended);
    await mined(registry.removeMember(banks[1].address));
    await mined(ledger.pause());
    await expect(ledger.connect(operator).releaseBank(banks[1].address)).to.be.revertedWithCustomError(
      ledger,
      "EnforcedPause",
    );
    await mined(ledger.unpause());
    await expect(ledger.connect(operator).releaseBank(banks[1].address)).to.emit(ledger, "BankReleased");
    await expect(ledger.connect(operator).releaseBank(banks[1].address))
      .to.be.revertedWithCustomError(ledger, "LedgerBankReleased")
      .withArgs(banks[1].address, 1);
  });

  it("a released bank re-admitted in the registry cannot enroll, anchor or answer under its old index", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, registry, banks } = f;
    const batch = await makeBatch(ledger, "to 3", [[banks[3].address, 9n]]);
    const id = await submit(ledger, banks[0], batch);
    await removeAndRelease(f, banks[3].address);
    await mined(registry.admitMember(banks[3].address, Role.MEMBER_BANK, lei("B3"), "Bank 3", UNLIMITED, UNLIMITED));
    await expect(ledger.connect(banks[3]).enroll())
      .to.be.revertedWithCustomError(ledger, "LedgerBankReleased")
      .withArgs(banks[3].address, 3);
    const own = await makeBatch(ledger, "from 3", [[banks[0].address, 1n]]);
    await expect(ledger.connect(banks[3]).submitBatch(own.key, own.header))
      .to.be.revertedWithCustomError(ledger, "LedgerBankReleased")
      .withArgs(banks[3].address, 3);
    await expect(ledger.connect(banks[3]).acknowledge(id, batch.header))
      .to.be.revertedWithCustomError(ledger, "LedgerNotCounterparty")
      .withArgs(id, banks[3].address);
    await expect(ledger.connect(banks[3]).dispute(id, batch.header, 1))
      .to.be.revertedWithCustomError(ledger, "LedgerNotCounterparty")
      .withArgs(id, banks[3].address);
  });

  it("an old final batch paying the released bank is still declarable by the netting engine", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, engine, banks } = f;
    const batch = await makeBatch(ledger, "old", [
      [banks[1].address, 100n],
      [banks[3].address, 200n],
    ]);
    await submitFinal(f, banks[0], batch, banks);
    await removeAndRelease(f, banks[3].address);
    await mined(engine.connect(f.operator).openCycle());
    const cycle = await engine.currentCycle();
    await expect(
      engine.connect(banks[0]).declare(cycle, batch.key, batch.header, batch.counterparties, batch.totals),
    ).to.emit(ledger, "BatchNetted");
    expect(await ledger.statusOf(batchIdOf(banks[0].address, batch.key), batch.header)).to.equal(5n);
  });
});

describe("SettlementLedger: barred banks", function () {
  it("the owner bars a bank: BankBarred, isBarred; its new batches LedgerBankBarred, retries still no-ops", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const first = await makeBatch(ledger, "before", [[banks[1].address, 1n]]);
    const id = await submit(ledger, banks[0], first);
    await expect(ledger.setBarred(banks[0].address, true))
      .to.emit(ledger, "BankBarred")
      .withArgs(banks[0].address, true);
    expect(await ledger.isBarred(banks[0].address)).to.equal(true);
    expect(await ledger.isBarred(banks[1].address)).to.equal(false);
    const next = await makeBatch(ledger, "after", [[banks[1].address, 1n]]);
    await expect(ledger.connect(banks[0]).submitBatch(next.key, next.header))
      .to.be.revertedWithCustomError(ledger, "LedgerBankBarred")
      .withArgs(banks[0].address);
    expect(await ledger.connect(banks[0]).submitBatch.staticCall(first.key, first.header)).to.deep.equal([id, false]);
    await expect(ledger.connect(banks[0]).submitBatch(first.key, first.header)).not.to.emit(ledger, "BatchSubmitted");
    // Barring is about anchoring: the barred bank still answers batches it receives.
    const toBarred = await makeBatch(ledger, "to barred", [[banks[0].address, 1n]]);
    const toId = await submit(ledger, banks[1], toBarred);
    await expect(ledger.connect(banks[0]).acknowledge(toId, toBarred.header)).to.emit(ledger, "BatchAcknowledged");
    await expect(ledger.setBarred(banks[0].address, false))
      .to.emit(ledger, "BankBarred")
      .withArgs(banks[0].address, false);
    await expect(ledger.connect(banks[0]).submitBatch(next.key, next.header)).to.emit(ledger, "BatchSubmitted");
  });

  it("the netting engine may bar; anyone else LedgerUnauthorizedBarring; an unknown bank LedgerNotEnrolled", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks, operator, engineAddress, outsider } = f;
    for (const caller of [banks[1], operator]) {
      await expect(ledger.connect(caller).setBarred(banks[0].address, true))
        .to.be.revertedWithCustomError(ledger, "LedgerUnauthorizedBarring")
        .withArgs(caller.address);
    }
    await network.provider.request({ method: "hardhat_impersonateAccount", params: [engineAddress] });
    await setBalance(engineAddress, ethers.parseEther("1"));
    const engine = await ethers.getSigner(engineAddress);
    await expect(ledger.connect(engine).setBarred(banks[2].address, true))
      .to.emit(ledger, "BankBarred")
      .withArgs(banks[2].address, true);
    await expect(ledger.connect(engine).setBarred(outsider.address, true))
      .to.be.revertedWithCustomError(ledger, "LedgerNotEnrolled")
      .withArgs(outsider.address);
    await network.provider.request({ method: "hardhat_stopImpersonatingAccount", params: [engineAddress] });
    // Barring works while the ledger is paused (an emergency must not stop the escalation).
    await mined(ledger.pause());
    await expect(ledger.setBarred(banks[2].address, false)).to.emit(ledger, "BankBarred");
  });
});

describe("SettlementLedger: storage of the first slot", function () {
  it("packs registry, ackWindow, bankCount (uint16), paused and anyFree in one word", async function () {
    const f = await loadFixture(deploySettlement);
    const slot = "0x4f6afbace73d2c2bb2f7f3692c4c3207833ae1eb39488a70212b1c664e4d2c00";
    const word = BigInt(await ethers.provider.getStorage(await f.ledger.getAddress(), slot));
    expect(ethers.getAddress(ethers.toBeHex(word & ((1n << 160n) - 1n), 20))).to.equal(await f.registry.getAddress());
    expect((word >> 160n) & 0xffffffffn).to.equal(await f.ledger.ackWindow());
    expect((word >> 192n) & 0xffffn).to.equal(4n); // bankCount
    expect(word >> 208n).to.equal(0n); // not paused, no free index
    await removeAndRelease(f, f.banks[3].address);
    const after = BigInt(await ethers.provider.getStorage(await f.ledger.getAddress(), slot));
    expect(after >> 208n).to.equal(1n << 8n); // anyFree
  });
});
