/** Reads of the OfflineVault: allowances, bank books, bulk batches, and where a voucher stands. */
import { zeroAddress, type Address, type Hex } from "viem";
import { readContract, type ClearhouseContext } from "../context";
import { offlineVault } from "./actions";
import { voucherDigestOf, type SignedVoucher } from "./typedData";

export interface GetAllowanceParameters {
  allowanceId: Hex;
}
export type GetAllowanceReturnType = Awaited<ReturnType<typeof readAllowance>>;
const readAllowance = (ctx: ClearhouseContext, id: Hex) =>
  readContract(ctx, { ...offlineVault(ctx), functionName: "allowanceOf", args: [id] });

/** An allowance as the vault stores it (status 0 = never seen). */
export async function getAllowance(ctx: ClearhouseContext, p: GetAllowanceParameters): Promise<GetAllowanceReturnType> {
  return readAllowance(ctx, p.allowanceId);
}

export interface GetBankBookParameters {
  bank: Address;
}
export type GetBankBookReturnType = Awaited<ReturnType<typeof readBankBook>>;
const readBankBook = (ctx: ClearhouseContext, bank: Address) =>
  readContract(ctx, { ...offlineVault(ctx), functionName: "bankBookOf", args: [bank] });

/** A bank's guarantee, locked funds, debt and debt queue position. */
export async function getBankBook(ctx: ClearhouseContext, p: GetBankBookParameters): Promise<GetBankBookReturnType> {
  return readBankBook(ctx, p.bank);
}

export interface GetBulkBatchParameters {
  batchId: bigint;
}
export type GetBulkBatchReturnType = Awaited<ReturnType<typeof readBatch>>;
const readBatch = (ctx: ClearhouseContext, id: bigint) =>
  readContract(ctx, { ...offlineVault(ctx), functionName: "batchOf", args: [id] });

/** A bulk batch (status 0 = none). */
export async function getBulkBatch(ctx: ClearhouseContext, p: GetBulkBatchParameters): Promise<GetBulkBatchReturnType> {
  return readBatch(ctx, p.batchId);
}

export interface GetCreditParameters {
  payee: Address;
}
export type GetCreditReturnType = bigint;

/** The double-spend compensations credited to `payee` and not yet taken (`claimCredit`). */
export async function getCredit(ctx: ClearhouseContext, p: GetCreditParameters): Promise<GetCreditReturnType> {
  return readContract(ctx, { ...offlineVault(ctx), functionName: "creditOf", args: [p.payee] });
}

export interface GetVoucherStatusParameters {
  voucher: SignedVoucher;
}
/**
 * `open`: its serial is free; `redeemed`: paid with this very voucher; `compensated`: paid as a
 * double spend; `taken-by-another`: the serial was redeemed one by one with another voucher (redeem
 * it: a double spend); `claimed-in-bulk`: the serial is in a bulk claim (this voucher or another).
 */
export type GetVoucherStatusReturnType = "open" | "redeemed" | "compensated" | "taken-by-another" | "claimed-in-bulk";

/** Where a voucher stands on chain. */
export async function getVoucherStatus(
  ctx: ClearhouseContext,
  p: GetVoucherStatusParameters,
): Promise<GetVoucherStatusReturnType> {
  const v = offlineVault(ctx);
  const { voucher } = p.voucher;
  const digest = voucherDigestOf({ chainId: ctx.deployment.chainId, vault: v.address }, voucher);
  const compensated = await readContract(ctx, {
    ...v,
    functionName: "isCompensated",
    args: [voucher.allowanceId, voucher.serial, voucher.payee],
  });
  if (compensated) return "compensated";
  const a = await readAllowance(ctx, voucher.allowanceId);
  if ((a.redeemed & (1n << BigInt(voucher.serial - 1))) === 0n) return "open";
  const [payee, prefix] = await readContract(ctx, {
    ...v,
    functionName: "redemptionOf",
    args: [voucher.allowanceId, voucher.serial],
  });
  if (payee === zeroAddress) return "claimed-in-bulk";
  return prefix === digest.slice(0, 26) && payee.toLowerCase() === voucher.payee.toLowerCase()
    ? "redeemed"
    : "taken-by-another";
}
