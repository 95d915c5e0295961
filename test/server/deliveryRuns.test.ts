/**
 * Runs: a lane's claim of its subscription's next deliveries under one lease (`claimRun`), and
 * giving back what a run did not attempt (`release`) — the store contract on SQLite and PostgreSQL,
 * and the delivery worker that uses them: in order, a failure ends the run and the rest follows the
 * retry, a stop releases what is left, a lease that ran out is taken over from the head, and two
 * PostgreSQL stores claiming runs at once never deliver a row twice or out of order.
 */
import { expect } from "chai";
import { parseServeConfig } from "../../packages/server/src/config";
import { PostgresDeliveryStore } from "../../packages/server/src/store/postgres";
import type { ClaimedDelivery, DeliveryStore, OutboxEvent } from "../../packages/server/src/store/types";
import { DeliveryWorker, RUN_LENGTH } from "../../packages/server/src/webhooks/worker";
import { startPostgres, type PgCluster } from "../helpers/postgres";
import { startReceiver, waitFor } from "./receiver";
import { postgres, sqlite } from "./storeBackends";

const ev = (block: number, logIndex = 0, name = "BatchSubmitted"): OutboxEvent => ({
  id: `0x${block.toString(16).padStart(64, "0")}:${logIndex}`,
  name,
  blockNumber: BigInt(block),
  logIndex,
  body: JSON.stringify({ event: name, blockNumber: String(block), logIndex }),
});
const SUBS = [
  { id: "a", url: "http://127.0.0.1:1/a", maxAttempts: 5, maxAgeMs: 60_000 },
  { id: "b", url: "http://127.0.0.1:1/b", maxAttempts: 5, maxAgeMs: 60_000, events: ["CycleClosed"] },
];
const NONE = new Set<string>();
const blocks = (ds: ClaimedDelivery[]) => ds.map((d) => Number(d.blockNumber));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let cluster: PgCluster | undefined;

