/**
 * The read index's tables, one text for both stores: SQLite's INTEGER and PostgreSQL's BIGINT are
 * the only difference (ordering keys are block × 10⁶ + log index, beyond 32 bits).
 */
export function indexSchema(int: "INTEGER" | "BIGINT"): string {
  return `
  CREATE TABLE idx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE idx_items (
    kind TEXT NOT NULL, key TEXT NOT NULL, ord ${int} NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
  );
  CREATE UNIQUE INDEX idx_items_ord ON idx_items (kind, ord, key);
  CREATE TABLE idx_parties (
    kind TEXT NOT NULL, key TEXT NOT NULL, account TEXT NOT NULL, ord ${int} NOT NULL,
    PRIMARY KEY (kind, account, ord, key)
  );
  CREATE TABLE idx_events (
    ord ${int} PRIMARY KEY, id TEXT NOT NULL UNIQUE, block_number ${int} NOT NULL,
    subject TEXT, body TEXT NOT NULL
  );
  CREATE INDEX idx_events_subject ON idx_events (subject, ord);
  CREATE TABLE idx_event_parties (account TEXT NOT NULL, ord ${int} NOT NULL, PRIMARY KEY (account, ord));
  CREATE TABLE idx_banks (ledger_index INTEGER PRIMARY KEY, bank TEXT NOT NULL);
  `;
}
