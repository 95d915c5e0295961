import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import {
  closePending,
  deploySettlement,
  engineEvents,
  INITIAL_BALANCE,
  MAX_UINT256,
  deployWide,
  extraBanks,
  makeBatch,
  mined,
  onSnapshot,
  passWindows,
  type Batch,
  type WideFixture,
} from "./helpers";

/** What calldata costs (EIP-2028: 4 per zero byte, 16 per other byte). */
function calldataGas(data: string): bigint {
  return ethers.getBytes(data).reduce((gas, b) => gas + (b === 0 ? 4n : 16n), 0n);
}

interface Spent {
  gasUsed: bigint;
  calldata: bigint;
  /** gasUsed less the 21,000 base and the calldata. */
  execution: bigint;
}

/** What a transaction spent, split into the 21,000 base, its calldata and its execution. */
async function spentBy(sent: Promise<ContractTransactionResponse>): Promise<Spent> {
  const tx = await sent;
  const { gasUsed } = await mined(Promise.resolve(tx));
  const calldata = calldataGas(tx.data);
  return { gasUsed, calldata, execution: gasUsed - 21_000n - calldata };
}

/**
 * Open a cycle in which each of `debtors` has one final batch (final by its window) declared,
 * paying `payments(i)`; returns the receipt of the close presenting them again (closePending).
 */
async function closeWith(
  f: WideFixture,
  debtors: readonly HardhatEthersSigner[],
  payments: (i: number) => Array<readonly [string, bigint]>,
): Promise<ContractTransactionReceipt> {
  await mined(f.engine.connect(f.operator).openCycle());
  const cycle = await f.engine.currentCycle();
  const batches: Batch[] = [];
  for (const [i, bank] of debtors.entries()) {
    const batch = await makeBatch(f.ledger, `gas-${i}`, payments(i));
    await mined(f.ledger.connect(bank).submitBatch(batch.key, batch.header));
    batches.push(batch);
  }
  await passWindows(...batches);
  for (const [i, bank] of debtors.entries()) {
    const b = batches[i];
    await mined(f.engine.connect(bank).declare(cycle, b.key, b.header, b.counterparties, b.totals));
  }
  return mined(closePending(f, cycle));
}

