/**
 * Closing a settlement cycle (decision 023): present every pending batch and any new final ones,
 * in one transaction when it fits the deployment's gas budget, otherwise in several
 * (`beginClose` with the banks the gridlock rule holds, `closeStep`s within the budget,
 * `finishClose`), restarting with a bank held if its capacity changed before the finish.
 */
import { getAddress, type Address, type Hex } from "viem";
import { readContract, simulateContract, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { ContractRevertError } from "../errors/revert";
import { consortiumRegistryAbi, settlementTokenAbi } from "@clearhouse/contracts";
import { Role } from "../registry/roles";
import { requireAddress } from "../validate";
import { batchIdOf } from "./batch";
import { holdByRule, maskOf, type Entry, type LedgerIndex, type RuleOutcome } from "./gridlock";
import { anchoredBatches, anchoredHeader, batchKey, type BatchHeaderFields } from "./ledger";
import { cycleEvents, engine, ledgerIndexes, pendingBatches, type CycleBatch, type Declaration } from "./pending";

/** The gas a single close transaction may use unless the caller says otherwise (half a 30M block). */
export const DEFAULT_CLOSE_GAS_BUDGET = 15_000_000n;

/** A final standard-mode batch the operator presents when closing a cycle (from the bank's batch file). */
export interface PresentedBatch {
  /** The bank that anchored it. */
  bank: Address;
  key: string;
  header: BatchHeaderFields;
}

/** How a close went: the last transaction (hash, block), the gas of all of them, what was held. */
export interface CloseResult extends WriteResult {
  cycleId: bigint;
  /** Every transaction of the close, in order (one for a close in one transaction). */
  transactions: WriteResult[];
  /** Banks held (their obligations wait in the next cycle), by the rule's order. */
  held: Address[];
}

/** Progress of a close in several transactions. */
export interface CloseProgress {
  phase: "begin" | "step" | "finish" | "restart";
  /** Batches presented so far in this session, of `total`. */
  presented: number;
  total: number;
}

/** The capacity the engine will see of each bank: inactive, or funds it can pay in plus unused credit. */
export async function capacitiesOf(
  ctx: ClearhouseContext,
  banks: readonly Address[],
): Promise<Map<Address, { inactive: boolean; capacity: bigint }>> {
  const e = engine(ctx);
  const registry = { address: ctx.deployment.contracts.ConsortiumRegistry.proxy, abi: consortiumRegistryAbi };
  const token = { address: ctx.deployment.contracts.SettlementToken.proxy, abi: settlementTokenAbi };
  const out = new Map<Address, { inactive: boolean; capacity: bigint }>();
  await Promise.all(
    banks.map(async (bank) => {
      let limits: readonly [number, bigint, bigint];
      try {
        limits = await readContract(ctx, {
          ...registry,
          functionName: "requireActive",
          args: [bank, Role.MEMBER_BANK],
        });
      } catch (error) {
        if (error instanceof ContractRevertError) {
          out.set(bank, { inactive: true, capacity: 0n });
          return;
        }
        throw error;
      }
      const [, single, daily] = limits;
      const [[balance, allowance, spent], line] = await Promise.all([
        readContract(ctx, { ...token, functionName: "fundsOf", args: [bank, e.address] }),
        readContract(ctx, { ...e, functionName: "creditOf", args: [bank] }),
      ]);
      const left = daily > spent ? daily - spent : 0n;
      const funds = [balance, allowance, single, left].reduce((a, b) => (a < b ? a : b));
      const unused = line.limit > line.used ? line.limit - line.used : 0n;
      out.set(bank, { inactive: false, capacity: funds + unused });
    }),
  );
  return out;
}

/** The argument of `planClose` after the context: the batches the close would present. */
export type PlanCloseParameters = readonly CycleBatch[];
/** The rule's outcome by ledger index, and which bank holds each index. */
export type PlanCloseReturnType = RuleOutcome & { bankAt: Map<LedgerIndex, Address> };

/** What the gridlock rule would hold if `batches` closed now (read from the chain's current state). */
export async function planClose(ctx: ClearhouseContext, batches: PlanCloseParameters): Promise<PlanCloseReturnType> {
  const indexes = await ledgerIndexes(
    ctx,
    batches.flatMap((b) => [b.bank, ...b.counterparties]),
  );
  const bankAt = new Map([...indexes].map(([bank, i]) => [i, bank]));
  const entries: Entry[] = [];
  for (const b of batches) {
    const debtor = indexes.get(getAddress(b.bank))!;
    b.counterparties.forEach((c, k) => {
      const creditor = indexes.get(getAddress(c))!;
      if (((b.liveMask >> BigInt(creditor)) & 1n) === 1n) entries.push({ debtor, creditor, amount: b.totals[k] });
    });
  }
  const caps = await capacitiesOf(ctx, [...indexes.keys()]);
  const inactive = new Set([...indexes].filter(([bank]) => caps.get(bank)!.inactive).map(([, i]) => i));
  const capacity = new Map([...indexes].map(([bank, i]) => [i, caps.get(bank)!.capacity]));
  return { ...holdByRule(entries, inactive, capacity), bankAt };
}

/** Every batch a close of `cycleId` must present (pending ones) plus `batches` (new final ones). */
async function batchesToPresent(
  ctx: ClearhouseContext,
  cycleId: bigint,
  batches: readonly PresentedBatch[],
): Promise<CycleBatch[]> {
  const pending = await pendingBatches(ctx, { cycleId });
  const seen = new Set(pending.map((b) => b.batchId.toLowerCase()));
  const ids = batches.map((b, i) => batchIdOf(requireAddress(`batches[${i}].bank`, b.bank), batchKey(b.key)));
  const anchored = await anchoredBatches(ctx, ids);
  const fresh: CycleBatch[] = [];
  for (const [i, b] of batches.entries()) {
    if (seen.has(ids[i].toLowerCase())) continue;
    seen.add(ids[i].toLowerCase());
    const header = await anchoredHeader(ctx, ids[i], b.header, anchored.get(ids[i].toLowerCase() as Hex));
    fresh.push({
      batchId: ids[i],
      bank: getAddress(b.bank),
      key: batchKey(b.key),
      header,
      counterparties: [...b.header.counterparties],
      totals: [...b.header.totals],
      liveMask: BigInt(header.counterpartyMask),
    });
  }
  return [...pending, ...fresh];
}

const declarationOf = (b: CycleBatch): Declaration => ({
  bank: b.bank,
  key: b.key,
  header: b.header,
  counterparties: b.counterparties,
  totals: b.totals,
});

export interface CloseCycleParameters {
  /** Default: the current cycle. */
  cycleId?: bigint;
  /** Final batches not yet in a cycle, from the banks' batch files (pending ones are found on chain). */
  batches?: readonly PresentedBatch[];
  /** Open the next cycle in the last transaction. */
  openNext?: boolean;
  /** Gas one transaction may use (default: the deployment's `closeGasBudget`, else 15M). */
  gasBudget?: bigint;
  /** Called as a close in several transactions progresses. */
  onProgress?: (progress: CloseProgress) => void;
}
export type CloseCycleReturnType = CloseResult;

/**
 * Close the open cycle (an OPERATOR): every batch pending in it, plus `batches` (final batches not
 * yet in a cycle, from the banks' batch files). In one transaction when its gas fits `gasBudget`
 * (else the deployment's `closeGasBudget`, else 15M), otherwise in several (see the module comment). With `openNext`, the next cycle
 * opens in the last transaction.
 */
export async function closeCycle(ctx: ClearhouseContext, p: CloseCycleParameters = {}): Promise<CloseCycleReturnType> {
  const e = engine(ctx);
  const cycleId = p.cycleId ?? (await readContract(ctx, { ...e, functionName: "currentCycle", args: [] }));
  const fromDeployment = ctx.deployment.closeGasBudget;
  const budget = p.gasBudget ?? (fromDeployment ? BigInt(fromDeployment) : DEFAULT_CLOSE_GAS_BUDGET);
  const all = await batchesToPresent(ctx, cycleId, p.batches ?? []);
  const declarations = all.map(declarationOf);
  const openNext = p.openNext ?? false;
  // A close in several transactions already under way (e.g. interrupted) is begun again.
  const { status } = await readContract(ctx, { ...e, functionName: "cycleOf", args: [cycleId] });
  if (status === CLOSING) {
    return closeInSteps(ctx, { cycleId, batches: all, openNext, budget, onProgress: p.onProgress });
  }
  // Estimate only what can fit: a node asked to estimate a far bigger transaction does the whole
  // work (and an in-process one keeps its trace), for an answer known in advance.
  const entries = all.reduce((n, b) => n + b.counterparties.length, 0);
  const gas =
    BigInt(entries) * GAS_PER_ENTRY > budget
      ? undefined
      : await estimate(ctx, "closeCycleWith", [cycleId, declarations, openNext]);
  if (gas !== undefined && gas <= budget) {
    const tx = await writeContract(ctx, {
      ...e,
      functionName: "closeCycleWith",
      args: [cycleId, declarations, openNext],
    });
    return { ...tx, cycleId, transactions: [tx], held: await heldBanks(ctx, cycleId) };
  }
  return closeInSteps(ctx, { cycleId, batches: all, openNext, budget, onProgress: p.onProgress });
}

export interface CloseCycleWithParameters {
  cycleId?: bigint;
  batches: readonly PresentedBatch[];
  openNext?: boolean;
  gasBudget?: bigint;
}
export type CloseCycleWithReturnType = CloseResult;

/**
 * Close the open cycle presenting `batches` (with every pending batch): `closeCycle` with batches,
 * kept under the name the daily routine has always used.
 */
export function closeCycleWith(ctx: ClearhouseContext, p: CloseCycleWithParameters): Promise<CloseCycleWithReturnType> {
  return closeCycle(ctx, p);
}

/** The gas a call would use, or undefined if it cannot be estimated for lack of gas (too big). */
async function estimate(
  ctx: ClearhouseContext,
  functionName: "closeCycleWith" | "closeStep",
  args: readonly unknown[],
): Promise<bigint | undefined> {
  const e = engine(ctx);
  try {
    const est = ctx.publicClient.estimateContractGas as (p: unknown) => Promise<bigint>;
    return await est({ address: e.address, abi: e.abi, functionName, args, account: ctx.walletClient?.account });
  } catch (error) {
    // A refusal (a custom error) is the caller's to see; anything else here is the gas cap.
    const message = error instanceof Error ? error.message : String(error);
    if (/out of gas|gas required exceeds|exceeds block gas limit|intrinsic gas too high/i.test(message)) {
      return undefined;
    }
    // Simulate to decode the refusal (nothing is sent); if it passes, the estimate's failure was gas.
    await simulateContract(ctx, { ...e, functionName, args } as never);
    return undefined;
  }
}

/** The banks held at the close of `cycleId` (its BankHeld events). */
async function heldBanks(ctx: ClearhouseContext, cycleId: bigint): Promise<Address[]> {
  const logs = await cycleEvents(ctx, "BankHeld", cycleId);
  return logs.map((log) => getAddress(log.args.bank as Address));
}

/**
 * What presenting one entry costs, about (measured: 6.9k gas an entry at 32 and 64 dense banks,
 * the batches' checks and the settlement included): used to size steps before estimating them.
 */
const GAS_PER_ENTRY = 7_000n;

/** The most batches from `from` whose entries should fit `budget`, at least 1. */
function stepSize(batches: readonly CycleBatch[], from: number, budget: bigint): number {
  let gas = 0n;
  let size = 0;
  for (let k = from; k < batches.length; k++) {
    gas += BigInt(batches[k].counterparties.length + 1) * GAS_PER_ENTRY;
    if (gas > (budget * 4n) / 5n && size > 0) break;
    size += 1;
  }
  return Math.max(1, size);
}

/** At most this many restarts when a bank's capacity changes between the plan and the finish. */
const MAX_RESTARTS = 8;
/** CycleStatus.Closing. */
const CLOSING = 3;

async function closeInSteps(
  ctx: ClearhouseContext,
  p: {
    cycleId: bigint;
    batches: CycleBatch[];
    openNext: boolean;
    budget: bigint;
    onProgress?: (progress: CloseProgress) => void;
  },
): Promise<CloseResult> {
  const e = engine(ctx);
  const transactions: WriteResult[] = [];
  const plan = await planClose(ctx, p.batches);
  let held = plan.heldMask;
  const total = p.batches.length;
  for (let attempt = 0; ; attempt++) {
    p.onProgress?.({ phase: attempt === 0 ? "begin" : "restart", presented: 0, total });
    transactions.push(await writeContract(ctx, { ...e, functionName: "beginClose", args: [p.cycleId, held] }));
    let presented = 0;
    while (presented < total) {
      let size = stepSize(p.batches, presented, p.budget);
      for (;;) {
        const chunk = p.batches.slice(presented, presented + size).map(declarationOf);
        const gas = await estimate(ctx, "closeStep", [p.cycleId, chunk]);
        if ((gas !== undefined && gas <= p.budget) || size === 1) break;
        size = Math.max(1, Math.floor(size / 2));
      }
      const chunk = p.batches.slice(presented, presented + size).map(declarationOf);
      transactions.push(await writeContract(ctx, { ...e, functionName: "closeStep", args: [p.cycleId, chunk] }));
      presented += size;
      p.onProgress?.({ phase: "step", presented, total });
    }
    p.onProgress?.({ phase: "finish", presented, total });
    try {
      const tx = await writeContract(ctx, { ...e, functionName: "finishClose", args: [p.cycleId, p.openNext] });
      transactions.push(tx);
      const gasUsed = transactions.reduce((s, t) => s + t.gasUsed, 0n);
      return { ...tx, gasUsed, cycleId: p.cycleId, transactions, held: await heldBanks(ctx, p.cycleId) };
    } catch (error) {
      const name = error instanceof ContractRevertError ? error.errorName : undefined;
      if ((name !== "NettingNotCovered" && name !== "NettingMustHold") || attempt >= MAX_RESTARTS) throw error;
      // A bank's capacity changed since the plan: plan again from now and hold it too.
      const bank = getAddress((error as ContractRevertError).revert.args[1] as Address);
      const again = await planClose(ctx, p.batches);
      const index = [...again.bankAt].find(([, b]) => b === bank)?.[0];
      held = again.heldMask | (index === undefined ? 0n : maskOf([index]));
    }
  }
}
