/**
 * The delivery worker: one lane per subscription, lanes side by side (up to
 * `deliveryConcurrency`). A lane starts from its subscription's oldest pending delivery (claimed
 * with the other subscriptions' heads), then continues on its own: it claims a run of the next
 * pending deliveries of that subscription under one lease and attempts them one after the other,
 * recording each outcome before the next attempt; the first failure ends the run (the rest is
 * released, to wait behind the failed one) and the lane. So a receiver that fails, answers slowly or
 * not at all holds up only its own lane, each subscription gets its events in order, and a
 * delivery costs one store transaction (its outcome) plus a share of its run's claim.
 */
import type { ServeConfig, WebhookConfig } from "../config";
import type { ClaimedDelivery, DeliveryStore } from "../store/types";
import { postDelivery } from "./post";
import { afterFailure } from "./retry";

/** Beyond the request timeout, how long a claimed delivery stays leased to this process. */
const LEASE_MARGIN_MS = 5_000;
/** Deliveries of one subscription a lane claims at once (its head and the ones right behind it). */
export const RUN_LENGTH = 32;
/**
 * How long after its claim a run's next delivery may still be begun: the run is leased that much
 * longer, so every attempt begins with at least its timeout + LEASE_MARGIN_MS of lease left. What
 * is left of the run then is released and claimed again under a fresh lease.
 */
export const RUN_WINDOW_MS = 1_000;

export class DeliveryWorker {
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly hooks: Map<string, WebhookConfig>;
  private readonly leaseMs: number;
  private kicking: Promise<void> | undefined;
  private again = false;
  private running = false;
  /** While `stop` waits: nothing new is claimed, lanes end after the attempt in flight and release the rest of their run. */
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  /** The last error of the store itself (not of a receiver), shown by /api/health; cleared on success. */
  storeError: string | undefined;
  /** Called with each attempt's outcome (the server's metrics); what it throws is ignored. */
  onOutcome: ((subscriptionId: string, outcome: "delivered" | "failed" | "dead") => void) | undefined;

  constructor(
    private readonly store: DeliveryStore,
    private readonly config: ServeConfig,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.hooks = new Map(config.webhooks.map((w) => [w.id, w]));
    this.leaseMs = Math.max(0, ...config.webhooks.map((w) => w.timeoutMs)) + LEASE_MARGIN_MS;
  }

  /** Attempt everything due now, following each lane while its next delivery is due; resolves when idle. */
  async drain(): Promise<void> {
    await this.kick();
    while (this.lanes.size || this.kicking) await Promise.all([...this.lanes.values(), this.kicking]);
  }

  /** Keep delivering on a timer (at the next due time) until `stop`. */
  start(): void {
    this.running = true;
    this.stopping = false;
    void this.kick();
  }

  /**
   * Stop scheduling and wait for the attempts in flight (their outcomes are recorded); what the
   * lanes' runs had not begun is released, claimable at once by the next worker.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.lanes.size || this.kicking) await Promise.all([...this.lanes.values(), this.kicking]);
    this.stopping = false;
  }

  /** Claim and start what is due; a call while one runs makes it run once more when done. */
  kick(): Promise<void> {
    if (this.kicking) {
      this.again = true;
      return this.kicking;
    }
    this.kicking = (async () => {
      do {
        this.again = false;
        await this.claimAndStart();
      } while (this.again);
    })().finally(() => (this.kicking = undefined));
    return this.kicking;
  }

