/**
 * Besu's PERM JSON-RPC API for local node permissioning (enabled with `--rpc-http-api=…,PERM` and
 * `--permissions-nodes-config-file-enabled`): `perm_getNodesAllowlist`, `perm_addNodesToAllowlist`,
 * `perm_removeNodesFromAllowlist`, `perm_reloadPermissionsFromFile`. Besu applies a change in memory
 * and rewrites its permissions file itself. Its answers, from hyperledger/besu
 * ethereum/api/.../methods/permissioning/Perm*.java and RpcErrorType.java: `"Success"` on success,
 * else error -32000 with one of the messages below (-32602 "Invalid enode params" for a parameter
 * that is not a list of strings; -32601/-32604 when PERM is not enabled on the node). Each is mapped
 * to a typed error: PermUnavailableError (the node is not set up for it), PermRefusedError (the
 * node refused this change: nothing changed), PermPersistError (the node's file),
 * PermNodeUnreachableError (no answer).
 */
import { ClearhouseError } from "../errors/base";
import { canonicalEnode } from "./enodes";

/** Why a node refused a PERM call, by Besu's error message (RpcErrorType). */
export const PERM_ERRORS = {
  "not-enabled": "Node allowlist has not been enabled",
  "permissioning-not-enabled": "Node/Account allowlist has not been enabled",
  "p2p-disabled": "P2P has been disabled. This functionality is not available",
  "empty-entry": "Request contains an empty list of nodes",
  "invalid-entry": "Request contains an invalid node",
  "duplicate-entry": "Request contains duplicate nodes",
  "existing-entry": "Cannot add an existing node to allowlist",
  "absent-entry": "Cannot remove an absent node from allowlist",
  "fixed-node": "Cannot remove a fixed node (bootnode or static node) from allowlist",
  "persist-failed": "Unable to persist changes to allowlist configuration file. Changes reverted",
  "file-out-of-sync":
    "The permissioning allowlist configuration file is out of sync.  The changes have been applied, but not persisted to disk",
  "reload-failed":
    "Error reloading permissions file. Please use perm_getAccountsAllowlist and perm_getNodesAllowlist to review the current state of the allowlists",
} as const;
export type PermErrorReason = keyof typeof PERM_ERRORS;

const UNAVAILABLE = new Set<PermErrorReason>(["not-enabled", "permissioning-not-enabled", "p2p-disabled"]);
const PERSIST = new Set<PermErrorReason>(["persist-failed", "file-out-of-sync", "reload-failed"]);

/** The node did not answer a PERM call (down, unreachable, or not a JSON-RPC answer). */
export class PermNodeUnreachableError extends ClearhouseError {
  override name = "PermNodeUnreachableError";
  constructor(
    readonly url: string,
    readonly method: string,
    cause: unknown,
  ) {
    super(`Cannot reach the Besu node at ${url} (${method}).`, {
      category: "network",
      hint: "Check that the node is running and its JSON-RPC is reachable from here (rpc-http-host, host-allowlist); sync-permissions retries it.",
      details: cause instanceof Error ? cause.message.split("\n")[0] : String(cause),
      cause,
    });
  }
}

/** The node cannot do PERM calls: the PERM API or node permissioning is not enabled on it. */
export class PermUnavailableError extends ClearhouseError {
  override name = "PermUnavailableError";
  constructor(
    readonly url: string,
    readonly method: string,
    readonly nodeMessage: string,
  ) {
    super(`${url} cannot do ${method}: ${nodeMessage}.`, {
      category: "input",
      hint: "Start Besu with --rpc-http-api including PERM and --permissions-nodes-config-file-enabled=true (the kit's config.toml sets both), or leave this node out of --perm-rpc.",
    });
  }
}

/** The node refused the change (nothing changed): `reason` says why, `enodes` what was asked. */
export class PermRefusedError extends ClearhouseError {
  override name = "PermRefusedError";
  constructor(
    readonly url: string,
    readonly method: string,
    readonly reason: PermErrorReason | "other",
    readonly nodeMessage: string,
    readonly enodes: readonly string[],
  ) {
    super(`${url} refused ${method}: ${nodeMessage}.`, {
      category: "refused",
      hint:
        reason === "fixed-node"
          ? "Besu never removes a bootnode or static node by RPC: take it out of that node's static-nodes.json (sync-permissions --kit or --file on its host does) and bootnodes, then restart it (Besu reads static nodes at start only)."
          : "Read the node's list with perm_getNodesAllowlist and sync again: sync-permissions only sends the difference.",
      metaMessages: enodes.length ? ["Nodes in the request:", ...enodes.map((e) => `  ${e}`)] : undefined,
    });
  }
}

