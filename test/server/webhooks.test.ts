/**
 * Webhooks: signed deliveries (Standard Webhooks and the older X-Clearhouse headers), retried with
 * backoff while the receiver is down, every event delivered once per webhook and event id, in
 * order, the delivery store surviving a restart, replay from a block; the backoff formula.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createHmac } from "node:crypto";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer } from "../../packages/server/src/api";
import type { EventFeed } from "../../packages/server/src/feed";
import { retryAfterMs } from "../../packages/server/src/webhooks/post";
import { afterFailure, retryDelay } from "../../packages/server/src/webhooks/retry";
import { standardSecret } from "../../packages/server/src/webhooks/sign";
import { releaseProver } from "../../packages/zk/src";
import { freePort } from "../helpers/net";
import { KEYS, serveConfig, serverFixture } from "./fixture";
import { verifyStandardWebhook } from "./receiver";

const SECRET = "webhook-secret-000001";

interface Received {
  eventId: string;
  delivery: string;
  body: string;
  timestamp: string;
  signature: string;
  standard: boolean;
}

/** A receiver that answers 503 while `down`, and records what it accepted. */
function receiver(port: number) {
  const got: Received[] = [];
  let down = true;
  let server: Server | undefined;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createHttpServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          if (down) {
            res.writeHead(503).end();
            return;
          }
          got.push({
            eventId: String(req.headers["x-clearhouse-event-id"]),
            delivery: String(req.headers["x-clearhouse-delivery"]),
            timestamp: String(req.headers["x-clearhouse-timestamp"]),
            signature: String(req.headers["x-clearhouse-signature"]),
            body,
            // The Standard Webhooks headers verify with the secret in its whsec_ form.
            standard:
              req.headers["webhook-id"] === req.headers["x-clearhouse-event-id"] &&
              verifyStandardWebhook(standardSecret(SECRET), req.headers, body),
          });
          res.writeHead(204).end();
        });
      }).listen(port, "127.0.0.1", () => resolve());
    });
  return { got, start, up: () => (down = false), stop: () => new Promise<void>((r) => server!.close(() => r())) };
}

const pending = async (feed: EventFeed) => (await feed.store.list({ status: "pending", limit: 10_000 })).items;

const settle = async (drain: () => Promise<void>, until: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await until()); i++) {
    await new Promise((r) => setTimeout(r, 60));
    await drain();
  }
};

