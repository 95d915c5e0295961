/**
 * The SQLite delivery store on its own: every write one transaction (a failure part-way leaves
 * nothing), state that survives closing and reopening the file, per-subscription order, leases,
 * the dead-letter queue and its replay, pagination, the schema version, and the import of the JSON
 * outbox file of clearhouse ≤ 0.2.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { DeliveryStoreError } from "../../packages/server/src/store/errors";
import { importLegacyOutbox } from "../../packages/server/src/store/legacyJson";
import { SqliteDeliveryStore } from "../../packages/server/src/store/sqlite";
import { SCHEMA_VERSION } from "../../packages/server/src/store/sqliteSchema";
import type { OutboxEvent } from "../../packages/server/src/store/types";

const dbPath = () => join(mkdtempSync(join(tmpdir(), "store-")), "delivery.sqlite");
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

async function open(path = dbPath()) {
  const store = new SqliteDeliveryStore({ path });
  await store.syncSubscriptions(SUBS);
  return { store, path };
}
const rows = async (s: SqliteDeliveryStore, status?: "pending" | "delivered" | "dead") =>
  (await s.list({ status, limit: 1_000 })).items.map((d) => `${d.subscriptionId}:${d.blockNumber}.${d.logIndex}`);

describe("serve: the SQLite delivery store", () => {
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
    expect(String(thrown)).to.match(/CHECK constraint failed/);
    expect(await store.cursor()).to.equal(5n);
    expect(await rows(store)).to.deep.equal(["a:5.0", "a:5.1", "b:5.1"]);
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) AS n FROM events").get()).to.deep.equal({ n: 2 });
    db.close();
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
    expect(String(thrown)).to.match(/CHECK constraint failed/);
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

  it("survives closing and reopening the file: rows, attempts, cursor; leases of the stopped process are void", async () => {
    const { store, path } = await open();
    await store.append({ events: [ev(1, 0), ev(2, 0)], cursor: 2n, now: 0 });
    const [head] = await store.claimDue(0, 60_000, NONE, 10);
    await store.complete(head, { kind: "delivered", at: 1 });
    await store.claimDue(1, 60_000, NONE, 10); // 2.0 claimed, then the process "stops" mid-attempt
    await store.close();

    const again = new SqliteDeliveryStore({ path });
    expect(await again.cursor()).to.equal(2n);
    expect(await rows(again, "delivered")).to.deep.equal(["a:1.0"]);
    const resumed = await again.claimDue(2, 60_000, NONE, 10);
    expect(resumed.map((d) => `${d.subscriptionId}:${d.blockNumber}`)).to.deep.equal(["a:2"]);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).to.equal(SCHEMA_VERSION);
    expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
    db.close();
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
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT block_number FROM events ORDER BY block_number").all()).to.deep.equal([
      { block_number: 2 },
      { block_number: 3 },
      { block_number: 4 },
    ]);
    db.close();
    expect(await store.prune(2_000)).to.equal(1); // the dead letter and the pending row stay
    expect(await rows(store)).to.deep.equal(["a:3.0", "a:4.0"]);
    await store.close();
  });

  it("refuses a file written by a newer schema, saying what to do", async () => {
    const path = dbPath();
    (await open(path)).store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    let thrown: unknown;
    try {
      new SqliteDeliveryStore({ path });
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
    const { store, path } = await open(join(dir, "delivery.sqlite"));
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
    const reopened = new SqliteDeliveryStore({ path });
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
});
