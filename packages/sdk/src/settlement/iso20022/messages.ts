/**
 * The ISO 20022 messages that become settlement batch records, told apart by the namespace of
 * their Document: pacs.008 (customer credit transfer), pacs.009 (FI credit transfer, cover
 * included), pacs.004 (payment return). `MessageMapper` maps one message a transaction at a time
 * (a streaming driver feeds it), `importIsoMessage` a whole document in memory.
 */
import type { PaymentRecord } from "../record";
import { MessageChecks, type CheckSpec } from "./checks";
import { createMappingContext, type MappingContext, type MappingOptions } from "./mapping";
import { mapPacs004Transaction, originalPaymentIdOf } from "./pacs004";
import { mapPacs008Transaction } from "./pacs008";
import { mapPacs009Transaction } from "./pacs009";
import { statusReasonOf, type StatusReasonCode } from "./reasons";
import { Iso20022Error, XmlReader, readXml, textAt, type XmlNode } from "./xml";

export type IsoMessageKindId = "pacs.008" | "pacs.009" | "pacs.004";
/** Maps the `index`-th (1-based) transaction of a message to a record. */
export type TransactionMapper = (ctx: MappingContext, header: XmlNode, tx: XmlNode, index: number) => PaymentRecord;

export interface IsoMessageKind extends CheckSpec {
  id: IsoMessageKindId;
  /** Versions read (the NN of pacs.00X.001.NN). */
  versions: readonly string[];
  /** The message element under Document, e.g. "FIToFICstmrCdtTrf". */
  root: string;
  map: TransactionMapper;
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, "0"));
const PMT_IDS = [
  ["TxId", ["PmtId", "TxId"]],
  ["UETR", ["PmtId", "UETR"]],
  ["EndToEndId", ["PmtId", "EndToEndId"]],
] as const;

/** The message kinds imported as records, with the versions read. */
export const ISO_MESSAGE_KINDS: readonly IsoMessageKind[] = Object.freeze([
  {
    id: "pacs.008",
    versions: range(2, 13),
    root: "FIToFICstmrCdtTrf",
    transaction: "CdtTrfTxInf",
    amount: "IntrBkSttlmAmt",
    total: "TtlIntrBkSttlmAmt",
    ids: PMT_IDS,
    map: (ctx, header, tx, index) => mapPacs008Transaction(ctx, header, tx, index), // lazy: pacs008.ts imports this module
  },
  {
    id: "pacs.009",
    versions: range(8, 12),
    root: "FICdtTrf",
    transaction: "CdtTrfTxInf",
    amount: "IntrBkSttlmAmt",
    total: "TtlIntrBkSttlmAmt",
    ids: PMT_IDS,
    map: (ctx, header, tx, index) => mapPacs009Transaction(ctx, header, tx, index), // lazy: pacs008.ts imports this module
  },
  {
    id: "pacs.004",
    versions: range(9, 14),
    root: "PmtRtr",
    transaction: "TxInf",
    amount: "RtrdIntrBkSttlmAmt",
    total: "TtlRtrdIntrBkSttlmAmt",
    ids: [["RtrId", ["RtrId"]]],
    map: (ctx, header, tx, index) => mapPacs004Transaction(ctx, header, tx, index), // lazy: pacs008.ts imports this module
  },
]);

const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:(pacs\.\d{3})\.001\.(\d{2})$/;

/** "pacs.008.001.02 – .13, pacs.009.001.08 – .12, …" */
export function supportedMessages(kinds: readonly IsoMessageKind[] = ISO_MESSAGE_KINDS): string {
  return kinds.map((k) => `${k.id}.001.${k.versions[0]} – .${k.versions[k.versions.length - 1]}`).join(", ");
}

/**
 * The kind of the message whose Document has `namespace`, among `kinds` (default all); any other
 * namespace is an Iso20022Error naming the supported ones.
 */
