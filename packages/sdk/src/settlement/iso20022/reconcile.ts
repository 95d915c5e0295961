/**
 * Reconciling a counterparty's pacs.002 against a batch: for each payment of the batch, what the
 * report says — accepted, rejected, pending, or unknown (the report does not mention it) — and
 * the report's transactions that match no payment.
 */
import type { PaymentRecord } from "../record";
import type { Pacs002Report, Pacs002TransactionStatus } from "./pacs002";

export type ReconciledStatus = "accepted" | "rejected" | "pending" | "unknown";

export interface ReconciledPayment {
  paymentId: string;
  status: ReconciledStatus;
  /** The TxSts (or GrpSts when the report has no per-transaction status) it was read from. */
  reportedStatus?: string;
  reason?: string;
}

export interface Reconciliation {
  payments: ReconciledPayment[];
  /** Report transactions whose OrgnlTxId / OrgnlUETR is no payment of the batch. */
  unmatched: Pacs002TransactionStatus[];
}

/** ExternalPaymentTransactionStatus1Code → the reconciled meaning. */
function meaning(code: string): ReconciledStatus {
  if (code === "RJCT" || code === "CANC") return "rejected";
  if (code === "PDNG" || code === "RCVD" || code === "PART") return "pending";
  if (/^AC[A-Z]{2}$/.test(code)) return "accepted"; // ACCP ACSC ACSP ACTC ACWC ACCC ACFC ACWP ACIS
  return "unknown";
}

/**
 * Each payment of `records` with the status `report` gives it: matched by OrgnlTxId or OrgnlUETR
 * equal to the payment id; a report without any TxInfAndSts applies its GrpSts to all (unless
 * PART); anything else is "unknown".
 */
export function reconcilePacs002(
  report: Pacs002Report,
  records: readonly Pick<PaymentRecord, "paymentId">[],
): Reconciliation {
  const byId = new Map<string, Pacs002TransactionStatus>();
  for (const t of report.transactions) {
    for (const id of [t.originalTxId, t.originalUetr]) if (id !== undefined && !byId.has(id)) byId.set(id, t);
  }
  const ids = new Set(records.map((r) => r.paymentId));
  const group = report.transactions.length === 0 && report.groupStatus !== undefined ? report.groupStatus : undefined;
  const payments = records.map((r): ReconciledPayment => {
    const t = byId.get(r.paymentId);
    if (t) {
      return {
        paymentId: r.paymentId,
        status: meaning(t.status),
        reportedStatus: t.status,
        ...(t.reason === undefined ? {} : { reason: t.reason }),
      };
    }
    if (group !== undefined) return { paymentId: r.paymentId, status: meaning(group), reportedStatus: group };
    return { paymentId: r.paymentId, status: "unknown" };
  });
  const unmatched = report.transactions.filter(
    (t) =>
      !(t.originalTxId !== undefined && ids.has(t.originalTxId)) &&
      !(t.originalUetr !== undefined && ids.has(t.originalUetr)),
  );
  return { payments, unmatched };
}
