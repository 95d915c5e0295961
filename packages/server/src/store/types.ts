/**
 * The delivery store: what `clearhouse serve` must not lose between restarts — the webhook
 * subscriptions, the outbox (one row per event and subscription) and the event cursor (the last
 * block whose events were enqueued). Every method is asynchronous and every write one transaction,
 * so a store on a database server (PostgreSQL, with row locks for several server processes) can
 * sit behind the same interface as the SQLite one without changing its callers.
 */

/** A webhook subscription as the store keeps it (its secret stays in the config, never in the store). */
export interface StoredSubscription {
  id: string;
  url: string;
  /** Event names to deliver; all when absent. */
  events?: string[];
  /** Dead-letter after this many failed attempts. */
  maxAttempts: number;
  /** Dead-letter a delivery still failing this long (ms) after it was enqueued or replayed. */
  maxAgeMs: number;
  /** False for a subscription no longer in the config: its rows stay, nothing is sent. */
  active: boolean;
}

/** An event to deliver, as the feed hands it to the store. */
export interface OutboxEvent {
  /** `<transaction hash>:<log index>`: stable across restarts and replays. */
  id: string;
  /** The event's name (a subscription's `events` filter matches it). */
  name: string;
  blockNumber: bigint;
  logIndex: number;
  /** The JSON body sent to receivers. */
  body: string;
}

export type DeliveryStatus = "pending" | "delivered" | "dead";

/** One outbox row: one event for one subscription. */
export interface DeliveryRecord {
  /** Position in the outbox (the pagination key; increases with insertion). */
  seq: number;
  /** The delivery's id (`X-Clearhouse-Delivery`); a new one after each replay. */
  id: string;
  subscriptionId: string;
  eventId: string;
  eventName: string;
  blockNumber: bigint;
  logIndex: number;
  status: DeliveryStatus;
  /** Attempts made so far (reset by a replay). */
  attempts: number;
  /** When the next attempt may be made (ms since the epoch). */
  nextAttemptAt: number;
  /** When the row was enqueued or last replayed: what `maxAgeMs` counts from. */
  pendingSince: number;
  deliveredAt?: number;
  deadAt?: number;
  lastError?: string;
}

/** A delivery claimed for an attempt: the row and the body to send. */
export interface ClaimedDelivery extends DeliveryRecord {
  body: string;
  /**
   * The claim's lease token, from a store shared by several processes: `complete` records the
   * outcome only while this lease still holds (not after it ran out and another process took the row).
   */
  lease?: string;
}

/** What `append` does with the events it is given. */
export interface AppendRequest {
  events: OutboxEvent[];
  /** The block the feed has processed up to: stored with the rows, in the same transaction. */
  cursor?: bigint;
  /**
   * Re-send: rows that exist (delivered, dead or pending) go back to pending with their attempts
   * reset; without it an event already enqueued for a subscription is left as it is.
   */
  replay?: boolean;
  now: number;
}

/** The outcome of one attempt, applied by `complete`. */
export type AttemptOutcome =
  | { kind: "delivered"; at: number }
  | { kind: "retry"; at: number; error: string; nextAttemptAt: number }
  | { kind: "dead"; at: number; error: string };

export interface DeliveryPage {
  items: DeliveryRecord[];
  /** Pass as `after` for the next page; null on the last one. */
  next: number | null;
}

export interface DeliveryQuery {
  status?: DeliveryStatus;
  subscriptionId?: string;
  /** Only rows with a `seq` greater than this (the previous page's `next`). */
  after?: number;
  /** Newest first instead of oldest first (then `after` means "older than"). */
  newestFirst?: boolean;
  limit: number;
}

/** Rows per status for one subscription. */
export interface SubscriptionCounts {
  pending: number;
  delivered: number;
  dead: number;
}

