export * from "./record";
export * from "./merkle";
export { fastKeccakReady, keccakBackend } from "./keccak";
export {
  DEFAULT_TREE_HASH,
  fastSm3Ready,
  hashIntoOf,
  parseTreeHash,
  sm3Into,
  TREE_HASHES,
  treeHashCode,
  type HashInto,
  type TreeHash,
} from "./treeHash";
export * from "./batch";
export * from "./batchFile";
export * from "./batchFileV2";
export * from "./batchStream";
export * from "./ledger";
export * from "./treeHashActions";
export * from "./ledgerBanks";
export * from "./dispute";
export * from "./submit";
export * from "./netting";
export * from "./traced";
export * from "./batchSettlement";
export * from "./close";
export * from "./admin";
export * from "./gridlock";
export {
  pendingBatches,
  cycleEvents,
  ledgerIndexes,
  type CycleBatch,
  type Declaration,
  type PendingBatchesParameters,
  type PendingBatchesReturnType,
} from "./pending";
export * from "./reconcile";
export * from "./iso20022";
