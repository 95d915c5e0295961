/**
 * Besu's local node permissioning behind the PERM JSON-RPC API, for one endpoint of the Besu-like
 * front (test/helpers/besuFront.ts): `perm_getNodesAllowlist`, `perm_addNodesToAllowlist`,
 * `perm_removeNodesFromAllowlist`, `perm_reloadPermissionsFromFile`, answered as Besu answers them.
 * Transcribed from hyperledger/besu at commit 3fd224e2e49ddd68aa61755525593a0a60c65507 (main,
 * 29 March 2026); paths under ethereum/, line numbers at that commit:
 *
 * - api/.../jsonrpc/internal/methods/permissioning/PermAddNodesToAllowlist.java `response` (l. 50–103),
 *   PermRemoveNodesFromAllowlist.java (l. 50–106), PermGetNodesAllowlist.java (l. 46–61),
 *   PermReloadPermissionsFromFile.java (l. 47–61): the result `"Success"` (JsonRpcSuccessResponse
 *   l. 28, SUCCESS_RESULT), which error each outcome gives, and -32602 "Invalid enode params"
 *   (RpcErrorType l. 60) when params[0] is not a list of strings (StringListParameter: a null list
 *   is an empty one);
 * - api/.../jsonrpc/internal/response/RpcErrorType.java l. 222–241: the -32000 codes and messages
 *   (`NODE_ALLOWLIST_*`, `ALLOWLIST_PERSIST_FAILURE`, `ALLOWLIST_FILE_SYNC`,
 *   `ALLOWLIST_RELOAD_ERROR`, `PERMISSIONING_NOT_ENABLED`); api/.../execution/JsonRpcExecutor.java
 *   l. 114–120: -32604 "Method not enabled" for a PERM method when the PERM API is not enabled;
 * - permissioning/.../NodeLocalConfigPermissioningController.java `addNodes` (l. 112–140),
 *   `removeNodes` (l. 146–179), `updateAllowlistInConfigFile` (l. 185–198), `validInput`
 *   (l. 200–213), `reload` (l. 252–276): the order of the checks (empty list, duplicate strings,
 *   each URL parsed — a bad one is "Request contains an invalid node" —, then for add an existing
 *   node, for remove a fixed node (bootnode or static node) before an absent one), all-or-nothing,
 *   the in-memory list kept in order (added nodes appended), then the file: its list must still
 *   contain the previous in-memory list (else "out of sync": the change stays applied, the file is
 *   not written), then it is rewritten (an I/O failure reverts the change); a failed reload keeps
 *   the previous list;
 * - permissioning/.../AllowlistPersistor.java `verifyConfigFileMatchesState` (l. 61–87),
 *   `updateConfig` (l. 95–100), `valueListToTomlArray` (l. 159–167): the file rewritten as the other
 *   allowlist's line, then `nodes-allowlist=["…","…"]` with no newline; the check compares the
 *   printed strings;
 * - p2p/.../peers/EnodeURLImpl.java `fromURI` (l. 110–146), `toURI` (l. 174–188), `equals`
 *   (l. 310–322), with DNS disabled: scheme `enode`, a 128-hex id, an IP, a port 1–65535,
 *   `?discport=`; printed with the id in lower case and `?discport` only when it differs. This
 *   mirror reads IPv4 only (Besu also reads IPv6; the kit uses IPv4).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { answer, failure, type RpcRequest, type RpcResponse } from "./besuFrontRpc";

/** One endpoint's node permissioning, as `front.nodePermissioning(i, …)` sets it. */
export interface NodePermissioningSetup {
  /** The node allowlist at start (as in its permissions file). */
  allowlist: readonly string[];
  /** Static nodes and bootnodes: Besu never removes them by RPC. */
  fixed?: readonly string[];
  /** The permissions_config.toml it persists to and reloads from (none: changes stay in memory). */
  file?: string;
  /** False: node permissioning is off (`--permissions-nodes-config-file-enabled=false`). */
  enabled?: boolean;
  /** False: the PERM API is not in `--rpc-http-api` (every perm_* is -32604). */
  api?: boolean;
}

export interface NodePermissioning {
  list: string[];
  fixed: Set<string>;
  file?: string;
  enabled: boolean;
  api: boolean;
}

const ERR = {
  notEnabled: "Node allowlist has not been enabled",
  permissioningNotEnabled: "Node/Account allowlist has not been enabled",
  empty: "Request contains an empty list of nodes",
  invalid: "Request contains an invalid node",
  duplicated: "Request contains duplicate nodes",
  existing: "Cannot add an existing node to allowlist",
  missing: "Cannot remove an absent node from allowlist",
  fixed: "Cannot remove a fixed node (bootnode or static node) from allowlist",
  persist: "Unable to persist changes to allowlist configuration file. Changes reverted",
  fileSync:
    "The permissioning allowlist configuration file is out of sync.  The changes have been applied, but not persisted to disk",
  reload:
    "Error reloading permissions file. Please use perm_getAccountsAllowlist and perm_getNodesAllowlist to review the current state of the allowlists",
} as const;

