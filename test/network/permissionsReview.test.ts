/**
 * Review of issue 19 part 2 (node permissioning from the registry): each test reproduces one
 * finding of the review — a way the files or nodes written by sync-permissions end up other than
 * Besu needs them. Hardhat's in-process chain holds the registry; the PERM node is the Besu-like
 * front's perm_* emulation (test/helpers/besuFrontPerm.ts).
 */
import { expect } from "chai";
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  lstatSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import { custom, zeroAddress, type Hex } from "viem";
import { consortiumRegistryAbi } from "../../packages/contracts/src/abis";
import { createClearhouse, type Clearhouse } from "../../packages/sdk/src";
import { canonicalEnode } from "../../packages/sdk/src/network/enodes";
import { parseNetworkSection } from "../../packages/sdk/src/network/networkConfig";
import { parsePermissionsToml } from "../../packages/sdk/src/network/permissionsToml";
import { writeNetworkKit } from "../../packages/sdk/src/node/networkKit";
import { kitPermissionsFiles, syncPermissionsFile } from "../../packages/sdk/src/node/permissionsFile";
import { PermNodeUnreachableError, permGetNodesAllowlist } from "../../packages/sdk/src/network/permRpc";
import { PermissionsSync } from "../../packages/sdk/src/node/permissionsSync";
import { deployConsortium } from "../../scripts/lib/deployConsortium";
import { startBesuFront, type BesuFront } from "../helpers/besuFront";
import { key, rejectsWith } from "../sdk/fixture";
import { fourValidators } from "./fixture";

const id = (n: number) => n.toString(16).padStart(2, "0").repeat(64);
const enode = (n: number) => `enode://${id(n)}@10.0.0.${n}:30303`;
const tmp = () => mkdtempSync(join(tmpdir(), "clearhouse-perm-review-"));

/**
 * Besu's start-up check (BesuCommand.ensureAllNodesAreInAllowlist →
 * PermissioningConfigurationValidator.areAllNodesInAllowlist, hyperledger/besu 3fd224e, app/):
 * with node permissioning on, every bootnode and static node must be in the nodes-allowlist, else
 * Besu refuses to start with "Specified node(s) not in nodes-allowlist [...]". The static nodes of
 * `dir` not in its permissions file.
 */
function staticNodesNotAllowed(dir: string): string[] {
  const fixed = (JSON.parse(readFileSync(join(dir, "static-nodes.json"), "utf8")) as string[]).map(canonicalEnode);
  const allowed = (parsePermissionsToml(readFileSync(join(dir, "permissions_config.toml"), "utf8")).nodes ?? []).map(
    canonicalEnode,
  );
  return fixed.filter((e) => !allowed.includes(e));
}

