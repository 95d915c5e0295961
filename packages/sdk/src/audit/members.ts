/**
 * The report's members section: every member ever admitted, with its status, roles, sanction and
 * transfer limits (minor units, or "unlimited") as the registry says at the audited block. Pure.
 */
import type { Address } from "viem";
import { rolesToNames, statusName, type RoleName } from "../registry/roles";
import type { ChainSnapshot } from "./collect";
import { limitOf, type Limit } from "./units";

/** One member as the report lists it. */
export interface MemberEntry {
  account: Address;
  name: string;
  /** "Active", "Suspended", "Removed" (or "None"). */
  status: string;
  roles: RoleName[];
  /** The sanction reason code; 0 when not sanctioned. */
  sanction: number;
  /** Largest single transfer: minor units as a decimal string, or "unlimited". */
  maxSingleTransfer: Limit;
  /** Largest total outflow per UTC day: minor units as a decimal string, or "unlimited". */
  maxDailyOutflow: Limit;
}

/** Every member, in admission order. */
export function membersSection(s: ChainSnapshot): MemberEntry[] {
  return Object.entries(s.state.members).map(([account, m]) => ({
    account: account as Address,
    name: m.name,
    status: statusName(m.status),
    roles: rolesToNames(m.roles),
    sanction: m.sanction,
    maxSingleTransfer: limitOf(m.maxSingleTransfer),
    maxDailyOutflow: limitOf(m.maxDailyOutflow),
  }));
}
