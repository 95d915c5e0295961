/**
 * The REST API, event stream and console of `clearhouse serve` (fastify). Every /api route needs
 * an API key (`Authorization: Bearer <key>` or `X-Api-Key`): none or an unknown one is 401. A member
 * sees the consortium's members, cycles and governance, but only its own batches and agreements
 * (403 for others'); auditors and the regulator see everything, the audit and the webhooks; the
 * regulator alone reads traced payments (regulatorRoutes.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { isHex, type Hex } from "viem";
import { auditChain } from "@clearhouse/sdk/node";
import { type AuditReport } from "@clearhouse/sdk/audit";
import type { Clearhouse } from "@clearhouse/sdk";
import { ClearhouseError, type ErrorCategory } from "@clearhouse/sdk/errors";
import { leafOf, validateRecord } from "@clearhouse/sdk/settlement";
import { proofVerifier, releaseProver } from "@clearhouse/zk";
import type { ApiKey, ServeConfig } from "./config";
import { EventFeed, involves, plain as json, type PublicEvent } from "./feed";
import { openDeliveryStore, PostgresDeliveryStore } from "./store";
import { ServerMetrics } from "./metrics";
import { BlockTimes, MetricsObserver, opsRoutes } from "./opsRoutes";
import { webhookRoutes } from "./webhookRoutes";
import { Indexer, type IndexedBatch } from "./index/indexer";
import { indexRoutes } from "./index/routes";
import { PostgresIndexStore } from "./index/postgres";
import { SqliteIndexStore } from "./index/sqlite";
import type { IndexStore } from "./index/types";
import { ResponseCache } from "./index/cache";
import { abortableVerifier, ProverUsers, SharedRun } from "./sharedRun";
import { loadRegulatorKeys, regulatorRoutes } from "./regulatorRoutes";

declare module "fastify" {
  interface FastifyRequest {
    apiKey?: ApiKey;
    /** Aborts when the client closes the connection before the answer is sent. */
    abandoned: AbortSignal;
  }
}

/** The server-sent event stream's route. */
const EVENT_STREAM = "/api/events/stream";

/** HTTP status of an SDK error, by category. */
const STATUS_OF_CATEGORY: Readonly<Record<ErrorCategory, number>> = {
  input: 400,
  refused: 409,
  network: 503,
  internal: 500,
};

export interface ServerHandle {
  app: FastifyInstance;
  feed: EventFeed;
  metrics: ServerMetrics;
  /** What the start did with an old JSON outbox file (`config.outbox`): see `importLegacyOutbox`. */
  legacyImport: Awaited<ReturnType<typeof openDeliveryStore>>["legacy"];
  close(): Promise<void>;
}

