import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address, Hex } from "viem";
import { parse as parseYaml } from "yaml";
import { decodeQbftExtraData } from "../../packages/sdk/src/network/extraData";
import { BFT_MIX_HASH, FORKS_AT_GENESIS, type BesuGenesis } from "../../packages/sdk/src/network/genesis";
import { parseNetworkSection, type NetworkSpec } from "../../packages/sdk/src/network/networkConfig";
import { planNetworkKit } from "../../packages/sdk/src/network/kit";
import { CONFIG_TOML_KEYS } from "../../packages/sdk/src/network/nodeFiles";
import { identityOfPrivateKey } from "../../packages/sdk/src/network/nodeKeys";
import { NetworkKitExistsError, readNetworkFile, writeNetworkKit } from "../../packages/sdk/src/node/networkKit";
import { parseConsortium } from "../../packages/sdk/src/node/consortiumFile";
import { fourValidators } from "./fixture";

/**
 * The option names Besu accepts in a config file, from hyperledger/besu
 * app/src/test/resources/everything_config.toml (a Besu test checks that file holds every option).
 */
const BESU_CONFIG_KEYS = new Set([
  "data-path",
  "logging",
  "node-private-key-file",
  "static-nodes-file",
  "profile",
  "p2p-enabled",
  "nat-method",
  "discovery-enabled",
  "bootnodes",
  "p2p-host",
  "p2p-interface",
  "p2p-port",
  "host-allowlist",
  "genesis-file",
  "sync-mode",
  "rpc-http-enabled",
  "rpc-http-host",
  "rpc-http-port",
  "rpc-http-api",
  "rpc-http-cors-origins",
  "metrics-enabled",
  "metrics-host",
  "metrics-port",
  "min-gas-price",
  "permissions-nodes-config-file-enabled",
  "permissions-nodes-config-file",
]);
const HSM_KEY =
  "0x8318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5";

/** The flat TOML the kit writes (key=string|int|bool|[strings]) → values; throws on anything else. */
function parseToml(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = /^([a-z0-9-]+)=(.*)$/.exec(line);
    if (!m) throw new Error(`not a key=value line: ${line}`);
    if (m[1] in out) throw new Error(`duplicate key ${m[1]}`);
    out[m[1]] = JSON.parse(m[2]);
  }
  return out;
}

/** Keys from a counter, so a test knows each node's key and address. */
function keySource(): () => Hex {
  let n = 0;
  return () => `0x${(++n).toString(16).padStart(64, "0")}`;
}

function spec(mutate?: (raw: ReturnType<typeof fourValidators>) => void): NetworkSpec {
  const raw = fourValidators();
  raw.nodes.push({ name: "bank", role: "member", host: "10.0.1.1", rpcInterface: "0.0.0.0" });
  mutate?.(raw);
  return parseNetworkSection(raw, "c.yaml");
}

const freshDir = () => mkdtempSync(join(tmpdir(), "clearhouse-net-"));
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const mode = (dir: string, path: string) => statSync(join(dir, path)).mode & 0o777;