/** Today's JSON outbox (`clearhouse.outbox/1`) as the one-time import gives it to a new store. */
export interface LegacySnapshot {
  cursor?: bigint;
  /** Ids the file's deliveries name that the config does not have: kept as inactive subscriptions. */
  unknownSubscriptions: string[];
  deliveries: {
    id: string;
    subscriptionId: string;
    event: OutboxEvent;
    attempts: number;
    nextAttemptAt: number;
    lastError?: string;
  }[];
}

/** The store behind the webhook outbox. One implementation per database; callers see only this. */
export interface DeliveryStore {
  /** "sqlite" or "postgres", for `/api/health` and the logs. */
  readonly kind: string;
  /** Make the stored subscriptions those of the config: upsert them, mark the others inactive. */
  syncSubscriptions(subscriptions: Omit<StoredSubscription, "active">[]): Promise<void>;
  subscriptions(): Promise<(StoredSubscription & { counts: SubscriptionCounts })[]>;
  /** The last block whose events were enqueued, if any. */
  cursor(): Promise<bigint | undefined>;
  /**
   * In one transaction: keep the events, add a pending row per event and active subscription whose
   * filter matches, move the cursor forward (never back). Returns the rows added or reset.
   */
  append(request: AppendRequest): Promise<number>;
  /**
   * The deliveries to attempt now: per active subscription, its oldest pending row (by block and
   * log index) if it is due and not claimed — never a later one while an earlier one is pending —
   * for subscriptions not in `exclude`. Claimed rows are leased until `now + leaseMs`: a claim
   * never returns a leased row (a store shared by several processes also locks them while it
   * claims, so two processes never take the same row).
   */
  claimDue(now: number, leaseMs: number, exclude: ReadonlySet<string>, limit: number): Promise<ClaimedDelivery[]>;
  /**
   * A run of one subscription, to attempt one after the other: its oldest pending row and the
   * pending rows right behind it, in order (by block and log index), up to `limit` — as long as each
   * is due and not leased, stopping before the first that is not (so a run always begins at the
   * head; empty when the head is not due, leased, or the subscription inactive). The rows are
   * leased together until `now + leaseMs`, under one lease; a row behind a leased one is never any
   * other claim's head, so the whole run stays this claimant's until each row is completed or
   * released. A store shared by several processes locks the rows while it claims, and returns
   * nothing when another process is claiming the head at that moment.
   */
  claimRun(subscriptionId: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /**
   * Give back the leases of claimed rows that were not attempted (the rest of a run cut short),
   * where the lease is still the claim's: the rows are claimable again at once, in order.
   */
  release(claimed: { seq: number; lease?: string }[]): Promise<void>;
  /**
   * Record an attempt's outcome and release the lease. Ignored (but for the lease) when the row was
   * replayed meanwhile (its delivery id changed): the replay asked for a new attempt.
   */
  complete(claimed: { seq: number; id: string; lease?: string }, outcome: AttemptOutcome): Promise<void>;
  /** Earliest `nextAttemptAt` among unclaimed head rows, if any is pending. */
  nextDueAt(): Promise<number | undefined>;
  list(query: DeliveryQuery): Promise<DeliveryPage>;
  /**
   * Dead letters back to pending (attempts reset, a new delivery id, age counted from now): the one
   * whose delivery id is `id`, or every one (of `subscriptionId` if given). Returns how many.
   */
  replayDead(selector: { id: string } | { subscriptionId?: string }, now: number): Promise<number>;
  /**
   * Forget delivered rows delivered before `deliveredBefore` (ms), and the events no row needs any
   * more; pending rows and dead letters stay. Returns how many rows went.
   */
  prune(deliveredBefore: number): Promise<number>;
  /**
   * Import today's JSON outbox in one transaction, only into a store that holds nothing yet (no
   * cursor, no rows, no earlier import). `"already-imported"`: an earlier start imported it (and
   * stopped before renaming the file); `"not-empty"`: the store has state of its own, nothing done.
   */
  importLegacy(snapshot: LegacySnapshot, now: number): Promise<"imported" | "already-imported" | "not-empty">;
  close(): Promise<void>;
}
