/**
 * pacs.009 (financial institution credit transfer, versions 08–12): one `CdtTrfTxInf` → one
 * payment record of the interbank leg. The debtor and creditor are institutions themselves
 * (`Dbtr/FinInstnId`, `Cdtr/FinInstnId`), so they are the banks; a cover payment's
 * `UndrlygCstmrCdtTrf` describes the customer transfer it funds and is not read (decision 027).
 */
import type { PaymentRecord } from "../record";
import { resolveAgent } from "./agents";
import { accountOf, amountOf, paymentIdOf, toRecord, valueDateOf, type MappingContext } from "./mapping";
import type { XmlNode } from "./xml";

export const PACS009_ROOT = "Document/FICdtTrf";
const GRP = `${PACS009_ROOT}/GrpHdr`;

/**
 * Map the pacs.009 transaction `tx` (1-based `index`) to a record: payment id as pacs.008 (TxId,
 * UETR, EndToEndId); amount IntrBkSttlmAmt; banks Dbtr → Cdtr (the institutions, agents.ts
 * rules); accounts DbtrAcct, CdtrAcct (absent: NO_ACCOUNT_HASH).
 */
export function mapPacs009Transaction(ctx: MappingContext, header: XmlNode, tx: XmlNode, index: number): PaymentRecord {
  const r = ctx.reader;
  const path = `${PACS009_ROOT}/CdtTrfTxInf[${index}]`;
  const id = paymentIdOf(r, r.node(tx, path, "PmtId"), `${path}/PmtId`);
  const amount = amountOf(ctx, tx, path, "IntrBkSttlmAmt");
  return toRecord(
    ctx,
    {
      paymentId: [id.id, id.path],
      endToEndId: [id.endToEndId, `${path}/PmtId/EndToEndId`],
      amount: [amount.amount, amount.path],
      currency: [amount.currency, `${amount.path}/@Ccy`],
      valueDate: valueDateOf(r, header, GRP, tx, path),
      debtorBank: resolveAgent(r, ctx.banks, r.node(tx, path, "Dbtr"), `${path}/Dbtr`, id.id),
      creditorBank: resolveAgent(r, ctx.banks, r.node(tx, path, "Cdtr"), `${path}/Cdtr`, id.id),
      debtorAccountHash: accountOf(r, tx, path, "DbtrAcct"),
      creditorAccountHash: accountOf(r, tx, path, "CdtrAcct"),
    },
    path,
  );
}
