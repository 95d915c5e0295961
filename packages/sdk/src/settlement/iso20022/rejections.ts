/**
 * The pacs.002 that answers the payments an import refused under `skipInvalid`: one TxInfAndSts
 * per refused payment, TxSts RJCT with the ExternalStatusReason1Code (`StsRsnInf/Rsn/Cd`) and the
 * refusal as additional information; GrpSts RJCT when every payment was refused, else PART. With
 * the original's AppHdr, wrapped with a reply AppHdr as `buildPacs002` does.
 */
import { keccak256, stringToHex } from "viem";
import { InvalidArgumentError } from "../../errors/base";
import type { IsoImport, RefusedPayment } from "./messages";
import { replyText } from "./appHdrReply";
import { PACS002_NAMESPACE, escapeXml } from "./pacs002";
import type { AppHdrSummary } from "./streamImport";

export interface BuildRejectionReportParams {
  /**
   * The import: its refused payments, message id and namespace, and the payments accepted (its
   * `records`, or their number `accepted` for a streamed import).
   */
  imported: Pick<IsoImport, "messageId" | "namespace" | "refused"> &
    ({ records: readonly unknown[] } | { accepted: number });
  /** The original's AppHdr (as the import kept it): the report then carries a reply AppHdr. */
  appHdr?: AppHdrSummary;
  /** CreDtTm (default now). */
  createdAt?: Date;
  /** GrpHdr/MsgId (default "RJ" + 33 hex digits of keccak256 of the original MsgId and refused indexes). */
  messageId?: string;
}

/** Text an ISO MaxNText may carry: XML-safe, at most `max` characters. */
const clip = (text: string, max: number): string => escapeXml(text.length > max ? `${text.slice(0, max - 1)}…` : text);
const max35 = (v: string | undefined): string | undefined =>
  v !== undefined && v.length <= 35 && v.trim() === v && /^[^\r\n]+$/.test(v) ? v : undefined;

/**
 * A pacs.002.001.10 listing each refused payment as RJCT with its reason code. The original ids
 * are given as written when they fit their element (35 characters; a UETR only if well formed).
 */
export function buildRejectionReport(params: BuildRejectionReportParams): string {
  const { imported } = params;
  const refused: readonly RefusedPayment[] = imported.refused;
  if (refused.length === 0) throw new InvalidArgumentError("imported.refused", "is empty: nothing was refused");
  const nameId = /([a-z]{4}\.\d{3}\.\d{3}\.\d{2})$/.exec(imported.namespace)?.[1] ?? "pacs.008.001.08";
  const seed = [imported.messageId, ...refused.map((p) => String(p.index))].join("\n");
  const messageId = params.messageId ?? `RJ${keccak256(stringToHex(seed)).slice(2, 35)}`;
  if (max35(messageId) === undefined) throw new InvalidArgumentError("messageId", "must be 1–35 characters");
  const createdAt = params.createdAt ?? new Date();
  if (Number.isNaN(createdAt.getTime())) throw new InvalidArgumentError("createdAt", "is not a valid date");
  const accepted = "records" in imported ? imported.records.length : imported.accepted;
  const lines = [
    `<Document xmlns="${PACS002_NAMESPACE}">`,
    `  <FIToFIPmtStsRpt>`,
    `    <GrpHdr>`,
    `      <MsgId>${escapeXml(messageId)}</MsgId>`,
    `      <CreDtTm>${createdAt.toISOString()}</CreDtTm>`,
    `    </GrpHdr>`,
    `    <OrgnlGrpInfAndSts>`,
    `      <OrgnlMsgId>${escapeXml(imported.messageId)}</OrgnlMsgId>`,
    `      <OrgnlMsgNmId>${nameId}</OrgnlMsgNmId>`,
    `      <GrpSts>${accepted === 0 ? "RJCT" : "PART"}</GrpSts>`,
    `    </OrgnlGrpInfAndSts>`,
  ];
  for (const p of refused) {
    const endToEndId = max35(p.endToEndId);
    const txId = max35(p.txId);
    const uetr =
      p.uetr !== undefined && /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/.test(p.uetr)
        ? p.uetr
        : undefined;
    lines.push(`    <TxInfAndSts>`);
    if (endToEndId !== undefined) lines.push(`      <OrgnlEndToEndId>${escapeXml(endToEndId)}</OrgnlEndToEndId>`);
    if (txId !== undefined) lines.push(`      <OrgnlTxId>${escapeXml(txId)}</OrgnlTxId>`);
    if (uetr !== undefined) lines.push(`      <OrgnlUETR>${uetr}</OrgnlUETR>`);
    lines.push(
      `      <TxSts>RJCT</TxSts>`,
      `      <StsRsnInf>`,
      `        <Rsn>`,
      `          <Cd>${p.reasonCode}</Cd>`,
      `        </Rsn>`,
      `        <AddtlInf>${clip(`${p.error.element.replace(/^Document\/[^/]+\//, "")}: ${p.error.reason}`, 105)}</AddtlInf>`,
      `      </StsRsnInf>`,
      `    </TxInfAndSts>`,
    );
  }
  lines.push(`  </FIToFIPmtStsRpt>`, `</Document>`);
  const reply = params.appHdr && {
    original: params.appHdr,
    messageId,
    messageDefinition: PACS002_NAMESPACE.slice(PACS002_NAMESPACE.lastIndexOf(":") + 1),
    createdAt,
  };
  return replyText(lines, reply, escapeXml);
}
