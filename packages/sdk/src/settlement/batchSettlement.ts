/**
 * Where a batch's obligations stand in the netting engine, creditor by creditor: settled by a
 * close, still pending (carried from cycle to cycle while a bank is held, decision 023), or
 * written off by governance. What a pacs.002 status report needs to follow each payment to its
 * settlement.
 */
import { getAddress, type Address, type Hex } from "viem";
import { readContract, type ClearhouseContext } from "../context";
import { queryLogs } from "../logs";
import { nettingEngineAbi } from "@clearhouse/contracts";
import { requireBytes32 } from "../validate";
import { engine, ledgerIndexes } from "./pending";

/** Cycle status `Closed` in `INettingEngine.CycleStatus`. */
const CLOSED = 2;

/** A batch's obligations, creditor by creditor. */
export interface BatchSettlement {
  batchId: Hex;
  /** The cycle the batch was declared into; undefined while it is in no cycle. */
  declaredIn?: bigint;
  /** The batch's creditors (from its declaration; empty while it is in no cycle). */
  creditors: Address[];
  /** Creditors whose entries settled in a close. */
  settled: Address[];
  /** Creditors whose entries still wait, in cycle `pendingIn` (all of them until the first close). */
  pending: Address[];
  /** The cycle the pending entries wait in (declared into it, or carried into it by a close). */
  pendingIn?: bigint;
  /** Creditors whose entries governance wrote off (`writeOff`): they never settle. */
  writtenOff: Address[];
  /** The cycle of the write-off. */
  writtenOffIn?: bigint;
}

export interface GetBatchSettlementParameters {
  batchId: Hex;
}
export type GetBatchSettlementReturnType = BatchSettlement;

/**
 * Where the obligations of batch `batchId` stand. Cycles close in order, so what still waits of a
 * batch is what the engine has pending for it in the first cycle not closed (the current one, or
 * the next if the current is closed): an entry settled in every close that did not carry it. A
 * write-off (`PendingWrittenOff`) ends what was pending without settling it.
 */
export async function getBatchSettlement(
  ctx: ClearhouseContext,
  p: GetBatchSettlementParameters,
): Promise<GetBatchSettlementReturnType> {
  const e = engine(ctx);
  const batchId = requireBytes32("batchId", p.batchId);
  const filter = { address: e.address, abi: nettingEngineAbi, args: { batchId } } as const;
  const [[declared], writeOffs] = await Promise.all([
    queryLogs(ctx, "getLogs(BatchDeclared)", e.fromBlock, (range) =>
      ctx.publicClient.getContractEvents({ ...filter, eventName: "BatchDeclared", ...range }),
    ),
    queryLogs(ctx, "getLogs(PendingWrittenOff)", e.fromBlock, (range) =>
      ctx.publicClient.getContractEvents({ ...filter, eventName: "PendingWrittenOff", ...range }),
    ),
  ]);
  if (!declared) return { batchId, creditors: [], settled: [], pending: [], writtenOff: [] };
  const declaredIn = declared.args.cycleId!;
  const creditors = [...(declared.args.creditors ?? [])].map((c) => getAddress(c));
  const current = await readContract(ctx, { ...e, functionName: "currentCycle", args: [] });
  const cycle = await readContract(ctx, { ...e, functionName: "cycleOf", args: [current] });
  // The first cycle not closed: the batch's entries still to settle are pending there.
  const open = cycle.status === CLOSED ? current + 1n : current;
  const mask = await readContract(ctx, { ...e, functionName: "pendingOf", args: [open, batchId] });
  const [writeOff] = writeOffs;
  const writtenMask = writeOff?.args.creditorMask ?? 0n;
  const indexes = await ledgerIndexes(ctx, creditors);
  const inMask = (m: bigint, creditor: Address) => (m >> BigInt(indexes.get(creditor)!)) & 1n;
  const pending = creditors.filter((c) => inMask(mask, c) === 1n);
  const writtenOff = creditors.filter((c) => inMask(writtenMask, c) === 1n && !pending.includes(c));
  const settled = creditors.filter((c) => !pending.includes(c) && !writtenOff.includes(c));
  return {
    batchId,
    declaredIn,
    creditors,
    settled,
    pending,
    ...(pending.length === 0 ? {} : { pendingIn: open }),
    writtenOff,
    ...(writtenOff.length === 0 ? {} : { writtenOffIn: writeOff!.args.cycleId! }),
  };
}
