import type { Address, Hex } from "viem";
import { writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { InvalidArgumentError } from "../errors/base";
import { consortiumRegistryAbi } from "@clearhouse/contracts";
import { leiHash, parseNode, type NodeParameters } from "./identifiers";
import {
  UINT128_MAX,
  UINT16_MAX,
  requireAddress,
  requireAmount,
  requireBytes32,
  requireRoles,
  requireSmallInt,
  requireText,
} from "../validate";

const registry = (ctx: ClearhouseContext) => ({
  address: ctx.deployment.contracts.ConsortiumRegistry.proxy,
  abi: consortiumRegistryAbi,
});

/*
 * Each owner action comes in two parts: `<action>Call(ctx, p)` checks the parameters and builds the
 * call without touching the chain (what a governance proposal carries:
 * `buildProposal({ target: call.address, call, description })`), and `<action>(ctx, p)` sends it.
 */

const limit = (argument: string, value: unknown) =>
  requireAmount(argument, value, { max: UINT128_MAX, typeName: "uint128" });

export interface AdmitMemberParameters {
  account: Address;
  /** Bitmask of `Role` values. */
  roles: number;
  /** The member's LEI (hashed by the SDK) or its hash. Exactly one of `lei`/`leiHash`. */
  lei?: string;
  leiHash?: Hex;
  /** Display name, 1–64 bytes. */
  name: string;
  /** Minor units (a bigint); use `UNLIMITED` for no limit. */
  maxSingleTransfer: bigint;
  /** Minor units (a bigint), at least `maxSingleTransfer`; `UNLIMITED` for no limit. */
  maxDailyOutflow: bigint;
}
export type AdmitMemberReturnType = WriteResult;

/** The `admitMember` call, checked and built but not sent (for a governance proposal). */
export function admitMemberCall(ctx: ClearhouseContext, p: AdmitMemberParameters) {
  const account = requireAddress("account", p.account);
  const roles = requireRoles("roles", p.roles);
  if ((p.lei === undefined) === (p.leiHash === undefined)) {
    throw new InvalidArgumentError("lei", "pass exactly one of `lei` or `leiHash`");
  }
  const hash = p.lei !== undefined ? leiHash(p.lei) : requireBytes32("leiHash", p.leiHash);
  const name = requireText("name", p.name, 1, 64);
  const single = limit("maxSingleTransfer", p.maxSingleTransfer);
  const daily = limit("maxDailyOutflow", p.maxDailyOutflow);
  if (single > daily) {
    throw new InvalidArgumentError("maxSingleTransfer", `${single} exceeds maxDailyOutflow ${daily}`);
  }
  return {
    ...registry(ctx),
    functionName: "admitMember",
    args: [account, roles, hash, name, single, daily],
  } as const;
}

/** Admit a member (owner only). Example: `admitMember(ctx, { account, roles: Role.MEMBER_BANK, lei: "529900T8BM49AURSDO55", name: "Bank A", maxSingleTransfer: 1_000_000n, maxDailyOutflow: 5_000_000n })`. */
export async function admitMember(ctx: ClearhouseContext, p: AdmitMemberParameters): Promise<AdmitMemberReturnType> {
  return writeContract(ctx, admitMemberCall(ctx, p));
}

export interface SetRolesParameters {
  account: Address;
  /** Bitmask of `Role` values. */
  roles: number;
}
export type SetRolesReturnType = WriteResult;

/** The `setRoles` call, checked and built but not sent (for a governance proposal). */
export function setRolesCall(ctx: ClearhouseContext, p: SetRolesParameters) {
  const args = [requireAddress("account", p.account), requireRoles("roles", p.roles)] as const;
  return { ...registry(ctx), functionName: "setRoles", args } as const;
}

/** Replace a member's roles (owner only). */
export async function setRoles(ctx: ClearhouseContext, p: SetRolesParameters): Promise<SetRolesReturnType> {
  return writeContract(ctx, setRolesCall(ctx, p));
}

export interface SetLimitsParameters {
  account: Address;
  /** Minor units (a bigint); `UNLIMITED` for no limit. */
  maxSingleTransfer: bigint;
  /** Minor units (a bigint), at least `maxSingleTransfer`; `UNLIMITED` for no limit. */
  maxDailyOutflow: bigint;
}
export type SetLimitsReturnType = WriteResult;

/** The `setLimits` call, checked and built but not sent (for a governance proposal). */
export function setLimitsCall(ctx: ClearhouseContext, p: SetLimitsParameters) {
  const account = requireAddress("account", p.account);
  const single = limit("maxSingleTransfer", p.maxSingleTransfer);
  const daily = limit("maxDailyOutflow", p.maxDailyOutflow);
  if (single > daily) {
    throw new InvalidArgumentError("maxSingleTransfer", `${single} exceeds maxDailyOutflow ${daily}`);
  }
  return { ...registry(ctx), functionName: "setLimits", args: [account, single, daily] } as const;
}

/** Replace a member's limits (owner only). */
export async function setLimits(ctx: ClearhouseContext, p: SetLimitsParameters): Promise<SetLimitsReturnType> {
  return writeContract(ctx, setLimitsCall(ctx, p));
}

export interface SuspendMemberParameters {
  account: Address;
}
export type SuspendMemberReturnType = WriteResult;

/** The `suspendMember` call, checked and built but not sent (for a governance proposal). */
export function suspendMemberCall(ctx: ClearhouseContext, p: SuspendMemberParameters) {
  return { ...registry(ctx), functionName: "suspendMember", args: [requireAddress("account", p.account)] } as const;
}

/** Suspend an active member (owner only). */
export async function suspendMember(
  ctx: ClearhouseContext,
  p: SuspendMemberParameters,
): Promise<SuspendMemberReturnType> {
  return writeContract(ctx, suspendMemberCall(ctx, p));
}

export interface ReinstateMemberParameters {
  account: Address;
}
export type ReinstateMemberReturnType = WriteResult;

/** The `reinstateMember` call, checked and built but not sent (for a governance proposal). */
export function reinstateMemberCall(ctx: ClearhouseContext, p: ReinstateMemberParameters) {
  return { ...registry(ctx), functionName: "reinstateMember", args: [requireAddress("account", p.account)] } as const;
}

/** Reinstate a suspended member (owner only). */
export async function reinstateMember(
  ctx: ClearhouseContext,
  p: ReinstateMemberParameters,
): Promise<ReinstateMemberReturnType> {
  return writeContract(ctx, reinstateMemberCall(ctx, p));
}

export interface RemoveMemberParameters {
  account: Address;
}
export type RemoveMemberReturnType = WriteResult;

/** The `removeMember` call, checked and built but not sent (for a governance proposal). */
export function removeMemberCall(ctx: ClearhouseContext, p: RemoveMemberParameters) {
  return { ...registry(ctx), functionName: "removeMember", args: [requireAddress("account", p.account)] } as const;
}

/** Remove a member (owner only). */
export async function removeMember(ctx: ClearhouseContext, p: RemoveMemberParameters): Promise<RemoveMemberReturnType> {
  return writeContract(ctx, removeMemberCall(ctx, p));
}

const reasonCode = (value: unknown) => requireSmallInt("reasonCode", value, 1, Number(UINT16_MAX));

export interface AddSanctionParameters {
  account: Address;
  /** A reason code of `Reasons` (1 … 65,535). */
  reasonCode: number;
}
export type AddSanctionReturnType = WriteResult;

/** The `addSanction` call, checked and built but not sent (for a governance proposal). */
export function addSanctionCall(ctx: ClearhouseContext, p: AddSanctionParameters) {
  const args = [requireAddress("account", p.account), reasonCode(p.reasonCode)] as const;
  return { ...registry(ctx), functionName: "addSanction", args } as const;
}

/** Put an address on the sanctions list with a reason code ≥ 1 (owner only). */
export async function addSanction(ctx: ClearhouseContext, p: AddSanctionParameters): Promise<AddSanctionReturnType> {
  return writeContract(ctx, addSanctionCall(ctx, p));
}

export interface RemoveSanctionParameters {
  account: Address;
  /** A reason code of `Reasons` (1 … 65,535). */
  reasonCode: number;
}
export type RemoveSanctionReturnType = WriteResult;

/** The `removeSanction` call, checked and built but not sent (for a governance proposal). */
export function removeSanctionCall(ctx: ClearhouseContext, p: RemoveSanctionParameters) {
  const args = [requireAddress("account", p.account), reasonCode(p.reasonCode)] as const;
  return { ...registry(ctx), functionName: "removeSanction", args } as const;
}

/** Take an address off the sanctions list, recording why (owner only). */
export async function removeSanction(
  ctx: ClearhouseContext,
  p: RemoveSanctionParameters,
): Promise<RemoveSanctionReturnType> {
  return writeContract(ctx, removeSanctionCall(ctx, p));
}

export type AllowNodeParameters = NodeParameters & { kind: "validator" | "member" };
export type AllowNodeReturnType = WriteResult;

/** Allow a validator or member node to connect (owner only). */
export async function allowNode(ctx: ClearhouseContext, p: AllowNodeParameters): Promise<AllowNodeReturnType> {
  if (p.kind !== "validator" && p.kind !== "member") {
    throw new InvalidArgumentError("kind", `${JSON.stringify(p.kind)} is neither "validator" nor "member"`);
  }
  const [id, ip, port] = parseNode(p);
  return writeContract(ctx, {
    ...registry(ctx),
    functionName: "allowNode",
    args: [id, ip, port, p.kind === "validator" ? 0 : 1],
  });
}

export type RemoveNodeParameters = NodeParameters;
export type RemoveNodeReturnType = WriteResult;

/** Remove a node from the allowlist (owner only). */
export async function removeNode(ctx: ClearhouseContext, p: RemoveNodeParameters): Promise<RemoveNodeReturnType> {
  return writeContract(ctx, { ...registry(ctx), functionName: "removeNode", args: parseNode(p) });
}
