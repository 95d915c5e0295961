/**
 * Operations: `GET /metrics` (Prometheus text format) and `GET /api/operations` (the KPIs over time
 * for the console's Operations page), both for auditor, regulator and operator keys. The metrics
 * follow the feed's events (with their blocks' times and, for cycle closes, their gas) and the API's
 * requests; block times are read once per block and kept (QBFT blocks are final).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ClearhouseContext } from "@clearhouse/sdk";
import type { EventFeed, PublicEvent } from "./feed";
import type { ResponseCache } from "./index/cache";
import type { ServerMetrics } from "./metrics";
import { operationsReport } from "./operations";

/** Most block times kept in memory (a day of 1 s blocks). */
const BLOCK_TIMES_KEPT = 100_000;

/** Block number → unix time, read from the node once per block. */
export class BlockTimes {
  private readonly times = new Map<string, number>();
  constructor(private readonly ctx: ClearhouseContext) {}

  /** The time of each block in `blockNumbers` (reading the ones not known yet, a few at a time). */
  async load(blockNumbers: Iterable<string>): Promise<void> {
    const missing = [...new Set(blockNumbers)].filter((n) => !this.times.has(n));
    for (let i = 0; i < missing.length; i += 20) {
      const chunk = missing.slice(i, i + 20);
      const blocks = await Promise.all(
        chunk.map((n) => this.ctx.publicClient.getBlock({ blockNumber: BigInt(n), includeTransactions: false })),
      );
      blocks.forEach((b, k) => this.times.set(chunk[k], Number(b.timestamp)));
    }
    while (this.times.size > BLOCK_TIMES_KEPT) this.times.delete(this.times.keys().next().value as string);
  }

  /** A loaded block's time (0 if it was never loaded). */
  timeOf(blockNumber: string): number {
    return this.times.get(blockNumber) ?? 0;
  }
}

/** Feeds events into the metrics in chain order, reading block times (and close gas) in batches. */
export class MetricsObserver {
  private queue: PublicEvent[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: ClearhouseContext,
    private readonly metrics: ServerMetrics,
    private readonly times: BlockTimes,
  ) {}

  /** Queue `e` (the feed's subscriber). */
  readonly observe = (e: PublicEvent): void => {
    this.queue.push(e);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  };

  /** Resolves once every queued event is counted. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.times.load(batch.map((e) => e.blockNumber));
      } catch {
        this.metrics.errors.inc(); // the events are still counted; latencies from unknown times are skipped
      }
      for (const e of batch) {
        let gas: bigint | undefined;
        if (e.event === "CycleClosed")
          gas = await this.ctx.publicClient
            .getTransactionReceipt({ hash: e.transactionHash as `0x${string}` })
            .then((r) => r.gasUsed)
            .catch(() => undefined);
        const t = this.times.timeOf(e.blockNumber);
        this.metrics.observeEvent(e, t, gas);
      }
    }
  }
}

/** Register the request hooks and the two routes. */
export function opsRoutes(
  app: FastifyInstance,
  o: {
    feed: EventFeed;
    metrics: ServerMetrics;
    times: BlockTimes;
    observer: MetricsObserver;
    /** The read routes' response cache and the index generation it keys on: the report is kept too. */
    cache: ResponseCache;
    generation: () => number;
    onlyAuditors: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  },
): void {
  const { feed, metrics, times, observer } = o;
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get("/metrics", { preHandler: o.onlyAuditors }, async (_req, reply) => {
    await observer.idle();
    await webhookGauges(feed, metrics).catch(() => metrics.errors.inc());
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });

  app.get<{ Querystring: { bucket?: string } }>(
    "/api/operations",
    { preHandler: o.onlyAuditors },
    async (req, reply) => {
      const bucket = Number(req.query.bucket ?? 3600);
      if (!Number.isSafeInteger(bucket) || bucket < 1 || bucket > 7 * 86_400)
        return reply.code(400).send({
          error: "bad-request",
          message: `bucket "${req.query.bucket}" is not a whole number of seconds from 1 to 604800.`,
        });
      // The whole history in buckets: computed once per index generation and bucket size.
      const key = `operations ${bucket}`;
      const generation = o.generation();
      let body = o.cache.get(key, generation);
      if (body === undefined) {
        const events = await feed.history();
        await times.load(events.map((e) => e.blockNumber));
        body = JSON.stringify(operationsReport(events, (n) => times.timeOf(n), bucket));
        o.cache.set(key, generation, body);
      }
      return reply.type("application/json; charset=utf-8").send(body);
    },
  );
}

/** The webhook gauges, read from the delivery store at scrape time. */
async function webhookGauges(feed: EventFeed, metrics: ServerMetrics): Promise<void> {
  const now = Date.now();
  for (const s of await feed.store.subscriptions()) {
    metrics.webhookPending.set({ subscription: s.id }, s.counts.pending);
    metrics.webhookDead.set({ subscription: s.id }, s.counts.dead);
    const [oldest] = (await feed.store.list({ subscriptionId: s.id, status: "pending", limit: 1 })).items;
    metrics.webhookOldestPending.set(
      { subscription: s.id },
      oldest ? Math.max(0, (now - oldest.pendingSince) / 1000) : 0,
    );
  }
}
