/**
 * A signing key held in an HSM: `--key pkcs11:token=<label>;object=<label>` (RFC 7512). The PIN
 * comes from CLEARHOUSE_PKCS11_PIN or, on a terminal, a prompt that does not echo; never from a
 * flag (a flag would land in the shell's history and the process list). The module is the URI's
 * `module-path`, else CLEARHOUSE_PKCS11_MODULE, else Debian's SoftHSM2.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { execFileSync } from "node:child_process";
import type { NonceManager } from "viem/accounts";
import { parsePkcs11Uri, pkcs11Account, Pkcs11PinError, type Pkcs11Account } from "@clearhouse/sdk/node";

/** Asks for a secret with no echo; undefined when there is no one to ask. */
export type SecretPrompt = (question: string) => string | undefined;

/** The HSM-backed account `uri` names, with the PIN from `env` or `prompt`. */
export function hsmAccount(
  uri: string,
  env: Record<string, string | undefined>,
  prompt: SecretPrompt | undefined,
  nonceManager?: NonceManager,
): Pkcs11Account {
  const parsed = parsePkcs11Uri(uri); // a malformed URI is refused before anyone is asked for a PIN
  const pin = pinFor(parsed.token, env, prompt);
  return pkcs11Account({ uri: parsed, pin, module: env.CLEARHOUSE_PKCS11_MODULE || undefined, nonceManager });
}

/** The token's PIN: CLEARHOUSE_PKCS11_PIN, else asked on the terminal. */
export function pinFor(token: string, env: Record<string, string | undefined>, prompt?: SecretPrompt): string {
  const fromEnv = env.CLEARHOUSE_PKCS11_PIN;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const asked = prompt?.(`PIN for token "${token}": `);
  if (asked === undefined)
    throw new Pkcs11PinError(token, "no PIN (CLEARHOUSE_PKCS11_PIN is not set and there is no terminal to ask on)");
  return asked;
}

/**
 * Ask on the controlling terminal (/dev/tty) with echo off, synchronously; undefined when stdin is
 * not a terminal (CI, a pipe) or the terminal cannot be opened.
 */
export const ttySecretPrompt: SecretPrompt = (question) => {
  if (!process.stdin.isTTY) return undefined;
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    return undefined;
  }
  const stty = (arg: string) => execFileSync("stty", [arg], { stdio: [fd, "ignore", "ignore"] });
  try {
    writeSync(fd, question);
    stty("-echo");
    const bytes: number[] = [];
    const one = Buffer.alloc(1);
    while (readSync(fd, one, 0, 1, null) === 1 && one[0] !== 0x0a) bytes.push(one[0]);
    return Buffer.from(bytes).toString("utf8").replace(/\r$/, "");
  } finally {
    try {
      stty("echo");
    } finally {
      writeSync(fd, "\n");
      closeSync(fd);
    }
  }
};
