/**
 * The gridlock rule of a cycle's close (decision 023), as a pure function: the reference the SDK
 * plans a close in several transactions with, and the audit and the fuzz campaign check closes
 * against. Participants are ledger indexes (0…255); an entry is "debtor owes creditor amount".
 *
 * 1. Every inactive participant is held.
 * 2. Net the entries whose debtor and creditor are both not held. If some net debtor owes more than
 *    its capacity, hold the one with the largest shortfall (need − capacity), the lowest index on
 *    a tie. Repeat until every net debtor left is covered.
 * 3. Entries between banks not held settle; every entry with a held end waits in the next cycle.
 */

/**
 * A bank's ledger index: 0 … 255, bit `index` of counterparty, held and live masks. The one type
 * the SDK uses for a bank's place in the ledger (the contracts' uint8, which viem decodes to a
 * number); convert with `BigInt(index)` only to shift a mask.
 */
export type LedgerIndex = number;

/** One obligation of a cycle, by ledger index. */
export interface Entry {
  debtor: LedgerIndex;
  creditor: LedgerIndex;
  amount: bigint;
}

/** What the rule decides. */
export interface RuleOutcome {
  /** Held banks: the inactive ones (ascending), then those held short, in the order held. */
  held: LedgerIndex[];
  heldMask: bigint;
  /** Net positions of the banks not held (positive: paid out), over the entries that settle. */
  net: Map<LedgerIndex, bigint>;
  /** The sum of the entries that settle. */
  gross: bigint;
}

/** The mask of a set of ledger indexes (bit i: index i). */
export function maskOf(indexes: Iterable<LedgerIndex>): bigint {
  let mask = 0n;
  for (const i of indexes) mask |= 1n << BigInt(i);
  return mask;
}

/** Whether `index` is in `mask`. */
export function inMask(mask: bigint, index: LedgerIndex): boolean {
  return ((mask >> BigInt(index)) & 1n) === 1n;
}

/** What of a batch's live creditors (`liveMask`) waits when `heldMask` is held: all of them if its debtor is held. */
export function carriedMask(debtor: LedgerIndex, liveMask: bigint, heldMask: bigint): bigint {
  return inMask(heldMask, debtor) ? liveMask : liveMask & heldMask;
}

/** Net positions over the entries whose ends are both outside `held`. */
function netOutside(entries: readonly Entry[], held: ReadonlySet<number>): Map<number, bigint> {
  const net = new Map<number, bigint>();
  for (const e of entries) {
    if (held.has(e.debtor) || held.has(e.creditor)) continue;
    net.set(e.debtor, (net.get(e.debtor) ?? 0n) - e.amount);
    net.set(e.creditor, (net.get(e.creditor) ?? 0n) + e.amount);
  }
  return net;
}

/**
 * Apply the rule to `entries`, given which participants are inactive and every participant's
 * capacity (funds it can pay in now plus unused credit; a participant missing from `capacity` has 0).
 */
export function holdByRule(
  entries: readonly Entry[],
  inactive: ReadonlySet<LedgerIndex>,
  capacity: ReadonlyMap<LedgerIndex, bigint>,
): RuleOutcome {
  const participants = [...new Set(entries.flatMap((e) => [e.debtor, e.creditor]))].sort((a, b) => a - b);
  const held = participants.filter((i) => inactive.has(i));
  const heldSet = new Set(held);
  for (;;) {
    const net = netOutside(entries, heldSet);
    let worst = -1;
    let most = 0n;
    for (const i of participants) {
      const position = net.get(i) ?? 0n;
      if (heldSet.has(i) || position >= 0n) continue;
      const shortfall = -position - (capacity.get(i) ?? 0n);
      if (shortfall > most) [worst, most] = [i, shortfall];
    }
    if (worst < 0) {
      let gross = 0n;
      for (const e of entries) if (!heldSet.has(e.debtor) && !heldSet.has(e.creditor)) gross += e.amount;
      for (const i of participants) if (!heldSet.has(i) && !net.has(i)) net.set(i, 0n);
      for (const i of heldSet) net.delete(i);
      return { held, heldMask: maskOf(held), net, gross };
    }
    held.push(worst);
    heldSet.add(worst);
  }
}
