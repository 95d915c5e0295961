/**
 * The PostgreSQL delivery store's claims and outcomes: a claim locks the rows it takes without
 * waiting (`FOR UPDATE … SKIP LOCKED`) and leases them (`lease_until`, the claimant, a token); an
 * outcome or a release counts only with the token of the lease that still holds the row.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { PoolClient } from "pg";
import { HEADS, record, SELECT, type Row } from "./postgresRows";
import type { AttemptOutcome, ClaimedDelivery } from "./types";

/** What frees a row's lease. */
const RELEASE = "lease_until = NULL, lease_owner = NULL, lease_token = NULL";

/** `DeliveryStore.claimDue` in transaction `c`, leases taken by `owner`. */
export async function claimHeads(
  c: PoolClient,
  owner: string,
  now: number,
  leaseMs: number,
  exclude: ReadonlySet<string>,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const lease = randomUUID();
  // Heads only, locked without waiting: a head another server is claiming right now is skipped
  // (it will hold a lease), and the row behind it is never a head while it is pending. The
  // status is re-checked on the locked row (a concurrent `complete` may have settled it).
  const due = await c.query<{ seq: string }>(
    `SELECT o.seq FROM ${HEADS}
       WHERE s.active AND NOT (s.id = ANY($3::text[])) AND o.status = 'pending' AND o.next_attempt_at <= $1
         AND (o.lease_until IS NULL OR o.lease_until <= $1)
       ORDER BY o.next_attempt_at, o.seq LIMIT $2
       FOR UPDATE OF o SKIP LOCKED`,
    [now, limit, [...exclude]],
  );
  if (!due.rows.length) return [];
  await c.query(
    `UPDATE outbox SET lease_until = $1, lease_owner = $2, lease_token = $3
       WHERE seq = ANY($4::bigint[]) AND status = 'pending'`,
    [now + leaseMs, owner, lease, due.rows.map((r) => r.seq)],
  );
  const claimed = await c.query<Row & { body: string }>(
    `${SELECT}, e.body FROM outbox o JOIN events e ON e.id = o.event_id
       WHERE o.seq = ANY($1::bigint[]) AND o.lease_token = $2 ORDER BY o.next_attempt_at, o.seq`,
    [due.rows.map((r) => r.seq), lease],
  );
  return claimed.rows.map((r) => ({ ...record(r), body: r.body, lease }));
}

/** `DeliveryStore.claimRun` in transaction `c`, the lease taken by `owner`. */
export async function claimRun(
  c: PoolClient,
  owner: string,
  subscriptionId: string,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const lease = randomUUID();
  // The subscription's first pending rows in order, then those of them locked for this claim,
  // without waiting: a row another server is claiming right now is skipped, and the run ends
  // before it — so the run begins at the head or is empty, never starting behind it. Due and
  // unleased are judged on the locked (latest) row; a row settled meanwhile drops out of the lock.
  const pending = await c.query<Row & { body: string }>(
    `${SELECT}, e.body FROM outbox o JOIN events e ON e.id = o.event_id
       JOIN subscriptions s ON s.id = o.subscription_id
       WHERE o.subscription_id = $1 AND o.status = 'pending' AND s.active ORDER BY o.ord LIMIT $2`,
    [subscriptionId, limit],
  );
  if (!pending.rows.length) return [];
  const locked = await c.query<{ seq: string }>(
    `SELECT seq FROM outbox WHERE seq = ANY($1::bigint[]) AND status = 'pending' AND next_attempt_at <= $2
         AND (lease_until IS NULL OR lease_until <= $2) FOR UPDATE SKIP LOCKED`,
    [pending.rows.map((r) => r.seq), now],
  );
  const free = new Set(locked.rows.map((r) => r.seq));
  const end = pending.rows.findIndex((r) => !free.has(r.seq));
  const run = end === -1 ? pending.rows : pending.rows.slice(0, end);
  if (!run.length) return [];
  await c.query(
    "UPDATE outbox SET lease_until = $1, lease_owner = $2, lease_token = $3 WHERE seq = ANY($4::bigint[])",
    [now + leaseMs, owner, lease, run.map((r) => r.seq)],
  );
  return run.map((r) => ({ ...record(r), body: r.body, lease }));
}

/** `DeliveryStore.release`: one statement. */
export async function release(pool: pg.Pool, claimed: { seq: number; lease?: string }[]): Promise<void> {
  if (!claimed.length) return;
  // Only leases still held by the claim: a lease that ran out and was taken over stays the taker's.
  await pool.query(
    `UPDATE outbox o SET ${RELEASE} FROM unnest($1::bigint[], $2::text[]) AS c (seq, lease)
     WHERE o.seq = c.seq AND (c.lease IS NULL OR o.lease_token = c.lease)`,
    [claimed.map((c) => c.seq), claimed.map((c) => c.lease ?? null)],
  );
}

/** `DeliveryStore.complete`: one statement. */
export async function complete(
  pool: pg.Pool,
  claimed: { seq: number; id: string; lease?: string },
  outcome: AttemptOutcome,
): Promise<void> {
  // One statement (atomic on its own; one round trip). Only the holder of the lease records an
  // outcome: one whose lease ran out and was taken over by another server leaves the row to it
  // (that server's attempt decides). A row replayed meanwhile (a new delivery id) keeps the replay
  // (it asked for a new attempt): only its lease is freed, if still ours.
  const lease = "($3::text IS NULL OR lease_token = $3)";
  const [set, values] =
    outcome.kind === "delivered"
      ? ["status = 'delivered', delivered_at = $4", [outcome.at]]
      : outcome.kind === "retry"
        ? ["last_error = $4, next_attempt_at = $5", [outcome.error, outcome.nextAttemptAt]]
        : ["status = 'dead', last_error = $4, dead_at = $5", [outcome.error, outcome.at]];
  await pool.query(
    `WITH settled AS (
       UPDATE outbox SET ${set}, attempts = attempts + 1, ${RELEASE}
       WHERE seq = $1 AND delivery_id = $2 AND status = 'pending' AND ${lease} RETURNING seq)
     UPDATE outbox SET ${RELEASE} WHERE seq = $1 AND ${lease} AND NOT EXISTS (SELECT 1 FROM settled)`,
    [claimed.seq, claimed.id, claimed.lease ?? null, ...values],
  );
}
