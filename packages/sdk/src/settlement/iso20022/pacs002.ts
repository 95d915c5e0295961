/**
 * pacs.002 FI-to-FI payment status report (.10 to .13): the answer to an imported pacs.008, .009 or
 * .004, built from the batch's records (with a reply AppHdr when the original had one), and read
 * back (the same hardened reading as the import; envelopes through the streaming reader).
 */
import { keccak256, stringToHex } from "viem";
import { InvalidArgumentError } from "../../errors/base";
import { UETR_PATTERN, type PaymentRecord } from "../record";
import { DEFAULT_MAX_BYTES } from "./pacs008";
import { replyText } from "./appHdrReply";
import { openIsoMessage, type IsoSource } from "./stream/message";
import type { IsoReadOptions } from "./stream/limits";
import type { AppHdrSummary } from "./streamImport";
import { XmlReader, readXml, type XmlNode } from "./xml";

/** A transaction's status: accepted (not settled yet), settled, rejected. */
export type Pacs002Status = "ACCP" | "ACSC" | "RJCT";
/** A group status: a transaction status, or PART (some transactions rejected, others not). */
export type Pacs002GroupStatus = Pacs002Status | "PART";
export const PACS002_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10";
/** The pacs.002 versions `buildPacs002` writes (each validated against its official schema in the tests). */
export const PACS002_VERSIONS = [10, 11, 12, 13] as const;
export type Pacs002Version = (typeof PACS002_VERSIONS)[number];
/** Namespace of the supplementary-data envelope that carries the Clearhouse batch id. */
export const BATCH_ENVELOPE_NAMESPACE = "urn:clearhouse:settlement:batch";
const STATUSES: readonly string[] = ["ACCP", "ACSC", "RJCT"];

/**
 * The group status of transactions' statuses: the one status they share, PART when some are
 * rejected and others not, ACCP when some settled and others not yet.
 */
export function groupStatusOf(statuses: readonly Pacs002Status[]): Pacs002GroupStatus {
  if (statuses.length === 0) throw new InvalidArgumentError("statuses", "is empty");
  if (statuses.every((s) => s === statuses[0])) return statuses[0];
  return statuses.includes("RJCT") ? "PART" : "ACCP";
}

export interface BuildPacs002Params {
  /** GrpHdr/MsgId of the pacs.008 answered. */
  originalMessageId: string;
  /** The settlement batch the payments went into (carried in SplmtryData, and seeds MsgId). */
  batchId: string | bigint;
  /** Group status (GrpSts); without `statuses`, every transaction's status too (then not PART). */
  status: Pacs002GroupStatus;
  records: readonly Pick<PaymentRecord, "paymentId" | "endToEndId">[];
  /**
   * paymentId → the transaction's own status (TxSts), for payments whose status is not the
   * group's; `status` must then be `groupStatusOf` all the transactions' statuses.
   */
  statuses?: Record<string, Pacs002Status>;
  /** paymentId → proprietary reason (1–35 characters), only for a transaction with status RJCT. */
  reasons?: Record<string, string>;
  /** CreDtTm (default now). */
  createdAt?: Date;
  /** GrpHdr/MsgId (default: "CH" + 33 hex digits of keccak256(batchId, originalMessageId, status)). */
  messageId?: string;
  /** OrgnlMsgNmId (default "pacs.008.001.08"; pacs.009.001.NN and pacs.004.001.NN too). */
  originalMessageNameId?: string;
  /** The pacs.002.001.NN version written (default 10). */
  version?: Pacs002Version;
  /**
   * The AppHdr of the message answered (as the import kept it): the report is then written as an
   * Envelope holding a reply AppHdr (From/To swapped, `Rltd` = the original's) and the Document.
   */
  appHdr?: AppHdrSummary;
}

