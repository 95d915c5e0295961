/**
 * The audit's netting check: every closed cycle's obligations (added, carried in, deferred) give
 * its net positions, which sum to zero, match the NetPosition events and the token Transfers the
 * close made through the clearing pool.
 */
import type { Hex } from "viem";
import type { CheckResult, Finding } from "./checks";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { bi, key } from "./values";

export function nettingCycles(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  type Pairs = Map<string, bigint>;
  const added = new Map<string, Pairs>();
  const deferred = new Map<string, Pairs>();
  const nets = new Map<string, Map<string, bigint>>();
  /** Per cycle and bank: what the bank's NetPosition says moved through the token (+ paid out, − paid in from its balance). */
  const moves = new Map<string, Map<string, bigint>>();
  const closed = new Map<string, AuditEvent>();
  /** Per cycle: the log index of its first NetPosition (the close's settlement starts there). */
  const firstPosition = new Map<string, number>();
  /** The token's Transfers, by transaction. */
  const transfers = new Map<Hex, AuditEvent[]>();
  const bump = (m: Map<string, Pairs>, cycle: string, pair: string, v: bigint) => {
    const p = m.get(cycle) ?? new Map<string, bigint>();
    p.set(pair, (p.get(pair) ?? 0n) + v);
    m.set(cycle, p);
  };
  for (const e of s.events) {
    if (e.contract === "SettlementToken" && e.eventName === "Transfer") {
      const list = transfers.get(e.transactionHash);
      if (list) list.push(e);
      else transfers.set(e.transactionHash, [e]);
    }
    if (e.contract !== "NettingEngine") continue;
    const cycle = String(e.args.cycleId);
    if (e.eventName === "BatchDeclared") {
      const creditors = (e.args.creditors ?? []) as unknown[];
      const amounts = (e.args.amounts ?? []) as unknown[];
      creditors.forEach((c, k) => bump(added, cycle, `${key(e.args.debtor)}>${key(c)}`, bi(amounts[k])));
    } else if (e.eventName === "ObligationDeferred") {
      bump(deferred, cycle, `${key(e.args.debtor)}>${key(e.args.creditor)}`, bi(e.args.amount));
    } else if (e.eventName === "NetPosition") {
      const n = nets.get(cycle) ?? new Map<string, bigint>();
      n.set(key(e.args.bank), bi(e.args.net));
      nets.set(cycle, n);
      const m = moves.get(cycle) ?? new Map<string, bigint>();
      const net = bi(e.args.net);
      m.set(key(e.args.bank), net > 0n ? net : -bi(e.args.fromBalance));
      moves.set(cycle, m);
      firstPosition.set(cycle, Math.min(firstPosition.get(cycle) ?? e.logIndex, e.logIndex));
    } else if (e.eventName === "CycleClosed") closed.set(cycle, e);
  }
  for (const [cycle, close] of closed) {
    const obligations = new Map<string, bigint>(added.get(cycle) ?? []);
    for (const [pair, v] of deferred.get(String(BigInt(cycle) - 1n)) ?? [])
      obligations.set(pair, (obligations.get(pair) ?? 0n) + v);
    const net = new Map<string, bigint>();
    let gross = 0n;
    for (const [pair, v] of obligations) {
      const settled = v - (deferred.get(cycle)?.get(pair) ?? 0n);
      if (settled < 0n)
        failures.push({
          detail: `cycle ${cycle}: more deferred than owed for ${pair}`,
          transactionHash: close.transactionHash,
        });
      const [d, c] = pair.split(">");
      net.set(d, (net.get(d) ?? 0n) - settled);
      net.set(c, (net.get(c) ?? 0n) + settled);
      gross += settled;
    }
    if (gross !== bi(close.args.grossSettled))
      failures.push({
        detail: `cycle ${cycle}: obligations settle ${gross} gross, CycleClosed says ${close.args.grossSettled}`,
        transactionHash: close.transactionHash,
      });
    const emitted = nets.get(cycle) ?? new Map<string, bigint>();
    let sum = 0n;
    for (const v of emitted.values()) sum += v;
    if (sum !== 0n)
      failures.push({
        detail: `cycle ${cycle}: NetPosition events sum to ${sum}, not 0`,
        transactionHash: close.transactionHash,
      });
    // The money that actually moved in the closing transaction: the token's Transfers between the
    // engine (the clearing pool) and each bank, only those between this close's first NetPosition
    // and its CycleClosed (a contract operator could fund or repay the pool in the same transaction).
    const pool = key(s.addresses.NettingEngine ?? "0x");
    const moved = new Map<string, bigint>();
    const from = firstPosition.get(cycle) ?? close.logIndex;
    for (const t of transfers.get(close.transactionHash) ?? []) {
      if (t.logIndex < from || t.logIndex > close.logIndex) continue;
      const [sender, recipient, value] = [key(t.args.from), key(t.args.to), bi(t.args.value)];
      if (sender === pool) moved.set(recipient, (moved.get(recipient) ?? 0n) + value);
      if (recipient === pool) moved.set(sender, (moved.get(sender) ?? 0n) - value);
    }
    const expectedMoves = moves.get(cycle) ?? new Map<string, bigint>();
    for (const bank of new Set([...net.keys(), ...emitted.keys(), ...moved.keys()])) {
      const fromObligations = net.get(bank) ?? 0n;
      const fromEvent = emitted.get(bank) ?? 0n;
      const tokens = moved.get(bank) ?? 0n;
      const expected = expectedMoves.get(bank) ?? 0n;
      if (fromObligations !== fromEvent || tokens !== expected) {
        failures.push({
          detail:
            `cycle ${cycle}, ${bank}: obligations give ${fromObligations}, NetPosition ${fromEvent}; ` +
            `token Transfers in the close move ${tokens}, the position needs ${expected}`,
          transactionHash: close.transactionHash,
        });
      }
    }
  }
  return {
    id: "netting-cycles",
    title:
      "Netting: every closed cycle's obligations, deferrals, net positions (sum zero) and the token moves of its close",
    checked: closed.size,
    failures,
  };
}
