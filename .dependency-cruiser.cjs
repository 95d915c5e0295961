// Layering rules of the repository, checked by dependency-cruiser (`npm run lint:deps`, part of
// `npm run lint`). The layer order is the design's (docs/sdk.md "Layering", DESIGN.md "Packages"):
//
//   @clearhouse/contracts ← @clearhouse/sdk ← @clearhouse/zk ← @clearhouse/server ← @clearhouse/cli
//
// a package imports only packages to its left, and only through their entries (the subpaths of
// their package.json "exports"); the SDK's core (everything but src/node/) stays browser-safe.
//
// The package entries are derived from each package.json "exports" map (dist/cjs/x.d.ts →
// src/x.ts), so adding an entry there is all it takes to allow importing it.
"use strict";

/** Dependency order: each package may import only those before it. */
const PACKAGES = ["contracts", "sdk", "zk", "server", "cli"];

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The source file behind every public entry of `pkg` (from its package.json "exports"). */
function entriesOf(pkg) {
  const manifest = require(`./packages/${pkg}/package.json`);
  const out = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const types = target?.require?.types;
    if (subpath === "./package.json" || typeof types !== "string") continue;
    out.push(`packages/${pkg}/${types.replace(/^\.\/dist\/cjs\//, "src/").replace(/\.d\.ts$/, ".ts")}`);
  }
  // The CLI's entry is its command (bin/clearhouse.js loads dist/cjs/main.js), not a library.
  if (pkg === "cli") out.push("packages/cli/src/main.ts");
  // Worker-thread scripts are started by path (new Worker(file)), not imported.
  if (pkg === "sdk") out.push("packages/sdk/src/node/isoReadWorker.ts");
  return out;
}

const ENTRIES = PACKAGES.flatMap(entriesOf);
/** Matches exactly the entry files; group 1 is the package name. */
const ENTRY_WITH_PACKAGE = `^(?=(?:${ENTRIES.map(escapeRe).join("|")})$)packages/([^/]+)/`;
const ENTRY_FILES = ENTRIES.map((e) => `^${escapeRe(e)}$`);

/** `packages/<p>/` for every package after `pkg` in the order (those `pkg` must not import). */
const laterThan = (pkg) => `^packages/(${PACKAGES.slice(PACKAGES.indexOf(pkg) + 1).join("|")})/`;

