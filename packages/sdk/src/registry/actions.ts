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
  type IntegerLike,
} from "../validate";

const registry = (ctx: ClearhouseContext) => ({
  address: ctx.deployment.contracts.ConsortiumRegistry.proxy,
  abi: consortiumRegistryAbi,
});

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
  /** Minor units; use `UNLIMITED` for no limit. */
  maxSingleTransfer: IntegerLike;
  maxDailyOutflow: IntegerLike;
}

/** Admit a member (owner only). Example: `admitMember(ctx, { account, roles: Role.MEMBER_BANK, lei: "529900T8BM49AURSDO55", name: "Bank A", maxSingleTransfer: 1_000_000n, maxDailyOutflow: 5_000_000n })`. */
export async function admitMember(ctx: ClearhouseContext, p: AdmitMemberParameters): Promise<WriteResult> {
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
  return writeContract(ctx, {
    ...registry(ctx),
    functionName: "admitMember",
    args: [account, roles, hash, name, single, daily],
  });
}

/** Replace a member's roles (owner only). */
export async function setRoles(ctx: ClearhouseContext, p: { account: Address; roles: number }): Promise<WriteResult> {
  const args = [requireAddress("account", p.account), requireRoles("roles", p.roles)] as const;
  return writeContract(ctx, { ...registry(ctx), functionName: "setRoles", args });
}

/** Replace a member's limits (owner only). */
export async function setLimits(
  ctx: ClearhouseContext,
  p: { account: Address; maxSingleTransfer: IntegerLike; maxDailyOutflow: IntegerLike },
): Promise<WriteResult> {
  const account = requireAddress("account", p.account);
  const single = limit("maxSingleTransfer", p.maxSingleTransfer);
  const daily = limit("maxDailyOutflow", p.maxDailyOutflow);
  if (single > daily) {
    throw new InvalidArgumentError("maxSingleTransfer", `${single} exceeds maxDailyOutflow ${daily}`);
  }
  return writeContract(ctx, { ...registry(ctx), functionName: "setLimits", args: [account, single, daily] });
}

/** Suspend an active member (owner only). */
export async function suspendMember(ctx: ClearhouseContext, p: { account: Address }): Promise<WriteResult> {
  return writeContract(ctx, {
    ...registry(ctx),
    functionName: "suspendMember",
    args: [requireAddress("account", p.account)],
  });
}

/** Reinstate a suspended member (owner only). */
export async function reinstateMember(ctx: ClearhouseContext, p: { account: Address }): Promise<WriteResult> {
  return writeContract(ctx, {
    ...registry(ctx),
    functionName: "reinstateMember",
    args: [requireAddress("account", p.account)],
  });
}

/** Remove a member (owner only). */
export async function removeMember(ctx: ClearhouseContext, p: { account: Address }): Promise<WriteResult> {
  return writeContract(ctx, {
    ...registry(ctx),
    functionName: "removeMember",
    args: [requireAddress("account", p.account)],
  });
}

const reasonCode = (value: unknown) => requireSmallInt("reasonCode", value, 1, Number(UINT16_MAX));

/** Put an address on the sanctions list with a reason code ≥ 1 (owner only). */
export async function addSanction(
  ctx: ClearhouseContext,
  p: { account: Address; reasonCode: number },
): Promise<WriteResult> {
  const args = [requireAddress("account", p.account), reasonCode(p.reasonCode)] as const;
  return writeContract(ctx, { ...registry(ctx), functionName: "addSanction", args });
}

/** Take an address off the sanctions list, recording why (owner only). */
export async function removeSanction(
  ctx: ClearhouseContext,
  p: { account: Address; reasonCode: number },
): Promise<WriteResult> {
  const args = [requireAddress("account", p.account), reasonCode(p.reasonCode)] as const;
  return writeContract(ctx, { ...registry(ctx), functionName: "removeSanction", args });
}

/** Allow a validator or member node to connect (owner only). */
export async function allowNode(
  ctx: ClearhouseContext,
  p: NodeParameters & { kind: "validator" | "member" },
): Promise<WriteResult> {
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

/** Remove a node from the allowlist (owner only). */
export async function removeNode(ctx: ClearhouseContext, p: NodeParameters): Promise<WriteResult> {
  return writeContract(ctx, { ...registry(ctx), functionName: "removeNode", args: parseNode(p) });
}
