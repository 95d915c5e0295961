/**
 * The registry's node allowlist — the one source of truth for which nodes may join the network —
 * rebuilt from its `NodeAllowed` and `NodeRemoved` events. The registry keeps no enumerable list
 * (only `nodeOf` for a node one already knows, and `nodeCount`), so the events are replayed in
 * chain order (block, then log index), keyed by the registry's own node key: a node removed then
 * allowed again ends up allowed, with the kind of its last `allowNode`. Logs are read in bounded
 * ranges (`queryLogs`), and a full replay is checked against `nodeCount` at the same block.
 */
import { getAbiItem, type Hex } from "viem";
import { consortiumRegistryAbi } from "@clearhouse/contracts";
import { rpc, type ClearhouseContext } from "../context";
import { contractOf, deployedSince } from "../contracts";
import { ClearhouseError } from "../errors/base";
import { queryLogs } from "../logs";
import { formatEnode, parseEnode } from "./enodes";

/** A node on the registry's allowlist. */
export interface RegistryNode {
  /** The registry's key for it: keccak256(abi.encode(id, host, port)), lower-cased. */
  key: Hex;
  /** As given to `allowNode`. */
  enodeId: string;
  ip: string;
  port: number;
  kind: "validator" | "member";
  /** `enode://<id>@<ip>:<port>` as Besu prints it; undefined when Besu could not read it (see `problem`). */
  enode?: string;
  /** Why this node cannot go into a Besu allowlist (e.g. a DNS name where Besu wants an IP). */
  problem?: string;
  /** The block of its (last) `NodeAllowed`. */
  allowedAt: bigint;
}

/** One `NodeAllowed` or `NodeRemoved`, decoded. */
export interface NodeEvent {
  type: "NodeAllowed" | "NodeRemoved";
  key: Hex;
  enodeId: string;
  ip: string;
  port: number;
  /** For NodeAllowed. */
  kind?: "validator" | "member";
  blockNumber: bigint;
  logIndex: number;
}

/** The allowlist as of `block`: the nodes in the order they were (last) allowed. */
export interface NodeAllowlist {
  block: bigint;
  nodes: RegistryNode[];
}

/** Replaying the events did not give the registry's own `nodeCount`: a node served incomplete logs. */
export class NodeAllowlistMismatchError extends ClearhouseError {
  override name = "NodeAllowlistMismatchError";
  constructor(
    readonly block: bigint,
    readonly replayed: number,
    readonly onChain: number,
  ) {
    super(
      `The registry's node events up to block ${block} give ${replayed} allowed nodes, but its nodeCount is ${onChain}.`,
      {
        category: "network",
        hint: "The RPC node returned incomplete logs (a pruned or capped node?): point --rpc-url at a node with the registry's full history, or lower maxLogRange.",
      },
    );
  }
}

const NODE_EVENTS = [
  getAbiItem({ abi: consortiumRegistryAbi, name: "NodeAllowed" }),
  getAbiItem({ abi: consortiumRegistryAbi, name: "NodeRemoved" }),
] as const;

/** The registry's NodeAllowed/NodeRemoved events in [fromBlock, toBlock], in chain order. */
export async function nodeEvents(ctx: ClearhouseContext, fromBlock: bigint, toBlock: bigint): Promise<NodeEvent[]> {
  const { address } = contractOf(ctx, "ConsortiumRegistry");
  if (toBlock < fromBlock) return [];
  const logs = await queryLogs(
    ctx,
    "getLogs(NodeAllowed, NodeRemoved)",
    fromBlock,
    (range) => ctx.publicClient.getLogs({ address, events: NODE_EVENTS, strict: true, ...range }),
    { toBlock },
  );
  return logs
    .map((log): NodeEvent => {
      const a = log.args;
      return {
        type: log.eventName,
        key: a.nodeKey,
        enodeId: a.enodeId,
        ip: a.ip,
        port: a.port,
        ...("kind" in a ? { kind: a.kind === 0 ? ("validator" as const) : ("member" as const) } : {}),
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
      };
    })
    .sort((x, y) =>
      x.blockNumber === y.blockNumber ? x.logIndex - y.logIndex : x.blockNumber < y.blockNumber ? -1 : 1,
    );
}

/** The allowlist after `events` (in chain order) applied to `nodes`; returns a new list. */
export function applyNodeEvents(nodes: readonly RegistryNode[], events: readonly NodeEvent[]): RegistryNode[] {
  const byKey = new Map(nodes.map((n) => [n.key.toLowerCase(), n]));
  for (const e of events) {
    const key = e.key.toLowerCase() as Hex;
    byKey.delete(key); // a re-allowed node moves to the end, as Besu appends an added node
    if (e.type === "NodeRemoved") continue;
    const node: RegistryNode = {
      key,
      enodeId: e.enodeId,
      ip: e.ip,
      port: e.port,
      kind: e.kind ?? "member",
      allowedAt: e.blockNumber,
    };
    try {
      node.enode = formatEnode(parseEnode(`enode://${e.enodeId}@${e.ip}:${e.port}`));
    } catch (error) {
      node.problem = (error as ClearhouseError).shortMessage ?? String(error);
    }
    byKey.set(key, node);
  }
  return [...byKey.values()];
}

/** The registry's `nodeCount` at `block`. */
export async function nodeCountAt(ctx: ClearhouseContext, block: bigint): Promise<number> {
  const { address } = contractOf(ctx, "ConsortiumRegistry");
  const count = await rpc(ctx, "nodeCount", () =>
    ctx.publicClient.readContract({
      address,
      abi: consortiumRegistryAbi,
      functionName: "nodeCount",
      blockNumber: block,
    }),
  );
  return Number(count);
}

export interface ReadNodeAllowlistParameters {
  /** Replay up to this block (default: the latest block). */
  toBlock?: bigint;
}

/**
 * The registry's node allowlist as of `toBlock` (default latest), replayed from its deployment
 * block in bounded log ranges and checked against `nodeCount` at that block.
 * @throws NodeAllowlistMismatchError when the replay and `nodeCount` disagree.
 */
export async function readNodeAllowlist(
  ctx: ClearhouseContext,
  p: ReadNodeAllowlistParameters = {},
): Promise<NodeAllowlist> {
  const block =
    p.toBlock ?? (await rpc(ctx, "eth_blockNumber", () => ctx.publicClient.getBlockNumber({ cacheTime: 0 })));
  const events = await nodeEvents(ctx, deployedSince(ctx, "ConsortiumRegistry"), block);
  const nodes = applyNodeEvents([], events);
  const onChain = await nodeCountAt(ctx, block);
  if (onChain !== nodes.length) throw new NodeAllowlistMismatchError(block, nodes.length, onChain);
  return { block, nodes };
}

/** The Besu enode URLs of an allowlist's nodes, and the nodes Besu could not read (with why). */
export function allowlistEnodes(nodes: readonly RegistryNode[]): { enodes: string[]; unusable: RegistryNode[] } {
  const enodes: string[] = [];
  const unusable: RegistryNode[] = [];
  for (const n of nodes) {
    if (!n.enode) unusable.push(n);
    else if (!enodes.includes(n.enode)) enodes.push(n.enode);
  }
  return { enodes, unusable };
}
