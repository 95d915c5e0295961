/**
 * `clearhouse network sync-permissions`' engine: the registry's node allowlist (replayed from its
 * events, then followed block by block) pushed to every target — Besu nodes over the PERM API
 * (only the difference) and permissions files on disk (rewritten when they differ). Each target
 * keeps its own state: one that fails on the network is retried with exponential backoff without
 * holding back the others; one that refuses (a node's answer, a file that cannot be written) is
 * reported and tried again at the next registry change. The chain's RPC going away is retried the
 * same way, resuming from the last block read. An empty allowlist is never pushed: every node
 * would drop every peer, and a QBFT network could then no longer produce the block that fixes it.
 */
import { dirname, join, resolve } from "node:path";
import { ContractFunctionRevertedError, RpcError, RpcRequestError } from "viem";
import type { ClearhouseContext } from "../context";
import { ClearhouseError, categoryOf, type ErrorCategory } from "../errors/base";
import { walkCauses } from "../errors/walk";
import {
  allowlistEnodes,
  applyNodeEvents,
  canonicalEnode,
  nodeCountAt,
  nodeEvents,
  NodeAllowlistMismatchError,
  readNodeAllowlist,
  syncNodeAllowlist,
  type RegistryNode,
} from "../network";
import { rpc } from "../context";
import { syncPermissionsFile, type PermissionsFileTarget } from "./permissionsFile";
import { StaticNodeNotAllowedError, staticNodesOutside, syncStaticNodesFile } from "./staticNodesFile";

/** The registry allows no node: pushing that would cut every node off. */
export class EmptyNodeAllowlistError extends ClearhouseError {
  override name = "EmptyNodeAllowlistError";
  constructor(readonly block: bigint) {
    super(`The registry allows no node at block ${block}: refusing to write an empty node allowlist.`, {
      category: "refused",
      hint: "Allow the network's nodes in the registry first (allowNode, through governance): an empty allowlist would make every node drop every peer.",
    });
  }
}

export interface PermissionsSyncOptions {
  /**
   * Permissions files to rewrite: a path (its static nodes: `static-nodes.json` beside it, if any)
   * or a target naming its static-nodes file and whether to rewrite it (a kit's: `kitPermissionsFiles`).
   */
  files?: readonly (string | PermissionsFileTarget)[];
  /** Besu JSON-RPC URLs with the PERM API to update. */
  permRpcUrls?: readonly string[];
  /** Progress and what changed, one line at a time (the CLI prints them on stderr). */
  log?: (line: string) => void;
  /** How often to look for new blocks when watching, ms (default 2,000). */
  pollIntervalMs?: number;
  /** Backoff of a failing target or chain RPC: first and longest wait, ms (default 500 and 30,000). */
  retry?: { firstMs?: number; maxMs?: number };
  /** Stops `watch` (it then returns its report). */
  signal?: AbortSignal;
  /** fetch for the PERM calls (default the global one). */
  fetch?: typeof fetch;
  /** Nodes that should be allowed (a kit's): a warning names each one the registry does not allow. */
  expectedNodes?: readonly { name: string; enode: string }[];
}

/** Where one target stands. */
export interface TargetReport {
  kind: "file" | "perm";
  /** The file's path or the node's URL. */
  target: string;
  /** Its content matches the registry as of `report.block`. */
  inSync: boolean;
  /** Nodes added and removed, over the whole run. */
  added: number;
  removed: number;
  /** The last failure, if the last attempt failed. */
  error?: { message: string; category: ErrorCategory };
}

export interface PermissionsSyncReport {
  /** The last block of the registry read. */
  block: bigint;
  nodes: RegistryNode[];
  /** The enode URLs pushed (the nodes Besu can read). */
  enodes: string[];
  /** NodeAllowed/NodeRemoved events followed after the first replay. */
  events: number;
  targets: TargetReport[];
}

