/**
 * The pacs.002 status of each payment of a batch, from where its obligations stand in the netting
 * engine (`getBatchSettlement`): ACSC once the entry to its creditor settled, ACCP while it waits
 * (not yet in a cycle, or carried while a bank is held), RJCT if governance wrote it off or the
 * ledger rejected the batch.
 */
import { getAddress } from "viem";
import type { BatchSettlement } from "../batchSettlement";
import type { PaymentRecord } from "../record";
import { groupStatusOf, type Pacs002GroupStatus, type Pacs002Status } from "./pacs002";

/** What `buildPacs002` takes for a batch's payments: group status, each payment's, reasons. */
export interface Pacs002Statuses {
  status: Pacs002GroupStatus;
  /** paymentId → TxSts. */
  statuses: Record<string, Pacs002Status>;
  /** paymentId → reason, for the payments written off. */
  reasons: Record<string, string>;
}

/**
 * Each payment's status in a pacs.002 for its batch: `rejected` (the ledger rejected the batch)
 * makes every payment RJCT; otherwise a payment is ACSC once its creditor is among
 * `settlement.settled`, RJCT ("written off in cycle N") if among `settlement.writtenOff`, else ACCP.
 */
export function pacs002StatusesOf(
  records: readonly Pick<PaymentRecord, "paymentId" | "creditorBank">[],
  settlement: Pick<BatchSettlement, "settled" | "writtenOff" | "writtenOffIn">,
  rejected = false,
): Pacs002Statuses {
  const settled = new Set(settlement.settled.map((a) => getAddress(a)));
  const writtenOff = new Set(settlement.writtenOff.map((a) => getAddress(a)));
  const statuses: Record<string, Pacs002Status> = {};
  const reasons: Record<string, string> = {};
  for (const r of records) {
    const creditor = getAddress(r.creditorBank);
    if (rejected) statuses[r.paymentId] = "RJCT";
    else if (settled.has(creditor)) statuses[r.paymentId] = "ACSC";
    else if (writtenOff.has(creditor)) {
      statuses[r.paymentId] = "RJCT";
      reasons[r.paymentId] = `written off in cycle ${settlement.writtenOffIn ?? "?"}`;
    } else statuses[r.paymentId] = "ACCP";
  }
  return { status: groupStatusOf(Object.values(statuses)), statuses, reasons };
}
