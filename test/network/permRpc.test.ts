/**
 * The PERM API client and the registry → node sync against the Besu-like front, whose endpoints
 * answer perm_* as Besu's source does (test/helpers/besuFrontPerm.ts), over a Besu-like Anvil
 * holding the registry: Besu's answers and errors, only the difference sent, a fixed node, a file
 * out of sync, and nodes (a PERM node, the chain's RPC) killed during a sync and restarted.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClearhouse } from "../../packages/sdk/src";
import {
  PermNodeUnreachableError,
  PermPersistError,
  PermRefusedError,
  PermUnavailableError,
  permAddNodes,
  permGetNodesAllowlist,
  permReloadFromFile,
  permRemoveNodes,
  syncNodeAllowlist,
} from "../../packages/sdk/src/network/permRpc";
import { PermissionsSync } from "../../packages/sdk/src/node/permissionsSync";
import { startBesuLikeAnvil, type BesuLikeAnvil } from "../helpers/besuAnvil";
import { startBesuFront, type BesuFront } from "../helpers/besuFront";
import { rejectsWith } from "../sdk/fixture";
import { deployRegistryOnAnvil, type AnvilRegistry } from "./anvilRegistry";

const id = (n: number) => n.toString(16).padStart(2, "0").repeat(64);
const enode = (n: number) => `enode://${id(n)}@10.0.0.${n}:30303`;

/** A raw JSON-RPC call (to see Besu's answer as it is). */
async function raw(url: string, method: string, params: unknown[] = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
  });
  return (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
}

/** A fetch that counts the PERM calls it makes, by method. */
function countingFetch(calls: string[]): typeof fetch {
  return async (input, init) => {
    calls.push((JSON.parse(String(init?.body)) as { method: string }).method);
    return fetch(input, init);
  };
}

