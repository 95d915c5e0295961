/**
 * The packages install like any other: every workspace package is built (JS + declarations),
 * packed with `npm pack`, and installed from the tarballs into an empty project, where an ES module
 * and a CommonJS file written in TypeScript type-check with `tsc --strict`, scripts read a
 * deployment through a running node, and the `clearhouse` bin answers `--version` and `--help`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { serveProvider } from "../../scripts/lib/rpcProxy";
import { sdkFixture } from "../sdk/fixture";

const run = promisify(execFile);
/** Hardhat's account 0 (the well-known test key), the deployer of the installed CLI's deployment. */
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ROOT = join(__dirname, "..", "..");
const PACKAGES = ["contracts", "sdk", "zk", "server", "cli"];
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

const ESM_TS = `import { createClearhouse, fromMinorUnits, type Deployment } from "@clearhouse/sdk";
import { loadDeployment } from "@clearhouse/sdk/node";
import { settlementTokenAbi } from "@clearhouse/contracts";
import { CIRCUIT_IDS, type ProofBundle } from "@clearhouse/zk";
const deployment: Deployment = loadDeployment(process.argv[2] ?? "deployment.json");
const ch = createClearhouse({ rpcUrl: "http://127.0.0.1:8545", deployment });
const shown: string = fromMinorUnits(12_345n, 2);
const first: ProofBundle | undefined = undefined;
console.log(ch.deployment.chainId, shown, settlementTokenAbi.length, CIRCUIT_IDS.length, first);
`;
const CJS_TS = `import { createClearhouse, type Clearhouse } from "@clearhouse/sdk";
import { loadDeployment } from "@clearhouse/sdk/node";
const ch: Clearhouse = createClearhouse({ rpcUrl: "http://127.0.0.1:8545", deployment: loadDeployment("d.json") });
export const network: string = ch.deployment.network;
`;
/** Reads the deployment through the node: the token's identity and a member, as JSON. */
const READ = (kind: "esm" | "cjs") =>
  `${kind === "esm" ? 'import { createClearhouse } from "@clearhouse/sdk";\nimport { loadDeployment } from "@clearhouse/sdk/node";' : 'const { createClearhouse } = require("@clearhouse/sdk");\nconst { loadDeployment } = require("@clearhouse/sdk/node");'}
const [rpcUrl, file, member] = process.argv.slice(2);
const ch = createClearhouse({ rpcUrl, deployment: loadDeployment(file) });
(async () => {
  const info = await ch.token.getTokenInfo();
  const m = await ch.registry.getMember({ account: member });
  console.log(JSON.stringify({ symbol: info.symbol, decimals: info.decimals, status: m.status }));
})();
`;

