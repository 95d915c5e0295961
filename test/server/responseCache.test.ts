/**
 * The read routes' response cache and the shared audit run: answers kept until the index changes,
 * never across scopes; work nobody waits for any more is stopped (issue 20 parts 6 and 7).
 */
import { request } from "node:http";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import { ResponseCache } from "../../packages/server/src/index/cache";
import { RunAbandonedError, SharedRun } from "../../packages/server/src/sharedRun";
import { paymentBatch } from "../sdk/settlementFixture";
import { KEYS, serveConfig, serverFixture } from "./fixture";

const get = async (s: ServerHandle, url: string, key = KEYS.auditor) =>
  s.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });

/** A metric's value in the server's /metrics text (0 when absent). */
async function metric(s: ServerHandle, series: string): Promise<number> {
  const text = (await get(s, "/metrics")).body;
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(" ")[1]) : 0;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("serve: the response cache and abandoned requests (issue 20)", function () {
  this.timeout(120_000);

  describe("ResponseCache", () => {
    it("answers at the generation it was filled in, and empties at the next", () => {
      const c = new ResponseCache();
      expect(c.get("a", 1)).to.equal(undefined);
      c.set("a", 1, "A");
      expect(c.get("a", 1)).to.equal("A");
      expect(c.get("a", 2)).to.equal(undefined);
      expect(c.stats()).to.deep.equal({ entries: 0, size: 0 });
      expect([c.hits, c.misses]).to.deep.equal([1, 2]);
    });

    it("does not keep an answer computed before a newer generation was seen", () => {
      const c = new ResponseCache();
      c.get("a", 1); // a request starts computing at generation 1 …
      c.get("b", 2); // … meanwhile the index commits and another request sees generation 2
      c.set("a", 1, "stale");
      expect(c.get("a", 2)).to.equal(undefined);
    });

    it("evicts the least recently used answers past its size, and never keeps one over a quarter of it", () => {
      const c = new ResponseCache(40, 0); // no overhead per entry: sizes are keys and answers only
      c.get("x", 1);
      c.set("a", 1, "a".repeat(10));
      c.set("b", 1, "b".repeat(10));
      c.set("c", 1, "c".repeat(10));
      expect(c.get("a", 1)).to.equal("a".repeat(10)); // a is now the most recent
      c.set("d", 1, "d".repeat(10));
      c.set("e", 1, "e".repeat(10)); // 50 > 40: b, the least recent, goes
      expect(c.get("b", 1)).to.equal(undefined);
      expect(c.get("a", 1)).to.not.equal(undefined);
      expect(c.stats().size).to.be.at.most(40);
      c.set("big", 1, "z".repeat(11));
      expect(c.get("big", 1)).to.equal(undefined);
    });
  });

  describe("SharedRun", () => {
    /** A run that waits for `release`, or stops with the signal's reason. */
    function controllable() {
      const runs: { signal: AbortSignal; release(v: string): void }[] = [];
      const work = (signal: AbortSignal) =>
        new Promise<string>((resolve, reject) => {
          runs.push({ signal, release: resolve });
          signal.addEventListener("abort", () => reject(signal.reason as Error));
        });
      return { runs, work };
    }

    it("shares one run between the requests waiting for it, and keeps its answer for maxAgeMs", async () => {
      const { runs, work } = controllable();
      let now = 0;
      const shared = new SharedRun(work, 1_000, { now: () => now });
      const [a, b] = [new AbortController(), new AbortController()];
      const first = shared.get(a.signal);
      const second = shared.get(b.signal);
      await tick();
      expect(runs).to.have.length(1);
      runs[0].release("report");
      expect(await first).to.equal("report");
      expect(await second).to.equal("report");
      now = 1_000;
      expect(await shared.get(new AbortController().signal)).to.equal("report");
      now = 1_001;
      void shared.get(new AbortController().signal);
      expect(runs).to.have.length(2);
    });

    it("stops the run when the last request waiting for it goes away, not before", async () => {
      const { runs, work } = controllable();
      const shared = new SharedRun(work, 1_000);
      const [a, b] = [new AbortController(), new AbortController()];
      const first = shared.get(a.signal).catch((e: Error) => e);
      const second = shared.get(b.signal).catch((e: Error) => e);
      a.abort(new Error("client a left"));
      expect(((await first) as Error).message).to.equal("client a left");
      expect(runs[0].signal.aborted).to.equal(false);
      b.abort(new Error("client b left"));
      expect(((await second) as Error).message).to.equal("client b left");
      expect(runs[0].signal.aborted).to.equal(true);
      expect(runs[0].signal.reason).to.be.instanceOf(RunAbandonedError);
      expect(shared.abandoned).to.equal(1);
      // the next request starts a new run
      void shared.get(new AbortController().signal);
      expect(runs).to.have.length(2);
    });

    it("never stops a run a caller without a signal waits for; does not keep a failed run", async () => {
      let calls = 0;
      const failing = new SharedRun(async () => {
        calls++;
        throw new Error("node down");
      }, 60_000);
      await failing.get().catch(() => undefined);
      await failing.get().catch(() => undefined);
      expect(calls).to.equal(2);
      const { runs, work } = controllable();
      const pinned = new SharedRun(work, 1_000);
      const a = new AbortController();
      const plain = pinned.get();
      void pinned.get(a.signal).catch(() => undefined);
      a.abort();
      await tick();
      expect(runs[0].signal.aborted).to.equal(false);
      runs[0].release("done");
      expect(await plain).to.equal("done");
    });

    it("refuses at once for a request already abandoned", async () => {
      const shared = new SharedRun(async () => "x", 1_000);
      const a = new AbortController();
      a.abort(new Error("gone"));
      expect(() => shared.get(a.signal)).to.throw("gone");
    });
  });

  describe("on a server", () => {
    const open: ServerHandle[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    async function fresh() {
      const f = await loadFixture(serverFixture);
      const server = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
      open.push(server);
      return { ...f, server };
    }

    it("answers a repeated read from the cache, and a new batch once the index has it", async () => {
      const f = await fresh();
      const first = await get(f.server, "/api/batches");
      const hits = await metric(f.server, 'clearhouse_http_cache_answers_total{result="hit"}');
      expect((await get(f.server, "/api/batches")).body).to.equal(first.body);
      expect(await metric(f.server, 'clearhouse_http_cache_answers_total{result="hit"}')).to.equal(hits + 1);
      const b = paymentBatch(f, "celtic", [[f.addr.alpine, 5n]], "cache-1");
      await f.bank.celtic.settlement.submitBatch({ key: b.key, header: b.header });
      await f.server.feed.poll();
      const after = JSON.parse((await get(f.server, "/api/batches")).body) as { items: { batchId: string }[] };
      expect(after.items.map((i) => i.batchId)).to.include(b.batchId);
      expect(await metric(f.server, "clearhouse_http_cache_size")).to.be.greaterThan(0);
    });

    it("with responseCacheMB: 0 computes every answer", async () => {
      const f = await loadFixture(serverFixture);
      const server = await createServer({ ch: f.gov, config: { ...serveConfig({}, f.addr), responseCacheMB: 0 } });
      open.push(server);
      const first = await get(server, "/api/batches");
      expect((await get(server, "/api/batches")).body).to.equal(first.body);
      expect(await metric(server, 'clearhouse_http_cache_answers_total{result="hit"}')).to.equal(0);
      expect(await metric(server, "clearhouse_http_cache_size")).to.equal(0);
    });

    it("never serves one member's cached answer to another", async () => {
      const f = await fresh();
      const id = f.batch.batchId; // Alpine's batch to Baltic, Celtic and Danube
      const own = await get(f.server, `/api/batches/${id}`, KEYS.alpine);
      expect(own.statusCode).to.equal(200);
      const alpineList = (await get(f.server, "/api/batches", KEYS.alpine)).body;
      const b = paymentBatch(f, "baltic", [[f.addr.danube, 7n]], "cache-2"); // Celtic is no party
      await f.bank.baltic.settlement.submitBatch({ key: b.key, header: b.header });
      await f.server.feed.poll();
      expect((await get(f.server, `/api/batches/${b.batchId}`, KEYS.auditor)).statusCode).to.equal(200);
      expect((await get(f.server, `/api/batches/${b.batchId}`, KEYS.celtic)).statusCode).to.equal(403);
      const celticList = JSON.parse((await get(f.server, "/api/batches", KEYS.celtic)).body) as {
        items: { batchId: string }[];
      };
      expect(celticList.items.map((i) => i.batchId)).to.not.include(b.batchId);
      expect((await get(f.server, "/api/batches", KEYS.alpine)).body).to.equal(alpineList);
    });

    it("counts a request its client abandoned, and stops the audit nobody waits for", async () => {
      const f = await fresh();
      const address = await f.server.app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = new URL(address);
      await new Promise<void>((resolve) => {
        const req = request({
          host: "127.0.0.1",
          port,
          path: "/api/audit",
          headers: { authorization: `Bearer ${KEYS.auditor}` },
        });
        req.on("error", () => resolve());
        // gone 10 ms after connecting: the audit reads the whole chain, it is not done by then
        req.on("socket", (s) =>
          s.on("connect", () =>
            setTimeout(() => {
              req.destroy();
              resolve();
            }, 10),
          ),
        );
        req.end();
      });
      for (let i = 0; i < 200 && (await metric(f.server, "clearhouse_audit_runs_abandoned_total")) === 0; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(await metric(f.server, "clearhouse_audit_runs_abandoned_total")).to.equal(1);
      expect(await metric(f.server, 'clearhouse_http_abandoned_total{method="GET",route="/api/audit"}')).to.equal(1);
      // the next request runs a whole audit of its own
      const report = JSON.parse((await get(f.server, "/api/audit")).body) as { summary: { failed: number } };
      expect(report.summary.failed).to.equal(0);
    });
  });
});
