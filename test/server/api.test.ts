/** The REST API's auth matrix and views, the event stream, and the console page. */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import { releaseProver } from "../../packages/zk/src";
import { KEYS, serveConfig, serverFixture } from "./fixture";

async function withServer() {
  const f = await serverFixture();
  const server = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
  return { ...f, server };
}

const get = (s: ServerHandle, url: string, key?: string) =>
  s.app.inject({ method: "GET", url, headers: key ? { authorization: `Bearer ${key}` } : {} });

describe("serve: REST API", function () {
  this.timeout(120_000);
  after(releaseProver);

  it("401 without a key or with an unknown one, on every /api route", async () => {
    const { server } = await loadFixture(withServer);
    for (const url of [
      "/api/members",
      "/api/batches",
      "/api/cycles",
      "/api/agreements",
      "/api/proposals",
      "/api/events",
      "/api/audit",
      "/api/webhooks",
      "/api/webhooks/deliveries",
      "/api/webhooks/dead",
    ]) {
      expect((await get(server, url)).statusCode, url).to.equal(401);
      expect((await get(server, url, "wrong-key-00000000000")).statusCode, url).to.equal(401);
    }
    expect((await get(server, "/")).statusCode).to.equal(200); // the console page itself is public
    // Percent-encoded paths reach the same routes: they need a key too.
    for (const url of ["/%61pi/members", "/%61pi/whoami", "/%61pi/events/stream", "/api%2Fmembers"]) {
      expect((await get(server, url)).statusCode, url).to.be.oneOf([401, 404]);
    }
    expect((await get(server, "/%61pi/members")).statusCode).to.equal(401);
  });

  it("auth matrix: members see their own batches and agreements, 403 for others'; auditors see all", async () => {
    const { server, batch, agreementId, addr } = await loadFixture(withServer);
    const detail = `/api/batches/${batch.batchId}`;
    expect((await get(server, detail, KEYS.alpine)).statusCode).to.equal(200); // submitter
    expect((await get(server, detail, KEYS.celtic)).statusCode).to.equal(200); // a counterparty
    expect((await get(server, detail, KEYS.auditor)).statusCode).to.equal(200);
    expect((await get(server, detail, KEYS.regulator)).statusCode).to.equal(200);
    const agreement = `/api/agreements/${agreementId}`;
    expect((await get(server, agreement, KEYS.alpine)).statusCode).to.equal(403); // not a party
    expect((await get(server, agreement, KEYS.auditor)).statusCode).to.equal(200);
    expect((await get(server, "/api/audit", KEYS.alpine)).statusCode).to.equal(403);
    for (const url of ["/api/webhooks", "/api/webhooks/deliveries", "/api/webhooks/dead"])
      expect((await get(server, url, KEYS.celtic)).statusCode, url).to.equal(403);
    for (const url of ["/api/webhooks/dead/replay", "/api/webhooks/dead/x/replay", "/api/webhooks/replay"]) {
      const res = await server.app.inject({ method: "POST", url, headers: { authorization: `Bearer ${KEYS.celtic}` } });
      expect(res.statusCode, url).to.equal(403);
    }
    expect(JSON.parse((await get(server, "/api/agreements", KEYS.alpine)).body).items).to.deep.equal([]);
    const all = JSON.parse((await get(server, "/api/agreements", KEYS.auditor)).body).items as { payer: string }[];
    expect(all.map((a) => a.payer)).to.deep.equal([addr.danube]);
    expect((await get(server, "/api/batches/0x" + "11".repeat(32), KEYS.auditor)).statusCode).to.equal(404);
  });

  it("a member that is no party and never enrolled in the ledger sees no batch (403 on its page)", async () => {
    const f = await loadFixture(serverFixture);
    const late = { name: "late", key: "late-bank-key-0000001", role: "member" as const, account: f.unenrolledAddress };
    const config = serveConfig({}, f.addr);
    const server = await createServer({ ch: f.gov, config: { ...config, apiKeys: [...config.apiKeys, late] } });
    try {
      expect((await get(server, `/api/batches/${f.batch.batchId}`, late.key)).statusCode).to.equal(403);
      expect(JSON.parse((await get(server, "/api/batches", late.key)).body).items).to.deep.equal([]);
      expect(JSON.parse((await get(server, "/api/batches", KEYS.celtic)).body).items).to.have.length(1); // by its mask bit
    } finally {
      await server.close();
    }
  });

  it("views: members, batches with status and history, events filtered for members", async () => {
    const { server, batch, addr } = await loadFixture(withServer);
    const members = JSON.parse((await get(server, "/api/members", KEYS.alpine)).body).items as { account: string }[];
    expect(members.map((m) => m.account)).to.include(addr.alpine);
    const batches = JSON.parse((await get(server, "/api/batches", KEYS.auditor)).body).items as {
      batchId: string;
      status: string;
    }[];
    expect(batches).to.have.length(1);
    expect(batches[0]).to.deep.include({ batchId: batch.batchId, status: "Submitted" });
    const detail = JSON.parse((await get(server, `/api/batches/${batch.batchId}`, KEYS.alpine)).body) as {
      history: { event: string }[];
    };
    expect(detail.history.map((h) => h.event)).to.deep.equal(["BatchSubmitted", "BatchAcknowledged"]);
    const mine = JSON.parse((await get(server, "/api/events", KEYS.celtic)).body).items as { args: unknown }[];
    const everything = JSON.parse((await get(server, "/api/events", KEYS.auditor)).body).items as unknown[];
    expect(mine.length).to.be.greaterThan(0);
    expect(mine.length).to.be.lessThan(everything.length);
    expect(mine.every((e) => JSON.stringify(e.args).toLowerCase().includes(addr.celtic.toLowerCase()))).to.equal(true);
    expect((await get(server, "/api/events?limit=-1", KEYS.auditor)).statusCode).to.equal(400);
    const one = JSON.parse((await get(server, "/api/events?limit=0", KEYS.auditor)).body).items as unknown[];
    expect(one).to.have.length(1); // limits are clamped to 1…1,000
  });

  it("whoami names the key and the token amounts are in (the console formats minor units with it)", async () => {
    const { server, deployment } = await loadFixture(withServer);
    const who = JSON.parse((await get(server, "/api/whoami", KEYS.alpine)).body) as Record<string, unknown>;
    const { symbol, decimals } = deployment.token;
    expect(who).to.deep.include({ name: "alpine", role: "member" });
    expect(who.token).to.deep.include({ symbol, decimals });
  });

  it("the inclusion checker answers from the ledger contract", async () => {
    const { server, batch } = await loadFixture(withServer);
    const post = (body: unknown) =>
      server.app.inject({
        method: "POST",
        url: "/api/inclusion",
        headers: { authorization: `Bearer ${KEYS.celtic}` },
        payload: body as object,
      });
    const record = JSON.parse(
      JSON.stringify(batch.records[1], (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    ) as Record<string, unknown>;
    const ok = JSON.parse((await post({ batchId: batch.batchId, record, proof: batch.tree.proof(1) })).body) as {
      included: boolean;
    };
    expect(ok.included).to.equal(true);
    const tampered = JSON.parse(
      (await post({ batchId: batch.batchId, record: { ...record, amount: "1" }, proof: batch.tree.proof(1) })).body,
    ) as { included: boolean };
    expect(tampered.included).to.equal(false);
    expect((await post({ batchId: batch.batchId, record, proof: ["nope"] })).statusCode).to.equal(400);
  });

  it("the event stream pushes new events as they happen (SSE)", async () => {
    const f = await loadFixture(withServer);
    await f.server.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = f.server.app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/api/events/stream`, {
      headers: { authorization: `Bearer ${KEYS.auditor}` },
    });
    expect(res.headers.get("content-type")).to.match(/text\/event-stream/);
    const reader = res.body!.getReader();
    await f.bank.baltic.settlement.acknowledgeBatch({ batchId: f.batch.batchId }).catch(() => undefined);
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId: f.batch.batchId });
    await f.server.feed.poll();
    let text = "";
    while (!/event: BatchAcknowledged/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).to.match(
      /data: \{"id":"0x[0-9a-f]{64}:\d+","contract":"SettlementLedger","event":"BatchAcknowledged"/,
    );
    await reader.cancel();
    await f.server.close();
  });
});
