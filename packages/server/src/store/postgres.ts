/**
 * The delivery store on PostgreSQL (node-postgres), shared by several `clearhouse serve` processes
 * following the same chain. Every write is one transaction. Two servers never attempt the same
 * delivery at once: a claim locks the rows it takes (`FOR UPDATE … SKIP LOCKED`) and leases them
 * (`lease_until`, with the claimant and a token), and `complete` counts only while its lease token
 * still holds (postgresClaims.ts). A subscription's events go out in order across processes: a
 * claim always begins at its head (its oldest pending row) — a run takes the rows right behind it
 * too, under the same lease — so one claimant at a time holds a subscription's next rows. Intake is
 * serialised by an advisory lock and idempotent (unique keys, `ON CONFLICT DO NOTHING`): two
 * servers reading the same blocks enqueue each event once, and the cursor only moves forward.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pg, { type PoolClient } from "pg";
import { DeliveryStoreError } from "./errors";
import { orderKey } from "./order";
import { HEADS, record, SELECT, toNumber, type Row } from "./postgresRows";
import * as claims from "./postgresClaims";
import { inTransaction, migratePostgres } from "./postgresSchema";
import type {
  AppendRequest,
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryPage,
  DeliveryQuery,
  DeliveryStore,
  LegacySnapshot,
  OutboxEvent,
  StoredSubscription,
  SubscriptionCounts,
} from "./types";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Connections kept open (default 5). */
  poolSize?: number;
  /** How long to wait for a connection before a call fails (ms; default 5 000). */
  connectTimeoutMs?: number;
  /** Who holds leases taken by this store (default `<hostname>:<pid>`). */
  owner?: string;
}

/** The advisory lock that serialises intake (append, import): "intake" in ASCII. */
const INTAKE_LOCK = 0x696e74616b65;

export class PostgresDeliveryStore implements DeliveryStore {
  readonly kind = "postgres";
  readonly owner: string;
  private readonly pool: pg.Pool;
  /** Where the store is, without a password: for messages. */
  readonly where: string;

