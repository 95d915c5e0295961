/**
 * pacs.009 (financial institution credit transfer, versions 08–12): one `CdtTrfTxInf` → one
 * payment record of the interbank leg. The debtor and creditor are institutions themselves
 * (`Dbtr/FinInstnId`, `Cdtr/FinInstnId`), so they are the banks; a cover payment's
 * `UndrlygCstmrCdtTrf` describes the customer transfer it funds and is not read (decision 027).
 */
import type { PaymentRecord } from "../record";
import { mapCreditTransfer } from "./creditTransfer";
import type { MappingContext } from "./mapping";
import type { XmlNode } from "./xml";

export const PACS009_ROOT = "Document/FICdtTrf";

/**
 * Map the pacs.009 transaction `tx` (1-based `index`) to a record: payment id as pacs.008 (TxId,
 * UETR, EndToEndId); amount IntrBkSttlmAmt; banks Dbtr → Cdtr (the institutions, agents.ts
 * rules); accounts DbtrAcct, CdtrAcct (absent: NO_ACCOUNT_HASH).
 */
export function mapPacs009Transaction(ctx: MappingContext, header: XmlNode, tx: XmlNode, index: number): PaymentRecord {
  return mapCreditTransfer({ root: PACS009_ROOT, debtor: "Dbtr", creditor: "Cdtr" }, ctx, header, tx, index);
}
