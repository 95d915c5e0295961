#!/usr/bin/env node
// Checks the layering rules of .dependency-cruiser.cjs (import cycles, package order, browser-safe
// SDK core, entries only across packages, server and CLI through the SDK).
// Usage: node scripts/lint/deps.mjs [--config <file>] [--output-type <type>] [path…]
//   from the repository root (the rules' paths are relative to the working directory); default
//   paths: packages scripts test bench; the exit code is the number of errors (at most 255).
//
// It calls dependency-cruiser's API rather than its `depcruise` command because that command
// refuses Node 20 (dependency-cruiser 18 declares node ^22), which this repository still supports;
// the API runs on it. On Node 22+ `npx depcruise packages scripts test bench` gives the same result.
import { cruise } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";

function parseArgs(argv) {
  const out = { config: ".dependency-cruiser.cjs", outputType: "err", paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--config") out.config = argv[++i];
    else if (a === "--output-type") out.outputType = argv[++i];
    else if (a.startsWith("--")) {
      console.error(`error: unknown option ${a} (options: --config <file>, --output-type <type>)`);
      process.exit(2);
    } else out.paths.push(a);
  }
  if (out.paths.length === 0) out.paths = ["packages", "scripts", "test", "bench"];
  return out;
}

const args = parseArgs(process.argv.slice(2));
const configFile = resolve(args.config);
const started = performance.now();
const options = await extractDepcruiseOptions(configFile);
const tsConfigFile = options.tsConfig?.fileName;
const result = await cruise(
  args.paths,
  { ...options, outputType: args.outputType },
  {},
  { tsConfig: tsConfigFile ? extractTSConfig(tsConfigFile) : undefined },
);
process.stdout.write(result.output);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stderr.write(`dependency rules checked in ${seconds} s\n`);
process.exitCode = Math.min(result.exitCode, 255);
