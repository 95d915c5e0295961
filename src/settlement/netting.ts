/**
 * SDK for NettingEngine: settlement cycles (open, declare batches, close), credit lines and the
 * clearing pool, a cycle's state.
 */
import { getAddress, parseEventLogs, type Address, type Hex } from "viem";
import { accountAddress, readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { DeploymentError } from "../errors/base";
import { nettingEngineAbi } from "../generated/abis";
import { UINT128_MAX, requireAddress, requireAmount, requireBytes32, type IntegerLike } from "../validate";
import { batchIdOf } from "./batch";
import { anchoredBatches, anchoredHeader, batchKey, type BatchHeaderFields } from "./ledger";

function engine(ctx: ClearhouseContext) {
  const d = ctx.deployment.contracts.NettingEngine;
  if (!d) throw new DeploymentError("this deployment has no NettingEngine", "Deploy the settlement layer first.");
  return { address: d.proxy, abi: nettingEngineAbi };
}

const CYCLE_STATUS = ["None", "Open", "Closed"] as const;

/**
 * Declare a final private-mode chunk into a cycle with its `batch_netting_16` proof (see
 * src/zk/chunk.ts); the engine checks the proof through the VerifierRegistry.
 */
export async function declareProvedBatch(
  ctx: ClearhouseContext,
  p: {
    key: string;
    header: BatchHeaderFields;
    proof: readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    cycleId?: bigint;
  },
): Promise<WriteResult> {
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...engine(ctx), functionName: "currentCycle", args: [] }));
  const key = batchKey(p.key);
  const header = await anchoredHeader(ctx, batchIdOf(accountAddress(ctx, "declareProved"), key), p.header);
  return writeContract(ctx, {
    ...engine(ctx),
    functionName: "declareProved",
    args: [cycleId, key, header, [...p.header.counterparties], [...p.header.totals], p.proof],
  });
}

/** Open the next settlement cycle (an OPERATOR); returns its id. */
export async function openCycle(ctx: ClearhouseContext): Promise<{ cycleId: bigint; tx: WriteResult }> {
  const tx = await writeContract(ctx, { ...engine(ctx), functionName: "openCycle", args: [] });
  // The id comes from this transaction's CycleOpened event, not from a later read that another
  // operator's transaction could have moved on.
  const receipt = await rpc(ctx, "eth_getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  const [opened] = parseEventLogs({ abi: nettingEngineAbi, eventName: "CycleOpened", logs: receipt.logs });
  return { cycleId: opened.args.cycleId, tx };
}

/**
 * Declare the signing bank's final, anchored batch into the open cycle: its per-counterparty totals
 * become obligations. The header must be the anchored one (the engine checks it with the ledger).
 */
export async function declareBatch(
  ctx: ClearhouseContext,
  p: { key: string; header: BatchHeaderFields; cycleId?: bigint },
): Promise<WriteResult> {
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...engine(ctx), functionName: "currentCycle", args: [] }));
  const key = batchKey(p.key);
  const header = await anchoredHeader(ctx, batchIdOf(accountAddress(ctx, "declare"), key), p.header);
  return writeContract(ctx, {
    ...engine(ctx),
    functionName: "declare",
    args: [cycleId, key, header, [...p.header.counterparties], [...p.header.totals]],
  });
}

/** Net, resolve gridlock and settle the open cycle (an OPERATOR). */
export async function closeCycle(ctx: ClearhouseContext, p: { cycleId?: bigint } = {}): Promise<WriteResult> {
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...engine(ctx), functionName: "currentCycle", args: [] }));
  return writeContract(ctx, { ...engine(ctx), functionName: "closeCycle", args: [cycleId] });
}

/** A final standard-mode batch the operator presents when closing a cycle (from the bank's batch file). */
export interface PresentedBatch {
  /** The bank that anchored it. */
  bank: Address;
  key: string;
  header: BatchHeaderFields;
}

