/**
 * Reconciliation of a settlement cycle: the banks' off-chain payment records against what the
 * chain holds — declared obligations per (debtor, creditor), batches declared, and after the close
 * every net position against a recomputation from the obligations that settled (those between
 * banks not held at the close).
 */
import { getAddress, type Address, type Hex } from "viem";
import { ensureNetwork, readContract, type ClearhouseContext } from "../context";
import { contractOf } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { cycleObligations, declaredObligations } from "./netting";
import { cycleEvents } from "./pending";
import type { PaymentRecord } from "./record";

/** One batch as its bank holds it: who anchored it, its id, its records. */
export interface ReconcileBatch {
  batchId: Hex;
  records: readonly PaymentRecord[];
}

export interface Mismatch {
  kind: "obligation" | "undeclared-batch" | "net-position";
  debtor?: Address;
  creditor?: Address;
  bank?: Address;
  batchId?: Hex;
  offChain: bigint;
  onChain: bigint;
  /** The transaction that put the on-chain figure there, when there is one. */
  transaction?: Hex;
}

export interface ReconcileReport {
  cycleId: bigint;
  ok: boolean;
  pairs: number;
  batches: number;
  mismatches: Mismatch[];
}

const pairKey = (d: Address, c: Address) => `${getAddress(d)}>${getAddress(c)}`;

export interface ReconcileParameters {
  cycleId: bigint;
  /** The records behind everything declared in the cycle, batch by batch. */
  batches: readonly ReconcileBatch[];
}
export type ReconcileReturnType = ReconcileReport;

/** Compare `batches` (the records behind everything declared in `cycleId`) with the chain. */
export async function reconcile(ctx: ClearhouseContext, p: ReconcileParameters): Promise<ReconcileReport> {
  const engine = contractOf(ctx, "NettingEngine");
  await ensureNetwork(ctx);
  const cycle = await readContract(ctx, {
    ...engine,
    functionName: "cycleOf",
    args: [p.cycleId],
  });
  if (cycle.status === 0) throw new InvalidArgumentError("cycleId", `cycle ${p.cycleId} was never opened`);
  const [declared, all, held, positions] = await Promise.all([
    cycleEvents(ctx, "BatchDeclared", p.cycleId),
    cycleObligations(ctx, { cycleId: p.cycleId }),
    cycleEvents(ctx, "BankHeld", p.cycleId),
    cycleEvents(ctx, "NetPosition", p.cycleId),
  ]);
  const mismatches: Mismatch[] = [];
  // 1. Every batch must have been declared in this cycle.
  const declaredIds = new Map(
    declared.map((e) => [(e.args as { batchId: Hex }).batchId.toLowerCase(), e.transactionHash]),
  );
  for (const b of p.batches) {
    if (!declaredIds.has(b.batchId.toLowerCase())) {
      const gross = b.records.reduce((s, r) => s + r.amount, 0n);
      mismatches.push({ kind: "undeclared-batch", batchId: b.batchId, offChain: gross, onChain: 0n });
    }
  }
  // 2. Per (debtor, creditor): the records' sums against the declared obligations.
  const offChain = new Map<string, bigint>();
  for (const b of p.batches) {
    for (const r of b.records) {
      const k = pairKey(r.debtorBank, r.creditorBank);
      offChain.set(k, (offChain.get(k) ?? 0n) + r.amount);
    }
  }
  const onChain = new Map<string, { amount: bigint; tx: Hex }>();
  for (const e of declared) {
    for (const a of declaredObligations(e.args)) {
      const k = pairKey(a.debtor, a.creditor);
      onChain.set(k, { amount: (onChain.get(k)?.amount ?? 0n) + a.amount, tx: e.transactionHash });
    }
  }
  for (const k of new Set([...offChain.keys(), ...onChain.keys()])) {
    const off = offChain.get(k) ?? 0n;
    const on = onChain.get(k)?.amount ?? 0n;
    if (off !== on) {
      const [debtor, creditor] = k.split(">") as [Address, Address];
      mismatches.push({
        kind: "obligation",
        debtor,
        creditor,
        offChain: off,
        onChain: on,
        transaction: onChain.get(k)?.tx,
      });
    }
  }
  // 3. After the close: each net position against the obligations that settled (declared and
  //    carried in, less those of a bank held at the close: they wait in the next cycle).
  if (positions.length > 0) {
    const heldBanks = new Set(held.map((e) => getAddress(e.args.bank as Address)));
    const net = new Map<Address, bigint>();
    const apply = (debtor: Address, creditor: Address, amount: bigint) => {
      net.set(getAddress(debtor), (net.get(getAddress(debtor)) ?? 0n) - amount);
      net.set(getAddress(creditor), (net.get(getAddress(creditor)) ?? 0n) + amount);
    };
    for (const a of all) {
      if (heldBanks.has(getAddress(a.debtor)) || heldBanks.has(getAddress(a.creditor))) continue;
      apply(a.debtor, a.creditor, a.amount);
    }
    for (const e of positions) {
      const a = e.args as { bank: Address; net: bigint };
      const expected = net.get(getAddress(a.bank)) ?? 0n;
      if (expected !== a.net) {
        mismatches.push({
          kind: "net-position",
          bank: getAddress(a.bank),
          offChain: expected,
          onChain: a.net,
          transaction: e.transactionHash,
        });
      }
    }
  }
  return {
    cycleId: p.cycleId,
    ok: mismatches.length === 0,
    pairs: offChain.size,
    batches: p.batches.length,
    mismatches,
  };
}
