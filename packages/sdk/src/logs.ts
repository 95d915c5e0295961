/**
 * Bounded log queries. Nodes cap the block range of one `eth_getLogs` (Besu: `--rpc-max-logs-range`,
 * 5,000 by default), so every log query the SDK makes goes through `queryLogs`, which splits the
 * range into pages of at most the client's `maxLogRange` blocks.
 */
import { rpc, type ClearhouseContext } from "./context";
import { InvalidArgumentError } from "./errors/base";

/** Blocks per `eth_getLogs` unless the client says otherwise (Besu's default `--rpc-max-logs-range`). */
export const DEFAULT_MAX_LOG_RANGE = 5_000n;

/** An inclusive block range. */
export interface BlockRange {
  fromBlock: bigint;
  toBlock: bigint;
}

/** The client's log-range cap (`maxLogRange`, default 5,000 blocks). */
export function maxLogRange(ctx: ClearhouseContext): bigint {
  return ctx.settings?.maxLogRange ?? DEFAULT_MAX_LOG_RANGE;
}

/** A `maxLogRange` setting checked: a whole number of blocks, at least 1. */
export function requireLogRange(value: bigint | number): bigint {
  if (typeof value === "number" && !Number.isSafeInteger(value))
    throw new InvalidArgumentError("maxLogRange", `is ${value}, not a whole number of blocks`);
  const range = BigInt(value);
  if (range < 1n) throw new InvalidArgumentError("maxLogRange", `is ${range}: it must be at least 1 block`);
  return range;
}

/** [fromBlock, toBlock] split into consecutive ranges of at most `size` blocks, oldest first. */
export function blockRanges(fromBlock: bigint, toBlock: bigint, size: bigint): BlockRange[] {
  const out: BlockRange[] = [];
  for (let start = fromBlock; start <= toBlock; start += size) {
    out.push({ fromBlock: start, toBlock: start + size - 1n < toBlock ? start + size - 1n : toBlock });
  }
  return out;
}

export interface QueryLogsOptions<T> {
  /**
   * Last block to read (default: the latest block, read once and never from viem's block-number
   * cache, so a read right after a write sees the write's logs).
   */
  toBlock?: bigint;
  /** Read the newest pages first (the result is still in chain order). */
  newestFirst?: boolean;
  /** Stop reading pages once this holds of what was found so far. */
  enough?: (found: readonly T[]) => boolean;
  /** Called after each page: blocks read so far, blocks in all. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Every log `query` returns over [fromBlock, toBlock], one query per page of at most `maxLogRange`
 * blocks, in chain order. `what` names the query in errors ("getLogs(BatchDeclared)").
 */
export async function queryLogs<T>(
  ctx: ClearhouseContext,
  what: string,
  fromBlock: bigint,
  query: (range: BlockRange) => Promise<T[]>,
  options: QueryLogsOptions<T> = {},
): Promise<T[]> {
  const toBlock =
    options.toBlock ?? (await rpc(ctx, "eth_blockNumber", () => ctx.publicClient.getBlockNumber({ cacheTime: 0 })));
  const ranges = blockRanges(fromBlock, toBlock, maxLogRange(ctx));
  if (options.newestFirst) ranges.reverse();
  const pages: T[][] = [];
  const total = Number(toBlock - fromBlock + 1n);
  let done = 0;
  for (const range of ranges) {
    const page = await rpc(ctx, what, () => query(range));
    if (options.newestFirst) pages.unshift(page);
    else pages.push(page);
    done += Number(range.toBlock - range.fromBlock + 1n);
    options.onProgress?.(done, total);
    if (options.enough?.(pages.flat())) break;
  }
  return pages.flat();
}
