/**
 * SDK for the OfflineVault, one by one: anchor an allowance, redeem a voucher (or one of a
 * certificate never anchored), run a bank's guarantee fund, take credited compensations, release.
 * Bulk redemption is in bulkActions.ts, reads in reads.ts.
 */
import { parseEventLogs, type Address, type Hex } from "viem";
import { offlineVaultAbi, settlementTokenAbi } from "@clearhouse/contracts";
import { readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { contractOf, type DeployedContract } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import type { SignedAllowance, SignedVoucher } from "./typedData";

/** The vault proxy's address and ABI, or ContractNotDeployedError if the deployment has none. */
export function offlineVault(ctx: ClearhouseContext): DeployedContract<"OfflineVault"> {
  return contractOf(ctx, "OfflineVault");
}

export function checkDomain(ctx: ClearhouseContext, o: { chainId: number; vault: Address }, what: string): void {
  const vault = offlineVault(ctx).address;
  if (o.chainId !== ctx.deployment.chainId || o.vault.toLowerCase() !== vault.toLowerCase())
    throw new InvalidArgumentError(
      what,
      `was signed for chain ${o.chainId} and vault ${o.vault}, not this deployment's (chain ${ctx.deployment.chainId}, vault ${vault})`,
    );
}

export async function receiptLogs(ctx: ClearhouseContext, tx: WriteResult) {
  const receipt = await rpc(ctx, "getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  return receipt.logs;
}

/** Approve the vault for `amount` of `owner`'s tokens (the sender) unless it may take that already. */
async function approveVault(ctx: ClearhouseContext, owner: Address, amount: bigint): Promise<void> {
  const token = ctx.deployment.contracts.SettlementToken.proxy;
  const vault = offlineVault(ctx).address;
  const current = await readContract(ctx, {
    address: token,
    abi: settlementTokenAbi,
    functionName: "allowance",
    args: [owner, vault],
  });
  if (current < amount)
    await writeContract(ctx, {
      address: token,
      abi: settlementTokenAbi,
      functionName: "approve",
      args: [vault, amount],
    });
}

export interface AnchorAllowanceParameters {
  allowance: SignedAllowance;
  /**
   * The wallet's consent (`signAllowanceConsent`), needed when the bank sends the anchoring; ignored
   * when the wallet itself sends it.
   */
  walletSignature?: Hex;
  /** Approve the vault for the locked amount first when the wallet's allowance is short (default true; the caller must be the wallet). */
  approve?: boolean;
}
export interface AnchorAllowanceReturnType {
  allowanceId: Hex;
  locked: bigint;
  tx: WriteResult;
}

/** Anchor a bank-signed certificate: the vault takes cap × count from the wallet (the caller or its bank). */
export async function anchorAllowance(
  ctx: ClearhouseContext,
  p: AnchorAllowanceParameters,
): Promise<AnchorAllowanceReturnType> {
  checkDomain(ctx, p.allowance, "allowance");
  const v = offlineVault(ctx);
  const { cert } = p.allowance;
  const sender = ctx.walletClient?.account?.address;
  if (sender?.toLowerCase() !== cert.wallet.toLowerCase() && !p.walletSignature)
    throw new InvalidArgumentError(
      "walletSignature",
      `the bank anchors ${cert.wallet}'s allowance only with the wallet's consent`,
      "Have the wallet send it, or pass its signature (signAllowanceConsent).",
    );
  const locked = cert.cap * BigInt(cert.count);
  const caller = ctx.walletClient?.account?.address;
  if (p.approve !== false && caller && caller.toLowerCase() === cert.wallet.toLowerCase())
    await approveVault(ctx, caller, locked);
  const tx = await writeContract(ctx, {
    ...v,
    functionName: "anchorAllowance",
    args: [cert, p.allowance.bankSignature, p.walletSignature ?? "0x"],
  });
  const [anchored] = parseEventLogs({
    abi: offlineVaultAbi,
    eventName: "AllowanceAnchored",
    logs: await receiptLogs(ctx, tx),
  });
  return { allowanceId: anchored.args.allowanceId, locked, tx };
}

export interface RedeemVoucherParameters {
  voucher: SignedVoucher;
}
export type RedeemVoucherReturnType = WriteResult;

/** Redeem one voucher (its signature checked on chain); pays its payee, or proves a double spend. */
export async function redeemVoucher(
  ctx: ClearhouseContext,
  p: RedeemVoucherParameters,
): Promise<RedeemVoucherReturnType> {
  checkDomain(ctx, p.voucher, "voucher");
  return writeContract(ctx, {
    ...offlineVault(ctx),
    functionName: "redeem",
    args: [p.voucher.voucher, p.voucher.signature],
  });
}

export interface RedeemUnfundedParameters {
  allowance: SignedAllowance;
  voucher: SignedVoucher;
}
export type RedeemUnfundedReturnType = WriteResult;

/** Redeem a voucher of a certificate its bank signed but never anchored (the bank's guarantee pays). */
export async function redeemUnfunded(
  ctx: ClearhouseContext,
  p: RedeemUnfundedParameters,
): Promise<RedeemUnfundedReturnType> {
  checkDomain(ctx, p.allowance, "allowance");
  checkDomain(ctx, p.voucher, "voucher");
  return writeContract(ctx, {
    ...offlineVault(ctx),
    functionName: "redeemUnfunded",
    args: [p.allowance.cert, p.allowance.bankSignature, p.voucher.voucher, p.voucher.signature],
  });
}

export interface PostGuaranteeParameters {
  amount: bigint;
  /** Queued compensations to credit from it, in order (default 32). */
  maxPayments?: number;
}
export type PostGuaranteeReturnType = WriteResult;

/** Post to the caller's (a bank's) guarantee fund, approving the vault first when needed. */
export async function postGuarantee(
  ctx: ClearhouseContext,
  p: PostGuaranteeParameters,
): Promise<PostGuaranteeReturnType> {
  const v = offlineVault(ctx);
  const bank = ctx.walletClient?.account?.address;
  if (bank) await approveVault(ctx, bank, p.amount);
  return writeContract(ctx, { ...v, functionName: "postGuarantee", args: [p.amount, BigInt(p.maxPayments ?? 32)] });
}

export interface WithdrawGuaranteeParameters {
  amount: bigint;
}
export type WithdrawGuaranteeReturnType = WriteResult;

/** Withdraw from the caller's guarantee (what its live allowances do not require). */
export async function withdrawGuarantee(
  ctx: ClearhouseContext,
  p: WithdrawGuaranteeParameters,
): Promise<WithdrawGuaranteeReturnType> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "withdrawGuarantee", args: [p.amount] });
}

export interface PayDebtsParameters {
  bank: Address;
  /** How many queued compensations to credit at most (default 32). */
  maxPayments?: number;
}
export type PayDebtsReturnType = WriteResult;

/** Credit a bank's queued compensations from its guarantee, in order (anyone). */
export async function payDebts(ctx: ClearhouseContext, p: PayDebtsParameters): Promise<PayDebtsReturnType> {
  return writeContract(ctx, {
    ...offlineVault(ctx),
    functionName: "payDebts",
    args: [p.bank, BigInt(p.maxPayments ?? 32)],
  });
}

export type ClaimCreditReturnType = WriteResult;

/** Take the compensations credited to the caller. */
export async function claimCredit(ctx: ClearhouseContext): Promise<ClaimCreditReturnType> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "claimCredit", args: [] });
}

export interface ReleaseAllowanceParameters {
  allowanceId: Hex;
}
export type ReleaseAllowanceReturnType = WriteResult;

/** Return what is left of an allowance to its wallet once its redemption period is over (anyone). */
export async function releaseAllowance(
  ctx: ClearhouseContext,
  p: ReleaseAllowanceParameters,
): Promise<ReleaseAllowanceReturnType> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "release", args: [p.allowanceId] });
}
