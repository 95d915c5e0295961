/**
 * pacs.008 (FI-to-FI customer credit transfer, versions 02–13): one `CdtTrfTxInf` → one payment
 * record (`mapPacs008Transaction`); `importPacs008` (messages.ts) reads a whole document in memory. The
 * element names read are the same in every version from 05 on (BICFI; BIC in 02–04). Every
 * problem is an `Iso20022Error` naming the file and the element.
 */
import type { PaymentRecord } from "../record";
import { ISO4217_MINOR_UNITS } from "./currencies";
import { mapCreditTransfer } from "./creditTransfer";
import type { MappingContext } from "./mapping";
import { Iso20022Error, type XmlNode } from "./xml";

export { Iso20022Error };
export { mod97 } from "./mapping";

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Minor-unit digits per ISO 4217 code (the generated ISO 4217 table); `currencyDecimals` adds to it. */
export const DEFAULT_CURRENCY_DECIMALS: Readonly<Record<string, number>> = ISO4217_MINOR_UNITS;

export const PACS008_ROOT = "Document/FIToFICstmrCdtTrf";

/**
 * Map the pacs.008 transaction `tx` (the `index`-th CdtTrfTxInf, 1-based) to a payment record:
 * payment id TxId, else UETR, else EndToEndId unless NOTPROVIDED; amount IntrBkSttlmAmt in minor
 * units; value date the transaction's IntrBkSttlmDt else the group's; banks DbtrAgt → CdtrAgt
 * (agents.ts); accounts DbtrAcct, CdtrAcct (absent: NO_ACCOUNT_HASH). Decision 026.
 */
export function mapPacs008Transaction(ctx: MappingContext, header: XmlNode, tx: XmlNode, index: number): PaymentRecord {
  return mapCreditTransfer({ root: PACS008_ROOT, debtor: "DbtrAgt", creditor: "CdtrAgt" }, ctx, header, tx, index);
}