/**
 * Close the open cycle with `batches` presented by the operator instead of declared by each bank:
 * the engine checks each exactly as `declareBatch` would (anchored, final, netted once, totals
 * matching the commitment), nets them with what was declared on chain and settles. With
 * `openNext`, the next cycle opens in the same transaction (the cheapest daily routine). An
 * OPERATOR. Private-mode chunks cannot be presented: they need `declareProvedBatch`.
 */
export async function closeCycleWith(
  ctx: ClearhouseContext,
  p: { cycleId?: bigint; batches: readonly PresentedBatch[]; openNext?: boolean },
): Promise<WriteResult> {
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...engine(ctx), functionName: "currentCycle", args: [] }));
  const ids = p.batches.map((b, i) => batchIdOf(requireAddress(`batches[${i}].bank`, b.bank), batchKey(b.key)));
  // The window ends the batches were anchored with, in one query.
  const anchored = await anchoredBatches(ctx, ids);
  const declarations = await Promise.all(
    p.batches.map(async (b, i) => ({
      bank: getAddress(b.bank),
      key: batchKey(b.key),
      header: await anchoredHeader(ctx, ids[i], b.header, anchored.get(ids[i].toLowerCase() as Hex)),
      counterparties: [...b.header.counterparties],
      totals: [...b.header.totals],
    })),
  );
  return writeContract(ctx, {
    ...engine(ctx),
    functionName: "closeCycleWith",
    args: [cycleId, declarations, p.openNext ?? false],
  });
}

/** Grant or change an intraday credit line (an OPERATOR). */
export async function setCreditLine(
  ctx: ClearhouseContext,
  p: { bank: Address; limit: IntegerLike },
): Promise<WriteResult> {
  const args = [
    requireAddress("bank", p.bank),
    requireAmount("limit", p.limit, { max: UINT128_MAX, typeName: "uint128" }),
  ] as const;
  return writeContract(ctx, { ...engine(ctx), functionName: "setCreditLine", args });
}

/** Add the operator's tokens to the credit pool (it must have approved the engine). */
export async function fundCreditPool(ctx: ClearhouseContext, p: { amount: IntegerLike }): Promise<WriteResult> {
  const args = [requireAmount("amount", p.amount, { allowZero: false })] as const;
  return writeContract(ctx, { ...engine(ctx), functionName: "fundCreditPool", args });
}

/** Repay used credit (the bank must have approved the engine). */
export async function repayCredit(ctx: ClearhouseContext, p: { amount: IntegerLike }): Promise<WriteResult> {
  const args = [requireAmount("amount", p.amount, { allowZero: false })] as const;
  return writeContract(ctx, { ...engine(ctx), functionName: "repayCredit", args });
}

/** One participant's side of a cycle. */
export interface CyclePosition {
  bank: Address;
  /** Positive: paid out; negative: paid in (0 before the close). */
  net: bigint;
  /** What it owes each other participant in this cycle (incl. obligations carried in). */
  owes: Record<Address, bigint>;
}

export interface CycleInfo {
  cycleId: bigint;
  status: (typeof CYCLE_STATUS)[number];
  openedAt: number;
  closedAt: number;
  batchCount: number;
  positions: CyclePosition[];
}

