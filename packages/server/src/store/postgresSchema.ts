/**
 * The PostgreSQL delivery store's schema, versioned in a `schema_version` table: migration n takes
 * a database from version n to n + 1; the ones due are applied together in one transaction, under an
 * advisory lock so that servers starting together migrate once. Add a migration, never edit one that shipped.
 */
import type { PoolClient } from "pg";
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

/** Bring the database to PG_SCHEMA_VERSION (one transaction, under the migration lock); returns the version it had. */
export async function migratePostgres(client: PoolClient, where: string): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_version");
    const from = rows[0]?.version ?? 0;
    if (from > PG_SCHEMA_VERSION)
      throw new DeliveryStoreError(
        `The delivery store ${where} has schema version ${from}; this clearhouse knows up to ${PG_SCHEMA_VERSION}.`,
        "It was written by a newer clearhouse: run that version on every server, or point `store.url` at another database.",
      );
    for (let v = from; v < PG_SCHEMA_VERSION; v++) await client.query(PG_MIGRATIONS[v]);
    if (rows.length === 0) await client.query("INSERT INTO schema_version (version) VALUES ($1)", [PG_SCHEMA_VERSION]);
    else if (from < PG_SCHEMA_VERSION)
      await client.query("UPDATE schema_version SET version = $1", [PG_SCHEMA_VERSION]);
    await client.query("COMMIT");
    return from;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}
