import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { BANK_SINGLE_LIMIT, UNLIMITED } from "../../helpers/fixtures";
import {
  balancesOf,
  batchIdOf,
  deployWide,
  fundPool,
  impair,
  INITIAL_BALANCE,
  makeBatch,
  MAX_UINT256,
  mined,
  nettedIn,
  onSnapshot,
  passWindows,
  sum,
  type Batch,
  type WideFixture,
  netPositionsOf,
} from "./helpers";
import { netting } from "./netting-model";

const NUM_RUNS = 100;
const POOL = 20_000_000n;

interface Scenario {
  n: number;
  obligations: Array<{ debtor: number; creditor: number; amount: bigint }>;
  balances: bigint[];
  allowances: Array<bigint | null>;
  credit: Array<bigint | null>;
  impaired: { bank: number; how: "suspended" | "sanctioned" } | null;
  /** The batches are presented at close (closeCycleWith) instead of declared one by one. */
  presented: boolean;
}

/** `arb` once in `1 + nullWeight` cases, otherwise null. */
const rarely = <T>(arb: fc.Arbitrary<T>, nullWeight: number): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: nullWeight }, { arbitrary: arb, weight: 1 });

const scenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 2, max: 16 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    obligations: fc.array(
      fc
        .record({
          debtor: fc.nat({ max: n - 1 }),
          step: fc.integer({ min: 1, max: n - 1 }),
          amount: fc.oneof(fc.bigInt({ min: 1n, max: 600_000n }), fc.bigInt({ min: 1n, max: 2_000n })),
        })
        .map(({ debtor, step, amount }) => ({ debtor, creditor: (debtor + step) % n, amount })),
      { minLength: 1, maxLength: 3 * n },
    ),
    balances: fc.array(
      fc.oneof(
        fc.constant(0n),
        fc.bigInt({ min: 0n, max: 400_000n }),
        fc.bigInt({ min: 0n, max: 3_000_000n }),
        fc.constant(INITIAL_BALANCE),
      ),
      { minLength: n, maxLength: n },
    ),
    allowances: fc.array(rarely(fc.bigInt({ min: 0n, max: 1_000_000n }), 3), { minLength: n, maxLength: n }),
    credit: fc.array(rarely(fc.bigInt({ min: 1n, max: 500_000n }), 2), { minLength: n, maxLength: n }),
    impaired: rarely(
      fc.record({ bank: fc.nat({ max: n - 1 }), how: fc.constantFrom("suspended" as const, "sanctioned" as const) }),
      4,
    ),
    presented: fc.boolean(),
  }),
);

/** deployWide, a large credit pool, and every bank allowing the operator to redeem (to set balances). */
async function propertyFixture(): Promise<WideFixture> {
  const f = await deployWide();
  await fundPool(f, POOL);
  for (const bank of f.all) await mined(f.token.connect(bank).approve(f.operator.address, MAX_UINT256));
  return f;
}

/** Balances, allowances and credit lines of the scenario, on chain. */
async function arrange(f: WideFixture, s: Scenario, banks: readonly HardhatEthersSigner[]): Promise<void> {
  for (const [i, bank] of banks.entries()) {
    const delta = s.balances[i] - INITIAL_BALANCE;
    if (delta > 0n) await mined(f.token.connect(f.operator).mint(bank.address, delta));
    if (delta < 0n) await mined(f.token.connect(f.operator).burn(bank.address, -delta));
    const allowance = s.allowances[i];
    if (allowance !== null) await mined(f.token.connect(bank).approve(f.engineAddress, allowance));
    const line = s.credit[i];
    if (line !== null) await mined(f.engine.connect(f.operator).setCreditLine(bank.address, line));
  }
}

/**
 * One real ledger batch per debtor (final by its window), declared into cycle 1 — or, when the
 * scenario presents them at close, returned for closeCycleWith. Its creditors are enrolled banks
 * (possibly repeated) and its counterparty mask is built from their ledger indexes, as the engine
 * requires.
 */
