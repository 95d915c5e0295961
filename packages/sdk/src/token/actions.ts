import type { Address, Hex } from "viem";
import { writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { settlementTokenAbi } from "@clearhouse/contracts";
import { requireAddress, requireAmount, type IntegerLike } from "../validate";

const token = (ctx: ClearhouseContext) => ({
  address: ctx.deployment.contracts.SettlementToken.proxy,
  abi: settlementTokenAbi,
});

const positive = (argument: string, value: unknown) => requireAmount(argument, value, { allowZero: false });

/** Issue `amount` minor units to an active member bank (caller: an active OPERATOR). */
export async function mint(ctx: ClearhouseContext, p: { bank: Address; amount: IntegerLike }): Promise<WriteResult> {
  const args = [requireAddress("bank", p.bank), positive("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "mint", args });
}

/**
 * Issue `amount` beyond the daily ceiling (caller: the token's owner — the deployer before the
 * handover, afterwards only a governance proposal: `clearhouse gov propose --call mintBeyondCeiling`).
 */
export async function mintBeyondCeiling(
  ctx: ClearhouseContext,
  p: { bank: Address; amount: IntegerLike },
): Promise<WriteResult> {
  const args = [requireAddress("bank", p.bank), positive("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "mintBeyondCeiling", args });
}

/**
 * Set the operators' issuance ceiling per UTC day, in minor units (caller: the token's owner; after
 * the handover a governance proposal: `clearhouse gov propose --call setIssuanceCeiling`).
 */
export async function setIssuanceCeiling(ctx: ClearhouseContext, p: { ceiling: IntegerLike }): Promise<WriteResult> {
  const args = [requireAmount("ceiling", p.ceiling)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "setIssuanceCeiling", args });
}

/** Redeem `amount` from a bank that approved (or permitted) the calling OPERATOR. */
export async function burn(ctx: ClearhouseContext, p: { bank: Address; amount: IntegerLike }): Promise<WriteResult> {
  const args = [requireAddress("bank", p.bank), positive("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "burn", args });
}

/** Send `amount` minor units to another active member. */
export async function transfer(ctx: ClearhouseContext, p: { to: Address; amount: IntegerLike }): Promise<WriteResult> {
  const args = [requireAddress("to", p.to), requireAmount("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "transfer", args });
}

/** Let `spender` move up to `amount` of the caller's tokens. */
export async function approve(
  ctx: ClearhouseContext,
  p: { spender: Address; amount: IntegerLike },
): Promise<WriteResult> {
  const args = [requireAddress("spender", p.spender), requireAmount("amount", p.amount)] as const;
  return writeContract(ctx, { ...token(ctx), functionName: "approve", args });
}

/** Move `amount` from `from` to `to` using the caller's allowance. */
export async function transferFrom(
  ctx: ClearhouseContext,
  p: { from: Address; to: Address; amount: IntegerLike },
): Promise<WriteResult> {
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

/** Submit a permit signed by the holder (anyone may submit it). */
export async function submitPermit(ctx: ClearhouseContext, permit: SignedPermit): Promise<WriteResult> {
  const { v, r, s } = permit.signature;
  return writeContract(ctx, {
    ...token(ctx),
    functionName: "permit",
    args: [permit.owner, permit.spender, permit.value, permit.deadline, v, r, s],
  });
}

/** Set the guardian allowed to pause (owner only). */
export async function setGuardian(ctx: ClearhouseContext, p: { guardian: Address }): Promise<WriteResult> {
  const guardian = requireAddress("guardian", p.guardian, { allowZero: true });
  return writeContract(ctx, { ...token(ctx), functionName: "setGuardian", args: [guardian] });
}

/** Stop all token movements (owner or guardian). */
export async function pause(ctx: ClearhouseContext): Promise<WriteResult> {
  return writeContract(ctx, { ...token(ctx), functionName: "pause", args: [] });
}

/** Resume token movements (owner only). */
export async function unpause(ctx: ClearhouseContext): Promise<WriteResult> {
  return writeContract(ctx, { ...token(ctx), functionName: "unpause", args: [] });
}
