export * from "./record";
export * from "./merkle";
export * from "./batch";
export * from "./batchFile";
export * from "./ledger";
export * from "./netting";
export * from "./reconcile";
export * from "./iso20022";
