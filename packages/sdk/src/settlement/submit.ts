/**
 * Anchoring a batch with SettlementLedger.submitBatch, idempotently: the window end stamped from the
 * chain's present, a retry recognised whatever window end its earlier attempt was stamped with,
 * a race with a pending attempt waited out (decision 018).
 */
import { parseEventLogs, type Hex } from "viem";
import {
  accountAddress,
  readContract,
  rpc,
  simulateContract,
  writeContract,
  type ClearhouseContext,
  type WriteResult,
} from "../context";
import { InvalidArgumentError, TransactionFailedError } from "../errors/base";
import { ContractRevertError } from "../errors/revert";
import { settlementLedgerAbi } from "@clearhouse/contracts";
import {
  anchoredBatch,
  batchKey,
  isAnchored,
  ledger,
  onChainHeader,
  type BatchHeaderFields,
  type OnChainHeader,
} from "./ledger";
import type { TreeHash } from "./treeHash";
import { getTreeHash } from "./treeHashActions";

/** Seconds `submitBatch` adds to the earliest valid window end, so the transaction has time to land. */
export const STAMP_MARGIN = 120;
/**
 * Window ends are rounded up to a multiple of this many seconds, so attempts to submit the same
 * batch within the same minute send the same header (the later one is a no-op on chain).
 */
export const STAMP_GRANULE = 60;
/** How long `submitBatch` waits for an earlier, still pending attempt at the same key to be mined. */
export const PENDING_ATTEMPT_WAIT_MS = 60_000;

export interface SubmitBatchResult {
  batchId: Hex;
  /** False when this key was already anchored with the same content (a retry): nothing was sent. */
  created: boolean;
  /** The anchored header, with its window end. */
  header: OnChainHeader;
  tx?: WriteResult;
}

export interface SubmitBatchParameters {
  /** The batch key: up to 32 bytes of text (e.g. "2026-11-23-A"), or a 32-byte hex. */
  key: string;
  /** The header fields (`buildBatch(...).header`); `closesAt` pins the window end. */
  header: BatchHeaderFields;
  /**
   * The hash the batch's tree was built with (`buildBatch(...).treeHash`, default keccak256): the
   * ledger records its own current one, so a batch of another is refused before sending
   * (InvalidArgumentError), as its payments could never be proved on chain.
   */
  treeHash?: TreeHash;
}
export type SubmitBatchReturnType = SubmitBatchResult;

/**
 * Anchor a batch under `key`. Idempotent: after a crash or timeout, call it again with the same
 * key and file — if an earlier attempt landed, its id comes back (`created` false) and nothing is
 * sent, whatever window end that attempt was stamped with; the same key with other content is
 * refused with `LedgerBatchConflict`. The window end is `header.closesAt` if given, else stamped
 * now: the chain's time + the acknowledgement window + STAMP_MARGIN.
 */
