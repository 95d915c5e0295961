/**
 * The audit's netting check (decision 023): for every closed cycle, its obligations — the entries
 * of the batches declared into it and the live entries of those carried in — less the ones with an
 * end held at the close (`BankHeld`) give its net positions, which sum to zero, match the
 * `NetPosition` events and the token Transfers of the close; every batch carries exactly the
 * entries with a held end (`BatchCarried`); and the gross settled matches `CycleClosed`. A batch
 * written off by governance (`PendingWrittenOff`) is not live in its cycle.
 */
import type { Hex } from "viem";
import { carriedMask, inMask } from "../settlement/gridlock";
import type { CheckResult, Finding } from "./check";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { formatAmount } from "./units";
import { bi, key } from "./values";

interface Batch {
  debtor: string;
  creditors: string[];
  amounts: bigint[];
}

/** A close's events after its last CloseBegun (a restarted close's earlier steps are void). */
function validAfter(events: AuditEvent[], begun: AuditEvent | undefined): AuditEvent[] {
  if (!begun) return events;
  return events.filter(
    (e) => e.blockNumber > begun.blockNumber || (e.blockNumber === begun.blockNumber && e.logIndex > begun.logIndex),
  );
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function nettingCycles(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  const u = (v: bigint) => formatAmount(s.deployment.token, v);
  const indexOf = new Map<string, number>();
  const batches = new Map<string, Batch>();
  const declaredIn = new Map<string, string[]>();
  const carriedOut = new Map<string, AuditEvent[]>();
  const lastBegun = new Map<string, AuditEvent>();
  const writtenOff = new Map<string, Set<string>>();
  const held = new Map<string, Set<string>>();
  const nets = new Map<string, Map<string, bigint>>();
  const moves = new Map<string, Map<string, bigint>>();
  const closed = new Map<string, AuditEvent>();
  const firstPosition = new Map<string, number>();
  const transfers = new Map<Hex, AuditEvent[]>();
  for (const e of s.events) {
    if (e.contract === "SettlementLedger" && e.eventName === "BankEnrolled") {
      indexOf.set(key(e.args.bank), Number(e.args.index));
    }
    if (e.contract === "SettlementToken" && e.eventName === "Transfer") push(transfers, e.transactionHash, e);
    if (e.contract !== "NettingEngine") continue;
    const cycle = String(e.args.cycleId);
    if (e.eventName === "BatchDeclared") {
      const id = key(e.args.batchId);
      batches.set(id, {
        debtor: key(e.args.debtor),
        creditors: ((e.args.creditors ?? []) as unknown[]).map(key),
        amounts: ((e.args.amounts ?? []) as unknown[]).map(bi),
      });
      push(declaredIn, cycle, id);
    } else if (e.eventName === "BatchCarried") push(carriedOut, cycle, e);
    else if (e.eventName === "CloseBegun") lastBegun.set(cycle, e);
    else if (e.eventName === "PendingWrittenOff") {
      const set = writtenOff.get(cycle) ?? new Set<string>();
      set.add(key(e.args.batchId));
      writtenOff.set(cycle, set);
    } else if (e.eventName === "BankHeld") {
      const set = held.get(cycle) ?? new Set<string>();
      set.add(key(e.args.bank));
      held.set(cycle, set);
    } else if (e.eventName === "NetPosition") {
      const n = nets.get(cycle) ?? new Map<string, bigint>();
      const net = bi(e.args.net);
      n.set(key(e.args.bank), net);
      nets.set(cycle, n);
      const m = moves.get(cycle) ?? new Map<string, bigint>();
      m.set(key(e.args.bank), net > 0n ? net : -bi(e.args.fromBalance));
      moves.set(cycle, m);
      firstPosition.set(cycle, Math.min(firstPosition.get(cycle) ?? e.logIndex, e.logIndex));
    } else if (e.eventName === "CycleClosed") closed.set(cycle, e);
  }
  const carriedMasks = (cycle: string): Map<string, bigint> =>
    new Map(
      validAfter(carriedOut.get(cycle) ?? [], lastBegun.get(cycle)).map((e) => [
        key(e.args.batchId),
        bi(e.args.creditorMask),
      ]),
    );
  const maskOfIndexes = (creditors: string[]): bigint =>
    creditors.reduce((m, c) => m | (1n << BigInt(indexOf.get(c) ?? 0)), 0n);
  for (const [cycle, close] of closed) {
    const fail = (detail: string) =>
      failures.push({ detail: `cycle ${cycle}: ${detail}`, transactionHash: close.transactionHash });
    const heldBanks = held.get(cycle) ?? new Set<string>();
    const heldMask = [...heldBanks].reduce((m, b) => m | (1n << BigInt(indexOf.get(b) ?? 0)), 0n);
    // The batches live in this cycle and the creditors whose entries are live.
    const live = new Map<string, bigint>();
    for (const id of declaredIn.get(cycle) ?? []) live.set(id, maskOfIndexes(batches.get(id)!.creditors));
    for (const [id, mask] of carriedMasks(String(BigInt(cycle) - 1n))) if (!live.has(id)) live.set(id, mask);
    // Written off by governance while the cycle was open: no longer live (PendingWrittenOff).
    for (const id of writtenOff.get(cycle) ?? []) live.delete(id);
    const net = new Map<string, bigint>();
    let gross = 0n;
    const carried = carriedMasks(cycle);
    for (const [id, liveMask] of live) {
      const b = batches.get(id);
      if (!b) {
        fail(`batch ${id} is carried in but was never declared`);
        continue;
      }
      const debtor = indexOf.get(b.debtor) ?? -1;
      b.creditors.forEach((c, k) => {
        const ci = indexOf.get(c) ?? -1;
        if (!inMask(liveMask, ci) || inMask(heldMask, debtor) || inMask(heldMask, ci)) return;
        net.set(b.debtor, (net.get(b.debtor) ?? 0n) - b.amounts[k]);
        net.set(c, (net.get(c) ?? 0n) + b.amounts[k]);
        gross += b.amounts[k];
      });
      const expected = carriedMask(debtor, liveMask, heldMask);
      const actual = carried.get(id) ?? 0n;
      if (expected !== actual) fail(`batch ${id} should carry creditors ${expected}, BatchCarried says ${actual}`);
    }
    for (const id of carried.keys()) if (!live.has(id)) fail(`batch ${id} carried but not live in the cycle`);
    if (gross !== bi(close.args.grossSettled))
      fail(`obligations settle ${u(gross)} gross, CycleClosed says ${u(bi(close.args.grossSettled))}`);
    const emitted = nets.get(cycle) ?? new Map<string, bigint>();
    let sum = 0n;
    for (const v of emitted.values()) sum += v;
    if (sum !== 0n) fail(`NetPosition events sum to ${u(sum)}, not 0`);
    // The money that actually moved in the closing transaction: the token's Transfers between the
    // engine (the clearing pool) and each bank, between this close's first NetPosition and its
    // CycleClosed (an operator contract could fund or repay the pool in the same transaction).
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
        fail(
          `${bank}: obligations give ${u(fromObligations)}, NetPosition ${u(fromEvent)}; ` +
            `token Transfers in the close move ${u(tokens)}, the position needs ${u(expected)}`,
        );
      }
    }
  }
  return {
    id: "netting-cycles",
    title:
      "Netting: every closed cycle's obligations, held banks, carried batches, net positions (sum zero) and the token moves of its close",
    checked: closed.size,
    failures,
    ...(closed.size === 0
      ? {
          notRunReason: s.addresses.NettingEngine
            ? "no netting cycle has closed"
            : "the deployment has no NettingEngine",
        }
      : {}),
  };
}
