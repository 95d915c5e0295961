/**
 * The registry's node allowlist (replayed from NodeAllowed/NodeRemoved on Hardhat's in-process
 * chain) rendered as each node's permissions_config.toml, as Besu's AllowlistPersistor writes it.
 */
import { expect } from "chai";
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import { custom } from "viem";
import { createClearhouse, type Clearhouse } from "../../packages/sdk/src";
import { canonicalEnode, parseEnode } from "../../packages/sdk/src/network/enodes";
import {
  PermissionsFileError,
  parsePermissionsToml,
  renderPermissionsToml,
} from "../../packages/sdk/src/network/permissionsToml";
import { readNodeAllowlist } from "../../packages/sdk/src/network/registryNodes";
import { permissionsToml } from "../../packages/sdk/src/network/nodeFiles";
import { kitPermissionsFiles, syncPermissionsFile } from "../../packages/sdk/src/node/permissionsFile";
import { EmptyNodeAllowlistError, PermissionsSync } from "../../packages/sdk/src/node/permissionsSync";
import { readStaticNodes, staticNodesOutside, syncStaticNodesFile } from "../../packages/sdk/src/node/staticNodesFile";
import { deployConsortium } from "../../scripts/lib/deployConsortium";
import { key, rejectsWith } from "../sdk/fixture";

/** A node id (128 hex digits) made from a small number. */
const id = (n: number) => n.toString(16).padStart(2, "0").repeat(64);
const enode = (n: number, ip = `10.0.0.${n}`, port = 30303) => `enode://${id(n)}@${ip}:${port}`;
const tmp = () => mkdtempSync(join(tmpdir(), "clearhouse-perm-"));

describe("network: enode URLs and permissions_config.toml as Besu reads and writes them", () => {
  it("prints an enode as Besu does: id in lower case, ?discport only when it differs", () => {
    const upper = `enode://${"AB".repeat(64)}@10.0.0.1:30303`;
    expect(canonicalEnode(upper)).to.equal(`enode://${"ab".repeat(64)}@10.0.0.1:30303`);
    expect(canonicalEnode(`${upper}?discport=30303`)).to.equal(`enode://${"ab".repeat(64)}@10.0.0.1:30303`);
    expect(canonicalEnode(`${upper}?discport=30301`)).to.equal(
      `enode://${"ab".repeat(64)}@10.0.0.1:30303?discport=30301`,
    );
    expect(parseEnode(enode(7)).port).to.equal(30303);
    for (const bad of [
      `enode://${"ab".repeat(63)}@10.0.0.1:30303`, // 126 digits
      `enode://0x${"ab".repeat(63)}@10.0.0.1:30303`,
      `enode://${"ab".repeat(64)}@bank.example:30303`, // a DNS name
      `enode://${"ab".repeat(64)}@10.0.0.1`, // no port
      `enode://${"ab".repeat(64)}@10.0.0.1:70000`,
      `enode://${"ab".repeat(64)}@010.0.0.1:30303`,
      `http://${"ab".repeat(64)}@10.0.0.1:30303`,
    ])
      expect(() => canonicalEnode(bad), bad).to.throw(/Invalid argument `enode`/);
  });

  it("writes the file as AllowlistPersistor does: the accounts line, then nodes-allowlist without a newline", () => {
    expect(renderPermissionsToml({ nodes: [enode(1), enode(2)] })).to.equal(
      `nodes-allowlist=["${enode(1)}","${enode(2)}"]`,
    );
    expect(
      renderPermissionsToml({ nodes: [enode(1)], accounts: ["0xfe3b557e8fb62b89f4916b721be55ceb828dbd73"] }),
    ).to.equal(`accounts-allowlist=["0xfe3b557e8fb62b89f4916b721be55ceb828dbd73"]\nnodes-allowlist=["${enode(1)}"]`);
  });

  it("reads the kit's file, Besu's file and multi-line arrays; refuses what Besu's file does not hold", () => {
    const kitFile = permissionsToml([1, 2].map((n) => ({ enode: enode(n) })) as never);
    expect(parsePermissionsToml(kitFile)).to.deep.equal({ nodes: [enode(1), enode(2)] });
    const multi = `# comment\naccounts-allowlist = [\n  '0x01', # first\n  "0x02",\n]\n\nnodes-allowlist=[\n "${enode(3)}"\n]\n`;
    expect(parsePermissionsToml(multi)).to.deep.equal({ accounts: ["0x01", "0x02"], nodes: [enode(3)] });
    expect(parsePermissionsToml("")).to.deep.equal({});
    for (const [text, problem] of [
      ['nodes-whitelist=["x"]', /the key "nodes-whitelist"/],
      ["nodes-allowlist=[1]", /holds something other than strings/],
      ['nodes-allowlist=["a" "b"]', /missing a "," or "\]"/],
      ['nodes-allowlist=["a"]\nnodes-allowlist=[]', /sets nodes-allowlist twice/],
      ['nodes-allowlist=["a', /unterminated string|past the end/],
      ["[section]", /not `key=\[…\]`/],
    ] as const)
      expect(() => parsePermissionsToml(text, "p.toml"), text).to.throw(PermissionsFileError, problem);
  });
});

