/**
 * The read index in PostgreSQL: the tables of index/sqlite.ts (`idx_*`, versioned apart from the
 * delivery store's in `idx_version`) in the delivery store's database, on its connection pool.
 *
 * Several servers sharing one database all write the index, each from its own feed of the same
 * chain. A commit takes a transaction-scoped advisory lock and checks the stored cursor inside its
 * transaction: a commit at or below the stored cursor is a no-op (another server already wrote those
 * blocks' rows, which are the same chain's), and the cursor never moves back. Rows are keyed, so a
 * commit that overlaps another's blocks upserts the same rows rather than doubling them.
 *
 * `generation` is per process (each server's response cache is its own). It moves when this process
 * commits and also when it observes that the stored cursor moved (`cursor()`, which the indexer
 * reads at every poll): a commit by another server invalidates this server's cache within one poll,
 * the same delay with which a single server sees a new block.
 */
import type pg from "pg";
import type { PoolClient } from "pg";
import { DeliveryStoreError } from "../store/errors";
import { indexSchema } from "./schema";
import { applyMigrations, inTransaction } from "../store/postgresSchema";
import type { EventQuery, IndexCommit, IndexItem, IndexKind, IndexPage, IndexQuery, IndexStore } from "./types";

export const PG_INDEX_MIGRATIONS: readonly string[] = [indexSchema("BIGINT")];

/** The advisory lock that serialises index commits across servers: "idxcmt" in ASCII. */
const COMMIT_LOCK = 0x696478636d74;

