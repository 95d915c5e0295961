/**
 * SDK for NettingEngine: settlement cycles (open, declare batches; closing is in ./close.ts),
 * credit lines and the clearing pool, a cycle's state.
 */
import { getAddress, parseEventLogs, type Address, type Hex } from "viem";
import { accountAddress, readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { queryLogs } from "../logs";
import { nettingEngineAbi, privateChunksAbi } from "@clearhouse/contracts";
import { UINT128_MAX, requireAddress, requireAmount } from "../validate";
import { batchIdOf } from "./batch";
import { anchoredHeader, batchKey, type BatchHeaderFields } from "./ledger";
import { getBatchSettlement } from "./batchSettlement";
import { cycleEvents, engine, ledgerIndexes } from "./pending";

const CYCLE_STATUS = ["None", "Open", "Closed", "Closing"] as const;

export interface DeclareProvedBatchParameters {
  /** The chunk's batch key (as anchored). */
  key: string;
  header: BatchHeaderFields;
  /** The Groth16 proof as the verifier takes it (8 field elements). */
  proof: readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  /** Default: the current cycle. */
  cycleId?: bigint;
}
export type DeclareProvedBatchReturnType = WriteResult;

/**
 * Declare a final private-mode chunk into a cycle with its `batch_netting_16` proof (see
 * src/zk/chunk.ts); the engine checks the proof through the VerifierRegistry.
 */
export async function declareProvedBatch(
  ctx: ClearhouseContext,
  p: DeclareProvedBatchParameters,
): Promise<DeclareProvedBatchReturnType> {
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...engine(ctx), functionName: "currentCycle", args: [] }));
  const key = batchKey(p.key);
  const header = await anchoredHeader(ctx, batchIdOf(accountAddress(ctx, "declareProved"), key), p.header);
  return writeContract(ctx, {
    ...engine(ctx),
    functionName: "declareProved",
    args: [cycleId, key, header, [...p.header.counterparties], [...p.header.totals], p.proof],
  });
}

export interface OpenCycleReturnType {
  cycleId: bigint;
  tx: WriteResult;
}

/** Open the next settlement cycle (an OPERATOR); returns its id. */
export async function openCycle(ctx: ClearhouseContext): Promise<OpenCycleReturnType> {
  const tx = await writeContract(ctx, { ...engine(ctx), functionName: "openCycle", args: [] });
  // The id comes from this transaction's CycleOpened event, not from a later read that another
  // operator's transaction could have moved on.
  const receipt = await rpc(ctx, "eth_getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  const [opened] = parseEventLogs({ abi: nettingEngineAbi, eventName: "CycleOpened", logs: receipt.logs });
  return { cycleId: opened.args.cycleId, tx };
}

export interface DeclareBatchParameters {
  /** The batch key it was anchored under. */
  key: string;
  /** The anchored header's fields (from the bank's batch file). */
  header: BatchHeaderFields;
  /** Default: the current cycle. */
  cycleId?: bigint;
}
export type DeclareBatchReturnType = WriteResult;

/**
 * Declare the signing bank's final, anchored batch into the open cycle: its per-counterparty totals
 * become obligations, pending until the operator's close presents them again (closeCycle does).
 * The header must be the anchored one (the engine checks it with the ledger).
 */
export async function declareBatch(ctx: ClearhouseContext, p: DeclareBatchParameters): Promise<DeclareBatchReturnType> {
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...engine(ctx), functionName: "currentCycle", args: [] }));
  const key = batchKey(p.key);
  const header = await anchoredHeader(ctx, batchIdOf(accountAddress(ctx, "declare"), key), p.header);
  return writeContract(ctx, {
    ...engine(ctx),
    functionName: "declare",
    args: [cycleId, key, header, [...p.header.counterparties], [...p.header.totals]],
  });
}

export interface SetCreditLineParameters {
  bank: Address;
  /** Minor units (a bigint, uint128); 0n withdraws the line. */
  limit: bigint;
}
export type SetCreditLineReturnType = WriteResult;

/** Grant or change an intraday credit line (an OPERATOR). */
export async function setCreditLine(
  ctx: ClearhouseContext,
  p: SetCreditLineParameters,
): Promise<SetCreditLineReturnType> {
  const args = [
    requireAddress("bank", p.bank),
    requireAmount("limit", p.limit, { max: UINT128_MAX, typeName: "uint128" }),
  ] as const;
  return writeContract(ctx, { ...engine(ctx), functionName: "setCreditLine", args });
}

export interface FundCreditPoolParameters {
  /** Minor units (a bigint), more than zero. */
  amount: bigint;
}
export type FundCreditPoolReturnType = WriteResult;

/** Add the operator's tokens to the credit pool (it must have approved the engine). */
export async function fundCreditPool(
  ctx: ClearhouseContext,
  p: FundCreditPoolParameters,
): Promise<FundCreditPoolReturnType> {
  const args = [requireAmount("amount", p.amount, { allowZero: false })] as const;
  return writeContract(ctx, { ...engine(ctx), functionName: "fundCreditPool", args });
}

