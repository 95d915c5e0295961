/**
 * The SQLite delivery store's schema, versioned with `PRAGMA user_version`: migration n takes a
 * database from version n to n + 1, each in its own transaction. Add a migration, never edit one
 * that shipped.
 */
// better-sqlite3 ships no declarations; ts-node (scripts, the demo) reads only imported files, so
// the ones in packages/server/types are referenced here.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../types/better-sqlite3.d.ts" />
import type Database from "better-sqlite3";
import { DeliveryStoreError } from "./errors";

export const MIGRATIONS: readonly string[] = [
  // 0 → 1: subscriptions, events, the outbox, the cursor.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT,
    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
    max_age_ms INTEGER NOT NULL CHECK (max_age_ms > 0),
    active INTEGER NOT NULL DEFAULT 1
  );
  CREATE TABLE events (
    id TEXT PRIMARY KEY CHECK (length(id) > 0),
    name TEXT NOT NULL,
    block_number INTEGER NOT NULL CHECK (block_number >= 0),
    log_index INTEGER NOT NULL CHECK (log_index >= 0),
    body TEXT NOT NULL
  );
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    event_id TEXT NOT NULL REFERENCES events (id),
    ord INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    pending_since INTEGER NOT NULL,
    delivered_at INTEGER,
    dead_at INTEGER,
    last_error TEXT,
    lease_until INTEGER,
    UNIQUE (subscription_id, event_id)
  );
  CREATE INDEX outbox_head ON outbox (subscription_id, status, ord);
  CREATE INDEX outbox_status ON outbox (status, seq);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Bring `db` to SCHEMA_VERSION; returns the version it had. */
export function migrate(db: Database.Database, path: string): number {
  const from = Number(db.pragma("user_version", { simple: true }));
  if (from > SCHEMA_VERSION)
    throw new DeliveryStoreError(
      `The delivery store ${path} has schema version ${from}; this clearhouse knows up to ${SCHEMA_VERSION}.`,
      "It was written by a newer clearhouse: run that version, or point `store.path` at another file.",
    );
  for (let v = from; v < SCHEMA_VERSION; v++)
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  return from;
}
