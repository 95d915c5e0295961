/**
 * The read index on PostgreSQL (decision 033): the index behaviours of index.test.ts on a
 * PostgreSQL-backed server (its restart resumes from the stored cursor), two stores committing the
 * same blocks at once, and two servers sharing one database, each with its own response cache.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import pg from "pg";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import type { ServeConfig } from "../../packages/server/src/config";
import { PostgresIndexStore } from "../../packages/server/src/index/postgres";
import { DeliveryStoreError } from "../../packages/server/src/store/errors";
import type { IndexCommit } from "../../packages/server/src/index/types";
import { paymentBatch } from "../sdk/settlementFixture";
import { startPostgres, type PgCluster } from "../helpers/postgres";
import { serveConfig } from "./fixture";
import { allPages, indexBehaviours, withBatches } from "./indexBehaviours";

let cluster: PgCluster | undefined;
let n = 0;
/** A new, empty database. */
const database = () => cluster!.createDatabase(`index_${process.pid}_${++n}`);
const pgStore = (url: string): Partial<ServeConfig> => ({
  store: { kind: "postgres", url, poolSize: 5, connectTimeoutMs: 5_000 },
});

/** A commit of `events` events (two parties each) and one item per event, up to block `cursor`. */
function blocks(cursor: bigint, events: number, from = 0, tag = ""): IndexCommit {
  const c: IndexCommit = { items: [], events: [], banks: [[0, "0xaa"]], cursor, headTime: 1_000 + Number(cursor) };
  for (let i = from; i < from + events; i++) {
    const ord = (i + 1) * 1_000_000;
    const parties = ["0xaa", `0x${i}b`];
    c.items.push({ kind: "batch", key: `0xbatch${i}`, ord, body: JSON.stringify({ i, tag }), parties });
    c.events.push({
      ord,
      id: `e${i}`,
      blockNumber: BigInt(i + 1),
      subject: `0xbatch${i}`,
      body: `{"e":${i}}`,
      parties,
    });
  }
  return c;
}

describe("serve: the read index on PostgreSQL (decision 033)", function () {
  this.timeout(120_000);
  before(async () => (cluster = await startPostgres()));
  after(() => cluster?.stop());

  describe("the index behaviours", () => indexBehaviours(() => pgStore(database()), "postgres"));

  describe("shared by several servers", () => {
    const pools: pg.Pool[] = [];
    const servers: ServerHandle[] = [];
    afterEach(async () => {
      for (const s of servers.splice(0)) await s.close();
      for (const p of pools.splice(0)) await p.end();
    });
    const count = async (pool: pg.Pool, table: string) =>
      Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

    it("two stores committing the same blocks at once write each row once; the cursor never goes back", async () => {
      const url = database();
      pools.push(new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url }));
      // Opened together: the tables are created once.
      const [a, b] = await Promise.all(pools.map((p) => PostgresIndexStore.open(p, "test")));
      const first = blocks(10n, 4);
      await Promise.all([a.commit(first), b.commit(first), a.commit(first), b.commit(first)]);
      expect(await count(pools[0], "idx_items")).to.equal(4);
      expect(await count(pools[0], "idx_parties")).to.equal(8);
      expect(await count(pools[0], "idx_events")).to.equal(4);
      expect(await count(pools[0], "idx_event_parties")).to.equal(8);
      expect(await count(pools[0], "idx_banks")).to.equal(1);

      // Overlapping polls: b reads blocks 1-20, then a's older poll (up to 15) arrives late.
      await b.commit(blocks(20n, 6, 0, "b"));
      await a.commit(blocks(15n, 5, 0, "stale"));
      expect(await a.cursor()).to.equal(20n);
      expect(await a.headTime()).to.equal(1_020);
      expect(await a.eventCount()).to.equal(6);
      expect((await a.get("batch", "0xbatch4"))!.body).to.equal(JSON.stringify({ i: 4, tag: "b" }));
      const events = await a.events({ limit: 4 });
      expect(events.items).to.deep.equal([0, 1, 2, 3].map((i) => `{"e":${i}}`));
      expect((await a.events({ after: events.next!, limit: 4 })).items).to.deep.equal(['{"e":4}', '{"e":5}']);
      expect((await b.page({ kind: "batch", account: "0x5b", limit: 10 })).items).to.have.length(1);
      expect((await b.events({ account: "0xaa", fromBlock: 5n, limit: 10 })).items).to.have.length(2);
    });

    it("generation moves when this process sees the stored cursor move, not on every look", async () => {
      const url = database();
      pools.push(new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url }));
      const [a, b] = await Promise.all(pools.map((p) => PostgresIndexStore.open(p, "test")));
      await a.commit(blocks(5n, 2));
      await a.cursor();
      const before = a.generation;
      await a.cursor();
      expect(a.generation).to.equal(before); // nothing moved: its cached answers stay good
      await b.commit(blocks(9n, 3));
      expect(a.generation).to.equal(before); // a has not looked yet
      expect(await a.cursor()).to.equal(9n);
      expect(a.generation).to.be.greaterThan(before); // the other's commit invalidates a's cache
    });

    it("refuses an index written by a newer schema, saying what to do", async () => {
      const url = database();
      pools.push(new pg.Pool({ connectionString: url }));
      await PostgresIndexStore.open(pools[0], "test");
      expect(await count(pools[0], "idx_version")).to.equal(1);
      await pools[0].query("UPDATE idx_version SET version = 99");
      const err = await PostgresIndexStore.open(pools[0], "db:5432/x").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DeliveryStoreError);
      expect((err as Error).message).to.match(/read index db:5432\/x has schema version 99.*run that version/s);
    });

    it("two servers on one database: a commit by one invalidates the other's cached lists; a restart reads no history", async () => {
      const f = await loadFixture(withBatches);
      const url = database();
      const one = await createServer({ ch: f.gov, config: serveConfig(pgStore(url), f.addr) });
      servers.push(one);
      const cursor = await one.feed.indexer!.store.cursor();
      const two = await createServer({ ch: f.gov, config: serveConfig(pgStore(url), f.addr) });
      servers.push(two);
      // The second server found the index written: it read no event at or below the stored cursor.
      expect(two.feed.events.every((e) => BigInt(e.blockNumber) > cursor!)).to.equal(true);
      const before = await allPages(one, "/api/batches", 100); // cached by one
      const b = paymentBatch(f, "danube", [[f.addr.alpine, 3n]], "shared-index");
      await f.bank.danube.settlement.submitBatch({ key: b.key, header: b.header });
      await two.feed.poll(); // two writes the new block
      await one.feed.poll(); // one finds it written: no commit of its own, but its cache is stale now
      const after = await allPages(one, "/api/batches", 100);
      expect(after.length).to.equal(before.length + 1);
      expect(after.map((x) => x.batchId)).to.include(b.batchId);
      expect(await allPages(two, "/api/batches", 100)).to.deep.equal(after);
      const events = await allPages(one, "/api/events", 1_000);
      expect(new Set(events.map((e) => e.id)).size).to.equal(events.length);
      expect(await one.feed.indexer!.store.eventCount()).to.equal(events.length);
    });
  });
});
