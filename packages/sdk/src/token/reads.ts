import type { Address } from "viem";
import { readContract, type ClearhouseContext } from "../context";
import { settlementTokenAbi } from "@clearhouse/contracts";
import { requireAddress } from "../validate";

const token = (ctx: ClearhouseContext) => ({
  address: ctx.deployment.contracts.SettlementToken.proxy,
  abi: settlementTokenAbi,
});

/** The token's identity and supply. */
export interface TokenInfo {
  address: Address;
  name: string;
  symbol: string;
  decimals: number;
  totalSupply: bigint;
  paused: boolean;
  guardian: Address;
}

export type GetTokenInfoReturnType = TokenInfo;

/** Name, symbol, decimals, total supply, pause state and guardian. */
export async function getTokenInfo(ctx: ClearhouseContext): Promise<GetTokenInfoReturnType> {
  const t = token(ctx);
  const [name, symbol, decimals, totalSupply, paused, guardian] = await Promise.all([
    readContract(ctx, { ...t, functionName: "name", args: [] }),
    readContract(ctx, { ...t, functionName: "symbol", args: [] }),
    readContract(ctx, { ...t, functionName: "decimals", args: [] }),
    readContract(ctx, { ...t, functionName: "totalSupply", args: [] }),
    readContract(ctx, { ...t, functionName: "paused", args: [] }),
    readContract(ctx, { ...t, functionName: "guardian", args: [] }),
  ]);
  return { address: t.address, name, symbol, decimals, totalSupply, paused, guardian };
}

export interface GetBalanceParameters {
  account: Address;
}
/** Minor units. */
export type GetBalanceReturnType = bigint;

/** Balance of `account` in minor units. */
export async function getBalance(ctx: ClearhouseContext, p: GetBalanceParameters): Promise<GetBalanceReturnType> {
  const account = requireAddress("account", p.account);
  return readContract(ctx, { ...token(ctx), functionName: "balanceOf", args: [account] });
}

export interface GetAllowanceParameters {
  owner: Address;
  spender: Address;
}
/** Minor units. */
export type GetAllowanceReturnType = bigint;

/** Allowance `owner` gave `spender`. */
export async function getAllowance(ctx: ClearhouseContext, p: GetAllowanceParameters): Promise<GetAllowanceReturnType> {
  const args = [requireAddress("owner", p.owner), requireAddress("spender", p.spender)] as const;
  return readContract(ctx, { ...token(ctx), functionName: "allowance", args });
}

export interface GetOutflowTodayParameters {
  account: Address;
}
export interface GetOutflowTodayReturnType {
  /** UTC day number (block timestamp / 86,400). */
  day: bigint;
  /** Minor units sent on that day. */
  spent: bigint;
}

/** What `account` has sent today (UTC day number and amount). */
export async function getOutflowToday(
  ctx: ClearhouseContext,
  p: GetOutflowTodayParameters,
): Promise<GetOutflowTodayReturnType> {
  const account = requireAddress("account", p.account);
  const [day, spent] = await readContract(ctx, { ...token(ctx), functionName: "outflowToday", args: [account] });
  return { day, spent };
}

/** The UTC day's issuance against the operators' daily ceiling (decision 021). */
export interface Issuance {
  /** UTC day number (block timestamp / 86,400). */
  day: bigint;
  /** Minor units issued today, by operators and governance together. */
  issued: bigint;
  /** Operators' ceiling per UTC day in minor units; 0 means operators cannot mint. */
  ceiling: bigint;
  /** What operators may still issue today (0 when governance's issuance went beyond the ceiling). */
  remaining: bigint;
}

export type GetIssuanceReturnType = Issuance;

/** Today's issuance, the ceiling and the operators' headroom. */
export async function getIssuance(ctx: ClearhouseContext): Promise<GetIssuanceReturnType> {
  const [day, issued, ceiling] = await readContract(ctx, { ...token(ctx), functionName: "issuanceToday", args: [] });
  return { day, issued, ceiling, remaining: issued >= ceiling ? 0n : ceiling - issued };
}