/** EnodeURLImpl.fromString then toString (throws on what Besu refuses). */
export function besuEnode(value: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^@/]*)@([^:/?]+)(?::(-?\d+))?(?:\?(.*))?$/.exec(value);
  if (!m || m[1].toLowerCase() !== "enode") throw new Error("Invalid URI scheme");
  const [, , id, ip, portText, query] = m;
  if (!/^[0-9a-fA-F]{128}$/.test(id)) throw new Error("Invalid node ID");
  const octets = ip.split(".");
  if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255))
    throw new Error("Invalid ip address.");
  const port = portText === undefined ? -1 : Number(portText);
  if (!(port >= 1 && port <= 65535)) throw new Error("listening port requires a value between 1 and 65535");
  let disc = port;
  if (query !== undefined) {
    const d = /^discport=([0-9]{1,5})$/.exec(query);
    if (!d) throw new Error(`Invalid discovery port: '${query}'.`);
    disc = Number(d[1]);
    if (!(disc >= 1 && disc <= 65535)) throw new Error("discovery port requires a value between 1 and 65535");
  }
  const base = `enode://${id.toLowerCase()}@${ip}:${port}`;
  return disc === port ? base : `${base}?discport=${disc}`;
}

/** A permissions file's arrays (the files here are Besu's or the SDK's one-line arrays). */
function readAllowlists(path: string): Map<string, string[]> {
  const text = readFileSync(path, "utf8");
  const out = new Map<string, string[]>();
  for (const m of text.matchAll(/^(nodes-allowlist|accounts-allowlist)\s*=\s*(\[[^\]]*\])/gm))
    out.set(m[1], JSON.parse(m[2]) as string[]);
  return out;
}

/** AllowlistPersistor.updateConfig: the other allowlist's line, then the nodes line without a newline. */
function persist(path: string, nodes: readonly string[]): void {
  const others = [...readAllowlists(path)].filter(([k]) => k !== "nodes-allowlist");
  const line = (k: string, v: readonly string[]) => `${k}=[${v.map((s) => `"${s}"`).join(",")}]`;
  writeFileSync(path, others.map(([k, v]) => line(k, v) + "\n").join("") + line("nodes-allowlist", nodes));
}

/** The node allowlist of a permissions file, as Besu reads it at start (EnodeURL strings). */
export function readNodesAllowlist(path: string): string[] {
  const nodes = readAllowlists(path).get("nodes-allowlist");
  if (!nodes) throw new Error(`nodes-allowlist config option missing in TOML config file ${path}`);
  return nodes.map(besuEnode);
}

/** An endpoint's permissioning from its setup. */
export function setupPermissioning(s: NodePermissioningSetup): NodePermissioning {
  return {
    list: s.allowlist.map(besuEnode),
    fixed: new Set((s.fixed ?? []).map(besuEnode)),
    file: s.file,
    enabled: s.enabled ?? true,
    api: s.api ?? true,
  };
}

type Outcome = { ok: true } | { ok: false; message: string };

/** updateAllowlistInConfigFile: check the file still holds `old`, rewrite it, check it again. */
function updateFile(p: NodePermissioning, old: readonly string[]): Outcome {
  if (!p.file) return { ok: true };
  try {
    const holds = (values: readonly string[]) => {
      const inFile = readAllowlists(p.file!).get("nodes-allowlist") ?? [];
      return values.every((v) => inFile.includes(v));
    };
    if (!holds(old)) return { ok: false, message: ERR.fileSync };
    persist(p.file, p.list);
    if (!holds(p.list)) return { ok: false, message: ERR.fileSync };
  } catch {
    p.list.splice(0, p.list.length, ...old); // revertState
    return { ok: false, message: ERR.persist };
  }
  return { ok: true };
}

function change(p: NodePermissioning, urls: string[], add: boolean): Outcome {
  if (urls.length === 0) return { ok: false, message: ERR.empty };
  if (new Set(urls).size !== urls.length) return { ok: false, message: ERR.duplicated };
  let peers: string[];
  try {
    peers = urls.map(besuEnode);
  } catch {
    return { ok: false, message: ERR.invalid };
  }
  if (add) {
    if (peers.some((e) => p.list.includes(e))) return { ok: false, message: ERR.existing };
  } else {
    if (peers.some((e) => p.fixed.has(e))) return { ok: false, message: ERR.fixed };
    if (peers.some((e) => !p.list.includes(e))) return { ok: false, message: ERR.missing };
  }
  const old = [...p.list];
  if (add) p.list.push(...peers);
  else p.list.splice(0, p.list.length, ...p.list.filter((e) => !peers.includes(e)));
  return updateFile(p, old);
}

/** The answer of a node with permissioning `p` to a perm_* request. */
export function permAnswer(p: NodePermissioning, req: RpcRequest): RpcResponse {
  if (!p.api) return failure(req, -32604, "Method not enabled");
  const params = req.params ?? [];
  const done = (o: Outcome) => (o.ok ? answer(req, "Success") : failure(req, -32000, o.message));
  switch (req.method) {
    case "perm_getNodesAllowlist":
      return p.enabled ? answer(req, [...p.list]) : failure(req, -32000, ERR.notEnabled);
    case "perm_addNodesToAllowlist":
    case "perm_removeNodesFromAllowlist": {
      const list = params[0] ?? null;
      if (list !== null && (!Array.isArray(list) || !list.every((e) => typeof e === "string")))
        return failure(req, -32602, "Invalid enode params");
      if (!p.enabled) return failure(req, -32000, ERR.notEnabled);
      return done(change(p, (list as string[] | null) ?? [], req.method === "perm_addNodesToAllowlist"));
    }
    case "perm_reloadPermissionsFromFile": {
      if (!p.enabled) return failure(req, -32000, ERR.permissioningNotEnabled);
      try {
        if (!p.file) throw new Error("no file");
        p.list.splice(0, p.list.length, ...readNodesAllowlist(p.file));
        return answer(req, "Success");
      } catch {
        return failure(req, -32000, ERR.reload); // the in-memory list is kept
      }
    }
    default:
      return failure(req, -32601, "Method not found");
  }
}
