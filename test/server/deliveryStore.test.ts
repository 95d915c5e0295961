/**
 * The delivery store's contract, run against each store — SQLite (a file) and PostgreSQL (a
 * throw-away cluster, test/helpers/postgres.ts): every write one transaction (a failure part-way
 * leaves nothing), state that survives closing and reopening, per-subscription order, leases, the
 * dead-letter queue and its replay, pagination, the schema version, and the import of the JSON
 * outbox file of clearhouse ≤ 0.2. PostgreSQL's own: two stores on one database claiming at once.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { DeliveryStoreError } from "../../packages/server/src/store/errors";
import { importLegacyOutbox } from "../../packages/server/src/store/legacyJson";
import { PostgresDeliveryStore } from "../../packages/server/src/store/postgres";
import { PG_SCHEMA_VERSION } from "../../packages/server/src/store/postgresSchema";
import { SCHEMA_VERSION } from "../../packages/server/src/store/sqliteSchema";
import type { DeliveryStore, OutboxEvent } from "../../packages/server/src/store/types";
import { startPostgres, type PgCluster } from "../helpers/postgres";
import { postgres, sqlite } from "./storeBackends";

const ev = (block: number, logIndex: number, name = "BatchSubmitted"): OutboxEvent => ({
  id: `0x${block.toString(16).padStart(64, "0")}:${logIndex}`,
  name,
  blockNumber: BigInt(block),
  logIndex,
  body: JSON.stringify({ event: name, blockNumber: String(block), logIndex }),
});
const SUBS = [
  { id: "a", url: "http://127.0.0.1:1/a", maxAttempts: 3, maxAgeMs: 60_000 },
  { id: "b", url: "http://127.0.0.1:1/b", maxAttempts: 3, maxAgeMs: 60_000, events: ["CycleClosed"] },
];
const NONE = new Set<string>();

let cluster: PgCluster | undefined;
const BACKENDS = [sqlite, postgres(() => cluster!)];

for (const backend of BACKENDS)
  describe(`serve: the delivery store on ${backend.name}`, function () {
    this.timeout(60_000);
    if (backend.name === "PostgreSQL") {
      before(async () => (cluster = await startPostgres()));
      after(() => cluster?.stop());
    }
    const open = async (where = backend.fresh()) => {
      const store = await backend.open(where);
      await store.syncSubscriptions(SUBS);
      return { store, path: where };
    };
    const rows = async (s: DeliveryStore, status?: "pending" | "delivered" | "dead") =>
      (await s.list({ status, limit: 1_000 })).items.map((d) => `${d.subscriptionId}:${d.blockNumber}.${d.logIndex}`);

    it("appends events, rows and the cursor in one transaction: a failure part-way writes nothing", async () => {
      const { store, path } = await open();
      expect(await store.append({ events: [ev(5, 0), ev(5, 1, "CycleClosed")], cursor: 5n, now: 1 })).to.equal(3);
      // The third event is refused by the schema (an empty id) after two were inserted: all rolled back.
      const bad = { ...ev(7, 0), id: "" };
      let thrown: unknown;
      try {
        await store.append({ events: [ev(6, 0), ev(6, 1, "CycleClosed"), bad], cursor: 7n, now: 2 });
      } catch (e) {
        thrown = e;
      }
      expect(String(thrown)).to.match(backend.constraintError);
      expect(await store.cursor()).to.equal(5n);
      expect(await rows(store)).to.deep.equal(["a:5.0", "a:5.1", "b:5.1"]);
      expect(await backend.query(path, "SELECT COUNT(*) AS n FROM events")).to.deep.equal([{ n: 2 }]);
      // Appending the same events again adds nothing; the cursor never moves back.
      expect(await store.append({ events: [ev(5, 0)], cursor: 3n, now: 3 })).to.equal(0);
      expect(await store.cursor()).to.equal(5n);
      await store.close();
    });

    it("the legacy import is one transaction too: a bad entry leaves the store empty and importable", async () => {
      const { store } = await open();
      const snapshot = {
        cursor: 9n,
        unknownSubscriptions: [],
        deliveries: [
          { id: "d1", subscriptionId: "a", event: ev(8, 0), attempts: 2, nextAttemptAt: 0 },
          { id: "d2", subscriptionId: "a", event: { ...ev(9, 0), id: "" }, attempts: 0, nextAttemptAt: 0 },
        ],
      };
      let thrown: unknown;
      try {
        await store.importLegacy(snapshot, 1);
      } catch (e) {
        thrown = e;
      }
      expect(String(thrown)).to.match(backend.constraintError);
      expect([await store.cursor(), await rows(store)]).to.deep.equal([undefined, []]);
      expect(await store.importLegacy({ ...snapshot, deliveries: snapshot.deliveries.slice(0, 1) }, 1)).to.equal(
        "imported",
      );
      expect([await store.cursor(), await rows(store)]).to.deep.equal([9n, ["a:8.0"]]);
      expect(await store.importLegacy(snapshot, 2)).to.equal("already-imported");
      await store.close();
    });

    it("delivers each subscription in order: a later event waits while an earlier one is pending", async () => {
      const { store } = await open();
      await store.append({ events: [ev(3, 1, "CycleClosed"), ev(3, 0), ev(4, 0, "CycleClosed")], cursor: 4n, now: 0 });
      const ids = (ds: { subscriptionId: string; blockNumber: bigint; logIndex: number }[]) =>
        ds.map((d) => `${d.subscriptionId}:${d.blockNumber}.${d.logIndex}`).sort();
      // Heads only: a's oldest (3.0, though appended second) and b's oldest.
      const first = await store.claimDue(10, 1_000, NONE, 10);
      expect(ids(first)).to.deep.equal(["a:3.0", "b:3.1"]);
      // Leased: not claimed again until the lease ends, nor the rows behind them.
      expect(await store.claimDue(20, 1_000, NONE, 10)).to.deep.equal([]);
      const a = first.find((d) => d.subscriptionId === "a")!;
      const b = first.find((d) => d.subscriptionId === "b")!;
      expect(a.body).to.equal(ev(3, 0).body);
      // a fails: its head is retried at 500 and 3.1 still waits behind it. b succeeds: its next is due.
      await store.complete(a, { kind: "retry", at: 30, error: "HTTP 500", nextAttemptAt: 500 });
      await store.complete(b, { kind: "delivered", at: 30 });
      expect(ids(await store.claimDue(40, 1_000, NONE, 10))).to.deep.equal(["b:4.0"]);
      expect(await store.nextDueAt()).to.equal(500); // a's retry (b's head is leased until 1 040)
      const retry = await store.claimDue(500, 1_000, new Set(["b"]), 10);
      expect(ids(retry)).to.deep.equal(["a:3.0"]);
      expect(retry[0].attempts).to.equal(1);
      // a's head goes to the dead-letter queue: the next event of a becomes its head.
      await store.complete(retry[0], { kind: "dead", at: 600, error: "HTTP 500 (attempt 2 of 2)" });
      expect(ids(await store.claimDue(2_000, 1_000, NONE, 10))).to.deep.equal(["a:3.1", "b:4.0"]);
      expect(await rows(store, "dead")).to.deep.equal(["a:3.0"]);
      await store.close();
    });

    it("survives closing and reopening: rows, attempts, cursor; leases of a stopped process void (SQLite) or held until they end", async () => {
      const { store, path } = await open();
      await store.append({ events: [ev(1, 0), ev(2, 0)], cursor: 2n, now: 0 });
      const [head] = await store.claimDue(0, 60_000, NONE, 10);
      await store.complete(head, { kind: "delivered", at: 1 });
      await store.claimDue(1, 60_000, NONE, 10); // 2.0 claimed, then the process "stops" mid-attempt
      await store.close();

      const again = await backend.open(path);
      expect(await again.cursor()).to.equal(2n);
      expect(await rows(again, "delivered")).to.deep.equal(["a:1.0"]);
      // SQLite: one process per file, so the stopped one's lease is void. PostgreSQL: another
      // server may still be delivering it; the row waits for the lease (1 + 60 000) to run out.
      const at = backend.leasesOutliveClose ? 60_001 : 2;
      if (backend.leasesOutliveClose) {
        expect(await again.claimDue(60_000, 60_000, NONE, 10)).to.deep.equal([]);
        expect(await again.nextDueAt()).to.equal(60_001);
      }
      const resumed = await again.claimDue(at, 60_000, NONE, 10);
      expect(resumed.map((d) => `${d.subscriptionId}:${d.blockNumber}`)).to.deep.equal(["a:2"]);
      if (backend === sqlite) {
        const db = new Database(path, { readonly: true });
        expect(db.pragma("user_version", { simple: true })).to.equal(SCHEMA_VERSION);
        expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
        db.close();
      } else
        expect(await backend.query(path, "SELECT version FROM schema_version")).to.deep.equal([
          { version: PG_SCHEMA_VERSION },
        ]);
      await again.close();
    });

    it("a subscription gone from the config keeps its rows but gets nothing", async () => {
      const { store } = await open();
      await store.append({ events: [ev(1, 0)], cursor: 1n, now: 0 });
      await store.syncSubscriptions([SUBS[1]]);
      expect(await store.claimDue(0, 1_000, NONE, 10)).to.deep.equal([]);
      const subs = await store.subscriptions();
      expect(subs.map((s) => [s.id, s.active, s.counts.pending])).to.deep.equal([
        ["a", false, 1],
        ["b", true, 0],
      ]);
      await store.close();
    });

    it("replays dead letters (one by id, or all of a subscription) and pages through them", async () => {
      const { store } = await open();
      await store.append({ events: [1, 2, 3, 4, 5].map((n) => ev(n, 0, "CycleClosed")), cursor: 5n, now: 0 });
      for (let t = 1; ; t++) {
        const due = await store.claimDue(t, 1, NONE, 10);
        if (!due.length) break;
        for (const d of due) await store.complete(d, { kind: "dead", at: t, error: "HTTP 500" });
      }
      expect((await rows(store, "dead")).length).to.equal(10);
      // Pages of 4, newest first, each page's `next` giving the following one.
      const seen: string[] = [];
      let after: number | undefined;
      for (;;) {
        const page = await store.list({ status: "dead", subscriptionId: "a", limit: 4, after, newestFirst: true });
        seen.push(...page.items.map((d) => `${d.blockNumber}`));
        if (page.next === null) break;
        after = page.next;
      }
      expect(seen).to.deep.equal(["5", "4", "3", "2", "1"]);

      const [oldest] = (await store.list({ status: "dead", subscriptionId: "b", limit: 1 })).items;
      expect(await store.replayDead({ id: oldest.id }, 100)).to.equal(1);
      expect(await store.replayDead({ id: oldest.id }, 100)).to.equal(0); // a replayed row has a new id
      const [replayed] = await store.claimDue(100, 1_000, NONE, 10);
      expect([replayed.subscriptionId, replayed.blockNumber, replayed.attempts, replayed.pendingSince]).to.deep.equal([
        "b",
        1n,
        0,
        100,
      ]);
      expect(replayed.id).to.not.equal(oldest.id);
      // A replay from block 1 (every subscription) while that attempt is in flight wins: the
      // attempt's outcome is not recorded.
      await store.append({ events: [ev(1, 0, "CycleClosed")], replay: true, now: 150 });
      await store.complete(replayed, { kind: "delivered", at: 160 });
      expect(await rows(store, "pending")).to.deep.equal(["a:1.0", "b:1.0"]);

      expect(await store.replayDead({ subscriptionId: "a" }, 200)).to.equal(4);
      expect(await rows(store, "dead")).to.deep.equal(["b:2.0", "b:3.0", "b:4.0", "b:5.0"]);
      expect(await store.replayDead({}, 300)).to.equal(4);
      expect(await rows(store, "dead")).to.deep.equal([]);
      await store.close();
    });

    it("prunes delivered rows older than the limit and the events no row needs; pending and dead stay", async () => {
      const { store, path } = await open();
      await store.append({ events: [ev(1, 0), ev(2, 0), ev(3, 0), ev(4, 0)], cursor: 4n, now: 0 });
      const outcomes = [
        { kind: "delivered", at: 100 },
        { kind: "delivered", at: 900 },
        { kind: "dead", at: 950, error: "HTTP 500" },
      ] as const;
      for (const outcome of outcomes) {
        const [head] = await store.claimDue(1_000, 10, NONE, 10);
        await store.complete(head, outcome);
      }
      expect(await store.prune(500)).to.equal(1);
      expect(await rows(store)).to.deep.equal(["a:2.0", "a:3.0", "a:4.0"]);
      expect(await backend.query(path, "SELECT block_number FROM events ORDER BY block_number")).to.deep.equal([
        { block_number: 2 },
        { block_number: 3 },
        { block_number: 4 },
      ]);
      expect(await store.prune(2_000)).to.equal(1); // the dead letter and the pending row stay
      expect(await rows(store)).to.deep.equal(["a:3.0", "a:4.0"]);
      await store.close();
    });

    it("refuses a database written by a newer schema, saying what to do", async () => {
      const path = backend.fresh();
      await (await open(path)).store.close();
      await backend.setVersion(path, backend.schemaVersion + 1);
      let thrown: unknown;
      try {
        await backend.open(path);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(DeliveryStoreError);
      expect((thrown as Error).message).to.match(/schema version 2; this clearhouse knows up to 1[^]*newer clearhouse/);
    });

    it("imports a JSON outbox file written by clearhouse ≤ 0.2 once, then renames it", async () => {
      const dir = mkdtempSync(join(tmpdir(), "legacy-"));
      const file = join(dir, "outbox.json");
      const body = (n: number) =>
        JSON.stringify({ id: ev(n, 0).id, event: "BatchSubmitted", blockNumber: `${n}`, logIndex: 0 });
      // The format of decision 015: cursor, deliveries with their attempts; delivered ones without body.
      const legacy = {
        format: "clearhouse.outbox/1",
        cursor: "12",
        deliveries: [
          { id: "u1", webhookId: "a", eventId: ev(10, 0).id, body: "", attempts: 1, nextAttemptAt: 0, deliveredAt: 5 },
          {
            id: "u2",
            webhookId: "a",
            eventId: ev(11, 0).id,
            body: body(11),
            attempts: 3,
            nextAttemptAt: 900,
            lastError: "HTTP 503",
          },
          { id: "u3", webhookId: "gone", eventId: ev(12, 0).id, body: body(12), attempts: 0, nextAttemptAt: 0 },
        ],
      };
      writeFileSync(file, JSON.stringify(legacy));
      const { store, path } = await open(backend === sqlite ? join(dir, "delivery.sqlite") : backend.fresh());
      expect(await importLegacyOutbox(store, file, ["a", "b"], 1_000)).to.deep.equal({
        result: "imported",
        deliveries: 2,
      });
      expect(existsSync(file)).to.equal(false);
      expect(JSON.parse(readFileSync(`${file}.migrated`, "utf8"))).to.deep.equal(legacy);
      expect(await store.cursor()).to.equal(12n);
      const pending = (await store.list({ status: "pending", limit: 10 })).items;
      expect(
        pending.map((d) => [d.id, d.subscriptionId, d.eventId, d.attempts, d.nextAttemptAt, d.lastError]),
      ).to.deep.equal([
        ["u2", "a", ev(11, 0).id, 3, 900, "HTTP 503"],
        ["u3", "gone", ev(12, 0).id, 0, 0, undefined],
      ]);
      // "gone" is not in the config: kept, inactive, its row undelivered.
      expect((await store.subscriptions()).map((s) => [s.id, s.active])).to.deep.equal([
        ["a", true],
        ["b", true],
        ["gone", false],
      ]);
      const [claimed] = await store.claimDue(1_000, 1_000, NONE, 10);
      expect([claimed.id, claimed.body]).to.deep.equal(["u2", body(11)]);
      await store.close();

      // The file is still there after the import (a stop before the rename): renamed, not imported again.
      writeFileSync(file, JSON.stringify(legacy));
      const reopened = await backend.open(path);
      expect(await importLegacyOutbox(reopened, file, ["a"], 2_000)).to.deep.equal({
        result: "already-imported",
        deliveries: 0,
      });
      expect(existsSync(file)).to.equal(false);
      await reopened.close();
      // A store with state of its own but no import leaves the file alone.
      const fresh = (await open()).store;
      await fresh.append({ events: [ev(1, 0)], cursor: 1n, now: 0 });
      writeFileSync(file, JSON.stringify(legacy));
      expect(await importLegacyOutbox(fresh, file, ["a"], 0)).to.deep.equal({ result: "not-empty", deliveries: 0 });
      expect(existsSync(file)).to.equal(true);
      await fresh.close();
    });

    if (backend.name !== "PostgreSQL") return;

    it("two stores on one database: intake once, each row claimed by one, every subscription in order", async () => {
      const url = backend.fresh();
      const subs = ["s1", "s2", "s3", "s4", "s5"].map((id) => ({
        id,
        url: `http://127.0.0.1:1/${id}`,
        maxAttempts: 3,
        maxAgeMs: 60_000,
      }));
      const [one, two] = [
        await PostgresDeliveryStore.open({ url, owner: "one" }),
        await PostgresDeliveryStore.open({ url, owner: "two" }),
      ];
      await Promise.all([one.syncSubscriptions(subs), two.syncSubscriptions(subs)]);
      // Both follow the chain: they append the same blocks at the same time, one behind the other.
      const events = Array.from({ length: 30 }, (_, i) => ev(10 + Math.floor(i / 3), i % 3));
      const added = await Promise.all([
        one.append({ events: events.slice(0, 20), cursor: 16n, now: 0 }),
        two.append({ events, cursor: 19n, now: 0 }),
        one.append({ events: events.slice(10), cursor: 17n, now: 0 }),
      ]);
      expect(added.reduce((x, y) => x + y)).to.equal(30 * subs.length);
      expect(await one.cursor()).to.equal(19n);

      // Both deliver at once; a subscription never has two rows in flight, and each row goes once.
      const inFlight = new Set<string>();
      const sent = new Map<string, string[]>();
      const worker = async (store: PostgresDeliveryStore) => {
        for (let idle = 0; idle < 5;) {
          const due = await store.claimDue(Date.now(), 60_000, NONE, 3);
          if (!due.length) {
            idle++;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          idle = 0;
          await Promise.all(
            due.map(async (d) => {
              expect(inFlight.has(d.subscriptionId), `${d.subscriptionId} twice in flight`).to.equal(false);
              inFlight.add(d.subscriptionId);
              await new Promise((r) => setTimeout(r, Math.random() * 4));
              sent.set(d.subscriptionId, [...(sent.get(d.subscriptionId) ?? []), d.eventId]);
              inFlight.delete(d.subscriptionId);
              await store.complete(d, { kind: "delivered", at: Date.now() });
            }),
          );
        }
      };
      await Promise.all([worker(one), worker(two)]);
      for (const s of subs) expect(sent.get(s.id), s.id).to.deep.equal(events.map((e) => e.id));
      expect((await one.subscriptions()).map((s) => s.counts)).to.deep.equal(
        subs.map(() => ({ pending: 0, delivered: 30, dead: 0 })),
      );
      await Promise.all([one.close(), two.close()]);
    });

    it("a lease that ran out is taken over; the late outcome of its first holder is not recorded", async () => {
      const url = backend.fresh();
      const [one, two] = [
        await PostgresDeliveryStore.open({ url, owner: "one" }),
        await PostgresDeliveryStore.open({ url, owner: "two" }),
      ];
      await one.syncSubscriptions(SUBS);
      await one.append({ events: [ev(1, 0), ev(2, 0)], cursor: 2n, now: 0 });
      const [first] = await one.claimDue(0, 1_000, NONE, 10);
      expect(
        await backend.query(url, "SELECT lease_owner, lease_until FROM outbox WHERE lease_until IS NOT NULL"),
      ).to.deep.equal([{ lease_owner: "one", lease_until: 1_000 }]);
      expect(await two.claimDue(999, 1_000, NONE, 10)).to.deep.equal([]); // still leased
      const [taken] = await two.claimDue(1_000, 1_000, NONE, 10); // "one" stalled past its lease
      expect([taken.seq, taken.id]).to.deep.equal([first.seq, first.id]);
      // "one" comes back and says it failed: ignored (two holds the row), and two's lease stands.
      await one.complete(first, { kind: "retry", at: 1_100, error: "HTTP 500", nextAttemptAt: 1_200 });
      expect(await one.claimDue(1_300, 1_000, NONE, 10)).to.deep.equal([]);
      await two.complete(taken, { kind: "delivered", at: 1_400 });
      expect(await rows(one, "delivered")).to.deep.equal(["a:1.0"]);
      const [next] = await one.claimDue(1_500, 1_000, NONE, 10);
      expect([next.blockNumber, next.attempts]).to.deep.equal([2n, 0]);
      await Promise.all([one.close(), two.close()]);
    });
  });
