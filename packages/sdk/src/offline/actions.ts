/**
 * SDK for the OfflineVault: anchor an allowance, redeem vouchers one by one or in bulk, dispute
 * and settle bulk batches, prove double spends, run a bank's guarantee fund, release, read.
 */
import { decodeFunctionData, parseEventLogs, type Address, type Hex } from "viem";
import { offlineVaultAbi, settlementTokenAbi } from "@clearhouse/contracts";
import { readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { contractOf, deployedSince, type DeployedContract } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { queryLogs } from "../logs";
import { claimLeaf, type BulkClaim, type BulkPlan } from "./bulk";
import type { SignedAllowance, SignedVoucher } from "./typedData";

/** The vault proxy's address and ABI, or ContractNotDeployedError if the deployment has none. */
export function offlineVault(ctx: ClearhouseContext): DeployedContract<"OfflineVault"> {
  return contractOf(ctx, "OfflineVault");
}

function checkDomain(ctx: ClearhouseContext, o: { chainId: number; vault: Address }, what: string): void {
  const vault = offlineVault(ctx).address;
  if (o.chainId !== ctx.deployment.chainId || o.vault.toLowerCase() !== vault.toLowerCase())
    throw new InvalidArgumentError(
      what,
      `was signed for chain ${o.chainId} and vault ${o.vault}, not this deployment's (chain ${ctx.deployment.chainId}, vault ${vault})`,
    );
}

async function receiptLogs(ctx: ClearhouseContext, tx: WriteResult) {
  const receipt = await rpc(ctx, "getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  return receipt.logs;
}

export interface AnchorAllowanceParameters {
  allowance: SignedAllowance;
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
  const locked = cert.cap * BigInt(cert.count);
  const token = ctx.deployment.contracts.SettlementToken.proxy;
  const caller = ctx.walletClient?.account?.address;
  if (p.approve !== false && caller && caller.toLowerCase() === cert.wallet.toLowerCase()) {
    const current = await readContract(ctx, {
      address: token,
      abi: settlementTokenAbi,
      functionName: "allowance",
      args: [cert.wallet, v.address],
    });
    if (current < locked)
      await writeContract(ctx, {
        address: token,
        abi: settlementTokenAbi,
        functionName: "approve",
        args: [v.address, locked],
      });
  }
  const tx = await writeContract(ctx, {
    ...v,
    functionName: "anchorAllowance",
    args: [{ ...cert, count: cert.count }, p.allowance.bankSignature],
  });
  const [anchored] = parseEventLogs({
    abi: offlineVaultAbi,
    eventName: "AllowanceAnchored",
    logs: await receiptLogs(ctx, tx),
  });
  return { allowanceId: anchored.args.allowanceId, locked, tx };
}

/** Redeem one voucher (its signature checked on chain); pays its payee. */
export async function redeemVoucher(ctx: ClearhouseContext, p: { voucher: SignedVoucher }): Promise<WriteResult> {
  checkDomain(ctx, p.voucher, "voucher");
  return writeContract(ctx, {
    ...offlineVault(ctx),
    functionName: "redeem",
    args: [p.voucher.voucher, p.voucher.signature],
  });
}

/** Redeem a voucher of a certificate its bank signed but never anchored (the bank's guarantee pays). */
export async function redeemUnfunded(
  ctx: ClearhouseContext,
  p: { allowance: SignedAllowance; voucher: SignedVoucher },
): Promise<WriteResult> {
  checkDomain(ctx, p.allowance, "allowance");
  checkDomain(ctx, p.voucher, "voucher");
  return writeContract(ctx, {
    ...offlineVault(ctx),
    functionName: "redeemUnfunded",
    args: [p.allowance.cert, p.allowance.bankSignature, p.voucher.voucher, p.voucher.signature],
  });
}

/** Claim a plan's vouchers in bulk (the caller: the payees' bank). */
export async function claimBulk(
  ctx: ClearhouseContext,
  p: { plan: Pick<BulkPlan, "claims"> },
): Promise<{ batchId: bigint; total: bigint; disputeEnd: bigint; tx: WriteResult }> {
  if (p.plan.claims.length === 0) throw new InvalidArgumentError("plan", "holds no claims");
  const tx = await writeContract(ctx, { ...offlineVault(ctx), functionName: "claimBulk", args: [p.plan.claims] });
  const [claimed] = parseEventLogs({
    abi: offlineVaultAbi,
    eventName: "BulkClaimed",
    logs: await receiptLogs(ctx, tx),
  });
  return { batchId: claimed.args.batchId, total: claimed.args.total, disputeEnd: claimed.args.disputeEnd, tx };
}

/** Where a serial was claimed in bulk: what `disputeClaim` and `redeemDoubleSpent` present. */
export interface BulkEvidence {
  batchId: bigint;
  leaves: Hex[];
  claimIndex: bigint;
  claim: BulkClaim;
}

/** The leaves the vault hashed for `claims` (each needs its allowance's device, read from the chain). */
export async function leavesOf(ctx: ClearhouseContext, claims: readonly BulkClaim[]): Promise<Hex[]> {
  const v = offlineVault(ctx);
  const domain = { chainId: ctx.deployment.chainId, vault: v.address };
  const devices = new Map<Hex, Address>();
  const leaves: Hex[] = [];
  for (const claim of claims) {
    let device = devices.get(claim.allowanceId);
    if (!device) {
      const a = await readContract(ctx, { ...v, functionName: "allowanceOf", args: [claim.allowanceId] });
      devices.set(claim.allowanceId, (device = a.device));
    }
    leaves.push(claimLeaf(domain, claim, device));
  }
  return leaves;
}

/**
 * Rebuild the evidence of the bulk claim holding `serial` of `allowanceId` from the chain: the
 * `BulkClaimed` events and their transactions' input (nothing else is needed). A claim sent
 * through another contract (a multisig) is not read.
 * @returns undefined when no batch claims it
 */
export async function findBulkEvidence(
  ctx: ClearhouseContext,
  p: { allowanceId: Hex; serial: number },
): Promise<BulkEvidence | undefined> {
  const v = offlineVault(ctx);
  const logs = await queryLogs(ctx, "getLogs(BulkClaimed)", deployedSince(ctx, "OfflineVault"), (range) =>
    ctx.publicClient.getContractEvents({
      address: v.address,
      abi: offlineVaultAbi,
      eventName: "BulkClaimed",
      ...range,
    }),
  );
  const bit = 1n << BigInt(p.serial - 1);
  for (const log of [...logs].reverse()) {
    const tx = await rpc(ctx, "getTransaction", () => ctx.publicClient.getTransaction({ hash: log.transactionHash }));
    if (tx.to?.toLowerCase() !== v.address.toLowerCase()) continue;
    const decoded = decodeFunctionData({ abi: offlineVaultAbi, data: tx.input });
    if (decoded.functionName !== "claimBulk") continue;
    const claims = decoded.args[0].map((c) => ({ ...c, vouchers: [...c.vouchers] }));
    const index = claims.findIndex((c) => c.allowanceId === p.allowanceId && (c.serials & bit) !== 0n);
    if (index < 0) continue;
    const batchId = log.args.batchId!;
    return { batchId, leaves: await leavesOf(ctx, claims), claimIndex: BigInt(index), claim: claims[index] };
  }
  return undefined;
}

/** Dispute a claim of a pending batch (the allowance's bank or wallet): its vouchers go back to one-by-one redemption. */
export async function disputeClaim(ctx: ClearhouseContext, p: { evidence: BulkEvidence }): Promise<WriteResult> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "disputeClaim", args: [p.evidence] });
}

