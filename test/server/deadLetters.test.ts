/**
 * Bounded retries and the dead-letter queue against real receivers on 127.0.0.1 and the server
 * following the in-process chain (its delivery worker on its own timers, as `clearhouse serve`
 * runs it): a receiver that recovers gets every event once and in order; one that answers 500
 * forever, never answers or answers slowly holds up only itself and ends in the dead-letter queue
 * after its limit (attempts or age); the API lists the dead letters page by page and replays one or
 * all; the Standard Webhooks headers verify with a verifier written from the spec; and a server
 * started where a JSON outbox of clearhouse ≤ 0.2 lies imports it.
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import type { PublicEvent } from "../../packages/server/src/feed";
import { releaseProver } from "../../packages/zk/src";
import { KEYS, serveConfig, serverFixture, sqlitePath } from "./fixture";
import { startReceiver, verifyStandardWebhook, waitFor, type Received } from "./receiver";

/** A Standard Webhooks secret: whsec_ and the base64 of 32 bytes. */
const SECRET = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7)).toString("base64")}`;

type Fixture = Awaited<ReturnType<typeof serverFixture>>;
type Hook = { id: string; url: string; events?: string[]; maxAttempts?: number; maxAgeMs?: number; timeoutMs?: number };

async function serve(f: Fixture, hooks: Hook[], extra: Record<string, unknown> = {}): Promise<ServerHandle> {
  const config = serveConfig(
    { webhooks: hooks.map((h) => ({ secret: SECRET, ...h })), retryBaseMs: 20, maxRetryMs: 80, ...extra } as never,
    f.addr,
  );
  const server = await createServer({ ch: f.gov, config });
  server.feed.start(); // the worker delivers on its own from here
  return server;
}

const api = async (s: ServerHandle, method: "GET" | "POST", url: string, payload?: object, key = KEYS.auditor) => {
  const res = await s.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
};
type Subscription = { id: string; active: boolean; pending: number; delivered: number; dead: number };
const subscriptions = async (s: ServerHandle) =>
  (await api(s, "GET", "/api/webhooks")).body.subscriptions as Subscription[];
const counts = async (s: ServerHandle, id: string) => (await subscriptions(s)).find((x) => x.id === id)!;
type DeadLetter = { id: string; eventId: string; subscription: string; attempts: number; lastError: string };

/** Every dead letter of a subscription, page by page (`limit` per page), newest first. */
async function deadLetters(s: ServerHandle, subscription: string, limit: number): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  let after = "";
  for (;;) {
    const page = await api(s, "GET", `/api/webhooks/dead?subscription=${subscription}&limit=${limit}${after}`);
    expect(page.status).to.equal(200);
    const items = page.body.items as DeadLetter[];
    expect(items.length).to.be.at.most(limit);
    out.push(...items);
    if (page.body.next === null) return out;
    after = `&after=${String(page.body.next)}`;
  }
}

const ids = (events: PublicEvent[]) => events.map((e) => e.id);
const verified = (r: Received) => verifyStandardWebhook(SECRET, r.headers, r.body);

describe("serve: bounded retries and the dead-letter queue", function () {
  this.timeout(120_000);
  after(releaseProver);

  it("a receiver failing 3 times, then up: every event exactly once, in order, signed per Standard Webhooks", async () => {
    const f = await loadFixture(serverFixture);
    const hook = await startReceiver((n) => (n < 3 ? 500 : 204));
    const server = await serve(f, [{ id: "core", url: hook.url }]);
    const events = server.feed.events;
    await waitFor(() => hook.accepted.length === events.length, 15_000, "every event");
    await new Promise((r) => setTimeout(r, 200)); // nothing more comes
    expect(hook.accepted.map((r) => r.eventId)).to.deep.equal(ids(events));
    // The first event three times refused, then accepted; every other one once.
    expect(hook.requests.length).to.equal(events.length + 3);
    expect(hook.requests.slice(0, 4).map((r) => r.eventId)).to.deep.equal(Array(4).fill(events[0].id));
    expect(hook.requests.every(verified)).to.equal(true);
    expect(hook.requests.every((r) => r.headers["x-clearhouse-event-id"] === r.eventId)).to.equal(true);
    const delivered = (await server.feed.store.list({ status: "delivered", limit: 1_000, newestFirst: false })).items;
    expect(delivered.map((d) => d.attempts)).to.deep.equal([4, ...Array(events.length - 1).fill(1)]);
    expect((await api(server, "GET", "/api/health")).body).to.include({ ok: true, store: "sqlite" });
    // The deliveries, newest first, a page at a time; the first shows its failures.
    const page = await api(server, "GET", "/api/webhooks/deliveries?status=delivered&subscription=core&limit=5");
    const items = page.body.items as { eventId: string; status: string; attempts: number; deliveredAt: string }[];
    expect(items.map((d) => d.eventId)).to.deep.equal(ids(events).reverse().slice(0, 5));
    expect(items.every((d) => d.status === "delivered" && !Number.isNaN(Date.parse(d.deliveredAt)))).to.equal(true);
    const last = await api(server, "GET", `/api/webhooks/deliveries?limit=100&after=${String(page.body.next)}`);
    const rest = last.body.items as { eventId: string; attempts: number; lastError: string | null }[];
    expect([rest.length, last.body.next]).to.deep.equal([events.length - 5, null]);
    expect(rest[rest.length - 1]).to.deep.include({ eventId: events[0].id, attempts: 4, lastError: "HTTP 500" });
    expect((await api(server, "GET", "/api/webhooks/deliveries?status=lost")).status).to.equal(400);
    await server.close();
    await hook.stop();
  });

  it("500 forever: dead letters after maxAttempts while another webhook gets everything; listed, replayed one and all", async () => {
    const f = await loadFixture(serverFixture);
    const failing = await startReceiver(() => 500);
    const healthy = await startReceiver(() => 204);
    const server = await serve(f, [
      { id: "failing", url: failing.url, maxAttempts: 3 },
      { id: "healthy", url: healthy.url },
    ]);
    const events = server.feed.events;
    await waitFor(async () => (await counts(server, "failing")).dead === events.length, 20_000, "dead letters");
    await waitFor(() => healthy.accepted.length === events.length, 5_000, "the healthy webhook");
    expect(healthy.accepted.map((r) => r.eventId)).to.deep.equal(ids(events));
    // Each event tried 3 times in a row, in the chain's order, then the next.
    expect(failing.requests.map((r) => r.eventId)).to.deep.equal(ids(events).flatMap((id) => [id, id, id]));
    expect(await counts(server, "failing")).to.deep.include({ pending: 0, delivered: 0, dead: events.length });
    expect(await counts(server, "healthy")).to.deep.include({ pending: 0, delivered: events.length, dead: 0 });

    // The dead-letter queue: auditors only, per subscription, in pages, newest first.
    expect((await api(server, "GET", "/api/webhooks/dead", undefined, KEYS.alpine)).status).to.equal(403);
    expect((await api(server, "GET", "/api/webhooks/dead?limit=x")).status).to.equal(400);
    const dead = await deadLetters(server, "failing", 4);
    expect(dead.map((d) => d.eventId)).to.deep.equal(ids(events).reverse());
    expect(dead.every((d) => d.attempts === 3 && d.lastError === "HTTP 500 (attempt 3 of 3)")).to.equal(true);
    expect(await deadLetters(server, "healthy", 4)).to.deep.equal([]);

    // Replay one (the oldest), the receiver now up: delivered once, with a new delivery id.
    failing.behave(() => 204);
    const oldest = dead[dead.length - 1];
    expect((await api(server, "POST", `/api/webhooks/dead/${oldest.id}/replay`)).body).to.deep.equal({ replayed: 1 });
    await waitFor(() => failing.accepted.length === 1, 5_000, "the replayed dead letter");
    expect(failing.accepted[0].eventId).to.equal(oldest.eventId);
    expect(failing.accepted[0].headers["x-clearhouse-delivery"]).to.not.equal(oldest.id);
    const again = await api(server, "POST", `/api/webhooks/dead/${oldest.id}/replay`);
    expect([again.status, again.body.error]).to.deep.equal([404, "not_found"]);
    // Replay all of the subscription: the rest, in order.
    const all = await api(server, "POST", "/api/webhooks/dead/replay", { subscription: "failing" });
    expect(all.body).to.deep.equal({ replayed: events.length - 1 });
    await waitFor(() => failing.accepted.length === events.length, 10_000, "every replayed dead letter");
    expect(failing.accepted.map((r) => r.eventId)).to.deep.equal(ids(events));
    expect(failing.accepted.every(verified)).to.equal(true);
    expect(await counts(server, "failing")).to.deep.include({ pending: 0, delivered: events.length, dead: 0 });
    await server.close();
    await Promise.all([failing.stop(), healthy.stop()]);
  });

  it("no answer (timeout) and a slow answer hold up only their own webhook", async () => {
    const f = await loadFixture(serverFixture);
    const silent = await startReceiver(() => "hang");
    const slow = await startReceiver(() => ({ status: 204, afterMs: 250 }));
    const fast = await startReceiver(() => 204);
    const server = await serve(f, [
      {
        id: "silent",
        url: silent.url,
        events: ["BatchSubmitted", "AgreementCreated"],
        timeoutMs: 1_500,
        maxAttempts: 1,
      },
      { id: "slow", url: slow.url, events: ["BatchSubmitted", "BatchAcknowledged", "AgreementCreated"] },
      { id: "fast", url: fast.url },
    ]);
    const events = server.feed.events;
    const silentEvents = events.filter((e) => e.event === "BatchSubmitted" || e.event === "AgreementCreated");
    const slowEvents = events.filter((e) =>
      ["BatchSubmitted", "BatchAcknowledged", "AgreementCreated"].includes(e.event),
    );
    expect(silentEvents.length).to.equal(2);
    await waitFor(() => fast.accepted.length === events.length, 10_000, "the fast webhook");
    await waitFor(() => slow.accepted.length === slowEvents.length, 10_000, "the slow webhook");
    // The fast one had everything before the silent one's first request timed out.
    expect(fast.accepted[fast.accepted.length - 1].at).to.be.lessThan(silent.requests[0].at + 1_500);
    expect(fast.accepted.map((r) => r.eventId)).to.deep.equal(ids(events));
    expect(slow.accepted.map((r) => r.eventId)).to.deep.equal(ids(slowEvents));
    await waitFor(async () => (await counts(server, "silent")).dead === 2, 10_000, "the silent webhook's dead letters");
    expect(silent.requests.map((r) => r.eventId)).to.deep.equal(ids(silentEvents));
    const dead = await deadLetters(server, "silent", 10);
    expect(dead.map((d) => d.lastError)).to.deep.equal(Array(2).fill("no answer within 1500 ms (attempt 1 of 1)"));
    await server.close();
    await Promise.all([silent.stop(), slow.stop(), fast.stop()]);
  });

  it("a 503 with Retry-After: the next attempt waits as long as the receiver asked", async () => {
    const f = await loadFixture(serverFixture);
    const hook = await startReceiver((n) => (n === 0 ? { status: 503, headers: { "retry-after": "1" } } : 204));
    const server = await serve(f, [{ id: "busy", url: hook.url }], { maxRetryMs: 5_000 });
    await waitFor(() => hook.accepted.length === server.feed.events.length, 10_000, "every event");
    // The backoff alone would have retried within 20 ms (Retry-After is honoured up to maxRetryMs).
    expect(hook.requests[1].at - hook.requests[0].at).to.be.at.least(950);
    expect(hook.requests[1].eventId).to.equal(hook.requests[0].eventId);
    await server.close();
    await hook.stop();
  });

  it("the age limit: a delivery failing longer than maxAgeMs goes to the dead-letter queue", async () => {
    const f = await loadFixture(serverFixture);
    const failing = await startReceiver(() => 503);
    const server = await serve(f, [{ id: "aging", url: failing.url, maxAttempts: 1_000, maxAgeMs: 400 }]);
    const events = server.feed.events;
    await waitFor(async () => (await counts(server, "aging")).dead === events.length, 20_000, "dead letters by age");
    const dead = (await deadLetters(server, "aging", 100)).reverse();
    expect(dead.map((d) => d.eventId)).to.deep.equal(ids(events));
    expect(dead.every((d) => /^HTTP 503 \(pending \d+ ms, limit 400 ms\)$/.test(d.lastError))).to.equal(true);
    // The first kept being retried until its age ran out; the others, as old by then, died at their first failure.
    expect(dead[0].attempts).to.be.greaterThan(2);
    expect(dead.slice(1).every((d) => d.attempts === 1)).to.equal(true);
    await server.close();
    await failing.stop();
  });

  it("the store locked by another process: /api/health says so, no event is dropped, intake resumes", async () => {
    const f = await loadFixture(serverFixture);
    const hook = await startReceiver(() => 204);
    const config = serveConfig(
      { webhooks: [{ id: "core", url: hook.url, secret: SECRET }], store: { busyTimeoutMs: 50 } } as never,
      f.addr,
    );
    const server = await createServer({ ch: f.gov, config });
    await server.feed.deliverDue();
    const before = server.feed.events.length;
    expect(hook.accepted).to.have.length(before);

    const other = new Database(sqlitePath(config));
    other.exec("BEGIN IMMEDIATE"); // another writer holds the lock
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId: f.batch.batchId });
    await server.feed.poll();
    const health = await api(server, "GET", "/api/health");
    expect(health.status).to.equal(503);
    expect(health.body.lastError).to.match(/^delivery store \(sqlite\): database is locked/);
    expect(server.feed.events).to.have.length(before); // not taken in: read again next time

    other.exec("COMMIT");
    other.close();
    await server.feed.poll();
    expect((await api(server, "GET", "/api/health")).status).to.equal(200);
    expect(server.feed.events).to.have.length(before + 1);
    await server.feed.deliverDue();
    expect(hook.accepted.map((r) => r.eventId)).to.deep.equal(ids(server.feed.events));
    await server.close();
    await hook.stop();
  });

  it("a server started beside a JSON outbox of clearhouse ≤ 0.2 imports it once and delivers what it held", async () => {
    const f = await loadFixture(serverFixture);
    const probe = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
    const events = [...probe.feed.events];
    await probe.close();
    const hook = await startReceiver(() => 204);
    const config = serveConfig(
      { webhooks: [{ id: "core", url: hook.url, secret: SECRET }], retryBaseMs: 20, maxRetryMs: 80 } as never,
      f.addr,
    );
    // Written in the old format: events up to the cursor's block were enqueued; one delivered,
    // one pending after failures, one for a webhook since removed from the config.
    const cursor = events[2].blockNumber;
    writeFileSync(
      config.outbox,
      JSON.stringify({
        format: "clearhouse.outbox/1",
        cursor,
        deliveries: [
          {
            id: "d0",
            webhookId: "core",
            eventId: events[0].id,
            body: "",
            attempts: 1,
            nextAttemptAt: 0,
            deliveredAt: 1,
          },
          {
            id: "d1",
            webhookId: "core",
            eventId: events[1].id,
            body: JSON.stringify(events[1]),
            attempts: 2,
            nextAttemptAt: 0,
            lastError: "HTTP 503",
          },
          {
            id: "d2",
            webhookId: "old",
            eventId: events[2].id,
            body: JSON.stringify(events[2]),
            attempts: 0,
            nextAttemptAt: 0,
          },
        ],
      }),
    );
    expect(dirname(sqlitePath(config))).to.equal(dirname(config.outbox)); // the store's default place
    const server = await createServer({ ch: f.gov, config });
    expect(existsSync(config.outbox)).to.equal(false);
    expect(existsSync(`${config.outbox}.migrated`)).to.equal(true);
    await server.feed.deliverDue();
    const expected = [events[1], ...events.filter((e) => BigInt(e.blockNumber) > BigInt(cursor))];
    await waitFor(() => hook.accepted.length === expected.length, 10_000, "the imported and the new events");
    expect(hook.accepted.map((r) => r.eventId)).to.deep.equal(ids(expected));
    expect(hook.accepted[0].headers["x-clearhouse-delivery"]).to.equal("d1"); // the imported delivery
    expect(hook.accepted.every(verified)).to.equal(true);
    expect((await subscriptions(server)).map((s) => [s.id, s.active, s.pending])).to.deep.equal([
      ["core", true, 0],
      ["old", false, 1],
    ]);
    await server.close();
    // A restart imports nothing again and sends nothing twice.
    const again = await createServer({ ch: f.gov, config });
    await again.feed.deliverDue();
    expect(hook.requests.length).to.equal(expected.length);
    await again.close();
    await hook.stop();
  });
});
