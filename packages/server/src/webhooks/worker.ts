/**
 * The delivery worker: one lane per subscription, lanes side by side (up to
 * `deliveryConcurrency`). A lane attempts its subscription's oldest pending delivery, records the
 * outcome, then takes the next one that is due — so a receiver that fails, answers slowly or not
 * at all holds up only its own lane, and each subscription gets its events in order.
 */
import type { ServeConfig, WebhookConfig } from "../config";
import type { ClaimedDelivery, DeliveryStore } from "../store/types";
import { postDelivery } from "./post";
import { afterFailure } from "./retry";

/** Beyond the request timeout, how long a claimed delivery stays leased to this process. */
const LEASE_MARGIN_MS = 5_000;

export class DeliveryWorker {
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly hooks: Map<string, WebhookConfig>;
  private readonly leaseMs: number;
  private kicking: Promise<void> | undefined;
  private again = false;
  private running = false;
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
    void this.kick();
  }

  /** Stop scheduling and wait for the attempts in flight (their outcomes are recorded). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.lanes.size || this.kicking) await Promise.all([...this.lanes.values(), this.kicking]);
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
    if (free > 0) {
      let claimed: ClaimedDelivery[];
      try {
        claimed = await this.store.claimDue(this.now(), this.leaseMs, new Set(this.lanes.keys()), free);
        this.storeError = undefined;
      } catch (e) {
        this.storeError = (e as Error).message.split("\n")[0];
        return this.schedule(1_000);
      }
      for (const d of claimed) {
        const lane = this.attempt(d).finally(() => {
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

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const hook = this.hooks.get(d.subscriptionId);
    if (!hook) return; // the store claims only subscriptions in the config (synced at start)
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
    }
  }
}
