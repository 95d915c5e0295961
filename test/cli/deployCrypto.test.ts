/**
 * The consortium file's crypto mode (decision 046, docs/crypto.md "Modes"): `deploy --check` shows
 * it, an unknown mode is refused naming the field, and a `national` deployment deploys
 * SM3MerkleVerifier, sets the ledger's tree hash to SM3 before the hand-over and records both in
 * the deployment file; `international` (the default) leaves the ledger on keccak256.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { ExitCode } from "../../packages/cli/src/exit";
import { cryptoProfile, parseDeployment } from "../../packages/sdk/src";
import { parseConsortium } from "../../packages/sdk/src/node/consortiumFile";
import { cliRunner } from "./harness";

const EXAMPLE = join(__dirname, "..", "..", "config", "consortium.example.yaml");
const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-deploy-crypto-"));
const cli = cliRunner(join(dir, "unused.json"));

function variant(name: string, crypto: unknown): string {
  const c = parseYaml(readFileSync(EXAMPLE, "utf8")) as Record<string, unknown>;
  if (crypto === undefined) delete c.crypto;
  else c.crypto = crypto;
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, toYaml(c));
  return path;
}

describe("CLI deploy: crypto mode", function () {
  this.timeout(120_000);

  it("parses the mode (default international) and refuses an unknown one naming the field", async () => {
    const raw = parseYaml(readFileSync(EXAMPLE, "utf8")) as Record<string, unknown>;
    expect(parseConsortium({ ...raw, crypto: undefined }, "c.yaml").crypto).to.equal("international");
    expect(parseConsortium({ ...raw, crypto: "both" }, "c.yaml").crypto).to.equal("both");
    const checked = await cli("deploy", variant("national-check", "national"), "--check");
    expect(checked.code, checked.err).to.equal(ExitCode.ok);
    expect(checked.out).to.match(/crypto +national \(batch trees sm3, envelopes SM4-GCM\)/);
    const bad = await cli("deploy", variant("sm9", "sm9"), "--check");
    expect(bad.code).to.equal(ExitCode.badInput);
    expect(bad.err.split("\n")[0]).to.match(/crypto.*"sm9" is not one of international, national, both/);
    expect(cryptoProfile("both")).to.deep.include({
      treeHash: "keccak256",
      sm3Verifier: true,
      envelope: "AES-256-GCM",
    });
  });

  it("national: SM3MerkleVerifier deployed, the ledger on SM3 before the hand-over, both recorded", async () => {
    const out = join(dir, "national.json");
    const r = await cli("deploy", variant("national", "national"), "--out", out);
    expect(r.code, r.err).to.equal(ExitCode.ok);
    const d = parseDeployment(JSON.parse(readFileSync(out, "utf8")));
    expect(d.crypto?.mode).to.equal("national");
    expect(d.crypto?.treeHash).to.equal("sm3");
    const verifier = d.crypto!.sm3MerkleVerifier!;
    expect(await hre.ethers.provider.getCode(verifier)).to.not.equal("0x");
    const ledger = await hre.ethers.getContractAt("SettlementLedger", d.contracts.SettlementLedger!.proxy);
    expect(await ledger.treeHash()).to.equal(1n);
    expect(await ledger.owner()).to.equal(d.contracts.ConsortiumMultisig!.address);
    const [event] = await ledger.queryFilter(ledger.filters.TreeHashSet());
    expect(event.args.sm3Verifier).to.equal(verifier);
  });

  it("international (no crypto: line): nothing more deployed, the ledger on keccak256", async () => {
    const out = join(dir, "international.json");
    const r = await cli("deploy", variant("international", undefined), "--out", out);
    expect(r.code, r.err).to.equal(ExitCode.ok);
    const d = parseDeployment(JSON.parse(readFileSync(out, "utf8")));
    expect(d.crypto).to.deep.equal({ mode: "international", treeHash: "keccak256" });
    const ledger = await hre.ethers.getContractAt("SettlementLedger", d.contracts.SettlementLedger!.proxy);
    expect(await ledger.treeHash()).to.equal(0n);
  });
});
