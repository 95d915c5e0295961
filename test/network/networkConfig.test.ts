import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  DEFAULT_GAS_LIMIT,
  NetworkConfigError,
  parseNetworkSection,
} from "../../packages/sdk/src/network/networkConfig";
import { fourValidators, type RawNetwork } from "./fixture";

const EXAMPLE = join(__dirname, "..", "..", "config", "network.example.yaml");
const PUBLIC_KEY =
  "0x8318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5";

type Raw = RawNetwork;

function refusal(raw: unknown): NetworkConfigError {
  try {
    parseNetworkSection(raw, "c.yaml");
  } catch (e) {
    expect(e).to.be.instanceOf(NetworkConfigError);
    expect((e as NetworkConfigError).category).to.equal("input");
    return e as NetworkConfigError;
  }
  throw new Error("expected a refusal");
}

describe("network: the network: section of a consortium file", () => {
  it("reads config/network.example.yaml with Besu-sized defaults", () => {
    const raw = (parseYaml(readFileSync(EXAMPLE, "utf8")) as { network: unknown }).network;
    const spec = parseNetworkSection(raw, EXAMPLE);
    expect(spec.chainId).to.equal(2026);
    expect(spec.nodes.filter((n) => n.role === "validator")).to.have.length(4);
    expect(spec.gasLimit).to.equal(30_000_000n);
    expect(spec.validatorSelection).to.deep.equal({ mode: "list" });
    expect(spec.warnings).to.deep.equal([]);
    const bank = spec.nodes.find((n) => n.name === "baltic-bank")!;
    expect([bank.p2pPort, bank.rpcPort, bank.metricsPort, bank.rpcInterface]).to.deep.equal([
      30304,
      8546,
      9545,
      "127.0.0.1",
    ]);
  });

  it("defaults: block period 2 s, round timeout twice that, 30M gas, the QBFT/PERM/ADMIN APIs", () => {
    const spec = parseNetworkSection(fourValidators(), "c.yaml");
    expect(spec.blockPeriodSeconds).to.equal(2);
    expect(spec.requestTimeoutSeconds).to.equal(4);
    expect(spec.emptyBlockPeriodSeconds).to.equal(0);
    expect(spec.epochLength).to.equal(30_000);
    expect(spec.gasLimit).to.equal(DEFAULT_GAS_LIMIT);
    expect(spec.rpcApis).to.deep.equal(["ETH", "NET", "WEB3", "QBFT", "TXPOOL", "ADMIN", "PERM"]);
    expect(spec.nodes[0]).to.include({
      p2pPort: 30303,
      rpcPort: 8545,
      metricsPort: 9545,
      metricsInterface: "127.0.0.1",
    });
  });

  it("takes a hex or decimal gas limit, alloc entries, a contract selection and an HSM-held key", () => {
    const raw = fourValidators();
    raw.gasLimit = "0x1c9c380";
    raw.validatorMode = "contract";
    raw.validatorContract = { address: "0x0000000000000000000000000000000000007777", fromBlock: 0 };
    raw.alloc = {
      "0x0000000000000000000000000000000000007777": {
        code: "0x6001",
        storage: { [`0x${"00".repeat(32)}`]: `0x${"00".repeat(31)}01` },
      },
    };
    raw.nodes.push({ name: "hsm", role: "member", host: "10.0.1.1", publicKey: PUBLIC_KEY.slice(2) });
    const spec = parseNetworkSection(raw, "c.yaml");
    expect(spec.gasLimit).to.equal(30_000_000n);
    expect(spec.validatorSelection).to.deep.equal({
      mode: "contract",
      contractAddress: "0x0000000000000000000000000000000000007777",
      fromBlock: 0,
    });
    expect(spec.alloc["0x0000000000000000000000000000000000007777"].balance).to.equal(0n);
    expect(spec.nodes[4].external).to.deep.equal({
      publicKey: PUBLIC_KEY,
      address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    });
  });

  it("warns below four validators", () => {
    const raw = fourValidators();
    raw.nodes = raw.nodes.slice(0, 1);
    expect(parseNetworkSection(raw, "c.yaml").warnings[0]).to.match(/1 validator\(s\).*at least 4/);
  });

  const cases: [string, (r: Raw) => void, RegExp][] = [
    ["no section", () => undefined, /network is missing/],
    ["an unknown key", (r) => (r.blockTime = 2), /network\.blockTime is not a known field/],
    ["chain id 1", (r) => (r.chainId = 1), /network\.chainId must be an integer from 2/],
    ["a zero block period", (r) => (r.blockPeriodSeconds = 0), /network\.blockPeriodSeconds/],
    [
      "an empty period below the block period",
      (r) => ((r.blockPeriodSeconds = 5), (r.emptyBlockPeriodSeconds = 2)),
      /emptyBlockPeriodSeconds must be 0/,
    ],
    [
      "a gas limit below the close's budget",
      (r) => (r.gasLimit = 10_000_000),
      /network\.gasLimit must be at least 15000000/,
    ],
    [
      "a gas limit that is not a number",
      (r) => (r.gasLimit = "lots"),
      /network\.gasLimit must be a non-negative integer/,
    ],
    ["an unknown RPC API", (r) => (r.rpcApis = ["ETH", "FOO"]), /network\.rpcApis\[1\] must be one of/],
    ["no nodes", (r) => (r.nodes = []), /network\.nodes must be a non-empty list/],
    ["no validator", (r) => r.nodes.forEach((n) => (n.role = "member")), /at least one node with role "validator"/],
    ["a bad role", (r) => (r.nodes[1].role = "observer"), /network\.nodes\[1\]\.role must be "validator" or "member"/],
    [
      "a host name",
      (r) => (r.nodes[2].host = "v3.example"),
      /network\.nodes\[2\]\.host must be the node's IPv4 address/,
    ],
    ["a bad name", (r) => (r.nodes[0].name = "../etc"), /network\.nodes\[0\]\.name must be 1-63 letters/],
    ["a repeated name", (r) => (r.nodes[3].name = "V1"), /network\.nodes\[3\]\.name repeats network\.nodes\[0\]\.name/],
    [
      "a port used twice on a host",
      (r) => ((r.nodes[1].host = "10.0.0.1"), (r.nodes[1].rpcPort = 30303)),
      /network\.nodes\[1\]\.p2pPort 30303 is already used on 10\.0\.0\.1/,
    ],
    [
      "a port out of range",
      (r) => (r.nodes[0].metricsPort = 70000),
      /network\.nodes\[0\]\.metricsPort must be an integer from 1 to 65535/,
    ],
    [
      "a public key off the curve",
      (r) => (r.nodes[0].publicKey = `0x${"11".repeat(64)}`),
      /network\.nodes\[0\]\.publicKey is not a point on secp256k1/,
    ],
    [
      "a repeated public key",
      (r) => ((r.nodes[0].publicKey = PUBLIC_KEY), (r.nodes[1].publicKey = PUBLIC_KEY)),
      /nodes\[1\]\.publicKey repeats/,
    ],
    [
      "an unknown validator mode",
      (r) => (r.validatorMode = "votes"),
      /network\.validatorMode must be "list" or "contract"/,
    ],
    [
      "a contract without its settings",
      (r) => (r.validatorMode = "contract"),
      /network\.validatorContract must be a mapping/,
    ],
    [
      "a contract from block 0 without code",
      (r) => (
        (r.validatorMode = "contract"),
        (r.validatorContract = { address: "0x0000000000000000000000000000000000007777", fromBlock: 0 })
      ),
      /validatorContract\.address has no code in network\.alloc/,
    ],
    [
      "contract settings in list mode",
      (r) => (r.validatorContract = { address: "0x0000000000000000000000000000000000007777", fromBlock: 5 }),
      /only read with validatorMode: "contract"/,
    ],
    [
      "an alloc key that is not an address",
      (r) => (r.alloc = { bank: { balance: 1 } }),
      /network\.alloc\.bank is not an address/,
    ],
    [
      "alloc code that is not hex",
      (r) => (r.alloc = { "0x0000000000000000000000000000000000000001": { code: "60 01" } }),
      /alloc\.0x0+1\.code must be 0x-prefixed hex/,
    ],
    [
      "a storage slot of the wrong size",
      (r) => (r.alloc = { "0x0000000000000000000000000000000000000001": { storage: { "0x01": "0x01" } } }),
      /storage\.0x01 must be 32 bytes/,
    ],
  ];
  for (const [what, mutate, message] of cases) {
    it(`refuses ${what}, naming the field`, () => {
      const raw = fourValidators();
      mutate(raw);
      const e = refusal(what === "no section" ? undefined : raw);
      expect(e.shortMessage).to.match(/^c\.yaml: /);
      expect(e.shortMessage).to.match(message);
    });
  }
});
