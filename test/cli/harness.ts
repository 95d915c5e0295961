import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { custom } from "viem";
import { runCli } from "../../packages/cli/src/main";
import type { Deployment } from "../../packages/contracts/src/deployment";

const MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's well-known private key of account `i` (derived from the public test mnemonic). */
export const hardhatKey = (i: number): string =>
  hre.ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey;

/** What one in-process CLI run produced. */
export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Run the CLI in-process against the Hardhat chain with `deployment`, capturing its output. */
export function cliRunner(deployment: string): (...argv: string[]) => Promise<Run> {
  return async (...argv: string[]) => {
    let out = "";
    let err = "";
    const code = await runCli(["--deployment", deployment, ...argv], {
      out: (s) => (out += s + "\n"),
      err: (s) => (err += s + "\n"),
      transport: custom(hre.network.provider, { retryCount: 0 }),
      env: {},
    });
    return { code, out, err };
  };
}

/**
 * A fresh folder holding `deployment` as deployment.json, a CLI runner on it, and `keyFile(i)`
 * writing Hardhat account i's key to a file there.
 */
export function cliWorkspace(deployment: Deployment, label: string) {
  const dir = mkdtempSync(join(tmpdir(), `clearhouse-cli-${label}-`));
  const deploymentPath = join(dir, "deployment.json");
  writeFileSync(deploymentPath, JSON.stringify(deployment));
  const keyFile = (i: number): string => {
    const path = join(dir, `account${i}.key`);
    writeFileSync(path, hardhatKey(i));
    return path;
  };
  return { dir, deployment: deploymentPath, cli: cliRunner(deploymentPath), keyFile };
}

/** The `result` of a successful --json run. */
export function jsonResult<T = Record<string, unknown>>(r: Run): T {
  expect(r.code, r.err).to.equal(0);
  const body = JSON.parse(r.out) as { ok: boolean; result: T };
  expect(body.ok).to.equal(true);
  return body.result;
}

/** A failed run: the exit code and one `error:` line (plus its hint), never a stack trace. */
export function expectFailure(r: Run, code: number, message: RegExp): void {
  expect(r.code, r.out + r.err).to.equal(code);
  expect(r.err).to.match(/^error: /);
  expect(r.err.split("\n")[0], r.err).to.match(message);
  expect(r.err).not.to.match(/\n\s+at /);
  expect(r.out).to.equal("");
}
