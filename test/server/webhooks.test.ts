/**
 * Webhooks: signed deliveries, retried with backoff while the receiver is down, every event
 * delivered once per webhook and event id, the outbox surviving a restart, replay from a block.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createHmac } from "node:crypto";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer } from "../../packages/server/src/api";
import { Outbox } from "../../packages/server/src/outbox";
import { releaseProver } from "../../packages/zk/src";
import { freePort } from "../helpers/net";
import { KEYS, serveConfig, serverFixture } from "./fixture";

const SECRET = "webhook-secret-000001";

interface Received {
  eventId: string;
  delivery: string;
  body: string;
  timestamp: string;
  signature: string;
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
          });
          res.writeHead(204).end();
        });
      }).listen(port, "127.0.0.1", () => resolve());
    });
  return { got, start, up: () => (down = false), stop: () => new Promise<void>((r) => server!.close(() => r())) };
}

const settle = async (drain: () => Promise<void>, until: () => boolean) => {
  for (let i = 0; i < 100 && !until(); i++) {
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
    const pending = first.feed.outbox.pending();
    expect(pending).to.have.length(total);
    expect(pending.every((d) => d.attempts >= 1 && d.lastError === "HTTP 503")).to.equal(true);
    // Each failure scheduled a retry (the delays themselves are checked in the next test).
    expect(pending.every((d) => d.nextAttemptAt > 0)).to.equal(true);
    await first.close(); // a restart with everything still pending

    hook.up();
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId: f.batch.batchId }); // one more event while stopped
    const second = await createServer({ ch: f.gov, config });
    await settle(
      () => second.feed.deliverDue(),
      () => second.feed.outbox.pending().length === 0,
    );
    expect(second.feed.outbox.pending().map((d) => `${d.eventId}: ${d.lastError}`)).to.deep.equal([]);
    const ids = hook.got.map((g) => g.eventId);
    expect(new Set(ids).size).to.equal(ids.length); // none twice per id
    expect(ids.length).to.equal(second.feed.events.length); // every event, including the one made while stopped
    for (const g of hook.got) {
      const expected = createHmac("sha256", SECRET).update(`${g.timestamp}.${g.body}`).digest("hex");
      expect(g.signature).to.equal(`sha256=${expected}`);
      expect((JSON.parse(g.body) as { id: string }).id).to.equal(g.eventId);
    }
    // A third start enqueues nothing again.
    await second.close();
    const third = await createServer({ ch: f.gov, config });
    await third.feed.deliverDue();
    expect(hook.got.length).to.equal(ids.length);

    // Replay from a block (auditor only): the same event ids again, new deliveries.
    const fromBlock = third.feed.events[third.feed.events.length - 3].blockNumber;
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
      () => third.feed.outbox.pending().length === 0,
    );
    const replayed = hook.got.slice(ids.length).map((g) => g.eventId);
    expect(replayed.length).to.equal(enqueued);
    expect(replayed.every((id) => ids.includes(id))).to.equal(true);
    await third.close();
    await hook.stop();
  });

  it("retries back off exponentially up to the maximum", () => {
    const o = new Outbox(serveConfig().outbox);
    o.enqueue(
      [{ id: "e1", name: "X", body: "{}" }],
      [{ id: "h", url: "http://127.0.0.1:9", secret: SECRET }],
      undefined,
    );
    const [d] = o.pending();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      o.markFailed(d.id, 1_000, "down", 100, 1_000);
      delays.push(o.pending()[0].nextAttemptAt - 1_000);
    }
    expect(delays).to.deep.equal([100, 200, 400, 800, 1_000, 1_000]);
  });
});
