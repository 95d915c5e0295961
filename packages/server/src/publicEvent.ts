/**
 * Contract events as the API, the event stream, webhooks and the read index show them: decoded,
 * with every bigint as a decimal string.
 */
import type { Address } from "viem";
import type { AuditEvent } from "@clearhouse/sdk/audit";

/** An event as the API, the stream and webhooks show it (bigints as decimal strings). */
export interface PublicEvent {
  id: string;
  contract: string;
  event: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: number;
  args: Record<string, unknown>;
}

/** A value with every bigint as a decimal string (what JSON can carry), recursively. */
export const plain = (v: unknown): unknown =>
  typeof v === "bigint"
    ? v.toString()
    : Array.isArray(v)
      ? v.map(plain)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
        : v;

export function publicEvent(e: AuditEvent): PublicEvent {
  return {
    id: `${e.transactionHash}:${e.logIndex}`,
    contract: e.contract,
    event: e.eventName,
    blockNumber: e.blockNumber.toString(),
    transactionHash: e.transactionHash,
    logIndex: e.logIndex,
    args: plain(e.args) as Record<string, unknown>,
  };
}

/** Whether an event names `account` in any argument (what a member may see of the stream). */
export function involves(e: PublicEvent, account: Address): boolean {
  const a = account.toLowerCase();
  const walk = (v: unknown): boolean =>
    typeof v === "string"
      ? v.toLowerCase() === a
      : Array.isArray(v)
        ? v.some(walk)
        : v && typeof v === "object"
          ? Object.values(v).some(walk)
          : false;
  return walk(e.args);
}
