/**
 * A Besu-like "network" for tests: several JSON-RPC endpoints, each standing for one node of a
 * consortium's Besu QBFT network, in front of ONE Anvil (see test/helpers/besuAnvil.ts), with the
 * faults a client of such a network meets injected on demand:
 *
 * - `kill(i)` / `restart(i)`: the node goes down (connection refused, open connections reset, its
 *   held transactions lost as a restarted node's pool is) and comes back on the same port;
 * - `partition(i)` / `heal(i)`: the node is cut off: its head freezes (block number, head tags,
 *   blocks, receipts, transactions and logs answer as of the frozen head; state queries run at it),
 *   and the raw transactions sent to it are held — answered with their hash, not forwarded — until
 *   it heals, then forwarded in the order they came;
 * - `allowlist(i, senders)`: the node silently drops the transactions of any other sender, as a
 *   Besu node with transaction permissioning does: the hash comes back, the transaction never
 *   reaches a block;
 * - every endpoint reports `finalized` and `safe` = `latest`, as QBFT does (immediate finality);
 *   Anvil alone answers latest − 2.
 *
 * - `nodePermissioning(i, setup)`: the node answers the PERM API (`perm_getNodesAllowlist`,
 *   `perm_addNodesToAllowlist`, `perm_removeNodesFromAllowlist`, `perm_reloadPermissionsFromFile`)
 *   from its own node allowlist, as Besu does (test/helpers/besuFrontPerm.ts); a restarted node
 *   reads its list back from its permissions file, as Besu does at start.
 *
 * Batches (JSON arrays) are answered in order. As on Besu, `eth_sendTransaction`,
 * `eth_signTransaction` and `eth_fillTransaction` are "Method not found": clients sign and send raw
 * transactions, and viem fills nonce and gas with `eth_getTransactionCount("pending")` and
 * `eth_estimateGas` (Anvil alone answers `eth_fillTransaction`, which viem 2.57 tries first).
 *
 * What this does NOT test: consensus. There is one chain and one block producer behind every
 * endpoint; no validators, no proposer rotation, no round changes, no forks, no node that lags
 * while still connected. A partition here freezes what one endpoint shows and holds what it is
 * sent; it does not split the chain.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  getAddress,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  toHex,
  type Address,
  type Hex,
  type TransactionSerialized,
} from "viem";
import { answer, call, failure, forward, withBlockTag, type RpcRequest, type RpcResponse } from "./besuFrontRpc";
import {
  permAnswer,
  readNodesAllowlist,
  setupPermissioning,
  type NodePermissioning,
  type NodePermissioningSetup,
} from "./besuFrontPerm";
import { freePort } from "./net";

/** A transaction a partitioned endpoint holds. */
export interface HeldTransaction {
  hash: Hex;
  from: Address;
  nonce: number;
  raw: Hex;
}

/** What became of a held transaction when its endpoint healed. */
export interface Forwarded {
  hash: Hex;
  /** The upstream's refusal (e.g. the same transaction already mined through another endpoint). */
  error?: string;
}

/** The fault-injecting front; endpoint indexes are 0-based. */
export interface BesuFront {
  /** The endpoints' URLs ("nodes"), in index order. */
  readonly urls: readonly string[];
  /** The Anvil every endpoint forwards to. */
  readonly upstream: string;
  /** Stop endpoint `i` accepting connections and reset the open ones; its held transactions are lost. */
  kill(i: number): Promise<void>;
  /** Bring endpoint `i` back on the same port (still partitioned if it was). */
  restart(i: number): Promise<void>;
  /** Freeze endpoint `i`'s head at the upstream's current block (returned) and hold its sends. */
  partition(i: number): Promise<bigint>;
  /** Unfreeze endpoint `i` and forward its held transactions in order; resolves once all are sent. */
  heal(i: number): Promise<Forwarded[]>;
  /** Endpoint `i` drops every transaction whose sender is not listed; `null` lifts the list. */
  allowlist(i: number, senders: readonly Address[] | null): void;
  /** The transactions endpoint `i` holds now. */
  held(i: number): readonly HeldTransaction[];
  /**
   * Endpoint `i` crashes in the middle of its next raw transaction: it forwards it, then dies
   * (as `kill`) before answering, so the client sees a reset connection for a transaction the
   * network has. Stays down until `restart(i)`.
   */
  crashOnNextSend(i: number): void;
  /** How many times endpoint `i` has crashed on a send (`crashOnNextSend`). */
  crashes(i: number): number;
  /** The hashes of the transactions endpoint `i` has dropped. */
  dropped(i: number): readonly Hex[];
  /** Endpoint `i` answers the PERM API with its own node allowlist; `null`: perm_* pass through as before. */
  nodePermissioning(i: number, setup: NodePermissioningSetup | null): void;
  /** Endpoint `i`'s node allowlist in memory (as `perm_getNodesAllowlist` answers). */
  nodesAllowlist(i: number): readonly string[];
  /** Stop every endpoint (the upstream Anvil is the caller's). */
  close(): Promise<void>;
}

