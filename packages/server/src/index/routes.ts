/**
 * The API's read routes, served from the read index: every list one page at a time (`limit`,
 * `after` = the previous page's `next`, as the webhook routes page), no node call per item. A
 * member sees the consortium's members and cycles, but only the batches and agreements it is a
 * party to (403 on another's page); auditors and the regulator see everything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Clearhouse } from "@clearhouse/sdk";
import { plain } from "../publicEvent";
import { effectiveStatus, type IndexedBatch } from "./indexer";
import type { IndexKind, IndexPage, IndexStore } from "./types";

type PageQuery = { limit?: string; after?: string; fromBlock?: string };
const MAX_LIMIT = 1_000;

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
): void {
  const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ error: "bad_request", message });
  const notFound = (reply: FastifyReply, what: string) => reply.code(404).send({ error: "not_found", message: what });
  const forbidden = (reply: FastifyReply, what: string) =>
    reply.code(403).send({ error: "forbidden", message: `This key may not see ${what}.` });
  const account = (req: FastifyRequest) => (access.seesAll(req) ? undefined : access.me(req).toLowerCase());
  /** A page as JSON: stored bodies go out as they are (no parse and re-serialise), else mapped. */
  const out = (reply: FastifyReply, p: IndexPage, map?: (body: string) => unknown) =>
    reply
      .type("application/json; charset=utf-8")
      .send(
        `{"items":[${map ? p.items.map((b) => JSON.stringify(map(b))).join(",") : p.items.join(",")}],` +
          `"next":${p.next === null ? "null" : `"${p.next}"`}}`,
      );
  const list =
    (kind: IndexKind, scoped: boolean, map?: (body: string, headTime: number) => unknown) =>
    async (req: FastifyRequest<{ Querystring: PageQuery }>, reply: FastifyReply) => {
      const p = pageParams(req.query);
      if (typeof p === "string") return bad(reply, p);
      const page = await index.page({ kind, account: scoped ? account(req) : undefined, ...p });
      const headTime = (await index.headTime()) ?? 0;
      return out(reply, page, map && ((b) => map(b, headTime)));
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
  const history = async (subject: string) => {
    const items: unknown[] = [];
    let after: number | undefined;
    for (;;) {
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
  app.get<{ Params: { id: string } }>("/api/batches/:id", async (req, reply) => {
    const row = await index.get("batch", req.params.id.toLowerCase());
    if (!row) return notFound(reply, `No batch ${req.params.id}.`);
    if (!visible(req, row.parties)) return forbidden(reply, "another bank's batch");
    const b = JSON.parse(row.body) as IndexedBatch;
    return {
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
      history: await history(row.key),
    };
  });
  app.get("/api/cycles", list("cycle", false));
  app.get<{ Params: { id: string } }>("/api/cycles/:id", async (req, reply) => {
    const row = /^\d+$/.test(req.params.id) ? await index.get("cycle", String(BigInt(req.params.id))) : undefined;
    if (!row) return notFound(reply, `No cycle ${req.params.id}.`);
    return JSON.parse(row.body) as unknown;
  });
  app.get("/api/agreements", list("agreement", true));
  app.get<{ Params: { id: string } }>("/api/agreements/:id", async (req, reply) => {
    const row = /^\d+$/.test(req.params.id) ? await index.get("agreement", String(BigInt(req.params.id))) : undefined;
    if (!row) return notFound(reply, `No agreement ${req.params.id}.`);
    if (!visible(req, row.parties)) return forbidden(reply, "an agreement it is not a party to");
    // One agreement, read live: its conditions (deadlines, time locks) change with the clock.
    const live = plain(await ch.payments.getAgreement({ agreementId: BigInt(row.key) })) as object;
    return { ...live, history: await history(row.key) };
  });
  app.get<{ Querystring: PageQuery }>("/api/events", async (req, reply) => {
    const p = pageParams(req.query, 500);
    if (typeof p === "string") return bad(reply, p);
    if (req.query.fromBlock !== undefined && !/^\d+$/.test(req.query.fromBlock))
      return bad(reply, "fromBlock must be a block number.");
    const fromBlock = req.query.fromBlock === undefined ? undefined : BigInt(req.query.fromBlock);
    return out(reply, await index.events({ account: account(req), fromBlock, ...p }));
  });
}
