/** Streaming ISO 20022 reading: envelopes, AppHdr, group header, then one transaction at a time. */
export { DEFAULT_STREAM_MAX_BYTES, type IsoReadOptions } from "./limits";
export { openIsoMessage, type IsoMessage, type IsoSource, type IsoTransaction } from "./message";
export { HEAD_NAMESPACE, ISO_NAMESPACE } from "./walker";