for (const backend of [sqlite, postgres(() => cluster!)])
  describe(`serve: delivery runs on ${backend.name}`, function () {
    this.timeout(60_000);
    if (backend.name === "PostgreSQL") {
      before(async () => (cluster = await startPostgres()));
      after(() => cluster?.stop());
    }
    /** A store with `subs`, `events` appended at `now` (the worker's tests: the real time, from which ages count). */
    const open = async (events = range(1, 6).map((n) => ev(n)), subs: typeof SUBS = SUBS, now = 0) => {
      const where = backend.fresh();
      const store = await backend.open(where);
      await store.syncSubscriptions(subs);
      await store.append({ events, cursor: 100n, now });
      return { store, where };
    };
    const leased = async (where: string) =>
      (await backend.query(where, "SELECT COUNT(*) AS n FROM outbox WHERE lease_until IS NOT NULL"))[0].n;

    it("claims the head and the rows right behind it, in order, under one lease; nothing leased is claimed again", async () => {
      const { store, where } = await open();
      const run = await store.claimRun("a", 10, 1_000, 4);
      expect(blocks(run)).to.deep.equal([1, 2, 3, 4]);
      expect(run.map((d) => d.body)).to.deep.equal([1, 2, 3, 4].map((n) => ev(n).body));
      expect(new Set(run.map((d) => d.lease)).size).to.equal(1); // one lease (PostgreSQL's token; none on SQLite)
      expect(await leased(where)).to.equal(4);
      // The head is leased: no claim takes it or anything behind it.
      expect(await store.claimDue(20, 1_000, NONE, 10)).to.deep.equal([]);
      expect(await store.claimRun("a", 20, 1_000, 10)).to.deep.equal([]);
      // Delivered: the next row is the head, but it is this run's (leased), so still nothing to claim.
      await store.complete(run[0], { kind: "delivered", at: 30 });
      expect(await store.claimDue(30, 1_000, NONE, 10)).to.deep.equal([]);
      expect(await store.claimRun("a", 30, 1_000, 10)).to.deep.equal([]);
      expect(await store.nextDueAt()).to.equal(1_010); // the run's lease
      // The rest given back: claimable at once, in order, with the rows behind.
      await store.release(run.slice(1));
      expect(await leased(where)).to.equal(0);
      expect(blocks(await store.claimRun("a", 40, 1_000, 10))).to.deep.equal([2, 3, 4, 5, 6]);
      // A subscription with nothing pending, or no longer in the config, has no run.
      expect(await store.claimRun("b", 40, 1_000, 10)).to.deep.equal([]);
      await store.append({ events: [ev(7, 0, "CycleClosed")], cursor: 100n, now: 50 });
      await store.syncSubscriptions([SUBS[0]]);
      expect(await store.claimRun("b", 60, 1_000, 10)).to.deep.equal([]);
      await store.close();
    });

    it("a run begins at the head and ends before the first row not due", async () => {
      const where = backend.fresh();
      const store = await backend.open(where);
      await store.syncSubscriptions(SUBS);
      // Imported rows keep their next attempt time: the second one is not due before 900.
      const deliveries = [1, 2, 3].map((n) => ({
        id: `d${n}`,
        subscriptionId: "a",
        event: ev(n),
        attempts: n === 2 ? 1 : 0,
        nextAttemptAt: n === 2 ? 900 : 0,
      }));
      await store.importLegacy({ unknownSubscriptions: [], deliveries }, 0);
      const first = await store.claimRun("a", 100, 1_000, 10);
      expect(blocks(first)).to.deep.equal([1]); // 2 is not due yet: the run ends before it
      await store.complete(first[0], { kind: "delivered", at: 110 });
      expect(await store.claimRun("a", 899, 1_000, 10)).to.deep.equal([]); // the head is not due
      expect(blocks(await store.claimRun("a", 900, 1_000, 10))).to.deep.equal([2, 3]);
      await store.close();
    });

    it("a run cut short by a failure: the failed row is retried when due, the rest released follows it, in order", async () => {
      const { store } = await open();
      const run = await store.claimRun("a", 10, 1_000, 4);
      await store.complete(run[0], { kind: "delivered", at: 20 });
      await store.complete(run[1], { kind: "retry", at: 30, error: "HTTP 503", nextAttemptAt: 500 });
      await store.release(run.slice(2));
      // Rows 3 and 4 are free but behind the failed one: nothing is claimable before its retry.
      expect(await store.claimDue(100, 1_000, NONE, 10)).to.deep.equal([]);
      expect(await store.claimRun("a", 100, 1_000, 10)).to.deep.equal([]);
      expect(await store.nextDueAt()).to.equal(500);
      const again = await store.claimRun("a", 500, 1_000, 10);
      expect(blocks(again)).to.deep.equal([2, 3, 4, 5, 6]);
      expect(again.map((d) => d.attempts)).to.deep.equal([1, 0, 0, 0, 0]);
      await store.close();
    });

    it("a run whose lease ran out is taken over from its head, in order", async () => {
      const { store, where } = await open();
      const run = await store.claimRun("a", 0, 1_000, 3);
      expect(blocks(run)).to.deep.equal([1, 2, 3]);
      expect(await store.claimRun("a", 999, 1_000, 10)).to.deep.equal([]);
      expect(blocks(await store.claimDue(999, 1_000, NONE, 10))).to.deep.equal([]);
      if (backend.name !== "PostgreSQL") {
        // One process per file: the same store takes its own stalled run back once the lease is out.
        expect(blocks(await store.claimRun("a", 1_000, 1_000, 10))).to.deep.equal([1, 2, 3, 4, 5, 6]);
        await store.close();
        return;
      }
      // Another server takes it over; the first holder's late outcome and release count for nothing.
      const other = await PostgresDeliveryStore.open({ url: where, owner: "other" });
      const taken = await other.claimRun("a", 1_000, 1_000, 10);
      expect(blocks(taken)).to.deep.equal([1, 2, 3, 4, 5, 6]);
      await store.complete(run[0], { kind: "retry", at: 1_100, error: "HTTP 500", nextAttemptAt: 1_200 });
      await store.release(run.slice(1));
      expect(
        await backend.query(where, "SELECT COUNT(*) AS n FROM outbox WHERE lease_owner = 'other' AND attempts = 0"),
      ).to.deep.equal([{ n: 6 }]);
      expect(await store.claimRun("a", 1_300, 1_000, 10)).to.deep.equal([]);
      for (const d of taken) await other.complete(d, { kind: "delivered", at: 1_400 });
      expect((await store.subscriptions()).find((s) => s.id === "a")?.counts).to.deep.equal({
        pending: 0,
        delivered: 6,
        dead: 0,
      });
      await Promise.all([store.close(), other.close()]);
    });

    it("the worker: runs in order; a failure ends the run, the retry comes first and the rest follows", async () => {
      const events = range(1, 2 * RUN_LENGTH + 10).map((n) => ev(n));
      const { store, where } = await open(events, [SUBS[0], { ...SUBS[0], id: "c" }], Date.now());
      // a refuses its 6th request once; c takes everything.
      const a = await startReceiver((n) => (n === 5 ? 503 : 204));
      const c = await startReceiver(() => 204);
      const worker = workerFor(store, [
        { id: "a", url: a.url },
        { id: "c", url: c.url },
      ]);
      worker.start();
      try {
        await waitFor(() => a.accepted.length === events.length && c.accepted.length === events.length);
      } finally {
        await worker.stop();
      }
      const ids = events.map((e) => e.id);
      expect(a.requests.map((r) => r.eventId)).to.deep.equal([...ids.slice(0, 6), ...ids.slice(5)]);
      expect(a.accepted.map((r) => r.eventId)).to.deep.equal(ids);
      expect(c.requests.map((r) => r.eventId)).to.deep.equal(ids);
      expect(await leased(where)).to.equal(0);
      const counts = Object.fromEntries((await store.subscriptions()).map((s) => [s.id, s.counts]));
      expect(counts.a).to.deep.equal({ pending: 0, delivered: events.length, dead: 0 });
      await Promise.all([a.stop(), c.stop(), store.close()]);
    });

    it("the worker: a stop releases what its runs did not attempt; the next one goes on in order, nothing twice", async () => {
      const events = range(1, 150).map((n) => ev(n));
      const { store, where } = await open(events, [SUBS[0]], Date.now());
      const a = await startReceiver(() => ({ status: 204, afterMs: 2 }));
      const first = workerFor(store, [{ id: "a", url: a.url }]);
      first.start();
      await waitFor(() => a.accepted.length >= 40);
      await first.stop();
      const sent = a.requests.length;
      expect(sent).to.be.below(events.length);
      expect(await leased(where)).to.equal(0); // claimable at once, not after a lease
      const second = workerFor(store, [{ id: "a", url: a.url }]);
      await second.drain();
      expect(a.requests.map((r) => r.eventId)).to.deep.equal(events.map((e) => e.id));
      await Promise.all([a.stop(), store.close()]);
    });

    it("the worker: more subscriptions than lanes, each still served, in order", async () => {
      const events = range(1, RUN_LENGTH * 3).map((n) => ev(n));
      const { store } = await open(events, [SUBS[0], { ...SUBS[0], id: "c" }], Date.now());
      const a = await startReceiver(() => 204);
      const c = await startReceiver(() => 204);
      const worker = workerFor(
        store,
        [
          { id: "a", url: a.url },
          { id: "c", url: c.url },
        ],
        1,
      );
      await worker.drain();
      for (const r of [a, c]) expect(r.requests.map((x) => x.eventId)).to.deep.equal(events.map((e) => e.id));
      await Promise.all([a.stop(), c.stop(), store.close()]);
    });

    if (backend.name !== "PostgreSQL") return;

    it("two stores claiming runs at once: each row delivered once, every subscription in order", async () => {
      const url = backend.fresh();
      const subs = ["s1", "s2", "s3"].map((id) => ({
        id,
        url: `http://127.0.0.1:1/${id}`,
        maxAttempts: 50,
        maxAgeMs: 60_000,
      }));
      const [one, two] = [
        await PostgresDeliveryStore.open({ url, owner: "one" }),
        await PostgresDeliveryStore.open({ url, owner: "two" }),
      ];
      await one.syncSubscriptions(subs);
      const events = range(1, 120).map((n) => ev(n));
      await one.append({ events, cursor: 200n, now: 0 });
      const inFlight = new Set<string>();
      const delivered = new Map<string, string[]>();
      // A lane: the head, then runs of random length; one attempt in ten fails and ends the run.
      const lane = async (store: PostgresDeliveryStore, head: ClaimedDelivery) => {
        for (
          let run = [head];
          run.length;
          run = await store.claimRun(head.subscriptionId, Date.now(), 60_000, 1 + Math.floor(Math.random() * 8))
        ) {
          for (let i = 0; i < run.length; i++) {
            const d = run[i];
            expect(inFlight.has(d.subscriptionId), `${d.subscriptionId} twice in flight`).to.equal(false);
            inFlight.add(d.subscriptionId);
            await new Promise((r) => setTimeout(r, Math.random() * 2));
            inFlight.delete(d.subscriptionId);
            if (Math.random() < 0.1) {
              await store.complete(d, { kind: "retry", at: Date.now(), error: "HTTP 503", nextAttemptAt: Date.now() });
              await store.release(run.slice(i + 1));
              return;
            }
            delivered.set(d.subscriptionId, [...(delivered.get(d.subscriptionId) ?? []), d.eventId]);
            await store.complete(d, { kind: "delivered", at: Date.now() });
          }
        }
      };
      const worker = async (store: PostgresDeliveryStore) => {
        for (let idle = 0; idle < 5;) {
          const due = await store.claimDue(Date.now(), 60_000, NONE, 3);
          if (!due.length) {
            idle++;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          idle = 0;
          await Promise.all(due.map((d) => lane(store, d)));
        }
      };
      await Promise.all([worker(one), worker(two)]);
      for (const s of subs) expect(delivered.get(s.id), s.id).to.deep.equal(events.map((e) => e.id));
      expect(await leased(url)).to.equal(0);
      await Promise.all([one.close(), two.close()]);
    });
  });

/** A worker for `store` delivering to `hooks` (fast retries), with `lanes` lanes. */
function workerFor(store: DeliveryStore, hooks: { id: string; url: string }[], lanes = 16): DeliveryWorker {
  const config = parseServeConfig({
    apiKeys: [{ name: "auditor", key: "auditor-key-000000001", role: "auditor" }],
    outbox: "/nonexistent/outbox.json",
    webhooks: hooks.map((h) => ({ ...h, secret: "runs-secret-0000000001" })),
    retryBaseMs: 20,
    maxRetryMs: 50,
    deliveryConcurrency: lanes,
  });
  return new DeliveryWorker(store, config);
}
