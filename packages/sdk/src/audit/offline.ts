/**
 * The audit of the OfflineVault: its token balance and every bank's guarantee and debt rebuilt from
 * its events alone, then compared with its state at the audited block (each allowance's remaining
 * funds, each bank's book, each pending bulk batch, each payee's credit), which must add up to the
 * same balance. Pure functions of a chain snapshot, plus the reader that collect.ts calls.
 */
import type { CheckResult, Finding } from "./check";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { formatAmount } from "./units";
import { bi, key } from "./values";

/** What the vault's events say it must hold, and each bank's guarantee and debt. */
function fromEvents(events: readonly AuditEvent[]) {
  let balance = 0n;
  const guarantee = new Map<string, bigint>();
  const debt = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, bank: unknown, v: bigint) => m.set(key(bank), (m.get(key(bank)) ?? 0n) + v);
  for (const e of events) {
    if (e.contract !== "OfflineVault") continue;
    const a = e.args;
    switch (e.eventName) {
      case "AllowanceAnchored":
        balance += bi(a.locked);
        break;
      case "GuaranteePosted":
        balance += bi(a.amount);
        add(guarantee, a.bank, bi(a.amount));
        break;
      case "GuaranteeWithdrawn":
        balance -= bi(a.amount);
        add(guarantee, a.bank, -bi(a.amount));
        break;
      case "VoucherRedeemed":
        if (a.fromGuarantee !== true) balance -= bi(a.amount);
        break;
      case "CompensationPaid":
        balance -= bi(a.amount);
        add(guarantee, a.bank, -bi(a.amount));
        break;
      case "CompensationQueued":
        add(debt, a.bank, bi(a.amount));
        break;
      case "CompensationCredited":
        add(guarantee, a.bank, -bi(a.amount));
        add(debt, a.bank, -bi(a.amount));
        break;
      case "CreditClaimed":
      case "BulkSettled":
      case "AllowanceReleased":
        balance -= bi(e.eventName === "BulkSettled" ? a.total : a.amount);
        break;
    }
  }
  return { balance, guarantee, debt };
}

/** The offline vault's check. */
export function offlineVault(s: ChainSnapshot): CheckResult {
  const vault = s.addresses.OfflineVault;
  const st = s.state.offline;
  const title =
    "Offline vault: balance, guarantees and debts rebuilt from events; allowances, batches and credits add up";
  const events = s.events.filter((e) => e.contract === "OfflineVault");
  if (!vault || !st || events.length === 0)
    return {
      id: "offline-vault",
      title,
      checked: 0,
      failures: [],
      notRunReason: vault ? "the vault has no events" : "the deployment has no OfflineVault",
    };
  const u = (v: bigint) => formatAmount(s.deployment.token, v);
  const failures: Finding[] = [];
  const held = Object.entries(s.state.balances).find(([a]) => key(a) === key(vault))?.[1] ?? 0n;
  const ev = fromEvents(events);
  if (ev.balance !== held)
    failures.push({ detail: `the vault holds ${u(held)}, but its events add up to ${u(ev.balance)}` });
  for (const [bank, book] of Object.entries(st.books)) {
    const g = ev.guarantee.get(key(bank)) ?? 0n;
    const d = ev.debt.get(key(bank)) ?? 0n;
    if (g !== book.guarantee || d !== book.debt)
      failures.push({
        detail: `${bank}: events give guarantee ${u(g)} and debt ${u(d)}; the vault says ${u(book.guarantee)} and ${u(book.debt)}`,
      });
  }
  let owed = 0n;
  for (const a of Object.values(st.allowances)) owed += a.remaining;
  for (const b of Object.values(st.books)) owed += b.guarantee;
  for (const b of Object.values(st.batches)) if (b.status === 1) owed += b.total;
  for (const c of Object.values(st.credits)) owed += c;
  if (owed !== held)
    failures.push({
      detail: `the vault holds ${u(held)}, but its allowances, guarantees, pending bulk batches and credits come to ${u(owed)}`,
    });
  return {
    id: "offline-vault",
    title,
    checked: Object.keys(st.allowances).length + Object.keys(st.books).length + Object.keys(st.batches).length,
    failures,
  };
}
