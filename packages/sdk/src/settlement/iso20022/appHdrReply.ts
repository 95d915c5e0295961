/**
 * The business application header (head.001) of a reply: when a message arrived with an AppHdr,
 * its answer (a pacs.002) carries one too, as the networks that use AppHdrs expect — From and To
 * swapped, its own BizMsgIdr and MsgDefIdr, the same BizSvc, and `Rltd` repeating the original's
 * header (From, To, BizMsgIdr, MsgDefIdr, BizSvc, CreDt). The reply and the Document are wrapped in
 * an `Envelope` (urn:swift:xsd:envelope, the wrapper SWIFT's published samples use); a network's
 * own transport envelope (SWIFTNet InterAct, Alliance DataPDU) is the gateway's to add.
 */
import { InvalidArgumentError } from "../../errors/base";
import type { AppHdrSummary } from "./streamImport";

/** The head.001 versions a reply is written in (the shipped schemas). */
export const APP_HDR_NAMESPACES = [
  "urn:iso:std:iso:20022:tech:xsd:head.001.001.02",
  "urn:iso:std:iso:20022:tech:xsd:head.001.001.03",
] as const;
/** The wrapper of an AppHdr and its Document. */
export const ENVELOPE_NAMESPACE = "urn:swift:xsd:envelope";

const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
const LEI = /^[A-Z0-9]{18}[0-9]{2}$/;

/** What a reply's AppHdr needs besides the original's. */
export interface ReplyAppHdrParams {
  /** The AppHdr of the message answered, as the import kept it (batch metadata `appHdr`). */
  original: AppHdrSummary;
  /** The reply's BizMsgIdr: its Document's MsgId. */
  messageId: string;
  /** The reply's MsgDefIdr, e.g. pacs.002.001.10. */
  messageDefinition: string;
  createdAt: Date;
}

function text35(value: string | undefined, field: string, escape: (t: string, a: string) => string): string {
  if (value === undefined || value.length < 1 || value.length > 35) {
    throw new InvalidArgumentError(
      `appHdr.${field}`,
      value === undefined ? "is missing from the original AppHdr" : "must be 1–35 characters",
      "The original message's AppHdr must name both parties, its BizMsgIdr, MsgDefIdr and CreDt.",
    );
  }
  return escape(value, `appHdr.${field}`);
}

/**
 * A party (Fr, To) from the identifier the import kept: a BIC as BICFI, an LEI as LEI, anything
 * else as a clearing-system member id (ClrSysMmbId/MmbId).
 */
function party(id: string, pad: string, escape: (t: string, a: string) => string, field: string): string[] {
  const value = text35(id, field, escape);
  const inner = BIC.test(id)
    ? [`<BICFI>${value}</BICFI>`]
    : LEI.test(id)
      ? [`<LEI>${value}</LEI>`]
      : [`<ClrSysMmbId>`, `  <MmbId>${value}</MmbId>`, `</ClrSysMmbId>`];
  return [`<FIId>`, `  <FinInstnId>`, ...inner.map((l) => `    ${l}`), `  </FinInstnId>`, `</FIId>`].map(
    (l) => pad + l,
  );
}

/** The AppHdr element of a reply, indented by `indent` spaces (lines, no XML declaration). */
export function replyAppHdrLines(
  params: ReplyAppHdrParams,
  indent: number,
  escape: (text: string, argument: string) => string,
): string[] {
  const o = params.original;
  const namespace = (APP_HDR_NAMESPACES as readonly string[]).includes(o.namespace)
    ? o.namespace
    : APP_HDR_NAMESPACES[0]; // head.001.001.01 (no schema shipped) is answered in .02
  const p = " ".repeat(indent);
  const from = text35(o.from, "from", escape);
  const to = text35(o.to, "to", escape);
  const created = text35(o.creationDate, "creationDate", escape);
  const bizSvc = o.bizSvc === undefined ? [] : [`<BizSvc>${text35(o.bizSvc, "bizSvc", escape)}</BizSvc>`];
  const related = [
    `<Fr>`,
    ...party(from, "  ", escape, "from"),
    `</Fr>`,
    `<To>`,
    ...party(to, "  ", escape, "to"),
    `</To>`,
    `<BizMsgIdr>${text35(o.bizMsgIdr, "bizMsgIdr", escape)}</BizMsgIdr>`,
    `<MsgDefIdr>${text35(o.msgDefIdr, "msgDefIdr", escape)}</MsgDefIdr>`,
    ...bizSvc,
    `<CreDt>${created}</CreDt>`,
  ];
  const lines = [
    `<AppHdr xmlns="${namespace}">`,
    `  <Fr>`,
    ...party(to, "    ", escape, "to"),
    `  </Fr>`,
    `  <To>`,
    ...party(from, "    ", escape, "from"),
    `  </To>`,
    `  <BizMsgIdr>${escape(params.messageId, "messageId")}</BizMsgIdr>`,
    `  <MsgDefIdr>${escape(params.messageDefinition, "messageDefinition")}</MsgDefIdr>`,
    ...bizSvc.map((l) => `  ${l}`),
    `  <CreDt>${params.createdAt.toISOString()}</CreDt>`,
    `  <Rltd>`,
    ...related.map((l) => `    ${l}`),
    `  </Rltd>`,
    `</AppHdr>`,
  ];
  return lines.map((l) => p + l);
}

/**
 * A reply as written: the XML declaration and the Document's lines, or, with the original's AppHdr,
 * an Envelope holding the reply AppHdr and the Document (indented by two).
 */
export function replyText(
  documentLines: readonly string[],
  reply: ReplyAppHdrParams | undefined,
  escape: (text: string, argument: string) => string,
): string {
  const declaration = `<?xml version="1.0" encoding="UTF-8"?>`;
  if (!reply) return [declaration, ...documentLines, ``].join("\n");
  const header = replyAppHdrLines(reply, 2, escape);
  const body = documentLines.map((l) => `  ${l}`);
  return [declaration, `<Envelope xmlns="${ENVELOPE_NAMESPACE}">`, ...header, ...body, `</Envelope>`, ``].join("\n");
}
