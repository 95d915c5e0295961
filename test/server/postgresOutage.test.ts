/**
 * The server on a PostgreSQL delivery store that goes away: `/api/health` answers 503 naming the
 * store while it is down, intake stops instead of dropping events (the blocks are read again), and
 * once the database is back every event made meanwhile reaches the webhook, in order, once.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer } from "../../packages/server/src/api";
import { releaseProver } from "../../packages/zk/src";
import { startPostgres, type PgCluster } from "../helpers/postgres";
import { KEYS, serveConfig, serverFixture } from "./fixture";
import { startReceiver, waitFor } from "./receiver";

const SECRET = `whsec_${Buffer.alloc(32, 3).toString("base64")}`;

describe("serve: a PostgreSQL store that goes away and comes back", function () {
  this.timeout(120_000);
  let cluster: PgCluster;
  before(async () => (cluster = await startPostgres()));
  after(async () => {
    cluster?.stop();
    await releaseProver();
  });

  it("health 503 while the database is down, then every event delivered, none lost", async () => {
    const f = await loadFixture(serverFixture);
    const hook = await startReceiver(() => 204);
    const url = cluster.createDatabase("outage");
    const config = serveConfig(
      { webhooks: [{ id: "core", url: hook.url, secret: SECRET }], store: { kind: "postgres", url } } as never,
      f.addr,
    );
    const server = await createServer({ ch: f.gov, config });
    const health = async () => {
      const res = await server.app.inject({
        method: "GET",
        url: "/api/health",
        headers: { authorization: `Bearer ${KEYS.auditor}` },
      });
      return { status: res.statusCode, body: JSON.parse(res.body) as { store: string; lastError?: string } };
    };
    try {
      await server.feed.deliverDue();
      expect(hook.accepted.map((r) => r.eventId)).to.deep.equal(server.feed.events.map((e) => e.id));
      expect(await health()).to.deep.include({ status: 200 });

      cluster.pause(); // the database goes away
      // Before the next poll: the index (in the same database) cannot be read, and health says so.
      const early = await health();
      expect(early.status).to.equal(503);
      expect(early.body.lastError).to.match(/^read index \(postgres\): /);
      const list = await server.app.inject({
        method: "GET",
        url: "/api/batches",
        headers: { authorization: `Bearer ${KEYS.auditor}` },
      });
      expect(list.statusCode, list.body).to.equal(503); // the node's is not the only outage a list reports as 503
      expect(JSON.parse(list.body)).to.deep.include({ error: "DeliveryStoreError", category: "network" });
      await f.bank.celtic.settlement.acknowledgeBatch({ batchId: f.batch.batchId }); // an event meanwhile
      const before = server.feed.events.length;
      await server.feed.poll();
      const down = await health();
      expect(down.status).to.equal(503);
      expect(down.body.store).to.equal("postgres");
      expect(down.body.lastError).to.match(/^delivery store \(postgres\): .*ECONNREFUSED/);
      expect(server.feed.events.length).to.equal(before); // not taken in: the blocks are read again
      await server.feed.poll(); // still down: still nothing lost, nothing taken
      expect(server.feed.events.length).to.equal(before);

      cluster.start(); // back
      await server.feed.poll();
      expect(server.feed.events.length).to.equal(before + 1);
      await server.feed.deliverDue();
      await waitFor(() => hook.accepted.length === before + 1, 10_000, "the event made while the store was down");
      expect(hook.accepted.map((r) => r.eventId)).to.deep.equal(server.feed.events.map((e) => e.id));
      expect(await health()).to.deep.include({ status: 200 });
    } finally {
      await server.close();
      await hook.stop();
    }
  });
});
