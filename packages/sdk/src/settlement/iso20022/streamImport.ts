/**
 * The streaming import: an ISO 20022 message opened with `openIsoMessage` (or `openIsoFile` from
 * `@clearhouse/sdk/node`) mapped to payment records one transaction at a time, with the group
 * checks (NbOfTxs, CtrlSum, totals, duplicate ids) made as they go and completed at the end. Memory
 * is that of one transaction plus the duplicate-id sets; nothing holds all the records.
 */
import { fastKeccakReady } from "../keccak";
import type { PaymentRecord } from "../record";
import { createMappingContext } from "./mapping";
import {
  MessageMapper,
  messageKindOf,
  type ImportIsoOptions,
  type IsoMessageKindId,
  type RefusedPayment,
} from "./messages";
import type { IsoMessage } from "./stream";
import { textAt, type XmlNode } from "./xml";

/** What the business application header (head.001) says, kept in a batch's metadata. */
export interface AppHdrSummary {
  /** head.001 namespace, e.g. urn:iso:std:iso:20022:tech:xsd:head.001.001.02. */
  namespace: string;
  bizMsgIdr?: string;
  msgDefIdr?: string;
  /** The sender and receiver as written: the BICFI, else the clearing member id, else the LEI. */
  from?: string;
  to?: string;
  /** BizSvc, e.g. swift.cbprplus.02 (a reply names the same service). */
  bizSvc?: string;
  creationDate?: string;
  /**
   * Each party's financial-institution identifiers as written (`Fr|To/FIId/FinInstnId`), so a
   * reply names them exactly; absent for a party given otherwise (e.g. `OrgId`).
   */
  parties?: { from?: InstitutionId; to?: InstitutionId };
}

/** A financial institution's identifiers in an AppHdr party (`FinInstnId`), as written. */
export interface InstitutionId {
  bicfi?: string;
  /** `ClrSysMmbId/ClrSysId/Cd` (or `clrSysPrtry`: `/Prtry`) and `MmbId`. */
  clrSysCd?: string;
  clrSysPrtry?: string;
  mmbId?: string;
  lei?: string;
}

export interface StreamedIsoImport {
  kind: IsoMessageKindId;
  namespace: string;
  messageId: string;
  creationDateTime: string;
  /** How the Document arrived ("bare", "DataPDU", "Request", or the wrapper's name). */
  envelope: string;
  appHdr?: AppHdrSummary;
  /**
   * The payment records in document order. Iterable once; the message's group checks run at the
   * end, so an Iso20022Error may come from the last step: a consumer must not treat the records as
   * complete before the iteration ends normally.
   */
  records: AsyncIterable<PaymentRecord>;
  /** Payments refused under `skipInvalid`, complete once `records` has been iterated. */
  refused: RefusedPayment[];
  /** pacs.004: return's payment id → the returned payment's id, complete once iterated. */
  returns: Map<string, string>;
}

/** The party of an AppHdr `Fr`/`To`: its BICFI, else its clearing member id, else its LEI. */
function partyOf(node: XmlNode, side: "Fr" | "To"): string | undefined {
  const fin = ["FIId", "FinInstnId"];
  return (
    textAt(node, side, ...fin, "BICFI") ??
    textAt(node, side, ...fin, "ClrSysMmbId", "MmbId") ??
    textAt(node, side, ...fin, "LEI") ??
    textAt(node, side, "OrgId", "Id", "OrgId", "AnyBIC")
  );
}

/** The institution identifiers of an AppHdr party, or undefined if it names none. */
function institutionOf(node: XmlNode, side: "Fr" | "To"): InstitutionId | undefined {
  const fin = [side, "FIId", "FinInstnId"];
  const id: InstitutionId = {
    bicfi: textAt(node, ...fin, "BICFI"),
    clrSysCd: textAt(node, ...fin, "ClrSysMmbId", "ClrSysId", "Cd"),
    clrSysPrtry: textAt(node, ...fin, "ClrSysMmbId", "ClrSysId", "Prtry"),
    mmbId: textAt(node, ...fin, "ClrSysMmbId", "MmbId"),
    lei: textAt(node, ...fin, "LEI"),
  };
  const kept = Object.fromEntries(Object.entries(id).filter(([, v]) => v !== undefined)) as InstitutionId;
  return (kept.bicfi ?? kept.mmbId ?? kept.lei) ? kept : undefined;
}

/** The AppHdr fields a batch keeps. */
export function appHdrSummary(appHdr: { namespace: string; node: XmlNode }): AppHdrSummary {
  const n = appHdr.node;
  const summary: AppHdrSummary = {
    namespace: appHdr.namespace,
    bizMsgIdr: textAt(n, "BizMsgIdr"),
    msgDefIdr: textAt(n, "MsgDefIdr"),
    from: partyOf(n, "Fr"),
    to: partyOf(n, "To"),
    bizSvc: textAt(n, "BizSvc"),
    creationDate: textAt(n, "CreDt"),
  };
  const from = institutionOf(n, "Fr");
  const to = institutionOf(n, "To");
  if (from || to) summary.parties = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined)) as AppHdrSummary;
}

/**
 * Map a message opened for streaming to payment records (pacs.008, pacs.009 or pacs.004, told by
 * its namespace), as `importIsoMessage` does for a whole document: same rules, same errors.
 * @example
 * const message = await openIsoFile("pacs008.xml"); // @clearhouse/sdk/node
 * const imported = streamIsoMessage(message, { banks });
 * await writeBatchStream("batch.json", imported.records, { submitter, key, metadata });
 */
export function streamIsoMessage(message: IsoMessage, opts: ImportIsoOptions): StreamedIsoImport {
  const ctx = createMappingContext({ ...opts, file: opts.file ?? message.file }, message.file);
  const kind = messageKindOf(message.namespace, ctx.file, opts.kinds);
  if (message.root !== kind.root)
    ctx.reader.fail(`Document/${message.root}`, `a ${kind.id} message's element is ${kind.root}, not ${message.root}`);
  const mapper = new MessageMapper(ctx, kind, message.header, opts.skipInvalid);
  async function* records(): AsyncGenerator<PaymentRecord> {
    await fastKeccakReady(); // account hashes on the WebAssembly keccak from the first payment
    for await (const { node, index } of message.transactions(kind.transaction)) {
      const record = mapper.transaction(node, index);
      if (record) yield record;
    }
    mapper.finish();
  }
  return {
    kind: kind.id,
    namespace: message.namespace,
    messageId: mapper.messageId,
    creationDateTime: mapper.creationDateTime,
    envelope: message.envelope,
    ...(message.appHdr ? { appHdr: appHdrSummary(message.appHdr) } : {}),
    records: records(),
    refused: mapper.refused,
    returns: mapper.returns,
  };
}
