import type { Address, Hex } from "viem";
import { readContract, type ClearhouseContext } from "../context";
import { ClearhouseError } from "../errors/base";
import { consortiumRegistryAbi } from "@clearhouse/contracts";
import { requireAddress, requireAmount } from "../validate";
import { parseNode, type NodeParameters } from "./identifiers";
import { Reasons, rolesToNames, statusName, type ReasonName, type RoleName } from "./roles";

const registry = (ctx: ClearhouseContext) => ({
  address: ctx.deployment.contracts.ConsortiumRegistry.proxy,
  abi: consortiumRegistryAbi,
});

/** A member as the SDK returns it: raw fields plus readable names. */
export interface MemberInfo {
  account: Address;
  status: "None" | "Active" | "Suspended" | "Removed";
  statusSince: bigint;
  roles: number;
  roleNames: RoleName[];
  name: string;
  leiHash: Hex;
  maxSingleTransfer: bigint;
  maxDailyOutflow: bigint;
  /** Sanction reason code, 0 if not sanctioned. */
  sanction: number;
}

export interface GetMemberParameters {
  /** Any address (the zero address too): one never admitted comes back with status "None". */
  account: Address;
}
export type GetMemberReturnType = MemberInfo;

/** Everything the registry knows about `account` (status "None" if never admitted). */
export async function getMember(ctx: ClearhouseContext, p: GetMemberParameters): Promise<GetMemberReturnType> {
  const account = requireAddress("account", p.account, { allowZero: true });
  const [m, sanction] = await Promise.all([
    readContract(ctx, { ...registry(ctx), functionName: "memberOf", args: [account] }),
    readContract(ctx, { ...registry(ctx), functionName: "sanctionOf", args: [account] }),
  ]);
  return {
    account,
    status: statusName(m.status) as MemberInfo["status"],
    statusSince: m.statusSince,
    roles: m.roles,
    roleNames: rolesToNames(m.roles),
    name: m.name,
    leiHash: m.leiHash,
    maxSingleTransfer: m.maxSingleTransfer,
    maxDailyOutflow: m.maxDailyOutflow,
    sanction,
  };
}

export type ListMembersReturnType = MemberInfo[];

/** Every member ever admitted, in admission order (removed ones included, with their status). */
export async function listMembers(ctx: ClearhouseContext): Promise<ListMembersReturnType> {
  const count = await readContract(ctx, { ...registry(ctx), functionName: "memberCount", args: [] });
  const indexes = Array.from({ length: Number(count) }, (_, i) => BigInt(i));
  const accounts = await Promise.all(
    indexes.map((i) => readContract(ctx, { ...registry(ctx), functionName: "memberAt", args: [i] })),
  );
  return Promise.all(accounts.map((account) => getMember(ctx, { account })));
}

/** The verdict of the registry's preflight. */
export interface CheckResult {
  allowed: boolean;
  reason: { code: number; name: ReasonName; description: string };
}

export interface CheckTransactionParameters {
  sender: Address;
  /** The called contract or recipient; the zero address means contract creation. */
  target: Address;
  /** Native value in wei (default 0n). */
  value?: bigint;
  /** Calldata (default "0x"). */
  data?: Hex;
}
export type CheckTransactionReturnType = CheckResult;

/**
 * Ask the registry whether a transaction would be allowed and, if not, why — before sending it
 * (Besu drops refused transactions silently). `target` = zero address means contract creation.
 */
export async function checkTransaction(
  ctx: ClearhouseContext,
  p: CheckTransactionParameters,
): Promise<CheckTransactionReturnType> {
  const sender = requireAddress("sender", p.sender);
  const target = requireAddress("target", p.target, { allowZero: true });
  const value = requireAmount("value", p.value ?? 0n);
  const [allowed, code] = await readContract(ctx, {
    ...registry(ctx),
    functionName: "check",
    args: [sender, target, value, p.data ?? "0x"],
  });
  const reason = Reasons[code];
  if (!reason) {
    throw new ClearhouseError(`The registry returned reason code ${code}, which this SDK does not know.`, {
      hint: "The registry was upgraded past this SDK version; update the SDK.",
    });
  }
  return { allowed, reason: { code: reason.code, name: reason.name, description: reason.description } };
}

export type IsNodeAllowedParameters = NodeParameters;
export type IsNodeAllowedReturnType = boolean;

/** Whether a node may connect (the same answer Besu gets from `connectionAllowed`). */
export async function isNodeAllowed(
  ctx: ClearhouseContext,
  p: IsNodeAllowedParameters,
): Promise<IsNodeAllowedReturnType> {
  return readContract(ctx, { ...registry(ctx), functionName: "connectionAllowed", args: parseNode(p) });
}

export type GetRegistryOwnerReturnType = Address;

/** The registry's owner (the governance multisig once handed over). */
export async function getRegistryOwner(ctx: ClearhouseContext): Promise<GetRegistryOwnerReturnType> {
  return readContract(ctx, { ...registry(ctx), functionName: "owner", args: [] });
}
