/**
 * The delivery store in one SQLite file (better-sqlite3): WAL journal, foreign keys on, every write
 * one transaction. `synchronous` is NORMAL by default — a power cut may lose the last commits but
 * never half of one, and what it loses comes back (the cursor moves back with the rows, so the feed
 * reads those blocks again; a delivery whose "delivered" mark is lost is sent again, and receivers
 * dedupe on its id) — or FULL, which syncs every commit to disk. One server process per file.
 */
// better-sqlite3 ships no declarations; ts-node (scripts, the demo) reads only imported files, so
// the ones in packages/server/types are referenced here.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../types/better-sqlite3.d.ts" />
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { DeliveryStoreError } from "./errors";
import { orderKey } from "./order";
import { migrate } from "./sqliteSchema";
import type {
  AppendRequest,
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryPage,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryStore,
  LegacySnapshot,
  OutboxEvent,
  StoredSubscription,
  SubscriptionCounts,
} from "./types";

export interface SqliteStoreOptions {
  path: string;
  /** `normal` (default) or `full`: see the module comment. */
  synchronous?: "normal" | "full";
  /** How long a write waits for another connection's lock before failing (ms; default 5 000). */
  busyTimeoutMs?: number;
}

interface Row {
  seq: number;
  delivery_id: string;
  subscription_id: string;
  event_id: string;
  name: string;
  block_number: number;
  log_index: number;
  status: DeliveryRecord["status"];
  attempts: number;
  next_attempt_at: number;
  pending_since: number;
  delivered_at: number | null;
  dead_at: number | null;
  last_error: string | null;
  body?: string;
}

const SELECT = `SELECT o.seq, o.delivery_id, o.subscription_id, o.event_id, e.name, e.block_number, e.log_index,
  o.status, o.attempts, o.next_attempt_at, o.pending_since, o.delivered_at, o.dead_at, o.last_error`;

function record(r: Row): DeliveryRecord {
  return {
    seq: r.seq,
    id: r.delivery_id,
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventName: r.name,
    blockNumber: BigInt(r.block_number),
    logIndex: r.log_index,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    pendingSince: r.pending_since,
    deliveredAt: r.delivered_at ?? undefined,
    deadAt: r.dead_at ?? undefined,
    lastError: r.last_error ?? undefined,
  };
}

export { orderKey };

export class SqliteDeliveryStore implements DeliveryStore {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  /** Prepared statements by their SQL: preparing costs more than running most of them. */
  private readonly statements = new Map<string, Database.Statement>();