/** The node could not write or re-read its permissions file. */
export class PermPersistError extends ClearhouseError {
  override name = "PermPersistError";
  constructor(
    readonly url: string,
    readonly method: string,
    readonly reason: "persist-failed" | "file-out-of-sync" | "reload-failed",
    readonly nodeMessage: string,
  ) {
    super(`${url}: ${method} ${reason === "persist-failed" ? "was reverted" : "failed"}: ${nodeMessage}.`, {
      category: "refused",
      hint:
        reason === "file-out-of-sync"
          ? "The node applied the change in memory but its permissions_config.toml no longer held its previous list (was it edited meanwhile?): rewrite the file from the registry (sync-permissions --file) so a restart keeps the change."
          : "Check that the Besu process can write its permissions_config.toml (owner, mode, disk space) and that the file parses.",
    });
  }
}

/**
 * The node's allowlist, read back after a sync, is not what was sent: it answered "Success" without
 * applying (or something changed it meanwhile). Nothing says the change is in place: retried.
 */
export class PermAllowlistMismatchError extends ClearhouseError {
  override name = "PermAllowlistMismatchError";
  constructor(
    readonly url: string,
    readonly missing: readonly string[],
    readonly extra: readonly string[],
  ) {
    super(
      `${url}: the node's allowlist, read back, is not the one sent (${missing.length} missing, ${extra.length} extra).`,
      {
        category: "network",
        hint: "The node (or a proxy before it) answered the PERM calls without applying them, or its list changed meanwhile: sync-permissions retries; if it persists, check the node's logs and perm_getNodesAllowlist.",
        metaMessages: [...missing.map((e) => `  missing ${e}`), ...extra.map((e) => `  extra   ${e}`)],
      },
    );
  }
}

interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string };
}

/** How long one PERM call may take (ms). */
export const PERM_TIMEOUT_MS = 10_000;

/** One JSON-RPC call to `url`; transport failures and non-JSON answers are a NetworkError. */
async function call(url: string, method: string, params: unknown[], fetchFn: typeof fetch): Promise<unknown> {
  let answer: RpcAnswer;
  try {
    const res = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(PERM_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    answer = (await res.json()) as RpcAnswer;
    if (answer === null || typeof answer !== "object") throw new Error("the answer is not a JSON-RPC object");
  } catch (error) {
    throw new PermNodeUnreachableError(url, method, error);
  }
  if (!answer.error) return answer.result;
  const { code, message } = answer.error;
  if (code === -32601 || code === -32604) throw new PermUnavailableError(url, method, message);
  const reason = (Object.keys(PERM_ERRORS) as PermErrorReason[]).find((r) => message.startsWith(PERM_ERRORS[r]));
  if (reason && UNAVAILABLE.has(reason)) throw new PermUnavailableError(url, method, message);
  if (reason && PERSIST.has(reason))
    throw new PermPersistError(url, method, reason as "persist-failed" | "file-out-of-sync" | "reload-failed", message);
  const enodes = Array.isArray(params[0]) ? (params[0] as string[]) : [];
  throw new PermRefusedError(url, method, reason ?? "other", `${message} (code ${code})`, enodes);
}

/** Where PERM calls go, and with which fetch (the global one by default). */
export interface PermClient {
  url: string;
  fetch?: typeof fetch;
}

const f = (c: PermClient): typeof fetch => c.fetch ?? fetch;

/** The node's current allowlist (`perm_getNodesAllowlist`), as Besu prints it. */
export async function permGetNodesAllowlist(c: PermClient): Promise<string[]> {
  const result = await call(c.url, "perm_getNodesAllowlist", [], f(c));
  if (!Array.isArray(result) || !result.every((e) => typeof e === "string"))
    throw new PermNodeUnreachableError(
      c.url,
      "perm_getNodesAllowlist",
      new Error("the answer is not a list of enode URLs"),
    );
  return result;
}

/** `perm_addNodesToAllowlist(enodes)`: the node adds them all or none. */
export async function permAddNodes(c: PermClient, enodes: readonly string[]): Promise<void> {
  await call(c.url, "perm_addNodesToAllowlist", [[...enodes]], f(c));
}

/** `perm_removeNodesFromAllowlist(enodes)`: the node removes them all or none. */
export async function permRemoveNodes(c: PermClient, enodes: readonly string[]): Promise<void> {
  await call(c.url, "perm_removeNodesFromAllowlist", [[...enodes]], f(c));
}

/** `perm_reloadPermissionsFromFile`: the node re-reads its permissions file (after it was rewritten). */
export async function permReloadFromFile(c: PermClient): Promise<void> {
  await call(c.url, "perm_reloadPermissionsFromFile", [], f(c));
}

/** What one PERM sync changed on a node. */
export interface PermSyncResult {
  url: string;
  added: string[];
  removed: string[];
  /** The node's allowlist after the sync, as it reports it. */
  allowlist: string[];
  /** Changes the node applied but could not persist to its file (Besu's "out of sync" answer). */
  warnings: string[];
  /** Removals the node refused (e.g. a static node or bootnode): the node still has those. */
  refused: PermRefusedError[];
}

/** Run `change`; a "file out of sync" answer (applied in memory, file not rewritten) becomes a warning. */
async function applied(change: () => Promise<void>, warnings: string[]): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof PermPersistError) || error.reason !== "file-out-of-sync") throw error;
    warnings.push(error.shortMessage);
  }
}

