/**
 * SDK for SettlementLedger: enroll, anchor a batch idempotently, acknowledge or dispute, read its
 * status, and prove a payment's inclusion on-chain.
 */
import { getAddress, isHex, parseEventLogs, stringToHex, type Address, type Hex } from "viem";
import { ContractRevertError } from "../errors/revert";
import {
  accountAddress,
  readContract,
  rpc,
  simulateContract,
  writeContract,
  type ClearhouseContext,
  type WriteResult,
} from "../context";
import { DeploymentError, InvalidArgumentError, TransactionFailedError } from "../errors/base";
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
  /**
   * The window end the batch was anchored with (unix seconds). Optional: once anchored it is read
   * from the batch's `BatchSubmitted` event; before, `submitBatch` stamps it from the chain's clock.
   */
  closesAt?: number;
}

/** Seconds `submitBatch` adds to the earliest valid window end, so the transaction has time to land. */
export const STAMP_MARGIN = 120;
/**
 * Window ends are rounded up to a multiple of this many seconds, so attempts to submit the same
 * batch within the same minute send the same header (the later one is a no-op on chain).
 */
export const STAMP_GRANULE = 60;
/** How long `submitBatch` waits for an earlier, still pending attempt at the same key to be mined. */
export const PENDING_ATTEMPT_WAIT_MS = 60_000;

/** The header as the contract takes it. */
export interface OnChainHeader {
  root: Hex;
  entryCount: number;
  grossTotal: bigint;
  totalsCommitment: Hex;
  metadataDigest: Hex;
  counterpartyMask: number;
  /** End of the acknowledgement window (unix seconds), stamped at submission. */
  closesAt: number;
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

/**
 * The on-chain header of a batch with window end `closesAt` (reads the ledger's bank indexes for
 * the mask).
 */
export async function onChainHeader(
  ctx: ClearhouseContext,
  h: BatchHeaderFields,
  closesAt: number,
): Promise<OnChainHeader> {
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
  const latest = await rpc(ctx, "eth_blockNumber", () => ctx.publicClient.getBlockNumber());
  // Newest first, in pages a node's log-range limit accepts; stop once every batch is found.
  for (let end = latest; end >= first && out.size < wanted.size; end -= LOG_PAGE) {
    const start = end - LOG_PAGE + 1n > first ? end - LOG_PAGE + 1n : first;
    const logs = await rpc(ctx, "getLogs(BatchSubmitted)", () =>
      ctx.publicClient.getContractEvents({
        ...l,
        eventName: "BatchSubmitted",
        args: { batchId: [...wanted] as Hex[] },
        fromBlock: start,
        toBlock: end,
      }),
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
  }
  return out;
}

/** Blocks per `eth_getLogs` page (Besu's default `--rpc-max-logs-range` is 5,000). */
const LOG_PAGE = 5_000n;

/** Whether `batchId` is anchored: the ledger's own word, no log query. */
async function isAnchored(ctx: ClearhouseContext, batchId: Hex): Promise<boolean> {
  const [, stored] = await readContract(ctx, { ...ledger(ctx), functionName: "anchorOf", args: [batchId] });
  return stored !== 0;
}

/** The anchored batch `batchId` from its `BatchSubmitted` event, or undefined if it is not anchored. */
export async function anchoredBatch(ctx: ClearhouseContext, batchId: Hex): Promise<AnchoredBatch | undefined> {
  return (await anchoredBatches(ctx, [batchId])).get(batchId.toLowerCase() as Hex);
}

/**
 * The on-chain header of an anchored batch from the bank's fields: the window end is the one in
 * the fields or else the one it was anchored with. Refuses a batch that is not anchored.
 */
export async function anchoredHeader(
  ctx: ClearhouseContext,
  batchId: Hex,
  h: BatchHeaderFields,
  anchored?: AnchoredBatch,
): Promise<OnChainHeader> {
  if (h.closesAt !== undefined) return onChainHeader(ctx, h, h.closesAt);
  const found = anchored ?? (await anchoredBatch(ctx, batchId));
  if (!found) {
    throw new InvalidArgumentError(
      "batch",
      `batch ${batchId} is not anchored in the settlement ledger`,
      "Submit it first (`clearhouse batch submit`).",
    );
  }
  return onChainHeader(ctx, h, found.header.closesAt);
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
  /** The anchored header, with its window end. */
  header: OnChainHeader;
  tx?: WriteResult;
}

/**
 * Anchor a batch under `key`. Idempotent: after a crash or timeout, call it again with the same
 * key and file — if an earlier attempt landed, its id comes back (`created` false) and nothing is
 * sent, whatever window end that attempt was stamped with; the same key with other content is
 * refused with `LedgerBatchConflict`. The window end is `header.closesAt` if given, else stamped
 * now: the chain's time + the acknowledgement window + STAMP_MARGIN.
 */
export async function submitBatch(
  ctx: ClearhouseContext,
  p: { key: string; header: BatchHeaderFields },
): Promise<SubmitBatchResult> {
  const key = batchKey(p.key);
  const batchId = await readContract(ctx, {
    ...ledger(ctx),
    functionName: "batchIdOf",
    args: [accountAddress(ctx, "submitBatch"), key],
  });
  const existing = await alreadyAnchored(ctx, batchId, key, p.header);
  if (existing) return existing;
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

/** The anchored header of `batchId` (from its event), or a clear error if it is not anchored. */
async function requireAnchored(ctx: ClearhouseContext, batchId: Hex): Promise<AnchoredBatch> {
  const found = await anchoredBatch(ctx, requireBytes32("batchId", batchId));
  if (!found) {
    throw new InvalidArgumentError("batchId", `no batch ${batchId} is anchored in the settlement ledger`);
  }
  return found;
}

/** Acknowledge a batch as one of its counterparties (its header is read from its event). */
export async function acknowledgeBatch(ctx: ClearhouseContext, p: { batchId: Hex }): Promise<WriteResult> {
  const { batchId, header } = await requireAnchored(ctx, p.batchId);
  return writeContract(ctx, { ...ledger(ctx), functionName: "acknowledge", args: [batchId, header] });
}

/** Dispute a batch as one of its counterparties (reason code ≥ 1). */
export async function disputeBatch(
  ctx: ClearhouseContext,
  p: { batchId: Hex; reasonCode: number },
): Promise<WriteResult> {
  const reasonCode = requireSmallInt("reasonCode", p.reasonCode, 1, 65535);
  const { batchId, header } = await requireAnchored(ctx, p.batchId);
  return writeContract(ctx, { ...ledger(ctx), functionName: "dispute", args: [batchId, header, reasonCode] });
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
  /** The anchored header (from the `BatchSubmitted` event). */
  header: OnChainHeader;
  /** The cycle that netted the batch (its `BatchNetted` event), once Netted. */
  nettedIn?: bigint;
}

/** A batch's anchored header, effective status and acknowledgements (an unknown id is refused). */
export async function getBatch(ctx: ClearhouseContext, p: { batchId: Hex }): Promise<BatchInfo> {
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
    const [netted] = await rpc(ctx, "getLogs(BatchNetted)", () =>
      ctx.publicClient.getContractEvents({
        ...ledger(ctx),
        eventName: "BatchNetted",
        args: { batchId },
        fromBlock: anchored.blockNumber,
      }),
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

/** The digest of an on-chain header (keccak256(abi.encode(header))); the ledger keeps its first 31 bytes. */
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
