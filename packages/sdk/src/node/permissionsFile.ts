/**
 * Rewriting a node's `permissions_config.toml` from the registry's allowlist, on disk: the file
 * Besu reads at start and on `perm_reloadPermissionsFromFile`. Written as Besu itself writes it
 * (`renderPermissionsToml`), atomically (a temporary file renamed over it: Besu never reads half a
 * file; through a symlink, to the file it points to), keeping its `accounts-allowlist`, its mode
 * and (run as root) its owner, and not at all when its node list already holds exactly the
 * registry's nodes (a file whose only difference is order or comments is left as it is).
 * `kitPermissionsFiles` lists the files of a kit written by `clearhouse network init`.
 */
import { chmodSync, chownSync, existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { canonicalEnode } from "../network/enodes";
import { PermissionsFileError, parsePermissionsToml, renderPermissionsToml, sameNodeAllowlist } from "../network";
import { writeFileAtomic } from "./fileio";

/** What a file sync did. */
export interface PermissionsFileResult {
  path: string;
  /** False when the file already held exactly these nodes (it was not touched). */
  changed: boolean;
  added: string[];
  removed: string[];
  /** The file did not exist and was created. */
  created: boolean;
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${(error as Error).message.split("\n")[0]}` : String(error);
}

/**
 * Make the `nodes-allowlist` of the permissions file at `path` exactly `enodes` (Besu's enode URLs,
 * in that order), keeping its `accounts-allowlist`. A missing file is created (mode 0644).
 * @throws PermissionsFileError when the file cannot be read, parsed or written.
 */
export function syncPermissionsFile(path: string, enodes: readonly string[]): PermissionsFileResult {
  // a symlinked file is written where it points (the file Besu reads), the link kept
  const file = existsSync(resolve(path)) ? realpathSync(resolve(path)) : resolve(path);
  const wanted = enodes.map(canonicalEnode);
  let text: string | undefined;
  let mode = 0o644;
  let owner: { uid: number; gid: number } | undefined;
  if (existsSync(file)) {
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new PermissionsFileError(file, "is not a regular file");
      mode = st.mode & 0o777;
      owner = { uid: st.uid, gid: st.gid };
      text = readFileSync(file, "utf8");
    } catch (error) {
      if (error instanceof PermissionsFileError) throw error;
      throw new PermissionsFileError(file, `cannot be read (${why(error)})`, undefined, error);
    }
  }
  const current = text === undefined ? {} : parsePermissionsToml(text, file);
  const before = new Set((current.nodes ?? []).map((e) => safeCanonical(e)));
  const added = wanted.filter((e) => !before.has(e));
  const removed = [...before].filter((e) => !wanted.includes(e));
  if (text !== undefined && sameNodeAllowlist(current.nodes, wanted))
    return { path: file, changed: false, added: [], removed: [], created: false };
  const content = renderPermissionsToml({ nodes: wanted, ...(current.accounts ? { accounts: current.accounts } : {}) });
  try {
    writeFileAtomic(file, content, mode);
    chmodSync(file, mode);
    // run as root, give the file back to its owner: Besu (its own user) rewrites it on PERM changes
    if (owner && process.getuid?.() === 0) chownSync(file, owner.uid, owner.gid);
  } catch (error) {
    throw new PermissionsFileError(
      file,
      `cannot be written (${why(error)})`,
      "Check that the directory exists and this user may write it (the watcher replaces the file with a temporary file renamed over it).",
      error,
    );
  }
  return { path: file, changed: true, added, removed, created: text === undefined };
}

function safeCanonical(entry: string): string {
  try {
    return canonicalEnode(entry);
  } catch {
    return entry;
  }
}

/**
 * A permissions file to keep in line with the registry, and the static-nodes file of the same node
 * (`static-nodes.json` beside it when not given, if there is one). With `rewriteStaticNodes`, a
 * static node the registry no longer allows is dropped from that file before the permissions file
 * is rewritten; without, the permissions file is not rewritten while it would leave one out
 * (StaticNodeNotAllowedError): Besu would not start.
 */
export interface PermissionsFileTarget {
  path: string;
  staticNodes?: string;
  rewriteStaticNodes?: boolean;
}

/** A node of a kit, its permissions file and its static nodes (rewritten by sync-permissions). */
export interface KitPermissionsFile extends PermissionsFileTarget {
  node: string;
  role: "validator" | "member";
  enode: string;
  staticNodes: string;
  rewriteStaticNodes: true;
}

/**
 * The permissions files of the kit in `dir` (from its nodes.json): `<dir>/<node>/permissions_config.toml`,
 * each with its `static-nodes.json` (to rewrite).
 * @throws PermissionsFileError when nodes.json is missing or unreadable, or a node's directory is missing.
 */
export function kitPermissionsFiles(dir: string): KitPermissionsFile[] {
  const kit = resolve(dir);
  const list = join(kit, "nodes.json");
  let nodes: unknown;
  try {
    nodes = JSON.parse(readFileSync(list, "utf8"));
  } catch (error) {
    throw new PermissionsFileError(
      list,
      `cannot be read as a kit's node list (${why(error)})`,
      "Pass the directory `clearhouse network init --out` wrote (it holds nodes.json), or name the files with --file.",
      error,
    );
  }
  if (!Array.isArray(nodes)) throw new PermissionsFileError(list, "is not a list of nodes");
  return nodes.map((n: unknown, i) => {
    const node = n as { name?: unknown; role?: unknown; enode?: unknown };
    if (typeof node.name !== "string" || typeof node.enode !== "string" || !/^[A-Za-z0-9._-]+$/.test(node.name))
      throw new PermissionsFileError(list, `entry ${i} has no valid name and enode`);
    const nodeDir = join(kit, node.name);
    if (!existsSync(nodeDir) || !statSync(nodeDir).isDirectory())
      throw new PermissionsFileError(
        join(nodeDir, "permissions_config.toml"),
        `cannot be written: the kit has no directory for node ${node.name}`,
        "Re-run `clearhouse network init --force` for the kit, or name the files to rewrite with --file.",
      );
    return {
      node: node.name,
      role: node.role === "validator" ? "validator" : "member",
      enode: node.enode,
      path: join(nodeDir, "permissions_config.toml"),
      staticNodes: join(nodeDir, "static-nodes.json"),
      rewriteStaticNodes: true,
    };
  });
}