export class PostgresIndexStore implements IndexStore {
  readonly kind = "postgres";
  generation = 0;
  /** The stored cursor as this process last saw it (a change moves `generation`). */
  private seen: string | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    /** Where the database is (host:port/database), for messages. */
    readonly where: string,
  ) {}

  /**
   * Open the index tables on `pool` (the delivery store's: `PostgresDeliveryStore.connections`),
   * creating or migrating them. `close()` leaves the pool to its owner.
   */
  static async open(pool: pg.Pool, where: string): Promise<PostgresIndexStore> {
    try {
      const client = await pool.connect();
      try {
        await applyMigrations(client, {
          table: "idx_version",
          migrations: PG_INDEX_MIGRATIONS,
          what: "read index",
          where,
        });
      } finally {
        client.release();
      }
    } catch (e) {
      if (e instanceof DeliveryStoreError) throw e;
      throw new DeliveryStoreError(
        `Cannot open the read index in PostgreSQL ${where}.`,
        "Check that PostgreSQL runs there and the user may create tables (`store.url` in the serve config).",
        e,
      );
    }
    return new PostgresIndexStore(pool, where);
  }

  /**
   * A read on the pool; a failure (the database away) is a DeliveryStoreError the API answers with
   * 503, as `/api/health` does.
   */
  private async query<R extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, args)).rows;
    } catch (e) {
      throw new DeliveryStoreError(
        `Cannot read the read index in PostgreSQL ${this.where}.`,
        "The database is unreachable or failing (`/api/health` says why); retry once it is back.",
        e,
        "network",
      );
    }
  }

  private async meta(key: string, c?: PoolClient): Promise<string | undefined> {
    const sql = "SELECT value FROM idx_meta WHERE key = $1";
    const rows = c
      ? (await c.query<{ value: string }>(sql, [key])).rows
      : await this.query<{ value: string }>(sql, [key]);
    return rows[0]?.value;
  }

  /** Note the stored cursor `v`; a change since the last look moves `generation`. */
  private observe(v: string | undefined): void {
    if (v !== this.seen) {
      this.seen = v;
      this.generation++;
    }
  }

  async cursor(): Promise<bigint | undefined> {
    const v = await this.meta("cursor");
    this.observe(v);
    return v === undefined ? undefined : BigInt(v);
  }

  async headTime(): Promise<number | undefined> {
    const v = await this.meta("headTime");
    return v === undefined ? undefined : Number(v);
  }

  async banks(): Promise<Map<number, string>> {
    const rows = await this.query<{ ledger_index: number; bank: string }>("SELECT ledger_index, bank FROM idx_banks");
    return new Map(rows.map((r) => [r.ledger_index, r.bank]));
  }

  async commit(c: IndexCommit): Promise<void> {
    const stored = await inTransaction(this.pool, async (db) => {
      await db.query("SELECT pg_advisory_xact_lock($1)", [COMMIT_LOCK]);
      const cursor = await this.meta("cursor", db);
      if (cursor !== undefined && BigInt(cursor) >= c.cursor) return cursor; // written already; never back
      for (const kind of c.replace ?? []) {
        await db.query("DELETE FROM idx_items WHERE kind = $1", [kind]);
        await db.query("DELETE FROM idx_parties WHERE kind = $1", [kind]);
      }
      for (const it of c.items) {
        await db.query(
          `INSERT INTO idx_items (kind, key, ord, body) VALUES ($1, $2, $3, $4)
           ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body`,
          [it.kind, it.key, it.ord, it.body],
        );
        if (it.parties.length)
          await db.query(
            `INSERT INTO idx_parties (kind, key, account, ord) SELECT $1, $2, a, $3 FROM unnest($4::text[]) AS a
             ON CONFLICT DO NOTHING`,
            [it.kind, it.key, it.ord, it.parties],
          );
      }
      for (const e of c.events) {
        await db.query(
          `INSERT INTO idx_events (ord, id, block_number, subject, body) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [e.ord, e.id, e.blockNumber.toString(), e.subject ?? null, e.body],
        );
        if (e.parties.length)
          await db.query(
            `INSERT INTO idx_event_parties (account, ord) SELECT a, $1 FROM unnest($2::text[]) AS a
             ON CONFLICT DO NOTHING`,
            [e.ord, e.parties],
          );
      }
      for (const [i, b] of c.banks)
        await db.query(
          `INSERT INTO idx_banks (ledger_index, bank) VALUES ($1, $2)
           ON CONFLICT (ledger_index) DO UPDATE SET bank = excluded.bank`,
          [i, b],
        );
      const setMeta = `INSERT INTO idx_meta (key, value) VALUES ($1, $2)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
      await db.query(setMeta, ["cursor", c.cursor.toString()]);
      await db.query(setMeta, ["headTime", String(c.headTime)]);
      return c.cursor.toString();
    }).catch((e: unknown) => {
      throw new DeliveryStoreError(
        `Cannot write the read index in PostgreSQL ${this.where}.`,
        "Check that PostgreSQL is reachable; the feed retries the same blocks at its next poll.",
        e,
      );
    });
    this.seen = stored;
    this.generation++;
  }

  async get(kind: IndexKind, key: string): Promise<IndexItem | undefined> {
    const rows = await this.query<{ ord: string; body: string }>(
      "SELECT ord, body FROM idx_items WHERE kind = $1 AND key = $2",
      [kind, key],
    );
    if (!rows.length) return undefined;
    const parties = await this.query<{ account: string }>(
      "SELECT account FROM idx_parties WHERE kind = $1 AND key = $2 AND account <> '' ORDER BY account",
      [kind, key],
    );
    return { kind, key, ord: Number(rows[0].ord), body: rows[0].body, parties: parties.map((p) => p.account) };
  }

  async page(q: IndexQuery): Promise<IndexPage> {
    const after = q.after ?? -1;
    const rows =
      q.account === undefined
        ? await this.query<{ ord: string; body: string }>(
            "SELECT ord, body FROM idx_items WHERE kind = $1 AND ord > $2 ORDER BY ord LIMIT $3",
            [q.kind, after, q.limit + 1],
          )
        : await this.query<{ ord: string; body: string }>(
            `SELECT p.ord, i.body FROM idx_parties p JOIN idx_items i ON i.kind = p.kind AND i.key = p.key
             WHERE p.kind = $1 AND p.account = $2 AND p.ord > $3 ORDER BY p.ord LIMIT $4`,
            [q.kind, q.account, after, q.limit + 1],
          );
    return pageOf(rows, q.limit);
  }

  async events(q: EventQuery): Promise<IndexPage> {
    // A member's events walk its rows of idx_event_parties (account, ord) in order.
    const key = q.account === undefined ? "e.ord" : "p.ord";
    const args: (string | number)[] = [q.after ?? -1];
    const where: string[] = [`${key} > $1`];
    let from = "idx_events e";
    if (q.account !== undefined) {
      from = "idx_event_parties p JOIN idx_events e ON e.ord = p.ord";
      args.push(q.account);
      where.push(`p.account = $${args.length}`);
    }
    if (q.subject !== undefined) {
      args.push(q.subject);
      where.push(`e.subject = $${args.length}`);
    }
    if (q.fromBlock !== undefined) {
      args.push(q.fromBlock.toString());
      where.push(`e.block_number >= $${args.length}`);
    }
    args.push(q.limit + 1);
    const rows = await this.query<{ ord: string; body: string }>(
      `SELECT ${key} AS ord, e.body FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${key} LIMIT $${args.length}`,
      args,
    );
    return pageOf(rows, q.limit);
  }

  async eventCount(): Promise<number> {
    const rows = await this.query<{ n: string }>("SELECT count(*) AS n FROM idx_events");
    return Number(rows[0].n);
  }

  /** Nothing to release: the pool is the delivery store's, which closes it. */
  async close(): Promise<void> {}
}

function pageOf(rows: { ord: string; body: string }[], limit: number): IndexPage {
  const items = rows.slice(0, limit);
  return { items: items.map((r) => r.body), next: rows.length > limit ? Number(items[items.length - 1].ord) : null };
}
