#!/usr/bin/env node
// The `clearhouse` command. Runs the TypeScript sources directly (transpile-only, no build step),
// so `npm ci` is all it needs.
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
const { runCli } = require("../src/cli/main");
runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s + "\n"),
  err: (s) => process.stderr.write(s + "\n"),
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
