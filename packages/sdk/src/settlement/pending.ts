/**
 * The batches of a settlement cycle as the engine sees them (decision 023), rebuilt from its
 * events: those declared into the cycle (`BatchDeclared`) and those carried in from the previous
 * close (`BatchCarried`, checked against the engine's `pendingOf`), each with the creditors whose
 * entries are still live, and everything a close needs to present them again.
 */
import { getAddress, type Address, type Hex } from "viem";
import { readContract, type ClearhouseContext } from "../context";
import { queryLogs } from "../logs";
import { contractOf, deployedSince, type DeployedContract } from "../contracts";
import { DeploymentError } from "../errors/base";
import { nettingEngineAbi } from "@clearhouse/contracts";
import type { LedgerIndex } from "./gridlock";
import { anchoredBatches, ledger, type OnChainHeader } from "./ledger";

/** The engine's address and ABI, and the block its events start at. */
export function engine(ctx: ClearhouseContext): DeployedContract<"NettingEngine"> & { fromBlock: bigint } {
  return { ...contractOf(ctx, "NettingEngine"), fromBlock: deployedSince(ctx, "NettingEngine") };
}

/** What the engine takes for a presented batch (`INettingEngine.Declaration`). */
export interface Declaration {
  bank: Address;
  key: Hex;
  header: OnChainHeader;
  counterparties: Address[];
  totals: bigint[];
}

/** A batch in a cycle: its declaration, id, debtor and which creditors' entries are live in the cycle. */
export interface CycleBatch extends Declaration {
  batchId: Hex;
  /** Creditors (bit i: ledger index i) whose entries are still to settle in this cycle. */
  liveMask: bigint;
}

type EngineEvent = "BatchDeclared" | "NetPosition" | "BatchCarried" | "BankHeld" | "CycleClosed" | "CloseBegun";

/** The engine's events of one kind for one cycle (every cycle event has `cycleId` as its first topic). */
export async function cycleEvents<N extends EngineEvent>(ctx: ClearhouseContext, eventName: N, cycleId: bigint) {
  const e = engine(ctx);
  return queryLogs(ctx, `getLogs(${eventName})`, e.fromBlock, (range) =>
    ctx.publicClient.getContractEvents({
      address: e.address,
      abi: nettingEngineAbi,
      eventName,
      args: { cycleId } as never,
      ...range,
    }),
  );
}

/** The `BatchDeclared` event of each batch in `batchIds` (a batch is declared once). */
async function declaredEvents(ctx: ClearhouseContext, batchIds: readonly Hex[]) {
  if (batchIds.length === 0) return [];
  const e = engine(ctx);
  return queryLogs(ctx, "getLogs(BatchDeclared)", e.fromBlock, (range) =>
    ctx.publicClient.getContractEvents({
      address: e.address,
      abi: nettingEngineAbi,
      eventName: "BatchDeclared",
      args: { batchId: [...batchIds] },
      ...range,
    }),
  );
}

export interface PendingBatchesParameters {
  cycleId: bigint;
}
export type PendingBatchesReturnType = CycleBatch[];

/**
 * The batches pending in `cycleId`: declared into it on chain (or presented to a close in several
 * transactions begun for it), and carried in by the previous cycle's close. A close of the cycle
 * must present every one of them again.
 */
export async function pendingBatches(
  ctx: ClearhouseContext,
  p: PendingBatchesParameters,
): Promise<PendingBatchesReturnType> {
  const e = engine(ctx);
  const [declared, carried] = await Promise.all([
    cycleEvents(ctx, "BatchDeclared", p.cycleId),
    p.cycleId > 1n ? cycleEvents(ctx, "BatchCarried", p.cycleId - 1n) : Promise.resolve([]),
  ]);
  const candidates = [
    ...new Set([...declared, ...carried].map((log) => (log.args.batchId as Hex).toLowerCase() as Hex)),
  ];
  // The engine's word is authoritative (a restarted close's earlier carries are void).
  const masks = await Promise.all(
    candidates.map((id) => readContract(ctx, { ...e, functionName: "pendingOf", args: [p.cycleId, id] })),
  );
  const live = new Map(candidates.map((id, k) => [id, masks[k]]));
  const ids = candidates.filter((id) => live.get(id) !== 0n);
  const [origins, anchored] = await Promise.all([declaredEvents(ctx, ids), anchoredBatches(ctx, ids)]);
  const byId = new Map(origins.map((log) => [(log.args.batchId as Hex).toLowerCase(), log.args]));
  return ids.map((id) => {
    const origin = byId.get(id);
    const a = anchored.get(id);
    if (!origin || !a) throw new DeploymentError(`batch ${id} is pending but its events were not found`);
    return {
      batchId: a.batchId,
      bank: getAddress(a.submitter),
      key: a.key,
      header: a.header,
      counterparties: [...(origin.creditors ?? [])].map((c) => getAddress(c)),
      totals: [...(origin.amounts ?? [])],
      liveMask: live.get(id)!,
    };
  });
}

/** Ledger indexes of `banks` (one read per distinct bank). */
export async function ledgerIndexes(
  ctx: ClearhouseContext,
  banks: readonly Address[],
): Promise<Map<Address, LedgerIndex>> {
  const distinct = [...new Set(banks.map((b) => getAddress(b)))];
  const l = ledger(ctx);
  const found = await Promise.all(
    distinct.map((bank) => readContract(ctx, { ...l, functionName: "bankOf", args: [bank] })),
  );
  return new Map(distinct.map((bank, k) => [bank, found[k][0]]));
}