export function messageKindOf(
  namespace: string,
  file: string,
  kinds: readonly IsoMessageKindId[] = ["pacs.008", "pacs.009", "pacs.004"],
): IsoMessageKind {
  const m = NAMESPACE.exec(namespace);
  const allowed = ISO_MESSAGE_KINDS.filter((k) => kinds.includes(k.id));
  const kind = m ? allowed.find((k) => k.id === m[1] && k.versions.includes(m[2])) : undefined;
  if (!kind) {
    throw new Iso20022Error(
      file,
      "Document",
      `namespace ${namespace} is not a supported message (${supportedMessages(allowed)})`,
    );
  }
  return kind;
}

/** A payment refused under `skipInvalid`: where, why, and the ids the transaction carried. */
export interface RefusedPayment {
  /** 1-based index of the transaction in the message. */
  index: number;
  error: Iso20022Error;
  /** ExternalStatusReason1Code for the pacs.002 (reasons.ts). */
  reasonCode: StatusReasonCode;
  /** The ids as written (not validated), for the pacs.002 that reports the refusal. */
  endToEndId?: string;
  txId?: string;
  uetr?: string;
}

/**
 * One message mapped a transaction at a time: construct with the group header (checks MsgId,
 * CreDtTm, reads NbOfTxs/CtrlSum/total), call `transaction` for each transaction in order, then
 * `finish`. Memory: the group checks' id maps and the refused payments, never the records.
 */
export class MessageMapper {
  readonly messageId: string;
  readonly creationDateTime: string;
  readonly refused: RefusedPayment[] = [];
  /** pacs.004: return's payment id → the returned payment's id. */
  readonly returns = new Map<string, string>();
  private readonly checks: MessageChecks;
  private readonly headerPath: string;

  constructor(
    readonly ctx: MappingContext,
    readonly kind: IsoMessageKind,
    private readonly header: XmlNode,
    private readonly skipInvalid = false,
  ) {
    const r = ctx.reader;
    const root = `Document/${kind.root}`;
    this.headerPath = `${root}/GrpHdr`;
    this.messageId = r.text(header, this.headerPath, "MsgId");
    if (!/^[^\r\n\t]{1,35}$/.test(this.messageId)) r.fail(`${this.headerPath}/MsgId`, "must be 1–35 characters");
    this.creationDateTime = r.text(header, this.headerPath, "CreDtTm");
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(this.creationDateTime)) {
      r.fail(`${this.headerPath}/CreDtTm`, `${this.creationDateTime} is not an ISO date-time`);
    }
    this.checks = new MessageChecks(r, kind, header, this.headerPath, root);
  }

  /**
   * The record of the `index`-th (1-based) transaction; with `skipInvalid` a refused payment is
   * added to `refused` and undefined returned, else its Iso20022Error is thrown.
   */
  transaction(tx: XmlNode, index: number): PaymentRecord | undefined {
    try {
      this.checks.transaction(tx, index);
      const record = this.kind.map(this.ctx, this.header, tx, index);
      const txPath = `Document/${this.kind.root}/${this.kind.transaction}[${index}]`;
      const idName = ["TxId", "UETR", "EndToEndId"].find((n) => textAt(tx, "PmtId", n) === record.paymentId);
      const idPath = this.kind.id === "pacs.004" ? `${txPath}/RtrId` : `${txPath}/PmtId/${idName ?? "TxId"}`;
      this.checks.payment(record.paymentId, idPath, index);
      if (this.kind.id === "pacs.004") {
        const original = originalPaymentIdOf(this.ctx, tx, index);
        if (original !== undefined) this.returns.set(record.paymentId, original);
      }
      return record;
    } catch (e) {
      if (!this.skipInvalid || !(e instanceof Iso20022Error)) throw e;
      const pmtId = this.kind.id === "pacs.004" ? ["Orgnl"] : ["PmtId"];
      const at = (name: string) => (pmtId[0] === "Orgnl" ? textAt(tx, `Orgnl${name}`) : textAt(tx, "PmtId", name));
      const ids = { endToEndId: at("EndToEndId"), txId: at("TxId"), uetr: at("UETR") };
      this.refused.push({
        index,
        error: e,
        reasonCode: statusReasonOf(e),
        ...Object.fromEntries(Object.entries(ids).filter(([, v]) => v !== undefined)),
      });
      return undefined;
    }
  }

  /** The group checks (NbOfTxs, CtrlSum, total); always fatal: they concern the whole message. */
  finish(): void {
    this.checks.finish();
  }
}

