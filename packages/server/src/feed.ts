/**
 * The live event feed behind `clearhouse serve`: every decoded event since deployment, kept in
 * memory for the API, extended by polling the node; each new event goes into the delivery store's
 * outbox (with the cursor, in one transaction) and then to the SSE subscribers, and the delivery
 * worker sends the outbox to the webhooks with retries and a dead-letter queue.
 */
import { auditedContracts, fetchEvents } from "@clearhouse/sdk/audit";
import type { ClearhouseContext } from "@clearhouse/sdk";
import type { ServeConfig } from "./config";
import type { DeliveryStore, OutboxEvent } from "./store/types";
import { DeliveryWorker } from "./webhooks/worker";
import type { Indexer } from "./index/indexer";
import { publicEvent, type PublicEvent } from "./publicEvent";

export { involves, plain, publicEvent, type PublicEvent } from "./publicEvent";

/** How often delivered rows past `keepDeliveredMs` are pruned while the server runs. */
const PRUNE_EVERY_MS = 3_600_000;

/** What the outbox keeps of an event for its webhooks. */
const outboxEvent = (e: PublicEvent): OutboxEvent => ({
  id: e.id,
  name: e.event,
  blockNumber: BigInt(e.blockNumber),
  logIndex: e.logIndex,
  body: JSON.stringify(e),
});

export class EventFeed {
  readonly events: PublicEvent[] = [];
  readonly worker: DeliveryWorker;
  private lastBlock: bigint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly subscribers = new Set<(e: PublicEvent) => void>();
  /** Last poll error (the node's or the delivery store's), shown by /api/health. */
  lastError: string | undefined;
  /** Called on each failed poll (the server's metrics). */
  onPollError: (() => void) | undefined;
  /** Called with the chain's latest block at each poll (the server's metrics). */
  onHead: ((block: bigint) => void) | undefined;

  constructor(
    private readonly ctx: ClearhouseContext,
    private readonly config: ServeConfig,
    readonly store: DeliveryStore,
    private readonly now: () => number = Date.now,
    /** The read index the API serves lists from: fed each poll's events after the outbox. */
    readonly indexer?: Indexer,
  ) {
    this.worker = new DeliveryWorker(store, config, now);
  }

  subscribe(fn: (e: PublicEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Read new events once, enqueue them for the webhooks, deliver what is due. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    try {
      // On a chain that can reorganise, only blocks `confirmations` deep are read (QBFT: 0, final).
      const head = await this.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
      this.onHead?.(head);
      const latest = head - BigInt(this.config.confirmations);
      const from = this.lastBlock === undefined ? await this.startBlock() : this.lastBlock + 1n;
      if (from <= latest) {
        const fresh = (await fetchEvents(this.ctx, auditedContracts(this.ctx), from, latest)).map(publicEvent);
        // Into the store first (the events, their rows and the cursor commit together): if it
        // fails, nothing moves and the next poll reads the same blocks again.
        try {
          const cursor = await this.store.cursor();
          const toSend = fresh.filter((e) => cursor === undefined || BigInt(e.blockNumber) > cursor);
          await this.store.append({ events: toSend.map(outboxEvent), cursor: latest, now: this.now() });
        } catch (e) {
          throw new Error(`delivery store (${this.store.kind}): ${(e as Error).message.split("\n")[0]}`);
        }
        if (this.indexer) {
          try {
            await this.indexer.apply(fresh, latest);
          } catch (e) {
            throw new Error(`read index: ${(e as Error).message.split("\n")[0]}`);
          }
        }
        this.lastBlock = latest;
        this.events.push(...fresh);
        for (const e of fresh) for (const fn of this.subscribers) fn(e);
      }
      this.lastError = undefined;
    } catch (e) {
      this.lastError = (e as Error).message.split("\n")[0];
      this.onPollError?.();
    }
    void this.worker.kick(); // the delivery worker runs apart from event intake
  }

  /**
   * Where the first poll starts: the deployment block without an index; with one, after the older
   * of the two cursors (the outbox skips what it had, the index what it had), so a restart does not
   * read the chain's history again.
   */
  private async startBlock(): Promise<bigint> {
    const deployed = BigInt(this.ctx.deployment.blockNumber);
    if (!this.indexer) return deployed;
    const [outbox, index] = await Promise.all([this.store.cursor(), this.indexer.store.cursor()]);
    if (outbox === undefined || index === undefined) return deployed;
    return (outbox < index ? outbox : index) + 1n;
  }

  /** Re-send every event from `fromBlock` to every webhook it matches (receivers dedupe on the event id). */
  async replay(fromBlock: bigint): Promise<number> {
    const events = this.indexer
      ? await this.indexedFrom(fromBlock)
      : this.events.filter((e) => BigInt(e.blockNumber) >= fromBlock);
    const n = await this.store.append({ events: events.map(outboxEvent), replay: true, now: this.now() });
    void this.worker.kick();
    return n;
  }

  /**
   * Every event since deployment, in chain order: from the read index when there is one (the memory
   * holds only this run's events), else from memory.
   */
  history(): Promise<PublicEvent[]> {
    return this.indexer ? this.indexedFrom(0n) : Promise.resolve([...this.events]);
  }

  /** Every indexed event from `fromBlock`, page by page (the memory holds only this run's). */
  private async indexedFrom(fromBlock: bigint): Promise<PublicEvent[]> {
    const out: PublicEvent[] = [];
    for (let after: number | undefined; ;) {
      const page = await this.indexer!.store.events({ fromBlock, after, limit: 1_000 });
      out.push(...page.items.map((b) => JSON.parse(b) as PublicEvent));
      if (page.next === null) return out;
      after = page.next;
    }
  }

  /** Attempt every delivery due now (each subscription in order, side by side); resolves when idle. */
  deliverDue(): Promise<void> {
    return this.worker.drain();
  }

  /** Forget delivered rows older than `keepDeliveredMs` (a failure shows in /api/health, nothing else). */
  async prune(): Promise<number> {
    try {
      return await this.store.prune(this.now() - this.config.keepDeliveredMs);
    } catch (e) {
      this.lastError = `delivery store (${this.store.kind}): ${(e as Error).message.split("\n")[0]}`;
      return 0;
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.config.pollSeconds * 1000);
    void this.prune();
    this.pruner = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.worker.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.pruner) clearInterval(this.pruner);
    this.timer = this.pruner = undefined;
    await this.polling;
    await this.worker.stop();
  }
}