async function declareScenario(
  f: WideFixture,
  s: Scenario,
  banks: readonly HardhatEthersSigner[],
): Promise<Array<[HardhatEthersSigner, Batch]>> {
  await mined(f.engine.connect(f.operator).openCycle());
  const batches: Array<[HardhatEthersSigner, Batch]> = [];
  for (let d = 0; d < s.n; d++) {
    const mine = s.obligations.filter((o) => o.debtor === d);
    if (mine.length === 0) continue;
    const payments = mine.map((o) => [banks[o.creditor].address, o.amount] as const);
    const batch = await makeBatch(f.ledger, `prop-${d}`, payments);
    // deployWide enrolls bank k at ledger index k, so the mask is the set of scenario creditors.
    expect(batch.header.counterpartyMask).to.equal(mine.reduce((m, o) => m | (1n << BigInt(o.creditor)), 0n));
    await mined(f.ledger.connect(banks[d]).submitBatch(batch.key, batch.header));
    batches.push([banks[d], batch]);
  }
  await passWindows(...batches.map(([, b]) => b));
  if (s.presented) return batches;
  for (const [bank, b] of batches) {
    const receipt = await mined(f.engine.connect(bank).declare(1, b.key, b.header, b.counterparties, b.totals));
    expect(await nettedIn(f.ledger, receipt)).to.deep.equal([[batchIdOf(bank.address, b.key), 1n]]);
  }
  expect((await f.engine.cycleOf(1)).batchCount).to.equal(BigInt(batches.length));
  return [];
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

async function check(f: WideFixture, s: Scenario): Promise<void> {
  const { engine, token, engineAddress } = f;
  const banks = f.all.slice(0, s.n);
  await arrange(f, s, banks);
  const presented = await declareScenario(f, s, banks);
  if (s.impaired) await impair(f, banks[s.impaired.bank].address, s.impaired.how);

  // The oracle, from the scenario alone: participants in order of first appearance.
  const order: number[] = [];
  for (let d = 0; d < s.n; d++) {
    for (const o of s.obligations.filter((x) => x.debtor === d)) {
      for (const k of [o.debtor, o.creditor]) if (!order.includes(k)) order.push(k);
    }
  }
  const owe = order.map((d) =>
    order.map((c) => sum(s.obligations.filter((o) => o.debtor === d && o.creditor === c).map((o) => o.amount))),
  );
  const inactive = order.map((k) => s.impaired?.bank === k);
  const funds = order.map((k) =>
    min(min(s.balances[k], s.allowances[k] ?? MAX_UINT256), k < 4 ? BANK_SINGLE_LIMIT : UNLIMITED),
  );
  const credit = order.map((k) => s.credit[k] ?? 0n);
  const model = netting(
    owe,
    funds.map((x, i) => x + credit[i]),
    inactive,
  );
  expect(
    netting(
      owe,
      funds.map((x, i) => x + credit[i]),
      inactive,
      "last",
    ),
  ).to.deep.equal(model);

  const participants = order.map((k) => banks[k].address);
  expect(await engine.participantsOf(1)).to.deep.equal(s.presented ? [] : participants);
  const everyone = [...banks.map((b) => b.address), engineAddress];
  const before = await balancesOf(f, everyone);
  const supply = await token.totalSupply();
  const [pool] = await engine.creditPool();

  const receipt = await mined(
    s.presented
      ? engine.connect(f.operator).closeCycleWith(
          1,
          presented.map(([bank, b]) => ({ bank: bank.address, ...b })),
          false,
        )
      : engine.connect(f.operator).closeCycle(1),
  );
  if (s.presented) {
    expect((await engine.cycleOf(1)).batchCount).to.equal(BigInt(presented.length));
    expect(await nettedIn(f.ledger, receipt)).to.deep.equal(
      presented.map(([bank, b]) => [batchIdOf(bank.address, b.key), 1n]),
    );
  }

  // Net positions: the model's, summing to zero; no remaining debtor beyond its capacity.
  const positions = await netPositionsOf(engine, 1, participants);
  expect(positions).to.deep.equal(model.net);
  expect(sum(positions)).to.equal(0n);
  for (const [i, net] of positions.entries()) {
    if (net < 0n) expect(-net).to.be.at.most(funds[i] + credit[i]);
  }
  // Money: supply unchanged, banks + engine unchanged; debtors pay from balance first, then credit.
  const after = await balancesOf(f, everyone);
  expect(await token.totalSupply()).to.equal(supply);
  expect(sum(after)).to.equal(sum(before));
  const fromCredit = positions.map((net, i) => (net < 0n ? -net - min(-net, funds[i]) : 0n));
  const expectedDelta = everyone.map((a) => {
    const i = participants.indexOf(a);
    if (i < 0) return a === engineAddress ? -sum(fromCredit) : 0n;
    return positions[i] < 0n ? positions[i] + fromCredit[i] : positions[i];
  });
  expect(after.map((b, i) => b - before[i])).to.deep.equal(expectedDelta);
  expect((await engine.creditPool())[0]).to.equal(pool - sum(fromCredit));
  expect(await token.balanceOf(engineAddress)).to.equal(pool - sum(fromCredit));
  // Every obligation either settled (in the positions) or carried, in full, into cycle 2.
  const carried = await Promise.all(
    participants.map((d) => Promise.all(participants.map((c) => engine.obligationOf(2, d, c)))),
  );
  expect(carried).to.deep.equal(model.carried);
  for (const [i, row] of owe.entries()) {
    expect(row.map((_, j) => model.settled[i][j] + carried[i][j])).to.deep.equal(row);
  }
  const next = await engine.participantsOf(2);
  const expectedNext = participants.filter((_, i) => carried[i].some((x) => x > 0n) || carried.some((r) => r[i] > 0n));
  expect([...next].sort()).to.deep.equal([...expectedNext].sort());
  // Events agree.
  const parsed = receipt.logs.map((l) => engine.interface.parseLog(l)).filter((e) => e !== null);
  const deferredEvents = parsed.filter((e) => e.name === "ObligationDeferred");
  expect(deferredEvents).to.have.length(carried.flat().filter((x) => x > 0n).length);
  const closed = parsed.find((e) => e.name === "CycleClosed");
  expect(closed?.args.toArray()).to.deep.equal([
    1n,
    sum(model.settled.flat()),
    sum(positions.filter((x) => x < 0n).map((x) => -x)),
    BigInt(model.deferred.filter(Boolean).length),
  ]);
}

describe("NettingEngine: properties (fast-check)", function () {
  this.timeout(180_000);

  it(`closeCycle / closeCycleWith over random obligations among up to 16 banks (${NUM_RUNS} runs)`, async function () {
    const f = await loadFixture(propertyFixture);
    await fc.assert(
      fc.asyncProperty(scenarioArb, (s) => onSnapshot(() => check(f, s))),
      { numRuns: NUM_RUNS },
    );
  });
});