/**
 * Make the node's in-memory allowlist (and so its file, which Besu rewrites) equal `enodes`,
 * sending only the difference: one `perm_addNodesToAllowlist` for the missing nodes, then one
 * `perm_removeNodesFromAllowlist` per extra node (so a refused removal — Besu never removes a
 * static node or bootnode — names its node and does not hold back the others). Refusals (of the
 * addition, or of a removal) are returned in `refused`; a refused addition does not skip the
 * removals. A change Besu applied without persisting it (its file was rewritten meanwhile, e.g. by
 * `syncPermissionsFile` on the same host) counts as made, with a warning. The list is then read
 * back and compared with what was sent (minus refused changes).
 * @throws PermAllowlistMismatchError when the list read back is not the one sent.
 */
export async function syncNodeAllowlist(c: PermClient, enodes: readonly string[]): Promise<PermSyncResult> {
  const want = enodes.map(canonicalEnode);
  const current = await permGetNodesAllowlist(c);
  const have = new Map<string, string>();
  for (const entry of current) have.set(safeCanonical(entry), entry);
  const added = want.filter((e) => !have.has(e));
  const extra = [...have.keys()].filter((e) => !want.includes(e));
  const warnings: string[] = [];
  const refused: PermRefusedError[] = [];
  const notAdded = new Set<string>();
  if (added.length > 0)
    try {
      await applied(() => permAddNodes(c, added), warnings);
    } catch (error) {
      if (!(error instanceof PermRefusedError)) throw error;
      refused.push(error);
      for (const e of added) notAdded.add(e);
    }
  const removed: string[] = [];
  for (const canonical of extra) {
    try {
      await applied(() => permRemoveNodes(c, [have.get(canonical) ?? canonical]), warnings);
      removed.push(canonical);
    } catch (error) {
      if (!(error instanceof PermRefusedError)) throw error;
      refused.push(error);
    }
  }
  const allowlist = await permGetNodesAllowlist(c);
  const expected = new Set([...want.filter((e) => !notAdded.has(e)), ...extra.filter((e) => !removed.includes(e))]);
  const got = new Set(allowlist.map(safeCanonical));
  const missing = [...expected].filter((e) => !got.has(e));
  const unexpected = [...got].filter((e) => !expected.has(e));
  if (missing.length + unexpected.length > 0) throw new PermAllowlistMismatchError(c.url, missing, unexpected);
  return { url: c.url, added: added.filter((e) => !notAdded.has(e)), removed, allowlist, warnings, refused };
}

/** `entry` in canonical form, or as it is when the SDK cannot read it (a DNS name on a node with --Xdns-enabled). */
function safeCanonical(entry: string): string {
  try {
    return canonicalEnode(entry);
  } catch {
    return entry;
  }
}
