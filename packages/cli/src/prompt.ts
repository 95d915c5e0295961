/** A secret asked on the terminal (an HSM's PIN): no echo, never from a flag. */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** Asks for a secret with no echo; undefined when there is no one to ask. */
export type SecretPrompt = (question: string) => string | undefined;

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