/** The engine's events of one kind for one cycle (every cycle event has `cycleId` as its first topic). */
export async function cycleEvents<N extends "ObligationDeferred" | "BatchDeclared" | "NetPosition">(
  ctx: ClearhouseContext,
  eventName: N,
  cycleId: bigint,
) {
  const e = engine(ctx);
  return rpc(ctx, `getLogs(${eventName})`, () =>
    ctx.publicClient.getContractEvents({
      address: e.address,
      abi: nettingEngineAbi,
      eventName,
      args: { cycleId } as never,
      fromBlock: BigInt(ctx.deployment.contracts.NettingEngine!.blockNumber),
    }),
  );
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
 * A cycle's participants, obligations and (after the close) net positions, from the engine's events:
 * obligations declared on chain or presented at close (`BatchDeclared`), those carried in from
 * the previous cycle (`ObligationDeferred`), and the net positions (`NetPosition`, emitted at close
 * and not stored). Participants are listed in the order they joined.
 */
export async function getCycle(ctx: ClearhouseContext, p: { cycleId?: bigint } = {}): Promise<CycleInfo> {
  const e = engine(ctx);
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...e, functionName: "currentCycle", args: [] }));
  const [cycle, carried, added, nets] = await Promise.all([
    readContract(ctx, { ...e, functionName: "cycleOf", args: [cycleId] }),
    cycleId > 1n ? cycleEvents(ctx, "ObligationDeferred", cycleId - 1n) : Promise.resolve([]),
    cycleEvents(ctx, "BatchDeclared", cycleId),
    cycleEvents(ctx, "NetPosition", cycleId),
  ]);
  const byBank = new Map<Address, CyclePosition>();
  const positionOf = (bank: Address): CyclePosition => {
    const key = getAddress(bank);
    let position = byBank.get(key);
    if (!position) {
      position = { bank: key, net: 0n, owes: {} };
      byBank.set(key, position);
    }
    return position;
  };
  const obligations = [
    ...carried.map((log) => log.args as Obligation),
    ...added.flatMap((log) => declaredObligations(log.args)),
  ];
  for (const { debtor, creditor, amount } of obligations) {
    const owes = positionOf(debtor).owes;
    positionOf(creditor);
    owes[getAddress(creditor)] = (owes[getAddress(creditor)] ?? 0n) + amount;
  }
  for (const log of nets) {
    const { bank, net } = log.args as { bank: Address; net: bigint };
    positionOf(bank).net = net;
  }
  return {
    cycleId,
    status: CYCLE_STATUS[cycle.status] ?? "None",
    openedAt: cycle.openedAt,
    closedAt: cycle.closedAt,
    batchCount: cycle.batchCount,
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

/** The engine's credit line of `bank` and the pool. */
export async function getCredit(ctx: ClearhouseContext, p: { bank: Address }): Promise<CreditInfo> {
  const e = engine(ctx);
  const [line, [pool, unusedCredit]] = await Promise.all([
    readContract(ctx, { ...e, functionName: "creditOf", args: [requireAddress("bank", p.bank)] }),
    readContract(ctx, { ...e, functionName: "creditPool", args: [] }),
  ]);
  return { limit: line.limit, used: line.used, pool, unusedCredit };
}

/**
 * Whether a batch's obligations have settled: declared in a cycle that is closed, with none of its
 * debtor's obligations deferred out of that cycle (a deferred debtor settles in a later cycle).
 */
export async function isBatchSettled(ctx: ClearhouseContext, p: { batchId: Hex; debtor: Address }): Promise<boolean> {
  const e = engine(ctx);
  const [declared] = await rpc(ctx, "getLogs(BatchDeclared)", () =>
    ctx.publicClient.getContractEvents({
      address: e.address,
      abi: nettingEngineAbi,
      eventName: "BatchDeclared",
      args: { batchId: requireBytes32("batchId", p.batchId) },
      fromBlock: BigInt(ctx.deployment.contracts.NettingEngine!.blockNumber),
    }),
  );
  if (!declared) return false;
  const cycleId = declared.args.cycleId!;
  const cycle = await readContract(ctx, { ...e, functionName: "cycleOf", args: [cycleId] });
  if (cycle.status !== 2) return false;
  const deferred = await rpc(ctx, "getLogs(ObligationDeferred)", () =>
    ctx.publicClient.getContractEvents({
      address: e.address,
      abi: nettingEngineAbi,
      eventName: "ObligationDeferred",
      args: { cycleId, debtor: requireAddress("debtor", p.debtor) },
      fromBlock: BigInt(ctx.deployment.contracts.NettingEngine!.blockNumber),
    }),
  );
  return deferred.length === 0;
}