describe("network: the kit on disk (genesis, node files, modes)", () => {
  it("writes a QBFT genesis Besu's docs describe: forks to Cancun at 0, free gas, extraData of the validators", () => {
    const dir = join(freshDir(), "net");
    const kit = writeNetworkKit(spec(), dir, { newKey: keySource() });
    const genesis = JSON.parse(read(dir, "genesis.json")) as BesuGenesis;
    expect(genesis).to.deep.equal(kit.genesis);
    for (const fork of FORKS_AT_GENESIS) expect(genesis.config[fork], fork).to.equal(0);
    expect(genesis.config).to.include({ chainId: 2026, zeroBaseFee: true, cancunTime: 0, shanghaiTime: 0 });
    expect(genesis.config.qbft).to.deep.equal({ blockperiodseconds: 2, epochlength: 30000, requesttimeoutseconds: 4 });
    expect(genesis).to.include({
      gasLimit: "0x1c9c380",
      difficulty: "0x1",
      mixHash: BFT_MIX_HASH,
      baseFeePerGas: "0x0",
    });
    expect(genesis.config.transitions).to.equal(undefined);
    const validators = [1, 2, 3, 4].map((k) => identityOfPrivateKey(k.toString(16).padStart(64, "0")).address);
    const sorted = [...validators].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    const extra = decodeQbftExtraData(genesis.extraData);
    expect(extra).to.deep.equal({ vanity: `0x${"00".repeat(32)}`, validators: sorted, round: 0, seals: [] });
    expect(kit.validators).to.deep.equal(sorted);
    expect(kit.nodes.map((n) => n.address)).to.deep.equal([
      ...validators,
      identityOfPrivateKey(`0x${"0".repeat(63)}5`).address,
    ]);
  });

  it("writes a transition to the validator contract, or selects it from genesis with no validators in extraData", () => {
    const later = writeNetworkKit(
      spec(
        (r) => (
          (r.validatorMode = "contract"),
          (r.validatorContract = { address: "0x0000000000000000000000000000000000007777", fromBlock: 100 })
        ),
      ),
      freshDir(),
      { newKey: keySource() },
    ).genesis;
    expect(later.config.transitions).to.deep.equal({
      qbft: [
        {
          block: 100,
          validatorselectionmode: "contract",
          validatorcontractaddress: "0x0000000000000000000000000000000000007777",
        },
      ],
    });
    expect(decodeQbftExtraData(later.extraData).validators).to.have.length(4);
    const fromGenesis = writeNetworkKit(
      spec((r) => {
        r.validatorMode = "contract";
        r.validatorContract = { address: "0x0000000000000000000000000000000000007777", fromBlock: 0 };
        r.alloc = { "0x0000000000000000000000000000000000007777": { code: "0x6001", balance: "0x10" } };
        r.emptyBlockPeriodSeconds = 60;
      }),
      freshDir(),
      { newKey: keySource() },
    ).genesis;
    expect(fromGenesis.config.qbft).to.include({
      validatorcontractaddress: "0x0000000000000000000000000000000000007777",
      xemptyblockperiodseconds: 60,
    });
    expect(fromGenesis.config.transitions).to.equal(undefined);
    expect(fromGenesis.extraData).to.equal(
      "0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0",
    );
    expect(fromGenesis.alloc).to.deep.equal({
      "0000000000000000000000000000000000007777": { balance: "0x10", code: "0x6001" },
    });
  });

  it("writes each node's config.toml with Besu's option names, the allowlist and static peers", () => {
    const dir = freshDir();
    const kit = writeNetworkKit(spec(), dir, { newKey: keySource() });
    const enodes = kit.nodes.map((n) => n.enode);
    expect(enodes[0]).to.match(/^enode:\/\/[0-9a-f]{128}@10\.0\.0\.1:30303$/);
    const v1 = parseToml(read(dir, "v1/config.toml"));
    expect(Object.keys(v1).sort()).to.deep.equal([...CONFIG_TOML_KEYS].sort());
    for (const key of Object.keys(v1)) expect(BESU_CONFIG_KEYS.has(key), key).to.equal(true);
    expect(v1).to.include({
      "data-path": "data",
      "genesis-file": "../genesis.json",
      "node-private-key-file": "key",
      "min-gas-price": 0,
      "p2p-host": "10.0.0.1",
      "p2p-port": 30303,
      "discovery-enabled": false,
      "permissions-nodes-config-file-enabled": true,
      "permissions-nodes-config-file": "permissions_config.toml",
      "static-nodes-file": "static-nodes.json",
      "rpc-http-host": "127.0.0.1",
      "rpc-http-port": 8545,
      "metrics-port": 9545,
    });
    expect(v1["rpc-http-api"]).to.deep.equal(["ETH", "NET", "WEB3", "QBFT", "TXPOOL", "ADMIN", "PERM"]);
    expect(v1["host-allowlist"]).to.deep.equal(["localhost", "127.0.0.1", "10.0.0.1"]);
    expect(parseToml(read(dir, "bank/config.toml"))["rpc-http-host"]).to.equal("0.0.0.0");
    expect(kit.nodes[4].rpc).to.equal("http://10.0.1.1:8545");
    for (const n of kit.nodes) {
      expect(parseToml(read(dir, `${n.name}/permissions_config.toml`))).to.deep.equal({ "nodes-allowlist": enodes });
      expect(JSON.parse(read(dir, `${n.name}/static-nodes.json`))).to.deep.equal(enodes.filter((e) => e !== n.enode));
    }
    const nodes = JSON.parse(read(dir, "nodes.json")) as { name: string; address: Address }[];
    expect(nodes.map((n) => n.address)).to.deep.equal(kit.nodes.map((n) => n.address));
    expect(read(dir, "nodes.json")).to.not.include(read(dir, "v1/key").slice(2));
    expect(read(dir, "README.txt")).to.include("v1/key  (private key, mode 0600");
  });

  it("writes the keys 0600 in Besu's key-file format and run.sh executable, starting Besu from the node's directory", () => {
    const dir = freshDir();
    writeNetworkKit(spec(), dir, { newKey: keySource() });
    expect(read(dir, "v2/key")).to.equal(`0x${"0".repeat(63)}2`);
    expect(mode(dir, "v2/key")).to.equal(0o600);
    expect(mode(dir, "v2/run.sh")).to.equal(0o755);
    expect(mode(dir, "genesis.json")).to.equal(0o644);
    // BESU=echo stands in for the binary: run.sh must pass --config-file=config.toml from v2/.
    const out = execFileSync(join(dir, "v2", "run.sh"), ["--version"], { env: { ...process.env, BESU: "echo" } });
    expect(out.toString()).to.equal("--config-file=config.toml --version\n");
    expect(existsSync(join(dir, "v2", "data"))).to.equal(true);
  });

  it("writes no key for a node whose key is held in an HSM, and its run.sh refuses to start without one", () => {
    const dir = freshDir();
    const kit = writeNetworkKit(
      spec((r) => r.nodes.push({ name: "hsm", role: "validator", host: "10.0.2.1", publicKey: HSM_KEY })),
      dir,
      { newKey: keySource() },
    );
    expect(existsSync(join(dir, "hsm", "key"))).to.equal(false);
    expect(kit.nodes[5]).to.include({ address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", externalKey: true });
    expect(kit.validators).to.include("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    const config = read(dir, "hsm/config.toml");
    expect(parseToml(config)).to.not.have.property("node-private-key-file");
    expect(config).to.match(/# .*security-module/);
    const run = spawnSync(join(dir, "hsm", "run.sh"), { env: { ...process.env, BESU: "echo" } });
    expect(run.status).to.equal(1);
    expect(run.stderr.toString()).to.match(/held outside the kit/);
  });

  it("refuses a non-empty directory; --force rewrites it and keeps the nodes' keys", () => {
    const dir = freshDir();
    const first = writeNetworkKit(spec(), dir);
    expect(() => writeNetworkKit(spec(), dir)).to.throw(NetworkKitExistsError, /not empty: refusing to overwrite/);
    const file = join(freshDir(), "file");
    writeFileSync(file, "x");
    expect(() => writeNetworkKit(spec(), file, { force: true })).to.throw(NetworkKitExistsError);
    const again = writeNetworkKit(
      spec((r) => (r.blockPeriodSeconds = 5)),
      dir,
      { force: true },
    );
    expect(again.nodes.map((n) => n.enode)).to.deep.equal(first.nodes.map((n) => n.enode));
    expect(again.genesis.config.qbft.blockperiodseconds).to.equal(5);
    writeFileSync(join(dir, "v1", "key"), "not a key");
    expect(() => writeNetworkKit(spec(), dir, { force: true })).to.throw(/v1\/key: key is not a Besu node key/);
  });

  it("plans nothing for a node that has neither a key nor a public key", () => {
    expect(() => planNetworkKit(spec(), new Map())).to.throw(/`privateKeys`: has no key for node v1/);
  });

  it("reads the network: section of a consortium file and refuses an unknown section", () => {
    const dir = freshDir();
    const path = join(dir, "consortium.yaml");
    writeFileSync(
      path,
      "settlement: { ackWindow: 60 }\nnetwork:\n  chainId: 7\n  nodes:\n    - { name: a, role: validator, host: 10.0.0.1 }\n",
    );
    expect(readNetworkFile(path).chainId).to.equal(7);
    writeFileSync(path, "networks: {}\n");
    expect(() => readNetworkFile(path)).to.throw(/consortium\.yaml: networks is not a known section/);
    writeFileSync(path, "network: [\n");
    expect(() => readNetworkFile(path)).to.throw(/file is not valid YAML/);
    expect(() => readNetworkFile(join(dir, "missing.yaml"))).to.throw(/file cannot be read/);
  });

  it("lets `clearhouse deploy` read a consortium file that carries a network: section", () => {
    const root = join(__dirname, "..", "..", "config");
    const consortium = parseYaml(readFileSync(join(root, "consortium.example.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    consortium.network = (
      parseYaml(readFileSync(join(root, "network.example.yaml"), "utf8")) as { network: unknown }
    ).network;
    expect(parseConsortium(consortium, "c.yaml").members).to.have.length(6);
  });
});
