/**
 * SDK closeCycle against the in-process chain (decision 023): pending batches found on chain and
 * presented again, a short bank held (row and column), the close in several transactions when the
 * gas budget is small, and the gridlock rule's reference (holdByRule) on its own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { custom } from "viem";
import { createClearhouse, holdByRule, carriedMask, maskOf, type Batch } from "../../packages/sdk/src";
import { parseDeployment } from "../../packages/sdk/src/deployment";
import { DeploymentError } from "../../packages/sdk/src/errors/base";
import { key } from "./fixture";
import {
  ACK_WINDOW,
  BANK_NAMES,
  dayOfBatches,
  OPERATOR_INDEX,
  settlementFixture,
  type SettlementFixture,
} from "./settlementFixture";

async function anchorDay(f: SettlementFixture, key: string): Promise<Record<string, Batch>> {
  const batches = dayOfBatches(f, key);
  for (const name of BANK_NAMES) {
    await f.bank[name].settlement.submitBatch({ key: batches[name].key, header: batches[name].header });
  }
  await hre.network.provider.send("evm_increaseTime", [ACK_WINDOW + 3_600]);
  await hre.network.provider.send("evm_mine");
  return batches;
}

const presented = (f: SettlementFixture, batches: Record<string, Batch>) =>
  BANK_NAMES.map((name) => ({ bank: f.addr[name], key: batches[name].key, header: batches[name].header }));

describe("SDK closeCycle (decision 023)", function () {
  it("holds a short bank, carries its batches by reference, and presents them again at the next close", async function () {
    const f = await loadFixture(settlementFixture);
    const engine = f.deployment.contracts.NettingEngine!.proxy;
    const { cycleId } = await f.operator.settlement.openCycle();
    const batches = await anchorDay(f, "close-1");
    await f.bank.celtic.token.approve({ spender: engine, amount: 0n });
    const closed = await f.operator.settlement.closeCycle({ cycleId, batches: presented(f, batches), openNext: true });
    expect(closed.transactions).to.have.length(1);
    expect(closed.held).to.deep.equal([f.addr.celtic]);
    const info = await f.operator.settlement.getCycle({ cycleId });
    expect(info.positions.find((p) => p.bank === f.addr.celtic)?.held).to.equal(true);
    // Celtic's batch and every other batch with an entry to Celtic wait in the next cycle.
    const pending = await f.operator.settlement.pendingBatches({ cycleId: cycleId + 1n });
    const owingCeltic = BANK_NAMES.filter(
      (name) => name === "celtic" || batches[name].header.counterparties.includes(f.addr.celtic),
    );
    expect(pending.map((b) => b.bank).sort()).to.deep.equal(owingCeltic.map((name) => f.addr[name]).sort());
    expect(owingCeltic).to.include.members(["celtic", "baltic"]);
    const next = await f.operator.settlement.getCycle({ cycleId: cycleId + 1n });
    expect(next.pending).to.equal(owingCeltic.length);
    // Celtic pays again: the next close presents the pending batches by itself.
    await f.bank.celtic.token.approve({ spender: engine, amount: 2n ** 256n - 1n });
    const second = await f.operator.settlement.closeCycle({ cycleId: cycleId + 1n });
    expect(second.held).to.deep.equal([]);
    for (const name of BANK_NAMES) {
      expect(await f.operator.settlement.isBatchSettled({ batchId: batches[name].batchId })).to.equal(true);
    }
    const report = await f.operator.settlement.reconcile({ cycleId: cycleId + 1n, batches: [] });
    expect(report.mismatches.filter((m) => m.kind === "net-position")).to.deep.equal([]);
  });

  it("closes in several transactions when one does not fit the gas budget, with the same outcome", async function () {
    const f = await loadFixture(settlementFixture);
    const { cycleId } = await f.operator.settlement.openCycle();
    const batches = await anchorDay(f, "close-2");
    const progress: string[] = [];
    const closed = await f.operator.settlement.closeCycle({
      cycleId,
      batches: presented(f, batches),
      gasBudget: 400_000n,
      onProgress: (p) => progress.push(`${p.phase} ${p.presented}/${p.total}`),
    });
    expect(closed.transactions.length).to.be.greaterThan(2);
    for (const tx of closed.transactions) expect(tx.gasUsed <= 400_000n).to.equal(true);
    expect(progress[0]).to.equal("begin 0/4");
    expect(progress[progress.length - 1]).to.equal("finish 4/4");
    const info = await f.operator.settlement.getCycle({ cycleId });
    expect(info.status).to.equal("Closed");
    expect(info.positions.reduce((s, p) => s + p.net, 0n)).to.equal(0n);
    for (const name of BANK_NAMES) {
      expect(await f.operator.settlement.isBatchSettled({ batchId: batches[name].batchId })).to.equal(true);
    }
  });
});

describe("the deployment's close gas budget", function () {
  it("closeCycle closes in several transactions beyond the deployment's closeGasBudget", async function () {
    const f = await loadFixture(settlementFixture);
    const deployment = { ...f.deployment, closeGasBudget: "400000" };
    const operator = createClearhouse({
      transport: custom(hre.network.provider, { retryCount: 0 }),
      deployment: parseDeployment(deployment),
      account: key(OPERATOR_INDEX),
      pollingInterval: 10,
    });
    const { cycleId } = await operator.settlement.openCycle();
    const batches = await anchorDay(f, "close-3");
    const closed = await operator.settlement.closeCycle({ cycleId, batches: presented(f, batches) });
    expect(closed.transactions.length).to.be.greaterThan(2);
    for (const tx of closed.transactions) expect(tx.gasUsed <= 400_000n).to.equal(true);
  });

  it("a deployment file with an invalid closeGasBudget is refused, naming the field", async function () {
    const f = await loadFixture(settlementFixture);
    const file = JSON.parse(JSON.stringify(f.deployment)) as Record<string, unknown>;
    expect(parseDeployment({ ...file, closeGasBudget: "15000000" }).closeGasBudget).to.equal("15000000");
    for (const bad of ["15M", "0", 15_000_000, "99"]) {
      expect(() => parseDeployment({ ...file, closeGasBudget: bad }))
        .to.throw(DeploymentError)
        .with.property("message")
        .that.matches(/closeGasBudget/);
    }
  });
});

describe("holdByRule (the gridlock rule's reference)", function () {
  it("holds inactive banks, then the largest shortfall first, the lowest index on a tie", function () {
    // 0 owes 1 100; 2 owes 1 100; 3 owes 0 10. Capacities: 0 → 50, 2 → 50, others 0.
    const entries = [
      { debtor: 0, creditor: 1, amount: 100n },
      { debtor: 2, creditor: 1, amount: 100n },
      { debtor: 3, creditor: 0, amount: 10n },
    ];
    const capacity = new Map([
      [0, 50n],
      [2, 50n],
    ]);
    // Round 1: 0 needs 90 (short 40), 2 needs 100 (short 50), 3 needs 10 (short 10): hold 2.
    // Round 2: 0 short 40 → hold 0. Round 3: 3 owes 0 (held): nothing settles for it; 1 gets nothing.
    const outcome = holdByRule(entries, new Set(), capacity);
    expect(outcome.held).to.deep.equal([2, 0]);
    expect(outcome.heldMask).to.equal(0b101n);
    expect([...outcome.net]).to.deep.equal([
      [1, 0n],
      [3, 0n],
    ]);
    expect(outcome.gross).to.equal(0n);
    // A tie (both short by 50) holds the lower index first.
    const tie = holdByRule(
      [
        { debtor: 5, creditor: 9, amount: 50n },
        { debtor: 4, creditor: 9, amount: 50n },
      ],
      new Set(),
      new Map(),
    );
    expect(tie.held).to.deep.equal([4, 5]);
    // Inactive banks are held first, whatever they owe.
    expect(
      holdByRule(
        entries,
        new Set([3]),
        new Map([
          [0, 1_000n],
          [2, 1_000n],
        ]),
      ).held,
    ).to.deep.equal([3]);
  });

  it("carriedMask: a held debtor carries every live creditor, another only the held ones", function () {
    expect(carriedMask(1, 0b1100n, maskOf([1]))).to.equal(0b1100n);
    expect(carriedMask(1, 0b1100n, maskOf([3]))).to.equal(0b1000n);
    expect(carriedMask(1, 0b1100n, 0n)).to.equal(0n);
  });
});

describe("docs/spec/gridlock-rule.md vectors", function () {
  it("every vector of the spec is what holdByRule computes", function () {
    const text = readFileSync(join(__dirname, "..", "..", "docs", "spec", "gridlock-rule.md"), "utf8");
    const block = /```json\n([\s\S]*?)\n```/.exec(text);
    expect(block, "the spec has a json block of vectors").to.not.equal(null);
    type Vector = {
      name: string;
      entries: [number, number, string][];
      inactive: number[];
      capacity: Record<string, string>;
      held: number[];
      net: Record<string, string>;
      gross: string;
    };
    const vectors = JSON.parse(block![1]) as Vector[];
    expect(vectors.length).to.be.greaterThan(3);
    for (const v of vectors) {
      const outcome = holdByRule(
        v.entries.map(([debtor, creditor, amount]) => ({ debtor, creditor, amount: BigInt(amount) })),
        new Set(v.inactive),
        new Map(Object.entries(v.capacity).map(([i, c]) => [Number(i), BigInt(c)])),
      );
      expect(outcome.held, v.name).to.deep.equal(v.held);
      expect(Object.fromEntries([...outcome.net].map(([i, n]) => [String(i), n.toString()])), v.name).to.deep.equal(
        v.net,
      );
      expect(outcome.gross.toString(), v.name).to.equal(v.gross);
    }
  });
});
