/**
 * The KPIs of the operations page (`GET /api/operations`), computed from the chain's events and
 * their blocks' timestamps, in buckets of `bucketSeconds` (block time, not the server's clock):
 *
 * - throughput: batches and payments anchored per bucket, and payments per second (TPS);
 * - latency: anchored → final (a batch's last acknowledgement), p50 / p95 / p99 of the batches
 *   final in the bucket (nearest-rank percentiles);
 * - success rate: batches netted ÷ (netted + rejected) among those that reached an outcome in the
 *   bucket (null when none did);
 * - deferrals: banks held at closes in the bucket; cycles closed; credit drawn.
 *
 * The same definitions as the Prometheus metrics (docs/operations.md gives both).
 */
import type { PublicEvent } from "./publicEvent";

/** One bucket of the operations page. */
export interface OperationsBucket {
  /** Bucket start, unix seconds. */
  start: number;
  batches: number;
  payments: number;
  /** Payments anchored per second over the bucket. */
  tps: number;
  final: number;
  latency: { p50: number | null; p95: number | null; p99: number | null };
  netted: number;
  rejected: number;
  /** netted / (netted + rejected), or null when no batch reached an outcome. */
  successRate: number | null;
  deferrals: number;
  cyclesClosed: number;
  /** Credit drawn at closes, minor units (decimal string). */
  creditDrawn: string;
}

export interface OperationsReport {
  bucketSeconds: number;
  /** First and last block time covered (unix seconds), or null without events. */
  from: number | null;
  to: number | null;
  buckets: OperationsBucket[];
  totals: { batches: number; payments: number; final: number; netted: number; rejected: number; deferrals: number };
}

/** Nearest-rank percentile of sorted `xs` (null when empty). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const key = (v: unknown) => String(v ?? "").toLowerCase();

/**
 * The operations report of `events` (in chain order), with `timeOf(blockNumber)` the block's unix
 * time. Buckets run from the first event's bucket to the last one's, empty ones included, at most
 * `maxBuckets` (the latest ones).
 */
export function operationsReport(
  events: readonly PublicEvent[],
  timeOf: (blockNumber: string) => number,
  bucketSeconds: number,
  maxBuckets = 500,
): OperationsReport {
  const buckets = new Map<number, OperationsBucket & { latencies: number[]; credit: bigint }>();
  const bucketOf = (t: number) => {
    const start = Math.floor(t / bucketSeconds) * bucketSeconds;
    let b = buckets.get(start);
    if (!b) {
      b = {
        start,
        batches: 0,
        payments: 0,
        tps: 0,
        final: 0,
        latency: { p50: null, p95: null, p99: null },
        netted: 0,
        rejected: 0,
        successRate: null,
        deferrals: 0,
        cyclesClosed: 0,
        creditDrawn: "0",
        latencies: [],
        credit: 0n,
      };
      buckets.set(start, b);
    }
    return b;
  };
  const anchoredAt = new Map<string, number>();
  const totals = { batches: 0, payments: 0, final: 0, netted: 0, rejected: 0, deferrals: 0 };
  let from: number | null = null;
  let to: number | null = null;
  for (const e of events) {
    const t = timeOf(e.blockNumber);
    from = from === null ? t : Math.min(from, t);
    to = to === null ? t : Math.max(to, t);
    const a = e.args;
    switch (e.event) {
      case "BatchSubmitted": {
        const b = bucketOf(t);
        const n = Number((a.header as { entryCount?: unknown } | undefined)?.entryCount ?? 0);
        b.batches += 1;
        b.payments += n;
        totals.batches += 1;
        totals.payments += n;
        anchoredAt.set(key(a.batchId), t);
        break;
      }
      case "BatchAcknowledged": {
        const at = anchoredAt.get(key(a.batchId));
        if (a.allAcknowledged !== true || at === undefined) break;
        const b = bucketOf(t);
        b.final += 1;
        b.latencies.push(Math.max(0, t - at));
        totals.final += 1;
        break;
      }
      case "BatchNetted":
        bucketOf(t).netted += 1;
        totals.netted += 1;
        break;
      case "DisputeResolved":
        if (a.upheld === true) {
          bucketOf(t).rejected += 1;
          totals.rejected += 1;
        }
        break;
      case "BankHeld":
        bucketOf(t).deferrals += 1;
        totals.deferrals += 1;
        break;
      case "CycleClosed":
        bucketOf(t).cyclesClosed += 1;
        break;
      case "NetPosition":
        bucketOf(t).credit += BigInt(String(a.fromCredit ?? "0"));
        break;
    }
  }
  const out: OperationsBucket[] = [];
  if (from !== null && to !== null) {
    const first = Math.floor(from / bucketSeconds) * bucketSeconds;
    const last = Math.floor(to / bucketSeconds) * bucketSeconds;
    const start = Math.max(first, last - (maxBuckets - 1) * bucketSeconds);
    for (let s = start; s <= last; s += bucketSeconds) {
      const b = buckets.get(s) ?? bucketOf(s);
      const sorted = [...b.latencies].sort((x, y) => x - y);
      const outcomes = b.netted + b.rejected;
      out.push({
        start: b.start,
        batches: b.batches,
        payments: b.payments,
        tps: b.payments / bucketSeconds,
        final: b.final,
        latency: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
        netted: b.netted,
        rejected: b.rejected,
        successRate: outcomes === 0 ? null : b.netted / outcomes,
        deferrals: b.deferrals,
        cyclesClosed: b.cyclesClosed,
        creditDrawn: b.credit.toString(),
      });
    }
  }
  return { bucketSeconds, from, to, buckets: out, totals };
}
