/**
 * `clearhouse network sync-permissions` as an operator runs it: the compiled CLI in a child
 * process, a kit written by `network init`'s code, the registry on a Besu-like Anvil, a Besu-like
 * node answering the PERM API (test/helpers/besuFront.ts). `--once`, then the watcher: it sees a
 * governance allowNode/removeNode and rewrites the files within seconds, and exits 0 on SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Hex } from "viem";
import { parseNetworkSection } from "../../packages/sdk/src/network/networkConfig";
import { writeNetworkKit } from "../../packages/sdk/src/node/networkKit";
import { startBesuLikeAnvil, type BesuLikeAnvil } from "../helpers/besuAnvil";
import { startBesuFront, type BesuFront } from "../helpers/besuFront";
import { fourValidators } from "../network/fixture";
import { deployRegistryOnAnvil, type AnvilRegistry } from "../network/anvilRegistry";

const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
const NEW_NODE = `enode://${"ee".repeat(64)}@10.0.2.9:30303`;

interface Child {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function start(args: string[]): Child {
  let out = "";
  let err = "";
  const child = spawn("node", [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function until(what: () => boolean, why: () => string, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !what();) {
    if (Date.now() > end) throw new Error(`timed out: ${why()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("CLI: clearhouse network sync-permissions (compiled CLI, child process)", function () {
  this.timeout(60_000);
  let anvil: BesuLikeAnvil;
  let front: BesuFront;
  let registry: AnvilRegistry;
  let kit: string;
  let enodes: string[];
  let globals: string[];

  before(async () => {
    anvil = await startBesuLikeAnvil({ blockTime: 1 });
    front = await startBesuFront({ upstream: anvil.url, endpoints: 2 });
    registry = await deployRegistryOnAnvil(anvil);
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-sync-"));
    const deploymentFile = join(dir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(registry.deployment));
    kit = join(dir, "net");
    let n = 0;
    const written = writeNetworkKit(parseNetworkSection(fourValidators(), "c.yaml"), kit, {
      newKey: () => `0x${(++n).toString(16).padStart(64, "0")}` as Hex,
    });
    enodes = written.nodes.map((node) => node.enode);
    for (const e of enodes.slice(0, 3))
      // v4 is not (yet) on the registry's allowlist
      await registry.owner.registry.allowNode({ enodeId: e, ip: "", port: 0, kind: "validator" });
    globals = ["--rpc-url", anvil.url, "--deployment", deploymentFile];
  });

  after(async () => {
    await front?.close();
    await anvil?.stop();
  });

  const file = (node: string) => readFileSync(join(kit, node, "permissions_config.toml"), "utf8");
  const staticNodes = (node: string) =>
    JSON.parse(readFileSync(join(kit, node, "static-nodes.json"), "utf8")) as string[];

  it("--once rewrites every node's file of the kit, warns of a kit node the registry does not allow, prints JSON", async () => {
    const run = start([...globals, "--json", "network", "sync-permissions", "--kit", kit, "--once"]);
    expect(await run.exit, run.err()).to.equal(0);
    const { result } = JSON.parse(run.out()) as {
      result: { enodes: string[]; targets: { target: string; inSync: boolean; added: number; removed: number }[] };
    };
    expect(result.enodes).to.deep.equal(enodes.slice(0, 3));
    expect(result.targets).to.have.length(4);
    expect(result.targets.every((t) => t.inSync && t.added === 0 && t.removed === 1)).to.equal(true);
    for (const node of ["v1", "v2", "v3", "v4"])
      expect(file(node)).to.equal(
        `nodes-allowlist=[${enodes
          .slice(0, 3)
          .map((e) => JSON.stringify(e))
          .join(",")}]`,
      );
    expect(run.err()).to.match(/registry: 3 node\(s\) allowed at block \d+ \(3 validator\(s\), 0 member node\(s\)\)/);
    expect(run.err()).to.include("warning: node v4 is not on the registry's allowlist");
    expect(run.err()).to.match(/file .*v1\/permissions_config\.toml: rewritten, \+0 −1 \(3 node\(s\)\)/);
    // Besu refuses to start with a static node outside its allowlist: v1–v3 no longer list v4
    for (const node of ["v1", "v2", "v3", "v4"]) {
      const fixed = staticNodes(node);
      expect(fixed, node).to.not.include(enodes[3]);
      expect(
        fixed.every((e) => enodes.slice(0, 3).includes(e)),
        node,
      ).to.equal(true);
    }
    expect(staticNodes("v1")).to.deep.equal(enodes.slice(1, 3));
    expect(staticNodes("v4")).to.deep.equal(enodes.slice(0, 3)); // its own static nodes are all allowed: untouched
    expect(run.err()).to.match(/file .*v1\/static-nodes\.json: dropped 1 static node\(s\)/);
  });

  it("--file exits 3 without rewriting a file whose node has static nodes the registry does not allow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-sync-"));
    const permissions = join(dir, "permissions_config.toml");
    const before = `nodes-allowlist=[${enodes.map((e) => JSON.stringify(e)).join(",")}]`;
    writeFileSync(permissions, before);
    writeFileSync(join(dir, "static-nodes.json"), JSON.stringify([enodes[0], enodes[3]]));
    const run = start([...globals, "network", "sync-permissions", "--file", permissions, "--once"]);
    expect(await run.exit, run.err()).to.equal(3);
    expect(run.out()).to.match(
      /NOT in sync \(.*1 static node\(s\) of .*static-nodes\.json are not on the registry's allowlist/,
    );
    expect(readFileSync(permissions, "utf8"), "not rewritten").to.equal(before);
    // paired with a static-nodes file that holds only allowed nodes, the file is rewritten
    const other = join(dir, "other-static.json");
    writeFileSync(other, JSON.stringify([enodes[0]]));
    const ok = start([
      ...globals,
      "network",
      "sync-permissions",
      "--file",
      permissions,
      "--static-nodes",
      other,
      "--once",
    ]);
    expect(await ok.exit, ok.err()).to.equal(0);
    expect(readFileSync(permissions, "utf8")).to.not.include(enodes[3]);
  });

  it("--once exits 4 when a PERM node stays unreachable, after syncing the others", async () => {
    await front.kill(1);
    const other = join(mkdtempSync(join(tmpdir(), "clearhouse-cli-sync-")), "permissions_config.toml");
    const run = start([
      ...globals,
      "network",
      "sync-permissions",
      "--perm-rpc",
      front.urls[1],
      "--file",
      other,
      "--once",
    ]);
    expect(await run.exit).to.equal(4);
    expect(run.err()).to.match(/retrying in/);
    expect(run.err()).to.match(/error: 1 of 2 target\(s\) not in sync/);
    expect(run.out()).to.match(/perm http:\/\/127\.0\.0\.1:\d+: NOT in sync \(Cannot reach the Besu node/);
    expect(readFileSync(other, "utf8")).to.equal(
      `nodes-allowlist=[${enodes
        .slice(0, 3)
        .map((e) => JSON.stringify(e))
        .join(",")}]`,
    );
    await front.restart(1);
    const none = start([...globals, "network", "sync-permissions", "--once"]);
    expect(await none.exit).to.equal(2);
    expect(none.err()).to.match(/error: Nothing to sync\./);
  });

  it("exits 2 naming a kit node whose file cannot be written, and a --file that cannot be", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-sync-"));
    writeFileSync(join(dir, "nodes.json"), JSON.stringify([{ name: "ghost", role: "member", enode: enodes[0] }]));
    const kitRun = start([...globals, "network", "sync-permissions", "--kit", dir, "--once"]);
    expect(await kitRun.exit).to.equal(2);
    expect(kitRun.err()).to.match(
      /error: .*ghost\/permissions_config\.toml: cannot be written: the kit has no directory for node ghost/,
    );
    writeFileSync(join(dir, "a-file"), "");
    const fileRun = start([
      ...globals,
      "network",
      "sync-permissions",
      "--file",
      join(dir, "a-file", "p.toml"),
      "--once",
    ]);
    expect(await fileRun.exit).to.equal(2);
    expect(fileRun.out()).to.match(/file .*a-file\/p\.toml: NOT in sync \(.*cannot be written \(ENOTDIR/);
  });

  it("follows allowNode and removeNode into the files and the node within seconds, and exits 0 on SIGTERM", async () => {
    front.nodePermissioning(0, { allowlist: enodes });
    const run = start([
      ...globals,
      "network",
      "sync-permissions",
      "--kit",
      kit,
      "--perm-rpc",
      front.urls[0],
      "--interval",
      "0.2",
    ]);
    try {
      await until(
        () => run.err().includes("watching the registry from block"),
        () => run.err(),
      );
      await until(
        () => front.nodesAllowlist(0).length === 3,
        () => run.err(),
      );
      expect(front.nodesAllowlist(0)).to.deep.equal(enodes.slice(0, 3));
      await registry.owner.registry.allowNode({ enodeId: NEW_NODE, ip: "", port: 0, kind: "member" });
      await until(
        () => file("v2").includes(NEW_NODE) && front.nodesAllowlist(0).includes(NEW_NODE),
        () => run.err(),
      );
      await registry.owner.registry.removeNode({ enodeId: enodes[0], ip: "", port: 0 });
      await until(
        () => !file("v3").includes(enodes[0]) && !front.nodesAllowlist(0).includes(enodes[0]),
        () => run.err(),
      );
      for (const node of ["v2", "v3", "v4"]) expect(staticNodes(node), node).to.not.include(enodes[0]);
      expect(file("v4")).to.equal(
        `nodes-allowlist=[${[...enodes.slice(1, 3), NEW_NODE].map((e) => JSON.stringify(e)).join(",")}]`,
      );
      expect(run.err()).to.match(/block \d+: NodeAllowed member enode:\/\/eeeeeeeeeeeeeeee…@10\.0\.2\.9:30303/);
      expect(run.err()).to.match(/block \d+: NodeRemoved enode:\/\//);
      expect(run.err()).to.match(/perm http:\/\/127\.0\.0\.1:\d+: added 0, removed 1 \(3 node\(s\)\)/);
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit, run.err()).to.equal(0);
    expect(run.err()).to.match(/stopped at block \d+/);
    expect(run.out()).to.match(/Registry node allowlist at block \d+: 3 node\(s\); 2 event\(s\) followed\./);
  });
});