describe("network: Besu's PERM API and the registry → node sync (Besu-like front)", function () {
  this.timeout(60_000);
  let anvil: BesuLikeAnvil;
  let front: BesuFront;
  let registry: AnvilRegistry;

  before(async () => {
    anvil = await startBesuLikeAnvil({ blockTime: 1 });
    front = await startBesuFront({ upstream: anvil.url, endpoints: 3 });
    registry = await deployRegistryOnAnvil(anvil);
    for (const n of [1, 2, 3])
      await registry.owner.registry.allowNode({
        enodeId: enode(n),
        ip: "",
        port: 0,
        kind: n < 3 ? "validator" : "member",
      });
  });

  after(async () => {
    await front?.close();
    await anvil?.stop();
  });

  it("answers perm_* as Besu does, and the client maps each refusal to a typed error", async () => {
    const url = front.urls[1];
    front.nodePermissioning(1, { allowlist: [enode(1).toUpperCase().replace("ENODE", "enode")], fixed: [enode(9)] });
    expect(await raw(url, "perm_getNodesAllowlist")).to.deep.include({ result: [enode(1)] });
    expect(await raw(url, "perm_addNodesToAllowlist", [[enode(2)]])).to.deep.include({ result: "Success" });
    const refusals: [string, unknown[], string][] = [
      ["perm_addNodesToAllowlist", [[enode(2)]], "Cannot add an existing node to allowlist"],
      ["perm_addNodesToAllowlist", [[enode(4), enode(4)]], "Request contains duplicate nodes"],
      ["perm_addNodesToAllowlist", [["enode://1234@10.0.0.1:30303"]], "Request contains an invalid node"],
      ["perm_addNodesToAllowlist", [[]], "Request contains an empty list of nodes"],
      ["perm_removeNodesFromAllowlist", [[enode(5)]], "Cannot remove an absent node from allowlist"],
      [
        "perm_removeNodesFromAllowlist",
        [[enode(9)]],
        "Cannot remove a fixed node (bootnode or static node) from allowlist",
      ],
    ];
    for (const [method, params, message] of refusals)
      expect(await raw(url, method, params), message).to.deep.include({ error: { code: -32000, message } });
    expect(await raw(url, "perm_addNodesToAllowlist", ["x"])).to.deep.include({
      error: { code: -32602, message: "Invalid enode params" },
    });
    const c = { url };
    expect((await rejectsWith(permAddNodes(c, [enode(2)]), PermRefusedError)).reason).to.equal("existing-entry");
    expect((await rejectsWith(permRemoveNodes(c, [enode(5)]), PermRefusedError)).reason).to.equal("absent-entry");
    const fixed = await rejectsWith(permRemoveNodes(c, [enode(9)]), PermRefusedError);
    expect(fixed.reason).to.equal("fixed-node");
    expect(fixed.message).to.match(/static-nodes\.json/);
    expect((await rejectsWith(permAddNodes(c, ["enode://12@1.2.3.4:1"]), PermRefusedError)).reason).to.equal(
      "invalid-entry",
    );
    front.nodePermissioning(1, { allowlist: [], enabled: false });
    expect((await rejectsWith(permGetNodesAllowlist(c), PermUnavailableError)).message).to.match(
      /Node allowlist has not been enabled.*--permissions-nodes-config-file-enabled/s,
    );
    front.nodePermissioning(1, { allowlist: [], api: false });
    expect(await raw(url, "perm_getNodesAllowlist")).to.deep.include({
      error: { code: -32604, message: "Method not enabled" },
    });
    await rejectsWith(permGetNodesAllowlist(c), PermUnavailableError);
    front.nodePermissioning(1, null);
  });

  it("persists to the node's file; reloads it; an edited file is 'out of sync' (applied, a warning)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "clearhouse-perm-rpc-")), "permissions_config.toml");
    writeFileSync(file, `accounts-allowlist=["0x01"]\nnodes-allowlist=["${enode(1)}"]`);
    front.nodePermissioning(1, { allowlist: [enode(1)], file });
    const c = { url: front.urls[1] };
    await permAddNodes(c, [enode(2)]);
    expect(readFileSync(file, "utf8")).to.equal(
      `accounts-allowlist=["0x01"]\nnodes-allowlist=["${enode(1)}","${enode(2)}"]`,
    );
    writeFileSync(file, `nodes-allowlist=["${enode(3)}"]`);
    await permReloadFromFile(c);
    expect(await permGetNodesAllowlist(c)).to.deep.equal([enode(3)]);
    writeFileSync(file, `nodes-allowlist=["${enode(1)}"]`); // edited behind the node's back
    const e = await rejectsWith(permAddNodes(c, [enode(2)]), PermPersistError);
    expect(e.reason).to.equal("file-out-of-sync");
    expect(await permGetNodesAllowlist(c)).to.deep.equal([enode(3), enode(2)]); // applied in memory
    const r = await syncNodeAllowlist(c, [enode(1), enode(2), enode(3)]);
    expect(r.added).to.deep.equal([enode(1)]);
    expect(r.warnings).to.have.length(1);
    writeFileSync(file, "nodes-allowlist=[");
    expect((await rejectsWith(permReloadFromFile(c), PermPersistError)).reason).to.equal("reload-failed");
    front.nodePermissioning(1, null);
  });

  it("sends only the difference, and removes the others when one is a fixed node", async () => {
    front.nodePermissioning(2, { allowlist: [enode(1), enode(7), enode(8)], fixed: [enode(8)] });
    const calls: string[] = [];
    const c = { url: front.urls[2], fetch: countingFetch(calls) };
    const partial = await syncNodeAllowlist(c, [enode(1), enode(2), enode(3)]);
    expect([partial.added, partial.removed]).to.deep.equal([[enode(2), enode(3)], [enode(7)]]);
    expect(partial.refused.map((e) => [e.reason, e.enodes])).to.deep.equal([["fixed-node", [enode(8)]]]);
    expect(front.nodesAllowlist(2)).to.deep.equal([enode(1), enode(8), enode(2), enode(3)]);
    expect(partial.allowlist).to.deep.equal(front.nodesAllowlist(2));
    front.nodePermissioning(2, { allowlist: [enode(3), enode(1), enode(2)] });
    calls.length = 0;
    const r = await syncNodeAllowlist(c, [enode(1), enode(2), enode(3)]);
    expect([r.added, r.removed]).to.deep.equal([[], []]);
    expect(calls).to.deep.equal(["perm_getNodesAllowlist", "perm_getNodesAllowlist"]);
  });

  it("reports a node's refusal without retrying it, after making the rest of the change", async () => {
    front.nodePermissioning(2, { allowlist: [enode(1), enode(8)], fixed: [enode(8)] });
    const ch = createClearhouse({ rpcUrl: front.urls[0], deployment: registry.deployment });
    const lines: string[] = [];
    const calls: string[] = [];
    const report = await new PermissionsSync(ch.context, {
      permRpcUrls: [front.urls[2]],
      log: (l) => lines.push(l),
      fetch: countingFetch(calls),
    }).once();
    expect(report.targets[0]).to.deep.include({ inSync: false, added: 2, removed: 0 });
    expect(report.targets[0].error?.category).to.equal("refused");
    expect(report.targets[0].error?.message).to.include(`Cannot remove a fixed node (bootnode or static node)`);
    expect(front.nodesAllowlist(2)).to.deep.equal([enode(1), enode(8), enode(2), enode(3)]);
    expect(
      calls.filter((m) => m === "perm_removeNodesFromAllowlist"),
      "not retried",
    ).to.have.length(1);
    expect(lines.join("\n")).to.match(/added 2, removed 0 \(4 node\(s\)\)\n.*refused perm_removeNodesFromAllowlist/);
  });

  it("makes the removals when the node refuses the addition, and reports the refusal", async () => {
    front.nodePermissioning(2, { allowlist: [enode(1), enode(7)] });
    // a node that refuses the addition (as Besu refuses an entry it cannot read): nothing is added
    const refusing: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { id: number; method: string };
      if (body.method === "perm_addNodesToAllowlist")
        return Response.json({
          jsonrpc: "2.0",
          id: body.id,
          error: { code: -32000, message: "Request contains an invalid node" },
        });
      return fetch(input, init);
    };
    const r = await syncNodeAllowlist({ url: front.urls[2], fetch: refusing }, [enode(1), enode(2)]);
    expect(r.refused.map((e) => [e.reason, e.enodes])).to.deep.equal([["invalid-entry", [enode(2)]]]);
    expect([r.added, r.removed]).to.deep.equal([[], [enode(7)]]);
    expect(front.nodesAllowlist(2), "the removal was made").to.deep.equal([enode(1)]);
  });

  it("pushes PERM nodes concurrently: a node that does not answer holds back no other", async () => {
    front.nodePermissioning(1, { allowlist: [enode(1)] });
    front.nodePermissioning(2, { allowlist: [enode(1)] });
    let released: () => void = () => undefined;
    const otherDone = new Promise<void>((resolve) => (released = resolve));
    // node 1 answers nothing until node 2 got its change: pushed one after the other, that never comes
    const slow: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { method: string };
      if (String(input) === front.urls[1] && body.method === "perm_getNodesAllowlist")
        await Promise.race([
          otherDone,
          new Promise((_, reject) =>
            init?.signal?.addEventListener("abort", () => reject(new Error("timed out")), { once: true }),
          ),
        ]);
      const res = await fetch(input, init);
      if (String(input) === front.urls[2] && body.method === "perm_addNodesToAllowlist") released();
      return res;
    };
    const ch = createClearhouse({ rpcUrl: front.urls[0], deployment: registry.deployment });
    const started = Date.now();
    const report = await new PermissionsSync(ch.context, {
      permRpcUrls: [front.urls[1], front.urls[2]],
      fetch: slow,
    }).once(1);
    expect(
      report.targets.map((t) => t.inSync),
      report.targets.map((t) => t.error?.message).join("; "),
    ).to.deep.equal([true, true]);
    expect(Date.now() - started).to.be.lessThan(5_000);
    expect(front.nodesAllowlist(1)).to.deep.equal([enode(1), enode(2), enode(3)]);
  });

  it("retries a PERM node killed during a sync, and succeeds once it is back", async () => {
    front.nodePermissioning(1, { allowlist: [enode(1)] });
    front.nodePermissioning(2, { allowlist: [enode(1), enode(5)] });
    await front.kill(2);
    const ch = createClearhouse({ rpcUrl: front.urls[0], deployment: registry.deployment });
    const lines: string[] = [];
    const sync = new PermissionsSync(ch.context, {
      permRpcUrls: [front.urls[1], front.urls[2]],
      log: (l) => lines.push(l),
      retry: { firstMs: 300, maxMs: 600 },
    });
    setTimeout(() => void front.restart(2), 700);
    const report = await sync.once(6);
    expect(report.targets.map((t) => [t.inSync, t.added, t.removed])).to.deep.equal([
      [true, 2, 0],
      [true, 2, 1],
    ]);
    expect(front.nodesAllowlist(2)).to.deep.equal([enode(1), enode(2), enode(3)]);
    expect(lines.join("\n")).to.match(
      new RegExp(`perm ${front.urls[2]}: Cannot reach the Besu node at .*retrying in 0\\.3 s`),
    );
    // a node that stays down: the report says so, with a network error
    await front.kill(2);
    const down = await new PermissionsSync(ch.context, { permRpcUrls: [front.urls[2]], retry: { firstMs: 50 } }).once(
      2,
    );
    expect(down.targets[0]).to.deep.include({ inSync: false });
    expect(down.targets[0].error?.category).to.equal("network");
    await front.restart(2);
  });

  it("follows the registry through the chain's RPC dying and coming back, from where it was", async () => {
    front.nodePermissioning(1, { allowlist: [enode(1), enode(2), enode(3)] });
    const ch = createClearhouse({ rpcUrl: front.urls[0], deployment: registry.deployment });
    const lines: string[] = [];
    const controller = new AbortController();
    const sync = new PermissionsSync(ch.context, {
      permRpcUrls: [front.urls[1]],
      log: (l) => lines.push(l),
      pollIntervalMs: 200,
      retry: { firstMs: 200, maxMs: 400 },
      signal: controller.signal,
    });
    const watching = sync.watch();
    const until = async (what: () => boolean, ms = 15_000) => {
      for (const end = Date.now() + ms; !what();) {
        if (Date.now() > end) throw new Error(`timed out; log:\n${lines.join("\n")}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until(() => lines.some((l) => l.startsWith("watching the registry")));
    await front.kill(0);
    await registry.owner.registry.allowNode({ enodeId: enode(6), ip: "", port: 0, kind: "member" });
    await until(() => lines.some((l) => l.startsWith("chain RPC: Cannot reach the chain")));
    expect(front.nodesAllowlist(1)).to.not.include(enode(6));
    await front.restart(0);
    await until(() => front.nodesAllowlist(1).includes(enode(6)));
    await registry.owner.registry.removeNode({ enodeId: enode(6), ip: "", port: 0 });
    await until(() => !front.nodesAllowlist(1).includes(enode(6)));
    controller.abort();
    const report = await watching;
    expect(report.events).to.equal(2);
    expect(lines.join("\n")).to.match(/chain RPC answering again: following from block \d+/);
    expect(lines.join("\n")).to.match(/block \d+: NodeAllowed member enode:\/\/0606060606060606…@10\.0\.0\.6:30303/);
    expect(lines.join("\n")).to.match(/block \d+: NodeRemoved enode:\/\/0606060606060606…@10\.0\.0\.6:30303/);
    expect(lines[lines.length - 1]).to.match(/^stopped at block \d+$/);
  });

  it("reports an unreachable node as a network error naming it", async () => {
    await front.kill(1);
    const e = await rejectsWith(permGetNodesAllowlist({ url: front.urls[1] }), PermNodeUnreachableError);
    expect(e.message).to.include(`Cannot reach the Besu node at ${front.urls[1]} (perm_getNodesAllowlist).`);
    expect(e.category).to.equal("network");
    await front.restart(1);
  });
});
