import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import {
  deploySettlement,
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
 * paying `payments(i)`; returns the closeCycle receipt.
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
  return mined(f.engine.connect(f.operator).closeCycle(cycle));
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

  it("closeCycle gas for 4, 8 and 16 banks (every bank owes every other), and a 16-bank cascade", async function () {
    const f = await loadFixture(deployWide);
    const results: string[] = [];
    for (const n of [4, 8, 16]) {
      const banks = f.all.slice(0, n);
      const receipt = await onSnapshot(() =>
        closeWith(f, banks, (i) =>
          banks.filter((_, j) => j !== i).map((b, j) => [b.address, BigInt(1_000 * (i + 1) + 7 * j + 1)] as const),
        ),
      );
      const deferred = receipt.logs.filter(
        (l) => l.topics[0] === f.engine.interface.getEvent("ObligationDeferred").topicHash,
      );
      expect(deferred).to.have.length(0);
      results.push(`${n} banks ${receipt.gasUsed}`);
    }
    // Worst case for gridlock resolution: a chain 0 → 1 → … → 15 where nobody may pay in, so each
    // round defers one more bank (15 rounds over a 16 × 16 matrix).
    const cascade = await onSnapshot(async () => {
      for (const bank of f.all) await mined(f.token.connect(bank).approve(f.engineAddress, 0n));
      return closeWith(f, f.all.slice(0, 15), (i) => [[f.all[i + 1].address, 1_000n] as const]);
    });
    const deferred = cascade.logs.filter(
      (l) => l.topics[0] === f.engine.interface.getEvent("ObligationDeferred").topicHash,
    );
    expect(deferred).to.have.length(15);
    results.push(`16-bank cascade (15 deferred) ${cascade.gasUsed}`);
    console.log(`      gas: closeCycle ${results.join("; ")}`);
  });

  it("a 32-bank cascade presented at the close: one round per bank, far within a block's gas", async function () {
    // 0 → 1 → … → 31, nobody may pay in: deferring each debtor makes the next one short, so the
    // gridlock rule runs 31 rounds; each round reads the capacity of a new debtor only.
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
    expect(closed.map((c) => [c.grossSettled, c.netSettled, c.deferredDebtors])).to.deep.equal([[0n, 0n, 31n]]);
    expect(receipt.gasUsed).to.be.lessThan(12_000_000n);
    console.log(`      gas: closeCycleWith 32-bank cascade (31 deferred) ${receipt.gasUsed}`);
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
