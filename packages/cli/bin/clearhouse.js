#!/usr/bin/env node
// The `clearhouse` command: the compiled CLI (dist/cjs). In a checkout, `npm ci` builds it
// (the root `prepare` script); `npm run build:packages` rebuilds it after a change.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS launcher */
let cli;
try {
  cli = require("../dist/cjs/main.js");
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes("dist/cjs/main.js")) {
    process.stderr.write("error: the CLI is not built. Run `npm run build:packages` in the checkout.\n");
    process.exit(1);
  }
  throw e;
}
cli
  .runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + "\n"),
    err: (s) => process.stderr.write(s + "\n"),
    env: process.env,
    // an HSM's PIN when CLEARHOUSE_PKCS11_PIN is not set: asked on the terminal
    promptSecret: cli.ttySecretPrompt,
  })
  .then((code) => {
    process.exitCode = code;
  });