  private async claimAndStart(): Promise<void> {
    const free = this.config.deliveryConcurrency - this.lanes.size;
    if (free > 0 && !this.stopping) {
      let claimed: ClaimedDelivery[];
      // Heads are leased like runs: begun within RUN_WINDOW_MS of `at`, or given back (a claim
      // that came back late, its lease nearly out, must not send beside the next claimant).
      const at = this.now();
      try {
        claimed = await this.store.claimDue(at, this.leaseMs + RUN_WINDOW_MS, new Set(this.lanes.keys()), free);
        this.storeError = undefined;
      } catch (e) {
        this.storeError = (e as Error).message.split("\n")[0];
        return this.schedule(1_000);
      }
      for (const d of claimed) {
        const lane = this.lane(d, at).finally(() => {
          this.lanes.delete(d.subscriptionId);
          void this.kick();
        });
        this.lanes.set(d.subscriptionId, lane);
      }
    }
    if (this.running) {
      const due = await this.store.nextDueAt().catch(() => undefined);
      if (due !== undefined) this.schedule(Math.max(0, due - this.now()));
    }
  }

  private schedule(inMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    // At most a minute ahead: a replay or new events kick the worker sooner anyway.
    this.timer = setTimeout(() => void this.kick(), Math.min(inMs, 60_000) + 1);
  }

  /**
   * A lane: `head` (claimed by `claimAndStart`), then runs of the same subscription while each
   * delivery is delivered. With more subscriptions than lanes a lane takes one run after its head
   * and then makes way (the next claim serves whichever subscriptions are due first).
   */
  private async lane(head: ClaimedDelivery, claimedAt: number): Promise<void> {
    const hook = this.hooks.get(head.subscriptionId);
    if (!hook) return; // the store claims only subscriptions in the config (synced at start)
    let runs = this.hooks.size <= this.config.deliveryConcurrency ? Infinity : 1;
    // The head is attempted at once, within its own lease: begun by the end of its window or given back.
    if ((await this.attemptRun([head], hook, claimedAt + RUN_WINDOW_MS)) !== "delivered") return;
    while (runs-- > 0 && !this.stopping) {
      const at = this.now();
      let run: ClaimedDelivery[];
      try {
        run = await this.store.claimRun(hook.id, at, this.leaseMs + RUN_WINDOW_MS, RUN_LENGTH);
        this.storeError = undefined;
      } catch (e) {
        this.storeError = (e as Error).message.split("\n")[0];
        return;
      }
      if (!run.length || (await this.attemptRun(run, hook, at + RUN_WINDOW_MS)) === "ended") return;
    }
  }

  /**
   * Attempt a run's deliveries in order, each begun only by `beginBy` (ms) and while the worker is
   * not stopping. At the first one not delivered, or not begun, the rest is released. "delivered":
   * every one was; "cut": the window closed first (the lane goes on); "ended": the lane stops.
   */
  private async attemptRun(
    run: ClaimedDelivery[],
    hook: WebhookConfig,
    beginBy: number,
  ): Promise<"delivered" | "cut" | "ended"> {
    for (let i = 0; i < run.length; i++) {
      const cut = this.now() > beginBy;
      if (cut || this.stopping || !(await this.attempt(run[i], hook))) {
        const rest = run.slice(cut || this.stopping ? i : i + 1);
        if (rest.length)
          await this.store.release(rest).catch((e: Error) => {
            this.storeError = e.message.split("\n")[0]; // their lease runs out instead
          });
        return cut && !this.stopping ? "cut" : "ended";
      }
    }
    return "delivered";
  }

  /** Post one delivery and record its outcome; whether it was delivered and recorded. */
  private async attempt(d: ClaimedDelivery, hook: WebhookConfig): Promise<boolean> {
    const { error, retryAfterMs } = await postDelivery(d, hook, this.now());
    const at = this.now();
    const outcome =
      error === undefined
        ? ({ kind: "delivered", at } as const)
        : afterFailure(d, hook, this.config, error, at, this.random, retryAfterMs);
    try {
      this.onOutcome?.(d.subscriptionId, outcome.kind === "retry" ? "failed" : outcome.kind);
    } catch {
      // metrics never stop a delivery
    }
    try {
      await this.store.complete(d, outcome);
      this.storeError = undefined;
    } catch (e) {
      // The lease runs out and the delivery is attempted again: at least once, never lost.
      this.storeError = (e as Error).message.split("\n")[0];
      return false;
    }
    return outcome.kind === "delivered";
  }
}
