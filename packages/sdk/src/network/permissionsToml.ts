/**
 * A node's `permissions_config.toml` (local permissioning): `nodes-allowlist` and, when account
 * permissioning is used, `accounts-allowlist`, each an array of strings. Read with a strict subset
 * of TOML (those two keys, arrays of strings over one or several lines, comments); written exactly
 * as Besu's own `AllowlistPersistor.updateConfig` rewrites the file after `perm_addNodesToAllowlist`
 * (hyperledger/besu ethereum/permissioning/.../AllowlistPersistor.java): the other allowlist first,
 * one `key=["a","b"]` line ending in a newline, then `nodes-allowlist=[...]` with no newline after
 * it; comments are not kept (Besu drops them too).
 */
import { ClearhouseError } from "../errors/base";
import { canonicalEnode } from "./enodes";

/** The TOML keys Besu reads from a permissions file (`PermissioningConfigurationBuilder`). */
export const PERMISSIONS_KEYS = ["accounts-allowlist", "nodes-allowlist"] as const;
type PermissionsKey = (typeof PERMISSIONS_KEYS)[number];

/** What a permissions file holds. */
export interface PermissionsFile {
  /** `nodes-allowlist` as written (undefined: the key is missing, which Besu refuses at start). */
  nodes?: string[];
  /** `accounts-allowlist` as written, kept on rewrite. */
  accounts?: string[];
}

/** A permissions file that cannot be read, parsed or written. */
export class PermissionsFileError extends ClearhouseError {
  override name = "PermissionsFileError";
  constructor(
    readonly path: string,
    readonly problem: string,
    hint = 'Fix the file by hand (Besu reads nodes-allowlist=["enode://…", …]) or check the path and its permissions.',
    cause?: unknown,
  ) {
    super(`${path}: ${problem}.`, { category: "input", hint, cause });
  }
}

/** Parse one TOML basic ("…") or literal ('…') string at `text[i]`; returns it and the index after it. */
function readString(text: string, i: number, fail: (why: string) => never): [string, number] {
  const quote = text[i];
  let j = i + 1;
  let out = "";
  while (j < text.length && text[j] !== quote) {
    if (text[j] === "\n") fail("has a string that runs past the end of its line");
    if (quote === '"' && text[j] === "\\") {
      const esc = text[j + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };
      if (esc in simple) {
        out += simple[esc];
        j += 2;
        continue;
      }
      const u = /^u([0-9a-fA-F]{4})/.exec(text.slice(j + 1, j + 6));
      if (!u) fail(`has an unsupported escape \\${esc ?? ""}`);
      out += String.fromCharCode(parseInt(u[1], 16));
      j += 6;
      continue;
    }
    out += text[j];
    j += 1;
  }
  if (j >= text.length) fail("has an unterminated string");
  return [out, j + 1];
}

/** Skip spaces, tabs, newlines and comments. */
function skipBlank(text: string, i: number): number {
  while (i < text.length) {
    if (text[i] === "#") while (i < text.length && text[i] !== "\n") i += 1;
    else if (/\s/.test(text[i])) i += 1;
    else break;
  }
  return i;
}

/**
 * Parse a permissions file: only `nodes-allowlist` and `accounts-allowlist`, each an array of
 * strings (Besu's file has nothing else). Anything else is refused with a PermissionsFileError,
 * so a rewrite never silently drops what an operator put there.
 */
export function parsePermissionsToml(text: string, path = "permissions_config.toml"): PermissionsFile {
  const fail = (why: string): never => {
    throw new PermissionsFileError(path, why);
  };
  const out: PermissionsFile = {};
  let i = skipBlank(text, 0);
  while (i < text.length) {
    const key = /^[A-Za-z0-9_-]+/.exec(text.slice(i))?.[0] ?? fail(`has a line that is not \`key=[…]\` at offset ${i}`);
    const field = key as PermissionsKey;
    if (!PERMISSIONS_KEYS.includes(field))
      fail(`has the key "${key}", which Besu's permissions file does not use (only ${PERMISSIONS_KEYS.join(", ")})`);
    const prop = field === "nodes-allowlist" ? "nodes" : "accounts";
    if (out[prop]) fail(`sets ${key} twice`);
    i += key.length;
    while (text[i] === " " || text[i] === "\t") i += 1;
    if (text[i] !== "=") fail(`has no "=" after ${key}`);
    i = skipBlank(text, i + 1);
    if (text[i] !== "[") fail(`${key} is not an array of strings`);
    const values: string[] = [];
    i = skipBlank(text, i + 1);
    while (text[i] !== "]") {
      if (text[i] !== '"' && text[i] !== "'") fail(`${key} holds something other than strings`);
      const [value, next] = readString(text, i, fail);
      values.push(value);
      i = skipBlank(text, next);
      if (text[i] === ",") i = skipBlank(text, i + 1);
      else if (text[i] !== "]") fail(`${key} is missing a "," or "]"`);
    }
    out[prop] = values;
    i += 1;
    while (text[i] === " " || text[i] === "\t") i += 1;
    if (i < text.length && text[i] !== "\n" && text[i] !== "\r" && text[i] !== "#")
      fail(`has more after ${key}'s array on the same line`);
    i = skipBlank(text, i);
  }
  return out;
}

function tomlArray(key: PermissionsKey, values: readonly string[]): string {
  return `${key}=[${values.map((v) => JSON.stringify(v)).join(",")}]`;
}

/**
 * The file Besu writes for `nodes` (its `AllowlistPersistor`): `accounts-allowlist` first when
 * there is one, then `nodes-allowlist` with no trailing newline.
 */
export function renderPermissionsToml(file: { nodes: readonly string[]; accounts?: readonly string[] }): string {
  const other = file.accounts ? `${tomlArray("accounts-allowlist", file.accounts)}\n` : "";
  return other + tomlArray("nodes-allowlist", file.nodes);
}

/**
 * Whether a file's `nodes-allowlist` already holds exactly `enodes` (as Besu compares nodes: the
 * canonical form, in any order, no duplicates). An entry Besu could not parse makes it differ.
 */
export function sameNodeAllowlist(written: readonly string[] | undefined, enodes: readonly string[]): boolean {
  if (!written || written.length !== enodes.length) return false;
  const want = new Set(enodes.map(canonicalEnode));
  const seen = new Set<string>();
  for (const entry of written) {
    let canonical: string;
    try {
      canonical = canonicalEnode(entry);
    } catch {
      return false;
    }
    if (!want.has(canonical) || seen.has(canonical)) return false;
    seen.add(canonical);
  }
  return seen.size === want.size;
}