interface Target extends TargetReport {
  /** A file target's static nodes: where, and whether to rewrite them. */
  staticNodes?: string;
  rewriteStaticNodes?: boolean;
  /** The last failure itself. */
  cause?: unknown;
  appliedVersion: number;
  failures: number;
  nextAt: number;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

function safeCanonical(enode: string): string {
  try {
    return canonicalEnode(enode);
  } catch {
    return enode;
  }
}

/**
 * The chain's node answered with a JSON-RPC error (not a revert): e.g. Besu's -32602 "toBlock … is
 * greater than latest block" from a lagging node behind a failover — worth retrying.
 */
export function isRpcErrorAnswer(error: unknown): boolean {
  if (walkCauses(error, (e) => e instanceof ContractFunctionRevertedError)) return false;
  const answer = walkCauses(error, (e) => e instanceof RpcError || e instanceof RpcRequestError);
  return answer !== null && (answer as { code?: unknown }).code !== 3; // 3: execution reverted
}

const message = (error: unknown): string =>
  error instanceof ClearhouseError ? error.shortMessage : error instanceof Error ? error.message : String(error);

/** Follows the registry's node allowlist and keeps files and nodes in line with it. */
export class PermissionsSync {
  private nodes: RegistryNode[] = [];
  private block = -1n;
  private enodes: string[] = [];
  private version = 0;
  private events = 0;
  private readonly targets: Target[];
  private readonly log: (line: string) => void;
  private readonly firstMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly ctx: ClearhouseContext,
    private readonly options: PermissionsSyncOptions,
  ) {
    const target = (kind: "file" | "perm", name: string, file?: PermissionsFileTarget): Target => ({
      kind,
      target: name,
      staticNodes: file ? (file.staticNodes ?? join(dirname(resolve(file.path)), "static-nodes.json")) : undefined,
      rewriteStaticNodes: file?.rewriteStaticNodes ?? false,
      inSync: false,
      added: 0,
      removed: 0,
      appliedVersion: -1,
      failures: 0,
      nextAt: 0,
    });
    // nodes first: Besu rewrites its own file, and a file sync of the same file then finds nothing to do
    this.targets = [
      ...(options.permRpcUrls ?? []).map((u) => target("perm", u)),
      ...(options.files ?? [])
        .map((f) => (typeof f === "string" ? { path: f } : f))
        .map((f) => target("file", f.path, f)),
    ];
    this.log = options.log ?? (() => undefined);
    this.firstMs = options.retry?.firstMs ?? 500;
    this.maxMs = options.retry?.maxMs ?? 30_000;
  }

  /** Where things stand. */
  report(): PermissionsSyncReport {
    return {
      block: this.block,
      nodes: [...this.nodes],
      enodes: [...this.enodes],
      events: this.events,
      targets: this.targets.map(({ kind, target, inSync, added, removed, error }) => ({
        kind,
        target,
        inSync,
        added,
        removed,
        ...(error ? { error } : {}),
      })),
    };
  }

  private setNodes(nodes: RegistryNode[], block: bigint): void {
    this.nodes = nodes;
    this.block = block;
    const { enodes, unusable } = allowlistEnodes(nodes);
    const changed = enodes.length !== this.enodes.length || enodes.some((e, i) => e !== this.enodes[i]);
    if (changed || this.version === 0) {
      this.enodes = enodes;
      this.version += 1;
      for (const n of unusable)
        this.log(`warning: registry node ${n.enodeId.slice(0, 16)}…@${n.ip}:${n.port} is left out: ${n.problem}`);
      for (const n of this.options.expectedNodes ?? [])
        if (!enodes.includes(safeCanonical(n.enode)))
          this.log(
            `warning: node ${n.name} is not on the registry's allowlist: the other nodes will refuse its connections`,
          );
    }
  }

  /** Replay the registry's node events from its deployment (bounded ranges, checked against nodeCount). */
  private async replay(): Promise<void> {
    const list = await readNodeAllowlist(this.ctx);
    this.setNodes(list.nodes, list.block);
    const validators = list.nodes.filter((n) => n.kind === "validator").length;
    this.log(
      `registry: ${list.nodes.length} node(s) allowed at block ${list.block} (${validators} validator(s), ${list.nodes.length - validators} member node(s))`,
    );
  }

