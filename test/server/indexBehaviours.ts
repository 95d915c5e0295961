/** The read index's behaviours, run on each index store (index.test.ts, indexPostgres.test.ts). */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import type { ServeConfig } from "../../packages/server/src/config";
import { plain } from "../../packages/server/src/feed";
import { paymentBatch } from "../sdk/settlementFixture";
import { KEYS, serveConfig, serverFixture } from "./fixture";

/** The `store` part of a serve config (with a new, empty store each call); `{}` for the default SQLite file. */
export type StoreConfig = () => Partial<ServeConfig>;

export const get = async (s: ServerHandle, url: string, key = KEYS.auditor) => {
  const res = await s.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });
  expect(res.statusCode, `${url}: ${res.body}`).to.equal(200);
  return JSON.parse(res.body) as { items: Record<string, unknown>[]; next: string | null } & Record<string, unknown>;
};

/** Every item of a list, page by page (`limit` per page), running `between` after each page. */
export async function allPages(
  s: ServerHandle,
  url: string,
  limit: number,
  key = KEYS.auditor,
  between = async () => {},
) {
  const items: Record<string, unknown>[] = [];
  for (let after: string | null | undefined; ;) {
    const sep = url.includes("?") ? "&" : "?";
    const page = await get(s, `${url}${sep}limit=${limit}${after ? `&after=${after}` : ""}`, key);
    expect(page.items.length).to.be.at.most(limit);
    items.push(...page.items);
    if (page.next === null) return items;
    after = page.next;
    await between();
  }
}

export async function withBatches() {
  const f = await serverFixture();
  const { cycleId } = await f.operator.settlement.openCycle();
  // More batches than a page: Baltic and Celtic pay Alpine.
  for (let i = 0; i < 5; i++) {
    const b = paymentBatch(f, i % 2 ? "baltic" : "celtic", [[f.addr.alpine, 1_000n + BigInt(i)]], `idx-${i}`);
    await f.bank[i % 2 ? "baltic" : "celtic"].settlement.submitBatch({ key: b.key, header: b.header });
    if (i === 1) await f.bank.alpine.settlement.acknowledgeBatch({ batchId: b.batchId });
  }
  return { ...f, cycleId };
}

/** The fixture chain (reverted to its snapshot) and a server with a new database of its own. */
async function fresh(store: StoreConfig) {
  const f = await loadFixture(withBatches);
  const config = serveConfig(store(), f.addr);
  const server = await createServer({ ch: f.gov, config });
  open.push(server);
  return { ...f, server, config };
}

const open: ServerHandle[] = [];

/**
 * The read index's behaviours through the API, on the index store beside the delivery store that
 * `store` configures (a new, empty one per call), which is an index store of kind `indexKind`.
 */
