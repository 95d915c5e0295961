/** Rows of the PostgreSQL delivery store as node-postgres returns them, and the queries' shared parts. */
import type { DeliveryRecord } from "./types";

export interface Row {
  seq: string;
  delivery_id: string;
  subscription_id: string;
  event_id: string;
  name: string;
  block_number: string;
  log_index: number;
  status: DeliveryRecord["status"];
  attempts: number;
  next_attempt_at: string;
  pending_since: string;
  delivered_at: string | null;
  dead_at: string | null;
  last_error: string | null;
  body?: string;
}

export const SELECT = `SELECT o.seq, o.delivery_id, o.subscription_id, o.event_id, e.name, e.block_number, e.log_index,
  o.status, o.attempts, o.next_attempt_at, o.pending_since, o.delivered_at, o.dead_at, o.last_error`;

/** A BIGINT as node-postgres returns it (a string), as a number. */
export const toNumber = (v: string | null) => (v === null ? undefined : Number(v));

export function record(r: Row): DeliveryRecord {
  return {
    seq: Number(r.seq),
    id: r.delivery_id,
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventName: r.name,
    blockNumber: BigInt(r.block_number),
    logIndex: r.log_index,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    pendingSince: Number(r.pending_since),
    deliveredAt: toNumber(r.delivered_at),
    deadAt: toNumber(r.dead_at),
    lastError: r.last_error ?? undefined,
  };
}

/** The oldest pending row of every active subscription: the only row of it that may be attempted. */
export const HEADS = `subscriptions s
  CROSS JOIN LATERAL (SELECT h.seq FROM outbox h WHERE h.subscription_id = s.id AND h.status = 'pending'
                      ORDER BY h.ord LIMIT 1) head
  JOIN outbox o ON o.seq = head.seq`;
