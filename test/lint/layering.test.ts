/**
 * The layering rules (.dependency-cruiser.cjs, `npm run lint:deps`) catch what they are meant to:
 * a miniature of the repository in a temporary directory (the real package.json files, tsconfig
 * and rules; a few source files) holds one violation of each rule beside imports that are allowed,
 * and the check must report exactly the violations.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const PACKAGES = ["contracts", "sdk", "zk", "server", "cli"];

/** Source files of the miniature, by path: each comment says what the checker must think of it. */
const SOURCES: Record<string, string> = {
  // Entries (package.json "exports", and the CLI's main): allowed.
  "packages/contracts/src/index.ts": `export const ledgerAbi = [] as const;\nexport type Deployment = { chainId: number };\n`,
  "packages/sdk/src/index.ts": [
    `export * from "./settlement";`,
    `export { readsFs } from "./readsFs";`,
    `export { readsPath } from "./readsPath";`,
    `export { usesNodeHelper } from "./usesNodeHelper";`,
    `export { provesHere } from "./provesHere";`,
    `export { importsZk } from "./importsZk";`,
    `export { usesDeploy } from "./usesDeploy";`,
    `export { a } from "./cycleA";`,
    `export { missing } from "./missing";`,
    `export { ledgerAbi } from "@clearhouse/contracts";`,
  ].join("\n"),
  "packages/sdk/src/settlement/index.ts": `export * from "./ledger";\n`,
  "packages/sdk/src/settlement/ledger.ts": `export const getBatch = () => 1;\n`,
  "packages/sdk/src/node/index.ts": `export * from "./files";\n`,
  "packages/sdk/src/node/files.ts": `import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n`,
  // Violations in the SDK core.
  "packages/sdk/src/readsFs.ts": `import { readFileSync } from "node:fs";\nexport const readsFs = readFileSync;\n`,
  "packages/sdk/src/readsPath.ts": `import { join } from "path";\nexport const readsPath = join;\n`,
  "packages/sdk/src/usesNodeHelper.ts": `import { read } from "./node/files";\nexport const usesNodeHelper = read;\n`,
  "packages/sdk/src/provesHere.ts": `import * as snarkjs from "snarkjs";\nexport const provesHere = snarkjs;\n`,
  "packages/sdk/src/usesDeploy.ts": `import { deploy } from "@clearhouse/contracts/deploy";\nexport const usesDeploy = deploy;\n`,
  "packages/contracts/src/deploy/index.ts": `export const deploy = () => 1;\n`,
  "packages/sdk/src/importsZk.ts": `import { prove } from "@clearhouse/zk";\nexport const importsZk = prove;\n`,
  "packages/sdk/src/cycleA.ts": `import { b } from "./cycleB";\nexport const a = () => b;\n`,
  "packages/sdk/src/cycleB.ts": `import { a } from "./cycleA";\nexport const b = () => a;\n`,
  "packages/sdk/src/missing.ts": `export { missing } from "./notThere";\n`,
  // zk: an allowed entry import, a deep one and a relative one.
  "packages/zk/src/index.ts": [
    `import { getBatch } from "@clearhouse/sdk/settlement";`,
    `export { deep } from "./deep";`,
    `export { relative } from "./relative";`,
    `export const prove = getBatch;`,
  ].join("\n"),
  "packages/zk/src/deep.ts": `import { getBatch } from "@clearhouse/sdk/settlement/ledger";\nexport const deep = getBatch;\n`,
  "packages/zk/src/relative.ts": `import { getBatch } from "../../sdk/src/settlement";\nexport const relative = getBatch;\n`,
  // server: a raw ABI (refused), a type-only import of contracts (allowed), an unreachable module.
  "packages/server/src/index.ts": `export { readsAbi } from "./readsAbi";\nexport type { D } from "./typeOnly";\n`,
  "packages/server/src/readsAbi.ts": `import { ledgerAbi } from "@clearhouse/contracts";\nexport const readsAbi = ledgerAbi;\n`,
  "packages/server/src/typeOnly.ts": `import type { Deployment } from "@clearhouse/contracts";\nexport type D = Deployment;\n`,
  "packages/server/src/dead.ts": `export const dead = 1;\n`,
  // contracts reaching up, and the CLI importing the server (allowed: the CLI is the top layer).
  "packages/contracts/src/up.ts": `import { getBatch } from "@clearhouse/sdk";\nexport const up = getBatch;\n`,
  "packages/cli/src/main.ts": `import { readsAbi } from "@clearhouse/server";\nexport const main = readsAbi;\n`,
};

