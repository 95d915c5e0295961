/**
 * Member accounts (decision 045, docs/access.md "Member accounts"): create an account for a
 * member, authorize and revoke its keys, list them, find a key's account. Acting *as* an account
 * is the client's `memberAccount` option (every write goes through the account's `execute`).
 */
import { zeroHash, type Address, type Hex } from "viem";
import { consortiumRegistryAbi, memberAccountAbi, memberAccountFactoryAbi } from "@clearhouse/contracts";
import { readContract, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { ContractNotDeployedError, InvalidArgumentError } from "../errors/base";
import { requireAddress, requireBytes32 } from "../validate";

/** A key's roles by name: SUBMIT (1) sends as the member, APPROVE (2) signs offline, OPERATE (4) manages keys. */
export const KEY_ROLES = { submit: 1, approve: 2, operate: 4 } as const;
export type KeyRoleName = keyof typeof KEY_ROLES;

/** The role names of a bitmask, in SUBMIT, APPROVE, OPERATE order. */
export function keyRoleNames(roles: number): KeyRoleName[] {
  return (Object.keys(KEY_ROLES) as KeyRoleName[]).filter((name) => roles & KEY_ROLES[name]);
}

/** A role bitmask from names (`["submit", "approve"]`) or a number 1..7; InvalidArgumentError otherwise. */
export function keyRoles(argument: string, value: readonly string[] | number): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 1 || value > 7)
      throw new InvalidArgumentError(argument, `is ${value}: key roles are 1..7 (SUBMIT 1, APPROVE 2, OPERATE 4)`);
    return value;
  }
  if (value.length === 0)
    throw new InvalidArgumentError(argument, "is empty: name at least one of submit, approve, operate");
  let roles = 0;
  for (const name of value) {
    const bit = KEY_ROLES[name.toLowerCase() as KeyRoleName];
    if (!bit) throw new InvalidArgumentError(argument, `has "${name}": key roles are submit, approve and operate`);
    roles |= bit;
  }
  return roles;
}

function factory(ctx: ClearhouseContext) {
  const accounts = ctx.deployment.contracts.MemberAccounts;
  if (!accounts)
    throw new ContractNotDeployedError(
      "MemberAccountFactory",
      "Deploy the consortium with this version (`clearhouse deploy`), which deploys member accounts with the settlement layer.",
    );
  return { address: accounts.factory, abi: memberAccountFactoryAbi };
}

export interface CreateMemberAccountParameters {
  /** The first key (it gets every role by default; OPERATE is required). */
  firstKey: Address;
  /** Roles of the first key (default all three). */
  roles?: readonly KeyRoleName[] | number;
  /** Any 32-byte value: with the key and roles it fixes the account's address (default zero). */
  salt?: Hex;
}
export interface CreateMemberAccountReturnType extends WriteResult {
  account: Address;
}
export type PredictMemberAccountParameters = CreateMemberAccountParameters;
export type PredictMemberAccountReturnType = Address;

/**
 * Create a member account whose first key is `firstKey`. Its address is deterministic: the
 * same parameters give the same account (created once; a second call is refused by the chain).
 * Governance then admits the account's address in the registry like any member.
 */
export async function createMemberAccount(
  ctx: ClearhouseContext,
  p: CreateMemberAccountParameters,
): Promise<CreateMemberAccountReturnType> {
  const args = creationArgs(p);
  const account = await readContract(ctx, { ...factory(ctx), functionName: "accountAddress", args });
  const result = await writeContract(ctx, { ...factory(ctx), functionName: "createAccount", args });
  return { ...result, account };
}

/** The address `createMemberAccount` gives for these parameters (the account may not exist yet). */
export async function predictMemberAccount(
  ctx: ClearhouseContext,
  p: PredictMemberAccountParameters,
): Promise<PredictMemberAccountReturnType> {
  return readContract(ctx, { ...factory(ctx), functionName: "accountAddress", args: creationArgs(p) });
}

/** The factory's (firstKey, roles, salt), checked: roles default to all three, salt to zero. */
function creationArgs(p: CreateMemberAccountParameters): readonly [Address, number, Hex] {
  const firstKey = requireAddress("firstKey", p.firstKey);
  const roles = keyRoles("roles", p.roles ?? 7);
  const salt = p.salt === undefined ? zeroHash : requireBytes32("salt", p.salt, { allowZero: true });
  return [firstKey, roles, salt];
}

