/** One webhook request: the body, the Standard Webhooks headers and the older X-Clearhouse ones. */
import type { WebhookConfig } from "../config";
import type { ClaimedDelivery } from "../store/types";
import { signStandardWebhook, signWebhook } from "./sign";

/** The headers of one attempt at `now` (ms). */
export function deliveryHeaders(d: ClaimedDelivery, secret: string, now: number): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return {
    "content-type": "application/json",
    // Standard Webhooks: the id is the event's, the same on every attempt and replay (dedupe on it).
    "webhook-id": d.eventId,
    "webhook-timestamp": timestamp,
    "webhook-signature": signStandardWebhook(secret, d.eventId, timestamp, d.body),
    // Deprecated, for receivers written before Standard Webhooks.
    "x-clearhouse-event-id": d.eventId,
    "x-clearhouse-delivery": d.id,
    "x-clearhouse-timestamp": timestamp,
    "x-clearhouse-signature": `sha256=${signWebhook(secret, timestamp, d.body)}`,
  };
}

/** What one attempt came to: nothing on a 2xx, else why, and the wait a `Retry-After` asked for. */
export interface AttemptResult {
  error?: string;
  retryAfterMs?: number;
}

/** A `Retry-After` header in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or bad. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POST one delivery. A redirect is a failure (not followed), and so is no answer within the
 * webhook's `timeoutMs`; a failed answer's `Retry-After` is passed on for the retry policy.
 */
export async function postDelivery(d: ClaimedDelivery, hook: WebhookConfig, now: number): Promise<AttemptResult> {
  try {
    const res = await fetch(hook.url, {
      method: "POST",
      headers: deliveryHeaders(d, hook.secret, now),
      body: d.body,
      redirect: "manual",
      signal: AbortSignal.timeout(hook.timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined); // the answer's body is not read: free the socket
    if (res.status >= 200 && res.status < 300) return {};
    return { error: `HTTP ${res.status}`, retryAfterMs: retryAfterMs(res.headers.get("retry-after"), now) };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === "TimeoutError") return { error: `no answer within ${hook.timeoutMs} ms` };
    return { error: err.cause?.code ? `${err.message} (${err.cause.code})` : err.message.split("\n")[0] };
  }
}
