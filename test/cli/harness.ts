import hre from "hardhat";

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
