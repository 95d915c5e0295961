#!/usr/bin/env node
// `npm run demo [-- --serve]`: runs scripts/demo.ts on Hardhat's embedded network. With --serve the
// demo leaves the API and auditor console running on its chain (Ctrl-C stops). Plain JS so that
// the flag can be passed through npm (hardhat run takes no script arguments).
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS launcher */
const { spawn } = require("node:child_process");
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--serve");
if (unknown.length) {
  console.error(`error: unknown option ${unknown.join(" ")} (the demo takes only --serve)`);
  process.exit(2);
}
const env = { ...process.env, ...(args.includes("--serve") ? { CLEARHOUSE_DEMO_SERVE: "1" } : {}) };
const child = spawn(process.execPath, [require.resolve("hardhat/internal/cli/bootstrap"), "run", "scripts/demo.ts"], {
  stdio: "inherit",
  env,
});
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => child.kill(s));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