describe("network: the registry's node allowlist into permissions files (Hardhat chain)", function () {
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

  it("refuses to sync an empty allowlist (every node would drop every peer)", async () => {
    const dir = tmp();
    const sync = new PermissionsSync(gov.context, { files: [join(dir, "p.toml")] });
    const e = await rejectsWith(sync.once(), EmptyNodeAllowlistError);
    expect(e.message).to.match(/allows no node at block \d+: refusing to write an empty node allowlist/);
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it("replays allow, remove and re-allow in chain order, with kinds, in bounded log ranges", async () => {
    await gov.registry.allowNode({ enodeId: id(1), ip: "10.0.0.1", port: 30303, kind: "validator" });
    await gov.registry.allowNode({ enodeId: enode(2), ip: "", port: 0, kind: "validator" }); // a full URL works too
    await gov.registry.allowNode({ enodeId: id(3), ip: "10.0.1.3", port: 30304, kind: "member" });
    await gov.registry.allowNode({ enodeId: id(4), ip: "bank4.example", port: 30303, kind: "member" }); // Besu cannot read it
    await gov.registry.removeNode({ enodeId: id(1), ip: "10.0.0.1", port: 30303 });
    await gov.registry.allowNode({ enodeId: id(1), ip: "10.0.0.1", port: 30303, kind: "member" }); // back, as a member
    await gov.registry.removeNode({ enodeId: id(2), ip: "10.0.0.2", port: 30303 });
    const list = await readNodeAllowlist(gov.context);
    expect(list.nodes.map((n) => [n.enode ?? "unusable", n.kind])).to.deep.equal([
      [enode(3, "10.0.1.3", 30304), "member"],
      ["unusable", "member"],
      [enode(1), "member"],
    ]);
    expect(list.nodes[1].problem).to.match(/bank4\.example:30303 does not name an IPv4 address/);
    const ranged = createClearhouse({
      transport: custom(hre.network.provider, { retryCount: 0 }),
      deployment: gov.context.deployment,
      maxLogRange: 2n,
    });
    const again = await readNodeAllowlist(ranged.context, { toBlock: list.block });
    expect(again).to.deep.equal(list);
    // as of the block node 3 was allowed in: node 1 still a validator, node 2 there
    const earlier = await readNodeAllowlist(gov.context, { toBlock: list.nodes[0].allowedAt });
    expect(earlier.nodes.map((n) => [n.enode, n.kind])).to.deep.equal([
      [enode(1), "validator"],
      [enode(2), "validator"],
      [enode(3, "10.0.1.3", 30304), "member"],
    ]);
  });

  it("rewrites each file only when its node list differs, keeps accounts-allowlist and mode, atomically", async () => {
    const dir = tmp();
    const a = join(dir, "a.toml");
    const b = join(dir, "b.toml");
    const c = join(dir, "c.toml");
    const enodes = [enode(3, "10.0.1.3", 30304), enode(1)];
    // a: the kit's commented file with the same nodes in another order → untouched
    const kit = permissionsToml([...enodes].reverse().map((e) => ({ enode: e })) as never);
    writeFileSync(a, kit);
    // b: Besu's file with account permissioning and an old list, mode 0640
    writeFileSync(
      b,
      `accounts-allowlist=["0x0000000000000000000000000000000000000001"]\nnodes-allowlist=["${enode(2)}"]`,
    );
    chmodSync(b, 0o640);
    const inodeB = statSync(b).ino;
    const sync = new PermissionsSync(gov.context, { files: [a, b, c] });
    const report = await sync.once();
    expect(report.enodes).to.deep.equal(enodes);
    expect(report.targets.map((t) => [t.inSync, t.added, t.removed])).to.deep.equal([
      [true, 0, 0],
      [true, 2, 1],
      [true, 2, 0],
    ]);
    expect(readFileSync(a, "utf8")).to.equal(kit);
    expect(readFileSync(b, "utf8")).to.equal(
      `accounts-allowlist=["0x0000000000000000000000000000000000000001"]\nnodes-allowlist=["${enodes[0]}","${enodes[1]}"]`,
    );
    expect(statSync(b).mode & 0o777).to.equal(0o640);
    expect(statSync(b).ino, "replaced by a rename, not written in place").to.not.equal(inodeB);
    expect(readFileSync(c, "utf8")).to.equal(`nodes-allowlist=["${enodes[0]}","${enodes[1]}"]`);
    expect(readdirSync(dir).sort(), "no temporary file left").to.deep.equal(["a.toml", "b.toml", "c.toml"]);
    const mtime = statSync(b).mtimeMs;
    expect(syncPermissionsFile(b, enodes)).to.deep.include({ changed: false });
    expect(statSync(b).mtimeMs).to.equal(mtime);
  });

  it("does not rewrite a file whose static nodes the registry does not all allow; retries once they are fixed", async () => {
    const dir = tmp();
    const file = join(dir, "permissions_config.toml");
    const before = `nodes-allowlist=["${enode(1)}","${enode(2)}"]`;
    writeFileSync(file, before);
    const fixed = join(dir, "static-nodes.json");
    writeFileSync(fixed, JSON.stringify([enode(1), enode(2)])); // node 2 was removed from the registry
    const lines: string[] = [];
    const sync = new PermissionsSync(gov.context, {
      files: [file],
      retry: { firstMs: 10, maxMs: 20 },
      log: (line) => {
        lines.push(line);
        // the operator takes node 2 out of static-nodes.json (and will restart the node)
        if (line.includes("retrying in")) writeFileSync(fixed, JSON.stringify([enode(1)]));
      },
    });
    const report = await sync.once(2);
    expect(lines.join("\n")).to.match(
      /permissions_config\.toml: not rewritten: 1 static node\(s\) of .*static-nodes\.json are not on the registry's allowlist/,
    );
    expect(report.targets[0], lines.join("\n")).to.deep.include({ inSync: true, added: 1, removed: 1 });
    expect(readFileSync(file, "utf8")).to.not.include(enode(2));
    // a kit target rewrites static-nodes.json itself, before the permissions file
    writeFileSync(fixed, JSON.stringify([enode(2), enode(1)]));
    writeFileSync(file, before);
    const kit = await new PermissionsSync(gov.context, {
      files: [{ path: file, staticNodes: fixed, rewriteStaticNodes: true }],
    }).once(1);
    expect(kit.targets[0].inSync).to.equal(true);
    expect(JSON.parse(readFileSync(fixed, "utf8"))).to.deep.equal([enode(1)]);
  });

  it("says which kit node's file cannot be written, and which file cannot be parsed", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "nodes.json"), JSON.stringify([{ name: "v1", role: "validator", enode: enode(1) }]));
    expect(() => kitPermissionsFiles(dir)).to.throw(PermissionsFileError, /the kit has no directory for node v1/);
    expect(() => kitPermissionsFiles(join(dir, "missing"))).to.throw(
      PermissionsFileError,
      /cannot be read as a kit's node list/,
    );
    const notADir = join(dir, "file");
    writeFileSync(notADir, "");
    expect(() => syncPermissionsFile(join(notADir, "p.toml"), [enode(1)])).to.throw(
      PermissionsFileError,
      /cannot be written \(ENOTDIR/,
    );
    const bad = join(dir, "bad.toml");
    writeFileSync(bad, 'nodes-allowlist=["x"]\npermissions-nodes-contract-enabled=true\n');
    expect(() => syncPermissionsFile(bad, [enode(1)])).to.throw(
      PermissionsFileError,
      /permissions-nodes-contract-enabled/,
    );
  });
});

