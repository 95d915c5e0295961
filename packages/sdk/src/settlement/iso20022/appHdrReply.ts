/**
 * The business application header (head.001) of a reply: when a message arrived with an AppHdr,
 * its answer (a pacs.002) carries one too, as the networks that use AppHdrs expect — From and To
 * swapped, its own BizMsgIdr and MsgDefIdr, the same BizSvc, and `Rltd` repeating the original's
 * header (From, To, BizMsgIdr, MsgDefIdr, BizSvc, CreDt). The reply and the Document are wrapped in
 * an `Envelope` (urn:swift:xsd:envelope, the wrapper SWIFT's published samples use); a network's
 * own transport envelope (SWIFTNet InterAct, Alliance DataPDU) is the gateway's to add.
 */
import { InvalidArgumentError } from "../../errors/base";
import type { AppHdrSummary, InstitutionId } from "./streamImport";

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
  /** The reply's BizMsgIdr: its Document's MsgId (raw text: escaped here). */
  messageId: string;
  /** The reply's MsgDefIdr, e.g. pacs.002.001.10. */
  messageDefinition: string;
  createdAt: Date;
}

/** A required original field, 1–35 characters, raw (escaped where it is written). */
function text35(value: string | undefined, field: string): string {
  if (value === undefined || value.length < 1 || value.length > 35) {
    throw new InvalidArgumentError(
      `appHdr.${field}`,
      value === undefined ? "is missing from the original AppHdr" : "must be 1–35 characters",
      "The original message's AppHdr must name both parties, its BizMsgIdr, MsgDefIdr and CreDt.",
    );
  }
  return value;
}

type Escape = (text: string, argument: string) => string;

/**
 * A party (Fr, To) as `FIId/FinInstnId`: the identifiers the original wrote (`parties`), in the
 * schema's order (BICFI, ClrSysMmbId, LEI); for metadata without them (batches built before they
 * were kept), inferred from the one identifier kept: BIC-shaped as BICFI, LEI-shaped as LEI, else a
 * clearing member id (its ClrSysId then unknown).
 */
function party(id: InstitutionId | undefined, fallback: string, pad: string, escape: Escape, field: string): string[] {
  const known: InstitutionId =
    id ?? (BIC.test(fallback) ? { bicfi: fallback } : LEI.test(fallback) ? { lei: fallback } : { mmbId: fallback });
  const inner: string[] = [];
  if (known.bicfi !== undefined) inner.push(`<BICFI>${escape(text35(known.bicfi, field), field)}</BICFI>`);
  if (known.mmbId !== undefined) {
    inner.push(`<ClrSysMmbId>`);
    if (known.clrSysCd !== undefined)
      inner.push(`  <ClrSysId>`, `    <Cd>${escape(known.clrSysCd, field)}</Cd>`, `  </ClrSysId>`);
    else if (known.clrSysPrtry !== undefined)
      inner.push(`  <ClrSysId>`, `    <Prtry>${escape(known.clrSysPrtry, field)}</Prtry>`, `  </ClrSysId>`);
    inner.push(`  <MmbId>${escape(text35(known.mmbId, field), field)}</MmbId>`, `</ClrSysMmbId>`);
  }
  if (known.lei !== undefined) inner.push(`<LEI>${escape(known.lei, field)}</LEI>`);
  return [`<FIId>`, `  <FinInstnId>`, ...inner.map((l) => `    ${l}`), `  </FinInstnId>`, `</FIId>`].map(
    (l) => pad + l,
  );
}

/** The AppHdr element of a reply, indented by `indent` spaces (lines, no XML declaration). */
export function replyAppHdrLines(params: ReplyAppHdrParams, indent: number, escape: Escape): string[] {
  const o = params.original;
  const namespace = (APP_HDR_NAMESPACES as readonly string[]).includes(o.namespace)
    ? o.namespace
    : APP_HDR_NAMESPACES[0]; // head.001.001.01 (no schema shipped) is answered in .02
  const p = " ".repeat(indent);
  const from = text35(o.from, "from");
  const to = text35(o.to, "to");
  const out = (value: string, field: string) => escape(text35(value, field), `appHdr.${field}`);
  const fromParty = (pad: string) => party(o.parties?.from, from, pad, escape, "from");
  const toParty = (pad: string) => party(o.parties?.to, to, pad, escape, "to");
  const bizSvc = o.bizSvc === undefined ? [] : [`<BizSvc>${out(o.bizSvc, "bizSvc")}</BizSvc>`];
  const related = [
    `<Fr>`,
    ...fromParty("  "),
    `</Fr>`,
    `<To>`,
    ...toParty("  "),
    `</To>`,
    `<BizMsgIdr>${out(text35(o.bizMsgIdr, "bizMsgIdr"), "bizMsgIdr")}</BizMsgIdr>`,
    `<MsgDefIdr>${out(text35(o.msgDefIdr, "msgDefIdr"), "msgDefIdr")}</MsgDefIdr>`,
    ...bizSvc,
    `<CreDt>${out(text35(o.creationDate, "creationDate"), "creationDate")}</CreDt>`,
  ];
  const lines = [
    `<AppHdr xmlns="${namespace}">`,
    `  <Fr>`,
    ...toParty("    "),
    `  </Fr>`,
    `  <To>`,
    ...fromParty("    "),
    `  </To>`,
    `  <BizMsgIdr>${escape(text35(params.messageId, "messageId"), "messageId")}</BizMsgIdr>`,
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
