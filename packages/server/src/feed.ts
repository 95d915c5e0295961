/**
 * The live event feed behind `clearhouse serve`: every decoded event since deployment, kept in
 * memory for the API, extended by polling the node; each new event goes to the SSE subscribers and
 * into the webhook outbox, which a worker drains with retries.
 */
import type { Address } from "viem";
import { auditedContracts, fetchEvents, type AuditEvent } from "@clearhouse/sdk/audit";
import type { ClearhouseContext } from "@clearhouse/sdk";
import type { ServeConfig } from "./config";
import { deliver, Outbox } from "./outbox";

/** An event as the API, the stream and webhooks show it (bigints as decimal strings). */
export interface PublicEvent {
  id: string;
  contract: string;
  event: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: number;
  args: Record<string, unknown>;
}

/** A value with every bigint as a decimal string (what JSON can carry), recursively. */
export const plain = (v: unknown): unknown =>
  typeof v === "bigint"
    ? v.toString()
    : Array.isArray(v)
      ? v.map(plain)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
        : v;

export function publicEvent(e: AuditEvent): PublicEvent {
  return {
    id: `${e.transactionHash}:${e.logIndex}`,
    contract: e.contract,
    event: e.eventName,
    blockNumber: e.blockNumber.toString(),
    transactionHash: e.transactionHash,
    logIndex: e.logIndex,
    args: plain(e.args) as Record<string, unknown>,
  };
}

/** What the outbox keeps of an event for its webhooks. */
const outboxEntry = (e: PublicEvent) => ({ id: e.id, name: e.event, body: JSON.stringify(e) });

/** Whether an event names `account` in any argument (what a member may see of the stream). */
export function involves(e: PublicEvent, account: Address): boolean {
  const a = account.toLowerCase();
  const walk = (v: unknown): boolean =>
    typeof v === "string"
      ? v.toLowerCase() === a
      : Array.isArray(v)
        ? v.some(walk)
        : v && typeof v === "object"
          ? Object.values(v).some(walk)
          : false;
  return walk(e.args);
}

export class EventFeed {
  readonly events: PublicEvent[] = [];
  readonly outbox: Outbox;
  private lastBlock: bigint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private delivering: Promise<void> | undefined;
  private readonly subscribers = new Set<(e: PublicEvent) => void>();
  /** Last poll error, shown by /api/health. */
  lastError: string | undefined;

  constructor(
    private readonly ctx: ClearhouseContext,
    private readonly config: ServeConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.outbox = new Outbox(config.outbox);
  }

  subscribe(fn: (e: PublicEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Read new events once, enqueue them for the webhooks, deliver what is due. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    try {
      const latest = await this.ctx.publicClient.getBlockNumber();
      const from = this.lastBlock === undefined ? BigInt(this.ctx.deployment.blockNumber) : this.lastBlock + 1n;
      if (from <= latest) {
        const fresh = (await fetchEvents(this.ctx, auditedContracts(this.ctx), from, latest)).map(publicEvent);
        this.lastBlock = latest;
        this.events.push(...fresh);
        for (const e of fresh) for (const fn of this.subscribers) fn(e);
        const cursor = this.outbox.cursor;
        const toSend = fresh.filter((e) => cursor === undefined || BigInt(e.blockNumber) > cursor);
        this.outbox.enqueue(toSend.map(outboxEntry), this.config.webhooks, latest);
      }
      this.lastError = undefined;
    } catch (e) {
      this.lastError = (e as Error).message.split("\n")[0];
    }
    void this.deliverDue(); // the delivery worker runs apart from event intake
  }

  /** Re-enqueue every event from `fromBlock` for every webhook (receivers dedupe on the event id). */
  replay(fromBlock: bigint): number {
    const events = this.events.filter((e) => BigInt(e.blockNumber) >= fromBlock);
    return this.outbox.enqueue(events.map(outboxEntry), this.config.webhooks, undefined, true);
  }

  /** Deliver what is due; one worker at a time (a second call joins the running one). */
  deliverDue(): Promise<void> {
    this.delivering ??= this.deliverOnce().finally(() => (this.delivering = undefined));
    return this.delivering;
  }

  private async deliverOnce(): Promise<void> {
    for (const d of this.outbox.due(this.now())) {
      const hook = this.config.webhooks.find((w) => w.id === d.webhookId);
      if (!hook) continue;
      const error = await deliver(d, hook, this.now());
      if (error === undefined) this.outbox.markDelivered(d.id, this.now());
      else this.outbox.markFailed(d.id, this.now(), error, this.config.retryBaseMs, this.config.maxRetryMs);
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.config.pollSeconds * 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.delivering;
  }
}
