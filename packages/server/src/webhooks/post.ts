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

/**
 * POST one delivery; resolves to an error text, or undefined on a 2xx. A redirect is a failure
 * (not followed), and so is no answer within the webhook's `timeoutMs`.
 */
export async function postDelivery(d: ClaimedDelivery, hook: WebhookConfig, now: number): Promise<string | undefined> {
  try {
    const res = await fetch(hook.url, {
      method: "POST",
      headers: deliveryHeaders(d, hook.secret, now),
      body: d.body,
      redirect: "manual",
      signal: AbortSignal.timeout(hook.timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined); // the answer's body is not read: free the socket
    return res.status >= 200 && res.status < 300 ? undefined : `HTTP ${res.status}`;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === "TimeoutError") return `no answer within ${hook.timeoutMs} ms`;
    return err.cause?.code ? `${err.message} (${err.cause.code})` : err.message.split("\n")[0];
  }
}
