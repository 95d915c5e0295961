/**
 * JSON-RPC plumbing of the Besu-like front (test/helpers/besuFront.ts): the message types, where
 * each method carries its block parameter, how a block tag is rewritten (QBFT's `finalized` =
 * `latest`; a partitioned node's frozen head), and one call forwarded to the upstream Anvil.
 */
import { toHex } from "viem";

/** One JSON-RPC 2.0 request. */
export interface RpcRequest {
  jsonrpc: "2.0";
  id: number | string | null;
  method: string;
  params?: unknown[];
}

/** One JSON-RPC 2.0 response. */
export interface RpcResponse {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** The position of the block parameter of the methods that take one. */
export const BLOCK_PARAM: Readonly<Record<string, number>> = {
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getTransactionCount: 1,
  eth_getStorageAt: 2,
  eth_call: 1,
  eth_estimateGas: 1,
  eth_createAccessList: 1,
  eth_getProof: 2,
  eth_feeHistory: 1,
  eth_getBlockByNumber: 0,
  eth_getBlockTransactionCountByNumber: 0,
  eth_getTransactionByBlockNumberAndIndex: 0,
  eth_getUncleCountByBlockNumber: 0,
};

/** The tags that mean "the newest block this node has" on a QBFT node (immediate finality). */
const HEAD_TAGS = new Set(["latest", "pending", "finalized", "safe"]);

/**
 * The block parameter as this endpoint's node would read it: `finalized` and `safe` are `latest`
 * (QBFT finalizes every block it imports); on a partitioned node every head tag, or a missing
 * parameter, is its frozen head. Numbers, hashes and EIP-1898 objects pass unchanged.
 */
export function rewriteTag(tag: unknown, frozenAt: bigint | undefined): unknown {
  if (frozenAt !== undefined && (tag === undefined || (typeof tag === "string" && HEAD_TAGS.has(tag))))
    return toHex(frozenAt);
  if (tag === "finalized" || tag === "safe") return "latest";
  return tag;
}

/** A copy of the request with its block parameter rewritten (see {@link rewriteTag}). */
export function withBlockTag(req: RpcRequest, frozenAt: bigint | undefined): RpcRequest {
  const params = [...(req.params ?? [])];
  const at = BLOCK_PARAM[req.method];
  if (at !== undefined && params.length >= at) {
    // a missing trailing block parameter means `latest`: a frozen node answers as of its head
    if (params.length > at || frozenAt !== undefined) params[at] = rewriteTag(params[at], frozenAt);
  }
  if (req.method === "eth_getLogs" && typeof params[0] === "object" && params[0] !== null) {
    const filter = { ...(params[0] as Record<string, unknown>) };
    for (const key of ["fromBlock", "toBlock"] as const)
      if (filter[key] === "finalized" || filter[key] === "safe") filter[key] = "latest";
    params[0] = filter;
  }
  return { ...req, params };
}

/** A response carrying `result` for `req`. */
export function answer(req: RpcRequest, result: unknown): RpcResponse {
  return { jsonrpc: "2.0", id: req.id, result };
}

/** A response carrying a JSON-RPC error for `req`. */
export function failure(req: Pick<RpcRequest, "id">, code: number, message: string): RpcResponse {
  return { jsonrpc: "2.0", id: req.id, error: { code, message } };
}

/** Forward one request to the upstream node; a JSON-RPC error (-32603) when it does not answer. */
export async function forward(upstream: string, req: RpcRequest): Promise<RpcResponse> {
  try {
    const res = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: req.id, method: req.method, params: req.params ?? [] }),
    });
    return (await res.json()) as RpcResponse;
  } catch (e) {
    return failure(req, -32603, `upstream node unreachable: ${(e as Error).message}`);
  }
}

/** The result of a forwarded request, or a thrown Error carrying the node's refusal. */
export async function call<T>(upstream: string, method: string, params: unknown[]): Promise<T> {
  const res = await forward(upstream, { jsonrpc: "2.0", id: 0, method, params });
  if (res.error) throw new Error(`${method}: ${res.error.message}`);
  return res.result as T;
}