describe("network: a node's static-nodes.json against the registry's allowlist", () => {
  it("drops only the nodes no longer allowed, through a symlink, keeping the file's mode", () => {
    const dir = tmp();
    const target = join(dir, "real-static-nodes.json");
    writeFileSync(target, JSON.stringify([enode(1), enode(2), enode(3)]), { mode: 0o640 });
    chmodSync(target, 0o640);
    const link = join(dir, "static-nodes.json");
    symlinkSync(target, link);
    expect(syncStaticNodesFile(link, [enode(1), enode(3)].map(canonicalEnode))).to.deep.equal([enode(2)]);
    expect(lstatSync(link).isSymbolicLink(), "the link is kept").to.equal(true);
    expect(JSON.parse(readFileSync(target, "utf8"))).to.deep.equal([enode(1), enode(3)]);
    expect(statSync(target).mode & 0o777).to.equal(0o640);
    // nothing to drop: not rewritten; no file: nothing to do
    const before = statSync(target).mtimeMs;
    expect(syncStaticNodesFile(link, [enode(1), enode(3)])).to.deep.equal([]);
    expect(statSync(target).mtimeMs).to.equal(before);
    expect(syncStaticNodesFile(join(dir, "none.json"), [enode(1)])).to.deep.equal([]);
    expect(staticNodesOutside(link, [enode(1)])).to.deep.equal([enode(3)]);
  });

  it("reads an empty file as no static nodes (as Besu does) and refuses one that is not a list", () => {
    const dir = tmp();
    writeFileSync(join(dir, "empty.json"), "");
    expect(readStaticNodes(join(dir, "empty.json"))).to.deep.equal([]);
    writeFileSync(join(dir, "bad.json"), `{"nodes": []}`);
    expect(() => readStaticNodes(join(dir, "bad.json"))).to.throw(
      PermissionsFileError,
      /not a JSON list of enode URLs/,
    );
  });
});