/** Pay a batch to its bank once its dispute window is over (anyone). */
export async function settleBulk(ctx: ClearhouseContext, p: { batchId: bigint }): Promise<WriteResult> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "settleBulk", args: [p.batchId] });
}

/**
 * Prove a double spend against a serial claimed in a settled bulk batch: the evidence is found on
 * chain when not given. Pays the voucher's payee from the issuing bank's guarantee.
 */
export async function redeemDoubleSpent(
  ctx: ClearhouseContext,
  p: { voucher: SignedVoucher; evidence?: BulkEvidence },
): Promise<WriteResult> {
  checkDomain(ctx, p.voucher, "voucher");
  const v = p.voucher.voucher;
  const evidence = p.evidence ?? (await findBulkEvidence(ctx, { allowanceId: v.allowanceId, serial: v.serial }));
  if (!evidence)
    throw new InvalidArgumentError("voucher", `no bulk batch claims serial ${v.serial} of allowance ${v.allowanceId}`);
  return writeContract(ctx, {
    ...offlineVault(ctx),
    functionName: "redeemDoubleSpent",
    args: [v, p.voucher.signature, evidence],
  });
}

/** Post to the caller's (a bank's) guarantee fund, approving the vault first when needed. */
export async function postGuarantee(
  ctx: ClearhouseContext,
  p: { amount: bigint; maxPayments?: number },
): Promise<WriteResult> {
  const v = offlineVault(ctx);
  const token = ctx.deployment.contracts.SettlementToken.proxy;
  const bank = ctx.walletClient?.account?.address;
  if (bank) {
    const current = await readContract(ctx, {
      address: token,
      abi: settlementTokenAbi,
      functionName: "allowance",
      args: [bank, v.address],
    });
    if (current < p.amount)
      await writeContract(ctx, {
        address: token,
        abi: settlementTokenAbi,
        functionName: "approve",
        args: [v.address, p.amount],
      });
  }
  return writeContract(ctx, {
    ...v,
    functionName: "postGuarantee",
    args: [p.amount, BigInt(p.maxPayments ?? 32)],
  });
}