  /** Read the blocks after the last one read; true when the allowlist changed. */
  private async follow(): Promise<boolean> {
    const head = await rpc(this.ctx, "eth_blockNumber", () => this.ctx.publicClient.getBlockNumber({ cacheTime: 0 }));
    if (head <= this.block) return false;
    const events = await nodeEvents(this.ctx, this.block + 1n, head);
    if (events.length === 0) {
      this.block = head;
      return false;
    }
    const nodes = applyNodeEvents(this.nodes, events);
    const onChain = await nodeCountAt(this.ctx, head);
    if (onChain !== nodes.length) throw new NodeAllowlistMismatchError(head, nodes.length, onChain);
    for (const e of events)
      this.log(
        `block ${e.blockNumber}: ${e.type} ${e.kind ? `${e.kind} ` : ""}enode://${e.enodeId.slice(0, 16)}…@${e.ip}:${e.port}`,
      );
    this.events += events.length;
    const before = this.version;
    this.setNodes(nodes, head);
    return this.version !== before;
  }

  private backoff(failures: number): number {
    return Math.min(this.maxMs, this.firstMs * 2 ** Math.max(0, failures - 1));
  }

  /** Push the current allowlist to one target. */
  private async push(t: Target): Promise<void> {
    const version = this.version;
    try {
      if (t.kind === "perm") {
        const r = await syncNodeAllowlist({ url: t.target, fetch: this.options.fetch }, this.enodes);
        t.added += r.added.length;
        t.removed += r.removed.length;
        for (const w of r.warnings) this.log(`warning: ${w}`);
        this.log(
          r.added.length + r.removed.length === 0 && r.refused.length === 0
            ? `perm ${t.target}: in sync (${r.allowlist.length} node(s))`
            : `perm ${t.target}: added ${r.added.length}, removed ${r.removed.length} (${r.allowlist.length} node(s))`,
        );
        if (r.refused.length > 0) {
          // refusals are not retried (the node would refuse again) until the registry changes
          for (const e of r.refused) this.log(`perm ${t.target}: ${e.shortMessage} ${e.enodes.join(", ")}`);
          const first = r.refused[0];
          Object.assign(t, { inSync: false, appliedVersion: version, failures: 0, nextAt: 0, cause: first });
          t.error = { message: `${first.shortMessage} ${first.enodes.join(", ")}`, category: first.category };
          return;
        }
      } else {
        // static nodes first: a crash between the two files never leaves a static node outside the allowlist
        if (t.rewriteStaticNodes) {
          const dropped = syncStaticNodesFile(t.staticNodes!, this.enodes);
          if (dropped.length > 0)
            this.log(
              `file ${t.staticNodes}: dropped ${dropped.length} static node(s) the registry no longer allows (effective at the node's next restart)`,
            );
        } else {
          const outside = staticNodesOutside(t.staticNodes!, this.enodes);
          if (outside.length > 0) throw new StaticNodeNotAllowedError(t.target, t.staticNodes!, outside);
        }
        const r = syncPermissionsFile(t.target, this.enodes);
        t.added += r.added.length;
        t.removed += r.removed.length;
        this.log(
          r.changed
            ? `file ${t.target}: ${r.created ? "created" : "rewritten"}, +${r.added.length} −${r.removed.length} (${this.enodes.length} node(s))`
            : `file ${t.target}: unchanged (${this.enodes.length} node(s))`,
        );
      }
      Object.assign(t, {
        inSync: true,
        appliedVersion: version,
        failures: 0,
        nextAt: 0,
        error: undefined,
        cause: undefined,
      });
    } catch (error) {
      const category = categoryOf(error);
      t.inSync = false;
      t.error = { message: message(error), category };
      t.cause = error;
      // a file is retried whatever the failure: its fix (a directory, a mode, static-nodes.json) is local
      if (category === "network" || t.kind === "file") {
        t.failures += 1;
        const wait = this.backoff(t.failures);
        t.nextAt = Date.now() + wait;
        this.log(`${t.kind} ${t.target}: ${message(error)} — retrying in ${(wait / 1000).toFixed(1)} s`);
      } else {
        // the node refused: sending the same again would be refused again; retry at the next change
        t.appliedVersion = version;
        this.log(`${t.kind} ${t.target}: ${message(error)}`);
      }
    }
  }

