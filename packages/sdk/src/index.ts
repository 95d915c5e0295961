/**
 * Clearhouse SDK: typed actions over viem for the consortium's contracts.
 * Extend a viem client with `clearhouseActions(deployment)`, use `createClearhouse(...)` for a
 * bound client, or call the plain actions with a context.
 */
export { createClearhouse, chainOf, type Clearhouse, type CreateClearhouseParameters } from "./client";
export { clearhouseActions, clearhouseContext, type ClearhouseClientActions } from "./actions";
export {
  bindClearhouseActions,
  type BoundAction,
  type ClearhouseActions,
  type ClearhouseGroup,
  type ClearhouseReadActions,
} from "./actionTable";
export {
  ensureNetwork,
  readContract,
  writeContract,
  type ClearhouseContext,
  type ClearhouseSettings,
  type WriteResult,
} from "./context";
export { feeOverrides, type FeeOverrides } from "./fees";
export { queryLogs, blockRanges, DEFAULT_MAX_LOG_RANGE, type BlockRange, type QueryLogsOptions } from "./logs";
export { parseDeployment, type Deployment, type ContractDeployment, type PlainDeployment } from "./deployment";
export { contractOf, deployedSince, type DeployedContract } from "./contracts";
export * from "./errors";
export * from "./validate";
export * from "./crypto";
export {
  cryptoProfile,
  parseCryptoMode,
  CRYPTO_MODES,
  DEFAULT_CRYPTO_MODE,
  type CryptoMode,
  type CryptoProfile,
} from "./cryptoMode";
export * as registry from "./registry";
export * as token from "./token";
export * as governance from "./governance";
export * as settlement from "./settlement";
export * as zk from "./zk";
export * as audit from "./audit";
export * as payments from "./payments";
export * as offline from "./offline";
export * as accounts from "./accounts";
export { buildBatch, type Batch, type BatchHeader } from "./settlement/batch";
export { parseBatchFile, verifyBatchFile, BatchFileError, type BatchFile } from "./settlement/batchFile";
export { buildBatchTree, verifyInclusion, leafOf } from "./settlement/merkle";
export { maskIndexes, type OnChainHeader, type AnchoredBatch } from "./settlement/ledger";
export { DISPUTE_TYPES, type SignedDispute } from "./settlement/dispute";
export { type LedgerBank, type FreeIndex } from "./settlement/ledgerBanks";
export { STAMP_GRANULE, STAMP_MARGIN, stampWindowEnd } from "./settlement/submit";
export {
  holdByRule,
  carriedMask,
  maskOf,
  inMask,
  type Entry,
  type LedgerIndex,
  type RuleOutcome,
} from "./settlement/gridlock";
export {
  DEFAULT_CLOSE_GAS_BUDGET,
  type CloseProgress,
  type CloseResult,
  type PresentedBatch,
} from "./settlement/close";
export { type CycleBatch, type Declaration } from "./settlement/pending";
export {
  validateRecord,
  encodeRecord,
  accountHash,
  otherAccountHash,
  NO_ACCOUNT_HASH,
  type PaymentRecord,
} from "./settlement/record";
export {
  importPacs008,
  buildPacs002,
  parsePacs002,
  pacs002StatusesOf,
  groupStatusOf,
  Iso20022Error,
  openIsoMessage,
  type IsoMessage,
  type IsoReadOptions,
  type IsoSource,
  type IsoTransaction,
} from "./settlement/iso20022";
export {
  signGovernanceFile,
  combineSignatures,
  parseGovernanceFile,
  GovernanceFileError,
  type GovernanceFile,
  type SignatureFile,
} from "./governance/files";
export {
  Role,
  Reasons,
  MemberStatus,
  rolesToNames,
  namesToRoles,
  type RoleName,
  type ReasonName,
} from "./registry/roles";
export { leiHash, leiWithCheckDigits, parseNode, type NodeParameters } from "./registry/identifiers";
export { renderTable, type Column } from "./format/table";
export {
  consortiumRegistryAbi,
  settlementTokenAbi,
  consortiumMultisigAbi,
  clearhouseErrorsAbi,
} from "@clearhouse/contracts";
export * from "./network";
