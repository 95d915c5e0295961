/**
 * Webhook receivers on 127.0.0.1 for the delivery tests, and a Standard Webhooks verifier written
 * here from the specification (standard-webhooks spec 1.0.0, "Verifying webhook authenticity"), not
 * from the server's code: the key is the base64 after `whsec_`, the signed content
 * `<webhook-id>.<webhook-timestamp>.<body>`, the header a space-separated list of `v1,<base64>`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { freePort } from "../helpers/net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** webhook-id */
  eventId: string;
  at: number;
}

/**
 * What the receiver does with the n-th request (0-based): a status, a status after a delay and/or
 * with headers, or "hang" (never answers).
 */
export type Behaviour = (
  n: number,
  r: Received,
) => number | "hang" | { status: number; afterMs?: number; headers?: Record<string, string> };

/** A receiver that records every request (also those it refuses) and answers as `behaviour` says. */
export async function startReceiver(behaviour: Behaviour) {
  const port = await freePort();
  const requests: Received[] = [];
  const accepted: Received[] = [];
  let current = behaviour;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const r: Received = { headers: req.headers, body, eventId: String(req.headers["webhook-id"]), at: Date.now() };
      const answer = current(requests.length, r);
      requests.push(r);
      if (answer === "hang") return; // the sender's timeout ends it
      const { status, afterMs = 0, headers = {} } = typeof answer === "number" ? { status: answer } : answer;
      setTimeout(() => {
        if (status >= 200 && status < 300) accepted.push({ ...r, at: Date.now() });
        res.writeHead(status, headers).end();
      }, afterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    accepted,
    /** Change what it answers from now on. */
    behave: (b: Behaviour) => (current = b),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verify a Standard Webhooks request: true if one of the `v1` signatures in `webhook-signature` is
 * the HMAC-SHA256 of `<id>.<timestamp>.<body>` under the secret, and the timestamp is within
 * `toleranceSeconds` of `nowSeconds`.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  if (!secret.startsWith("whsec_")) return false;
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    if (version !== "v1" || !signature) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Wait until `until()` holds, checking every 25 ms, failing after `ms`. */
export async function waitFor(until: () => boolean | Promise<boolean>, ms = 15_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await until())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