/** Withdraw from the caller's guarantee (what its live allowances do not require). */
export async function withdrawGuarantee(ctx: ClearhouseContext, p: { amount: bigint }): Promise<WriteResult> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "withdrawGuarantee", args: [p.amount] });
}

/** Credit up to `maxPayments` of a bank's queued compensations from its guarantee (anyone). */
export async function payDebts(
  ctx: ClearhouseContext,
  p: { bank: Address; maxPayments?: number },
): Promise<WriteResult> {
  return writeContract(ctx, {
    ...offlineVault(ctx),
    functionName: "payDebts",
    args: [p.bank, BigInt(p.maxPayments ?? 32)],
  });
}

/** Take the compensations credited to the caller. */
export async function claimCredit(ctx: ClearhouseContext): Promise<WriteResult> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "claimCredit", args: [] });
}

/** Return what is left of an allowance to its wallet once its redemption period is over (anyone). */
export async function releaseAllowance(ctx: ClearhouseContext, p: { allowanceId: Hex }): Promise<WriteResult> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "release", args: [p.allowanceId] });
}

/** An allowance as the vault stores it. */
export async function getAllowance(ctx: ClearhouseContext, p: { allowanceId: Hex }) {
  return readContract(ctx, { ...offlineVault(ctx), functionName: "allowanceOf", args: [p.allowanceId] });
}

/** A bank's guarantee, locked funds and debt. */
export async function getBankBook(ctx: ClearhouseContext, p: { bank: Address }) {
  return readContract(ctx, { ...offlineVault(ctx), functionName: "bankBookOf", args: [p.bank] });
}

/** A bulk batch. */
export async function getBulkBatch(ctx: ClearhouseContext, p: { batchId: bigint }) {
  return readContract(ctx, { ...offlineVault(ctx), functionName: "batchOf", args: [p.batchId] });
}

/** Where a voucher stands on chain: redeemed with it, redeemed with another (double spend), compensated, or open. */
export async function getVoucherStatus(
  ctx: ClearhouseContext,
  p: { voucher: SignedVoucher },
): Promise<"open" | "redeemed" | "compensated" | "taken-by-another" | "claimed-in-bulk"> {
  const v = offlineVault(ctx);
  const { voucher } = p.voucher;
  const digest = await readContract(ctx, { ...v, functionName: "voucherDigestOf", args: [voucher] });
  if (await readContract(ctx, { ...v, functionName: "isCompensated", args: [digest] })) return "compensated";
  const a = await readContract(ctx, { ...v, functionName: "allowanceOf", args: [voucher.allowanceId] });
  if ((a.redeemed & (1n << BigInt(voucher.serial - 1))) === 0n) return "open";
  const by = await readContract(ctx, { ...v, functionName: "redeemedBy", args: [voucher.allowanceId, voucher.serial] });
  if (by === digest) return "redeemed";
  if (by !== "0x0000000000000000000000000000000000000000000000000000000000000000") return "taken-by-another";
  return "claimed-in-bulk";
}
