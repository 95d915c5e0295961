#!/usr/bin/env node
// `npm run demo [-- --serve]`: runs scripts/demo.ts on Hardhat's embedded network. With --serve the
// demo leaves the API and auditor console running on its chain (Ctrl-C stops). Plain JS so that
// the flag can be passed through npm (hardhat run takes no script arguments).
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS launcher */
const { spawn, spawnSync } = require("node:child_process");
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--serve");
if (unknown.length) {
  console.error(`error: unknown option ${unknown.join(" ")} (the demo takes only --serve)`);
  process.exit(2);
}
const env = { ...process.env, ...(args.includes("--serve") ? { CLEARHOUSE_DEMO_SERVE: "1" } : {}) };
// `hardhat run` compiles first; so do we (a no-op when the artifacts are current).
const hardhat = require.resolve("hardhat/internal/cli/bootstrap");
const compiled = spawnSync(process.execPath, [hardhat, "compile", "--quiet"], { stdio: "inherit", env });
if (compiled.status !== 0) {
  console.error("error: the contracts did not compile (see above)");
  process.exit(1);
}
// The script runs as Hardhat's `run` task would run it (ts-node, then hardhat/register, on the
// embedded network), but in our own child: `hardhat run` forks the script itself and turns a child
// killed by a signal into exit status null, i.e. 0 — a native crash would pass for success.
const child = spawn(
  process.execPath,
  [
    "--require",
    require.resolve("ts-node/register/transpile-only"),
    "--require",
    require.resolve("hardhat/register"),
    "scripts/demo.ts",
  ],
  { stdio: "inherit", env },
);
let stopping = false;
for (const s of ["SIGINT", "SIGTERM"])
  process.on(s, () => {
    stopping = true;
    child.kill(s);
  });
// A stop the user asked for (Ctrl-C, SIGTERM) ends in success; a crash (the child killed by any
// other signal, e.g. SIGABRT from a native abort) is a failure, never a silent exit 0.
child.on("exit", (code, signal) => {
  if (code !== null) process.exit(code);
  if (stopping) process.exit(0);
  console.error(`error: the demo crashed (killed by ${signal}); run it again, and report it if it repeats`);
  process.exit(1);
});
