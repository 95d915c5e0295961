/**
 * `clearhouse deploy <consortium.yaml>`: the file's validation (exit 2 naming the field), the
 * unreachable node (exit 4), a node that refuses (exit 1 with its reason), an existing deployment
 * file (exit 2), and the deployment itself, in-process (viem, no Hardhat) on the Hardhat chain.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createPublicClient, createWalletClient, custom, getAddress } from "viem";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { ExitCode } from "../../packages/cli/src/exit";
import { createClearhouse, leiHash, parseDeployment, type Deployment } from "../../packages/sdk/src";
import { runCli } from "../../packages/cli/src/main";
import { readConsortiumFile } from "../../packages/sdk/src/node/consortiumFile";
import { deployFromConsortiumFile } from "../../scripts/deploy";
import { verifierKeys } from "../../packages/zk/src/verifierKeys";
import { key } from "../sdk/fixture";
import { cliRunner, hardhatKey, jsonResult, type Run } from "./harness";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "packages", "cli", "bin", "clearhouse.js");
const EXAMPLE = join(ROOT, "config", "consortium.example.yaml");
const UNREACHABLE = "http://127.0.0.1:9";

const dir = mkdtempSync(join(tmpdir(), "clearhouse-cli-deploy-"));
/** The CLI in-process on the Hardhat chain (`--deployment` is ignored by deploy). */
const cli = cliRunner(join(dir, "unused.json"));

/** The CLI in-process without the Hardhat transport: it connects to --rpc-url over HTTP. */
async function runOverHttp(...argv: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (s) => (out += s + "\n"), err: (s) => (err += s + "\n"), env: {} });
  return { code, out, err };
}

type Example = Record<string, unknown> & {
  token: Record<string, unknown>;
  members: Record<string, unknown>[];
  governance: Record<string, unknown> & { signers: string[] };
  settlement: Record<string, unknown>;
};

/** The example consortium with `edit` applied, written as YAML (or JSON) to a temp file. */
function variant(name: string, edit: (c: Example) => void, format: "yaml" | "json" = "yaml"): string {
  const c = parseYaml(readFileSync(EXAMPLE, "utf8")) as Example;
  edit(c);
  const path = join(dir, `${name}.${format}`);
  writeFileSync(path, format === "json" ? JSON.stringify(c) : toYaml(c));
  return path;
}