export async function createServer(opts: {
  ch: Clearhouse;
  config: ServeConfig;
  now?: () => number;
  /** The metrics to count into (default: a new registry with process metrics). */
  metrics?: ServerMetrics;
}): Promise<ServerHandle> {
  const { ch, config } = opts;
  // Read and checked before anything is opened: a bad key file stops the start, naming it.
  const regulatorKeys = loadRegulatorKeys(config.regulatorKeys);
  const { store, legacy } = await openDeliveryStore(config, (opts.now ?? Date.now)());
  // The read index lives beside the delivery store: in its SQLite file, or in its PostgreSQL
  // database on its connection pool (servers sharing the database share the index: decision 033).
  let index: IndexStore;
  try {
    const s = config.store;
    if (s.kind === "sqlite") index = new SqliteIndexStore(s.path, s.busyTimeoutMs);
    else if (store instanceof PostgresDeliveryStore)
      index = await PostgresIndexStore.open(store.connections, store.where);
    else throw new Error(`A ${s.kind} serve config opened a ${store.kind} delivery store.`);
  } catch (e) {
    await store.close();
    throw e;
  }
  const feed = new EventFeed(ch.context, config, store, opts.now, new Indexer(ch, index));
  const metrics = opts.metrics ?? new ServerMetrics();
  const times = new BlockTimes(ch.context);
  const observer = new MetricsObserver(ch.context, metrics, times);
  feed.subscribe(observer.observe);
  feed.onPollError = () => metrics.rpcErrors.inc();
  feed.onHead = (block) => metrics.headBlock.set(Number(block));
  feed.worker.onOutcome = (subscription, outcome) => metrics.observeDelivery(subscription, outcome);
  await feed.poll();
  const app = Fastify({ logger: false, forceCloseConnections: true }); // open event streams must not hold up a stop
  const keys = new Map(config.apiKeys.map((k) => [k.key, k]));
  const seesAll = (r: FastifyRequest) => r.apiKey!.role !== "member";
  const me = (r: FastifyRequest) => r.apiKey!.account!;
  // One audit at a time: concurrent requests share it; kept 30 s after it finished; stopped (at its
  // next read or proof) when every request waiting for it has gone. The prover's threads are
  // released once no audit and no regulator read works, not at the end of each: an abandoned audit
  // may still be winding down beside the next one, and releasing then would stop the next one's proofs.
  const prover = new ProverUsers(releaseProver);
  const audit = new SharedRun<AuditReport>(
    (signal) =>
      prover.during(() => auditChain(ch.context, { verifier: abortableVerifier(proofVerifier(), signal), signal })),
    30_000,
  );
  const cache = new ResponseCache(config.responseCacheMB * 1024 * 1024);
  metrics.watch({ cache, audit });

  // Every route but the console page needs a key. The check keys on the matched route, not on the
  // raw URL, so percent-encoded paths (/%61pi/…) cannot slip past it.
  app.decorateRequest("abandoned", null as unknown as AbortSignal);
  app.addHook("onRequest", async (req, reply) => {
    const abandoned = new AbortController();
    req.abandoned = abandoned.signal;
    reply.raw.once("close", () => {
      // An event stream has no end but its client's going: that is not an abandoned answer.
      if (reply.raw.writableFinished || req.routeOptions.url === EVENT_STREAM) return;
      abandoned.abort(new Error("The client closed the connection before the answer."));
      metrics.observeAbandoned(req.method, req.routeOptions.url ?? "unmatched");
    });
    if (req.routeOptions.url === "/" || req.routeOptions.url === "/favicon.ico") return;
    const header =
      req.headers.authorization?.replace(/^Bearer\s+/i, "") ?? (req.headers["x-api-key"] as string | undefined);
    const key = header ? keys.get(header) : undefined;
    if (!key)
      return reply.code(401).send({
        error: "unauthorized",
        message: header
          ? "This API key is not known: check it, or ask the operator for one."
          : "Send an API key: Authorization: Bearer <key>.",
      });
    req.apiKey = key;
  });
  const forbidden = (reply: FastifyReply, what: string) =>
    reply.code(403).send({ error: "forbidden", message: `This key may not see ${what}.` });
  const onlyAuditors = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!seesAll(req)) return forbidden(reply, "this (auditor or regulator only)");
  };
  app.setErrorHandler((error, _req, reply) => {
    const e = error as unknown;
    // The SDK's error category gives the status: the caller's input 400, a refusal by the chain
    // 409, the node unreachable or on another chain 503, anything else 500.
    if (e instanceof ClearhouseError)
      return reply
        .code(STATUS_OF_CATEGORY[e.category])
        .send({ error: e.name, category: e.category, message: e.shortMessage, hint: e.hint });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ error: "error", message: (error as Error).message.split("\n")[0] });
  });

  const visible = (req: FastifyRequest, e: PublicEvent) => seesAll(req) || involves(e, me(req));

  // 200 when the event feed follows the chain, 503 when its last poll failed (a load balancer or a
  // monitor reads the status code; the body says why).
  app.get("/api/health", async (_req, reply) => {
    // Beside PostgreSQL the index is in the database too: while it is away, say so (503), not 500.
    let events: number | undefined;
    let indexError: string | undefined;
    try {
      events = await index.eventCount();
    } catch (e) {
      indexError = `read index (${index.kind}): ${(e as Error).message.split("\n")[0]}`;
    }
    const lastError =
      feed.lastError ?? (feed.worker.storeError && `delivery store: ${feed.worker.storeError}`) ?? indexError;
    const ok = lastError === undefined;
    return reply.code(ok ? 200 : 503).send({ ok, events, store: store.kind, lastError });
  });
  // Browsers ask for it on every page: no icon, and no 401 for a request nobody chose to send.
  app.get("/favicon.ico", async (_req, reply) => reply.code(204).send());
  app.get("/api/whoami", async (req) => {
    const { symbol, decimals, currency } = ch.context.deployment.token;
    return {
      name: req.apiKey!.name,
      role: req.apiKey!.role,
      account: req.apiKey!.account,
      // What amounts (in minor units everywhere in the API) are shown in: the settlement token.
      token: { symbol, decimals, currency: currency ?? null },
    };
  });
  indexRoutes(app, ch, index, { seesAll, me }, cache);

  const batchEvent = async (id: string) => {
    const row = isHex(id) ? await index.get("batch", id.toLowerCase()) : undefined;
    return row && { row, batch: JSON.parse(row.body) as IndexedBatch };
  };
  const batchVisible = (req: FastifyRequest, row: { parties: string[] }) =>
    seesAll(req) || row.parties.includes(me(req).toLowerCase());
  app.post<{ Body: { batchId?: string; record?: unknown; proof?: string[] } }>("/api/inclusion", async (req, reply) => {
    const { batchId, record, proof } = req.body ?? {};
    const found = typeof batchId === "string" ? await batchEvent(batchId) : undefined;
    if (!found) return reply.code(404).send({ error: "not_found", message: `No batch ${String(batchId)}.` });
    if (!batchVisible(req, found.row)) return forbidden(reply, "another bank's batch");
    if (!Array.isArray(proof) || !proof.every((p) => isHex(p) && p.length === 66))
      return reply.code(400).send({ error: "bad_request", message: "proof must be a list of 32-byte hex hashes." });
    const payment = validateRecord(record, "record");
    const leaf = leafOf(payment);
    const h = found.batch.header;
    const header = {
      root: h.root as Hex,
      entryCount: Number(h.entryCount),
      grossTotal: BigInt(h.grossTotal),
      totalsCommitment: h.totalsCommitment as Hex,
      metadataDigest: h.metadataDigest as Hex,
      counterpartyMask: BigInt(h.counterpartyMask),
      closesAt: Number(h.closesAt),
    };
    // By the record's fields: the ledger hashes the record itself, so no internal node passes.
    const included = await ch.settlement.verifyRecordOnChain({
      batchId: found.batch.batchId as Hex,
      header,
      record: payment,
      proof: proof as Hex[],
    });
    return { batchId: found.batch.batchId, leaf, included };
  });

  // The history reads every multisig log and the transactions that queued, executed or cancelled:
  // read again only when the feed saw a new multisig event, or after 15 s (open states are timed).
  // A read still running is shared, however old: a second scan beside it would only load the node.
  let proposals: { at: number; seen: number; list: Promise<unknown>; done: boolean } | undefined;
  app.get("/api/proposals", async () => {
    if (!ch.context.deployment.contracts.ConsortiumMultisig) return [];
    const seen = feed.events.filter((e) => e.contract === "ConsortiumMultisig").length;
    if (!proposals || (proposals.done && (proposals.seen !== seen || Date.now() - proposals.at > 15_000))) {
      const entry = { at: Date.now(), seen, list: ch.governance.listProposals().then(json), done: false };
      proposals = entry;
      entry.list.then(
        () => (entry.done = true),
        () => {
          if (proposals === entry) proposals = undefined;
        },
      );
    }
    return proposals.list;
  });

  app.get(EVENT_STREAM, (req, reply) => {
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    reply.raw.write(": clearhouse event stream\n\n");
    const unsubscribe = feed.subscribe((e) => {
      if (visible(req, e)) reply.raw.write(`id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e)}\n\n`);
    });
    metrics.streamSubscribers.inc();
    req.raw.on("close", () => {
      unsubscribe();
      metrics.streamSubscribers.dec();
    });
    return reply;
  });

  app.get("/api/audit", { preHandler: onlyAuditors }, async (req) => audit.get(req.abandoned));
  webhookRoutes(app, feed, config, onlyAuditors, opts.now);
  regulatorRoutes(app, { ctx: ch.context, keys: regulatorKeys, prover, forbidden });
  opsRoutes(app, { feed, metrics, times, observer, onlyAuditors, cache, generation: () => index.generation });

  const consolePage = readFileSync(join(__dirname, "console.html"), "utf8");
  app.get("/", async (_req, reply) => reply.type("text/html").send(consolePage));

  return {
    app,
    feed,
    metrics,
    legacyImport: legacy,
    close: async () => {
      await feed.stop();
      await app.close();
      await feed.worker.stop(); // attempts a last request started (a replay) are recorded first
      await store.close();
      await index.close();
    },
  };
}