export interface ImportIsoOptions extends MappingOptions {
  /** Refuse larger input before parsing (default 10 MiB). */
  maxBytes?: number;
  /**
   * List refused payments in `refused` (with a reason code) instead of refusing the message; the
   * group checks (NbOfTxs, CtrlSum, totals, namespace) still refuse the whole message.
   */
  skipInvalid?: boolean;
  /** Message kinds accepted (default all). */
  kinds?: readonly IsoMessageKindId[];
}

export interface IsoImport {
  kind: IsoMessageKindId;
  /** The Document namespace (its last part is the message id and version, e.g. pacs.008.001.08). */
  namespace: string;
  messageId: string;
  creationDateTime: string;
  records: PaymentRecord[];
  /** Payments refused under `skipInvalid` (empty otherwise). */
  refused: RefusedPayment[];
  /** pacs.004: return's payment id → the returned payment's id (OrgnlTxId, OrgnlUETR, OrgnlEndToEndId). */
  returns: Record<string, string>;
}

/**
 * Import a whole pacs.008, pacs.009 or pacs.004 document held in memory into payment records
 * (the message kind is told by the Document namespace, see `messageKindOf`). All or nothing
 * unless `skipInvalid`.
 */
export function importIsoMessage(xml: string | Uint8Array, opts: ImportIsoOptions): IsoImport {
  const ctx = createMappingContext(opts, "message.xml");
  const arrays = ["CdtTrfTxInf", "TxInf"];
  const { document, namespace } = readXml(xml, { file: ctx.file, maxBytes: opts.maxBytes ?? 10 * 1024 * 1024, arrays });
  const kind = messageKindOf(namespace, ctx.file, opts.kinds);
  const r: XmlReader = ctx.reader;
  const body = r.node(document, "Document", kind.root);
  const root = `Document/${kind.root}`;
  const mapper = new MessageMapper(ctx, kind, r.node(body, root, "GrpHdr"), opts.skipInvalid);
  const records: PaymentRecord[] = [];
  r.list(body, root, kind.transaction).forEach((tx, i) => {
    const record = mapper.transaction(tx, i + 1);
    if (record) records.push(record);
  });
  mapper.finish();
  return {
    kind: kind.id,
    namespace,
    messageId: mapper.messageId,
    creationDateTime: mapper.creationDateTime,
    records,
    refused: mapper.refused,
    returns: Object.fromEntries(mapper.returns),
  };
}

export type ImportPacs008Options = ImportIsoOptions;
export type Pacs008Import = IsoImport;

/**
 * Import a whole pacs.008 document held in memory (small files and tests; a streaming driver
 * calls `mapPacs008Transaction` with `MessageChecks` instead). Amounts are converted to minor
 * units exactly (ISO 4217 table); an unknown agent, a count that differs from NbOfTxs, a CtrlSum
 * or TtlIntrBkSttlmAmt that differs from the amounts, a duplicate id or a record validateRecord
 * refuses is an Iso20022Error — unless `skipInvalid`, which lists refused payments instead.
 */
export function importPacs008(xml: string | Uint8Array, opts: ImportPacs008Options): Pacs008Import {
  return importIsoMessage(xml, { ...opts, file: opts.file ?? "pacs.008", kinds: ["pacs.008"] });
}
