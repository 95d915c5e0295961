/**
 * The PostgreSQL delivery store's schema (and the helpers the read index's tables share), versioned in a `schema_version` table: migration n takes
 * a database from version n to n + 1; the ones due are applied together in one transaction, under an
 * advisory lock so that servers starting together migrate once. Add a migration, never edit one that shipped.
 */
import type { Pool, PoolClient } from "pg";
import { DeliveryStoreError } from "./errors";

/** The advisory lock key of migrations (any constant; "clearhouse" in ASCII, truncated). */
const MIGRATION_LOCK = 0x636c6561;

export const PG_MIGRATIONS: readonly string[] = [
  // 0 → 1: subscriptions, events, the outbox with its lease, the cursor.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT,
    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
    max_age_ms BIGINT NOT NULL CHECK (max_age_ms > 0),
    active BOOLEAN NOT NULL DEFAULT TRUE
  );
  CREATE TABLE events (
    id TEXT PRIMARY KEY CHECK (length(id) > 0),
    name TEXT NOT NULL,
    block_number BIGINT NOT NULL CHECK (block_number >= 0),
    log_index INTEGER NOT NULL CHECK (log_index >= 0),
    body TEXT NOT NULL
  );
  CREATE TABLE outbox (
    seq BIGSERIAL PRIMARY KEY,
    delivery_id TEXT NOT NULL UNIQUE,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    event_id TEXT NOT NULL REFERENCES events (id),
    ord BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    pending_since BIGINT NOT NULL,
    delivered_at BIGINT,
    dead_at BIGINT,
    last_error TEXT,
    lease_until BIGINT,
    lease_owner TEXT,
    lease_token TEXT,
    UNIQUE (subscription_id, event_id)
  );
  CREATE INDEX outbox_head ON outbox (subscription_id, ord) WHERE status = 'pending';
  CREATE INDEX outbox_status ON outbox (status, seq);
  CREATE INDEX outbox_subscription ON outbox (subscription_id, seq);
  `,
];

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** A versioned set of tables: its version table, its migrations, and what to call it in messages. */
export interface MigrationSpec {
  /** The one-row table that holds the version (`version INTEGER`). */
  table: string;
  migrations: readonly string[];
  /** What the tables are ("delivery store", "read index") and where (host:port/database), for messages. */
  what: string;
  where: string;
}

/**
 * Bring `spec`'s tables to its latest version (one transaction, under the migration lock, so servers
 * starting together migrate once); returns the version they had.
 */
export async function applyMigrations(client: PoolClient, spec: MigrationSpec): Promise<number> {
  const latest = spec.migrations.length;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${spec.table} (version INTEGER NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${spec.table}`);
    const from = rows[0]?.version ?? 0;
    if (from > latest)
      throw new DeliveryStoreError(
        `The ${spec.what} ${spec.where} has schema version ${from}; this clearhouse knows up to ${latest}.`,
        "It was written by a newer clearhouse: run that version on every server, or point `store.url` at another database.",
      );
    for (let v = from; v < latest; v++) await client.query(spec.migrations[v]);
    if (rows.length === 0) await client.query(`INSERT INTO ${spec.table} (version) VALUES ($1)`, [latest]);
    else if (from < latest) await client.query(`UPDATE ${spec.table} SET version = $1`, [latest]);
    await client.query("COMMIT");
    return from;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/** Bring the delivery store's tables to PG_SCHEMA_VERSION; returns the version they had. */
export function migratePostgres(client: PoolClient, where: string): Promise<number> {
  return applyMigrations(client, { table: "schema_version", migrations: PG_MIGRATIONS, what: "delivery store", where });
}

/** Run `fn` in one transaction on one connection of `pool` (a failed connection is discarded, not reused). */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const result = await fn(c);
    await c.query("COMMIT");
    c.release();
    return result;
  } catch (e) {
    await c.query("ROLLBACK").catch(() => undefined);
    c.release(true);
    throw e;
  }
}
