/**
 * One webhook request (`postDelivery`, node:http over kept-alive connections) against real
 * receivers on 127.0.0.1: connections reused between attempts, a redirect not followed, no answer
 * within the timeout, Retry-After passed on, a refused connection named, and an answer whose body
 * is large or never ends neither holds up the attempt nor the next one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { expect } from "chai";
import type { WebhookConfig } from "../../packages/server/src/config";
import type { ClaimedDelivery } from "../../packages/server/src/store/types";
import { postDelivery } from "../../packages/server/src/webhooks/post";
import { freePort } from "../helpers/net";

const delivery = (n: number): ClaimedDelivery => ({
  seq: n,
  id: `delivery-${n}`,
  subscriptionId: "core",
  eventId: `0x${n.toString(16).padStart(64, "0")}:0`,
  eventName: "BatchSubmitted",
  blockNumber: BigInt(n),
  logIndex: 0,
  status: "pending",
  attempts: 0,
  nextAttemptAt: 0,
  pendingSince: 0,
  body: JSON.stringify({ n }),
});

const hook = (url: string, timeoutMs = 2_000): WebhookConfig =>
  ({ id: "core", url, secret: "post-secret-000000001", timeoutMs, maxAttempts: 3, maxAgeMs: 60_000 }) as WebhookConfig;

/** A receiver answering as `handle` does; counts the connections it accepted and the requests per path. */
async function receiver(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let connections = 0;
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url!);
    req.resume();
    req.on("end", () => handle(req, res, paths.length - 1));
  });
  server.on("connection", () => connections++);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: (path = "/hooks") => `http://127.0.0.1:${port}${path}`,
    connections: () => connections,
    paths,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe("serve: one webhook request", function () {
  this.timeout(20_000);

  it("a 2xx is delivered; attempts one after the other share one kept-alive connection", async () => {
    const r = await receiver((_req, res) => res.writeHead(204).end());
    try {
      for (let n = 1; n <= 5; n++) expect(await postDelivery(delivery(n), hook(r.url()), Date.now())).to.deep.equal({});
      expect(r.paths).to.have.length(5);
      expect(r.connections()).to.equal(1);
    } finally {
      await r.stop();
    }
  });

  it("a redirect is a failure, not followed", async () => {
    const r = await receiver((req, res) =>
      req.url === "/hooks" ? res.writeHead(302, { location: "/elsewhere" }).end() : res.writeHead(200).end(),
    );
    try {
      expect(await postDelivery(delivery(1), hook(r.url()), Date.now())).to.deep.equal({
        error: "HTTP 302",
        retryAfterMs: undefined,
      });
      expect(r.paths).to.deep.equal(["/hooks"]);
    } finally {
      await r.stop();
    }
  });

  it("no answer within the timeout, a Retry-After, a refused connection: each said as it is", async () => {
    const silent = await receiver(() => undefined);
    const busy = await receiver((_req, res) => res.writeHead(503, { "retry-after": "7" }).end());
    try {
      const started = Date.now();
      expect(await postDelivery(delivery(1), hook(silent.url(), 300), Date.now())).to.deep.equal({
        error: "no answer within 300 ms",
      });
      expect(Date.now() - started).to.be.within(290, 2_000);
      expect(await postDelivery(delivery(2), hook(busy.url()), Date.now())).to.deep.equal({
        error: "HTTP 503",
        retryAfterMs: 7_000,
      });
      const refused = await postDelivery(delivery(3), hook(`http://127.0.0.1:${await freePort()}/hooks`), Date.now());
      expect(refused.error).to.match(/ECONNREFUSED/);
    } finally {
      await Promise.all([silent.stop(), busy.stop()]);
    }
  });

  it("an answer with a large body, or one that never ends, holds up neither the attempt nor the next", async () => {
    const r = await receiver((_req, res, n) => {
      if (n === 0) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("x".repeat(256 * 1024)); // larger than what is drained: the connection is closed
        res.end();
      } else if (n === 1) {
        res.writeHead(200);
        res.write("still going"); // never ends: dropped after the timeout
      } else res.writeHead(204).end();
    });
    try {
      for (let n = 1; n <= 3; n++) {
        const started = Date.now();
        expect(await postDelivery(delivery(n), hook(r.url(), 500), Date.now())).to.deep.equal({});
        expect(Date.now() - started).to.be.below(400);
      }
      expect(r.paths).to.have.length(3);
    } finally {
      await r.stop();
    }
  });
});