export interface AuthorizeKeyParameters {
  account: Address;
  key: Address;
  roles: readonly KeyRoleName[] | number;
}
export type AuthorizeKeyReturnType = WriteResult;

/**
 * Authorize `key` on `account` with `roles`, or change its roles. The signer must be an OPERATE key
 * of the account (or governance, through a proposal: `authorizeKeyCall`).
 */
export async function authorizeKey(ctx: ClearhouseContext, p: AuthorizeKeyParameters): Promise<AuthorizeKeyReturnType> {
  return writeContract(ctx, authorizeKeyCall(p));
}

export interface RevokeKeyParameters {
  account: Address;
  key: Address;
}
export type RevokeKeyReturnType = WriteResult;

/** Revoke `key` from `account`: refused by the account and by the chain from the next block on. */
export async function revokeKey(ctx: ClearhouseContext, p: RevokeKeyParameters): Promise<RevokeKeyReturnType> {
  return writeContract(ctx, revokeKeyCall(p));
}

/** The call that authorizes a key (sent by `authorizeKey`, or put in a governance proposal). */
export function authorizeKeyCall(p: AuthorizeKeyParameters) {
  return {
    address: requireAddress("account", p.account),
    abi: memberAccountAbi,
    functionName: "authorizeKey",
    args: [requireAddress("key", p.key), keyRoles("roles", p.roles)],
  } as const;
}

/** The call that revokes a key (sent by `revokeKey`, or a governance proposal: the compromised-key runbook). */
export function revokeKeyCall(p: RevokeKeyParameters) {
  return {
    address: requireAddress("account", p.account),
    abi: memberAccountAbi,
    functionName: "revokeKey",
    args: [requireAddress("key", p.key)],
  } as const;
}

export interface ResetKeysParameters {
  account: Address;
  /** The key that takes over; its roles must include operate. */
  newKey: Address;
  roles: readonly KeyRoleName[] | number;
}

/**
 * The call that revokes every key of `account` and authorizes `newKey` (governance only, a
 * sensitive proposal: the compromised-key runbook when an OPERATE key was stolen).
 */
export function resetKeysCall(p: ResetKeysParameters) {
  const roles = keyRoles("roles", p.roles);
  if (!(roles & KEY_ROLES.operate))
    throw new InvalidArgumentError("roles", "must include operate: the new key takes over the account's keys");
  return {
    address: requireAddress("account", p.account),
    abi: memberAccountAbi,
    functionName: "resetKeys",
    args: [requireAddress("newKey", p.newKey), roles],
  } as const;
}

export type ResetKeysReturnType = WriteResult;

/** Send `resetKeysCall` (the signer must be governance: before the hand-over, the deployer). */
export async function resetKeys(ctx: ClearhouseContext, p: ResetKeysParameters): Promise<ResetKeysReturnType> {
  return writeContract(ctx, resetKeysCall(p));
}

/** One authorized key of an account. */
export interface MemberKey {
  key: Address;
  roles: number;
  roleNames: KeyRoleName[];
}

export interface MemberKeysParameters {
  account: Address;
}
export type MemberKeysReturnType = MemberKey[];

/** Every key `account` authorizes, with its roles. */
export async function memberKeys(ctx: ClearhouseContext, p: MemberKeysParameters): Promise<MemberKeysReturnType> {
  const account = requireAddress("account", p.account);
  const [keys, roles] = await readContract(ctx, {
    address: account,
    abi: memberAccountAbi,
    functionName: "keys",
    args: [],
  });
  return keys.map((key, i) => ({ key, roles: roles[i], roleNames: keyRoleNames(roles[i]) }));
}

export interface AccountOfKeyParameters {
  key: Address;
}
export type AccountOfKeyReturnType = Address | undefined;

/** The account `key` signs for, or undefined when it is bound to none (never, or revoked). */
export async function accountOfKey(ctx: ClearhouseContext, p: AccountOfKeyParameters): Promise<AccountOfKeyReturnType> {
  const key = requireAddress("key", p.key);
  const account = await readContract(ctx, {
    address: ctx.deployment.contracts.ConsortiumRegistry.proxy,
    abi: consortiumRegistryAbi,
    functionName: "accountOfKey",
    args: [key],
  });
  return /^0x0{40}$/i.test(account) ? undefined : account;
}
