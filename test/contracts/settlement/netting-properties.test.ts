import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { BANK_SINGLE_LIMIT, UNLIMITED } from "../../helpers/fixtures";
import type { ContractTransactionReceipt } from "ethers";
import {
  balancesOf,
  batchIdOf,
  closePending,
  engineEvents,
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
} from "./helpers";
import { capacityOf, carriedBatches, closeByRule, type ModelBatch, type ModelClose } from "./netting-model";

const NUM_RUNS = 100;
const POOL = 20_000_000n;

interface Scenario {
  n: number;
  obligations: Array<{ debtor: number; creditor: number; amount: bigint }>;
  balances: bigint[];
  allowances: Array<bigint | null>;
  credit: Array<bigint | null>;
  impaired: { bank: number; how: "suspended" | "sanctioned" } | null;
  /** The batches are presented fresh at the first close instead of declared on chain one by one. */
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
 * requires. Returns the batches as the model takes them and as the close takes them.
 */
async function declareScenario(
  f: WideFixture,
  s: Scenario,
  banks: readonly HardhatEthersSigner[],
): Promise<{ model: ModelBatch[]; fresh: Array<Batch & { bank: string }> }> {
  await mined(f.engine.connect(f.operator).openCycle());
  const batches: Array<[HardhatEthersSigner, Batch]> = [];
  const model: ModelBatch[] = [];
  for (let d = 0; d < s.n; d++) {
    const mine = s.obligations.filter((o) => o.debtor === d);
    if (mine.length === 0) continue;
    const payments = mine.map((o) => [banks[o.creditor].address, o.amount] as const);
    const batch = await makeBatch(f.ledger, `prop-${d}`, payments);
    // deployWide enrolls bank k at ledger index k, so the mask is the set of scenario creditors.
    expect(batch.header.counterpartyMask).to.equal(mine.reduce((m, o) => m | (1n << BigInt(o.creditor)), 0n));
    await mined(f.ledger.connect(banks[d]).submitBatch(batch.key, batch.header));
    batches.push([banks[d], batch]);
    model.push({
      id: batchIdOf(banks[d].address, batch.key),
      debtor: d,
      creditors: mine.map((o) => o.creditor),
      amounts: mine.map((o) => o.amount),
      live: batch.header.counterpartyMask,
    });
  }
  await passWindows(...batches.map(([, b]) => b));
  if (s.presented) return { model, fresh: batches.map(([bank, b]) => ({ bank: bank.address, ...b })) };
  for (const [bank, b] of batches) {
    const receipt = await mined(f.engine.connect(bank).declare(1, b.key, b.header, b.counterparties, b.totals));
    expect(await nettedIn(f.ledger, receipt)).to.deep.equal([[batchIdOf(bank.address, b.key), 1n]]);
  }
  expect((await f.engine.cycleOf(1)).batchCount).to.equal(BigInt(batches.length));
  expect((await f.engine.cycleOf(1)).pending).to.equal(BigInt(batches.length));
  return { model, fresh: [] };
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const byId = (a: [string, bigint], b: [string, bigint]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The close in `receipt` is the model's: held banks (BankHeld: inactive or short with its
 * capacity, its count of consecutive holds), net positions of the others, what is carried and
 * pending in the next cycle, CycleClosed; money moves by the positions only (a held bank's balance
 * does not change), debtors pay from their funds first, then credit.
 */
async function expectClose(
  f: WideFixture,
  cycle: bigint,
  receipt: ContractTransactionReceipt,
  model: ModelClose,
  banks: readonly HardhatEthersSigner[],
  funds: (i: number) => bigint,
  capacity: (i: number) => bigint,
  consecutive: (i: number) => bigint,
  before: bigint[],
  pool: bigint,
): Promise<void> {
  const { engine, engineAddress } = f;
  const heldSorted = [...model.held].sort((a, b) => a - b);
  // Event order is the order in which the close first named the banks (unspecified): compare as sets.
  const byBank = (a: unknown[], b: unknown[]) => String(a[1]).localeCompare(String(b[1]));
  expect(
    engineEvents(f, receipt, "BankHeld")
      .map((e) => [e.cycleId, e.bank, e.inactive, e.capacity, e.consecutive])
      .sort(byBank),
  ).to.deep.equal(
    heldSorted
      .map((i) =>
        model.inactive.has(i)
          ? [cycle, banks[i].address, true, 0n, 0n]
          : [cycle, banks[i].address, false, capacity(i), consecutive(i)],
      )
      .sort(byBank),
  );
  const settling = model.participants.filter((i) => !model.held.has(i));
  const positions = engineEvents(f, receipt, "NetPosition");
  const first = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
  expect(positions.map((e) => [e.bank, e.net]).sort(first)).to.deep.equal(
    settling.map((i) => [banks[i].address, model.net.get(i)]).sort(first),
  );
  expect(sum(positions.map((e) => e.net))).to.equal(0n);
  for (const e of positions) {
    const i = banks.findIndex((b) => b.address === e.bank);
    const net = e.net as bigint;
    const need: bigint = net < 0n ? -net : 0n;
    expect(need).to.be.at.most(capacity(i));
    expect([e.fromBalance, e.fromCredit]).to.deep.equal([min(need, funds(i)), need - min(need, funds(i))]);
  }
  const carried = engineEvents(f, receipt, "BatchCarried").map((e) => [e.batchId, e.creditorMask] as [string, bigint]);
  expect(carried.sort(byId)).to.deep.equal([...model.carried].sort(byId));
  for (const [id, mask] of model.carried) expect(await engine.pendingOf(cycle + 1n, id)).to.equal(mask);
  expect((await engine.cycleOf(cycle + 1n)).pending).to.equal(BigInt(model.carried.length));
  expect(await engine.heldIn(cycle)).to.equal(heldSorted.reduce((m, i) => m | (1n << BigInt(i)), 0n));
  const [closed] = engineEvents(f, receipt, "CycleClosed");
  expect(closed.toArray()).to.deep.equal([cycle, model.gross, model.netSettled, BigInt(model.held.size)]);
  // Money: banks + engine unchanged in sum; each settling bank moves by its position less its draw.
  const everyone = [...banks.map((b) => b.address), engineAddress];
  const after = await balancesOf(f, everyone);
  expect(sum(after)).to.equal(sum(before));
  const drawn = sum(positions.map((e) => e.fromCredit));
  const expected = everyone.map((a) => {
    if (a === engineAddress) return -drawn;
    const e = positions.find((x) => x.bank === a);
    if (!e) return 0n; // held, or not a participant: untouched
    return e.net < 0n ? -e.fromBalance : e.net;
  });
  expect(after.map((b, k) => b - before[k])).to.deep.equal(expected);
  expect((await engine.creditPool())[0]).to.equal(pool - drawn);
}

async function check(f: WideFixture, s: Scenario): Promise<void> {
  const { engine, token, engineAddress } = f;
  const banks = f.all.slice(0, s.n);
  await arrange(f, s, banks);
  const { model: batches, fresh } = await declareScenario(f, s, banks);
  if (s.impaired) await impair(f, banks[s.impaired.bank].address, s.impaired.how);

  // First close, the oracle from the scenario alone.
  const funds = (k: number): bigint =>
    min(min(s.balances[k], s.allowances[k] ?? MAX_UINT256), k < 4 ? BANK_SINGLE_LIMIT : UNLIMITED);
  const credit = (k: number): bigint => s.credit[k] ?? 0n;
  const inactive = (k: number): boolean => s.impaired?.bank === k;
  const first = closeByRule(batches, (k) => funds(k) + credit(k), inactive);
  const everyone = [...banks.map((b) => b.address), engineAddress];
  const supply = await token.totalSupply();
  let before = await balancesOf(f, everyone);
  let [pool] = await engine.creditPool();
  const receipt = await mined(closePending(f, 1, fresh, true));
  if (s.presented) {
    expect((await engine.cycleOf(1)).batchCount).to.equal(BigInt(fresh.length));
    expect(await nettedIn(f.ledger, receipt)).to.deep.equal(fresh.map((b) => [batchIdOf(b.bank, b.key), 1n]));
  } else {
    expect(await nettedIn(f.ledger, receipt)).to.deep.equal([]);
  }
  await expectClose(
    f,
    1n,
    receipt,
    first,
    banks,
    funds,
    (k) => funds(k) + credit(k),
    () => 1n,
    before,
    pool,
  );

  // Second close: what was carried is presented again (closePending finds it from the events);
  // capacities are read from the chain after the first close.
  const rest = carriedBatches(batches, first);
  const caps = await Promise.all(banks.map((b) => capacityOf(f, b.address)));
  const second = closeByRule(
    rest,
    (k) => caps[k].funds + caps[k].credit,
    (k) => caps[k].inactive,
  );
  before = await balancesOf(f, everyone);
  [pool] = await engine.creditPool();
  const receipt2 = await mined(closePending(f, 2));
  expect(engineEvents(f, receipt2, "BatchDeclared")).to.have.length(0);
  await expectClose(
    f,
    2n,
    receipt2,
    second,
    banks,
    (k) => caps[k].funds,
    (k) => caps[k].funds + caps[k].credit,
    (k) => (first.held.has(k) && !first.inactive.has(k) ? 2n : 1n),
    before,
    pool,
  );
  // Settled in one of the two closes, or still pending in cycle 3, never both, never lost.
  for (const b of batches) {
    const pending3 = await engine.pendingOf(3, b.id);
    const stillLive = second.carried.find(([id]) => id === b.id)?.[1] ?? 0n;
    expect(pending3).to.equal(stillLive);
  }
  expect(await token.totalSupply()).to.equal(supply);
}

describe("NettingEngine: properties (fast-check)", function () {
  this.timeout(600_000);

  it(`two closes by holding over random batches among up to 16 banks match the reference model (${NUM_RUNS} runs)`, async function () {
    const f = await loadFixture(propertyFixture);
    await fc.assert(
      fc.asyncProperty(scenarioArb, (s) => onSnapshot(() => check(f, s))),
      { numRuns: NUM_RUNS },
    );
  });
});
