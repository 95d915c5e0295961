/**
 * Customer wallets and KYC tiers (the registry's WalletTiers part): a member bank opens, re-tiers
 * and closes its customers' wallets; governance defines the tiers (`setTierCall` for a proposal);
 * anyone reads wallets and tiers and asks whether an account may hold the token (`checkHolder`).
 */
import type { Address } from "viem";
import { consortiumRegistryAbi } from "@clearhouse/contracts";
import { amountFormat, readContract, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { deployedSince } from "../contracts";
import { ContractRevertError, UnknownRevertError, toClearhouseError } from "../errors/revert";
import { InvalidArgumentError } from "../errors/base";
import { queryLogs } from "../logs";
import { UINT128_MAX, requireAddress, requireAmount, requireSmallInt } from "../validate";

const registry = (ctx: ClearhouseContext) => ({
  address: ctx.deployment.contracts.ConsortiumRegistry.proxy,
  abi: consortiumRegistryAbi,
});

/** Lifecycle of a wallet, as in IConsortiumRegistry.WalletStatus (the index is the code). */
export const WalletStatus = ["None", "Open", "Closed"] as const;
export type WalletStatusName = (typeof WalletStatus)[number];

const tierNumber = (argument: string, value: unknown) => requireSmallInt(argument, value, 1, 255);
const limit = (argument: string, value: unknown) =>
  requireAmount(argument, value, { max: UINT128_MAX, typeName: "uint128" });

/** A KYC tier's limits in minor units; `defined` is false for a tier governance never set. */
export interface TierInfo {
  tier: number;
  defined: boolean;
  maxSingle: bigint;
  maxDaily: bigint;
  maxBalance: bigint;
}

/** A customer wallet; `since` is the block of its last change (open, tier change, close). */
export interface WalletInfo {
  wallet: Address;
  status: WalletStatusName;
  /** 0 if never opened. */
  tier: number;
  /** The member bank that opened it (zero address if never opened). */
  bank: Address;
  since: bigint;
}

export interface OpenWalletParameters {
  wallet: Address;
  /** A defined tier, 1..255 (higher = better identified). */
  tier: number;
}
export type OpenWalletReturnType = WriteResult;

/** Open `wallet` as the calling bank's customer wallet in `tier`. Example: `openWallet(ctx, { wallet, tier: 1 })`. */
export async function openWallet(ctx: ClearhouseContext, p: OpenWalletParameters): Promise<OpenWalletReturnType> {
  const wallet = requireAddress("wallet", p.wallet);
  const tier = tierNumber("tier", p.tier);
  return writeContract(ctx, { ...registry(ctx), functionName: "openWallet", args: [wallet, tier] });
}

export interface SetWalletTierParameters {
  wallet: Address;
  /** The new tier (upgrade or downgrade), defined and different from the current one. */
  tier: number;
}
export type SetWalletTierReturnType = WriteResult;

/** Move the calling bank's wallet to another tier. Example: `setWalletTier(ctx, { wallet, tier: 2 })`. */
export async function setWalletTier(
  ctx: ClearhouseContext,
  p: SetWalletTierParameters,
): Promise<SetWalletTierReturnType> {
  const wallet = requireAddress("wallet", p.wallet);
  const tier = tierNumber("tier", p.tier);
  return writeContract(ctx, { ...registry(ctx), functionName: "setWalletTier", args: [wallet, tier] });
}

export interface CloseWalletParameters {
  wallet: Address;
}
export type CloseWalletReturnType = WriteResult;

/**
 * Close a wallet for good (its bank, or governance). What it still holds is frozen: empty it first.
 * Example: `closeWallet(ctx, { wallet })`.
 */
export async function closeWallet(ctx: ClearhouseContext, p: CloseWalletParameters): Promise<CloseWalletReturnType> {
  const wallet = requireAddress("wallet", p.wallet);
  return writeContract(ctx, { ...registry(ctx), functionName: "closeWallet", args: [wallet] });
}

export interface SetTierParameters {
  tier: number;
  /** Minor units: single payment ≤ `maxDaily`. */
  maxSingle: bigint;
  /** Minor units: outflow per UTC day. */
  maxDaily: bigint;
  /** Minor units, above 0: the most a wallet of the tier may hold. */
  maxBalance: bigint;
}
export type SetTierReturnType = WriteResult;

/** The `setTier` call, checked and built but not sent (for a governance proposal). */
export function setTierCall(ctx: ClearhouseContext, p: SetTierParameters) {
  const tier = tierNumber("tier", p.tier);
  const single = limit("maxSingle", p.maxSingle);
  const daily = limit("maxDaily", p.maxDaily);
  const balance = limit("maxBalance", p.maxBalance);
  if (single > daily) throw new InvalidArgumentError("maxSingle", `${single} exceeds maxDaily ${daily}`);
  if (balance === 0n) throw new InvalidArgumentError("maxBalance", "a tier's balance cap must be above 0");
  return { ...registry(ctx), functionName: "setTier", args: [tier, single, daily, balance] } as const;
}

/** Define or change a tier (owner only: the deployer before hand-over, then a governance proposal). */
export async function setTier(ctx: ClearhouseContext, p: SetTierParameters): Promise<SetTierReturnType> {
  return writeContract(ctx, setTierCall(ctx, p));
}

export interface GetWalletParameters {
  wallet: Address;
}
export type GetWalletReturnType = WalletInfo;

/** The wallet record of `wallet` (status "None" if never opened). */
export async function getWallet(ctx: ClearhouseContext, p: GetWalletParameters): Promise<GetWalletReturnType> {
  const wallet = requireAddress("wallet", p.wallet, { allowZero: true });
  const w = await readContract(ctx, { ...registry(ctx), functionName: "walletOf", args: [wallet] });
  return { wallet, status: WalletStatus[w.status] ?? "None", tier: w.tier, bank: w.bank, since: w.since };
}

export interface GetTierParameters {
  tier: number;
}
export type GetTierReturnType = TierInfo;

/** The limits of `tier` (`defined: false` and zeros if governance never set it). */
export async function getTier(ctx: ClearhouseContext, p: GetTierParameters): Promise<GetTierReturnType> {
  const tier = requireSmallInt("tier", p.tier, 0, 255);
  const t = await readContract(ctx, { ...registry(ctx), functionName: "tierOf", args: [tier] });
  return { tier, defined: t.maxBalance > 0n, maxSingle: t.maxSingle, maxDaily: t.maxDaily, maxBalance: t.maxBalance };
}

export type ListTiersReturnType = TierInfo[];

/**
 * Every defined tier, by number: the tiers named by the registry's `TierSet` events since its
 * deployment, each read as it is now.
 */
export async function listTiers(ctx: ClearhouseContext): Promise<ListTiersReturnType> {
  const r = registry(ctx);
  const logs = await queryLogs(ctx, "getLogs(TierSet)", deployedSince(ctx, "ConsortiumRegistry"), (range) =>
    ctx.publicClient.getContractEvents({ ...r, eventName: "TierSet", ...range }),
  );
  const numbers = [...new Set(logs.map((l) => Number(l.args.tier)))].sort((a, b) => a - b);
  return Promise.all(numbers.map((tier) => getTier(ctx, { tier })));
}

export interface CheckHolderParameters {
  account: Address;
}
export type CheckHolderReturnType =
  | {
      allowed: true;
      /** Limits in minor units; a member's `maxBalance` is 2^128 - 1 (no cap). */
      maxSingle: bigint;
      maxDaily: bigint;
      maxBalance: bigint;
    }
  | { allowed: false; errorName: string | undefined; message: string; hint: string | undefined };

/**
 * Whether `account` may hold and move the token now (the registry's `requireHolder`: an active
 * member, or an open wallet of an active bank), with its limits; if not, the registry's reason.
 */
export async function checkHolder(ctx: ClearhouseContext, p: CheckHolderParameters): Promise<CheckHolderReturnType> {
  const account = requireAddress("account", p.account, { allowZero: true });
  try {
    const [maxSingle, maxDaily, maxBalance] = await ctx.publicClient.readContract({
      ...registry(ctx),
      functionName: "requireHolder",
      args: [account],
    });
    return { allowed: true, maxSingle, maxDaily, maxBalance };
  } catch (error) {
    const e = toClearhouseError(error, "requireHolder", ctx.rpcUrl, amountFormat(ctx));
    if (e instanceof ContractRevertError)
      return { allowed: false, errorName: e.errorName, message: e.shortMessage, hint: e.hint };
    if (e instanceof UnknownRevertError)
      return { allowed: false, errorName: undefined, message: e.shortMessage, hint: e.hint };
    throw e;
  }
}
