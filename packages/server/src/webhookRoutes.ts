/**
 * The webhook routes of the API (auditor and regulator keys): subscriptions with their counts,
 * deliveries and the dead-letter queue page by page, replay of one or all dead letters, and replay
 * of every event from a block.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServeConfig } from "./config";
import type { EventFeed } from "./feed";
import type { DeliveryRecord, DeliveryStatus } from "./store/types";

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A delivery as the API shows it (times in ISO 8601, the block as a decimal string). */
export function deliveryJson(d: DeliveryRecord) {
  return {
    seq: d.seq,
    id: d.id,
    subscription: d.subscriptionId,
    eventId: d.eventId,
    event: d.eventName,
    blockNumber: d.blockNumber.toString(),
    logIndex: d.logIndex,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError ?? null,
    nextAttemptAt: d.status === "pending" ? iso(d.nextAttemptAt) : null,
    pendingSince: iso(d.pendingSince),
    deliveredAt: iso(d.deliveredAt),
    deadAt: iso(d.deadAt),
  };
}

type ListQuery = { subscription?: string; status?: string; limit?: string; after?: string };

export function webhookRoutes(
  app: FastifyInstance,
  feed: EventFeed,
  config: ServeConfig,
  onlyAuditors: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  now: () => number = Date.now,
): void {
  const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ error: "bad_request", message });
  /** One page of deliveries, newest first; `after` is the previous page's `next`. */
  const page = async (q: ListQuery, reply: FastifyReply, status?: DeliveryStatus) => {
    if (q.limit !== undefined && !/^\d+$/.test(q.limit)) return bad(reply, "limit must be a whole number.");
    if (q.after !== undefined && !/^\d+$/.test(q.after)) return bad(reply, "after must be the `next` of a page.");
    if (q.status !== undefined && !["pending", "delivered", "dead"].includes(q.status))
      return bad(reply, "status must be pending, delivered or dead.");
    const { items, next } = await feed.store.list({
      status: status ?? (q.status as DeliveryStatus | undefined),
      subscriptionId: q.subscription,
      after: q.after === undefined ? undefined : Number(q.after),
      newestFirst: true,
      limit: Math.max(1, Math.min(Number(q.limit ?? 100) || 100, 1_000)),
    });
    return { items: items.map(deliveryJson), next: next === null ? null : String(next) };
  };

  app.get("/api/webhooks", { preHandler: onlyAuditors }, async () => {
    const timeouts = new Map(config.webhooks.map((w) => [w.id, w.timeoutMs]));
    return {
      store: feed.store.kind,
      subscriptions: (await feed.store.subscriptions()).map((s) => ({
        id: s.id,
        url: s.url,
        events: s.events ?? null,
        active: s.active,
        maxAttempts: s.maxAttempts,
        maxAgeMs: s.maxAgeMs,
        timeoutMs: timeouts.get(s.id) ?? null,
        ...s.counts,
      })),
    };
  });
  app.get<{ Querystring: ListQuery }>("/api/webhooks/deliveries", { preHandler: onlyAuditors }, (req, reply) =>
    page(req.query, reply),
  );
  app.get<{ Querystring: ListQuery }>("/api/webhooks/dead", { preHandler: onlyAuditors }, (req, reply) =>
    page(req.query, reply, "dead"),
  );
  app.post<{ Body: { subscription?: string } | null }>(
    "/api/webhooks/dead/replay",
    { preHandler: onlyAuditors },
    async (req) => {
      const replayed = await feed.store.replayDead({ subscriptionId: req.body?.subscription }, now());
      void feed.worker.kick();
      return { replayed };
    },
  );
  app.post<{ Params: { id: string } }>(
    "/api/webhooks/dead/:id/replay",
    { preHandler: onlyAuditors },
    async (req, reply) => {
      const replayed = await feed.store.replayDead({ id: req.params.id }, now());
      if (!replayed)
        return reply.code(404).send({
          error: "not_found",
          message: `No dead letter ${req.params.id}: list them with GET /api/webhooks/dead (a replayed one has a new id).`,
        });
      void feed.worker.kick();
      return { replayed };
    },
  );
  app.post<{ Body: { fromBlock?: string | number } }>(
    "/api/webhooks/replay",
    { preHandler: onlyAuditors },
    async (req, reply) => {
      const from = String(req.body?.fromBlock ?? "");
      if (!/^\d+$/.test(from)) return bad(reply, "fromBlock must be a block number.");
      return { enqueued: await feed.replay(BigInt(from)) };
    },
  );
}
