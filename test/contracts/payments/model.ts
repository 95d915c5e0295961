/**
 * A reference model of ConditionalEscrow for the property tests and the stateful fuzz campaign
 * (test/fuzz/campaigns/escrow.ts): it predicts, for every action, either the exact custom error
 * (name and arguments) or the state change and the exact token transfers out of the escrow. It
 * follows the documented rules (docs/payments.md), not the contract's code: each attestation
 * condition counts only its own attestors; signers are screened like on-chain attestors; cancel
 * consents expire and can be revoked; a cancellation never refunds a milestone whose condition holds.
 */
import { AS, BPS, MS } from "./helpers";

export type ModelCondition =
  { kind: "attestation"; attestation: number; mask: number; threshold: number } | { kind: "time"; notBefore: number };

/** The longest a cancel consent may count (EscrowStorage.MAX_CONSENT_LIFETIME). */
export const MAX_CONSENT_LIFETIME = 30 * 86_400;

/** The registry's verdict on an account: undefined if it is an active member, else its error. */
export type Screen = (account: string) => Prediction | undefined;

/** One signed attestation as submitted: who it names, the deadline it carries, and whether that account signed it. */
export interface SignedEntry {
  signer: string;
  deadline: number;
  genuine: boolean;
}

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

/** Per attestation kind: the attestors some attestation condition of that kind names. */
export function boundOf(m: Pick<ModelMilestone, "conditions">): [number, number, number] {
  const bound: [number, number, number] = [0, 0, 0];
  for (const c of m.conditions) if (c.kind === "attestation") bound[c.attestation] |= c.mask;
  return bound;
}

export interface ModelAgreement {
  id: bigint;
  payer: string;
  arbiter: string;
  attestors: string[];
  status: bigint;
  total: bigint;
  released: bigint;
  refunded: bigint;
  milestones: ModelMilestone[];
  /** Cancel consents: party → the last second at which it counts (absent: none or revoked). */
  consents: Map<string, number>;
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

export function holds(m: ModelMilestone, now: number): boolean {
  const each = m.conditions.map((c) =>
    c.kind === "time" ? now >= c.notBefore : popcount(m.attested[c.attestation] & c.mask) >= c.threshold,
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

/** The attestor index of `who` if it may attest `kind` in milestone `index`, else the error. */
function boundAttestor(a: ModelAgreement, m: ModelMilestone, index: number, who: string, kind: number) {
  const i = a.attestors.indexOf(who);
  if (i < 0) return fail("EscrowNotAttestor", a.id, who);
  if (((boundOf(m)[kind] >> i) & 1) === 0) return fail("EscrowAttestorNotBound", a.id, index, kind, who);
  return i;
}

/** `attest` by `who` (screened first, as every caller). */
export function attest(a: ModelAgreement, index: number, who: string, kind: number, screen: Screen): Prediction {
  const refused = screen(who);
  if (refused) return refused;
  const m = pending(a, index);
  if ("ok" in m) return m;
  const i = boundAttestor(a, m, index, who, kind);
  if (typeof i !== "number") return i;
  return { ok: true, payouts: [], apply: () => void (m.attested[kind] |= 1 << i) };
}

/** `submitAttestations` by an active member at `now`: every entry checked in order, all or nothing. */
export function submit(
  a: ModelAgreement,
  index: number,
  kind: number,
  entries: SignedEntry[],
  now: number,
  screen: Screen,
): Prediction {
  if (entries.length === 0) return fail("EscrowInvalidTerms", "signatures");
  const m = pending(a, index);
  if ("ok" in m) return m;
  let bits = 0;
  for (const e of entries) {
    const i = boundAttestor(a, m, index, e.signer, kind);
    if (typeof i !== "number") return i;
    if (now > e.deadline) return fail("EscrowAttestationExpired", a.id, e.signer, e.deadline);
    if (!e.genuine) return fail("EscrowInvalidSignature", a.id, e.signer);
    const refused = screen(e.signer);
    if (refused) return refused;
    bits |= 1 << i;
  }
  return { ok: true, payouts: [], apply: () => void (m.attested[kind] |= bits) };
}

export function release(a: ModelAgreement, index: number, now: number): Prediction {
  const m = pending(a, index);
  if ("ok" in m) return m;
  if (!holds(m, now)) return fail("EscrowConditionNotMet", a.id, index);
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

const consents = (a: ModelAgreement, party: string, now: number) => (a.consents.get(party) ?? -1) >= now;

/**
 * `cancel(expiresAt)` by `who` at `now`: records the consent; once the payer and the payee of every
 * pending milestone whose condition does not hold consent, refunds those milestones and keeps the
 * others (Cancelled if none kept).
 */
export function cancel(a: ModelAgreement, who: string, now: number, expiresAt: number, screen: Screen): Prediction {
  const refused = screen(who);
  if (refused) return refused;
  if (a.status !== AS.Active) return fail("EscrowAgreementNotActive", a.id, a.status);
  const latest = now + MAX_CONSENT_LIFETIME;
  if (expiresAt <= now || expiresAt > latest) return fail("EscrowInvalidConsentExpiry", expiresAt, latest);
  let party = who === a.payer;
  let everyone = party || consents(a, a.payer, now);
  const refund: ModelMilestone[] = [];
  let kept = 0;
  for (const [i, m] of a.milestones.entries()) {
    if (m.status === MS.Disputed) return fail("EscrowDisputeOpen", a.id, i);
    if (m.status !== MS.Pending) continue;
    if (m.payee === who) party = true;
    if (holds(m, now)) {
      kept++;
      continue;
    }
    refund.push(m);
    if (m.payee !== who && !consents(a, m.payee, now)) everyone = false;
  }
  if (!party) return fail("EscrowNotParty", a.id, who);
  const refunded = everyone ? refund.reduce((s, m) => s + m.amount, 0n) : 0n;
  return {
    ok: true,
    payouts: refunded !== 0n ? [[a.payer, refunded]] : [],
    apply: () => {
      a.consents.set(who, expiresAt);
      if (!everyone) return;
      for (const m of refund) m.status = MS.Refunded;
      a.refunded += refunded;
      if (kept === 0) a.status = AS.Cancelled;
    },
  };
}

/** `revokeCancel` by `who` at `now` (no membership check). */
export function revoke(a: ModelAgreement, who: string, now: number): Prediction {
  if (a.status !== AS.Active) return fail("EscrowAgreementNotActive", a.id, a.status);
  if (!consents(a, who, now)) return fail("EscrowNoCancelConsent", a.id, who);
  return { ok: true, payouts: [], apply: () => void a.consents.delete(who) };
}
