/**
 * A reference model of NettingEngine.closeCycle, written from its specification: obligations to or
 * from inactive banks are carried; then, while some net debtor's position exceeds its capacity,
 * every outgoing obligation of the debtor with the largest shortfall (lowest index on a tie) is
 * carried and the rest netted again.
 */
import type { NettingEngine } from "../../../typechain-types";
import { Role } from "../../helpers/fixtures";
import type { SettlementFixture } from "./helpers";

export interface Outcome {
  /** Net positions of what settles (positive: paid out). */
  net: bigint[];
  /** Debtors deferred for a shortfall (inactive banks are not counted). */
  deferred: boolean[];
  /** What moves to the next cycle, debtor × creditor. */
  carried: bigint[][];
  /** What settles, debtor × creditor. */
  settled: bigint[][];
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * `pick` chooses which short debtor is deferred in a round: the rule ("largest" shortfall, lowest
 * index on a tie) or, to show the outcome does not depend on it, the "last" short one.
 */
export function netting(
  owe: readonly (readonly bigint[])[],
  capacity: readonly bigint[],
  inactive: readonly boolean[],
  pick: "largest" | "last" = "largest",
): Outcome {
  const n = owe.length;
  const live = owe.map((row, i) => row.map((x, j) => (inactive[i] || inactive[j] ? 0n : x)));
  const carried = owe.map((row, i) => row.map((x, j) => (inactive[i] || inactive[j] ? x : 0n)));
  const deferred: boolean[] = Array.from({ length: n }, () => false);
  let net: bigint[] = [];
  for (;;) {
    net = Array.from({ length: n }, () => 0n);
    for (let i = 0; i < n; i++) {
      if (deferred[i]) continue;
      for (let j = 0; j < n; j++) {
        net[i] -= live[i][j];
        net[j] += live[i][j];
      }
    }
    let worst = -1;
    let worstShortfall = 0n;
    for (let i = 0; i < n; i++) {
      const shortfall = -net[i] - capacity[i];
      if (net[i] >= 0n || shortfall <= 0n) continue;
      if (pick === "last" || shortfall > worstShortfall) [worst, worstShortfall] = [i, shortfall];
    }
    if (worst < 0) break;
    deferred[worst] = true;
  }
  const settled = live.map((row, i) => row.map((x) => (deferred[i] ? 0n : x)));
  for (let i = 0; i < n; i++) if (deferred[i]) for (let j = 0; j < n; j++) carried[i][j] += live[i][j];
  return { net, deferred, carried, settled };
}

export interface Capacity {
  inactive: boolean;
  /** What the bank can pay in from its balance (balance, allowance, single and daily limits). */
  funds: bigint;
  /** Its unused credit line. */
  credit: bigint;
}

/** A bank's capacity as the engine will see it in the next block (same UTC day assumed). */
export async function capacityOf(f: SettlementFixture, bank: string): Promise<Capacity> {
  const { registry, token, engine } = f;
  const member = await registry.memberOf(bank);
  const inactive = !(await registry.isActiveMember(bank)) || (Number(member.roles) & Role.MEMBER_BANK) === 0;
  const line = await engine.creditOf(bank);
  const credit = line.limit > line.used ? line.limit - line.used : 0n;
  if (inactive) return { inactive, funds: 0n, credit };
  const [, spent] = await token.outflowToday(bank);
  const daily = member.maxDailyOutflow > spent ? member.maxDailyOutflow - spent : 0n;
  const funds = min(
    min(await token.balanceOf(bank), await token.allowance(bank, f.engineAddress)),
    min(member.maxSingleTransfer, daily),
  );
  return { inactive, funds, credit };
}

/** The obligation matrix of a cycle, over `banks`. */
export async function obligations(engine: NettingEngine, cycle: bigint, banks: readonly string[]): Promise<bigint[][]> {
  return Promise.all(banks.map((d) => Promise.all(banks.map((c) => engine.obligationOf(cycle, d, c)))));
}
