/** The delivery store implementations as test/server/deliveryStore.test.ts runs its contract on them. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { PostgresDeliveryStore } from "../../packages/server/src/store/postgres";
import { PG_SCHEMA_VERSION } from "../../packages/server/src/store/postgresSchema";
import { SqliteDeliveryStore } from "../../packages/server/src/store/sqlite";
import { SCHEMA_VERSION } from "../../packages/server/src/store/sqliteSchema";
import type { DeliveryStore } from "../../packages/server/src/store/types";
import type { PgCluster } from "../helpers/postgres";

/** One store implementation as the contract tests see it: where a store lives, and raw reads of it. */
export interface Backend {
  name: string;
  /** A new, empty place for a store (a file path or a database URL). */
  fresh(): string;
  open(where: string): Promise<DeliveryStore>;
  /** SQL against the store's database, outside the store. */
  query(where: string, sql: string): Promise<Record<string, unknown>[]>;
  /** Set the schema version the database claims. */
  setVersion(where: string, version: number): Promise<void>;
  schemaVersion: number;
  /** What a constraint violation says. */
  constraintError: RegExp;
  /** Leases of a process that stopped: void at the next open (one process per file), or held until they run out. */
  leasesOutliveClose: boolean;
}

export const sqlite: Backend = {
  name: "SQLite",
  fresh: () => join(mkdtempSync(join(tmpdir(), "store-")), "delivery.sqlite"),
  open: async (path) => new SqliteDeliveryStore({ path }),
  async query(path, sql) {
    const db = new Database(path);
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  },
  async setVersion(path, version) {
    const db = new Database(path);
    db.pragma(`user_version = ${version}`);
    db.close();
  },
  schemaVersion: SCHEMA_VERSION,
  constraintError: /CHECK constraint failed/,
  leasesOutliveClose: false,
};

export function postgres(cluster: () => PgCluster): Backend {
  let n = 0;
  const run = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Integers as numbers, as SQLite gives them.
      return (await client.query(sql)).rows.map((r: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v]),
        ),
      );
    } finally {
      await client.end();
    }
  };
  return {
    name: "PostgreSQL",
    fresh: () => cluster().createDatabase(`store_${process.pid}_${++n}`),
    open: (url) => PostgresDeliveryStore.open({ url }),
    query: run,
    setVersion: async (url, version) => void (await run(url, `UPDATE schema_version SET version = ${version}`)),
    schemaVersion: PG_SCHEMA_VERSION,
    constraintError: /violates check constraint/,
    leasesOutliveClose: true,
  };
}
