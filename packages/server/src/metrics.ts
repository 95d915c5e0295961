/**
 * The server's Prometheus metrics (`GET /metrics`, text format 0.0.4): what the chain says of the
 * settlement day, as the feed reads it (every event since deployment, so counters hold totals since
 * deployment), what the API serves, and how webhook delivery goes. The KPIs a scheme judges (success
 * rate, latency percentiles, throughput, availability) are derived from them with the PromQL in
 * docs/operations.md. Observing never blocks or fails a request or the feed: an observation that
 * throws is dropped and counted in `clearhouse_metrics_errors_total`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { PublicEvent } from "./publicEvent";

/** Seconds buckets for block-time latencies (a QBFT block period is 1–5 s; acknowledgement windows hours). */
const LATENCY_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400];
/** Seconds buckets for API requests. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Gas buckets for a cycle close. */
const GAS_BUCKETS = [100e3, 250e3, 500e3, 1e6, 2e6, 5e6, 10e6, 15e6, 30e6];

/** What the metrics read of the response cache. */
interface CacheFigures {
  hits: number;
  misses: number;
  stats(): { size: number };
}

const lower = (v: unknown): string => String(v ?? "").toLowerCase();

/** The metrics of one server; `registry.metrics()` renders them. */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly anchoredAt = new Map<string, { bank: string; at: number }>();
  private readonly openedAt = new Map<string, number>();

  readonly batchesAnchored = this.counter(
    "clearhouse_batches_anchored_total",
    "Batches anchored (BatchSubmitted), by submitting bank.",
    ["bank"],
  );
  readonly paymentsAnchored = this.counter(
    "clearhouse_payments_anchored_total",
    "Payments in anchored batches (the header's entryCount), by submitting bank.",
    ["bank"],
  );
  readonly batchesFinal = this.counter(
    "clearhouse_batches_final_total",
    "Batches acknowledged by every counterparty (final), by submitting bank.",
    ["bank"],
  );
  readonly batchesDisputed = this.counter(
    "clearhouse_batches_disputed_total",
    "Disputes raised, by submitting bank and reason code.",
    ["bank", "reason"],
  );
  readonly batchesRejected = this.counter(
    "clearhouse_batches_rejected_total",
    "Batches rejected (a dispute upheld), by submitting bank.",
    ["bank"],
  );
  readonly batchesNetted = this.counter(
    "clearhouse_batches_netted_total",
    "Batches taken into a settlement cycle (BatchNetted), by submitting bank.",
    ["bank"],
  );
  readonly finality = this.histogram(
    "clearhouse_batch_finality_seconds",
    "Block time from a batch's anchoring to its last acknowledgement (anchored → final), by submitting bank.",
    ["bank"],
    LATENCY_BUCKETS,
  );
  readonly cyclesClosed = this.counter("clearhouse_cycles_closed_total", "Settlement cycles closed.", []);
  readonly cycleDuration = this.histogram(
    "clearhouse_cycle_open_seconds",
    "Block time from a cycle's opening to its close.",
    [],
    LATENCY_BUCKETS,
  );
  readonly cycleCloseGas = this.histogram(
    "clearhouse_cycle_close_gas",
    "Gas of the transaction that closed a cycle.",
    [],
    GAS_BUCKETS,
  );
  readonly grossSettled = this.counter(
    "clearhouse_gross_settled_total",
    "Obligations settled by cycle closes, in the token's minor units.",
    [],
  );
  readonly netSettled = this.counter(
    "clearhouse_net_settled_total",
    "Value moved to settle them (net), in minor units.",
    [],
  );
  readonly deferrals = this.counter(
    "clearhouse_deferrals_total",
    "Times a bank was held at a close (BankHeld), by bank.",
    ["bank"],
  );
  readonly consecutiveDeferrals = this.gauge(
    "clearhouse_consecutive_deferrals",
    "A bank's consecutive deferrals as of its last BankHeld (0 after DeferralsCleared).",
    ["bank"],
  );
  readonly creditDrawn = this.counter(
    "clearhouse_credit_drawn_total",
    "Credit drawn to settle net debits (NetPosition fromCredit), in minor units, by bank.",
    ["bank"],
  );
  readonly events = this.counter(
    "clearhouse_chain_events_total",
    "Contract events read from the chain, by contract and event.",
    ["contract", "event"],
  );
  readonly headBlock = this.gauge(
    "clearhouse_chain_head_block",
    "The chain's latest block at the feed's last poll.",
    [],
  );
  readonly rpcErrors = this.counter(
    "clearhouse_rpc_errors_total",
    "Feed polls that failed (the node or the delivery store).",
    [],
  );
  readonly httpRequests = this.counter(
    "clearhouse_http_requests_total",
    "API requests answered, by method, route and status.",
    ["method", "route", "status"],
  );
  readonly httpDuration = this.histogram(
    "clearhouse_http_request_duration_seconds",
    "API request duration, by method and route.",
    ["method", "route"],
    HTTP_BUCKETS,
  );
  readonly streamSubscribers = this.gauge(
    "clearhouse_event_stream_subscribers",
    "Open /api/events/stream connections.",
    [],
  );
  readonly deliveries = this.counter(
    "clearhouse_webhook_deliveries_total",
    "Webhook delivery attempts, by subscription and outcome (delivered, failed, dead).",
    ["subscription", "outcome"],
  );
  readonly webhookPending = this.gauge(
    "clearhouse_webhook_pending",
    "Deliveries waiting (pending), by subscription, at scrape time.",
    ["subscription"],
  );
  readonly webhookDead = this.gauge(
    "clearhouse_webhook_dead_letters",
    "Deliveries in the dead-letter queue, by subscription, at scrape time.",
    ["subscription"],
  );
  readonly webhookOldestPending = this.gauge(
    "clearhouse_webhook_oldest_pending_seconds",
    "Age of the oldest pending delivery (webhook lag), by subscription; 0 when none waits.",
    ["subscription"],
  );
  readonly errors = this.counter("clearhouse_metrics_errors_total", "Observations dropped because they failed.", []);
  readonly abandoned = this.counter(
    "clearhouse_http_abandoned_total",
    "API requests whose client closed the connection before the answer (event streams not counted), by method and route.",
    ["method", "route"],
  );
  private watched: { cache: CacheFigures; audit: { abandoned: number } } | undefined;
  readonly cacheAnswers: Counter<"result"> = new Counter({
    name: "clearhouse_http_cache_answers_total",
    help: "Read-route answers from the response cache (hit) or computed from the index (miss).",
    labelNames: ["result"],
    registers: [this.registry],
    collect: (): void =>
      this.copy(this.cacheAnswers, { hit: this.watched?.cache.hits, miss: this.watched?.cache.misses }),
  });
  readonly cacheSize: Gauge = new Gauge({
    name: "clearhouse_http_cache_size",
    help: "Size of what the response cache holds: keys, answers and a fixed overhead per answer (about bytes).",
    registers: [this.registry],
    collect: (): void => this.cacheSize.set(this.watched?.cache.stats().size ?? 0),
  });
  readonly auditsAbandoned: Counter = new Counter({
    name: "clearhouse_audit_runs_abandoned_total",
    help: "Audits (GET /api/audit) stopped because every request waiting for them went away.",
    registers: [this.registry],
    collect: (): void => this.copy(this.auditsAbandoned, { "": this.watched?.audit.abandoned }),
  });

  constructor(o: { processMetrics?: boolean } = {}) {
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "clearhouse_" });
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  private histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames: [...labelNames], buckets, registers: [this.registry] });
  }

  /** Read the response cache's and the shared audit's own counts at each scrape. */
  watch(w: { cache: CacheFigures; audit: { abandoned: number } }): void {
    this.watched = w;
  }

  /** Set a counter to totals kept elsewhere (`""` for the unlabelled series). */
  private copy<L extends string>(c: Counter<L>, totals: Record<string, number | undefined>): void {
    c.reset();
    for (const [label, v] of Object.entries(totals)) {
      if (v === undefined) continue;
      if (label === "") (c as Counter).inc(v);
      else c.inc({ result: label } as Partial<Record<L, string>>, v);
    }
  }

  /** Count one request its client abandoned. */
  observeAbandoned(method: string, route: string): void {
    this.safely(() => this.abandoned.inc({ method, route }));
  }

  /** Run `fn`; count and drop what it throws. */
  safely(fn: () => void): void {
    try {
      fn();
    } catch {
      this.errors.inc();
    }
  }

  /**
   * Count one chain event. `blockTime` is its block's timestamp (unix seconds); `gasUsed` the gas of
   * its transaction where a metric needs it (a cycle close), else undefined.
   */
  observeEvent(e: PublicEvent, blockTime: number, gasUsed?: bigint): void {
    this.safely(() => {
      this.events.inc({ contract: e.contract, event: e.event });
      const a = e.args;
      switch (e.event) {
        case "BatchSubmitted": {
          const bank = lower(a.submitter);
          const header = a.header as { entryCount?: unknown } | undefined;
          this.batchesAnchored.inc({ bank });
          this.paymentsAnchored.inc({ bank }, Number(header?.entryCount ?? 0));
          this.anchoredAt.set(lower(a.batchId), { bank, at: blockTime });
          break;
        }
        case "BatchAcknowledged": {
          if (a.allAcknowledged !== true) break;
          const anchored = this.anchoredAt.get(lower(a.batchId));
          if (!anchored) break;
          this.batchesFinal.inc({ bank: anchored.bank });
          this.finality.observe({ bank: anchored.bank }, Math.max(0, blockTime - anchored.at));
          break;
        }
        case "BatchDisputed": {
          const bank = this.anchoredAt.get(lower(a.batchId))?.bank ?? "unknown";
          this.batchesDisputed.inc({ bank, reason: String(a.reasonCode ?? "") });
          break;
        }
        case "DisputeResolved":
          if (a.upheld === true)
            this.batchesRejected.inc({ bank: this.anchoredAt.get(lower(a.batchId))?.bank ?? "unknown" });
          break;
        case "BatchNetted":
          this.batchesNetted.inc({ bank: this.anchoredAt.get(lower(a.batchId))?.bank ?? "unknown" });
          break;
        case "CycleOpened":
          this.openedAt.set(String(a.cycleId), blockTime);
          break;
        case "CycleClosed": {
          this.cyclesClosed.inc();
          this.grossSettled.inc(Number(a.grossSettled ?? 0));
          this.netSettled.inc(Number(a.netSettled ?? 0));
          const opened = this.openedAt.get(String(a.cycleId));
          if (opened !== undefined) this.cycleDuration.observe(Math.max(0, blockTime - opened));
          if (gasUsed !== undefined) this.cycleCloseGas.observe(Number(gasUsed));
          break;
        }
        case "BankHeld":
          this.deferrals.inc({ bank: lower(a.bank) });
          this.consecutiveDeferrals.set({ bank: lower(a.bank) }, Number(a.consecutive ?? 0));
          break;
        case "DeferralsCleared":
          this.consecutiveDeferrals.set({ bank: lower(a.bank) }, 0);
          break;
        case "NetPosition": {
          const fromCredit = Number(a.fromCredit ?? 0);
          if (fromCredit > 0) this.creditDrawn.inc({ bank: lower(a.bank) }, fromCredit);
          break;
        }
      }
    });
  }

  /** Count one answered API request (`route` the matched route pattern, not the raw URL). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.safely(() => {
      this.httpRequests.inc({ method, route, status: String(status) });
      this.httpDuration.observe({ method, route }, seconds);
    });
  }

  /** Count one webhook delivery attempt's outcome. */
  observeDelivery(subscription: string, outcome: "delivered" | "failed" | "dead"): void {
    this.safely(() => this.deliveries.inc({ subscription, outcome }));
  }

  /** The metrics in Prometheus text format, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