const XML_CHARS = /^[\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

/** Escape text for an XML element or attribute; characters XML cannot carry are refused. */
export function escapeXml(text: string, argument = "text"): string {
  if (!XML_CHARS.test(text)) throw new InvalidArgumentError(argument, "contains characters XML cannot carry");
  return text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

function max35(value: unknown, argument: string): string {
  if (typeof value !== "string" || value.length < 1 || value.length > 35 || value.trim() !== value) {
    throw new InvalidArgumentError(argument, "must be 1–35 characters without surrounding spaces");
  }
  return escapeXml(value, argument);
}

/**
 * Build a pacs.002 status report (version 10 by default, 11–13 on request) answering a pacs.008,
 * pacs.009 or pacs.004: one status per payment (`statuses`, default the group's). A payment id
 * that is a UETR is answered as OrgnlUETR, any other as OrgnlTxId. With `appHdr` (the original's),
 * an Envelope holding the reply's AppHdr and the Document.
 */
export function buildPacs002(params: BuildPacs002Params): string {
  const { status, records, reasons = {}, statuses = {} } = params;
  if (!STATUSES.includes(status) && status !== "PART") {
    throw new InvalidArgumentError("status", "must be ACCP, ACSC, RJCT or PART");
  }
  const originalMessageId = max35(params.originalMessageId, "originalMessageId");
  const nameId = params.originalMessageNameId ?? "pacs.008.001.08";
  if (!/^pacs\.00[489]\.001\.\d{2}$/.test(nameId)) {
    throw new InvalidArgumentError(
      "originalMessageNameId",
      "must be pacs.008.001.NN, pacs.009.001.NN or pacs.004.001.NN",
    );
  }
  const paymentIds = new Set<string>();
  for (const [i, r] of records.entries()) {
    if (paymentIds.has(r.paymentId)) {
      throw new InvalidArgumentError(`records[${i}].paymentId`, `${r.paymentId} appears twice`);
    }
    paymentIds.add(r.paymentId);
  }
  for (const [paymentId, s] of Object.entries(statuses)) {
    if (!paymentIds.has(paymentId))
      throw new InvalidArgumentError(`statuses.${paymentId}`, "is not a payment of records");
    if (!STATUSES.includes(s)) throw new InvalidArgumentError(`statuses.${paymentId}`, "must be ACCP, ACSC or RJCT");
  }
  const txStatus = (paymentId: string): Pacs002Status =>
    Object.hasOwn(statuses, paymentId) ? statuses[paymentId] : (status as Pacs002Status);
  const all = records.map((r) => txStatus(r.paymentId));
  if (all.length > 0 && groupStatusOf(all) !== status) {
    throw new InvalidArgumentError(
      "status",
      `is ${status} but the transactions' statuses make ${groupStatusOf(all)}`,
      "Pass the group status groupStatusOf(statuses) computes.",
    );
  }
  if (all.length === 0 && status === "PART") throw new InvalidArgumentError("status", "PART needs transactions");
  for (const [paymentId, reason] of Object.entries(reasons)) {
    if (!paymentIds.has(paymentId))
      throw new InvalidArgumentError(`reasons.${paymentId}`, "is not a payment of records");
    if (txStatus(paymentId) !== "RJCT")
      throw new InvalidArgumentError(`reasons.${paymentId}`, "reasons go only with status RJCT");
    max35(reason, `reasons.${paymentId}`);
  }
  const batchId = String(params.batchId);
  const differing = records.filter((r) => txStatus(r.paymentId) !== status);
  const seed = [
    batchId,
    params.originalMessageId,
    status,
    ...differing.map((r) => `${r.paymentId}=${txStatus(r.paymentId)}`),
  ];
  const rawMessageId = params.messageId ?? `CH${keccak256(stringToHex(seed.join("\n"))).slice(2, 35)}`;
  const messageId = max35(rawMessageId, "messageId");
  const createdAt = params.createdAt ?? new Date();
  if (Number.isNaN(createdAt.getTime())) throw new InvalidArgumentError("createdAt", "is not a valid date");

  const version = params.version ?? 10;
  if (!PACS002_VERSIONS.includes(version)) {
    throw new InvalidArgumentError("version", `must be one of ${PACS002_VERSIONS.join(", ")} (pacs.002.001.NN)`);
  }
  const lines = [
    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.${version}">`,
    `  <FIToFIPmtStsRpt>`,
    `    <GrpHdr>`,
    `      <MsgId>${messageId}</MsgId>`,
    `      <CreDtTm>${createdAt.toISOString()}</CreDtTm>`,
    `    </GrpHdr>`,
    `    <OrgnlGrpInfAndSts>`,
    `      <OrgnlMsgId>${originalMessageId}</OrgnlMsgId>`,
    `      <OrgnlMsgNmId>${nameId}</OrgnlMsgNmId>`,
    `      <GrpSts>${status}</GrpSts>`,
    `    </OrgnlGrpInfAndSts>`,
  ];
  for (const [i, r] of records.entries()) {
    lines.push(
      `    <TxInfAndSts>`,
      `      <OrgnlEndToEndId>${max35(r.endToEndId, `records[${i}].endToEndId`)}</OrgnlEndToEndId>`,
      UETR_PATTERN.test(r.paymentId)
        ? `      <OrgnlUETR>${r.paymentId}</OrgnlUETR>`
        : `      <OrgnlTxId>${max35(r.paymentId, `records[${i}].paymentId`)}</OrgnlTxId>`,
      `      <TxSts>${txStatus(r.paymentId)}</TxSts>`,
    );
    const reason = Object.hasOwn(reasons, r.paymentId) ? reasons[r.paymentId] : undefined;
    if (reason !== undefined) {
      lines.push(`      <StsRsnInf>`, `        <Rsn>`, `          <Prtry>${escapeXml(reason)}</Prtry>`);
      lines.push(`        </Rsn>`, `      </StsRsnInf>`);
    }
    lines.push(`    </TxInfAndSts>`);
  }
  lines.push(
    `    <SplmtryData>`,
    `      <PlcAndNm>/Document/FIToFIPmtStsRpt</PlcAndNm>`,
    `      <Envlp>`,
    `        <Btch xmlns="${BATCH_ENVELOPE_NAMESPACE}">`,
    `          <Id>${escapeXml(batchId, "batchId")}</Id>`,
    `        </Btch>`,
    `      </Envlp>`,
    `    </SplmtryData>`,
    `  </FIToFIPmtStsRpt>`,
    `</Document>`,
  );
  const reply = params.appHdr && {
    original: params.appHdr,
    messageId: rawMessageId,
    messageDefinition: `pacs.002.001.${version}`,
    createdAt,
  };
  return replyText(lines, reply, escapeXml);
}

export interface Pacs002TransactionStatus {
  originalEndToEndId: string;
  /** OrgnlTxId, when given (a payment identified by its UETR has OrgnlUETR instead). */
  originalTxId?: string;
  /** OrgnlUETR, when given. */
  originalUetr?: string;
  status: string;
  /** StsRsnInf/Rsn/Prtry (or Cd), when given. */
  reason?: string;
}

export interface Pacs002Report {
  messageId: string;
  creationDateTime: string;
  originalMessageId: string;
  originalMessageNameId: string;
  groupStatus?: string;
  /** From the Clearhouse supplementary data, when present. */
  batchId?: string;
  transactions: Pacs002TransactionStatus[];
}

const ROOT = "Document/FIToFIPmtStsRpt";
const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:pacs\.002\.001\.\d{2}$/;
const ARRAYS = ["TxInfAndSts", "StsRsnInf", "SplmtryData"];

/** A report from its parts, however they were read (whole document or stream). */
function reportOf(
  r: XmlReader,
  group: XmlNode,
  orgnl: XmlNode,
  txs: readonly XmlNode[],
  supplementary: readonly XmlNode[],
): Pacs002Report {
  const ORGNL = `${ROOT}/OrgnlGrpInfAndSts`;
  const reasonOf = (node: XmlNode, path: string): string | undefined => {
    const [info] = r.list(node, path, "StsRsnInf");
    if (!info) return undefined;
    const rsn = r.node(info, `${path}/StsRsnInf[1]`, "Rsn");
    return r.text(rsn, `${path}/StsRsnInf[1]/Rsn`, "Prtry", true) ?? r.text(rsn, `${path}/StsRsnInf[1]/Rsn`, "Cd");
  };
  const transactions = txs.map((tx, i): Pacs002TransactionStatus => {
    const path = `${ROOT}/TxInfAndSts[${i + 1}]`;
    const reason = reasonOf(tx, path);
    const originalTxId = r.text(tx, path, "OrgnlTxId", true);
    const originalUetr = r.text(tx, path, "OrgnlUETR", true);
    if (originalTxId === undefined && originalUetr === undefined)
      r.fail(`${path}/OrgnlTxId`, "missing (nor OrgnlUETR)");
    return {
      originalEndToEndId: r.text(tx, path, "OrgnlEndToEndId"),
      ...(originalTxId === undefined ? {} : { originalTxId }),
      ...(originalUetr === undefined ? {} : { originalUetr }),
      status: r.text(tx, path, "TxSts"),
      ...(reason === undefined ? {} : { reason }),
    };
  });
  let batchId: string | undefined;
  for (const [i, data] of supplementary.entries()) {
    const path = `${ROOT}/SplmtryData[${i + 1}]`;
    const envelope = r.node(data, path, "Envlp");
    const batch = r.optional(envelope, `${path}/Envlp`, "Btch");
    if (batch !== undefined) batchId = r.text(r.asNode(batch, `${path}/Envlp/Btch`), `${path}/Envlp/Btch`, "Id");
  }
  const groupStatus = r.text(orgnl, ORGNL, "GrpSts", true);
  return {
    messageId: r.text(group, `${ROOT}/GrpHdr`, "MsgId"),
    creationDateTime: r.text(group, `${ROOT}/GrpHdr`, "CreDtTm"),
    originalMessageId: r.text(orgnl, ORGNL, "OrgnlMsgId"),
    originalMessageNameId: r.text(orgnl, ORGNL, "OrgnlMsgNmId"),
    ...(groupStatus === undefined ? {} : { groupStatus }),
    ...(batchId === undefined ? {} : { batchId }),
    transactions,
  };
}

/**
 * Read a pacs.002 status report (any pacs.002.001.NN version) given as a bare Document. A report in
 * an envelope (AppHdr, SWIFTNet, DataPDU) is read by `readPacs002`.
 */
export function parsePacs002(xml: string | Uint8Array, opts: { file?: string; maxBytes?: number } = {}): Pacs002Report {
  const file = opts.file ?? "pacs.002";
  const { document, namespace } = readXml(xml, { file, maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES, arrays: ARRAYS });
  const r: XmlReader = new XmlReader(file);
  if (!NAMESPACE.test(namespace)) r.fail("Document", `namespace ${namespace} is not pacs.002.001.NN`);
  const body = r.node(document, "Document", "FIToFIPmtStsRpt");
  return reportOf(
    r,
    r.node(body, ROOT, "GrpHdr"),
    r.node(body, ROOT, "OrgnlGrpInfAndSts"),
    r.list(body, ROOT, "TxInfAndSts"),
    r.list(body, ROOT, "SplmtryData"),
  );
}

/**
 * Read a pacs.002 status report of any version with the streaming reader: bare, or in any
 * envelope `openIsoMessage` reads (an AppHdr Envelope such as `buildPacs002` writes with `appHdr`,
 * a SWIFTNet Request, an Alliance DataPDU), past the 10 MiB of `parsePacs002`. The same report as
 * `parsePacs002`; its transactions are held in memory (a report is as large as what it answers).
 */
export async function readPacs002(source: IsoSource, opts: IsoReadOptions = {}): Promise<Pacs002Report> {
  const file = opts.file ?? "pacs.002";
  const message = await openIsoMessage(source, { ...opts, file, arrays: [...ARRAYS, ...(opts.arrays ?? [])] });
  const r: XmlReader = new XmlReader(file);
  if (!NAMESPACE.test(message.namespace)) {
    await message.close();
    r.fail("Document", `namespace ${message.namespace} is not pacs.002.001.NN`);
  }
  if (message.root !== "FIToFIPmtStsRpt") {
    await message.close();
    r.fail(`Document/${message.root}`, "a pacs.002 message's element is FIToFIPmtStsRpt");
  }
  const txs: XmlNode[] = [];
  for await (const { node } of message.transactions("TxInfAndSts")) txs.push(node);
  const others = message.others;
  return reportOf(
    r,
    message.header,
    r.node(others, ROOT, "OrgnlGrpInfAndSts"),
    txs,
    r.list(others, ROOT, "SplmtryData"),
  );
}