  /** Open (creating the file and its schema if needed) and bring the schema up to date. */
  constructor(readonly options: SqliteStoreOptions) {
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5_000 });
    } catch (e) {
      throw new DeliveryStoreError(
        `Cannot open the delivery store ${options.path}.`,
        "Check that the directory exists and is writable (`store.path` in the serve config).",
        e,
      );
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    this.db.pragma("foreign_keys = ON");
    migrate(this.db, options.path);
    // One process per file: leases left by a process that stopped mid-attempt are void.
    this.db.prepare("UPDATE outbox SET lease_until = NULL WHERE lease_until IS NOT NULL").run();
  }

  /** The prepared statement of `sql`, prepared on first use. */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async syncSubscriptions(subscriptions: Omit<StoredSubscription, "active">[]): Promise<void> {
    const upsert = this.stmt(
      `INSERT INTO subscriptions (id, url, events, max_attempts, max_age_ms, active) VALUES (?, ?, ?, ?, ?, 1)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events,
         max_attempts = excluded.max_attempts, max_age_ms = excluded.max_age_ms, active = 1`,
    );
    this.db.transaction(() => {
      this.stmt("UPDATE subscriptions SET active = 0").run();
      for (const s of subscriptions)
        upsert.run(s.id, s.url, s.events ? JSON.stringify(s.events) : null, s.maxAttempts, s.maxAgeMs);
    })();
  }

  async subscriptions(): Promise<(StoredSubscription & { counts: SubscriptionCounts })[]> {
    return this.readSubscriptions();
  }

  private readSubscriptions(): (StoredSubscription & { counts: SubscriptionCounts })[] {
    const subs = this.stmt("SELECT * FROM subscriptions ORDER BY id").all() as {
      id: string;
      url: string;
      events: string | null;
      max_attempts: number;
      max_age_ms: number;
      active: number;
    }[];
    const counts = this.stmt(
      "SELECT subscription_id, status, COUNT(*) AS n FROM outbox GROUP BY subscription_id, status",
    ).all() as { subscription_id: string; status: keyof SubscriptionCounts; n: number }[];
    return subs.map((s) => {
      const c: SubscriptionCounts = { pending: 0, delivered: 0, dead: 0 };
      for (const x of counts) if (x.subscription_id === s.id) c[x.status] = x.n;
      return {
        id: s.id,
        url: s.url,
        events: s.events === null ? undefined : (JSON.parse(s.events) as string[]),
        maxAttempts: s.max_attempts,
        maxAgeMs: s.max_age_ms,
        active: s.active === 1,
        counts: c,
      };
    });
  }

  async cursor(): Promise<bigint | undefined> {
    return this.readCursor();
  }

  private readCursor(): bigint | undefined {
    const row = this.stmt("SELECT value FROM meta WHERE key = 'cursor'").get() as { value: string } | undefined;
    return row ? BigInt(row.value) : undefined;
  }

  private setCursor(cursor: bigint): void {
    const current = this.readCursor();
    if (current !== undefined && cursor <= current) return;
    this.stmt(
      "INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(cursor.toString());
  }

  private insertEvent(e: OutboxEvent): number {
    const ord = orderKey(e.blockNumber, e.logIndex);
    this.stmt(
      "INSERT INTO events (id, name, block_number, log_index, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    ).run(e.id, e.name, e.blockNumber, e.logIndex, e.body);
    return ord;
  }

  async append(request: AppendRequest): Promise<number> {
    const insert = this.stmt(
      `INSERT INTO outbox (delivery_id, subscription_id, event_id, ord, status, attempts, next_attempt_at, pending_since)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)
       ON CONFLICT (subscription_id, event_id) DO ${
         request.replay
           ? `UPDATE SET delivery_id = excluded.delivery_id, status = 'pending', attempts = 0,
               next_attempt_at = excluded.next_attempt_at, pending_since = excluded.pending_since,
               delivered_at = NULL, dead_at = NULL, last_error = NULL`
           : "NOTHING"
       }`,
    );
    return this.db.transaction(() => {
      const subs = this.readSubscriptions().filter((s) => s.active);
      let changed = 0;
      for (const e of request.events) {
        const ord = this.insertEvent(e);
        for (const s of subs) {
          if (s.events && !s.events.includes(e.name)) continue;
          changed += insert.run(randomUUID(), s.id, e.id, ord, request.now, request.now).changes;
        }
      }
      if (request.cursor !== undefined) this.setCursor(request.cursor);
      return changed;
    })();
  }

  /** The oldest pending row of every active subscription (the only one that may be attempted). */
  private heads(): (Row & { body: string; lease_until: number | null })[] {
    return this.stmt(
      `${SELECT}, o.lease_until, e.body FROM subscriptions s
         JOIN outbox o ON o.seq = (SELECT seq FROM outbox WHERE subscription_id = s.id AND status = 'pending'
                                   ORDER BY ord LIMIT 1)
         JOIN events e ON e.id = o.event_id
         WHERE s.active = 1 ORDER BY o.next_attempt_at, o.seq`,
    ).all() as (Row & { body: string; lease_until: number | null })[];
  }

  async claimDue(
    now: number,
    leaseMs: number,
    exclude: ReadonlySet<string>,
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    const lease = this.stmt("UPDATE outbox SET lease_until = ? WHERE seq = ?");
    return this.db.transaction(() => {
      const due = this.heads()
        .filter(
          (r) =>
            r.next_attempt_at <= now &&
            (r.lease_until === null || r.lease_until <= now) &&
            !exclude.has(r.subscription_id),
        )
        .slice(0, limit);
      for (const r of due) lease.run(now + leaseMs, r.seq);
      return due.map((r) => ({ ...record(r), body: r.body }));
    })();
  }

  async claimRun(subscriptionId: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const lease = this.stmt("UPDATE outbox SET lease_until = ? WHERE seq = ?");
    return this.db.transaction(() => {
      const pending = this.stmt(
        `${SELECT}, o.lease_until, e.body FROM outbox o JOIN events e ON e.id = o.event_id
         JOIN subscriptions s ON s.id = o.subscription_id
         WHERE o.subscription_id = ? AND o.status = 'pending' AND s.active = 1 ORDER BY o.ord LIMIT ?`,
      ).all(subscriptionId, limit) as (Row & { body: string; lease_until: number | null })[];
      const run: ClaimedDelivery[] = [];
      for (const r of pending) {
        if (r.next_attempt_at > now || (r.lease_until !== null && r.lease_until > now)) break;
        lease.run(now + leaseMs, r.seq);
        run.push({ ...record(r), body: r.body });
      }
      return run;
    })();
  }

  async release(claimed: { seq: number }[]): Promise<void> {
    // One process per file: a lease this process took is its own until released.
    const free = this.stmt("UPDATE outbox SET lease_until = NULL WHERE seq = ?");
    this.db.transaction(() => {
      for (const c of claimed) free.run(c.seq);
    })();
  }

  async complete(claimed: { seq: number; id: string }, outcome: AttemptOutcome): Promise<void> {
    const where = "WHERE seq = ? AND delivery_id = ? AND status = 'pending'";
    this.db.transaction(() => {
      const applied =
        outcome.kind === "delivered"
          ? this.stmt(
              `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, lease_until = NULL ${where}`,
            ).run(outcome.at, claimed.seq, claimed.id)
          : outcome.kind === "retry"
            ? this.stmt(
                `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_until = NULL ${where}`,
              ).run(outcome.error, outcome.nextAttemptAt, claimed.seq, claimed.id)
            : this.stmt(
                `UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?, dead_at = ?, lease_until = NULL ${where}`,
              ).run(outcome.error, outcome.at, claimed.seq, claimed.id);
      if (applied.changes === 0) this.stmt("UPDATE outbox SET lease_until = NULL WHERE seq = ?").run(claimed.seq);
    })();
  }

  async nextDueAt(): Promise<number | undefined> {
    const times = this.heads().map((r) => Math.max(r.next_attempt_at, r.lease_until ?? 0));
    return times.length ? Math.min(...times) : undefined;
  }

  async list(query: DeliveryQuery): Promise<DeliveryPage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      params.push(value);
    };
    if (query.status) add("o.status = ?", query.status);
    if (query.subscriptionId) add("o.subscription_id = ?", query.subscriptionId);
    if (query.after !== undefined) add(query.newestFirst ? "o.seq < ?" : "o.seq > ?", query.after);
    const rows = this.stmt(
      `${SELECT} FROM outbox o JOIN events e ON e.id = o.event_id
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY o.seq ${query.newestFirst ? "DESC" : "ASC"} LIMIT ?`,
    ).all(...params, query.limit + 1) as Row[];
    const items = rows.slice(0, query.limit).map(record);
    return { items, next: rows.length > query.limit ? items[items.length - 1].seq : null };
  }

  async replayDead(selector: { id: string } | { subscriptionId?: string }, now: number): Promise<number> {
    const [filter, params] =
      "id" in selector
        ? ["delivery_id = ?", [selector.id]]
        : selector.subscriptionId
          ? ["subscription_id = ?", [selector.subscriptionId]]
          : ["1 = 1", []];
    const reset = this.stmt(
      `UPDATE outbox SET status = 'pending', delivery_id = ?, attempts = 0, next_attempt_at = ?, pending_since = ?,
         dead_at = NULL, last_error = NULL, lease_until = NULL WHERE seq = ?`,
    );
    return this.db.transaction(() => {
      const seqs = this.stmt(`SELECT seq FROM outbox WHERE status = 'dead' AND ${filter}`).all(...params) as {
        seq: number;
      }[];
      for (const { seq } of seqs) reset.run(randomUUID(), now, now, seq);
      return seqs.length;
    })();
  }

  async prune(deliveredBefore: number): Promise<number> {
    return this.db.transaction(() => {
      const { changes } = this.stmt("DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < ?").run(
        deliveredBefore,
      );
      if (changes)
        this.stmt("DELETE FROM events WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE event_id = events.id)").run();
      return changes;
    })();
  }

  async importLegacy(snapshot: LegacySnapshot, now: number): Promise<"imported" | "already-imported" | "not-empty"> {
    return this.db.transaction(() => {
      if (this.stmt("SELECT 1 FROM meta WHERE key = 'legacy_import'").get()) return "already-imported" as const;
      if (this.readCursor() !== undefined || this.stmt("SELECT 1 FROM outbox LIMIT 1").get())
        return "not-empty" as const;
      const stub = this.stmt(
        `INSERT INTO subscriptions (id, url, events, max_attempts, max_age_ms, active) VALUES (?, '', NULL, 1, 1, 0)
         ON CONFLICT (id) DO NOTHING`,
      );
      for (const id of snapshot.unknownSubscriptions) stub.run(id);
      const insert = this.stmt(
        `INSERT INTO outbox (delivery_id, subscription_id, event_id, ord, status, attempts, next_attempt_at,
           pending_since, last_error) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)
         ON CONFLICT (subscription_id, event_id) DO NOTHING`,
      );
      for (const d of snapshot.deliveries) {
        const ord = this.insertEvent(d.event);
        insert.run(d.id, d.subscriptionId, d.event.id, ord, d.attempts, d.nextAttemptAt, now, d.lastError ?? null);
      }
      if (snapshot.cursor !== undefined) this.setCursor(snapshot.cursor);
      this.stmt("INSERT INTO meta (key, value) VALUES ('legacy_import', ?)").run(new Date(now).toISOString());
      return "imported" as const;
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
