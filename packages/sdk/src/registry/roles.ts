/** Role bits, as in contracts/access/Roles.sol. A member may hold several (OR them together). */
export const Role = {
  OPERATOR: 1,
  MEMBER_BANK: 2,
  CORPORATE: 4,
  AUDITOR: 8,
  REGULATOR: 16,
} as const;

export type RoleName = keyof typeof Role;
export const ALL_ROLES = 31;

/** Lifecycle of a member, as in IConsortiumRegistry.MemberStatus. */
export const MemberStatus = ["None", "Active", "Suspended", "Removed"] as const;
export type MemberStatusName = (typeof MemberStatus)[number];

/** Why `check` refuses a transaction, as in IConsortiumRegistry.Reason (the index is the code). */
export const Reasons = [
  { code: 0, name: "Allowed", description: "the transaction may be sent" },
  { code: 1, name: "SenderNotMember", description: "the sender was never admitted to the consortium" },
  { code: 2, name: "SenderSuspended", description: "the sender is suspended" },
  { code: 3, name: "SenderRemoved", description: "the sender was removed from the consortium" },
  { code: 4, name: "SenderSanctioned", description: "the sender is on the sanctions list" },
  { code: 5, name: "TargetSanctioned", description: "the recipient or target contract is on the sanctions list" },
  { code: 6, name: "CreationNotAllowed", description: "only OPERATOR members may deploy contracts" },
  { code: 7, name: "NativeValueNotAllowed", description: "only OPERATOR members may send the chain's native coin" },
  { code: 8, name: "RegistryPaused", description: "an emergency pause is on; only calls to governance pass" },
  { code: 9, name: "SenderWalletClosed", description: "the sender is a customer wallet that was closed" },
  {
    code: 10,
    name: "SenderWalletBankInactive",
    description: "the sender is a customer wallet whose bank is suspended, removed, sanctioned or not a MEMBER_BANK",
  },
] as const;
export type ReasonName = (typeof Reasons)[number]["name"];

/** Role names held in a bitmask, e.g. `rolesToNames(3)` → `["OPERATOR", "MEMBER_BANK"]`. */
export function rolesToNames(roles: number): RoleName[] {
  return (Object.keys(Role) as RoleName[]).filter((name) => (roles & Role[name]) !== 0);
}

/** Bitmask of role names, e.g. `namesToRoles(["MEMBER_BANK", "AUDITOR"])` → 10. */
export function namesToRoles(names: readonly RoleName[]): number {
  return names.reduce((mask, name) => mask | Role[name], 0);
}

/** Human-readable status of a status code (unknown codes shown as numbers). */
export function statusName(status: number): string {
  return MemberStatus[status] ?? `status ${status}`;
}