  /**
   * Push to every target that is behind and due; resolves once each was tried. The PERM nodes are
   * pushed concurrently (one that does not answer holds back no other node), then the files (Besu
   * rewrites its own file on a PERM change: a file of the same node then has nothing to change).
   */
  private async pushDue(ignoreBackoff = false): Promise<void> {
    if (this.enodes.length === 0) return;
    const now = Date.now();
    const due = this.targets.filter((t) => t.appliedVersion !== this.version && (ignoreBackoff || t.nextAt <= now));
    await Promise.all(due.filter((t) => t.kind === "perm").map((t) => this.push(t)));
    for (const t of due) if (t.kind === "file") await this.push(t);
  }

  /**
   * Replay the registry once and push it to every target, trying a target that fails on the
   * network or on its file up to `attempts` times (with backoff; a node's refusal is not retried);
   * returns the report (targets that still failed carry their error).
   * @throws EmptyNodeAllowlistError when the registry allows no node; errors of the chain's RPC.
   */
  async once(attempts = 3): Promise<PermissionsSyncReport> {
    await this.replay();
    if (this.enodes.length === 0) throw new EmptyNodeAllowlistError(this.block);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.pushDue(true);
      const retry = this.targets.filter((t) => t.appliedVersion !== this.version);
      if (retry.length === 0 || attempt === attempts) break;
      await sleep(Math.max(...retry.map((t) => t.nextAt - Date.now()), 0), this.options.signal);
    }
    return this.report();
  }

  /**
   * Replay, push, then follow the registry block by block until `options.signal` aborts, pushing
   * each change. The chain's RPC failing is retried with backoff, from the last block read. A file
   * that cannot be written at the first push is an error (thrown); later, it is retried.
   */
  async watch(): Promise<PermissionsSyncReport> {
    const signal = this.options.signal;
    const poll = this.options.pollIntervalMs ?? 2_000;
    let chainFailures = 0;
    let first = true;
    let warnedEmpty = -1;
    while (!signal?.aborted) {
      try {
        if (this.block < 0n) await this.replay();
        else await this.follow();
        if (chainFailures > 0) this.log(`chain RPC answering again: following from block ${this.block}`);
        chainFailures = 0;
      } catch (error) {
        if (error instanceof NodeAllowlistMismatchError)
          this.block = -1n; // replay from scratch next time
        else if (categoryOf(error) !== "network" && !isRpcErrorAnswer(error)) throw error;
        chainFailures += 1;
        const wait = this.backoff(chainFailures);
        this.log(
          `chain RPC: ${message(error)} — retrying in ${(wait / 1000).toFixed(1)} s (from block ${this.block < 0n ? "0" : this.block + 1n})`,
        );
        await sleep(wait, signal);
        continue;
      }
      if (this.enodes.length === 0 && warnedEmpty !== this.version) {
        warnedEmpty = this.version;
        this.log(`warning: ${new EmptyNodeAllowlistError(this.block).shortMessage} Waiting for allowNode.`);
      }
      await this.pushDue();
      if (first && this.enodes.length > 0) {
        first = false;
        const broken = this.targets.find((t) => t.kind === "file" && !t.inSync);
        if (broken) throw broken.cause;
        this.log(
          `watching the registry from block ${this.block + 1n} (every ${poll / 1000} s); stop with Ctrl-C or SIGTERM`,
        );
      }
      const due = this.targets.filter((t) => t.appliedVersion !== this.version).map((t) => t.nextAt - Date.now());
      await sleep(Math.max(50, Math.min(poll, ...due)), signal);
    }
    this.log(`stopped at block ${this.block}`);
    return this.report();
  }
}
