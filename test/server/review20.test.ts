/**
 * Review of issue 20's response cache, abandoned requests and webhook requests: what an attacker
 * with any API key, a client that goes away, or a receiver that closes its kept-alive connections
 * can make the server do.
 */
import { request } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import { parseServeConfig, type WebhookConfig } from "../../packages/server/src/config";
import { ResponseCache } from "../../packages/server/src/index/cache";
import { abortableVerifier, SharedRun } from "../../packages/server/src/sharedRun";
import { PostgresDeliveryStore } from "../../packages/server/src/store/postgres";
import type { ClaimedDelivery, DeliveryStore } from "../../packages/server/src/store/types";
import { postDelivery } from "../../packages/server/src/webhooks/post";
import { DeliveryWorker } from "../../packages/server/src/webhooks/worker";
import { proofVerifier } from "../../packages/zk/src";
import { startPostgres } from "../helpers/postgres";
import { KEYS, serveConfig, serverFixture } from "./fixture";
import { startReceiver } from "./receiver";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("serve: review of the response cache, abandoned work and webhook requests (issue 20)", function () {
  this.timeout(120_000);

  describe("ResponseCache memory", () => {
    it("counts the keys (the request URLs) against its size, not only the answers", () => {
      // Any key may add junk to a query string (up to Node's 16 KB of headers): a distinct URL each
      // time, with a tiny answer. Counted by their answers alone, 1 MB of answers held 16 GB of keys.
      const c = new ResponseCache(1024 * 1024);
      c.get("warm", 1);
      const junk = "x".repeat(16_000);
      let keyBytes = 0;
      for (let i = 0; i < 2_000; i++) {
        const key = `0xabc /api/cycles?after=999999&junk${i}=${junk}`;
        c.set(key, 1, '{"items":[],"next":null}');
        keyBytes += key.length;
      }
      expect(keyBytes).to.be.greaterThan(30 * 1024 * 1024);
      const { entries, size } = c.stats();
      expect(size).to.be.at.most(1024 * 1024);
      // what it holds really is within its size: keys and answers together
      expect(entries * (16_000 + 24)).to.be.at.most(1024 * 1024);
    });

    it("counts a fixed overhead per answer, so that many tiny answers stay bounded too", () => {
      const c = new ResponseCache(10_000);
      c.get("warm", 1);
      for (let i = 0; i < 10_000; i++) c.set(`* /api/members?${i}`, 1, "[]");
      expect(c.stats().entries).to.be.below(10_000 / 64);
    });
  });

  describe("SharedRun and the prover", () => {
    /** Work that, like the audit's proof phase, only notices the abort when `finish` is called. */
    function stubborn() {
      const runs: { signal: AbortSignal; finish(v: string): void }[] = [];
      let working = 0;
      const work = (signal: AbortSignal) =>
        new Promise<string>((resolve, reject) => {
          working++;
          runs.push({
            signal,
            finish: (v) => {
              working--;
              if (signal.aborted) reject(signal.reason as Error);
              else resolve(v);
            },
          });
        });
      return { runs, work, working: () => working };
    }

    it("releases the prover only once no run is working, not when an abandoned run ends beside a new one", async () => {
      const { runs, work, working } = stubborn();
      const releasedWhileWorking: number[] = [];
      let releases = 0;
      const shared = new SharedRun(work, 30_000, {
        onIdle: () => {
          releases++;
          if (working() > 0) releasedWhileWorking.push(working());
        },
      });
      const a = new AbortController();
      const first = shared.get(a.signal).catch((e: Error) => e);
      a.abort(new Error("client a left"));
      await first;
      expect(runs[0].signal.aborted).to.equal(true);
      // A new request starts a new audit while the abandoned one is still in its proof phase …
      const second = shared.get(new AbortController().signal);
      expect(runs).to.have.length(2);
      // … the abandoned one then stops: the prover must stay up for the second
      runs[0].finish("ignored");
      await tick();
      expect(releases).to.equal(0);
      runs[1].finish("report");
      expect(await second).to.equal("report");
      await tick();
      expect(releases).to.equal(1);
      expect(releasedWhileWorking).to.deep.equal([]);
    });

    it("keeps a finished run's answer for maxAgeMs after it finished, even when it took longer than that", async () => {
      const { runs, work } = stubborn();
      let now = 0;
      const shared = new SharedRun(work, 30_000, { now: () => now });
      const first = shared.get(new AbortController().signal);
      now = 69_000; // an audit of a long chain took 69 s
      runs[0].finish("report");
      expect(await first).to.equal("report");
      now = 70_000; // a second later another auditor asks
      expect(await shared.get(new AbortController().signal)).to.equal("report");
      expect(runs).to.have.length(1);
      now = 99_001;
      void shared.get(new AbortController().signal);
      expect(runs).to.have.length(2);
    });

    it("an abandoned audit stops at its next proof, not after verifying every proof", async () => {
      const c = new AbortController();
      const verifier = abortableVerifier(proofVerifier(), c.signal);
      // before the abort the real verifier answers (a proof of zeros does not verify)
      const zeros = Array.from({ length: 8 }, () => 0n);
      expect(await verifier.verifyProof("batch_netting_16", zeros, [0n]).catch(() => false)).to.equal(false);
      c.abort(new Error("nobody waits"));
      let error: unknown;
      await verifier.verifyProof("batch_netting_16", zeros, [0n]).catch((e: unknown) => (error = e));
      expect((error as Error).message).to.equal("nobody waits");
    });
  });

  describe("webhook requests over kept-alive connections", () => {
    const delivery: ClaimedDelivery = {
      seq: 1,
      id: "delivery-1",
      subscriptionId: "core",
      eventId: `0x${"1".padStart(64, "0")}:0`,
      eventName: "BatchSubmitted",
      blockNumber: 1n,
      logIndex: 0,
      status: "pending",
      attempts: 0,
      nextAttemptAt: 0,
      pendingSince: 0,
      body: "{}",
    };

    it("a kept-alive connection the receiver closes as the next request goes out is not a failed attempt", async () => {
      // The receiver answers the first request of each connection and closes the connection when a
      // second one arrives on it, unanswered: what a receiver closing an idle connection at that
      // very moment looks like to the sender (Node's agent ignores the Keep-Alive timeout hint
      // without an agent timeout, so a connection is kept until the receiver closes it).
      let requests = 0;
      const sockets = new Set<Socket>();
      const server = createTcpServer((socket: Socket) => {
        sockets.add(socket);
        let seen = 0;
        let buffer = "";
        socket.on("data", (chunk) => {
          buffer += chunk.toString();
          while (buffer.includes("\r\n\r\n") && buffer.includes("{}")) {
            buffer = buffer.slice(buffer.indexOf("{}") + 2);
            requests++;
            if (seen++ === 0)
              socket.write("HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n");
            else socket.destroy();
          }
        });
        socket.on("error", () => undefined);
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const { port } = server.address() as { port: number };
      const hook = {
        id: "core",
        url: `http://127.0.0.1:${port}/hooks`,
        secret: "post-secret-000000001",
        timeoutMs: 2_000,
        maxAttempts: 3,
        maxAgeMs: 60_000,
      } as WebhookConfig;
      try {
        expect(await postDelivery(delivery, hook, Date.now())).to.deep.equal({});
        expect(await postDelivery({ ...delivery, seq: 2, id: "delivery-2" }, hook, Date.now())).to.deep.equal({});
        expect(requests).to.equal(3); // the second went out again, on a new connection
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((r) => server.close(r));
      }
    });
  });

  describe("two servers on PostgreSQL", () => {
    it("a head whose claim came back after its lease ran out is not sent beside the server that took it over", async () => {
      const cluster = await startPostgres();
      const receiver = await startReceiver(() => 204);
      const stores: PostgresDeliveryStore[] = [];
      try {
        const url = await cluster.createDatabase(`review20_${process.pid}`);
        const [a, b] = [
          await PostgresDeliveryStore.open({ url, owner: "a" }),
          await PostgresDeliveryStore.open({ url, owner: "b" }),
        ];
        stores.push(a, b);
        const config = parseServeConfig({
          apiKeys: [{ name: "auditor", key: "auditor-key-000000001", role: "auditor" }],
          outbox: "/nonexistent/outbox.json",
          webhooks: [{ id: "core", url: receiver.url, secret: "review-secret-00000001", timeoutMs: 1_000 }],
          store: { kind: "postgres", url },
        });
        await a.syncSubscriptions([{ id: "core", url: receiver.url, maxAttempts: 5, maxAgeMs: 3_600_000 }]);
        let clock = Date.now();
        const now = () => clock;
        await a.append({
          events: [
            { id: `0x${"1".padStart(64, "0")}:0`, name: "BatchSubmitted", blockNumber: 1n, logIndex: 0, body: "{}" },
          ],
          cursor: 1n,
          now: clock,
        });
        const serverB = new DeliveryWorker(b, config, now);
        // Server A's claim of the head commits, but its answer comes back late (a slow network or
        // database): by then the lease has run out and server B has claimed and delivered the head.
        const slowA = Object.assign(Object.create(a) as DeliveryStore, {
          claimDue: async (...args: Parameters<DeliveryStore["claimDue"]>) => {
            const claimed = await a.claimDue(...args);
            clock += 60_000;
            await serverB.drain();
            return claimed;
          },
        });
        await new DeliveryWorker(slowA, config, now).drain();
        expect(receiver.accepted).to.have.length(1);
        expect(receiver.requests).to.have.length(1); // A did not send it again
      } finally {
        for (const s of stores) await s.close();
        await receiver.stop();
        await cluster.stop();
      }
    });
  });

  describe("on a server", () => {
    const open: ServerHandle[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it("does not count an event stream its client closed as an abandoned request", async () => {
      const f = await loadFixture(serverFixture);
      const server = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
      open.push(server);
      const address = await server.app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = new URL(address);
      await new Promise<void>((resolve, reject) => {
        const req = request({
          host: "127.0.0.1",
          port,
          path: "/api/events/stream",
          headers: { authorization: `Bearer ${KEYS.auditor}` },
        });
        req.on("response", (res) =>
          res.once("data", () => {
            req.destroy();
            resolve();
          }),
        );
        req.on("error", reject);
        req.end();
      });
      await new Promise((r) => setTimeout(r, 100));
      const text = (
        await server.app.inject({
          method: "GET",
          url: "/metrics",
          headers: { authorization: `Bearer ${KEYS.auditor}` },
        })
      ).body;
      expect(text).to.not.match(/clearhouse_http_abandoned_total\{[^}]*route="\/api\/events\/stream"/);
      expect(text).to.match(/clearhouse_event_stream_subscribers 0/);
    });
  });
});
