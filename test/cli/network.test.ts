import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../packages/cli/src/main";
import { decodeQbftExtraData } from "../../packages/sdk/src/network/extraData";

const EXAMPLE = join(__dirname, "..", "..", "config", "network.example.yaml");

interface Run {
  code: number;
  out: string;
  err: string;
}

/** The CLI in-process (network init touches no chain). */
async function cli(...argv: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (s) => (out += s + "\n"), err: (s) => (err += s + "\n"), env: {} });
  return { code, out, err };
}

describe("CLI: clearhouse network init", function () {
  this.timeout(60_000); // the first run loads the CLI's network module
  it("writes the kit from the example file and reports it as JSON", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "clearhouse-cli-net-")), "net");
    const r = await cli("--json", "network", "init", EXAMPLE, "--out", dir);
    expect(r.code, r.err).to.equal(0);
    const { result } = JSON.parse(r.out) as {
      result: {
        chainId: number;
        validators: string[];
        nodes: { name: string }[];
        files: { path: string; mode: string }[];
      };
    };
    expect(result.chainId).to.equal(2026);
    expect(result.validators).to.have.length(4);
    expect(result.nodes.map((n) => n.name)).to.deep.equal([
      "validator-1",
      "validator-2",
      "validator-3",
      "validator-4",
      "alpine-bank",
      "baltic-bank",
    ]);
    expect(result.files).to.deep.include({ path: "validator-1/key", mode: "0600" });
    expect(result.files).to.deep.include({ path: "validator-1/run.sh", mode: "0755" });
    const genesis = JSON.parse(readFileSync(join(dir, "genesis.json"), "utf8")) as { extraData: `0x${string}` };
    expect(decodeQbftExtraData(genesis.extraData).validators).to.deep.equal(result.validators);
    expect(statSync(join(dir, "alpine-bank", "key")).mode & 0o777).to.equal(0o600);
    expect(r.out).to.not.include(readFileSync(join(dir, "validator-1", "key"), "utf8").slice(2));
  });

  it("prints a summary, refuses to overwrite without --force (exit 2), and keeps the keys with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-net-"));
    const first = await cli("network", "init", EXAMPLE, "--out", dir);
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.match(/Wrote a Besu QBFT kit for chain 2026 to .* \(33 files\)/);
    expect(first.out).to.match(/validator-1 +validator +0x[0-9a-fA-F]{40}/);
    const key = readFileSync(join(dir, "validator-1", "key"), "utf8");
    const again = await cli("network", "init", EXAMPLE, "--out", dir);
    expect(again.code).to.equal(2);
    expect(again.err).to.match(/is not empty: refusing to overwrite it/);
    expect(again.err).to.match(/--force/);
    const forced = await cli("network", "init", EXAMPLE, "--out", dir, "--force");
    expect(forced.code, forced.err).to.equal(0);
    expect(readFileSync(join(dir, "validator-1", "key"), "utf8")).to.equal(key);
  });

  it("exits 2 on a bad network section, naming the field, and writes nothing", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "clearhouse-cli-net-"));
    const file = join(tmp, "consortium.yaml");
    writeFileSync(file, "network:\n  chainId: 9\n  nodes:\n    - { name: v1, role: validator, host: v1.example }\n");
    const r = await cli("network", "init", file, "--out", join(tmp, "net"));
    expect(r.code).to.equal(2);
    expect(r.err).to.include("network.nodes[0].host must be the node's IPv4 address");
    expect(existsSync(join(tmp, "net"))).to.equal(false);
    const missing = await cli("network", "init", file);
    expect(missing.code).to.equal(2);
    expect(missing.err).to.match(/--out/);
  });

  it("warns on stderr with fewer than four validators", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "clearhouse-cli-net-"));
    const file = join(tmp, "one.yaml");
    writeFileSync(file, "network:\n  chainId: 9\n  nodes:\n    - { name: v1, role: validator, host: 10.0.0.1 }\n");
    const r = await cli("network", "init", file, "--out", join(tmp, "net"));
    expect(r.code, r.err).to.equal(0);
    expect(r.err).to.match(/warning: 1 validator\(s\)/);
  });
});