export function indexBehaviours(store: StoreConfig, indexKind: "sqlite" | "postgres"): void {
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it("serves what the chain says: batches, cycles, agreements and members match the SDK's reads", async () => {
    const f = await fresh(store);
    const batches = await allPages(f.server, "/api/batches", 2);
    expect(batches).to.have.length(6);
    for (const b of batches) {
      const chain = plain(await f.gov.settlement.getBatch({ batchId: b.batchId as `0x${string}` })) as Record<
        string,
        unknown
      >;
      const detail = await get(f.server, `/api/batches/${String(b.batchId)}`);
      expect(b.status, String(b.batchId)).to.equal(chain.status);
      const { history, submitter, ...rest } = detail;
      expect(rest).to.deep.equal(chain);
      expect(submitter).to.equal(b.submitter);
      expect((history as { event: string }[])[0].event).to.equal("BatchSubmitted");
    }
    expect(batches.filter((b) => b.status === "Final")).to.have.length(1); // the one Alpine acknowledged
    const cycles = await allPages(f.server, "/api/cycles", 10);
    expect(cycles).to.deep.equal([plain(await f.gov.settlement.getCycle({ cycleId: f.cycleId }))]);
    expect(await get(f.server, `/api/cycles/${f.cycleId}`)).to.deep.equal(cycles[0]);
    const agreements = await allPages(f.server, "/api/agreements", 10);
    expect(agreements).to.deep.equal([plain(await f.gov.payments.getAgreement({ agreementId: f.agreementId }))]);
    const members = await allPages(f.server, "/api/members", 2);
    expect(members).to.deep.equal(plain(await f.gov.registry.listMembers()));
  });

  it("a member pages through only its own batches; another bank's page is 403", async () => {
    const f = await fresh(store);
    const celtic = await allPages(f.server, "/api/batches", 1, KEYS.celtic);
    // Celtic submitted three and is a counterparty of Alpine's sample batch.
    expect(celtic).to.have.length(4);
    for (const b of celtic) {
      const mine = String(b.submitter).toLowerCase() === f.addr.celtic.toLowerCase();
      expect(mine || b.batchId === f.batch.batchId, String(b.batchId)).to.equal(true);
    }
    const balticOnly = (await allPages(f.server, "/api/batches", 10)).find(
      (b) => String(b.submitter).toLowerCase() === f.addr.baltic.toLowerCase(),
    )!;
    const res = await f.server.app.inject({
      method: "GET",
      url: `/api/batches/${String(balticOnly.batchId)}`,
      headers: { authorization: `Bearer ${KEYS.celtic}` },
    });
    expect(res.statusCode).to.equal(403);
    const bad = await f.server.app.inject({
      method: "GET",
      url: "/api/batches?after=x",
      headers: { authorization: `Bearer ${KEYS.auditor}` },
    });
    expect(bad.statusCode).to.equal(400);
  });

  it("paging is stable while events arrive: no event twice, none missing", async () => {
    const f = await fresh(store);
    let n = 0;
    const arrive = async () => {
      const b = paymentBatch(f, "danube", [[f.addr.alpine, 7n]], `arrive-${n++}`);
      await f.bank.danube.settlement.submitBatch({ key: b.key, header: b.header });
      await f.server.feed.poll();
    };
    const paged = await allPages(f.server, "/api/events", 4, KEYS.auditor, arrive);
    const ids = paged.map((e) => e.id);
    expect(new Set(ids).size).to.equal(ids.length);
    const all = await allPages(f.server, "/api/events", 1_000);
    expect(ids).to.deep.equal(all.map((e) => e.id)); // the pages end at the last event, the new ones included
    expect(n).to.be.greaterThan(3);
    const batches = await allPages(f.server, "/api/batches", 3, KEYS.auditor, arrive);
    expect(new Set(batches.map((b) => b.batchId)).size).to.equal(batches.length);
    expect(batches.length).to.equal((await allPages(f.server, "/api/batches", 1_000)).length);
  });

  it("resumes from its cursor after a restart: the history is not read again, nothing is lost or doubled", async () => {
    const f = await fresh(store);
    const before = await allPages(f.server, "/api/events", 1_000);
    const cursor = await f.server.feed.indexer!.store.cursor();
    await f.server.close();
    const b = paymentBatch(f, "danube", [[f.addr.alpine, 9n]], "after-restart");
    await f.bank.danube.settlement.submitBatch({ key: b.key, header: b.header });
    const again = await createServer({ ch: f.gov, config: f.config });
    try {
      expect(again.feed.indexer!.store.kind).to.equal(indexKind);
      // This run read only the blocks after the cursor.
      expect(again.feed.events.length).to.be.greaterThan(0);
      expect(again.feed.events.every((e) => BigInt(e.blockNumber) > cursor!)).to.equal(true);
      const after = await allPages(again, "/api/events", 1_000);
      expect(after.slice(0, before.length)).to.deep.equal(before);
      expect(after.length).to.equal(before.length + again.feed.events.length);
      const batch = await get(again, `/api/batches/${b.batchId}`);
      expect(batch.status).to.equal("Submitted");
      expect((await get(again, "/api/health")).events).to.equal(after.length);
    } finally {
      await again.close();
    }
  });
}