export interface RepayCreditParameters {
  /** Minor units (a bigint), more than zero. */
  amount: bigint;
}
export type RepayCreditReturnType = WriteResult;

/** Repay used credit (the bank must have approved the engine). */
export async function repayCredit(ctx: ClearhouseContext, p: RepayCreditParameters): Promise<RepayCreditReturnType> {
  const args = [requireAmount("amount", p.amount, { allowZero: false })] as const;
  return writeContract(ctx, { ...engine(ctx), functionName: "repayCredit", args });
}

/** One participant's side of a cycle. */
export interface CyclePosition {
  bank: Address;
  /** Positive: paid out; negative: paid in (0 before the close, and for a bank held). */
  net: bigint;
  /** What it owes each other participant in this cycle (incl. obligations carried in). */
  owes: Record<Address, bigint>;
  /** Held at the close: its obligations (both ways) wait in the next cycle. */
  held: boolean;
}

export interface CycleInfo {
  cycleId: bigint;
  status: (typeof CYCLE_STATUS)[number];
  openedAt: number;
  closedAt: number;
  batchCount: number;
  /** Batches declared or carried in and not yet presented at a close (0 once closed). */
  pending: number;
  positions: CyclePosition[];
}

/** One debtor → creditor obligation of a cycle. */
export interface Obligation {
  debtor: Address;
  creditor: Address;
  amount: bigint;
}

/** The obligations a `BatchDeclared` event records: its debtor owes `amounts[k]` to `creditors[k]`. */
export function declaredObligations(args: {
  debtor?: Address;
  creditors?: readonly Address[];
  amounts?: readonly bigint[];
}): Obligation[] {
  const creditors = args.creditors ?? [];
  return creditors.map((creditor, k) => ({ debtor: args.debtor!, creditor, amount: args.amounts![k] }));
}

/**
 * The obligations of a cycle: those of the batches declared into it or presented at its close
 * (`BatchDeclared`), and the live entries of the batches carried in from the previous close. For
 * an open cycle these are its pending batches; for a closed one, everything it netted.
 */
export async function cycleObligations(ctx: ClearhouseContext, p: { cycleId: bigint }): Promise<Obligation[]> {
  const [declared, carried] = await Promise.all([
    cycleEvents(ctx, "BatchDeclared", p.cycleId),
    p.cycleId > 1n ? cycleEvents(ctx, "BatchCarried", p.cycleId - 1n) : Promise.resolve([]),
  ]);
  const out = declared.flatMap((log) => declaredObligations(log.args));
  const declaredIds = new Set(declared.map((log) => (log.args.batchId as Hex).toLowerCase()));
  const carriedMasks = new Map(
    carried
      .filter((log) => !declaredIds.has((log.args.batchId as Hex).toLowerCase()))
      .map((log) => [(log.args.batchId as Hex).toLowerCase(), log.args.creditorMask as bigint]),
  );
  if (carriedMasks.size === 0) return out;
  const e = engine(ctx);
  const origins = await queryLogs(ctx, "getLogs(BatchDeclared)", e.fromBlock, (range) =>
    ctx.publicClient.getContractEvents({
      address: e.address,
      abi: e.abi,
      eventName: "BatchDeclared",
      args: { batchId: [...carriedMasks.keys()] as Hex[] },
      ...range,
    }),
  );
  const obligations = origins.flatMap((log) => {
    const mask = carriedMasks.get((log.args.batchId as Hex).toLowerCase()) ?? 0n;
    return declaredObligations(log.args).map((o) => ({ ...o, mask }));
  });
  const indexes = await ledgerIndexes(
    ctx,
    obligations.map((o) => o.creditor),
  );
  for (const o of obligations) {
    const index = BigInt(indexes.get(getAddress(o.creditor))!);
    if ((o.mask >> index) & 1n) out.push({ debtor: o.debtor, creditor: o.creditor, amount: o.amount });
  }
  return out;
}

export interface GetCycleParameters {
  /** Default: the current cycle. */
  cycleId?: bigint;
}
export type GetCycleReturnType = CycleInfo;

/**
 * A cycle's participants, obligations and (after the close) net positions and held banks, from the
 * engine's events (net positions are emitted at the close, not stored). Participants in the order
 * they first appear.
 */
export async function getCycle(ctx: ClearhouseContext, p: GetCycleParameters = {}): Promise<GetCycleReturnType> {
  const e = engine(ctx);
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...e, functionName: "currentCycle", args: [] }));
  const [cycle, obligations, nets, held] = await Promise.all([
    readContract(ctx, { ...e, functionName: "cycleOf", args: [cycleId] }),
    cycleObligations(ctx, { cycleId }),
    cycleEvents(ctx, "NetPosition", cycleId),
    cycleEvents(ctx, "BankHeld", cycleId),
  ]);
  const byBank = new Map<Address, CyclePosition>();
  const positionOf = (bank: Address): CyclePosition => {
    const k = getAddress(bank);
    let position = byBank.get(k);
    if (!position) {
      position = { bank: k, net: 0n, owes: {}, held: false };
      byBank.set(k, position);
    }
    return position;
  };
  for (const { debtor, creditor, amount } of obligations) {
    const owes = positionOf(debtor).owes;
    positionOf(creditor);
    owes[getAddress(creditor)] = (owes[getAddress(creditor)] ?? 0n) + amount;
  }
  for (const log of nets) {
    const { bank, net } = log.args as { bank: Address; net: bigint };
    positionOf(bank).net = net;
  }
  for (const log of held) positionOf(log.args.bank as Address).held = true;
  return {
    cycleId,
    status: CYCLE_STATUS[cycle.status] ?? "None",
    openedAt: cycle.openedAt,
    closedAt: cycle.closedAt,
    batchCount: cycle.batchCount,
    pending: cycle.status === 2 ? 0 : cycle.pending,
    positions: [...byBank.values()],
  };
}