interface Endpoint {
  port: number;
  server?: Server;
  frozenAt?: bigint;
  held: HeldTransaction[];
  allowed?: Set<Address>;
  dropped: Hex[];
  /** Set by `crashOnNextSend`: called after the next raw transaction is forwarded. */
  crashAfterSend?: () => Promise<void>;
  crashes: number;
  perm?: NodePermissioning;
}

const BLOCK_FROZEN = new Set(["eth_getBlockByHash", "eth_getTransactionByHash", "eth_getTransactionReceipt"]);

async function decode(raw: Hex): Promise<HeldTransaction> {
  const from = await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized });
  return { hash: keccak256(raw), from, nonce: parseTransaction(raw).nonce ?? 0, raw };
}

/** A pooled transaction as `eth_getTransactionByHash` shows it before it is mined. */
function pendingView(tx: HeldTransaction): Record<string, unknown> {
  const t = parseTransaction(tx.raw);
  const hex = (v: bigint | number | undefined) => (v === undefined ? undefined : toHex(v));
  return {
    hash: tx.hash,
    from: tx.from,
    to: t.to ?? null,
    nonce: toHex(tx.nonce),
    input: t.data ?? "0x",
    value: hex(t.value ?? 0n),
    gas: hex(t.gas),
    gasPrice: hex(t.gasPrice ?? t.maxFeePerGas),
    maxFeePerGas: hex(t.maxFeePerGas),
    maxPriorityFeePerGas: hex(t.maxPriorityFeePerGas),
    type: t.type === "legacy" ? "0x0" : t.type === "eip2930" ? "0x1" : "0x2",
    chainId: hex(t.chainId),
    accessList: t.accessList ?? [],
    v: hex(t.v),
    r: t.r,
    s: t.s,
    yParity: hex(t.yParity),
    blockHash: null,
    blockNumber: null,
    transactionIndex: null,
  };
}

/** One request as endpoint `ep`'s node answers it. */
async function handle(upstream: string, ep: Endpoint, req: RpcRequest): Promise<RpcResponse> {
  if (ep.perm && req.method.startsWith("perm_")) return permAnswer(ep.perm, req);
  const frozen = ep.frozenAt;
  const params = req.params ?? [];
  switch (req.method) {
    case "eth_sendTransaction":
    case "eth_signTransaction":
    case "eth_fillTransaction":
      // Besu signs nothing and has no eth_fillTransaction (viem then fills nonce and gas itself)
      return failure(req, -32601, "Method not found");
    case "eth_sendRawTransaction": {
      const raw = params[0];
      if (typeof raw !== "string" || !raw.startsWith("0x")) return failure(req, -32602, "invalid raw transaction");
      let tx: HeldTransaction;
      try {
        tx = await decode(raw as Hex);
      } catch (e) {
        return failure(req, -32602, `invalid raw transaction: ${(e as Error).message}`);
      }
      if (ep.allowed && !ep.allowed.has(tx.from)) {
        ep.dropped.push(tx.hash);
        return answer(req, tx.hash);
      }
      if (ep.frozenAt !== undefined) {
        ep.held.push(tx);
        return answer(req, tx.hash);
      }
      const crash = ep.crashAfterSend;
      if (!crash) return forward(upstream, req);
      ep.crashAfterSend = undefined;
      ep.crashes += 1;
      const res = await forward(upstream, req);
      await crash();
      return res;
    }
  }
  if (req.method === "eth_getTransactionByHash") {
    // a node knows the transactions in its own pool: a held one is pending (no block yet)
    const held = ep.held.find((tx) => tx.hash === params[0]);
    if (held) return answer(req, pendingView(held));
  }
  if (frozen === undefined) return forward(upstream, withBlockTag(req, undefined));
  switch (req.method) {
    case "eth_blockNumber":
      return answer(req, toHex(frozen));
    case "eth_getTransactionCount": {
      const count = await call<Hex>(upstream, req.method, [params[0], toHex(frozen)]);
      if (params[1] !== "pending") return answer(req, count);
      // the node's pool: the transactions it holds from this sender follow the frozen nonce
      const from = typeof params[0] === "string" ? getAddress(params[0]) : undefined;
      let next = Number(BigInt(count));
      for (const tx of ep.held) if (tx.from === from && tx.nonce >= next) next = tx.nonce + 1;
      return answer(req, toHex(next));
    }
    case "eth_getBlockByNumber":
      if (typeof params[0] === "string" && params[0].startsWith("0x") && BigInt(params[0]) > frozen)
        return answer(req, null);
      break;
  }
  const res = await forward(upstream, withBlockTag(req, frozen));
  if (BLOCK_FROZEN.has(req.method) && res.result && typeof res.result === "object") {
    const n =
      (res.result as { blockNumber?: Hex | null; number?: Hex | null }).blockNumber ??
      (res.result as { number?: Hex | null }).number;
    if (n && BigInt(n) > frozen) return answer(req, null);
  }
  if (req.method === "eth_getLogs" && Array.isArray(res.result))
    return answer(
      req,
      (res.result as { blockNumber?: Hex | null }[]).filter((l) => !l.blockNumber || BigInt(l.blockNumber) <= frozen),
    );
  return res;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

async function serve(upstream: string, ep: Endpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const one = (r: RpcRequest): Promise<RpcResponse> =>
    handle(upstream, ep, r).catch((e: Error) => failure(r, -32603, `internal error: ${e.message}`));
  let body: RpcRequest | RpcRequest[] | undefined;
  try {
    body = JSON.parse(await readBody(req)) as RpcRequest | RpcRequest[];
  } catch {
    body = undefined;
  }
  let out: RpcResponse | RpcResponse[];
  if (body === undefined || body === null || typeof body !== "object")
    out = failure({ id: null }, -32700, "parse error");
  else if (Array.isArray(body)) {
    // in order, one after another: a batch of sends keeps its order as a node's pool would
    out = [];
    for (const r of body) out.push(await one(r));
  } else out = await one(body);
  if (res.destroyed) return;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(out));
}

