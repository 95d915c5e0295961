/**
 * How the audit report shows amounts to a person: in currency units of the deployment's token
 * ("1,000.00 tEUR"), "unlimited" for a member limit of UNLIMITED. The report's JSON keeps minor
 * units (decimal strings); only the Markdown, HTML and console renderings use these.
 */
import type { Address } from "viem";
import { UNLIMITED, fromMinorUnits } from "../validate";

/** The token the report's amounts are in (the deployment file's `token`, and its address). */
export interface ReportToken {
  name: string;
  symbol: string;
  decimals: number;
  /** The SettlementToken proxy. */
  address: Address;
}

/** Minor units (bigint or decimal string) → "1,000.00 tEUR". */
export function formatAmount(token: Pick<ReportToken, "symbol" | "decimals">, minor: bigint | string): string {
  return `${fromMinorUnits(BigInt(minor), token.decimals)} ${token.symbol}`;
}

/** A member limit in JSON form: minor units as a decimal string, or "unlimited" for UNLIMITED. */
export type Limit = string;

/** A limit for the report's JSON: "unlimited" for UNLIMITED, else minor units as a decimal string. */
export const limitOf = (minor: bigint): Limit => (minor === UNLIMITED ? "unlimited" : minor.toString());

/** A limit as a person reads it: "unlimited" or "250,000.00 tEUR". */
export function formatLimit(token: Pick<ReportToken, "symbol" | "decimals">, limit: Limit): string {
  return limit === "unlimited" ? "unlimited" : formatAmount(token, limit);
}

/** A unix time in seconds as an ISO 8601 date-time ("2026-11-23T10:00:00.000Z"). */
export const isoDate = (seconds: bigint | number): string => new Date(Number(seconds) * 1000).toISOString();