  private constructor(readonly options: PostgresStoreOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}`;
    let where = options.url;
    try {
      const u = new URL(options.url);
      where = `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      throw new DeliveryStoreError(
        "`store.url` is not a URL.",
        "Give it as postgres://user:password@host:5432/database.",
      );
    }
    this.where = where;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 5,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      application_name: "clearhouse-serve",
    });
    // A connection that breaks while idle (the server restarted) is dropped and replaced on the
    // next call; without a listener the error would end the process.
    this.pool.on("error", () => undefined);
  }

  /** Connect, and create or bring the schema up to date (servers starting together migrate once). */
  static async open(options: PostgresStoreOptions): Promise<PostgresDeliveryStore> {
    const store = new PostgresDeliveryStore(options);
    try {
      const client = await store.pool.connect();
      try {
        await migratePostgres(client, store.where);
      } finally {
        client.release();
      }
    } catch (e) {
      await store.pool.end().catch(() => undefined);
      if (e instanceof DeliveryStoreError) throw e;
      throw new DeliveryStoreError(
        `Cannot open the PostgreSQL delivery store ${store.where}.`,
        "Check that PostgreSQL runs there, the database exists and the user may create tables (`store.url` in the serve config).",
        e,
      );
    }
    return store;
  }

  /** Run `fn` in one transaction on one connection (a failed one is discarded, not reused). */
  private tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  /** The connection pool, for the read index kept in the same database (`PostgresIndexStore`). */
  get connections(): pg.Pool {
    return this.pool;
  }

  async syncSubscriptions(subscriptions: Omit<StoredSubscription, "active">[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query("UPDATE subscriptions SET active = FALSE WHERE NOT (id = ANY($1::text[]))", [
        subscriptions.map((s) => s.id),
      ]);
      for (const s of subscriptions)
        await c.query(
          `INSERT INTO subscriptions (id, url, events, max_attempts, max_age_ms, active) VALUES ($1, $2, $3, $4, $5, TRUE)
           ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events,
             max_attempts = excluded.max_attempts, max_age_ms = excluded.max_age_ms, active = TRUE`,
          [s.id, s.url, s.events ? JSON.stringify(s.events) : null, s.maxAttempts, s.maxAgeMs],
        );
    });
  }

  async subscriptions(): Promise<(StoredSubscription & { counts: SubscriptionCounts })[]> {
    return this.readSubscriptions(this.pool);
  }

  private async readSubscriptions(c: pg.Pool | PoolClient) {
    const subs = await c.query<{
      id: string;
      url: string;
      events: string | null;
      max_attempts: number;
      max_age_ms: string;
      active: boolean;
    }>("SELECT * FROM subscriptions ORDER BY id");
    const counts = await c.query<{ subscription_id: string; status: keyof SubscriptionCounts; n: string }>(
      "SELECT subscription_id, status, COUNT(*) AS n FROM outbox GROUP BY subscription_id, status",
    );
    return subs.rows.map((s) => {
      const n: SubscriptionCounts = { pending: 0, delivered: 0, dead: 0 };
      for (const x of counts.rows) if (x.subscription_id === s.id) n[x.status] = Number(x.n);
      return {
        id: s.id,
        url: s.url,
        events: s.events === null ? undefined : (JSON.parse(s.events) as string[]),
        maxAttempts: s.max_attempts,
        maxAgeMs: Number(s.max_age_ms),
        active: s.active,
        counts: n,
      };
    });
  }

  async cursor(): Promise<bigint | undefined> {
    return this.readCursor(this.pool);
  }

  private async readCursor(c: pg.Pool | PoolClient): Promise<bigint | undefined> {
    const { rows } = await c.query<{ value: string }>("SELECT value FROM meta WHERE key = 'cursor'");
    return rows.length ? BigInt(rows[0].value) : undefined;
  }

  /** Move the cursor forward, never back (another server may have moved it further). */
  private async setCursor(c: PoolClient, cursor: bigint): Promise<void> {
    await c.query(
      `INSERT INTO meta (key, value) VALUES ('cursor', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value
       WHERE meta.value::numeric < excluded.value::numeric`,
      [cursor.toString()],
    );
  }

  private async insertEvents(c: PoolClient, events: OutboxEvent[]): Promise<void> {
    if (!events.length) return;
    await c.query(
      `INSERT INTO events (id, name, block_number, log_index, body)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::text[]) ON CONFLICT (id) DO NOTHING`,
      [
        events.map((e) => e.id),
        events.map((e) => e.name),
        events.map((e) => e.blockNumber.toString()),
        events.map((e) => e.logIndex),
        events.map((e) => e.body),
      ],
    );
  }

  async append(request: AppendRequest): Promise<number> {
    // One row per event id: a list naming an event twice must not touch its row twice in one statement.
    const events = [...new Map(request.events.map((e) => [e.id, e])).values()];
    const ords = events.map((e) => orderKey(e.blockNumber, e.logIndex));
    return this.tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [INTAKE_LOCK]);
      const subs = (await this.readSubscriptions(c)).filter((s) => s.active);
      await this.insertEvents(c, events);
      const rows: [string, string, string, number][] = [];
      events.forEach((e, i) => {
        for (const s of subs)
          if (!s.events || s.events.includes(e.name)) rows.push([randomUUID(), s.id, e.id, ords[i]]);
      });
      let changed = 0;
      if (rows.length) {
        const result = await c.query(
          `INSERT INTO outbox (delivery_id, subscription_id, event_id, ord, status, attempts, next_attempt_at, pending_since)
           SELECT d, s, e, o, 'pending', 0, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t (d, s, e, o)
           ON CONFLICT (subscription_id, event_id) DO ${
             request.replay
               ? `UPDATE SET delivery_id = excluded.delivery_id, status = 'pending', attempts = 0,
                   next_attempt_at = excluded.next_attempt_at, pending_since = excluded.pending_since,
                   delivered_at = NULL, dead_at = NULL, last_error = NULL`
               : "NOTHING"
           }`,
          [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3]), request.now],
        );
        changed = result.rowCount ?? 0;
      }
      if (request.cursor !== undefined) await this.setCursor(c, request.cursor);
      return changed;
    });
  }

  async claimDue(
    now: number,
    leaseMs: number,
    exclude: ReadonlySet<string>,
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    return this.tx((c) => claims.claimHeads(c, this.owner, now, leaseMs, exclude, limit));
  }

  async claimRun(subscriptionId: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    return this.tx((c) => claims.claimRun(c, this.owner, subscriptionId, now, leaseMs, limit));
  }

  async release(claimed: { seq: number; lease?: string }[]): Promise<void> {
    await claims.release(this.pool, claimed);
  }

  async complete(claimed: { seq: number; id: string; lease?: string }, outcome: AttemptOutcome): Promise<void> {
    await claims.complete(this.pool, claimed, outcome);
  }

  async nextDueAt(): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ at: string | null }>(
      `SELECT MIN(GREATEST(o.next_attempt_at, COALESCE(o.lease_until, 0))) AS at FROM ${HEADS} WHERE s.active`,
    );
    return toNumber(rows[0]?.at ?? null);
  }

  async list(query: DeliveryQuery): Promise<DeliveryPage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      params.push(value);
      where.push(clause.replace("?", `$${params.length}`));
    };
    if (query.status) add("o.status = ?", query.status);
    if (query.subscriptionId) add("o.subscription_id = ?", query.subscriptionId);
    if (query.after !== undefined) add(query.newestFirst ? "o.seq < ?" : "o.seq > ?", query.after);
    params.push(query.limit + 1);
    const { rows } = await this.pool.query<Row>(
      `${SELECT} FROM outbox o JOIN events e ON e.id = o.event_id
       ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY o.seq ${query.newestFirst ? "DESC" : "ASC"} LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, query.limit).map(record);
    return { items, next: rows.length > query.limit ? items[items.length - 1].seq : null };
  }

  async replayDead(selector: { id: string } | { subscriptionId?: string }, now: number): Promise<number> {
    const [filter, params] =
      "id" in selector
        ? ["delivery_id = $2", [selector.id]]
        : selector.subscriptionId
          ? ["subscription_id = $2", [selector.subscriptionId]]
          : ["TRUE", []];
    const { rowCount } = await this.tx((c) =>
      c.query(
        `UPDATE outbox SET status = 'pending', delivery_id = gen_random_uuid()::text, attempts = 0, next_attempt_at = $1,
           pending_since = $1, dead_at = NULL, last_error = NULL, lease_until = NULL, lease_owner = NULL, lease_token = NULL
         WHERE status = 'dead' AND ${filter}`,
        [now, ...params],
      ),
    );
    return rowCount ?? 0;
  }

  async prune(deliveredBefore: number): Promise<number> {
    return this.tx(async (c) => {
      const { rowCount } = await c.query("DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < $1", [
        deliveredBefore,
      ]);
      if (rowCount)
        await c.query("DELETE FROM events WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE event_id = events.id)");
      return rowCount ?? 0;
    });
  }

  async importLegacy(snapshot: LegacySnapshot, now: number): Promise<"imported" | "already-imported" | "not-empty"> {
    return this.tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [INTAKE_LOCK]);
      if ((await c.query("SELECT 1 FROM meta WHERE key = 'legacy_import'")).rowCount)
        return "already-imported" as const;
      if ((await this.readCursor(c)) !== undefined || (await c.query("SELECT 1 FROM outbox LIMIT 1")).rowCount)
        return "not-empty" as const;
      for (const id of snapshot.unknownSubscriptions)
        await c.query(
          `INSERT INTO subscriptions (id, url, events, max_attempts, max_age_ms, active) VALUES ($1, '', NULL, 1, 1, FALSE)
           ON CONFLICT (id) DO NOTHING`,
          [id],
        );
      await this.insertEvents(
        c,
        snapshot.deliveries.map((d) => d.event),
      );
      for (const d of snapshot.deliveries)
        await c.query(
          `INSERT INTO outbox (delivery_id, subscription_id, event_id, ord, status, attempts, next_attempt_at,
             pending_since, last_error) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8)
           ON CONFLICT (subscription_id, event_id) DO NOTHING`,
          [
            d.id,
            d.subscriptionId,
            d.event.id,
            orderKey(d.event.blockNumber, d.event.logIndex),
            d.attempts,
            d.nextAttemptAt,
            now,
            d.lastError ?? null,
          ],
        );
      if (snapshot.cursor !== undefined) await this.setCursor(c, snapshot.cursor);
      await c.query("INSERT INTO meta (key, value) VALUES ('legacy_import', $1)", [new Date(now).toISOString()]);
      return "imported" as const;
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
