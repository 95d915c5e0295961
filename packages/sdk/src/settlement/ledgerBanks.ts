/**
 * SDK for the ledger's banks beyond enrollment: release a removed bank's index (an OPERATOR), the
 * free indexes and their quarantine, and whether a bank is barred from anchoring (decision 022).
 */
import type { Address } from "viem";
import { readContract, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { ContractRevertError } from "../errors/revert";
import { requireAddress } from "../validate";
import type { LedgerIndex } from "./gridlock";
import { ledger } from "./ledger";

/** A bank's place in the ledger. */
export interface LedgerBank {
  bank: Address;
  /** Its ledger index (bit `index` of counterparty masks); a released bank keeps the one it held. */
  index: LedgerIndex;
  /** Its last batch sequence number. */
  sequence: bigint;
  /** Barred from anchoring new batches (the netting engine's escalation, or governance). */
  barred: boolean;
  /** It left the consortium and its index was released (it may now be another bank's). */
  released: boolean;
}

/** A released index waiting for a new bank. */
export interface FreeIndex {
  index: LedgerIndex;
  /** Unix seconds from which the next bank to enroll may get it. */
  availableAt: number;
}

export interface ReleaseBankParameters {
  /** A bank the registry has removed. */
  bank: Address;
}
export type ReleaseBankReturnType = WriteResult;

/**
 * Release the index of a bank the registry has removed (an active OPERATOR): after the quarantine
 * (30 days + 15 minutes) the next bank to enroll gets it. The released bank keeps its index in
 * `bankOf`, so its old final batches can still be declared.
 * @example await ch.settlement.releaseBank({ bank: "0x…" })
 */
export async function releaseBank(ctx: ClearhouseContext, p: ReleaseBankParameters): Promise<ReleaseBankReturnType> {
  const args = [requireAddress("bank", p.bank)] as const;
  return writeContract(ctx, { ...ledger(ctx), functionName: "releaseBank", args });
}

export interface IsBarredParameters {
  bank: Address;
}
export type IsBarredReturnType = boolean;

/** Whether `bank` is barred from anchoring new batches (false for a bank not enrolled). */
export async function isBarred(ctx: ClearhouseContext, p: IsBarredParameters): Promise<IsBarredReturnType> {
  const args = [requireAddress("bank", p.bank)] as const;
  return readContract(ctx, { ...ledger(ctx), functionName: "isBarred", args });
}

export interface SetBarredParameters {
  bank: Address;
  /** True bars it; false allows it again. */
  barred: boolean;
}
export type SetBarredReturnType = WriteResult;

/**
 * Bar `bank` from anchoring new batches, or allow it again. Only the netting engine and the owner
 * (governance: send this through a proposal) may; batches it already anchored are unaffected.
 */
export async function setBarred(ctx: ClearhouseContext, p: SetBarredParameters): Promise<SetBarredReturnType> {
  const args = [requireAddress("bank", p.bank), p.barred] as const;
  return writeContract(ctx, { ...ledger(ctx), functionName: "setBarred", args });
}

export interface GetLedgerBankParameters {
  bank: Address;
}
export type GetLedgerBankReturnType = LedgerBank;

/** `bank`'s index, sequence and flags (LedgerNotEnrolled if it never enrolled). */
export async function getLedgerBank(
  ctx: ClearhouseContext,
  p: GetLedgerBankParameters,
): Promise<GetLedgerBankReturnType> {
  const bank = requireAddress("bank", p.bank);
  const [[index, sequence], barred, released] = await Promise.all([
    readContract(ctx, { ...ledger(ctx), functionName: "bankOf", args: [bank] }),
    readContract(ctx, { ...ledger(ctx), functionName: "isBarred", args: [bank] }),
    readContract(ctx, { ...ledger(ctx), functionName: "isReleased", args: [bank] }),
  ]);
  return { bank, index, sequence, barred, released };
}

/**
 * `bank`'s ledger index (its bit in counterparty masks), or undefined when it never enrolled. One
 * read; a released bank keeps the index it held (see `getLedgerBank` for the flags).
 * @example
 * const index = await ch.settlement.ledgerIndexOf({ bank: "0x…" });
 * const named = index !== undefined && inMask(header.counterpartyMask, index);
 */
export interface LedgerIndexOfParameters {
  bank: Address;
}
export type LedgerIndexOfReturnType = LedgerIndex | undefined;

export async function ledgerIndexOf(
  ctx: ClearhouseContext,
  p: LedgerIndexOfParameters,
): Promise<LedgerIndexOfReturnType> {
  const bank = requireAddress("bank", p.bank);
  try {
    const [index] = await readContract(ctx, { ...ledger(ctx), functionName: "bankOf", args: [bank] });
    return index;
  } catch (e) {
    if (e instanceof ContractRevertError && e.errorName === "LedgerNotEnrolled") return undefined;
    throw e;
  }
}

export type FreeIndexesReturnType = FreeIndex[];

/** The released indexes waiting for a new bank, oldest release first. */
export async function freeIndexes(ctx: ClearhouseContext): Promise<FreeIndexesReturnType> {
  const [indexes, availableAt] = await readContract(ctx, { ...ledger(ctx), functionName: "freeIndexes", args: [] });
  return indexes.map((index, i) => ({ index, availableAt: availableAt[i] }));
}
