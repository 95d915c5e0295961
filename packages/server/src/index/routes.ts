/**
 * The API's read routes, served from the read index: every list one page at a time (`limit`,
 * `after` = the previous page's `next`, as the webhook routes page), no node call per item. A
 * member sees the consortium's members and cycles, but only the batches and agreements it is a
 * party to (403 on another's page); auditors and the regulator see everything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Clearhouse } from "@clearhouse/sdk";
import { plain } from "../publicEvent";
import { ResponseCache } from "./cache";
import { effectiveStatus, type IndexedBatch } from "./indexer";
import type { IndexKind, IndexPage, IndexStore } from "./types";

type PageQuery = { limit?: string; after?: string; fromBlock?: string };
const MAX_LIMIT = 1_000;

/** What a read route computes: its answer as JSON text, or an error status with its message. */
type Answer = string | { code: 403 | 404; message: string };

/** `limit` and `after` of a list request, or the message of a 400. */
export function pageParams(q: PageQuery, fallback = 100): { limit: number; after?: number } | string {
  if (q.limit !== undefined && !/^\d+$/.test(q.limit)) return "limit must be a whole number.";
  if (q.after !== undefined && !/^\d+$/.test(q.after)) return "after must be the `next` of a page.";
  return {
    limit: Math.max(1, Math.min(q.limit === undefined ? fallback : Number(q.limit), MAX_LIMIT)),
    after: q.after === undefined ? undefined : Number(q.after),
  };
}

export function indexRoutes(
  app: FastifyInstance,
  ch: Clearhouse,
  index: IndexStore,
  access: { seesAll(req: FastifyRequest): boolean; me(req: FastifyRequest): string },
  cache = new ResponseCache(),
): void {
  const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ error: "bad_request", message });
  const account = (req: FastifyRequest) => (access.seesAll(req) ? undefined : access.me(req).toLowerCase());
  /**
   * Send what `compute` answers, from the cache when the index has not changed since it was
   * computed for the same URL and scope (a member's answer is its own: the scope is its account).
   * Errors are not cached; a 400 is decided before this.
   */
  const answer = async (req: FastifyRequest, reply: FastifyReply, compute: () => Promise<Answer>) => {
    const key = `${account(req) ?? "*"} ${req.url}`;
    const generation = index.generation;
    let body: Answer | undefined = cache.get(key, generation);
    if (body === undefined) {
      body = await compute();
      if (typeof body === "string") cache.set(key, generation, body);
    }
    if (typeof body !== "string")
      return reply
        .code(body.code)
        .send({ error: body.code === 404 ? "not_found" : "forbidden", message: body.message });
    return reply.type("application/json; charset=utf-8").send(body);
  };
  const forbidden = (what: string): Answer => ({ code: 403, message: `This key may not see ${what}.` });
  /** A page as JSON: stored bodies go out as they are (no parse and re-serialise), else mapped. */
  const pageJson = (p: IndexPage, map?: (body: string) => unknown) =>
    `{"items":[${map ? p.items.map((b) => JSON.stringify(map(b))).join(",") : p.items.join(",")}],` +
    `"next":${p.next === null ? "null" : `"${p.next}"`}}`;
  const list =
    (kind: IndexKind, scoped: boolean, map?: (body: string, headTime: number) => unknown) =>
    async (req: FastifyRequest<{ Querystring: PageQuery }>, reply: FastifyReply) => {
      const p = pageParams(req.query);
      if (typeof p === "string") return bad(reply, p);
      return answer(req, reply, async () => {
        const page = await index.page({ kind, account: scoped ? account(req) : undefined, ...p });
        const headTime = (await index.headTime()) ?? 0;
        return pageJson(page, map && ((b) => map(b, headTime)));
      });
    };
  const batchSummary = (body: string, headTime: number) => {
    const b = JSON.parse(body) as IndexedBatch;
    return {
      batchId: b.batchId,
      submitter: b.submitter,
      sequence: b.sequence,
      status: effectiveStatus(b, headTime),
      header: b.header,
      blockNumber: b.blockNumber,
    };
  };
  /** Every event about `subject`, a page at a time; stops once the request is abandoned. */
  const history = async (subject: string, signal: AbortSignal) => {
    const items: unknown[] = [];
    let after: number | undefined;
    for (;;) {
      signal.throwIfAborted();
      const p = await index.events({ subject: subject.toLowerCase(), after, limit: MAX_LIMIT });
      items.push(...p.items.map((b) => JSON.parse(b) as unknown));
      if (p.next === null) return items;
      after = p.next;
    }
  };
  const visible = (req: FastifyRequest, parties: string[]) => {
    const a = account(req);
    return a === undefined || parties.includes(a);
  };

  app.get("/api/members", list("member", false));
  app.get("/api/batches", list("batch", true, batchSummary));
  app.get<{ Params: { id: string } }>("/api/batches/:id", (req, reply) =>
    answer(req, reply, async () => {
      const row = await index.get("batch", req.params.id.toLowerCase());
      if (!row) return { code: 404, message: `No batch ${req.params.id}.` };
      if (!visible(req, row.parties)) return forbidden("another bank's batch");
      const b = JSON.parse(row.body) as IndexedBatch;
      return JSON.stringify({
        batchId: b.batchId,
        status: effectiveStatus(b, (await index.headTime()) ?? 0),
        sequence: b.sequence,
        submittedAt: b.submittedAt,
        digest: b.digest,
        counterpartyMask: b.counterpartyMask,
        ackMask: b.ackMask,
        windowClosesAt: b.windowClosesAt,
        header: b.header,
        ...(b.nettedIn === undefined ? {} : { nettedIn: b.nettedIn }),
        submitter: b.submitter,
        history: await history(row.key, req.abandoned),
      });
    }),
  );
  app.get("/api/cycles", list("cycle", false));
  app.get<{ Params: { id: string } }>("/api/cycles/:id", (req, reply) =>
    answer(req, reply, async () => {
      const row = /^\d+$/.test(req.params.id) ? await index.get("cycle", String(BigInt(req.params.id))) : undefined;
      return row ? row.body : { code: 404, message: `No cycle ${req.params.id}.` };
    }),
  );
  app.get("/api/agreements", list("agreement", true));
  app.get<{ Params: { id: string } }>("/api/agreements/:id", async (req, reply) => {
    const row = /^\d+$/.test(req.params.id) ? await index.get("agreement", String(BigInt(req.params.id))) : undefined;
    if (!row) return reply.code(404).send({ error: "not_found", message: `No agreement ${req.params.id}.` });
    if (!visible(req, row.parties))
      return reply
        .code(403)
        .send({ error: "forbidden", message: "This key may not see an agreement it is not a party to." });
    // One agreement, read live: its conditions (deadlines, time locks) change with the clock.
    const live = plain(await ch.payments.getAgreement({ agreementId: BigInt(row.key) })) as object;
    return { ...live, history: await history(row.key, req.abandoned) };
  });
  app.get<{ Querystring: PageQuery }>("/api/events", async (req, reply) => {
    const p = pageParams(req.query, 500);
    if (typeof p === "string") return bad(reply, p);
    if (req.query.fromBlock !== undefined && !/^\d+$/.test(req.query.fromBlock))
      return bad(reply, "fromBlock must be a block number.");
    const fromBlock = req.query.fromBlock === undefined ? undefined : BigInt(req.query.fromBlock);
    return answer(req, reply, async () => pageJson(await index.events({ account: account(req), fromBlock, ...p })));
  });
}
