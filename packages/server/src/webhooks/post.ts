/**
 * One webhook request: the body, the Standard Webhooks headers and the older X-Clearhouse ones,
 * sent with node:http(s) over kept-alive connections.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { WebhookConfig } from "../config";
import type { ClaimedDelivery } from "../store/types";
import { signStandardWebhook, signWebhook } from "./sign";
import { ENCRYPTION_HEADER, webhookBody } from "./encrypt";

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

/** Connections kept open between attempts (keep-alive): an attempt costs no new TCP or TLS handshake. */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** An answer's body is drained (so its connection is kept) up to this size; a larger one closes it. */
const MAX_DRAINED_BYTES = 64 * 1024;

/** No answer (its status line and headers) within the webhook's `timeoutMs`. */
class NoAnswer extends Error {}

/**
 * The receiver closed a kept-alive connection just as the request went out on it (it closes idle
 * connections after its own keep-alive timeout, which Node's agent does not learn without an agent
 * timeout): nothing was answered, and the request is sent again on another connection.
 */
class StaleConnection extends Error {}

/** Tries of one attempt on kept-alive connections the receiver turns out to have closed. */
const STALE_TRIES = 3;

/**
 * POST `body` to `url`; the answer once its headers are in. Its body is not read: it is drained in
 * the background and the connection kept for the next attempt, or the connection closed if the
 * body is larger than MAX_DRAINED_BYTES or not over within `timeoutMs`.
 */
function send(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === "https:";
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      agent: https ? agents.https : agents.http,
    });
    const timer = setTimeout(() => req.destroy(new NoAnswer()), timeoutMs);
    req.on("error", (e: Error & { code?: string }) => {
      clearTimeout(timer);
      const stale = req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE");
      reject(stale ? Object.assign(new StaleConnection(e.message), { code: e.code }) : e);
    });
    req.on("response", (res) => {
      clearTimeout(timer);
      const retryAfter = res.headers["retry-after"];
      resolve({ status: res.statusCode ?? 0, retryAfter });
      let size = 0;
      const drain = setTimeout(() => res.destroy(), timeoutMs);
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_DRAINED_BYTES) res.destroy();
      });
      res.on("error", () => undefined);
      res.on("close", () => clearTimeout(drain));
    });
    req.end(body);
  });
}

/**
 * POST one delivery. A redirect is a failure (not followed), and so is no answer within the
 * webhook's `timeoutMs`; a failed answer's `Retry-After` is passed on for the retry policy. A
 * kept-alive connection the receiver had closed is not a failure: the request goes out again on a
 * new connection, within the same `timeoutMs` (receivers dedupe on `webhook-id` anyway).
 */
export async function postDelivery(d: ClaimedDelivery, hook: WebhookConfig, now: number): Promise<AttemptResult> {
  const url = new URL(hook.url);
  // Encrypt, then sign: the signatures cover the envelope as sent.
  let sent: { body: string; encrypted: boolean };
  try {
    sent = webhookBody(d.body, hook.encryptKey);
  } catch (e) {
    return { error: `cannot encrypt: ${(e as Error).message.split("\n")[0]}` };
  }
  const headers = deliveryHeaders({ ...d, body: sent.body }, hook.secret, now);
  if (sent.encrypted) headers[ENCRYPTION_HEADER] = "clearhouse.enc/1";
  const deadline = Date.now() + hook.timeoutMs;
  const sendFresh = async (tries: number): Promise<{ status: number; retryAfter: string | undefined }> => {
    try {
      return await send(url, headers, sent.body, Math.max(1, deadline - Date.now()));
    } catch (e) {
      if (e instanceof StaleConnection && tries > 1 && Date.now() < deadline) return sendFresh(tries - 1);
      throw e;
    }
  };
  try {
    const res = await sendFresh(STALE_TRIES);
    if (res.status >= 200 && res.status < 300) return {};
    return { error: `HTTP ${res.status}`, retryAfterMs: retryAfterMs(res.retryAfter ?? null, now) };
  } catch (e) {
    if (e instanceof NoAnswer) return { error: `no answer within ${hook.timeoutMs} ms` };
    const err = e as Error & { code?: string };
    const message = err.message.split("\n")[0];
    return { error: err.code && !message.includes(err.code) ? `${message} (${err.code})` : message };
  }
}
