/**
 * SDK for bulk redemption: claim a plan, rebuild a claim's evidence from the chain, dispute,
 * settle, and prove a double spend against a claim whose dispute window is over.
 */
import { decodeFunctionData, parseEventLogs, type Address, type Hex } from "viem";
import { offlineVaultAbi } from "@clearhouse/contracts";
import { readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { deployedSince } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { queryLogs } from "../logs";
import { checkDomain, offlineVault, receiptLogs } from "./actions";
import { claimLeaf, type BulkClaim, type BulkPlan } from "./bulk";
import type { SignedVoucher } from "./typedData";

export interface ClaimBulkParameters {
  plan: Pick<BulkPlan, "claims">;
}
export interface ClaimBulkReturnType {
  batchId: bigint;
  total: bigint;
  disputeEnd: bigint;
  tx: WriteResult;
}

/** Claim a plan's vouchers in bulk (the caller: the payees' bank). */
export async function claimBulk(ctx: ClearhouseContext, p: ClaimBulkParameters): Promise<ClaimBulkReturnType> {
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

export interface FindBulkEvidenceParameters {
  allowanceId: Hex;
  serial: number;
}
export type FindBulkEvidenceReturnType = BulkEvidence | undefined;

/**
 * Rebuild the evidence of the newest bulk claim holding `serial` of `allowanceId` from the chain:
 * the `BulkClaimed` events and their transactions' input. A claim sent through another contract (a
 * multisig) is not read. Undefined when no batch claims it.
 */
export async function findBulkEvidence(
  ctx: ClearhouseContext,
  p: FindBulkEvidenceParameters,
): Promise<FindBulkEvidenceReturnType> {
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
    return {
      batchId: log.args.batchId!,
      leaves: await leavesOf(ctx, claims),
      claimIndex: BigInt(index),
      claim: claims[index],
    };
  }
  return undefined;
}

export interface DisputeClaimParameters {
  evidence: BulkEvidence;
}
export type DisputeClaimReturnType = WriteResult;

/** Dispute a claim of a pending batch (the allowance's bank or wallet): its vouchers go back to one-by-one redemption. */
export async function disputeClaim(ctx: ClearhouseContext, p: DisputeClaimParameters): Promise<DisputeClaimReturnType> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "disputeClaim", args: [p.evidence] });
}

export interface SettleBulkParameters {
  batchId: bigint;
}
export type SettleBulkReturnType = WriteResult;

/** Pay a batch to its bank once its dispute window is over (anyone). */
export async function settleBulk(ctx: ClearhouseContext, p: SettleBulkParameters): Promise<SettleBulkReturnType> {
  return writeContract(ctx, { ...offlineVault(ctx), functionName: "settleBulk", args: [p.batchId] });
}

export interface RedeemDoubleSpentParameters {
  voucher: SignedVoucher;
  /** Found on chain when not given (`findBulkEvidence`). */
  evidence?: BulkEvidence;
}
export type RedeemDoubleSpentReturnType = WriteResult;

/**
 * Prove a double spend against a serial claimed in a bulk batch whose dispute window is over (settled
 * or not). Pays the voucher's payee from the issuing bank's guarantee.
 */
export async function redeemDoubleSpent(
  ctx: ClearhouseContext,
  p: RedeemDoubleSpentParameters,
): Promise<RedeemDoubleSpentReturnType> {
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
