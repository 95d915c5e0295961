/**
 * The webhook outbox: every event to deliver, per webhook, in a file written atomically after each
 * change, so deliveries survive a crash or a restart (at-least-once). A delivery is keyed by
 * webhook and event id: an event is enqueued once per webhook (a replay creates new deliveries on
 * purpose, with the same event id, so receivers dedupe on it). Failed deliveries are retried with
 * exponential backoff.
 */
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeJsonAtomic } from "@clearhouse/sdk/node";
import type { WebhookConfig } from "./config";

export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  body: string;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt?: number;
  lastError?: string;
}

interface OutboxFile {
  format: "clearhouse.outbox/1";
  /** Last block whose events were enqueued. */
  cursor: string | null;
  deliveries: Delivery[];
}

/** HMAC-SHA256 over "<timestamp>.<body>", hex: the X-Clearhouse-Signature header (sha256=…). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** Delivered entries kept (without bodies) for `GET /api/webhooks`. */
const KEEP_DELIVERED = 1_000;

export class Outbox {
  private data: OutboxFile;

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.data = existsSync(path)
      ? (JSON.parse(readFileSync(path, "utf8")) as OutboxFile)
      : { format: "clearhouse.outbox/1", cursor: null, deliveries: [] };
  }

  get cursor(): bigint | undefined {
    return this.data.cursor === null ? undefined : BigInt(this.data.cursor);
  }

  /** Enqueue events (once per webhook and event id unless `replay`) and move the cursor, atomically. */
  enqueue(
    events: { id: string; name: string; body: string }[],
    webhooks: WebhookConfig[],
    cursor: bigint | undefined,
    replay = false,
  ): number {
    const seen = new Set(this.data.deliveries.map((d) => `${d.webhookId}|${d.eventId}`));
    let added = 0;
    for (const e of events) {
      for (const w of webhooks) {
        if (w.events && !w.events.includes(e.name)) continue;
        if (!replay && seen.has(`${w.id}|${e.id}`)) continue;
        this.data.deliveries.push({
          id: randomUUID(),
          webhookId: w.id,
          eventId: e.id,
          body: e.body,
          attempts: 0,
          nextAttemptAt: 0,
        });
        added++;
      }
    }
    if (cursor !== undefined && (this.cursor === undefined || cursor > this.cursor))
      this.data.cursor = cursor.toString();
    this.save();
    return added;
  }

  /** Deliveries due now. */
  due(now: number): Delivery[] {
    return this.data.deliveries.filter((d) => d.deliveredAt === undefined && d.nextAttemptAt <= now);
  }

  pending(): Delivery[] {
    return this.data.deliveries.filter((d) => d.deliveredAt === undefined);
  }

  all(): readonly Delivery[] {
    return this.data.deliveries;
  }

  markDelivered(id: string, at: number): void {
    const d = this.data.deliveries.find((x) => x.id === id);
    if (!d) return;
    d.deliveredAt = at;
    d.attempts++;
    this.prune();
    this.save();
  }

  /**
   * Keep the file bounded: delivered entries lose their body and only the last KEEP_DELIVERED stay
   * (the cursor, not the history, is what keeps old events from being enqueued again).
   */
  private prune(): void {
    const delivered = this.data.deliveries.filter((d) => d.deliveredAt !== undefined);
    for (const d of delivered) d.body = "";
    if (delivered.length > KEEP_DELIVERED) {
      const drop = new Set(delivered.slice(0, delivered.length - KEEP_DELIVERED).map((d) => d.id));
      this.data.deliveries = this.data.deliveries.filter((d) => !drop.has(d.id));
    }
  }

  markFailed(id: string, at: number, error: string, baseMs: number, maxMs: number): void {
    const d = this.data.deliveries.find((x) => x.id === id);
    if (!d) return;
    d.attempts++;
    d.lastError = error;
    d.nextAttemptAt = at + Math.min(maxMs, baseMs * 2 ** (d.attempts - 1));
    this.save();
  }

  private save(): void {
    writeJsonAtomic(this.path, this.data);
  }
}

/** POST one delivery; resolves to an error text, or undefined on a 2xx. */
export async function deliver(d: Delivery, hook: WebhookConfig, now: number): Promise<string | undefined> {
  const timestamp = String(Math.floor(now / 1000));
  try {
    const res = await fetch(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-clearhouse-event-id": d.eventId,
        "x-clearhouse-delivery": d.id,
        "x-clearhouse-timestamp": timestamp,
        "x-clearhouse-signature": `sha256=${signWebhook(hook.secret, timestamp, d.body)}`,
      },
      body: d.body,
      signal: AbortSignal.timeout(10_000),
    });
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (e) {
    return (e as Error).message;
  }
}
