/**
 * The read index in SQLite: its own tables (`idx_*`) in the delivery store's database file, on a
 * connection of its own (WAL lets both write to one file). Versioned apart from the delivery
 * store's schema (`idx_meta.schema`). Every statement is plain SQL that PostgreSQL runs as it is
 * (`INSERT … ON CONFLICT`, integer keys); postgres.ts is the same statements with `$n`
 * placeholders and `BIGINT` columns.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../types/better-sqlite3.d.ts" />
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { DeliveryStoreError } from "../store/errors";
import { indexSchema } from "./schema";
import type { EventQuery, IndexCommit, IndexItem, IndexKind, IndexPage, IndexQuery, IndexStore } from "./types";

const MIGRATIONS: readonly string[] = [indexSchema("INTEGER")];

export class SqliteIndexStore implements IndexStore {
  readonly kind = "sqlite";
  generation = 0;
  private readonly db: Database.Database;

  /** Open the index tables in the database file `path` (created with its schema if needed). */
  constructor(
    readonly path: string,
    busyTimeoutMs = 5_000,
  ) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path, { timeout: busyTimeoutMs });
    } catch (e) {
      throw new DeliveryStoreError(
        `Cannot open the read index in ${path}.`,
        "Check that the directory exists and is writable (`store.path` in the serve config).",
        e,
      );
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec("CREATE TABLE IF NOT EXISTS idx_version (v INTEGER NOT NULL)");
    const row = this.db.prepare("SELECT v FROM idx_version").get() as { v: number } | undefined;
    const from = row?.v ?? 0;
    if (from > MIGRATIONS.length)
      throw new DeliveryStoreError(
        `The read index in ${path} has schema version ${from}; this clearhouse knows up to ${MIGRATIONS.length}.`,
        "It was written by a newer clearhouse: run that version, or point `store.path` at another file.",
      );
    for (let v = from; v < MIGRATIONS.length; v++)
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.prepare("DELETE FROM idx_version").run();
        this.db.prepare("INSERT INTO idx_version (v) VALUES (?)").run(v + 1);
      })();
  }

  private meta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM idx_meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  async cursor(): Promise<bigint | undefined> {
    const v = this.meta("cursor");
    return v === undefined ? undefined : BigInt(v);
  }

  async headTime(): Promise<number | undefined> {
    const v = this.meta("headTime");
    return v === undefined ? undefined : Number(v);
  }

  async banks(): Promise<Map<number, string>> {
    const rows = this.db.prepare("SELECT ledger_index, bank FROM idx_banks").all() as {
      ledger_index: number;
      bank: string;
    }[];
    return new Map(rows.map((r) => [r.ledger_index, r.bank]));
  }

  async commit(c: IndexCommit): Promise<void> {
    const setMeta = this.db.prepare(
      "INSERT INTO idx_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    const upsert = this.db.prepare(
      `INSERT INTO idx_items (kind, key, ord, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body`,
    );
    const party = this.db.prepare(
      "INSERT INTO idx_parties (kind, key, account, ord) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    const event = this.db.prepare(
      "INSERT INTO idx_events (ord, id, block_number, subject, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    const eventParty = this.db.prepare(
      "INSERT INTO idx_event_parties (account, ord) VALUES (?, ?) ON CONFLICT DO NOTHING",
    );
    const bank = this.db.prepare(
      `INSERT INTO idx_banks (ledger_index, bank) VALUES (?, ?)
       ON CONFLICT (ledger_index) DO UPDATE SET bank = excluded.bank`,
    );
    this.db.transaction(() => {
      const cursor = this.meta("cursor");
      if (cursor !== undefined && BigInt(cursor) > c.cursor) return; // never back
      for (const kind of c.replace ?? []) {
        this.db.prepare("DELETE FROM idx_items WHERE kind = ?").run(kind);
        this.db.prepare("DELETE FROM idx_parties WHERE kind = ?").run(kind);
      }
      for (const it of c.items) {
        upsert.run(it.kind, it.key, it.ord, it.body);
        for (const p of it.parties) party.run(it.kind, it.key, p, it.ord);
      }
      for (const e of c.events) {
        event.run(e.ord, e.id, Number(e.blockNumber), e.subject ?? null, e.body);
        for (const p of e.parties) eventParty.run(p, e.ord);
      }
      for (const [i, b] of c.banks) bank.run(i, b);
      setMeta.run("cursor", c.cursor.toString());
      setMeta.run("headTime", String(c.headTime));
    })();
    this.generation++;
  }

  async get(kind: IndexKind, key: string): Promise<IndexItem | undefined> {
    const row = this.db.prepare("SELECT ord, body FROM idx_items WHERE kind = ? AND key = ?").get(kind, key) as
      { ord: number; body: string } | undefined;
    if (!row) return undefined;
    const parties = this.db
      .prepare("SELECT account FROM idx_parties WHERE kind = ? AND key = ? AND account <> ''")
      .all(kind, key) as { account: string }[];
    return { kind, key, ord: row.ord, body: row.body, parties: parties.map((p) => p.account) };
  }

  async page(q: IndexQuery): Promise<IndexPage> {
    const after = q.after ?? -1;
    const rows = (
      q.account === undefined
        ? this.db
            .prepare("SELECT ord, body FROM idx_items WHERE kind = ? AND ord > ? ORDER BY ord LIMIT ?")
            .all(q.kind, after, q.limit + 1)
        : this.db
            .prepare(
              `SELECT i.ord, i.body FROM idx_parties p JOIN idx_items i ON i.kind = p.kind AND i.key = p.key
               WHERE p.kind = ? AND p.account = ? AND p.ord > ? ORDER BY p.ord LIMIT ?`,
            )
            .all(q.kind, q.account, after, q.limit + 1)
    ) as { ord: number; body: string }[];
    return pageOf(rows, q.limit);
  }

  async events(q: EventQuery): Promise<IndexPage> {
    // A member's events walk its rows of idx_event_parties (account, ord) in order.
    const key = q.account === undefined ? "e.ord" : "p.ord";
    const where: string[] = [`${key} > ?`];
    const args: Database.Value[] = [q.after ?? -1];
    let from = "idx_events e";
    if (q.account !== undefined) {
      from = "idx_event_parties p JOIN idx_events e ON e.ord = p.ord";
      where.push("p.account = ?");
      args.push(q.account);
    }
    if (q.subject !== undefined) {
      where.push("e.subject = ?");
      args.push(q.subject);
    }
    if (q.fromBlock !== undefined) {
      where.push("e.block_number >= ?");
      args.push(Number(q.fromBlock));
    }
    const rows = this.db
      .prepare(`SELECT e.ord, e.body FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${key} LIMIT ?`)
      .all(...args, q.limit + 1) as { ord: number; body: string }[];
    return pageOf(rows, q.limit);
  }

  async eventCount(): Promise<number> {
    return (this.db.prepare("SELECT count(*) AS n FROM idx_events").get() as { n: number }).n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function pageOf(rows: { ord: number; body: string }[], limit: number): IndexPage {
  const items = rows.slice(0, limit);
  return { items: items.map((r) => r.body), next: rows.length > limit ? items[items.length - 1].ord : null };
}
