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

/** Name, symbol, decimals, total supply, pause state and guardian. */
export async function getTokenInfo(ctx: ClearhouseContext): Promise<TokenInfo> {
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

/** Balance of `account` in minor units. */
export async function getBalance(ctx: ClearhouseContext, p: { account: Address }): Promise<bigint> {
  const account = requireAddress("account", p.account);
  return readContract(ctx, { ...token(ctx), functionName: "balanceOf", args: [account] });
}

/** Allowance `owner` gave `spender`. */
export async function getAllowance(ctx: ClearhouseContext, p: { owner: Address; spender: Address }): Promise<bigint> {
  const args = [requireAddress("owner", p.owner), requireAddress("spender", p.spender)] as const;
  return readContract(ctx, { ...token(ctx), functionName: "allowance", args });
}

/** What `account` has sent today (UTC day number and amount). */
export async function getOutflowToday(
  ctx: ClearhouseContext,
  p: { account: Address },
): Promise<{ day: bigint; spent: bigint }> {
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

/** Today's issuance, the ceiling and the operators' headroom. */
export async function getIssuance(ctx: ClearhouseContext): Promise<Issuance> {
  const [day, issued, ceiling] = await readContract(ctx, { ...token(ctx), functionName: "issuanceToday", args: [] });
  return { day, issued, ceiling, remaining: issued >= ceiling ? 0n : ceiling - issued };
}
