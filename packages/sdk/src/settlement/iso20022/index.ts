/** ISO 20022 import (pacs.008) and status reports (pacs.002) for settlement batches. */
export {
  DEFAULT_CURRENCY_DECIMALS,
  DEFAULT_MAX_BYTES,
  Iso20022Error,
  importPacs008,
  type ImportPacs008Options,
  type Pacs008Import,
} from "./pacs008";
export {
  BATCH_ENVELOPE_NAMESPACE,
  PACS002_NAMESPACE,
  buildPacs002,
  escapeXml,
  groupStatusOf,
  parsePacs002,
  type BuildPacs002Params,
  type Pacs002GroupStatus,
  type Pacs002Report,
  type Pacs002Status,
  type Pacs002TransactionStatus,
} from "./pacs002";
export { pacs002StatusesOf, type Pacs002Statuses } from "./reportStatus";
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