describe("review: sync-permissions against what Besu needs (Hardhat chain)", function () {
  this.timeout(60_000);
  let gov: Clearhouse;

  before(async () => {
    const deployment = await deployConsortium({ token: { name: "T", symbol: "T", decimals: 2 }, settlement: false });
    gov = createClearhouse({
      transport: custom(hre.network.provider, { retryCount: 0 }),
      deployment,
      account: key(0),
      pollingInterval: 10,
    });
  });

  it("after removeNode, every kit node can still start (its static nodes stay in its allowlist)", async () => {
    const kit = join(tmp(), "net");
    let n = 0;
    const written = writeNetworkKit(parseNetworkSection(fourValidators(), "c.yaml"), kit, {
      newKey: () => `0x${(++n).toString(16).padStart(64, "0")}` as Hex,
    });
    for (const node of written.nodes)
      await gov.registry.allowNode({ enodeId: node.enode, ip: "", port: 0, kind: "validator" });
    const files = kitPermissionsFiles(kit); // with their static-nodes.json, to rewrite
    await new PermissionsSync(gov.context, { files }).once();
    for (const node of ["v1", "v2", "v3", "v4"]) expect(staticNodesNotAllowed(join(kit, node)), node).to.deep.equal([]);
    // governance removes v4; the watcher rewrites every kit file at once
    await gov.registry.removeNode({ enodeId: written.nodes[3].enode, ip: "", port: 0 });
    const report = await new PermissionsSync(gov.context, { files }).once();
    expect(report.targets.every((t) => t.inSync)).to.equal(true);
    // v1–v3 still list v4 in static-nodes.json: Besu would refuse to start any of them
    for (const node of ["v1", "v2", "v3"])
      expect(
        staticNodesNotAllowed(join(kit, node)),
        `${node}: Besu would exit with "Specified node(s) not in nodes-allowlist" at its next restart`,
      ).to.deep.equal([]);
  });

  it("writes through a symlinked permissions file instead of replacing the link", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "shared"));
    const target = join(dir, "shared", "permissions_config.toml");
    writeFileSync(target, `nodes-allowlist=["${enode(9)}"]`);
    const link = join(dir, "permissions_config.toml");
    symlinkSync(target, link);
    const wanted = [enode(1), enode(2)];
    expect(syncPermissionsFile(link, wanted)).to.deep.include({ changed: true });
    expect(lstatSync(link).isSymbolicLink(), "the link is kept").to.equal(true);
    expect(parsePermissionsToml(readFileSync(target, "utf8")).nodes, "the file Besu reads").to.deep.equal(wanted);
  });

  it("keeps the file's owner, so Besu can still persist its own PERM changes to it", async function () {
    if (process.getuid?.() !== 0) this.skip(); // only root can give a file to another user
    const file = join(tmp(), "permissions_config.toml");
    writeFileSync(file, `nodes-allowlist=["${enode(9)}"]`, { mode: 0o644 });
    chownSync(file, 4242, 4242); // the besu user owns its file
    syncPermissionsFile(file, [enode(1)]);
    expect([statSync(file).uid, statSync(file).gid], "owner after the rewrite").to.deep.equal([4242, 4242]);
  });

  it("retries an error answer of the chain's RPC (a lagging failover node's getLogs) instead of exiting", async () => {
    await gov.registry.allowNode({ enodeId: enode(1), ip: "", port: 0, kind: "validator" });
    let fail = 1;
    const flaky = createClearhouse({
      transport: custom(
        {
          async request(args: { method: string; params?: unknown }) {
            if (args.method === "eth_getLogs" && fail > 0) {
              fail -= 1;
              // Besu's answer when toBlock is past its head (FilterParameter.validateBlockRange)
              throw Object.assign(new Error("toBlock (9) is greater than latest block (8)"), { code: -32602 });
            }
            return hre.network.provider.request(args as never);
          },
        },
        { retryCount: 0 },
      ),
      deployment: gov.context.deployment,
    });
    const file = join(tmp(), "permissions_config.toml");
    const controller = new AbortController();
    const lines: string[] = [];
    const sync = new PermissionsSync(flaky.context, {
      files: [file],
      pollIntervalMs: 50,
      retry: { firstMs: 20, maxMs: 50 },
      signal: controller.signal,
      log: (line) => {
        lines.push(line);
        if (line.startsWith("watching the registry")) controller.abort();
      },
    });
    const report = await sync.watch();
    expect(report.targets[0].inSync, lines.join("\n")).to.equal(true);
  });
});

