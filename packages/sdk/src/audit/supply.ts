/**
 * The token's supply section of the audit: the supply, the issuance ceiling, and issuance and
 * redemption per issuer per UTC day, rebuilt from events; and the check that no operator issued
 * above the daily ceiling in force (decision 021). Pure functions of a chain snapshot.
 */
import type { Address, Hex } from "viem";
import type { CheckResult, Finding } from "./check";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { formatAmount, type ReportToken } from "./units";
import { bi, key } from "./values";

const SECONDS_PER_DAY = 86_400;

/** Issuance and redemption of one issuer on one UTC day, in minor units. */
export interface SupplyDay {
  /** UTC day number (block timestamp / 86,400). */
  day: number;
  /** The day as an ISO date, e.g. "2026-11-23". */
  date: string;
  /** Who issued or redeemed: an OPERATOR, or governance (the token's owner) beyond the ceiling. */
  issuer: Address;
  /** Whether `issuer` was the token's owner then (governance issues beyond the ceiling). */
  governance: boolean;
  issued: string;
  redeemed: string;
}

/** The audit report's supply section (amounts in minor units, as decimal strings for JSON). */
export interface SupplySection {
  totalSupply: string;
  /** The operators' issuance ceiling per UTC day now; null when the token predates it. */
  issuanceCeiling: string | null;
  /** Every (day, issuer) with issuance or redemption, in day order. */
  days: SupplyDay[];
  issuedTotal: string;
  redeemedTotal: string;
}

const dateOf = (day: number): string => new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);

/** The token's events in chain order, with the owner in force at each (from OwnershipTransferred). */
function tokenEvents(s: ChainSnapshot): { e: AuditEvent; owner: string }[] {
  let owner = "";
  const out: { e: AuditEvent; owner: string }[] = [];
  for (const e of s.events) {
    if (e.contract !== "SettlementToken") continue;
    if (e.eventName === "OwnershipTransferred") owner = key(e.args.newOwner);
    out.push({ e, owner });
  }
  return out;
}

function dayOf(s: ChainSnapshot, e: AuditEvent): number {
  const ts = s.blockTimestamps[e.blockNumber.toString()];
  if (ts === undefined) throw new Error(`audit snapshot lacks the timestamp of block ${e.blockNumber}`);
  return Math.floor(ts / SECONDS_PER_DAY);
}

/** The supply section: issuance and redemption per issuer per UTC day, and the totals. */
export function supplySection(s: ChainSnapshot): SupplySection {
  const rows = new Map<
    string,
    { day: number; issuer: string; governance: boolean; issued: bigint; redeemed: bigint }
  >();
  let issuedTotal = 0n;
  let redeemedTotal = 0n;
  for (const { e, owner } of tokenEvents(s)) {
    if (e.eventName !== "Issued" && e.eventName !== "Redeemed") continue;
    const issuer = key(e.args.operator);
    const day = dayOf(s, e);
    const id = `${day}:${issuer}`;
    const row = rows.get(id) ?? { day, issuer, governance: issuer === owner, issued: 0n, redeemed: 0n };
    const amount = bi(e.args.amount);
    if (e.eventName === "Issued") {
      row.issued += amount;
      issuedTotal += amount;
    } else {
      row.redeemed += amount;
      redeemedTotal += amount;
    }
    rows.set(id, row);
  }
  const days = [...rows.values()]
    .sort((a, b) => a.day - b.day || a.issuer.localeCompare(b.issuer))
    .map((r) => ({
      day: r.day,
      date: dateOf(r.day),
      issuer: r.issuer as Address,
      governance: r.governance,
      issued: r.issued.toString(),
      redeemed: r.redeemed.toString(),
    }));
  return {
    totalSupply: s.state.totalSupply.toString(),
    issuanceCeiling: s.state.issuanceCeiling === undefined ? null : s.state.issuanceCeiling.toString(),
    days,
    issuedTotal: issuedTotal.toString(),
    redeemedTotal: redeemedTotal.toString(),
  };
}

/**
 * Every operator issuance kept the UTC day's issuance within the ceiling in force (from
 * IssuanceCeilingSet; issuance before the first one predates the ceiling and is not judged), each
 * IssuanceCounted total matches the issuance rebuilt from Issued events, and the contract's
 * `issuanceToday` matches the rebuilt current day.
 */
export function tokenIssuance(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  let ceiling: bigint | undefined;
  const issuedOn = new Map<number, bigint>();
  let counted: { day: bigint; issuedToday: bigint; tx: Hex } | undefined;
  let checked = 0;
  const u = (v: bigint) => formatAmount(s.deployment.token, v);
  for (const { e, owner } of tokenEvents(s)) {
    if (e.eventName === "IssuanceCeilingSet") ceiling = bi(e.args.ceiling);
    else if (e.eventName === "IssuanceCounted")
      counted = { day: bi(e.args.day), issuedToday: bi(e.args.issuedToday), tx: e.transactionHash };
    else if (e.eventName === "Issued") {
      checked++;
      const day = dayOf(s, e);
      const total = (issuedOn.get(day) ?? 0n) + bi(e.args.amount);
      issuedOn.set(day, total);
      const byGovernance = key(e.args.operator) === owner;
      if (ceiling !== undefined && !byGovernance && total > ceiling)
        failures.push({
          detail: `${e.args.operator as string} issued ${u(bi(e.args.amount))} on ${dateOf(day)}, taking the day's issuance to ${u(total)}, above the ceiling of ${u(ceiling)}`,
          transactionHash: e.transactionHash,
        });
      if (counted && counted.tx === e.transactionHash) {
        if (counted.day !== BigInt(day) || counted.issuedToday !== total)
          failures.push({
            detail: `IssuanceCounted says day ${counted.day} total ${u(counted.issuedToday)}; Issued events give day ${day} total ${u(total)}`,
            transactionHash: e.transactionHash,
          });
      } else if (ceiling !== undefined) {
        failures.push({
          detail: `an issuance of ${u(bi(e.args.amount))} was not counted (no IssuanceCounted)`,
          transactionHash: e.transactionHash,
        });
      }
      counted = undefined;
    }
  }
  const today = s.state.issuanceToday;
  if (today) {
    checked++;
    const rebuilt = issuedOn.get(Number(today.day)) ?? 0n;
    if (rebuilt !== today.issued)
      failures.push({
        detail: `issuanceToday() says ${u(today.issued)} for day ${today.day}; Issued events give ${u(rebuilt)}`,
      });
  }
  return {
    id: "token-issuance",
    title: "Token: every operator issuance within the daily ceiling in force, day totals rebuilt from events",
    checked,
    failures,
    ...(checked === 0 ? { notRunReason: "nothing was issued and the token has no daily issuance ceiling" } : {}),
  };
}

/** The supply section's summary sentence, amounts in currency units. */
export function supplySentence(x: SupplySection, token: Pick<ReportToken, "symbol" | "decimals">): string {
  const u = (v: string) => formatAmount(token, v);
  const ceiling =
    x.issuanceCeiling === null
      ? "not supported by this token"
      : `${u(x.issuanceCeiling)}${x.issuanceCeiling === "0" ? " (operators cannot mint)" : ""}`;
  return (
    `Total supply ${u(x.totalSupply)}; issued ${u(x.issuedTotal)}, redeemed ${u(x.redeemedTotal)} since deployment; ` +
    `daily issuance ceiling ${ceiling}.`
  );
}
