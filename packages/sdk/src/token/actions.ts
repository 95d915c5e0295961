import type { Address, Hex } from "viem";
import { writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { settlementTokenAbi } from "@clearhouse/contracts";
import { requireAddress, requireAmount } from "../validate";

const token = (ctx: ClearhouseContext) => ({
  address: ctx.deployment.contracts.SettlementToken.proxy,
  abi: settlementTokenAbi,
});

const positive = (argument: string, value: unknown) => requireAmount(argument, value, { allowZero: false });

export interface MintParameters {
  /** An active member bank. */
  bank: Address;
  /** Minor units (a bigint), more than zero. */
  amount: bigint;
}
export type MintReturnType = WriteResult;

/** Issue `amount` minor units to an active member bank (caller: an active OPERATOR). */
export async function mint(ctx: ClearhouseContext, p: MintParameters): Promise<MintReturnType> {
  const args = [requireAddress("bank", p.bank), positive("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "mint", args });
}

export type MintBeyondCeilingParameters = MintParameters;
export type MintBeyondCeilingReturnType = WriteResult;

/**
 * Issue `amount` beyond the daily ceiling (caller: the token's owner — the deployer before the
 * handover, afterwards only a governance proposal: `clearhouse gov propose --call mintBeyondCeiling`).
 */
export async function mintBeyondCeiling(
  ctx: ClearhouseContext,
  p: MintBeyondCeilingParameters,
): Promise<MintBeyondCeilingReturnType> {
  return writeContract(ctx, mintBeyondCeilingCall(ctx, p));
}

/** The `mintBeyondCeiling` call, checked and built but not sent (for a governance proposal). */
export function mintBeyondCeilingCall(ctx: ClearhouseContext, p: MintBeyondCeilingParameters) {
  const args = [requireAddress("bank", p.bank), positive("amount", p.amount)] as const;
  return { ...token(ctx), functionName: "mintBeyondCeiling", args } as const;
}

export interface SetIssuanceCeilingParameters {
  /** Minor units per UTC day (a bigint); 0n stops operators from minting. */
  ceiling: bigint;
}
export type SetIssuanceCeilingReturnType = WriteResult;

/**
 * Set the operators' issuance ceiling per UTC day, in minor units (caller: the token's owner; after
 * the handover a governance proposal: `clearhouse gov propose --call setIssuanceCeiling`).
 */
export async function setIssuanceCeiling(
  ctx: ClearhouseContext,
  p: SetIssuanceCeilingParameters,
): Promise<SetIssuanceCeilingReturnType> {
  return writeContract(ctx, setIssuanceCeilingCall(ctx, p));
}

/** The `setIssuanceCeiling` call, checked and built but not sent (for a governance proposal). */
export function setIssuanceCeilingCall(ctx: ClearhouseContext, p: SetIssuanceCeilingParameters) {
  const args = [requireAmount("ceiling", p.ceiling)] as const;
  return { ...token(ctx), functionName: "setIssuanceCeiling", args } as const;
}

export interface BurnParameters {
  /** The bank redeeming; it approved (or permitted) the calling OPERATOR. */
  bank: Address;
  /** Minor units (a bigint), more than zero. */
  amount: bigint;
}
export type BurnReturnType = WriteResult;

/** Redeem `amount` from a bank that approved (or permitted) the calling OPERATOR. */
export async function burn(ctx: ClearhouseContext, p: BurnParameters): Promise<BurnReturnType> {
  const args = [requireAddress("bank", p.bank), positive("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "burn", args });
}

export interface TransferParameters {
  to: Address;
  /** Minor units (a bigint): 125_000n is 1,250.00 with 2 decimals. */
  amount: bigint;
}
export type TransferReturnType = WriteResult;

/** Send `amount` minor units to another active member. */
export async function transfer(ctx: ClearhouseContext, p: TransferParameters): Promise<TransferReturnType> {
  const args = [requireAddress("to", p.to), requireAmount("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "transfer", args });
}

export interface ApproveParameters {
  spender: Address;
  /** Minor units (a bigint); UINT256_MAX for no limit. */
  amount: bigint;
}
export type ApproveReturnType = WriteResult;

/** Let `spender` move up to `amount` of the caller's tokens. */
export async function approve(ctx: ClearhouseContext, p: ApproveParameters): Promise<ApproveReturnType> {
  const args = [requireAddress("spender", p.spender), requireAmount("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "approve", args });
}

export interface TransferFromParameters {
  from: Address;
  to: Address;
  /** Minor units (a bigint). */
  amount: bigint;
}
export type TransferFromReturnType = WriteResult;

/** Move `amount` from `from` to `to` using the caller's allowance. */
export async function transferFrom(ctx: ClearhouseContext, p: TransferFromParameters): Promise<TransferFromReturnType> {
  const args = [requireAddress("from", p.from), requireAddress("to", p.to), requireAmount("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "transferFrom", args });
}

/** A signed EIP-2612 permit, as `signPermit` returns it. */
export interface SignedPermit {
  owner: Address;
  spender: Address;
  value: bigint;
  deadline: bigint;
  signature: { v: number; r: Hex; s: Hex };
}

export type SubmitPermitParameters = SignedPermit;
export type SubmitPermitReturnType = WriteResult;

/** Submit a permit signed by the holder (anyone may submit it). */
export async function submitPermit(
  ctx: ClearhouseContext,
  permit: SubmitPermitParameters,
): Promise<SubmitPermitReturnType> {
  const { v, r, s } = permit.signature;
  return writeContract(ctx, {
    ...token(ctx),
    functionName: "permit",
    args: [permit.owner, permit.spender, permit.value, permit.deadline, v, r, s],
  });
}

export interface SetGuardianParameters {
  /** The new guardian; the zero address removes it. */
  guardian: Address;
}
export type SetGuardianReturnType = WriteResult;

/** Set the guardian allowed to pause (owner only). */
export async function setGuardian(ctx: ClearhouseContext, p: SetGuardianParameters): Promise<SetGuardianReturnType> {
  const guardian = requireAddress("guardian", p.guardian, { allowZero: true });
  return writeContract(ctx, { ...token(ctx), functionName: "setGuardian", args: [guardian] });
}

export type PauseReturnType = WriteResult;

/** Stop all token movements (owner or guardian). */
export async function pause(ctx: ClearhouseContext): Promise<PauseReturnType> {
  return writeContract(ctx, { ...token(ctx), functionName: "pause", args: [] });
}

export type UnpauseReturnType = WriteResult;

/** Resume token movements (owner only). */
export async function unpause(ctx: ClearhouseContext): Promise<UnpauseReturnType> {
  return writeContract(ctx, unpauseCall(ctx));
}

/** The token's `unpause` call, built but not sent (for a governance proposal). */
export function unpauseCall(ctx: ClearhouseContext) {
  return { ...token(ctx), functionName: "unpause", args: [] } as const;
}
