/**
 * Where a sent transaction is, asked of every node a client is configured with (each transport of
 * a `fallback`, or the client's one transport). A fallback transport alone asks only the first
 * node that answers — and a node that answers `null` (a restarted node's empty pool, a node that
 * lags) counts as an answer — so a write that asked only it could call a transaction dropped that
 * another node holds or has mined.
 */
import { formatTransactionReceipt, type Address, type Hash, type TransactionReceipt } from "viem";

/** One node's JSON-RPC request function. */
type Request = (args: { method: string; params?: unknown[] }) => Promise<unknown>;

/** What the nodes say of a transaction. */
export interface Sighting {
  /** Nodes asked, and how many answered both questions. */
  nodes: number;
  answered: number;
  /** Some node has the transaction (in its pool or a block). */
  known: boolean;
  /** The highest mined nonce count (`eth_getTransactionCount(sender, "latest")`) a node gave. */
  mined: number;
  /** The receipt, when a node has the transaction in a block. */
  receipt?: TransactionReceipt;
}

/** The request function of each node behind `client`. */
export function nodeRequests(client: { request: unknown; transport: unknown }): Request[] {
  const transports = (client.transport as { transports?: unknown } | undefined)?.transports;
  if (Array.isArray(transports) && transports.length > 0)
    return transports.map((t) => (t as { request: Request }).request);
  return [client.request as Request];
}

/** One node's view: whether it has `hash` (and its receipt if mined) and `sender`'s mined count. */
async function askOne(request: Request, hash: Hash, sender: Address) {
  const [tx, count] = await Promise.all([
    request({ method: "eth_getTransactionByHash", params: [hash] }),
    request({ method: "eth_getTransactionCount", params: [sender, "latest"] }),
  ]);
  const mined = Number(BigInt(count as string));
  if (!tx) return { known: false, mined };
  if ((tx as { blockNumber?: unknown }).blockNumber == null) return { known: true, mined };
  const raw = await request({ method: "eth_getTransactionReceipt", params: [hash] });
  return { known: true, mined, receipt: raw ? formatTransactionReceipt(raw as never) : undefined };
}

/** Ask every node of `client` about `hash` and `sender`; a node that fails to answer is counted out. */
export async function lookUp(
  client: { request: unknown; transport: unknown },
  hash: Hash,
  sender: Address,
): Promise<Sighting> {
  const nodes = nodeRequests(client);
  const answers = await Promise.all(nodes.map((request) => askOne(request, hash, sender).catch(() => undefined)));
  const sighting: Sighting = { nodes: nodes.length, answered: 0, known: false, mined: 0 };
  for (const a of answers) {
    if (!a) continue;
    sighting.answered += 1;
    sighting.known ||= a.known;
    sighting.mined = Math.max(sighting.mined, a.mined);
    if (a.receipt && !sighting.receipt) sighting.receipt = a.receipt;
  }
  return sighting;
}
