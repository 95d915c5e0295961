/**
 * Webhook payloads encrypted in transit (docs/spec/encrypted-envelope.md §6): a subscription that
 * names `encryptKey` (a key file, or a PKCS#11 URI of an AES-256 key in an HSM with the PIN from
 * CLEARHOUSE_PKCS11_PIN) receives the JSON form of an envelope of kind `clearhouse.webhook` instead
 * of the event's JSON. Encrypt, then sign: the signatures (Standard Webhooks and X-Clearhouse) are
 * computed over the envelope exactly as sent, so a receiver checks the signature first and opens
 * the envelope only when it holds. Each attempt seals afresh (a new nonce); the plaintext is the
 * same event body on every attempt.
 */
import { pkcs11EnvelopeKey, readEnvelopeKeyFile, sealEnvelopeJson, type EnvelopeKey } from "@clearhouse/sdk/node";

/** The header a sealed delivery carries beside the signatures. */
export const ENCRYPTION_HEADER = "x-clearhouse-encryption";

const keys = new Map<string, EnvelopeKey>();

/** The envelope key a subscription names (loaded once per process). */
export function webhookKey(named: string, env: Record<string, string | undefined> = process.env): EnvelopeKey {
  const known = keys.get(named);
  if (known) return known;
  const key = /^pkcs11:/i.test(named)
    ? pkcs11EnvelopeKey({
        uri: named,
        pin: env.CLEARHOUSE_PKCS11_PIN ?? "",
        module: env.CLEARHOUSE_PKCS11_MODULE || undefined,
      })
    : readEnvelopeKeyFile(named);
  keys.set(named, key);
  return key;
}

/** The body to send for `body` to a subscription with `encryptKey` (unchanged without one). */
export function webhookBody(body: string, encryptKey: string | undefined): { body: string; encrypted: boolean } {
  if (encryptKey === undefined) return { body, encrypted: false };
  return {
    body: sealEnvelopeJson(webhookKey(encryptKey), "clearhouse.webhook", Buffer.from(body, "utf8")),
    encrypted: true,
  };
}
