/**
 * A reference model of the close by holding (decision 023), written from the decision's text, not
 * from the contract: participants are ledger indexes; every inactive participant is held; then,
 * over the entries between banks not held, net again from scratch and, while some net debtor owes
 * more than its capacity, hold the one with the largest shortfall (the lowest index on a tie). A
 * held bank's entries, as debtor and as creditor, all wait; what waits of a batch is carried as
 * the mask of its creditors whose entries still wait (all its live creditors if its debtor is held).
 */
import { Role } from "../../helpers/fixtures";
import type { SettlementFixture } from "./helpers";

/** A batch presented at a close: its debtor, its creditors and amounts (by ledger index), and which creditors are live. */
export interface ModelBatch {
  id: string;
  debtor: number;
  creditors: readonly number[];
  amounts: readonly bigint[];
  /** Bit i: the entries to creditor i are still to settle (a fresh batch: its whole counterparty mask). */
  live: bigint;
}

export interface ModelClose {
  /** Participants (debtors and live creditors), ascending ledger index. */
  participants: number[];
  /** Held banks, in the order the rule held them (inactive ones first, ascending). */
  order: number[];
  held: Set<number>;
  inactive: Set<number>;
  /** Net positions of the participants not held (positive: paid out). */
  net: Map<number, bigint>;
  /** Sum of the entries that settle. */
  gross: bigint;
  /** Sum of what the net debtors pay. */
  netSettled: bigint;
  /** Each batch with something still waiting, and the mask of the creditors whose entries wait. */
  carried: Array<[string, bigint]>;
}

const bit = (i: number): bigint => 1n << BigInt(i);

/** The live entries of `batches`, as [debtor, creditor, amount]. */
export function entriesOf(batches: readonly ModelBatch[]): Array<[number, number, bigint]> {
  const out: Array<[number, number, bigint]> = [];
  for (const b of batches) {
    b.creditors.forEach((c, k) => {
      if (b.live & bit(c)) out.push([b.debtor, c, b.amounts[k]]);
    });
  }
  return out;
}

/**
 * The close of `batches` under the rule. `capacity(i)` is what participant i can pay now (funds it
 * can pay in plus unused credit); `inactive(i)` whether it cannot move money at all.
 */
export function closeByRule(
  batches: readonly ModelBatch[],
  capacity: (i: number) => bigint,
  inactive: (i: number) => boolean,
): ModelClose {
  const entries = entriesOf(batches);
  const seen = new Set<number>();
  for (const b of batches) seen.add(b.debtor);
  for (const [, c] of entries) seen.add(c);
  const participants = [...seen].sort((a, b) => a - b);
  const inactiveSet = new Set(participants.filter((i) => inactive(i)));
  const held = new Set(inactiveSet);
  const order = [...inactiveSet];
  const netting = (): Map<number, bigint> => {
    const net = new Map(participants.filter((i) => !held.has(i)).map((i) => [i, 0n]));
    for (const [d, c, amount] of entries) {
      if (held.has(d) || held.has(c)) continue;
      net.set(d, net.get(d)! - amount);
      net.set(c, net.get(c)! + amount);
    }
    return net;
  };
  let net = netting();
  for (;;) {
    let worst = -1;
    let most = 0n;
    for (const i of participants) {
      const position = net.get(i);
      if (position === undefined || position >= 0n) continue;
      const shortfall = -position - capacity(i);
      if (shortfall > most) [worst, most] = [i, shortfall]; // ascending: the lowest index wins a tie
    }
    if (worst < 0) break;
    held.add(worst);
    order.push(worst);
    net = netting();
  }
  let gross = 0n;
  for (const [d, c, amount] of entries) if (!held.has(d) && !held.has(c)) gross += amount;
  let netSettled = 0n;
  for (const x of net.values()) if (x < 0n) netSettled -= x;
  const heldMask = [...held].reduce((m, i) => m | bit(i), 0n);
  const carried: Array<[string, bigint]> = [];
  for (const b of batches) {
    const mask = held.has(b.debtor) ? b.live : b.live & heldMask;
    if (mask !== 0n) carried.push([b.id, mask]);
  }
  return { participants, order, held, inactive: inactiveSet, net, gross, netSettled, carried };
}

/** The batches carried by `close`, as the next close takes them (their live masks narrowed). */
export function carriedBatches(batches: readonly ModelBatch[], close: ModelClose): ModelBatch[] {
  const masks = new Map(close.carried);
  return batches.filter((b) => masks.has(b.id)).map((b) => ({ ...b, live: masks.get(b.id)! }));
}

export interface Capacity {
  inactive: boolean;
  /** What the bank can pay in from its balance (balance, allowance, single and daily limits). */
  funds: bigint;
  /** Its unused credit line. */
  credit: bigint;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

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
