/**
 * A reference model of ConditionalEscrow for the property tests: it predicts, for every action,
 * either the exact custom error (name and arguments) or the state change and the exact token
 * transfers out of the escrow.
 */
import { AS, BPS, MS } from "./helpers";

export type ModelCondition = { kind: "attestation"; attestation: number } | { kind: "time"; notBefore: number };

export interface ModelMilestone {
  payee: string;
  amount: bigint;
  deadline: number;
  combine: number;
  conditions: ModelCondition[];
  status: bigint;
  /** Per attestation kind: bit i = attestor i attested. */
  attested: [number, number, number];
}

export interface ModelAgreement {
  id: bigint;
  payer: string;
  arbiter: string;
  attestors: string[];
  threshold: number;
  status: bigint;
  total: bigint;
  released: bigint;
  refunded: bigint;
  milestones: ModelMilestone[];
  consents: Set<string>;
}

/** A token transfer out of the escrow. */
export type Payout = [to: string, amount: bigint];

export type Prediction =
  { ok: true; apply: () => void; payouts: Payout[] } | { ok: false; name: string; args: unknown[] };

const fail = (name: string, ...args: unknown[]): Prediction => ({ ok: false, name, args });

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
};

export function holds(a: ModelAgreement, m: ModelMilestone, now: number): boolean {
  const each = m.conditions.map((c) =>
    c.kind === "time" ? now >= c.notBefore : popcount(m.attested[c.attestation]) >= a.threshold,
  );
  return m.combine === 1 ? each.some(Boolean) : each.every(Boolean);
}

function closeIfDone(a: ModelAgreement): void {
  if (a.released + a.refunded === a.total) a.status = AS.Closed;
}

/** `_active` then `_milestone`: the agreement and milestone, or the error. */
function locate(a: ModelAgreement, index: number): ModelMilestone | Prediction {
  if (a.status !== AS.Active) return fail("EscrowAgreementNotActive", a.id, a.status);
  const m = a.milestones[index];
  if (!m) return fail("EscrowUnknownMilestone", a.id, index);
  return m;
}

function pending(a: ModelAgreement, index: number): ModelMilestone | Prediction {
  const m = locate(a, index);
  if ("ok" in m) return m;
  if (m.status !== MS.Pending) return fail("EscrowMilestoneNotPending", a.id, index, m.status);
  return m;
}

export function attest(a: ModelAgreement, index: number, who: string, kind: number): Prediction {
  const m = pending(a, index);
  if ("ok" in m) return m;
  const i = a.attestors.indexOf(who);
  if (i < 0) return fail("EscrowNotAttestor", a.id, who);
  return { ok: true, payouts: [], apply: () => void (m.attested[kind] |= 1 << i) };
}

export function release(a: ModelAgreement, index: number, now: number): Prediction {
  const m = pending(a, index);
  if ("ok" in m) return m;
  if (!holds(a, m, now)) return fail("EscrowConditionNotMet", a.id, index);
  return {
    ok: true,
    payouts: [[m.payee, m.amount]],
    apply: () => {
      m.status = MS.Released;
      a.released += m.amount;
      closeIfDone(a);
    },
  };
}

export function refund(a: ModelAgreement, index: number, now: number): Prediction {
  const m = pending(a, index);
  if ("ok" in m) return m;
  if (now <= m.deadline) return fail("EscrowDeadlineNotReached", a.id, index, m.deadline);
  return {
    ok: true,
    payouts: [[a.payer, m.amount]],
    apply: () => {
      m.status = MS.Refunded;
      a.refunded += m.amount;
      closeIfDone(a);
    },
  };
}

export function dispute(a: ModelAgreement, index: number, who: string): Prediction {
  const m = pending(a, index);
  if ("ok" in m) return m;
  if (who !== a.payer && who !== m.payee) return fail("EscrowNotParty", a.id, who);
  return { ok: true, payouts: [], apply: () => void (m.status = MS.Disputed) };
}

export function resolve(a: ModelAgreement, index: number, who: string, bps: number): Prediction {
  const m = locate(a, index);
  if ("ok" in m) return m;
  if (who !== a.arbiter) return fail("EscrowNotArbiter", a.id, who);
  if (m.status !== MS.Disputed) return fail("EscrowNotDisputed", a.id, index, m.status);
  if (bps > 10_000) return fail("EscrowInvalidSplit", bps);
  const toPayee = (m.amount * BigInt(bps)) / BPS;
  const toPayer = m.amount - toPayee;
  const payouts: Payout[] = [];
  if (toPayee !== 0n) payouts.push([m.payee, toPayee]);
  if (toPayer !== 0n) payouts.push([a.payer, toPayer]);
  return {
    ok: true,
    payouts,
    apply: () => {
      m.status = MS.Split;
      a.released += toPayee;
      a.refunded += toPayer;
      closeIfDone(a);
    },
  };
}

export function cancel(a: ModelAgreement, who: string): Prediction {
  if (a.status !== AS.Active) return fail("EscrowAgreementNotActive", a.id, a.status);
  let party = who === a.payer;
  let everyone = a.consents.has(a.payer) || party;
  for (const [i, m] of a.milestones.entries()) {
    if (m.status === MS.Disputed) return fail("EscrowDisputeOpen", a.id, i);
    if (m.status !== MS.Pending) continue;
    if (m.payee === who) party = true;
    else if (!a.consents.has(m.payee)) everyone = false;
  }
  if (!party) return fail("EscrowNotParty", a.id, who);
  const refunded = everyone
    ? a.milestones.filter((m) => m.status === MS.Pending).reduce((s, m) => s + m.amount, 0n)
    : 0n;
  return {
    ok: true,
    payouts: refunded !== 0n ? [[a.payer, refunded]] : [],
    apply: () => {
      a.consents.add(who);
      if (!everyone) return;
      for (const m of a.milestones) if (m.status === MS.Pending) m.status = MS.Refunded;
      a.refunded += refunded;
      a.status = AS.Cancelled;
    },
  };
}
