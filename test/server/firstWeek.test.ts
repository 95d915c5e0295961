/**
 * The server's first-week findings (issue 17): the answers' status codes tell what happened — an
 * unknown key from a missing one, a node that is down (503) from bad input (400), health by status
 * code — and the browser's favicon request is not a 401.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { HttpRequestError, custom } from "viem";
import { createClearhouse } from "../../packages/sdk/src";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import { releaseProver } from "../../packages/zk/src";
import { KEYS, serveConfig, serverFixture } from "./fixture";

/** A server on a node that can be switched off: its requests then fail as an unreachable HTTP node. */
async function withSwitchableNode() {
  const f = await serverFixture();
  const node = { down: false };
  const transport = custom({
    async request(args: { method: string; params?: unknown[] }) {
      if (node.down) throw new HttpRequestError({ url: "http://127.0.0.1:8545", details: "connect ECONNREFUSED" });
      return hre.network.provider.request(args);
    },
  });
  const ch = createClearhouse({ transport, deployment: f.deployment, pollingInterval: 10 });
  const server = await createServer({ ch, config: serveConfig({}, f.addr) });
  return { ...f, server, node };
}

const get = (s: ServerHandle, url: string, key?: string) =>
  s.app.inject({ method: "GET", url, headers: key ? { authorization: `Bearer ${key}` } : {} });

describe("serve: status codes a scheme's monitoring can trust", function () {
  this.timeout(120_000);
  after(releaseProver);

  it("tells a missing API key from an unknown one", async () => {
    const { server } = await loadFixture(withSwitchableNode);
    const missing = await get(server, "/api/members");
    expect(missing.statusCode).to.equal(401);
    expect(JSON.parse(missing.body).message).to.match(/^Send an API key/);
    const unknown = await get(server, "/api/members", "no-such-key-0000000000");
    expect(unknown.statusCode).to.equal(401);
    expect(JSON.parse(unknown.body).message).to.match(/^This API key is not known/);
  });

  it("answers /favicon.ico with 204 and no key, and health by status code: 200, then 503 when the node is down", async () => {
    const { server, node, agreementId } = await loadFixture(withSwitchableNode);
    expect((await get(server, "/favicon.ico")).statusCode).to.equal(204);
    const healthy = await get(server, "/api/health", KEYS.auditor);
    expect(healthy.statusCode).to.equal(200);
    expect(JSON.parse(healthy.body)).to.deep.include({ ok: true });
    node.down = true;
    try {
      await server.feed.poll();
      const sick = await get(server, "/api/health", KEYS.auditor);
      expect(sick.statusCode).to.equal(503);
      expect(JSON.parse(sick.body)).to.deep.include({ ok: false });
      // lists come from the read index: still served while the node is down
      expect((await get(server, "/api/members", KEYS.auditor)).statusCode).to.equal(200);
      // a read that needs the node (an agreement's live state): 503 with the SDK's network error, not 400
      const agreement = await get(server, `/api/agreements/${agreementId}`, KEYS.auditor);
      expect(agreement.statusCode, agreement.body).to.equal(503);
      expect(JSON.parse(agreement.body)).to.deep.include({ category: "network" });
    } finally {
      node.down = false;
    }
    expect((await get(server, "/api/members", KEYS.auditor)).statusCode).to.equal(200);
  });
});
