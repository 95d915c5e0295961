/**
 * SDK for SettlementLedger: enroll, anchor a batch idempotently, acknowledge or dispute, read its
 * status, and prove a payment's inclusion on-chain.
 */
import { getAddress, isHex, parseEventLogs, stringToHex, type Address, type Hex } from "viem";
import {
  readContract,
  rpc,
  simulateContract,
  writeContract,
  type ClearhouseContext,
  type WriteResult,
} from "../context";
import { DeploymentError, InvalidArgumentError } from "../errors/base";
import { settlementLedgerAbi } from "../generated/abis";
import { requireAddress, requireBytes32, requireSmallInt } from "../validate";

/** The fields of a batch header the SDK needs (what `buildBatch` produces). */
export interface BatchHeaderFields {
  root: Hex;
  entryCount: number;
  grossTotal: bigint;
  totalsCommitment: Hex;
  metadataDigest: Hex;
  counterparties: readonly Address[];
  totals: readonly bigint[];
}

/** The header as the contract takes it. */
export interface OnChainHeader {
  root: Hex;
  entryCount: number;
  grossTotal: bigint;
  totalsCommitment: Hex;
  metadataDigest: Hex;
  counterpartyMask: number;
}

import { BATCH_STATUS } from "../statusNames";
export { BATCH_STATUS };
export type BatchStatusName = (typeof BATCH_STATUS)[number];

function ledger(ctx: ClearhouseContext) {
  const d = ctx.deployment.contracts.SettlementLedger;
  if (!d) throw new DeploymentError("this deployment has no SettlementLedger", "Deploy the settlement layer first.");
  return { address: d.proxy, abi: settlementLedgerAbi };
}

/**
 * A batch key as bytes32: a readable text key (≤ 32 bytes, e.g. "2026-11-23-A") is stored as its
 * UTF-8 bytes, so the key stays readable on-chain; a 0x-prefixed 32-byte hex key is used as is.
 */
export function batchKey(key: string): Hex {
  if (isHex(key) && key.length === 66) return key;
  if (key.length === 0 || Buffer.byteLength(key, "utf8") > 32) {
    throw new InvalidArgumentError("key", `${JSON.stringify(key)} must be 1–32 bytes of text (or a 32-byte hex)`);
  }
  return stringToHex(key, { size: 32 });
}

/** The counterparty mask of a header from the ledger's enrolled banks; names any bank not enrolled. */
export async function counterpartyMask(ctx: ClearhouseContext, counterparties: readonly Address[]): Promise<number> {
  const banks = (await readContract(ctx, { ...ledger(ctx), functionName: "banks", args: [] })).map((b) =>
    getAddress(b),
  );
  let mask = 0;
  for (const cp of counterparties) {
    const index = banks.indexOf(getAddress(cp));
    if (index < 0) {
      throw new InvalidArgumentError(
        "batch",
        `counterparty ${cp} is not enrolled in the settlement ledger`,
        "Each bank enrolls once (`clearhouse batch enroll`) before others can send it batches.",
      );
    }
    mask |= 1 << index;
  }
  return mask >>> 0;
}

/** The on-chain header of a batch (reads the ledger's bank indexes for the mask). */
export async function onChainHeader(ctx: ClearhouseContext, h: BatchHeaderFields): Promise<OnChainHeader> {
  return {
    root: h.root,
    entryCount: h.entryCount,
    grossTotal: h.grossTotal,
    totalsCommitment: h.totalsCommitment,
    metadataDigest: h.metadataDigest,
    counterpartyMask: await counterpartyMask(ctx, h.counterparties),
  };
}

