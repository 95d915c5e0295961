#!/usr/bin/env node
// `npm run fuzz -- [--campaign NAME|all] [--seed N] [--steps N]`: runs scripts/fuzz.ts on Hardhat's
// embedded network. Plain JS so that the flags can be passed through npm (hardhat run takes no
// script arguments): they travel in the environment.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS launcher */
const { spawn } = require("node:child_process");
const args = process.argv.slice(2);
const env = { ...process.env };
const usage = "usage: npm run fuzz -- [--campaign NAME|all] [--seed N] [--steps N]";
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  const key = { "--campaign": "FUZZ_CAMPAIGN", "--seed": "FUZZ_SEED", "--steps": "FUZZ_STEPS" }[flag];
  if (!key || value === undefined) {
    console.error(`error: ${key ? `${flag} needs a value` : `unknown option ${flag}`}\n${usage}`);
    process.exit(2);
  }
  if (key !== "FUZZ_CAMPAIGN" && !/^\d+$/.test(value)) {
    console.error(`error: ${flag} must be a whole number, got "${value}"\n${usage}`);
    process.exit(2);
  }
  env[key] = value;
}
const child = spawn(process.execPath, [require.resolve("hardhat/internal/cli/bootstrap"), "run", "scripts/fuzz.ts"], {
  stdio: "inherit",
  env,
});
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => child.kill(s));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