const SDK_CORE = "^packages/sdk/src/";
const SDK_NODE = "^packages/sdk/src/node/";

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "An import cycle inside a package makes load order matter (an export is undefined while its " +
        "module is still loading) and means two modules are one concept: move what both need into a " +
        "module of its own.",
      from: { path: "^packages/" },
      to: { circular: true },
    },
    {
      name: "no-circular-outside-packages",
      severity: "warn",
      comment: "Scripts, tests and benches: cycles there are confusing too, but do not ship.",
      from: { path: "^(scripts|test|bench)/" },
      to: { circular: true },
    },
    {
      name: "contracts-imports-no-package",
      severity: "error",
      comment: "@clearhouse/contracts is the bottom layer (ABIs, the deployment type): it imports no other package.",
      from: { path: "^packages/contracts/" },
      to: { path: laterThan("contracts") },
    },
    {
      name: "sdk-imports-only-contracts",
      severity: "error",
      comment: "@clearhouse/sdk sits on @clearhouse/contracts only: zk, server and cli build on it, never the reverse.",
      from: { path: "^packages/sdk/" },
      to: { path: laterThan("sdk") },
    },
    {
      name: "zk-imports-no-server-or-cli",
      severity: "error",
      comment: "@clearhouse/zk (the prover) is used by the server and the CLI; it must not import them.",
      from: { path: "^packages/zk/" },
      to: { path: laterThan("zk") },
    },
    {
      name: "server-imports-no-cli",
      severity: "error",
      comment: "The CLI starts the server (`clearhouse serve`); the server never reaches into the CLI.",
      from: { path: "^packages/server/" },
      to: { path: laterThan("server") },
    },
    {
      name: "sdk-core-no-node-builtins",
      severity: "error",
      comment:
        "The SDK root (and the contracts it re-exports) runs in a browser: no Node builtin (node:fs, " +
        "fs, path, crypto, child_process, …). File helpers belong in packages/sdk/src/node/ " +
        "(@clearhouse/sdk/node).",
      // the Node-only subpaths: @clearhouse/sdk/node and @clearhouse/contracts/deploy
      from: { path: ["^packages/contracts/src/", SDK_CORE], pathNot: [SDK_NODE, "^packages/contracts/src/deploy/"] },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "sdk-core-no-node-helpers",
      severity: "error",
      comment:
        "The browser-safe core must not import the Node-only helpers of src/node/ (that would pull " +
        "node:fs into a browser bundle); parse functions live in the core, file reading in node/.",
      from: { path: SDK_CORE, pathNot: SDK_NODE },
      to: { path: SDK_NODE },
    },
    {
      name: "browser-core-no-contracts-deploy",
      severity: "error",
      comment:
        "@clearhouse/contracts/deploy reads the compiled artifacts from disk (Node only): the SDK's " +
        "browser-safe core and the contracts package's own root must not import it; " +
        "@clearhouse/sdk/node re-exports what front ends need.",
      from: { path: [SDK_CORE, "^packages/contracts/src/"], pathNot: [SDK_NODE, "^packages/contracts/src/deploy/"] },
      to: { path: "^packages/contracts/src/deploy/" },
    },
    {
      name: "sdk-core-no-prover-or-server-libraries",
      severity: "error",
      comment:
        "snarkjs (the prover, in @clearhouse/zk) and fastify (the server) are Node-only and heavy: " +
        "the SDK core takes proof verification injected (ProofVerifier) instead.",
      from: { path: ["^packages/contracts/src/", SDK_CORE] },
      to: { path: "(^|/)node_modules/(snarkjs|fastify)(/|$)" },
    },
    {
      name: "no-relative-import-across-packages",
      severity: "error",
      comment:
        "Across packages import the package name (@clearhouse/sdk/settlement), never a relative path " +
        "(../../sdk/src/…): a relative path breaks once the packages are installed from the registry.",
      from: { path: "^packages/([^/]+)/" },
      to: { path: "^packages/", pathNot: "^packages/$1/", dependencyTypes: ["local"], dependencyTypesNot: ["aliased"] },
    },
    {
      name: "no-deep-import-across-packages",
      severity: "error",
      comment:
        "Another package is reached only through its entries (the subpaths in its package.json " +
        '"exports"): @clearhouse/sdk/settlement, not @clearhouse/sdk/settlement/ledger — the ' +
        "published package refuses deep paths.",
      from: { path: "^packages/([^/]+)/" },
      to: { path: "^packages/", pathNot: ["^packages/$1/", ...ENTRY_FILES] },
    },
    {
      name: "server-and-cli-through-the-sdk",
      severity: "error",
      comment:
        "The server and the CLI read and write contracts through SDK functions (typed errors, " +
        "simulation, retries), not with raw ABIs from @clearhouse/contracts. Type-only imports " +
        "(e.g. the Deployment type) are fine. The ESLint rule in eslint.config.mjs also refuses " +
        "`*Abi` names re-exported by the SDK root.",
      from: { path: "^packages/(server|cli)/" },
      to: { path: "^packages/contracts/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "packages-use-declared-dependencies",
      severity: "error",
      comment:
        "A package imports only npm packages listed in its own package.json dependencies: the root " +
        "node_modules hides a missing one in the checkout, an install from the registry does not.",
      from: { path: "^packages/" },
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown", "npm-dev"] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment:
        "Every import resolves (the rules above see only resolved modules; an unresolved " +
        "@clearhouse/* import would slip past them).",
      from: { path: "^packages/" },
      to: { couldNotResolve: true },
    },
    {
      name: "no-unreachable-module",
      severity: "warn",
      comment:
        "A source module no entry of its package reaches (statically or by a lazy import()) is dead " +
        "code, or an entry missing from package.json exports. Ambient declarations (*.d.ts, e.g. types " +
        "for an untyped dependency) are read by the compiler, never imported.",
      from: { path: ENTRY_WITH_PACKAGE },
      to: { path: "^packages/$1/src/", pathNot: [...ENTRY_FILES, "\\.d\\.ts$"], reachable: false },
    },
  ],
  options: {
    // Scripts, tests and benches are cruised (for cycles), the libraries they use are not followed.
    doNotFollow: { path: "(^|/)node_modules/" },
    // Build outputs: packages/*/dist is what the sources compile to; circuits/build holds the
    // witness calculators snarkjs generates.
    // (node_modules is not excluded, only not followed: the rules on npm packages need to see them.)
    exclude: { path: ["^packages/[^/]+/dist/", "^packages/zk/circuits/build/"] },
    moduleSystems: ["es6", "cjs"],
    // The root tsconfig's `paths` map @clearhouse/* to the sources (as ts-node and tsc see them).
    tsConfig: { fileName: "tsconfig.json" },
    // See type-only imports (`import type`) too: they are dependencies of the layering.
    tsPreCompilationDeps: true,
    // Resolve npm packages (and @clearhouse/* when outside the paths) through their exports maps.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mjs", ".cjs", ".js", ".d.ts", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