/** Enroll the signing bank so others can name it as a counterparty (no-op if enrolled). */
export async function enroll(ctx: ClearhouseContext): Promise<{ index: number; tx?: WriteResult }> {
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

export interface SubmitBatchResult {
  batchId: Hex;
  /** False when this key was already anchored with the same content (a retry): nothing was sent. */
  created: boolean;
  header: OnChainHeader;
  tx?: WriteResult;
}

/**
 * Anchor a batch under `key`. Idempotent: after a crash or timeout, call it again with the same
 * key and file — if the first attempt landed, the existing id comes back and nothing is sent; the
 * same key with other content is refused with `LedgerBatchConflict` naming both digests.
 */
export async function submitBatch(
  ctx: ClearhouseContext,
  p: { key: string; header: BatchHeaderFields },
): Promise<SubmitBatchResult> {
  const key = batchKey(p.key);
  const header = await onChainHeader(ctx, p.header);
  const call = { ...ledger(ctx), functionName: "submitBatch" as const, args: [key, header] as const };
  const [batchId, created] = await simulateContract(ctx, call);
  if (!created) return { batchId, created, header };
  const tx = await writeContract(ctx, call);
  // A retry racing a still-pending first attempt simulates as new but lands as a no-op: only the
  // receipt's BatchSubmitted event says whether this transaction anchored the batch.
  const receipt = await rpc(ctx, "eth_getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  const anchored = parseEventLogs({ abi: settlementLedgerAbi, eventName: "BatchSubmitted", logs: receipt.logs });
  return { batchId, created: anchored.length > 0, header, tx };
}

/** Acknowledge a batch as one of its counterparties. */
export async function acknowledgeBatch(ctx: ClearhouseContext, p: { batchId: Hex }): Promise<WriteResult> {
  return writeContract(ctx, {
    ...ledger(ctx),
    functionName: "acknowledge",
    args: [requireBytes32("batchId", p.batchId)],
  });
}

/** Dispute a batch as one of its counterparties (reason code ≥ 1). */
export async function disputeBatch(
  ctx: ClearhouseContext,
  p: { batchId: Hex; reasonCode: number },
): Promise<WriteResult> {
  const args = [requireBytes32("batchId", p.batchId), requireSmallInt("reasonCode", p.reasonCode, 1, 65535)] as const;
  return writeContract(ctx, { ...ledger(ctx), functionName: "dispute", args });
}

/** Settle a dispute (an OPERATOR): upheld → Rejected, dismissed → Final. */
export async function resolveDispute(
  ctx: ClearhouseContext,
  p: { batchId: Hex; upheld: boolean },
): Promise<WriteResult> {
  const args = [requireBytes32("batchId", p.batchId), p.upheld] as const;
  return writeContract(ctx, { ...ledger(ctx), functionName: "resolveDispute", args });
}

/** The id of `submitter`'s batch under `key`. */
export async function getBatchId(ctx: ClearhouseContext, p: { submitter: Address; key: string }): Promise<Hex> {
  const args = [requireAddress("submitter", p.submitter), batchKey(p.key)] as const;
  return readContract(ctx, { ...ledger(ctx), functionName: "batchIdOf", args });
}

export interface BatchInfo {
  batchId: Hex;
  status: BatchStatusName;
  sequence: bigint;
  submittedAt: number;
  digest: Hex;
  counterpartyMask: number;
  ackMask: number;
  windowClosesAt: number;
}

/** A batch's anchored state and effective status. */
export async function getBatch(ctx: ClearhouseContext, p: { batchId: Hex }): Promise<BatchInfo> {
  const batchId = requireBytes32("batchId", p.batchId);
  const [state, digest, status] = await readContract(ctx, { ...ledger(ctx), functionName: "batchOf", args: [batchId] });
  return {
    batchId,
    status: BATCH_STATUS[status] ?? "None",
    sequence: state.sequence,
    submittedAt: state.submittedAt,
    digest,
    counterpartyMask: state.counterpartyMask,
    ackMask: state.ackMask,
    windowClosesAt: state.closesAt,
  };
}

/** The digest the ledger stores for an on-chain header (keccak256(abi.encode(header))). */
export async function headerDigest(ctx: ClearhouseContext, header: OnChainHeader): Promise<Hex> {
  return readContract(ctx, { ...ledger(ctx), functionName: "digestOf", args: [header] });
}

/** Ask the ledger contract itself whether `leaf` with `proof` is in the anchored batch. */
export async function verifyInclusionOnChain(
  ctx: ClearhouseContext,
  p: { batchId: Hex; header: OnChainHeader; leaf: Hex; proof: readonly Hex[] },
): Promise<boolean> {
  return readContract(ctx, {
    ...ledger(ctx),
    functionName: "verifyInclusion",
    args: [requireBytes32("batchId", p.batchId), p.header, requireBytes32("leaf", p.leaf), [...p.proof]],
  });
}