/** A bank's credit line and the pool that backs all lines. */
export interface CreditInfo {
  limit: bigint;
  used: bigint;
  pool: bigint;
  unusedCredit: bigint;
}

export interface GetCreditParameters {
  bank: Address;
}
export type GetCreditReturnType = CreditInfo;

/** The engine's credit line of `bank` and the pool. */
export async function getCredit(ctx: ClearhouseContext, p: GetCreditParameters): Promise<GetCreditReturnType> {
  const e = engine(ctx);
  const [line, [pool, unusedCredit]] = await Promise.all([
    readContract(ctx, { ...e, functionName: "creditOf", args: [requireAddress("bank", p.bank)] }),
    readContract(ctx, { ...e, functionName: "creditPool", args: [] }),
  ]);
  return { limit: line.limit, used: line.used, pool, unusedCredit };
}

export interface IsBatchSettledParameters {
  batchId: Hex;
  /** Not used: the batch's declaration names its debtor. Kept for callers that pass it. */
  debtor?: Address;
}
export type IsBatchSettledReturnType = boolean;

/**
 * Whether a batch's obligations have all settled: it entered a cycle, and no entry of it is
 * pending or was written off (see `getBatchSettlement`, which says it creditor by creditor).
 */
export async function isBatchSettled(
  ctx: ClearhouseContext,
  p: IsBatchSettledParameters,
): Promise<IsBatchSettledReturnType> {
  const s = await getBatchSettlement(ctx, { batchId: p.batchId });
  return s.declaredIn !== undefined && s.pending.length === 0 && s.writtenOff.length === 0;
}

/** One chunk of a private-mode v2 batch as `declareProvedChunks` takes it (docs/spec/private-batch.md). */
export interface ProvedChunkInput {
  /** The chunk's Poseidon root. */
  root: bigint;
  /** Per bucket: the position of its creditor in the header's counterparties (0 when unused). */
  buckets: readonly [number, number, number, number];
  /** Per bucket: the amount owed to it in the chunk (0 when unused). */
  amounts: readonly [bigint, bigint, bigint, bigint];
  /** The chunk's `private_netting_256` proof as the verifier takes it (8 field elements). */
  proof: readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
}

export interface DeclareProvedChunksParameters {
  /** The batch key (as anchored). */
  key: string;
  header: BatchHeaderFields;
  /** Every chunk of the batch, roots ascending. */
  chunks: readonly ProvedChunkInput[];
  /** Default: the current cycle. */
  cycleId?: bigint;
}

export type DeclareProvedChunksReturnType = WriteResult;

/**
 * The arguments every chunked declaration starts with: the cycle (default: the current one), the
 * key, the anchored header (read back from the ledger), the counterparties and the totals.
 */
export async function chunkDeclarationArgs(
  ctx: ClearhouseContext,
  action: string,
  p: { key: string; header: BatchHeaderFields; cycleId?: bigint },
) {
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...engine(ctx), functionName: "currentCycle", args: [] }));
  const key = batchKey(p.key);
  const header = await anchoredHeader(ctx, batchIdOf(accountAddress(ctx, action), key), p.header);
  return [cycleId, key, header, [...p.header.counterparties], [...p.header.totals]] as const;
}

/** The engine's errors, for decoding what `declareProvedChunks` (run in the engine's delegate) reverts with. */
export const ENGINE_ERRORS = nettingEngineAbi.filter((x) => x.type === "error");

/**
 * Declare a final private-mode v2 batch (decision 034) into a cycle: every chunk's buckets and
 * `private_netting_256` proof in one transaction, at the engine's address (`IPrivateChunks`).
 */
export async function declareProvedChunks(
  ctx: ClearhouseContext,
  p: DeclareProvedChunksParameters,
): Promise<DeclareProvedChunksReturnType> {
  const [cycleId, key, header, counterparties, totals] = await chunkDeclarationArgs(ctx, "declareProvedChunks", p);
  return writeContract(ctx, {
    address: engine(ctx).address,
    abi: [...privateChunksAbi, ...ENGINE_ERRORS],
    functionName: "declareProvedChunks",
    args: [
      cycleId,
      key,
      header,
      counterparties,
      totals,
      p.chunks.map((c) => ({ root: c.root, buckets: c.buckets, amounts: c.amounts, proof: c.proof })),
    ],
  });
}