export async function submitBatch(ctx: ClearhouseContext, p: SubmitBatchParameters): Promise<SubmitBatchReturnType> {
  const key = batchKey(p.key);
  const batchId = await readContract(ctx, {
    ...ledger(ctx),
    functionName: "batchIdOf",
    args: [accountAddress(ctx, "submitBatch"), key],
  });
  const existing = await alreadyAnchored(ctx, batchId, key, p.header);
  if (existing) return existing;
  const built = p.treeHash ?? "keccak256";
  const { ledger: current } = await getTreeHash(ctx);
  if (current !== built)
    throw new InvalidArgumentError(
      "treeHash",
      `the batch's tree is ${built}, but the ledger anchors ${current} trees now: its payments could not be proved on chain`,
      `Build the batch again with treeHash "${current}" (--tree-hash ${current}); nothing was sent.`,
    );
  let header = await onChainHeader(ctx, p.header, p.header.closesAt ?? (await stampWindowEnd(ctx)));
  try {
    await simulateContract(ctx, { ...ledger(ctx), functionName: "submitBatch", args: [key, header] });
  } catch (error) {
    // The chain's clock is ahead of the stamp (an idle chain, a slow client): stamp again from the
    // window the ledger names, once. A window end the caller chose is left as it is.
    if (!(p.header.closesAt === undefined && isRevert(error, "LedgerInvalidWindowEnd"))) throw error;
    const earliest = (error.revert.args as readonly unknown[])[1] as bigint;
    header = { ...header, closesAt: roundStamp(Number(earliest) + STAMP_MARGIN) };
  }
  const call = { ...ledger(ctx), functionName: "submitBatch" as const, args: [key, header] as const };
  let tx: WriteResult;
  try {
    tx = await writeContract(ctx, call);
  } catch (error) {
    // Another attempt anchored this key with its own stamp between our read and our send (our
    // simulation or our mined transaction was refused for it), or is still pending (our gas
    // estimate against the pending block was refused): once it is mined, this is a retry.
    if (isRevert(error, "LedgerBatchConflict")) {
      const raced = await awaitPendingAttempt(ctx, batchId, key, p.header);
      if (raced) return raced;
      throw new InvalidArgumentError(
        "key",
        `another attempt to anchor batch ${batchId} is pending with a different window end and was not mined within ${PENDING_ATTEMPT_WAIT_MS / 1000} s`,
        "Run the submission again once that attempt is mined: it will be recognised as the same batch.",
      );
    }
    if (error instanceof TransactionFailedError) {
      const raced = await alreadyAnchored(ctx, batchId, key, p.header);
      if (raced) return raced;
      // Not a lost race: say why the mined transaction was refused (the simulation decodes it).
      await simulateContract(ctx, call);
    }
    throw error;
  }
  // A retry racing a still-pending first attempt with the same stamp lands as a no-op: only the
  // receipt's BatchSubmitted event says whether this transaction anchored the batch.
  const receipt = await rpc(ctx, "eth_getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  const anchored = parseEventLogs({ abi: settlementLedgerAbi, eventName: "BatchSubmitted", logs: receipt.logs });
  return { batchId, created: anchored.length > 0, header, tx };
}

/**
 * If `batchId` is anchored: its result as a retry (same content, any window end) or the ledger's
 * own LedgerBatchConflict (other content, from a simulation with the anchored window end).
 */
async function alreadyAnchored(
  ctx: ClearhouseContext,
  batchId: Hex,
  key: Hex,
  fields: BatchHeaderFields,
): Promise<SubmitBatchResult | undefined> {
  if (!(await isAnchored(ctx, batchId))) return undefined;
  const anchored = await anchoredBatch(ctx, batchId);
  if (!anchored) throw new InvalidArgumentError("batchId", `batch ${batchId} is anchored but its event was not found`);
  const ours = await onChainHeader(ctx, fields, anchored.header.closesAt);
  if (sameContent(ours, anchored.header)) return { batchId, created: false, header: anchored.header };
  // Other content: let the ledger refuse it with both digests.
  await simulateContract(ctx, { ...ledger(ctx), functionName: "submitBatch", args: [key, ours] });
  throw new InvalidArgumentError("batch", `batch ${batchId} is anchored with other content`);
}

/**
 * A window end for a batch submitted now: now + ackWindow + STAMP_MARGIN, rounded up to a
 * multiple of STAMP_GRANULE, where now is the latest of the latest block's time, the pending
 * block's time (where the node gives one) and this machine's clock — a chain that mines no empty
 * blocks can have a latest block minutes old. Valid if the transaction is mined within
 * STAMP_MARGIN seconds; counterparties get at least the full acknowledgement window.
 */
export async function stampWindowEnd(ctx: ClearhouseContext): Promise<number> {
  const [latest, pending, window] = await Promise.all([
    rpc(ctx, "eth_getBlockByNumber", () => ctx.publicClient.getBlock({ blockTag: "latest" })),
    ctx.publicClient.getBlock({ blockTag: "pending" }).catch(() => undefined),
    readContract(ctx, { ...ledger(ctx), functionName: "ackWindow", args: [] }),
  ]);
  const now = Math.max(Number(latest.timestamp), Number(pending?.timestamp ?? 0n), Math.floor(Date.now() / 1000));
  return roundStamp(now + window + STAMP_MARGIN);
}

/** `earliest` rounded up to a multiple of STAMP_GRANULE. */
function roundStamp(earliest: number): number {
  return Math.ceil(earliest / STAMP_GRANULE) * STAMP_GRANULE;
}

/** Whether `error` is the ledger's custom error `name`. */
function isRevert(error: unknown, name: string): error is ContractRevertError {
  return error instanceof ContractRevertError && error.errorName === name;
}

/**
 * Wait (polling) until `batchId` is anchored: an earlier attempt with another stamp is pending,
 * which our own attempt conflicts with in the pending state. Undefined after the wait.
 */
async function awaitPendingAttempt(
  ctx: ClearhouseContext,
  batchId: Hex,
  key: Hex,
  fields: BatchHeaderFields,
): Promise<SubmitBatchResult | undefined> {
  const deadline = Date.now() + PENDING_ATTEMPT_WAIT_MS;
  for (;;) {
    const found = await alreadyAnchored(ctx, batchId, key, fields);
    if (found || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, ctx.publicClient.pollingInterval));
  }
}

/** The header fields equal but for the window end (what a retry with a fresh stamp changes). */
function sameContent(a: OnChainHeader, b: OnChainHeader): boolean {
  return (
    a.root.toLowerCase() === b.root.toLowerCase() &&
    a.entryCount === b.entryCount &&
    a.grossTotal === b.grossTotal &&
    a.totalsCommitment.toLowerCase() === b.totalsCommitment.toLowerCase() &&
    a.metadataDigest.toLowerCase() === b.metadataDigest.toLowerCase() &&
    a.counterpartyMask === b.counterpartyMask
  );
}
