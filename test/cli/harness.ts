import hre from "hardhat";
import { custom } from "viem";
import { runCli } from "../../src/cli/main";

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
