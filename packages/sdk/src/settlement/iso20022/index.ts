/**
 * ISO 20022 import (pacs.008, pacs.009, pacs.004 → payment records), status reports (pacs.002
 * written and read, reconciled against a batch) and agent identification.
 */
export {
  DEFAULT_CURRENCY_DECIMALS,
  DEFAULT_MAX_BYTES,
  Iso20022Error,
  PACS008_ROOT,
  mapPacs008Transaction,
  mod97,
} from "./pacs008";
export { PACS009_ROOT, mapPacs009Transaction } from "./pacs009";
export { PACS004_ROOT, mapPacs004Transaction, originalPaymentIdOf } from "./pacs004";
export {
  ISO_MESSAGE_KINDS,
  MessageMapper,
  importIsoMessage,
  importPacs008,
  messageKindOf,
  supportedMessages,
  type ImportIsoOptions,
  type ImportPacs008Options,
  type Pacs008Import,
  type IsoImport,
  type IsoMessageKind,
  type IsoMessageKindId,
  type RefusedPayment,
  type TransactionMapper,
} from "./messages";
export { MessageChecks, type CheckSpec } from "./checks";
export { createMappingContext, type MappingContext, type MappingOptions } from "./mapping";
export {
  bankMapEntriesFromMembers,
  createBankMap,
  parseBankKey,
  resolveAgent,
  type BankKeyKind,
  type BankMap,
} from "./agents";
export { ISO4217_MINOR_UNITS, ISO4217_PUBLISHED } from "./currencies";
export { currencyTable } from "./amounts";
export { IsoPaymentError, STATUS_REASONS, statusReasonOf, type StatusReasonCode } from "./reasons";
export {
  BATCH_ENVELOPE_NAMESPACE,
  PACS002_NAMESPACE,
  PACS002_VERSIONS,
  buildPacs002,
  escapeXml,
  groupStatusOf,
  parsePacs002,
  readPacs002,
  type BuildPacs002Params,
  type Pacs002Version,
  type Pacs002GroupStatus,
  type Pacs002Report,
  type Pacs002Status,
  type Pacs002TransactionStatus,
} from "./pacs002";
export { APP_HDR_NAMESPACES, ENVELOPE_NAMESPACE } from "./appHdrReply";
export { pacs002StatusesOf, type Pacs002Statuses } from "./reportStatus";
export { buildRejectionReport, type BuildRejectionReportParams } from "./rejections";
export { reconcilePacs002, type ReconciledPayment, type ReconciledStatus, type Reconciliation } from "./reconcile";
export {
  DEFAULT_STREAM_MAX_BYTES,
  HEAD_NAMESPACE,
  ISO_NAMESPACE,
  openIsoMessage,
  type IsoMessage,
  type IsoReadOptions,
  type IsoSource,
  type IsoTransaction,
} from "./stream";
export {
  appHdrSummary,
  streamIsoMessage,
  type AppHdrSummary,
  type InstitutionId,
  type StreamedIsoImport,
} from "./streamImport";