describe("Settlement gas", function () {
  it("anchoring costs the same execution gas for 10 and for 100,000 payments", async function () {
    const { ledger, banks } = await loadFixture(deploySettlement);
    const gasFor = (entryCount: bigint) =>
      onSnapshot(async () => {
        const batch = await makeBatch(
          ledger,
          "gas",
          [
            [banks[1].address, 700_000n],
            [banks[2].address, 300_000n],
          ],
          { entryCount },
        );
        return spentBy(ledger.connect(banks[0]).submitBatch(batch.key, batch.header));
      });
    const small = await gasFor(10n);
    const large = await gasFor(100_000n);
    expect(small.execution).to.equal(large.execution);
    // Only the calldata differs: 100,000 = 0x0186a0 has two more non-zero bytes than 10 = 0x0a.
    expect(large.calldata - small.calldata).to.equal(24n);
    expect(large.gasUsed - small.gasUsed).to.equal(24n);
    console.log(
      `      gas: submitBatch ${small.gasUsed} (10 payments) / ${large.gasUsed} (100,000 payments); ` +
        `execution ${small.execution} for both`,
    );
  });

  it("close gas for 4, 8 and 16 banks (every bank owes every other), and a 16-bank cascade", async function () {
    const f = await loadFixture(deployWide);
    const results: string[] = [];
    for (const n of [4, 8, 16]) {
      const banks = f.all.slice(0, n);
      const receipt = await onSnapshot(() =>
        closeWith(f, banks, (i) =>
          banks.filter((_, j) => j !== i).map((b, j) => [b.address, BigInt(1_000 * (i + 1) + 7 * j + 1)] as const),
        ),
      );
      expect(engineEvents(f, receipt, "BankHeld")).to.have.length(0);
      expect(engineEvents(f, receipt, "NetPosition")).to.have.length(n);
      results.push(`${n} banks ${receipt.gasUsed}`);
    }
    // Worst case for gridlock resolution: a chain 0 → 1 → … → 15 where nobody may pay in, so each
    // round holds one more bank (15 rounds).
    const cascade = await onSnapshot(async () => {
      for (const bank of f.all) await mined(f.token.connect(bank).approve(f.engineAddress, 0n));
      return closeWith(f, f.all.slice(0, 15), (i) => [[f.all[i + 1].address, 1_000n] as const]);
    });
    expect(engineEvents(f, cascade, "BankHeld")).to.have.length(15);
    expect(engineEvents(f, cascade, "BatchCarried")).to.have.length(15);
    results.push(`16-bank cascade (15 held) ${cascade.gasUsed}`);
    console.log("      gas: close of declared batches (closeCycleWith presenting them again)");
    console.log("      | case | gas |\n      | --- | ---: |");
    for (const r of results) {
      const at = r.lastIndexOf(" ");
      console.log(`      | ${r.slice(0, at)} | ${r.slice(at + 1)} |`);
    }
  });

  it("a 32-bank cascade presented at the close: one round per bank, far within a block's gas", async function () {
    // 0 → 1 → … → 31, nobody may pay in: every debtor is short, the largest shortfall (bank 0's)
    // is held first, then bank 1's, …: the rule runs 31 rounds, each undoing one bank's entries.
    const f = await loadFixture(deploySettlement);
    const all = [...f.banks, ...(await extraBanks(f, 28))];
    for (const bank of all.slice(4)) await mined(f.ledger.connect(bank).enroll());
    for (const bank of all) await mined(f.token.connect(bank).approve(f.engineAddress, 0n));
    await mined(f.engine.connect(f.operator).openCycle());
    const presented = [];
    for (let i = 0; i < 31; i++) {
      const batch = await makeBatch(f.ledger, `cascade-${i}`, [[all[i + 1].address, BigInt(1_000 - i)]]);
      await mined(f.ledger.connect(all[i]).submitBatch(batch.key, batch.header));
      presented.push({ bank: all[i].address, ...batch });
    }
    await passWindows(...presented);
    const receipt = await mined(f.engine.connect(f.operator).closeCycleWith(1, presented, true));
    const closed = receipt.logs
      .filter((l) => l.topics[0] === f.engine.interface.getEvent("CycleClosed").topicHash)
      .map((l) => f.engine.interface.parseLog(l)!.args);
    expect(closed.map((c) => [c.grossSettled, c.netSettled, c.heldBanks])).to.deep.equal([[0n, 0n, 31n]]);
    // Event order is the order in which the close first names the banks: compare as sets.
    expect(
      engineEvents(f, receipt, "BankHeld")
        .map((e) => e.bank as string)
        .sort(),
    ).to.deep.equal(
      all
        .slice(0, 31)
        .map((b) => b.address)
        .sort(),
    );
    expect(receipt.gasUsed).to.be.lessThan(12_000_000n);
    console.log(`      gas: closeCycleWith 32-bank cascade (31 held) ${receipt.gasUsed}`);
  });

  it("32 banks each owing the 31 others, declared on chain, all short: every close < 15M gas", async function () {
    this.timeout(300_000);
    const f = await loadFixture(deploySettlement);
    const all = [...f.banks, ...(await extraBanks(f, 28))];
    for (const bank of all.slice(4)) {
      await mined(f.ledger.connect(bank).enroll());
      await mined(f.token.connect(f.operator).mint(bank.address, INITIAL_BALANCE));
    }
    await mined(f.engine.connect(f.operator).openCycle());
    const batches: Array<[HardhatEthersSigner, Batch]> = [];
    for (const [i, bank] of all.entries()) {
      const payments = all.filter((_, j) => j !== i).map((to, j) => [to.address, BigInt(1_000 + i * 37 + j)] as const);
      const batch = await makeBatch(f.ledger, `dense32-${i}`, payments);
      await mined(f.ledger.connect(bank).submitBatch(batch.key, batch.header));
      batches.push([bank, batch]);
    }
    await passWindows(...batches.map(([, b]) => b));
    for (const [bank, b] of batches) {
      await mined(f.engine.connect(bank).declare(1, b.key, b.header, b.counterparties, b.totals));
    }
    for (const bank of all) await mined(f.token.connect(bank).approve(f.engineAddress, 0n));
    const gas: bigint[] = [];
    for (const cycle of [1, 2]) {
      const receipt = await mined(closePending(f, cycle, [], true));
      // 31 banks are held one by one; the last one then owes and is owed nothing that settles
      // (net 0, not held), but its batch waits too: its creditors are held.
      expect(engineEvents(f, receipt, "BankHeld")).to.have.length(31);
      expect(engineEvents(f, receipt, "BatchCarried")).to.have.length(32);
      expect(receipt.gasUsed).to.be.lessThan(15_000_000n);
      gas.push(receipt.gasUsed);
    }
    for (const bank of all) await mined(f.token.connect(bank).approve(f.engineAddress, MAX_UINT256));
    const third = await mined(closePending(f, 3));
    expect(engineEvents(f, third, "BankHeld")).to.have.length(0);
    expect(third.gasUsed).to.be.lessThan(15_000_000n);
    gas.push(third.gasUsed);
    console.log(
      `      gas: 32 banks dense, declared: first close (all short) ${gas[0]}, next (all short) ${gas[1]}, ` +
        `settling ${gas[2]}`,
    );
  });

  it("32 banks dense, all short, closed in several transactions (begin, 2 steps, finish): each < 15M gas", async function () {
    this.timeout(300_000);
    const f = await loadFixture(deploySettlement);
    const all = [...f.banks, ...(await extraBanks(f, 28))];
    for (const bank of all.slice(4)) await mined(f.ledger.connect(bank).enroll());
    for (const bank of all) await mined(f.token.connect(bank).approve(f.engineAddress, 0n));
    await mined(f.engine.connect(f.operator).openCycle());
    const presented = [];
    for (const [i, bank] of all.entries()) {
      const payments = all.filter((_, j) => j !== i).map((to, j) => [to.address, BigInt(500 + i + j)] as const);
      const batch = await makeBatch(f.ledger, `streamed32-${i}`, payments);
      await mined(f.ledger.connect(bank).submitBatch(batch.key, batch.header));
      presented.push({ bank: bank.address, ...batch });
    }
    await passWindows(...presented);
    const everyone = (1n << 32n) - 1n;
    const txs = [
      await mined(f.engine.connect(f.operator).beginClose(1, everyone)),
      await mined(f.engine.connect(f.operator).closeStep(1, presented.slice(0, 16))),
      await mined(f.engine.connect(f.operator).closeStep(1, presented.slice(16))),
      await mined(f.engine.connect(f.operator).finishClose(1, true)),
    ];
    for (const r of txs) expect(r.gasUsed).to.be.lessThan(15_000_000n);
    expect(engineEvents(f, txs[3], "BankHeld")).to.have.length(32);
    expect((await f.engine.cycleOf(2)).pending).to.equal(32n);
    console.log(`      gas: 32 banks dense, streamed close: ${txs.map((r) => r.gasUsed).join(" / ")}`);
  });

  it("closeCycleWith of 4 presented batches: the same execution gas for 10 or 100,000 payments per batch", async function () {
    const f = await loadFixture(deployWide);
    const banks = f.all.slice(0, 4);
    const gasFor = (entryCount: bigint) =>
      onSnapshot(async () => {
        await mined(f.engine.connect(f.operator).openCycle());
        const presented = [];
        for (const [i, bank] of banks.entries()) {
          const payments = banks
            .filter((_, j) => j !== i)
            .map((b, j) => [b.address, BigInt(1_000 * (i + 1) + 7 * j + 1)] as const);
          const batch = await makeBatch(f.ledger, `with-${i}`, payments, { entryCount });
          await mined(f.ledger.connect(bank).submitBatch(batch.key, batch.header));
          presented.push({ bank: bank.address, ...batch });
        }
        await passWindows(...presented);
        return spentBy(f.engine.connect(f.operator).closeCycleWith(1, presented, true));
      });
    const small = await gasFor(10n);
    const large = await gasFor(100_000n);
    expect(small.execution).to.equal(large.execution);
    // Four headers, each entryCount with two more non-zero bytes: 4 × 2 × 12 gas of calldata.
    expect(large.gasUsed - small.gasUsed).to.equal(96n);
    console.log(
      `      gas: closeCycleWith 4 banks ${small.gasUsed} (10 payments each) / ${large.gasUsed} (100,000 each); ` +
        `execution ${small.execution} for both`,
    );
  });
});
