/**
 * `clearhouse network init` on disk: read the `network:` section of a consortium file and write
 * the Besu QBFT kit (planNetworkKit's files) into a directory, private keys with mode 0600.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Hex } from "viem";
import { ClearhouseError } from "../errors/base";
import {
  NetworkConfigError,
  generateNodeKey,
  identityOfPrivateKey,
  parseNetworkSection,
  planNetworkKit,
  type NetworkKit,
  type NetworkSpec,
} from "../network";
import { writeFileAtomic } from "./fileio";

/** The output directory already holds a kit (or other files) and `force` was not given. */
export class NetworkKitExistsError extends ClearhouseError {
  override name = "NetworkKitExistsError";
  constructor(readonly dir: string) {
    super(`${dir} is not empty: refusing to overwrite it.`, {
      category: "input",
      hint: "Choose another --out directory, or pass --force to rewrite the kit (the nodes' existing key files are kept).",
    });
  }
}

/** The sections a consortium file may have (`clearhouse deploy` reads the others). */
const CONSORTIUM_SECTIONS = ["token", "members", "governance", "settlement", "network"];

/** Read a consortium file (YAML, or JSON when it ends in .json) and validate its `network:` section. */
export function readNetworkFile(path: string): NetworkSpec {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    throw new NetworkConfigError(path, "file", "cannot be read");
  }
  const json = /\.json$/i.test(path);
  let raw: unknown;
  try {
    raw = json ? JSON.parse(source) : parseYaml(source);
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    throw new NetworkConfigError(path, "file", `is not valid ${json ? "JSON" : "YAML"} (${why})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new NetworkConfigError(path, "top level", "must be a mapping");
  for (const key of Object.keys(raw))
    if (!CONSORTIUM_SECTIONS.includes(key))
      throw new NetworkConfigError(path, key, `is not a known section (${CONSORTIUM_SECTIONS.join(", ")})`);
  return parseNetworkSection((raw as { network?: unknown }).network, path);
}

/** A node key file already in the kit, reused by `--force` so the node keeps its enode. */
function existingKey(dir: string, node: string): Hex | undefined {
  const file = join(dir, node, "key");
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8").trim();
  try {
    identityOfPrivateKey(text);
  } catch {
    throw new NetworkConfigError(file, "key", "is not a Besu node key (0x + 64 hex digits): remove it or fix it");
  }
  return `0x${text.replace(/^0x/i, "").toLowerCase()}`;
}

export interface WriteNetworkKitOptions {
  /** Rewrite a non-empty directory; key files already there are kept. */
  force?: boolean;
  /** Key source for nodes without a key (default: a fresh random key); for tests. */
  newKey?: () => Hex;
}

/** Write the kit for `spec` into `outDir` (created if missing). Returns what was written. */
export function writeNetworkKit(spec: NetworkSpec, outDir: string, options: WriteNetworkKitOptions = {}): NetworkKit {
  const dir = resolve(outDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new NetworkKitExistsError(dir);
    if (readdirSync(dir).length > 0 && !options.force) throw new NetworkKitExistsError(dir);
  }
  const newKey = options.newKey ?? generateNodeKey;
  const keys = new Map<string, Hex>();
  for (const node of spec.nodes) {
    if (node.external) continue;
    keys.set(node.name, (options.force ? existingKey(dir, node.name) : undefined) ?? newKey());
  }
  const kit = planNetworkKit(spec, keys);
  for (const file of kit.files) {
    const path = join(dir, ...file.path.split("/"));
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileAtomic(path, file.content, file.mode);
    chmodSync(path, file.mode);
  }
  return kit;
}
