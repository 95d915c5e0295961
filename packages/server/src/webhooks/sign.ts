/**
 * Webhook signatures. Standard Webhooks (https://www.standardwebhooks.com, spec 1.0.0): headers
 * `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256(key,
 * "<id>.<timestamp>.<body>")>`, the key being the bytes a `whsec_<base64>` secret encodes. And the
 * older `X-Clearhouse-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, kept for
 * receivers written against it (deprecated).
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";

const WHSEC = "whsec_";

/** Whether `secret` is a Standard Webhooks secret: `whsec_` then the base64 of 24 to 64 bytes. */
export function isStandardSecret(secret: string): boolean {
  if (!secret.startsWith(WHSEC)) return false;
  const b64 = secret.slice(WHSEC.length);
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const bytes = Buffer.from(b64, "base64").length;
  return bytes >= 24 && bytes <= 64;
}

/**
 * The HMAC key of a configured secret: the decoded bytes of a `whsec_` secret, else the UTF-8 bytes
 * of the string (so `whsec_` + base64 of those bytes is the same secret in Standard Webhooks form).
 */
export function signingKey(secret: string): Buffer {
  return isStandardSecret(secret) ? Buffer.from(secret.slice(WHSEC.length), "base64") : Buffer.from(secret, "utf8");
}

/** The signing keys of the secrets seen, as key objects (immutable): decoding one costs more than a signature. */
const keyObjects = new Map<string, KeyObject>();

function keyObject(secret: string): KeyObject {
  let key = keyObjects.get(secret);
  if (!key) {
    if (keyObjects.size >= 1_000) keyObjects.clear(); // secrets come from the config: a handful
    key = createSecretKey(signingKey(secret));
    keyObjects.set(secret, key);
  }
  return key;
}

/** The secret in the `whsec_` form a Standard Webhooks library takes (a `whsec_` secret as it is). */
export function standardSecret(secret: string): string {
  return isStandardSecret(secret) ? secret : WHSEC + Buffer.from(secret, "utf8").toString("base64");
}

/** The `webhook-signature` header value: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`. */
export function signStandardWebhook(secret: string, id: string, timestamp: string, body: string): string {
  return `v1,${createHmac("sha256", keyObject(secret)).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/**
 * HMAC-SHA256 over "<timestamp>.<body>" keyed by the secret string as configured, hex: the
 * deprecated `X-Clearhouse-Signature` header (`sha256=…`).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}
