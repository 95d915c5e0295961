/**
 * pacs.004 (payment return, versions 09–14): one `TxInf` → one payment record from the returning
 * bank back to the original debtor's bank, so that in netting it offsets the original payment
 * (decision 027). Its payment id is the `RtrId`; the original's id (OrgnlTxId, else OrgnlUETR,
 * else OrgnlEndToEndId) is `originalPaymentIdOf`.
 */
import type { PaymentRecord } from "../record";
import { resolveAgent } from "./agents";
import { accountOf, amountOf, toRecord, valueDateOf, type Agent, type MappingContext } from "./mapping";
import type { XmlNode } from "./xml";

export const PACS004_ROOT = "Document/PmtRtr";
const GRP = `${PACS004_ROOT}/GrpHdr`;

/**
 * The institution of a return leg: the transaction's `own` agent (InstgAgt / InstdAgt), else the
 * group header's, else the original transaction's `original` agent (OrgnlTxRef/CdtrAgt for the
 * returning bank, OrgnlTxRef/DbtrAgt for the bank paid back).
 */
function returnAgent(
  ctx: MappingContext,
  header: XmlNode,
  tx: XmlNode,
  path: string,
  own: string,
  original: string,
  payment: string,
): Agent {
  const r = ctx.reader;
  if (tx[own] !== undefined) return resolveAgent(r, ctx.banks, r.node(tx, path, own), `${path}/${own}`, payment);
  if (header[own] !== undefined) return resolveAgent(r, ctx.banks, r.node(header, GRP, own), `${GRP}/${own}`, payment);
  const ref = r.optional(tx, path, "OrgnlTxRef");
  const refNode = ref === undefined ? {} : r.asNode(ref, `${path}/OrgnlTxRef`);
  if (refNode[original] === undefined) {
    r.fail(`${path}/${own}`, `missing (nor GrpHdr/${own}, nor OrgnlTxRef/${original}): the bank is unknown`);
  }
  return resolveAgent(
    r,
    ctx.banks,
    r.node(refNode, `${path}/OrgnlTxRef`, original),
    `${path}/OrgnlTxRef/${original}`,
    payment,
  );
}

/**
 * Map the pacs.004 transaction `tx` (1-based `index`) to a record: payment id RtrId (required);
 * end-to-end reference OrgnlEndToEndId (else NOTPROVIDED); amount RtrdIntrBkSttlmAmt; value date
 * the transaction's IntrBkSttlmDt else the group's; debtor bank the returning bank (InstgAgt, else
 * GrpHdr/InstgAgt, else OrgnlTxRef/CdtrAgt), creditor bank the bank paid back (InstdAgt, else
 * GrpHdr/InstdAgt, else OrgnlTxRef/DbtrAgt); accounts reversed from the original
 * (OrgnlTxRef/CdtrAcct pays back OrgnlTxRef/DbtrAcct; absent: NO_ACCOUNT_HASH).
 */
export function mapPacs004Transaction(ctx: MappingContext, header: XmlNode, tx: XmlNode, index: number): PaymentRecord {
  const r = ctx.reader;
  const path = `${PACS004_ROOT}/TxInf[${index}]`;
  const returnId =
    r.text(tx, path, "RtrId", true) ??
    r.fail(`${path}/RtrId`, "missing: a return needs its own id (RtrId) to be told apart from the payment it returns");
  const endToEndId = r.text(tx, path, "OrgnlEndToEndId", true);
  const amount = amountOf(ctx, tx, path, "RtrdIntrBkSttlmAmt");
  const ref = r.optional(tx, path, "OrgnlTxRef");
  const refNode = ref === undefined ? {} : r.asNode(ref, `${path}/OrgnlTxRef`);
  return toRecord(
    ctx,
    {
      paymentId: [returnId, `${path}/RtrId`],
      endToEndId: [endToEndId ?? "NOTPROVIDED", `${path}/OrgnlEndToEndId`],
      amount: [amount.amount, amount.path],
      currency: [amount.currency, `${amount.path}/@Ccy`],
      valueDate: valueDateOf(r, header, GRP, tx, path),
      debtorBank: returnAgent(ctx, header, tx, path, "InstgAgt", "CdtrAgt", returnId),
      creditorBank: returnAgent(ctx, header, tx, path, "InstdAgt", "DbtrAgt", returnId),
      debtorAccountHash: accountOf(r, refNode, `${path}/OrgnlTxRef`, "CdtrAcct"),
      creditorAccountHash: accountOf(r, refNode, `${path}/OrgnlTxRef`, "DbtrAcct"),
    },
    path,
  );
}

/** The id of the payment a pacs.004 transaction returns: OrgnlTxId, else OrgnlUETR, else OrgnlEndToEndId. */
export function originalPaymentIdOf(ctx: MappingContext, tx: XmlNode, index: number): string | undefined {
  const r = ctx.reader;
  const path = `${PACS004_ROOT}/TxInf[${index}]`;
  return (
    r.text(tx, path, "OrgnlTxId", true) ??
    r.text(tx, path, "OrgnlUETR", true) ??
    r.text(tx, path, "OrgnlEndToEndId", true)
  );
}
