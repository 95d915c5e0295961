/**
 * What the OfflineVault did, read back from the chain: the frozen devices, a bank's required
 * guarantee, and how a redemption or a release paid (from its transaction's events).
 */
import { parseEventLogs, type Address, type Hex } from "viem";
import { offlineVaultAbi } from "@clearhouse/contracts";
import { readContract, rpc, type ClearhouseContext } from "../context";
import { deployedSince } from "../contracts";
import { queryLogs } from "../logs";
import { offlineVault } from "./actions";

export interface GetFrozenDevicesParameters {
  /** The last block read (default: the newest). */
  toBlock?: bigint;
}
export type GetFrozenDevicesReturnType = Address[];

/** Every device key the vault froze after a double spend (its DeviceFrozen events), once each. */
export async function getFrozenDevices(
  ctx: ClearhouseContext,
  p: GetFrozenDevicesParameters = {},
): Promise<GetFrozenDevicesReturnType> {
  const v = offlineVault(ctx);
  const logs = await queryLogs(
    ctx,
    "getLogs(DeviceFrozen)",
    deployedSince(ctx, "OfflineVault"),
    (range) =>
      ctx.publicClient.getContractEvents({
        address: v.address,
        abi: offlineVaultAbi,
        eventName: "DeviceFrozen",
        ...range,
      }),
    { toBlock: p.toBlock },
  );
  return [...new Set(logs.map((l) => l.args.device as Address))];
}

export interface IsDeviceFrozenParameters {
  device: Address;
}
export type IsDeviceFrozenReturnType = boolean;

/** Whether the vault froze a device key. */
export async function isDeviceFrozen(
  ctx: ClearhouseContext,
  p: IsDeviceFrozenParameters,
): Promise<IsDeviceFrozenReturnType> {
  return readContract(ctx, { ...offlineVault(ctx), functionName: "isFrozen", args: [p.device] });
}

export interface GetRequiredGuaranteeParameters {
  bank: Address;
}
export type GetRequiredGuaranteeReturnType = bigint;

/** The guarantee a bank must keep: its locked funds × the governed ratio. */
export async function getRequiredGuarantee(
  ctx: ClearhouseContext,
  p: GetRequiredGuaranteeParameters,
): Promise<GetRequiredGuaranteeReturnType> {
  return readContract(ctx, { ...offlineVault(ctx), functionName: "requiredGuarantee", args: [p.bank] });
}

const logsOf = async (ctx: ClearhouseContext, hash: Hex) =>
  parseEventLogs({
    abi: offlineVaultAbi,
    logs: (await rpc(ctx, "getTransactionReceipt", () => ctx.publicClient.getTransactionReceipt({ hash }))).logs,
  });

export interface GetRedemptionOutcomeParameters {
  /** The redeem, redeemUnfunded or redeemDoubleSpent transaction. */
  hash: Hex;
}
/**
 * `allowance`: paid from the allowance's locked funds; `guarantee`: a never-anchored certificate's
 * voucher, paid from the bank's guarantee; `double-spend`: a second voucher of a serial, paid from
 * the guarantee (the device frozen); `queued`: a double spend the guarantee could not cover, owed as
 * the bank's debt; `none`: the transaction redeemed nothing.
 */
export type GetRedemptionOutcomeReturnType = "allowance" | "guarantee" | "double-spend" | "queued" | "none";

/** How a redemption paid, from its transaction's events. */
export async function getRedemptionOutcome(
  ctx: ClearhouseContext,
  p: GetRedemptionOutcomeParameters,
): Promise<GetRedemptionOutcomeReturnType> {
  const logs = await logsOf(ctx, p.hash);
  if (logs.some((l) => l.eventName === "CompensationQueued")) return "queued";
  if (logs.some((l) => l.eventName === "DoubleSpendProved")) return "double-spend";
  for (const l of logs) if (l.eventName === "VoucherRedeemed") return l.args.fromGuarantee ? "guarantee" : "allowance";
  return "none";
}

export interface GetReleaseOutcomeParameters {
  /** The release transaction. */
  hash: Hex;
}
export type GetReleaseOutcomeReturnType = { recipient: Address; amount: bigint } | undefined;

/** Who received what a release returned (the wallet, or its bank when the wallet cannot receive). */
export async function getReleaseOutcome(
  ctx: ClearhouseContext,
  p: GetReleaseOutcomeParameters,
): Promise<GetReleaseOutcomeReturnType> {
  for (const l of await logsOf(ctx, p.hash))
    if (l.eventName === "AllowanceReleased") return { recipient: l.args.recipient, amount: l.args.amount };
  return undefined;
}
