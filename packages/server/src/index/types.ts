/**
 * The read index behind the API: what the contracts' events say about members, batches, cycles
 * and agreements, kept in the server's database so a request reads a page of rows instead of
 * asking the node once per item. Its own narrow interface, apart from the delivery store's, with
 * two implementations over the same SQL (plain tables, integer ordering keys, `INSERT … ON
 * CONFLICT`): SQLite (sqlite.ts) and PostgreSQL (postgres.ts).
 */

/** The read models the index keeps. */
export type IndexKind = "batch" | "cycle" | "agreement" | "member";

/** One read model row: a JSON body, its place in its list, and who may see it. */
export interface IndexItem {
  kind: IndexKind;
  /** The item's id as the API names it (a batch id in lowercase hex, a decimal cycle id, …). */
  key: string;
  /** Position in its list (the paging key): the block and log index of the event that created it. */
  ord: number;
  /** The item as the API shows it (JSON). */
  body: string;
  /** Lowercase accounts that may see it besides auditors; empty for an item every member sees. */
  parties: string[];
}

/** An event as the index keeps it, for `/api/events` and the per-item history. */
export interface IndexedEvent {
  ord: number;
  id: string;
  blockNumber: bigint;
  /** The batch, agreement or cycle it is about (lowercase), if any. */
  subject?: string;
  /** The event as the API shows it (JSON). */
  body: string;
  /** Lowercase accounts its arguments name (what a member may see of the stream). */
  parties: string[];
}

/** What one poll adds, written in one transaction with the index cursor. */
export interface IndexCommit {
  items: IndexItem[];
  /** Kinds whose rows are all replaced by `items` of that kind (the member list). */
  replace?: IndexKind[];
  events: IndexedEvent[];
  /** Ledger bank indexes seen (index → lowercase bank). */
  banks: [number, string][];
  /** The last block indexed. */
  cursor: bigint;
  /** That block's timestamp (s): the clock of time-dependent statuses. */
  headTime: number;
}

export interface IndexPage {
  /** The bodies, oldest first. */
  items: string[];
  /** Pass as `after` for the next page; null on the last one. */
  next: number | null;
}

export interface IndexQuery {
  kind: IndexKind;
  /** Only items this (lowercase) account is a party to; all when absent. */
  account?: string;
  after?: number;
  limit: number;
}

export interface EventQuery {
  account?: string;
  subject?: string;
  fromBlock?: bigint;
  after?: number;
  limit: number;
}

export interface IndexStore {
  readonly kind: string;
  /**
   * Moves with every commit this store object makes (and, where several servers write one index,
   * when it sees another's commit: postgres.ts): an answer computed from the index at one
   * generation is current until the next (the routes' response cache keys on it).
   */
  readonly generation: number;
  /** The last block indexed, if any. */
  cursor(): Promise<bigint | undefined>;
  /** The timestamp of the last block indexed (s), if any. */
  headTime(): Promise<number | undefined>;
  /** The ledger's bank indexes as the index has seen them. */
  banks(): Promise<Map<number, string>>;
  commit(c: IndexCommit): Promise<void>;
  get(kind: IndexKind, key: string): Promise<IndexItem | undefined>;
  page(q: IndexQuery): Promise<IndexPage>;
  events(q: EventQuery): Promise<IndexPage>;
  /** How many events the index holds. */
  eventCount(): Promise<number>;
  close(): Promise<void>;
}
