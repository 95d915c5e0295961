/**
 * The report's agreements section: every conditional-payment agreement with its parties, its
 * amounts (minor units of its token), its milestones' state and deadlines, and its disputes (who
 * opened each, whether it is open or resolved, and how the arbiter split it). Parties and amounts
 * come from `agreementOf` at the audited block, funding and disputes from the escrow's events.
 * Pure functions of a chain snapshot.
 */
import type { Address, Hex } from "viem";
import { AGREEMENT_STATUS, MILESTONE_STATUS } from "../statusNames";
import type { AuditEvent, ChainSnapshot } from "./collect";
import { isoDate } from "./units";
import { bi, key } from "./values";

/** A milestone: amount in minor units, deadline as an ISO date-time. */
export interface MilestoneEntry {
  index: number;
  payee: Address;
  amount: string;
  deadline: string;
  status: (typeof MILESTONE_STATUS)[number] | string;
  /** Whether its condition holds at the audited block. */
  conditionHolds: boolean;
}

/** A dispute of one milestone, opened by the payer or its payee and resolved by the arbiter. */
export interface DisputeEntry {
  milestone: number;
  openedBy: Address;
  /** The 32-byte reason the disputing party gave. */
  reason: Hex;
  /** When it was opened (ISO date-time of its block; null when the block time was not read). */
  openedAt: string | null;
  transactionHash: Hex;
  state: "open" | "resolved";
  /** The arbiter's split (minor units), once resolved. */
  resolution: {
    by: Address;
    toPayee: string;
    toPayer: string;
    resolvedAt: string | null;
    transactionHash: Hex;
  } | null;
}

/** One agreement as the report lists it (amounts in minor units of `token`). */
export interface AgreementEntry {
  agreementId: string;
  status: (typeof AGREEMENT_STATUS)[number] | string;
  payer: Address;
  arbiter: Address;
  /** The distinct payees of its milestones, in milestone order. */
  payees: Address[];
  token: Address;
  /** Whether `token` is the settlement token (the report's currency); if not, amounts are that token's minor units. */
  inSettlementToken: boolean;
  reference: Hex;
  createdAt: string;
  /** The sum of its milestones. */
  total: string;
  /** What the payer paid into the escrow when creating it (AgreementCreated). */
  funded: string;
  released: string;
  refunded: string;
  /** Still held by the escrow: total − released − refunded. */
  locked: string;
  milestones: MilestoneEntry[];
  disputes: DisputeEntry[];
}

const timeOf = (s: ChainSnapshot, e: AuditEvent): string | null => {
  const ts = s.blockTimestamps[e.blockNumber.toString()];
  return ts === undefined ? null : isoDate(ts);
};

/** Every agreement created since deployment, in id order. */
export function agreementsSection(s: ChainSnapshot): AgreementEntry[] {
  const escrowEvents = s.events.filter((e) => e.contract === "ConditionalEscrow");
  const out: AgreementEntry[] = [];
  for (const created of escrowEvents.filter((e) => e.eventName === "AgreementCreated")) {
    const id = String(created.args.agreementId);
    const st = s.state.agreements[id];
    if (!st) continue; // the escrow-agreements check reports an agreement without state
    const own = escrowEvents.filter((e) => String(e.args.agreementId) === id);
    const disputes: DisputeEntry[] = own
      .filter((e) => e.eventName === "MilestoneDisputed")
      .map((d) => {
        const milestone = Number(d.args.milestone);
        const r = own.find(
          (e) =>
            e.eventName === "DisputeResolved" &&
            Number(e.args.milestone) === milestone &&
            (e.blockNumber > d.blockNumber || (e.blockNumber === d.blockNumber && e.logIndex > d.logIndex)),
        );
        return {
          milestone,
          openedBy: d.args.by as Address,
          reason: d.args.reason as Hex,
          openedAt: timeOf(s, d),
          transactionHash: d.transactionHash,
          state: r ? "resolved" : "open",
          resolution: r
            ? {
                by: r.args.arbiter as Address,
                toPayee: bi(r.args.toPayee).toString(),
                toPayer: bi(r.args.toPayer).toString(),
                resolvedAt: timeOf(s, r),
                transactionHash: r.transactionHash,
              }
            : null,
        };
      });
    const payees: Address[] = [];
    for (const m of st.milestones) if (!payees.some((p) => key(p) === key(m.payee))) payees.push(m.payee);
    out.push({
      agreementId: id,
      status: AGREEMENT_STATUS[st.status] ?? `status ${st.status}`,
      payer: st.payer,
      arbiter: st.arbiter,
      payees,
      token: st.token,
      inSettlementToken: key(st.token) === key(s.addresses.SettlementToken),
      reference: st.ref,
      createdAt: isoDate(st.createdAt),
      total: st.total.toString(),
      funded: bi(created.args.total).toString(),
      released: st.released.toString(),
      refunded: st.refunded.toString(),
      locked: (st.total - st.released - st.refunded).toString(),
      milestones: st.milestones.map((m, index) => ({
        index,
        payee: m.payee,
        amount: m.amount.toString(),
        deadline: isoDate(m.deadline),
        status: MILESTONE_STATUS[m.status] ?? `status ${m.status}`,
        conditionHolds: m.conditionHolds,
      })),
      disputes,
    });
  }
  return out.sort((a, b) => (BigInt(a.agreementId) < BigInt(b.agreementId) ? -1 : 1));
}
