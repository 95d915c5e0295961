#!/usr/bin/env node
// Builds every workspace package to dist/: CommonJS (dist/cjs) and ES modules (dist/esm), one
// output file per source file (esbuild), and with --types the declarations (tsc) beside each.
// Usage: node scripts/build/packages.mjs [--types] [package…]   (default: every package, in order)
import { transform } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Dependency order: each package is built after the packages it imports. */
export const PACKAGES = ["contracts", "sdk", "zk", "server", "cli"];
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const withTypes = args.includes("--types");
const only = args.filter((a) => !a.startsWith("--"));
for (const name of only)
  if (!PACKAGES.includes(name)) {
    console.error(`error: unknown package ${name} (packages: ${PACKAGES.join(", ")})`);
    process.exit(2);
  }

function walk(dir) {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * Give every relative specifier of an ES module its file: `./x` → `./x.js`, `./dir` → `./dir/index.js`
 * (Node's ESM loader does not guess extensions). `exists(rel)` says whether a source path exists.
 */
export function withExtensions(code, fromRel, exists) {
  const fix = (spec) => {
    if (!spec.startsWith(".")) return spec;
    const base = join(dirname(fromRel), spec);
    if (exists(base + ".ts")) return spec + ".js";
    if (exists(join(base, "index.ts"))) return spec + "/index.js";
    return spec;
  };
  return code
    .replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g, (_m, pre, q, s) => `${pre}${q}${fix(s)}${q}`);
}

const ESM_DIRNAME =
  'import { dirname as __chDirname } from "node:path";\nimport { fileURLToPath as __chFileURLToPath } from "node:url";\n' +
  "const __dirname = __chDirname(__chFileURLToPath(import.meta.url));\n";

async function buildJs(pkg) {
  const dir = join(ROOT, "packages", pkg);
  const src = join(dir, "src");
  const dist = join(dir, "dist");
  for (const f of ["cjs", "esm"]) rmSync(join(dist, f), { recursive: true, force: true });
  const files = walk(src);
  const exists = (rel) => existsSync(join(src, rel));
  for (const file of files) {
    const rel = relative(src, file);
    if (!file.endsWith(".ts")) {
      for (const f of ["cjs", "esm"]) {
        mkdirSync(dirname(join(dist, f, rel)), { recursive: true });
        copyFileSync(file, join(dist, f, rel));
      }
      continue;
    }
    const source = readFileSync(file, "utf8");
    const out = rel.replace(/\.ts$/, ".js");
    for (const format of ["cjs", "esm"]) {
      const { code } = await transform(source, {
        loader: "ts",
        format,
        target: "node20",
        sourcefile: relative(ROOT, file),
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false, preserveValueImports: false } },
        // CommonJS: a lazy `await import("./x")` becomes a lazy require (Node's ESM loader would not
        // find an extensionless path)
        ...(format === "cjs" ? { supported: { "dynamic-import": false } } : {}),
      });
      let text = code;
      if (format === "esm") {
        text = withExtensions(text, rel, exists);
        if (/\b__dirname\b/.test(source)) text = ESM_DIRNAME + text;
      }
      mkdirSync(dirname(join(dist, format, out)), { recursive: true });
      writeFileSync(join(dist, format, out), text);
    }
  }
  writeFileSync(join(dist, "cjs", "package.json"), '{ "type": "commonjs" }\n');
  writeFileSync(join(dist, "esm", "package.json"), '{ "type": "module" }\n');
  return files.length;
}

function buildTypes(pkg) {
  const dir = join(ROOT, "packages", pkg);
  const tmp = join(dir, "dist", "types-tmp");
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(dir, "tsconfig.build.json"), "--declarationDir", tmp], {
    stdio: "inherit",
    cwd: ROOT,
  });
  const src = join(dir, "src");
  const exists = (rel) => existsSync(join(src, rel));
  for (const file of walk(tmp)) {
    const rel = relative(tmp, file);
    const text = readFileSync(file, "utf8");
    for (const format of ["cjs", "esm"]) {
      const to = join(dir, "dist", format, rel);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, format === "esm" ? withExtensions(text, rel.replace(/\.d\.ts$/, ".ts"), exists) : text);
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Ship what a package needs beside its code: Solidity sources and compiled artifacts (the abi and
 * creation bytecode of each contract `deployConsortium` deploys, as artifacts/<name>.json). The list
 * is packages/contracts/src/artifactPaths.ts, read from its fresh build.
 */
async function copyAssets(pkg) {
  if (pkg !== "contracts") return;
  const dir = join(ROOT, "packages", "contracts");
  const sol = join(ROOT, "contracts");
  rmSync(join(dir, "contracts"), { recursive: true, force: true });
  // the product's sources only: not the test doubles (contracts/test) nor the benchmark peers
  const shipped = (f) => f.endsWith(".sol") && !/^(test|bench)\//.test(relative(sol, f).replace(/\\/g, "/"));
  for (const f of walk(sol).filter(shipped)) {
    const to = join(dir, "contracts", relative(sol, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  const { SHIPPED_ARTIFACTS } = await import(pathToFileURL(join(dir, "dist", "esm", "artifactPaths.js")).href);
  const out = join(dir, "artifacts");
  rmSync(out, { recursive: true, force: true });
  const missing = Object.values(SHIPPED_ARTIFACTS).filter((rel) => !existsSync(join(ROOT, "artifacts", rel)));
  if (missing.length) {
    // A release build (--types, what `npm pack` needs) must ship them; `prepare` right after
    // `npm ci`, before anything was compiled, may not have them yet (`npm run build` adds them).
    if (withTypes) throw new Error(`@clearhouse/contracts: compiled contract missing (run \`npx hardhat compile\`): ${missing[0]}`);
    console.warn(`@clearhouse/contracts: no compiled contracts to ship (run \`npx hardhat compile\`): ${missing[0]}`);
    return;
  }
  mkdirSync(out, { recursive: true });
  for (const [name, rel] of Object.entries(SHIPPED_ARTIFACTS)) {
    const { contractName, sourceName, abi, bytecode } = JSON.parse(readFileSync(join(ROOT, "artifacts", rel), "utf8"));
    writeFileSync(join(out, `${name}.json`), JSON.stringify({ contractName, sourceName, abi, bytecode }) + "\n");
  }
}

const started = Date.now();
for (const pkg of only.length ? PACKAGES.filter((p) => only.includes(p)) : PACKAGES) {
  const t = Date.now();
  const n = await buildJs(pkg);
  await copyAssets(pkg);
  if (withTypes) buildTypes(pkg);
  console.log(`@clearhouse/${pkg}: ${n} files → dist/cjs + dist/esm${withTypes ? " + .d.ts" : ""} (${Date.now() - t} ms)`);
}
console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