describe("review: the Besu plugin skeleton's rule against the chain's history (Hardhat chain)", function () {
  this.timeout(60_000);

  /*
   * ClearhousePermissioningPlugin refuses, by eth_call of check() on the node's head, every
   * transaction the registry refuses — and Besu asks it at block import too (AbstractBlockProcessor
   * → TransactionValidationParams.processingBlock(), checkOnchainPermissions = true), where the
   * head is the block's parent. Any transaction mined while no validator refused it (before the
   * plugin was installed, as docs/network.md §8 says happens: "mined (and fails)", or while they
   * failed open) is in the chain for good: a node that later full-syncs (the kit's sync-mode=FULL)
   * with the plugin refuses that block and can never get past it. Here the plugin's rule is
   * applied to such a block, as that node would apply it.
   */
  it("a transaction mined before the plugin is below its from-block, so a full-syncing node permits it", async () => {
    const deployment = await deployConsortium({ token: { name: "T", symbol: "T", decimals: 2 }, settlement: false });
    const client = createClearhouse({ transport: custom(hre.network.provider, { retryCount: 0 }), deployment });
    const publicClient = client.context.publicClient;
    // a transaction from an account the registry does not know, on a Besu 25.6 chain without the plugin
    const hash = (await hre.network.provider.request({
      method: "eth_sendTransaction",
      params: [{ from: key(7).address, to: key(8).address, value: "0x0" }],
    })) as Hex;
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status, "mined").to.equal("success");
    const tx = await publicClient.getTransaction({ hash });
    const ask = (blockNumber: bigint) =>
      publicClient.readContract({
        address: deployment.contracts.ConsortiumRegistry.proxy,
        abi: consortiumRegistryAbi,
        functionName: "check",
        args: [tx.from, tx.to ?? zeroAddress, tx.value, tx.input],
        blockNumber,
      });
    // the registry refuses it: a node asking check() at import would refuse this block
    expect((await ask(receipt.blockNumber - 1n))[0]).to.equal(false);
    // the plugin is then installed everywhere, --plugin-clearhouse-from-block = the next block (the
    // documented setting): the plugin permits a block when head + 1 < fromBlock, without asking
    const fromBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    const parentOfMined = receipt.blockNumber - 1n; // the head when that block is imported
    expect(parentOfMined + 1n < fromBlock, `block ${receipt.blockNumber} is below from-block ${fromBlock}`).to.equal(
      true,
    );
    // from there on, the same transaction is refused (pool, building, import): the rule still applies
    expect((await ask(fromBlock - 1n))[0]).to.equal(false);
  });
});

describe("review: a PERM node's 'Success' is not proof (Besu-like front)", function () {
  this.timeout(30_000);
  let front: BesuFront;
  let gov: Clearhouse;

  before(async () => {
    // perm_* are answered by the front itself: no upstream is needed for them
    front = await startBesuFront({ upstream: "http://127.0.0.1:9", endpoints: 1 });
    const deployment = await deployConsortium({ token: { name: "T", symbol: "T", decimals: 2 }, settlement: false });
    gov = createClearhouse({
      transport: custom(hre.network.provider, { retryCount: 0 }),
      deployment,
      account: key(0),
      pollingInterval: 10,
    });
    await gov.registry.allowNode({ enodeId: enode(1), ip: "", port: 0, kind: "validator" });
    await gov.registry.allowNode({ enodeId: enode(2), ip: "", port: 0, kind: "validator" });
  });

  after(async () => {
    await front?.close();
  });

  it("reads a JSON answer that is not a JSON-RPC object (null) as no answer, to be retried", async () => {
    const nulls: typeof fetch = async () => new Response("null", { headers: { "content-type": "application/json" } });
    // today: a TypeError ("Cannot read properties of null"), category internal: taken for a refusal, never retried
    await rejectsWith(permGetNodesAllowlist({ url: front.urls[0], fetch: nulls }), PermNodeUnreachableError);
  });

  it("does not report a node in sync when its allowlist, read back, is not the registry's", async () => {
    front.nodePermissioning(0, { allowlist: [enode(1)] });
    // a node (or a proxy before it) that answers "Success" to perm_addNodesToAllowlist without adding
    const lying: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { id: number; method: string };
      if (body.method === "perm_addNodesToAllowlist")
        return new Response(JSON.stringify({ jsonrpc: "2.0", id: body.id, result: "Success" }), {
          headers: { "content-type": "application/json" },
        });
      return fetch(input, init);
    };
    const report = await new PermissionsSync(gov.context, { permRpcUrls: [front.urls[0]], fetch: lying }).once(1);
    expect(front.nodesAllowlist(0)).to.deep.equal([enode(1)]); // the node never got enode 2
    expect(report.targets[0].inSync, "reported in sync although the node lacks a registry node").to.equal(false);
  });
});
