/**
 * The global `--key <uri>` (a PKCS#11 URI) and the commands that have a `--key` of their own
 * (`batch build`'s idempotency key, `regulator split`'s and `offline device|pay`'s key files).
 * Commander lets a program option take its flag anywhere on the line, so for those commands the
 * program's `--key` would swallow theirs. For them the signer's URI travels as a hidden
 * `--signer-key`: a `--key` before the command's name, or one whose value starts with `pkcs11:`,
 * is the signer; any other `--key` is the command's own.
 */
import type { Command } from "commander";
import { groupIndex, isValueOption } from "./groups";

/** The hidden program option that carries the signer's URI when the command has a `--key` of its own. */
export const SIGNER_KEY_FLAG = "--signer-key";

/** The command `argv` runs among `commands`: the group, or its subcommand named next. */
export function leafOf(commands: readonly Command[], argv: readonly string[]): Command | undefined {
  const at = groupIndex(argv);
  if (at < 0) return undefined;
  const group = commands.find((c) => c.name() === argv[at]);
  if (!group || group.commands.length === 0) return group;
  // the first word after the group that is neither an option nor the value of a global one
  let word: string | undefined;
  for (let i = at + 1; i < argv.length && word === undefined; i++) {
    if (isValueOption(argv[i])) i++;
    else if (!argv[i].startsWith("-")) word = argv[i];
  }
  return group.commands.find((c) => c.name() === word || c.aliases().includes(word ?? "")) ?? group;
}

/** Whether the command declares a `--key` of its own. */
export function ownsKeyOption(command: Command | undefined): boolean {
  return command?.options.some((o) => o.long === "--key") ?? false;
}

const isUri = (value: string | undefined): boolean => value !== undefined && /^pkcs11:/i.test(value);

/**
 * `argv` with the signer's `--key` renamed to `--signer-key` when the command it runs has a
 * `--key` of its own (unchanged otherwise, and after a `--`).
 */
export function routeKeyArgs(commands: readonly Command[], argv: readonly string[]): string[] {
  if (!ownsKeyOption(leafOf(commands, argv))) return [...argv];
  const at = groupIndex(argv);
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const word = out[i];
    if (word === "--") break;
    const signer = (value: string | undefined) => i < at || isUri(value);
    if (word === "--key" && signer(out[i + 1])) out[i] = SIGNER_KEY_FLAG;
    else if (word.startsWith("--key=") && signer(word.slice("--key=".length)))
      out[i] = `${SIGNER_KEY_FLAG}=${word.slice("--key=".length)}`;
    if (word === "--key") i++; // skip its value
  }
  return out;
}
