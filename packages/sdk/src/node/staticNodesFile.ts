/**
 * A node's `static-nodes.json` against the registry's allowlist. With node permissioning on, Besu
 * refuses to start when a static node or bootnode is not in its nodes-allowlist
 * (hyperledger/besu app/.../cli/BesuCommand.java `ensureAllNodesAreInAllowlist` →
 * `PermissioningConfigurationValidator.areAllNodesInAllowlist`: "Specified node(s) not in
 * nodes-allowlist [...]"; static nodes read by ethereum/p2p `StaticNodesParser`, a JSON list of
 * enode URLs), and never removes one from its allowlist by RPC (NodeLocalConfigPermissioningController:
 * "Cannot remove a fixed node (bootnode or static node) from allowlist"). So a permissions file
 * may only drop a node once that node is out of `static-nodes.json` too: in a kit,
 * sync-permissions rewrites `static-nodes.json` first; elsewhere, it refuses to write the file.
 */
import { existsSync, readFileSync } from "node:fs";
import { ClearhouseError } from "../errors/base";
import { PermissionsFileError } from "../network";
import { canonicalEnode } from "../network/enodes";
import { rewriteFileKeeping } from "./fileio";

/** A permissions file would leave out static nodes of the same node: Besu would not start. */
export class StaticNodeNotAllowedError extends ClearhouseError {
  override name = "StaticNodeNotAllowedError";
  constructor(
    readonly path: string,
    readonly staticNodesPath: string,
    readonly enodes: readonly string[],
  ) {
    super(
      `${path}: not rewritten: ${enodes.length} static node(s) of ${staticNodesPath} are not on the registry's allowlist, and Besu refuses to start with a static node outside its allowlist.`,
      {
        category: "refused",
        hint: "Take these nodes out of the node's static-nodes.json (then restart it), or allow them in the registry; for a kit, run sync-permissions with --kit, which rewrites static-nodes.json too.",
        metaMessages: enodes.map((e) => `  ${e}`),
      },
    );
  }
}

function canonicalOrSelf(entry: string): string {
  try {
    return canonicalEnode(entry);
  } catch {
    return entry;
  }
}

/**
 * The enode URLs of the static-nodes file at `path` (as written), or undefined when there is none.
 * An empty file is an empty list, as Besu reads it.
 * @throws PermissionsFileError when the file cannot be read or is not a JSON list of strings.
 */
export function readStaticNodes(path: string): string[] | undefined {
  if (!existsSync(path)) return undefined;
  let list: unknown;
  try {
    const text = readFileSync(path, "utf8");
    list = text.trim() === "" ? [] : JSON.parse(text);
  } catch (error) {
    throw new PermissionsFileError(path, `cannot be read as a list of static nodes (${String(error)})`);
  }
  if (!Array.isArray(list) || !list.every((e) => typeof e === "string"))
    throw new PermissionsFileError(path, "is not a JSON list of enode URLs");
  return list;
}

/** The static nodes of `path` that are not among `allowed` (canonical enode URLs). */
export function staticNodesOutside(path: string, allowed: readonly string[]): string[] {
  return (readStaticNodes(path) ?? []).filter((e) => !allowed.includes(canonicalOrSelf(e)));
}

/**
 * Keep in the static-nodes file at `path` only the nodes among `allowed` (canonical enode URLs),
 * in their order; rewritten atomically, keeping its mode, owner (run as root) and symlink, and
 * not at all when nothing is to be dropped. Returns the nodes dropped.
 * @throws PermissionsFileError when the file cannot be read, parsed or written.
 */
export function syncStaticNodesFile(path: string, allowed: readonly string[]): string[] {
  const list = readStaticNodes(path);
  if (list === undefined) return [];
  const dropped = list.filter((e) => !allowed.includes(canonicalOrSelf(e)));
  if (dropped.length === 0) return [];
  const kept = list.filter((e) => !dropped.includes(e));
  try {
    rewriteFileKeeping(path, JSON.stringify(kept, null, 2) + "\n");
  } catch (error) {
    throw new PermissionsFileError(path, `cannot be written (${String(error)})`, undefined, error);
  }
  return dropped;
}
