/** Messages of the member account's errors (contracts/access/MemberAccount.sol, MemberAccountFactory.sol). */
import type { memberAccountAbi, memberAccountFactoryAbi } from "@clearhouse/contracts";
import { short } from "../format";
import type { CatalogPart, OwnErrorName } from "./types";

/** "SUBMIT+APPROVE" for a key role bitmask. */
export const keyRoleNames = (roles: number): string =>
  ["SUBMIT", "APPROVE", "OPERATE"].filter((_, i) => roles & (1 << i)).join("+") || `roles ${roles}`;

/** InvalidShortString and StringTooLong (EIP-712 names) are described with the multisig's errors. */
type AccountErrorName = Exclude<
  OwnErrorName<typeof memberAccountAbi> | OwnErrorName<typeof memberAccountFactoryAbi>,
  "InvalidShortString" | "StringTooLong"
>;

export const accountErrors: CatalogPart<AccountErrorName> = {
  MemberAccountUnauthorized: ([caller, role]) => ({
    message: `${short(caller)} is not a key of this account holding ${keyRoleNames(Number(role))} (or it was revoked)`,
    hint: "Sign with a key the account authorized for that role (`clearhouse keys list <account>`).",
    category: "input",
  }),
  MemberAccountInvalidRoles: ([roles]) => ({
    message: `key roles ${roles} are empty or outside SUBMIT(1), APPROVE(2), OPERATE(4) (a first key needs OPERATE)`,
    hint: "Use a combination of submit, approve and operate.",
  }),
  MemberAccountInvalidKey: ([key]) => ({
    message: `${short(key)} can't be a key of this account (zero, the account itself, or the registry)`,
    hint: "Pass the address of the new key.",
  }),
  MemberAccountUnknownKey: ([key]) => ({
    message: `${short(key)} is not a key of this account`,
    hint: "Check the key address (`clearhouse keys list <account>`).",
  }),
  MemberAccountTooManyKeys: ([max]) => ({
    message: `the account already holds ${max} keys, the most it may`,
    hint: "Revoke a key it no longer uses first.",
  }),
  MemberAccountLastOperator: ([key]) => ({
    message: `${short(key)} is the account's last OPERATE key; only governance may leave it without one`,
    hint: "Authorize another OPERATE key first, then revoke or re-role this one.",
  }),
  MemberAccountForbiddenCall: ([target, selector]) => ({
    message: `an account key may not call ${short(target)} (${selector}) through execute: it would change the account's keys`,
    hint: "Change keys with `clearhouse keys add|revoke`, which need an OPERATE key.",
  }),
  MemberAccountZeroRegistry: () => ({
    message: "the account's registry address is zero",
    hint: "Create accounts through the deployment's MemberAccountFactory.",
  }),
  MemberAccountFactoryZeroAddress: () => ({
    message: "the factory's beacon or registry address is zero",
    hint: "Deploy the factory with the deployment's beacon and registry.",
  }),
  InsufficientBalance: ([balance, needed]) => ({
    message: `the account holds ${balance} wei of the native coin, and the call needs ${needed}`,
    hint: "Calls through a member account carry no native value; send the call without one.",
  }),
};
