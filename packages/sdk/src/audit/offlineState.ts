/** What the audit reads of the OfflineVault's state (collect.ts calls it; offline.ts checks it). */
import type { Address, Hex } from "viem";
import { offlineVaultAbi } from "@clearhouse/contracts";

/** The part of an audit event this reader needs (collect.ts's AuditEvent has it). */
interface VaultEvent {
  contract: string;
  eventName: string;
  args: Record<string, unknown>;
}

/** The vault's state at the audited block, for what its events name. */
export interface OfflineState {
  allowances: Record<Hex, { status: number; remaining: bigint }>;
  books: Record<Address, { guarantee: bigint; debt: bigint; locked: bigint }>;
  /** Bulk batches by id: status (1 pending, 2 settled) and undisputed total. */
  batches: Record<string, { status: number; total: bigint }>;
  credits: Record<Address, bigint>;
}

type Read = <T>(address: Address, abi: typeof offlineVaultAbi, functionName: string, args: unknown[]) => Promise<T>;

/** Read the vault's state for every allowance, bank, batch and payee its events name. */
export async function readOfflineState(
  vault: Address,
  events: readonly VaultEvent[],
  read: Read,
): Promise<OfflineState> {
  const own = events.filter((e) => e.contract === "OfflineVault");
  const state: OfflineState = { allowances: {}, books: {}, batches: {}, credits: {} };
  for (const e of own) {
    if (e.eventName === "AllowanceAnchored" || e.eventName === "UnfundedAllowanceSeen") {
      const id = e.args.allowanceId as Hex;
      const a = await read<{ status: number; remaining: bigint }>(vault, offlineVaultAbi, "allowanceOf", [id]);
      state.allowances[id] = { status: a.status, remaining: a.remaining };
    }
    const bank = (e.args.bank as Address | undefined) ?? undefined;
    if (bank && !state.books[bank]) {
      const b = await read<{ guarantee: bigint; debt: bigint; locked: bigint }>(vault, offlineVaultAbi, "bankBookOf", [
        bank,
      ]);
      state.books[bank] = { guarantee: b.guarantee, debt: b.debt, locked: b.locked };
    }
    if (e.eventName === "BulkClaimed") {
      const id = e.args.batchId as bigint;
      const b = await read<{ status: number; total: bigint }>(vault, offlineVaultAbi, "batchOf", [id]);
      state.batches[id.toString()] = { status: b.status, total: b.total };
    }
    if (e.eventName === "CompensationCredited") {
      const payee = e.args.payee as Address;
      state.credits[payee] = await read<bigint>(vault, offlineVaultAbi, "creditOf", [payee]);
    }
  }
  return state;
}
