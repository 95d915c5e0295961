/**
 * The mapping pacs.008 and pacs.009 share: one `CdtTrfTxInf` → one payment record. Payment id
 * TxId, else UETR, else EndToEndId unless NOTPROVIDED; amount IntrBkSttlmAmt in minor units; value
 * date the transaction's IntrBkSttlmDt else the group's; accounts DbtrAcct, CdtrAcct (absent:
 * NO_ACCOUNT_HASH) — decision 026. The messages differ only in their root and in which elements
 * name the banks (agents.ts rules).
 */
import type { PaymentRecord } from "../record";
import { resolveAgent } from "./agents";
import { accountOf, amountOf, paymentIdOf, toRecord, valueDateOf, type MappingContext } from "./mapping";
import type { XmlNode } from "./xml";

export interface CreditTransferShape {
  /** The message element's path, e.g. "Document/FIToFICstmrCdtTrf". */
  root: string;
  /** The elements naming the debtor and creditor banks: DbtrAgt/CdtrAgt, or Dbtr/Cdtr (pacs.009). */
  debtor: string;
  creditor: string;
}

/** Map the `index`-th (1-based) `CdtTrfTxInf` of a credit transfer of `shape` to a payment record. */
export function mapCreditTransfer(
  shape: CreditTransferShape,
  ctx: MappingContext,
  header: XmlNode,
  tx: XmlNode,
  index: number,
): PaymentRecord {
  const r = ctx.reader;
  const path = `${shape.root}/CdtTrfTxInf[${index}]`;
  const id = paymentIdOf(r, r.node(tx, path, "PmtId"), `${path}/PmtId`);
  const amount = amountOf(ctx, tx, path, "IntrBkSttlmAmt");
  const valueDate = valueDateOf(r, header, `${shape.root}/GrpHdr`, tx, path);
  const bank = (name: string) => resolveAgent(r, ctx.banks, r.node(tx, path, name), `${path}/${name}`, id.id);
  const debtorBank = bank(shape.debtor);
  const creditorBank = bank(shape.creditor);
  return toRecord(
    ctx,
    {
      paymentId: [id.id, id.path],
      endToEndId: [id.endToEndId, `${path}/PmtId/EndToEndId`],
      amount: [amount.amount, amount.path],
      currency: [amount.currency, `${amount.path}/@Ccy`],
      valueDate,
      debtorBank,
      creditorBank,
      debtorAccountHash: accountOf(r, tx, path, "DbtrAcct"),
      creditorAccountHash: accountOf(r, tx, path, "CdtrAcct"),
    },
    path,
  );
}