describe("serve: webhooks", function () {
  this.timeout(120_000);
  after(releaseProver);

  it("receiver down, then up: every event delivered, each once, signed; the outbox survives a restart", async () => {
    const f = await loadFixture(serverFixture);
    const port = await freePort();
    const hook = receiver(port);
    await hook.start(); // answers 503 for now
    const config = serveConfig(
      { webhooks: [{ id: "core", url: `http://127.0.0.1:${port}/hooks`, secret: SECRET }] } as never,
      f.addr,
    );
    const first = await createServer({ ch: f.gov, config });
    const total = first.feed.events.length;
    expect(total).to.be.greaterThan(10);
    await first.feed.deliverDue();
    const waiting = await pending(first.feed);
    expect(waiting).to.have.length(total);
    const [head, ...rest] = [...waiting].sort(
      (a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex,
    );
    // In order: only the oldest event was tried (the others wait behind it), and it failed — more
    // than once if a jittered wait came out near 0 ms while the worker was still draining.
    expect(head.attempts).to.be.at.least(1);
    expect(head.lastError).to.equal("HTTP 503");
    expect(rest.every((d) => d.attempts === 0)).to.equal(true);
    await first.close(); // a restart with everything still pending

    hook.up();
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId: f.batch.batchId }); // one more event while stopped
    const second = await createServer({ ch: f.gov, config });
    await settle(
      () => second.feed.deliverDue(),
      async () => (await pending(second.feed)).length === 0,
    );
    expect((await pending(second.feed)).map((d) => `${d.eventId}: ${d.lastError}`)).to.deep.equal([]);
    const ids = hook.got.map((g) => g.eventId);
    expect(new Set(ids).size).to.equal(ids.length); // none twice per id
    // Every event, including the one made while stopped, in the chain's order.
    // (the second start read only the blocks after its cursor: the whole history is in the index)
    const indexed = (await second.feed.indexer!.store.events({ limit: 1_000 })).items.map(
      (b) => JSON.parse(b) as { id: string; blockNumber: string },
    );
    expect(second.feed.events.length).to.be.lessThan(indexed.length);
    expect(ids).to.deep.equal(indexed.map((e) => e.id));
    for (const g of hook.got) {
      const expected = createHmac("sha256", SECRET).update(`${g.timestamp}.${g.body}`).digest("hex");
      expect(g.signature).to.equal(`sha256=${expected}`);
      expect(g.standard).to.equal(true);
      expect((JSON.parse(g.body) as { id: string }).id).to.equal(g.eventId);
    }
    // A third start enqueues nothing again.
    await second.close();
    const third = await createServer({ ch: f.gov, config });
    await third.feed.deliverDue();
    expect(hook.got.length).to.equal(ids.length);

    // Replay from a block (auditor only): the same event ids again, new deliveries.
    const fromBlock = indexed[indexed.length - 3].blockNumber;
    const denied = await third.app.inject({
      method: "POST",
      url: "/api/webhooks/replay",
      headers: { authorization: `Bearer ${KEYS.alpine}` },
      payload: { fromBlock },
    });
    expect(denied.statusCode).to.equal(403);
    const replay = await third.app.inject({
      method: "POST",
      url: "/api/webhooks/replay",
      headers: { authorization: `Bearer ${KEYS.auditor}` },
      payload: { fromBlock },
    });
    const { enqueued } = JSON.parse(replay.body) as { enqueued: number };
    expect(enqueued).to.be.at.least(3);
    await settle(
      () => third.feed.deliverDue(),
      async () => (await pending(third.feed)).length === 0,
    );
    const replayed = hook.got.slice(ids.length).map((g) => g.eventId);
    expect(replayed.length).to.equal(enqueued);
    expect(replayed.every((id) => ids.includes(id))).to.equal(true);
    await third.close();
    await hook.stop();
  });

  it("retries back off exponentially with full jitter up to the cap, then dead-letter", () => {
    // random() at its largest gives the ceiling of each wait: base · 2^(n−1), capped.
    const ceilings = [1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, 100, 1_000, () => 0.999_999_9));
    expect(ceilings).to.deep.equal([99, 199, 399, 799, 999, 999]);
    expect([1, 2, 3].map((n) => retryDelay(n, 100, 1_000, () => 0.5))).to.deep.equal([50, 100, 200]);
    expect(retryDelay(3, 100, 1_000, () => 0)).to.equal(0);
    // Large attempt numbers stay at the cap (no overflow to NaN).
    expect(retryDelay(5_000, 100, 1_000, () => 0.5)).to.equal(500);

    const limits = { maxAttempts: 3, maxAgeMs: 10_000 };
    const policy = { retryBaseMs: 100, maxRetryMs: 1_000 };
    expect(afterFailure({ attempts: 0, pendingSince: 0 }, limits, policy, "HTTP 500", 1_000, () => 0.5)).to.deep.equal({
      kind: "retry",
      at: 1_000,
      error: "HTTP 500",
      nextAttemptAt: 1_050,
    });
    expect(afterFailure({ attempts: 2, pendingSince: 0 }, limits, policy, "HTTP 500", 1_000)).to.deep.equal({
      kind: "dead",
      at: 1_000,
      error: "HTTP 500 (attempt 3 of 3)",
    });
    // A Retry-After longer than the jittered wait is honoured, up to the cap.
    const after = (ms: number) =>
      afterFailure({ attempts: 0, pendingSince: 0 }, limits, policy, "HTTP 503", 1_000, () => 0.5, ms);
    expect([after(30), after(700), after(60_000)].map((o) => o.kind === "retry" && o.nextAttemptAt)).to.deep.equal([
      1_050, 1_700, 2_000,
    ]);
    expect([retryAfterMs("7", 0), retryAfterMs(null, 0), retryAfterMs("soon", 0)]).to.deep.equal([
      7_000,
      undefined,
      undefined,
    ]);
    expect(retryAfterMs(new Date(5_000).toUTCString(), 1_000)).to.equal(4_000);
    expect(afterFailure({ attempts: 0, pendingSince: 0 }, limits, policy, "HTTP 500", 10_000)).to.deep.equal({
      kind: "dead",
      at: 10_000,
      error: "HTTP 500 (pending 10000 ms, limit 10000 ms)",
    });
  });
});