describe("CLI deploy", function () {
  this.timeout(120_000);

  it("--check validates a YAML or JSON file and shows what would be deployed", async () => {
    const human = await cli("deploy", EXAMPLE, "--check");
    expect(human.code, human.err).to.equal(ExitCode.ok);
    expect(human.out).to.match(/token +Clearhouse Euro \(chEUR\), EUR, 2 decimals/);
    expect(human.out).to.match(/governance +3-of-5 multisig, timelock 3600s \/ sensitive 172800s/);
    expect(human.out).to.match(
      /Settlement operator +0x70997970C51812dc3A010C7d01b50e0d17dc79C8 +OPERATOR\|MEMBER_BANK/,
    );
    expect(human.out).to.match(/Acme Trading .* CORPORATE +250,000\.00 +1,000,000\.00/);
    expect(human.out).to.match(/Valid: nothing was deployed \(--check\)\.\n$/);
    const json = await cli(
      "--json",
      "deploy",
      variant("as-json", () => undefined, "json"),
      "--check",
    );
    expect(json.code, json.err).to.equal(ExitCode.ok);
    const body = JSON.parse(json.out) as {
      ok: boolean;
      result: { members: { roles: number; maxSingleTransfer: string }[]; settlement: { ackWindow: number } };
    };
    expect(body.ok).to.equal(true);
    expect(body.result.members).to.have.length(6);
    expect(body.result.members[1]).to.deep.include({ roles: 2, maxSingleTransfer: "1000000000" });
    expect(body.result.settlement.ackWindow).to.equal(3600);
  });

  it("exits 2 naming the bad field, before anything is sent", async () => {
    const cases: [string, (c: Example) => void, RegExp][] = [
      [
        "lei",
        (c) => (c.members[1].lei = "5493000ALPINEBANK092"),
        /members\[1\]\.lei "5493000ALPINEBANK092" is not a valid ISO 17442 LEI/,
      ],
      ["role", (c) => (c.members[0].roles = ["OPERATOR", "BANKER"]), /members\[0\]\.roles\[1\] "BANKER" is not a role/],
      ["address", (c) => (c.members[2].address = "0x123"), /members\[2\]\.address is not an address/],
      [
        "duplicate",
        (c) => (c.members[3].address = c.members[2].address),
        /members\[3\]\.address repeats members\[2\]\.address/,
      ],
      [
        "limits",
        (c) => (c.members[1].maxSingleTransfer = "200,000,000.00"),
        /members\[1\]\.maxSingleTransfer exceeds maxDailyOutflow/,
      ],
      [
        "decimals",
        (c) => (c.members[5].maxDailyOutflow = "1.005"),
        /members\[5\]\.maxDailyOutflow "1\.005" is not an amount with at most 2 decimals/,
      ],
      ["name", (c) => (c.members[0].name = ""), /members\[0\]\.name must be a non-empty string/],
      ["unknown-member-field", (c) => (c.members[4].limit = 5), /members\[4\]\.limit is not a known field/],
      ["no-members", (c) => (c.members = []), /members must be a non-empty list/],
      ["threshold", (c) => (c.governance.threshold = 6), /governance\.threshold must be an integer from 1 to 5/],
      [
        "signer",
        (c) => (c.governance.signers[4] = c.governance.signers[0]),
        /governance\.signers contains a duplicate/,
      ],
      [
        "delay",
        (c) => (c.governance.sensitiveDelay = 31 * 86_400),
        /governance\.sensitiveDelay must be an integer from 0 to 2592000/,
      ],
      ["no-governance", (c) => delete (c as Record<string, unknown>).governance, /governance is missing/],
      ["currency", (c) => (c.token.currency = "euro"), /token\.currency must be an ISO 4217 code like EUR/],
      ["token-decimals", (c) => (c.token.decimals = 19), /token\.decimals must be an integer from 0 to 18/],
      ["ack", (c) => (c.settlement.ackWindow = 10), /settlement\.ackWindow must be an integer from 60 to 2592000/],
      ["typo", (c) => (c.member = []), /member is not a known field/],
    ];
    for (const [name, edit, message] of cases) {
      const path = variant(name, edit);
      // An unreachable --rpc-url: a file that wrongly passed would exit 4, never deploy.
      const r = await cli("--rpc-url", UNREACHABLE, "deploy", path);
      expect(r.code, `${name}: ${r.err}`).to.equal(ExitCode.badInput);
      const [first, hint] = r.err.split("\n");
      expect(first, name).to.match(new RegExp(`^error: ${path.replace(/[.\\]/g, "\\$&")}: `));
      expect(first, name).to.match(message);
      expect(hint).to.equal("  See config/consortium.example.yaml for the format.");
      expect(r.err).not.to.match(/\n\s+at /);
    }
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "token: [unclosed\n");
    const yamlError = await cli("deploy", broken);
    expect(yamlError.code).to.equal(ExitCode.badInput);
    expect(yamlError.err).to.match(/^error: .*broken\.yaml: file is not valid YAML \(/);
    const brokenJson = join(dir, "broken.json");
    writeFileSync(brokenJson, "{ nope");
    expect((await cli("deploy", brokenJson)).err).to.match(/^error: .*broken\.json: file is not valid JSON \(/);
    expect((await cli("deploy", join(dir, "absent.yaml"))).err).to.match(/absent\.yaml: file cannot be read\./);
    const json = await cli(
      "--json",
      "deploy",
      variant("json-error", (c) => (c.token.symbol = "")),
    );
    expect(json.code).to.equal(ExitCode.badInput);
    expect(JSON.parse(json.out)).to.deep.include({ ok: false });
    const network = await cli("deploy", EXAMPLE, "--network", "no such net");
    expect(network.err).to.match(/^error: --network "no such net" is not a network name\./);
    const missing = await cli("deploy");
    expect(missing.code).to.equal(ExitCode.badInput);
    expect(missing.err).to.match(/^error: missing required argument 'consortium'/);
  });

  it("exits 4 when the node cannot be reached, without starting the deploy (a real process)", async () => {
    const r = await run("node", [BIN, "--rpc-url", UNREACHABLE, "deploy", EXAMPLE], { cwd: dir }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r).to.deep.include({ code: ExitCode.network, stdout: "" });
    expect(r.stderr).to.match(/^error: Cannot reach the chain at http:\/\/127\.0\.0\.1:9\./);
    expect(r.stderr).not.to.match(/Deploying Clearhouse/);
    const help = await run("node", [BIN, "deploy", "--help"]);
    expect(help.stdout).to.match(/Example:\n {2}clearhouse deploy config\/consortium\.example\.yaml --check/);
  });

  it("honours CLEARHOUSE_RPC_URL like --rpc-url (it used to deploy to 127.0.0.1:8545 regardless)", async () => {
    const r = await run("node", [BIN, "deploy", EXAMPLE], {
      cwd: dir,
      env: { ...process.env, CLEARHOUSE_RPC_URL: UNREACHABLE },
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(r).to.deep.include({ code: ExitCode.network, stdout: "" });
    expect(r.stderr).to.match(/^error: Cannot reach the chain at http:\/\/127\.0\.0\.1:9\./);
  });

  it("resumes an interrupted deployment: members admitted and ownership handed over, nothing redeployed", async () => {
    const out = join(dir, "interrupted.json");
    // A run stopped after its contracts: the file says so (what `deploy` saves after that step).
    const consortium = readConsortiumFile(EXAMPLE);
    const { deployConsortium } = await import("../../packages/contracts/src/deploy");
    const [deployerAddress] = await hre.ethers.provider.send("eth_accounts", []);
    const transport = custom(hre.network.provider, { retryCount: 0 });
    const clients = {
      publicClient: createPublicClient({ transport, pollingInterval: 10 }),
      walletClient: createWalletClient({ account: deployerAddress as `0x${string}`, transport }),
    };
    const saved: Deployment = await deployConsortium(clients, {
      network: "localhost",
      token: consortium.token,
      settlement: consortium.settlement,
      governance: consortium.governance,
      zk: verifierKeys(),
    });
    writeFileSync(out, JSON.stringify({ ...saved, setup: "contracts" }));
    const registry = await hre.ethers.getContractAt("ConsortiumRegistry", saved.contracts.ConsortiumRegistry.proxy);
    expect(await registry.owner()).to.equal(getAddress(deployerAddress)); // the deployer still holds it

    const again = await cli("deploy", EXAMPLE, "--out", out);
    expect(again.code).to.equal(ExitCode.badInput);
    expect(again.err).to.match(
      /setup stopped at "contracts" \(interrupted\)\.\n {2}Run the same command with --resume/,
    );

    const before = await hre.ethers.provider.getBlockNumber();
    const resumed = await cli("deploy", EXAMPLE, "--out", out, "--resume");
    expect(resumed.code, resumed.err).to.equal(ExitCode.ok);
    const file = parseDeployment(JSON.parse(readFileSync(out, "utf8")));
    expect(file.setup).to.equal("complete");
    expect(file.contracts.ConsortiumRegistry.proxy).to.equal(saved.contracts.ConsortiumRegistry.proxy); // same contracts
    expect(await registry.owner()).to.equal(file.contracts.ConsortiumMultisig!.address);
    const member = await registry.memberOf(consortium.members[0].address);
    expect(member.status).to.equal(1n); // Active
    expect(await hre.ethers.provider.getBlockNumber()).to.be.greaterThan(before);
    const done = await cli("deploy", EXAMPLE, "--out", out, "--resume");
    expect(done.code).to.equal(ExitCode.ok);
    expect(done.out).to.match(/is complete: nothing to resume/);
  });

  it("refuses a deployment file it could not write before sending anything (exit 2)", async () => {
    const before = await hre.ethers.provider.getBlockNumber();
    const notADir = join(dir, "a-file");
    writeFileSync(notADir, ""); // its "folder" is a file: unwritable even for root
    const r = await cli("deploy", EXAMPLE, "--out", join(notADir, "deployment.json"));
    expect(r.code).to.equal(ExitCode.badInput);
    expect(r.err).to.match(/^error: Cannot write the deployment file .*Nothing was sent\./s);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(before);
  });

  it("exits 1 with the node's reason when it refuses, having sent nothing before and written nothing", async () => {
    // A node that answers the CLI's reachability check, then refuses everything.
    let answered = 0;
    const methods: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const answer = (m: { id: number; method: string }) => {
          methods.push(m.method);
          return m.method === "eth_chainId" && answered++ === 0
            ? { jsonrpc: "2.0", id: m.id, result: "0x7a69" }
            : { jsonrpc: "2.0", id: m.id, error: { code: -32000, message: `test node refuses ${m.method}` } };
        };
        const request = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(Array.isArray(request) ? request.map(answer) : answer(request)));
      });
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const keyFile = join(dir, "deployer.key");
    writeFileSync(keyFile, hardhatKey(0));
    const out = join(dir, "refused.json");
    let r: Run;
    try {
      // no in-process transport: the CLI talks HTTP to the test node, as it would to a real one
      r = await runOverHttp("--rpc-url", url, "--key-file", keyFile, "deploy", EXAMPLE, "--out", out, "--no-compile");
    } finally {
      server.close();
    }
    expect(r.code, r.err).to.equal(ExitCode.unexpected);
    // named after the chain (0x7a69): a second chain never overwrites the first's file
    expect(r.err).to.match(/Deploying Clearhouse to "chain-31337" \(http:\/\/127\.0\.0\.1:\d+\) from 0xf39F/);
    expect(r.err).to.match(
      // the first step reads the latest block for its base fee (zero fees on a free-gas chain)
      /\nerror: The deployment failed: reading the chain's fees: test node refuses eth_getBlockByNumber\n {2}See the output above\./,
    );
    expect(r.out).to.equal("");
    expect(existsSync(out)).to.equal(false);
    expect(methods.filter((m) => /^eth_send/.test(m))).to.deep.equal([]);
  });

  it("refuses to replace an existing deployment file unless CLEARHOUSE_REDEPLOY=1 (exit 2, nothing sent)", async () => {
    const out = join(dir, "existing.json");
    writeFileSync(out, "{}");
    const before = await hre.ethers.provider.getBlockNumber();
    const r = await cli("deploy", EXAMPLE, "--out", out);
    expect(r.code).to.equal(ExitCode.badInput);
    expect(r.err).to.match(
      /^error: .*existing\.json already exists: a consortium is deployed on "localhost"\.\n {2}Set CLEARHOUSE_REDEPLOY=1/,
    );
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(before);
    expect(readFileSync(out, "utf8")).to.equal("{}");
    let err = "";
    const replaced = await runCli(["deploy", EXAMPLE, "--out", out], {
      out: () => undefined,
      err: (s) => (err += s + "\n"),
      transport: custom(hre.network.provider, { retryCount: 0 }),
      env: { CLEARHOUSE_REDEPLOY: "1" },
    });
    expect(replaced, err).to.equal(ExitCode.ok);
    expect(parseDeployment(JSON.parse(readFileSync(out, "utf8"))).network).to.equal("localhost");
  });

  describe("the deployment, in-process on the Hardhat chain (the node's unlocked account deploys)", () => {
    async function deployed() {
      const file = join(dir, "deployments", "localhost.json");
      const r = await cli("deploy", EXAMPLE, "--out", file);
      expect(r.code, r.err).to.equal(ExitCode.ok);
      const deployment = parseDeployment(JSON.parse(readFileSync(file, "utf8")));
      const lines = r.err.split("\n");
      const ch = createClearhouse({
        transport: custom(hre.network.provider, { retryCount: 0 }),
        deployment,
        pollingInterval: 10,
      });
      return { deployment, out: r.out, lines, file, ch };
    }

    it("admits every member with the deployer, then hands ownership to the multisig", async () => {
      const { deployment, out, lines, ch } = await loadFixture(deployed);
      const c = deployment.contracts;
      expect(out).to.equal(
        [
          `Deployed the consortium to "localhost" (chain 31337), wrote ${relative(process.cwd(), join(dir, "deployments", "localhost.json"))}`,
          `  registry  ${c.ConsortiumRegistry.proxy}`,
          `  token     ${c.SettlementToken.proxy} (chEUR)`,
          `  multisig  ${c.ConsortiumMultisig!.address} (3-of-5, owns every contract)`,
          "  members   6 admitted",
          "",
        ].join("\n"),
      );
      expect(deployment).to.deep.include({ network: "localhost", chainId: 31337, deployer: key(0).address });
      const consortium = readConsortiumFile(EXAMPLE);
      for (const m of consortium.members) {
        const member = await ch.registry.getMember({ account: m.address });
        expect(member, m.name).to.deep.include({
          status: "Active",
          name: m.name,
          roles: m.roles,
          leiHash: leiHash(m.lei),
          maxSingleTransfer: m.maxSingleTransfer,
          maxDailyOutflow: m.maxDailyOutflow,
        });
      }
      const multisig = deployment.contracts.ConsortiumMultisig!.address;
      expect(await ch.registry.getRegistryOwner()).to.equal(multisig);
      for (const name of [
        "SettlementToken",
        "SettlementLedger",
        "NettingEngine",
        "VerifierRegistry",
        "ConditionalEscrow",
      ] as const) {
        const owned = await hre.ethers.getContractAt("Ownable2StepUpgradeable", deployment.contracts[name]!.proxy);
        expect(await owned.owner(), name).to.equal(multisig);
      }
      const gov = await ch.governance.getGovernance();
      expect(gov).to.deep.include({ threshold: 3, minDelay: 3600, sensitiveDelay: 172800 });
      expect(gov.signers).to.deep.equal(consortium.governance.signers);
      expect(gov.guardian).to.equal(consortium.governance.guardian);
      const ledger = await hre.ethers.getContractAt("SettlementLedger", deployment.contracts.SettlementLedger!.proxy);
      expect(await ledger.ackWindow()).to.equal(3600n);
      expect(deployment.token).to.deep.equal({
        name: "Clearhouse Euro",
        symbol: "chEUR",
        decimals: 2,
        currency: "EUR",
      });
      expect(lines).to.include("  admitted Acme Trading (0x976EA74026E726554dB657fA54763abd0C3a0aa9) as CORPORATE");
      expect(lines.indexOf("admitting 6 members…")).to.be.lessThan(lines.indexOf("handing ownership to the multisig…"));
      expect(lines[0]).to.equal(`${EXAMPLE}:`); // the summary, then the progress
      expect(lines).to.include(`Deploying Clearhouse to "localhost" (in-process chain) from ${key(0).address}`);
    });

    it("answers --json with the deployment, and the scripts' path (npm run deploy) deploys the same way", async () => {
      await loadFixture(deployed);
      const file = join(dir, "deployed-json.json");
      const keyFile = join(dir, "deployer-json.key");
      writeFileSync(keyFile, hardhatKey(0));
      const r = await cli("--json", "--key-file", keyFile, "deploy", EXAMPLE, "--out", file);
      expect(r.code, r.out + r.err).to.equal(ExitCode.ok);
      const result = jsonResult<{ network: string; file: string; members: number; deployment: Deployment }>(r);
      expect(result).to.deep.include({ network: "localhost", file, members: 6 });
      expect(result.deployment).to.deep.equal(JSON.parse(readFileSync(file, "utf8")));
      let saved: Deployment | undefined;
      const lines: string[] = [];
      const scripted = await deployFromConsortiumFile(EXAMPLE, { log: (l) => lines.push(l), save: (d) => (saved = d) });
      expect(saved).to.equal(scripted);
      expect(scripted.network).to.equal("hardhat");
      expect(Object.keys(scripted.contracts).sort()).to.deep.equal(Object.keys(result.deployment.contracts).sort());
      const owned = await hre.ethers.getContractAt(
        "Ownable2StepUpgradeable",
        scripted.contracts.ConditionalEscrow!.proxy,
      );
      expect(await owned.owner()).to.equal(scripted.contracts.ConsortiumMultisig!.address);
      expect(lines).to.include("handing ownership to the multisig…");
    });

    it("leaves a consortium the CLI reads, where the deployer is no longer the owner", async () => {
      const { file } = await loadFixture(deployed);
      const member = cliRunner(file);
      const list = JSON.parse((await member("--json", "member", "list")).out) as { result: { name: string }[] };
      expect(list.result.map((m) => m.name)).to.include.members(["Settlement operator", "Danube Bank", "Acme Trading"]);
      const keyFile = join(dir, "deployer0.key");
      writeFileSync(keyFile, hardhatKey(0));
      const args = ["--account", key(9).address, "--roles", "CORPORATE", "--lei", "5493000ACMETRADE0025"];
      const admit = await member(
        "--key-file",
        keyFile,
        "member",
        "admit",
        ...args,
        "--name",
        "Late",
        "--max-single",
        "1",
        "--max-daily",
        "1",
      );
      expect(admit.code).to.equal(ExitCode.refusedByChain);
      expect(admit.err).to.match(/^error: OwnableUnauthorizedAccount: 0xf39F….{4} is not the owner/);
    });
  });
});
