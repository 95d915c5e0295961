/**
 * SDK for SettlementLedger: enroll, the on-chain header and the anchored batches' events,
 * acknowledge or dispute, read a batch's status, and prove a payment's inclusion on-chain.
 * Anchoring itself (window-end stamps, retries) is in ./submit.ts.
 */
import { getAddress, isHex, parseEventLogs, stringToHex, type Address, type Hex } from "viem";
import { readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { queryLogs } from "../logs";
import { contractOf, type DeployedContract } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { settlementLedgerAbi } from "@clearhouse/contracts";
import { requireAddress, requireBytes32, requireSmallInt, utf8Length } from "../validate";
import type { LedgerIndex } from "./gridlock";
import { encodeRecord, type PaymentRecord } from "./record";

/** The fields of a batch header the SDK needs (what `buildBatch` produces). */
export interface BatchHeaderFields {
  root: Hex;
  entryCount: number;
  grossTotal: bigint;
  totalsCommitment: Hex;
  metadataDigest: Hex;
  counterparties: readonly Address[];
  totals: readonly bigint[];
  /**
   * The window end the batch was anchored with (unix seconds). Optional: once anchored it is read
   * from the batch's `BatchSubmitted` event; before, `submitBatch` stamps it from the chain's clock.
   */
  closesAt?: number;
}

/** The header as the contract takes it. */
export interface OnChainHeader {
  root: Hex;
  entryCount: number;
  grossTotal: bigint;
  totalsCommitment: Hex;
  metadataDigest: Hex;
  /** Bit i = the bank holding ledger index i (0 … 255) receives payments in the batch. */
  counterpartyMask: bigint;
  /** End of the acknowledgement window (unix seconds), stamped at submission. */
  closesAt: number;
}

import { BATCH_STATUS } from "../statusNames";
export { BATCH_STATUS };
export type BatchStatusName = (typeof BATCH_STATUS)[number];

/** The ledger proxy's address and ABI, or ContractNotDeployedError if the deployment has none. */
export function ledger(ctx: ClearhouseContext): DeployedContract<"SettlementLedger"> {
  return contractOf(ctx, "SettlementLedger");
}

/**
 * A batch key as bytes32: a readable text key (≤ 32 bytes, e.g. "2026-11-23-A") is stored as its
 * UTF-8 bytes, so the key stays readable on-chain; a 0x-prefixed 32-byte hex key is used as is.
 */
export function batchKey(key: string): Hex {
  if (isHex(key) && key.length === 66) return key;
  if (key.length === 0 || utf8Length(key) > 32) {
    throw new InvalidArgumentError("key", `${JSON.stringify(key)} must be 1–32 bytes of text (or a 32-byte hex)`);
  }
  return stringToHex(key, { size: 32 });
}

/**
 * The counterparty mask of a header (bit i = the bank holding ledger index i, up to 256 banks) from
 * the ledger's current holders; names any bank not enrolled, or released (it left the consortium).
 */
export async function counterpartyMask(ctx: ClearhouseContext, counterparties: readonly Address[]): Promise<bigint> {
  const banks = (await readContract(ctx, { ...ledger(ctx), functionName: "banks", args: [] })).map((b) =>
    getAddress(b),
  );
  let mask = 0n;
  for (const cp of counterparties) {
    const index = banks.indexOf(getAddress(cp));
    if (index < 0) {
      throw new InvalidArgumentError(
        "batch",
        `counterparty ${cp} is not enrolled in the settlement ledger (or its index was released)`,
        "Each bank enrolls once (`clearhouse batch enroll`) before others can send it batches; a released bank left the consortium and cannot be paid in a batch.",
      );
    }
    mask |= 1n << BigInt(index);
  }
  return mask;
}

/** The ledger indexes (0 … 255) named by a counterparty mask, lowest first. */
export function maskIndexes(mask: bigint): LedgerIndex[] {
  const out: LedgerIndex[] = [];
  for (let i = 0; mask >> BigInt(i) !== 0n; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
  return out;
}

/** The arguments of `onChainHeader` after the context: the bank's fields and the window end. */
export type OnChainHeaderParameters = [header: BatchHeaderFields, closesAt: number];
export type OnChainHeaderReturnType = OnChainHeader;

/**
 * The on-chain header of a batch with window end `closesAt` (reads the ledger's bank indexes for
 * the mask).
 */
export async function onChainHeader(
  ctx: ClearhouseContext,
  h: BatchHeaderFields,
  closesAt: number,
): Promise<OnChainHeaderReturnType> {
  return {
    root: h.root,
    entryCount: h.entryCount,
    grossTotal: h.grossTotal,
    totalsCommitment: h.totalsCommitment,
    metadataDigest: h.metadataDigest,
    counterpartyMask: await counterpartyMask(ctx, h.counterparties),
    closesAt,
  };
}

/** What the `BatchSubmitted` event of an anchored batch says. */
export interface AnchoredBatch {
  batchId: Hex;
  submitter: Address;
  key: Hex;
  sequence: bigint;
  /** keccak256(abi.encode(header)); the ledger keeps its first 31 bytes. */
  digest: Hex;
  header: OnChainHeader;
  blockNumber: bigint;
}

/** The anchored batches among `batchIds`, from their `BatchSubmitted` events (one query). */
export async function anchoredBatches(
  ctx: ClearhouseContext,
  batchIds: readonly Hex[],
): Promise<Map<Hex, AnchoredBatch>> {
  const out = new Map<Hex, AnchoredBatch>();
  const wanted = new Set(batchIds.map((id) => requireBytes32("batchId", id).toLowerCase()));
  if (wanted.size === 0) return out;
  const l = ledger(ctx);
  const first = BigInt(ctx.deployment.contracts.SettlementLedger!.blockNumber);
  // Newest first, in pages a node's log-range limit accepts; stop once every batch is found.
  const logs = await queryLogs(
    ctx,
    "getLogs(BatchSubmitted)",
    first,
    (range) =>
      ctx.publicClient.getContractEvents({
        ...l,
        eventName: "BatchSubmitted",
        args: { batchId: [...wanted] as Hex[] },
        ...range,
      }),
    {
      newestFirst: true,
      enough: (found) => new Set(found.map((log) => log.args.batchId?.toLowerCase())).size >= wanted.size,
    },
  );
  for (const log of logs) {
    const a = log.args as Required<typeof log.args>;
    out.set(a.batchId.toLowerCase() as Hex, {
      batchId: a.batchId,
      submitter: a.submitter,
      key: a.key,
      sequence: a.sequence,
      digest: a.digest,
      header: { ...a.header },
      blockNumber: log.blockNumber,
    });
  }
  return out;
}

/** Whether `batchId` is anchored: the ledger's own word, no log query. */
export async function isAnchored(ctx: ClearhouseContext, batchId: Hex): Promise<boolean> {
  const [, stored] = await readContract(ctx, { ...ledger(ctx), functionName: "anchorOf", args: [batchId] });
  return stored !== 0;
}

/** The argument of `anchoredBatch` after the context: the batch id. */
export type AnchoredBatchParameters = Hex;
export type AnchoredBatchReturnType = AnchoredBatch | undefined;

/** The anchored batch `batchId` from its `BatchSubmitted` event, or undefined if it is not anchored. */
export async function anchoredBatch(
  ctx: ClearhouseContext,
  batchId: AnchoredBatchParameters,
): Promise<AnchoredBatchReturnType> {
  return (await anchoredBatches(ctx, [batchId])).get(batchId.toLowerCase() as Hex);
}

/**
 * The arguments of `anchoredHeader` after the context: the batch id, the bank's fields and (to
 * spare a log query) the batch's `BatchSubmitted` event when the caller has it.
 */
export type AnchoredHeaderParameters = [batchId: Hex, header: BatchHeaderFields, anchored?: AnchoredBatch];
export type AnchoredHeaderReturnType = OnChainHeader;

/**
 * The on-chain header of an anchored batch from the bank's fields: the window end is the one in
 * the fields or else the one it was anchored with. Refuses a batch that is not anchored.
 */
export async function anchoredHeader(
  ctx: ClearhouseContext,
  batchId: Hex,
  h: BatchHeaderFields,
  anchored?: AnchoredBatch,
): Promise<AnchoredHeaderReturnType> {
  if (h.closesAt !== undefined) return onChainHeader(ctx, h, h.closesAt);
  const found = anchored ?? (await requireAnchored(ctx, batchId));
  return onChainHeader(ctx, h, found.header.closesAt);
}

export interface EnrollReturnType {
  /** The bank's ledger index. */
  index: LedgerIndex;
  /** The enrollment, absent when the bank was already enrolled. */
  tx?: WriteResult;
}

/** Enroll the signing bank so others can name it as a counterparty (no-op if enrolled). */
export async function enroll(ctx: ClearhouseContext): Promise<EnrollReturnType> {
  const me = ctx.walletClient?.account.address;
  if (me) {
    const banks = await readContract(ctx, { ...ledger(ctx), functionName: "banks", args: [] });
    const index = banks.findIndex((b) => b.toLowerCase() === me.toLowerCase());
    if (index >= 0) return { index };
  }
  const tx = await writeContract(ctx, { ...ledger(ctx), functionName: "enroll", args: [] });
  const receipt = await rpc(ctx, "eth_getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  const [enrolled] = parseEventLogs({ abi: settlementLedgerAbi, eventName: "BankEnrolled", logs: receipt.logs });
  return { index: enrolled.args.index, tx };
}

/** The anchored header of `batchId` (from its event), or a clear error if it is not anchored. */
export async function requireAnchored(ctx: ClearhouseContext, batchId: Hex): Promise<AnchoredBatch> {
  const found = await anchoredBatch(ctx, requireBytes32("batchId", batchId));
  if (!found) {
    throw new InvalidArgumentError(
      "batchId",
      `no batch ${batchId} is anchored in the settlement ledger`,
      "Submit it first (`clearhouse batch submit`).",
    );
  }
  return found;
}

export interface AcknowledgeBatchParameters {
  batchId: Hex;
}
export type AcknowledgeBatchReturnType = WriteResult;

/** Acknowledge a batch as one of its counterparties (its header is read from its event). */
export async function acknowledgeBatch(
  ctx: ClearhouseContext,
  p: AcknowledgeBatchParameters,
): Promise<AcknowledgeBatchReturnType> {
  const { batchId, header } = await requireAnchored(ctx, p.batchId);
  return writeContract(ctx, { ...ledger(ctx), functionName: "acknowledge", args: [batchId, header] });
}

export interface DisputeBatchParameters {
  batchId: Hex;
  /** 1 … 65,535. */
  reasonCode: number;
}
export type DisputeBatchReturnType = WriteResult;

/** Dispute a batch as one of its counterparties (reason code ≥ 1). */
export async function disputeBatch(ctx: ClearhouseContext, p: DisputeBatchParameters): Promise<DisputeBatchReturnType> {
  const reasonCode = requireSmallInt("reasonCode", p.reasonCode, 1, 65535);
  const { batchId, header } = await requireAnchored(ctx, p.batchId);
  return writeContract(ctx, { ...ledger(ctx), functionName: "dispute", args: [batchId, header, reasonCode] });
}

export interface ResolveDisputeParameters {
  batchId: Hex;
  /** True: the batch is Rejected; false: the dispute is dismissed and the batch Final. */
  upheld: boolean;
}
export type ResolveDisputeReturnType = WriteResult;

/** Settle a dispute (an OPERATOR): upheld → Rejected, dismissed → Final. */
export async function resolveDispute(
  ctx: ClearhouseContext,
  p: ResolveDisputeParameters,
): Promise<ResolveDisputeReturnType> {
  const args = [requireBytes32("batchId", p.batchId), p.upheld] as const;
  return writeContract(ctx, { ...ledger(ctx), functionName: "resolveDispute", args });
}

export interface GetBatchIdParameters {
  submitter: Address;
  /** The batch key: up to 32 bytes of text, or a 32-byte hex. */
  key: string;
}
export type GetBatchIdReturnType = Hex;

/** The id of `submitter`'s batch under `key`. */
export async function getBatchId(ctx: ClearhouseContext, p: GetBatchIdParameters): Promise<GetBatchIdReturnType> {
  const args = [requireAddress("submitter", p.submitter), batchKey(p.key)] as const;
  return readContract(ctx, { ...ledger(ctx), functionName: "batchIdOf", args });
}

export interface GetAnchorParameters {
  batchId: Hex;
}
export interface GetAnchorReturnType {
  /** The ledger's stored status (None for an unknown id): before the clock and the acknowledgements make it Final. */
  storedStatus: BatchStatusName;
  ackMask: bigint;
}

/**
 * A batch's stored status and acknowledgement mask, in one read without the header (an indexer
 * that has the header from `BatchSubmitted` computes the effective status from these).
 */
export async function getAnchor(ctx: ClearhouseContext, p: GetAnchorParameters): Promise<GetAnchorReturnType> {
  const batchId = requireBytes32("batchId", p.batchId);
  const [, stored, ackMask] = await readContract(ctx, { ...ledger(ctx), functionName: "anchorOf", args: [batchId] });
  return { storedStatus: BATCH_STATUS[stored] ?? "None", ackMask };
}

export interface BatchInfo {
  batchId: Hex;
  status: BatchStatusName;
  sequence: bigint;
  submittedAt: number;
  digest: Hex;
  counterpartyMask: bigint;
  ackMask: bigint;
  windowClosesAt: number;
  /** The anchored header (from the `BatchSubmitted` event). */
  header: OnChainHeader;
  /** The cycle that netted the batch (its `BatchNetted` event), once Netted. */
  nettedIn?: bigint;
}

export interface GetBatchParameters {
  batchId: Hex;
}
export type GetBatchReturnType = BatchInfo;

/** A batch's anchored header, effective status and acknowledgements (an unknown id is refused). */
export async function getBatch(ctx: ClearhouseContext, p: GetBatchParameters): Promise<GetBatchReturnType> {
  const anchored = await requireAnchored(ctx, p.batchId);
  const { batchId, header } = anchored;
  const [status, [, , ackMask], block] = await Promise.all([
    readContract(ctx, { ...ledger(ctx), functionName: "statusOf", args: [batchId, header] }),
    readContract(ctx, { ...ledger(ctx), functionName: "anchorOf", args: [batchId] }),
    rpc(ctx, "eth_getBlockByNumber", () => ctx.publicClient.getBlock({ blockNumber: anchored.blockNumber })),
  ]);
  const name = BATCH_STATUS[status] ?? "None";
  let nettedIn: bigint | undefined;
  if (name === "Netted") {
    const [netted] = await queryLogs(ctx, "getLogs(BatchNetted)", anchored.blockNumber, (range) =>
      ctx.publicClient.getContractEvents({ ...ledger(ctx), eventName: "BatchNetted", args: { batchId }, ...range }),
    );
    nettedIn = netted?.args.cycleId;
  }
  return {
    batchId,
    status: name,
    sequence: anchored.sequence,
    submittedAt: Number(block.timestamp),
    digest: anchored.digest,
    counterpartyMask: header.counterpartyMask,
    ackMask,
    windowClosesAt: header.closesAt,
    header,
    ...(nettedIn !== undefined ? { nettedIn } : {}),
  };
}

/** The argument of `headerDigest` after the context: an on-chain header. */
export type HeaderDigestParameters = OnChainHeader;
export type HeaderDigestReturnType = Hex;

/** The digest of an on-chain header (keccak256(abi.encode(header))); the ledger keeps its first 31 bytes. */
export async function headerDigest(
  ctx: ClearhouseContext,
  header: HeaderDigestParameters,
): Promise<HeaderDigestReturnType> {
  return readContract(ctx, { ...ledger(ctx), functionName: "digestOf", args: [header] });
}

export interface VerifyRecordOnChainParameters {
  batchId: Hex;
  /** The anchored header. */
  header: OnChainHeader;
  record: PaymentRecord;
  /** The record's Merkle proof (`buildBatchTree(...).proof(i)`). */
  proof: readonly Hex[];
}
export type VerifyRecordOnChainReturnType = boolean;

/**
 * Ask the ledger whether payment `record` with `proof` is in the anchored batch: the ledger hashes
 * the record's fields itself (as `leafOf`), so only a real record passes. Use this one to prove a
 * payment (verifyInclusionOnChain accepts any node of the tree as a leaf).
 */
export async function verifyRecordOnChain(
  ctx: ClearhouseContext,
  p: VerifyRecordOnChainParameters,
): Promise<VerifyRecordOnChainReturnType> {
  return readContract(ctx, {
    ...ledger(ctx),
    functionName: "verifyRecord",
    args: [requireBytes32("batchId", p.batchId), p.header, encodeRecord(p.record), [...p.proof]],
  });
}

export interface VerifyInclusionOnChainParameters {
  batchId: Hex;
  /** The anchored header. */
  header: OnChainHeader;
  leaf: Hex;
  proof: readonly Hex[];
}
export type VerifyInclusionOnChainReturnType = boolean;

/**
 * Ask the ledger contract itself whether `leaf` with `proof` is in the anchored batch. Warning: an
 * internal node of the tree passes too; to prove a payment use verifyRecordOnChain.
 */
export async function verifyInclusionOnChain(
  ctx: ClearhouseContext,
  p: VerifyInclusionOnChainParameters,
): Promise<VerifyInclusionOnChainReturnType> {
  return readContract(ctx, {
    ...ledger(ctx),
    functionName: "verifyInclusion",
    args: [requireBytes32("batchId", p.batchId), p.header, requireBytes32("leaf", p.leaf), [...p.proof]],
  });
}