/** [rule, from, to] of every violation the miniature must produce, sorted. */
const EXPECTED: [string, string, string][] = [
  ["browser-core-no-contracts-deploy", "packages/sdk/src/usesDeploy.ts", "packages/contracts/src/deploy/index.ts"],
  ["contracts-imports-no-package", "packages/contracts/src/up.ts", "packages/sdk/src/index.ts"],
  ["no-circular", "packages/sdk/src/cycleA.ts", "packages/sdk/src/cycleB.ts"],
  ["no-deep-import-across-packages", "packages/zk/src/deep.ts", "packages/sdk/src/settlement/ledger.ts"],
  ["no-relative-import-across-packages", "packages/zk/src/relative.ts", "packages/sdk/src/settlement/index.ts"],
  ["no-unreachable-module", "packages/contracts/src/up.ts", "packages/contracts/src/up.ts"],
  ["no-unreachable-module", "packages/server/src/dead.ts", "packages/server/src/dead.ts"],
  ["not-to-unresolvable", "packages/sdk/src/missing.ts", "./notThere"],
  ["packages-use-declared-dependencies", "packages/sdk/src/provesHere.ts", "snarkjs"],
  ["sdk-core-no-node-builtins", "packages/sdk/src/readsFs.ts", "fs"],
  ["sdk-core-no-node-builtins", "packages/sdk/src/readsPath.ts", "path"],
  ["sdk-core-no-node-helpers", "packages/sdk/src/usesNodeHelper.ts", "packages/sdk/src/node/files.ts"],
  ["sdk-core-no-prover-or-server-libraries", "packages/sdk/src/provesHere.ts", "snarkjs"],
  ["sdk-imports-only-contracts", "packages/sdk/src/importsZk.ts", "packages/zk/src/index.ts"],
  ["server-and-cli-through-the-sdk", "packages/server/src/readsAbi.ts", "packages/contracts/src/index.ts"],
];

/** The rules that only warn. */
const WARNINGS = new Set(["no-unreachable-module"]);

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** The miniature repository: real rules, tsconfig and package.json files; SOURCES as sources. */
function miniature(): string {
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-layering-"));
  copyFileSync(join(ROOT, ".dependency-cruiser.cjs"), join(dir, ".dependency-cruiser.cjs"));
  copyFileSync(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir"); // snarkjs, viem
  for (const pkg of PACKAGES) {
    mkdirSync(join(dir, "packages", pkg), { recursive: true });
    copyFileSync(join(ROOT, "packages", pkg, "package.json"), join(dir, "packages", pkg, "package.json"));
  }
  for (const [path, text] of Object.entries(SOURCES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function check(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(ROOT, "scripts", "lint", "deps.mjs"), ...args], { cwd });
    return { code: 0, out: stdout };
  } catch (e) {
    const failed = e as { code: number; stdout: string };
    return { code: failed.code, out: failed.stdout };
  }
}

/** The violations (JSON output) of a check of `paths` in `cwd`. */
async function violationsOf(cwd: string, paths: string[]): Promise<Violation[]> {
  const { out } = await check(cwd, ["--output-type", "json", ...paths]);
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

/** An npm module's resolved path (…/node_modules/snarkjs/main.js) as its package name. */
const npmName = (to: string) => to.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, "$1");

describe("layering rules (dependency-cruiser)", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = miniature()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("report exactly the planted violations, as errors but the unreachable modules", async () => {
    const violations = await violationsOf(dir, ["packages"]);
    const found = violations.map((v): [string, string, string] => [v.rule.name, v.from, npmName(v.to)]).sort();
    expect(found).to.deep.equal(EXPECTED);
    for (const v of violations)
      expect(v.rule.severity, v.rule.name).to.equal(WARNINGS.has(v.rule.name) ? "warn" : "error");
    // The lint's exit code: the number of errors (warnings do not fail it).
    const { code, out } = await check(dir, ["packages"]);
    expect(code).to.equal(EXPECTED.filter(([rule]) => !WARNINGS.has(rule)).length);
    expect(out).to.match(/error no-circular: packages\/sdk\/src\/cycleA\.ts/);
  });

  it("pass the allowed imports: entries, type-only contracts imports, the CLI on the server", async () => {
    const allowed = [
      "packages/zk/src/index.ts",
      "packages/server/src/typeOnly.ts",
      "packages/cli/src/main.ts",
      "packages/sdk/src/node/index.ts",
      "packages/sdk/src/node/files.ts",
    ];
    const violations = await violationsOf(dir, allowed);
    expect(violations.filter((v) => allowed.includes(v.from))).to.deep.equal([]);
    // What they import is checked too: zk's index reaches the deep and relative imports.
    expect(violations.map((v) => v.from)).to.include.members([
      "packages/zk/src/deep.ts",
      "packages/zk/src/relative.ts",
    ]);
  });
});