function listen(upstream: string, ep: Endpoint): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      serve(upstream, ep, req, res).catch(() => res.destroy());
    });
    server.once("error", reject);
    server.listen(ep.port, "127.0.0.1", () => resolve(server));
  });
}

/**
 * Start `endpoints` endpoints on free ports of 127.0.0.1 in front of the node at `upstream`
 * (typically {@link startBesuLikeAnvil}'s). Not a consensus test: see the module comment.
 */
export async function startBesuFront(o: { upstream: string; endpoints: number }): Promise<BesuFront> {
  const eps: Endpoint[] = [];
  for (let i = 0; i < o.endpoints; i++) {
    const ep: Endpoint = { port: await freePort(), held: [], dropped: [], crashes: 0 };
    ep.server = await listen(o.upstream, ep);
    eps.push(ep);
  }
  const at = (i: number): Endpoint => {
    const ep = eps[i];
    if (!ep) throw new RangeError(`no endpoint ${i} (there are ${eps.length})`);
    return ep;
  };
  const kill = async (i: number): Promise<void> => {
    const ep = at(i);
    const server = ep.server;
    if (!server) return;
    ep.server = undefined;
    ep.held = [];
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return {
    urls: eps.map((ep) => `http://127.0.0.1:${ep.port}`),
    upstream: o.upstream,
    kill,
    async restart(i) {
      const ep = at(i);
      if (ep.server) return;
      // Besu reads its allowlist from its permissions file at start
      if (ep.perm?.file) ep.perm.list = readNodesAllowlist(ep.perm.file);
      ep.server = await listen(o.upstream, ep);
    },
    async partition(i) {
      const ep = at(i);
      if (ep.frozenAt === undefined) ep.frozenAt = BigInt(await call<Hex>(o.upstream, "eth_blockNumber", []));
      return ep.frozenAt;
    },
    async heal(i) {
      const ep = at(i);
      const sent: Forwarded[] = [];
      // still partitioned while draining: what is sent meanwhile queues behind, in order
      for (let tx = ep.held.shift(); tx; tx = ep.held.shift()) {
        const res = await forward(o.upstream, {
          jsonrpc: "2.0",
          id: 0,
          method: "eth_sendRawTransaction",
          params: [tx.raw],
        });
        sent.push(res.error ? { hash: tx.hash, error: res.error.message } : { hash: tx.hash });
      }
      ep.frozenAt = undefined;
      return sent;
    },
    allowlist(i, senders) {
      at(i).allowed = senders ? new Set(senders.map((s) => getAddress(s))) : undefined;
    },
    crashOnNextSend(i) {
      at(i).crashAfterSend = () => kill(i);
    },
    crashes: (i) => at(i).crashes,
    held: (i) => [...at(i).held],
    dropped: (i) => [...at(i).dropped],
    nodePermissioning(i, setup) {
      at(i).perm = setup ? setupPermissioning(setup) : undefined;
    },
    nodesAllowlist: (i) => [...(at(i).perm?.list ?? [])],
    async close() {
      for (let i = 0; i < eps.length; i++) await kill(i);
    },
  };
}