describe("packages: packed, installed in an empty project, used from there", function () {
  this.timeout(600_000);
  let project: string;
  let packs: string;

  before(async () => {
    project = mkdtempSync(join(tmpdir(), "clearhouse-consumer-"));
    packs = mkdtempSync(join(tmpdir(), "clearhouse-packs-"));
    await run(process.execPath, [join(ROOT, "scripts", "build", "packages.mjs"), "--types"], { cwd: ROOT });
    for (const p of PACKAGES)
      await run(NPM, ["pack", "--silent", "--pack-destination", packs], { cwd: join(ROOT, "packages", p) });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    await run(
      NPM,
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        ...tarballs,
        "typescript@5.9.3",
        "@types/node@20.19.43",
      ],
      { cwd: project, maxBuffer: 64 << 20 },
    );
  });

  after(() => {
    rmSync(project, { recursive: true, force: true });
    rmSync(packs, { recursive: true, force: true });
  });

  it("packs each package with its build, and nothing from the checkout", () => {
    expect(readdirSync(packs).sort()).to.deep.equal(PACKAGES.map((p) => `clearhouse-${p}-0.2.0.tgz`).sort());
    expect(readdirSync(join(project, "node_modules", "@clearhouse")).sort()).to.deep.equal([...PACKAGES].sort());
  });

  it("type-checks an ES module and a CommonJS file against the installed declarations (tsc --strict)", async () => {
    writeFileSync(join(project, "esm.mts"), ESM_TS);
    writeFileSync(join(project, "cjs.cts"), CJS_TS);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        noEmit: true,
        types: ["node"],
      },
      include: ["esm.mts", "cjs.cts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
    await run(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", project], {
      cwd: project,
    });
    // and a type error is caught there (the check is real)
    writeFileSync(
      join(project, "cjs.cts"),
      CJS_TS.replace("export const network: string", "export const network: number"),
    );
    const failed = await run(
      process.execPath,
      [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", project],
      {
        cwd: project,
      },
    ).then(
      () => undefined,
      (e: { stdout: string }) => e.stdout,
    );
    expect(failed).to.match(/cjs\.cts.*error TS2322/);
  });

  it("creates a client and reads a deployment through a running node, from ESM and from CommonJS", async () => {
    const { deployment, addresses } = await loadFixture(sdkFixture);
    const file = join(project, "deployment.json");
    writeFileSync(file, JSON.stringify(deployment));
    writeFileSync(join(project, "read.mjs"), READ("esm"));
    writeFileSync(join(project, "read.cjs"), READ("cjs"));
    const node = await serveProvider(hre.network.provider);
    try {
      for (const script of ["read.mjs", "read.cjs"]) {
        const { stdout } = await run(process.execPath, [script, node.url, file, addresses.bankA], { cwd: project });
        expect(JSON.parse(stdout), script).to.deep.equal({
          symbol: deployment.token.symbol,
          decimals: deployment.token.decimals,
          status: "Active",
        });
      }
    } finally {
      await node.close();
    }
  });

  it("deploys a consortium with `npx clearhouse deploy` from the installed packages (no checkout, no Hardhat)", async () => {
    await loadFixture(sdkFixture);
    writeFileSync(join(project, "consortium.yaml"), readFileSync(join(ROOT, "config", "consortium.example.yaml")));
    writeFileSync(join(project, "deployer.key"), DEPLOYER_KEY);
    const node = await serveProvider(hre.network.provider);
    try {
      const argv = ["--no-install", "clearhouse", "--rpc-url", node.url, "--key-file", "deployer.key"];
      const r = await run("npx", [...argv, "deploy", "consortium.yaml"], { cwd: project, maxBuffer: 16 << 20 });
      expect(r.stdout).to.match(
        /^Deployed the consortium to "chain-31337" \(chain 31337\), wrote deployments\/chain-31337\.json\n/,
      );
      expect(r.stderr).to.match(/registered as batch_netting_16/);
      const deployment = JSON.parse(readFileSync(join(project, "deployments", "chain-31337.json"), "utf8")) as {
        contracts: Record<string, { proxy?: string; address?: string }>;
      };
      expect(Object.keys(deployment.contracts)).to.have.length(9); // 8 contracts and MemberAccounts
      const registry = await hre.ethers.getContractAt(
        "ConsortiumRegistry",
        deployment.contracts.ConsortiumRegistry.proxy!,
      );
      expect(await registry.owner()).to.equal(deployment.contracts.ConsortiumMultisig.address);
    } finally {
      await node.close();
    }
  });

  it("runs `npx clearhouse --version` and `--help`", async () => {
    const version = await run("npx", ["--no-install", "clearhouse", "--version"], { cwd: project });
    expect(version.stdout.trim()).to.equal("0.2.0");
    const help = await run("npx", ["--no-install", "clearhouse", "--help"], { cwd: project });
    expect(help.stdout).to.match(/^Usage: clearhouse \[options\] \[command\]/);
    for (const group of ["gov", "batch", "cycle", "pay", "audit", "deploy"])
      expect(help.stdout).to.include(`\n  ${group} `);
    const batch = await run("npx", ["--no-install", "clearhouse", "batch", "--help"], { cwd: project });
    expect(batch.stdout).to.include("status");
  });
});
