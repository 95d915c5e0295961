/**
 * Standard Webhooks signatures against the specification's published test vector and a vector
 * of our own (both computed outside this code: the published one by the reference libraries, ours
 * with Python's hmac module), checked by a verifier written from the spec; the older X-Clearhouse
 * signature; and the configuration keys of the delivery store and the retry policy.
 */
import { expect } from "chai";
import { parseServeConfig } from "../../packages/server/src/config";
import { deliveryHeaders } from "../../packages/server/src/webhooks/post";
import {
  isStandardSecret,
  signStandardWebhook,
  signWebhook,
  standardSecret,
} from "../../packages/server/src/webhooks/sign";
import type { ClaimedDelivery } from "../../packages/server/src/store/types";
import { verifyStandardWebhook } from "./receiver";

/** docs/server.md, "Webhooks": the test vector. */
const VECTOR = {
  secret: "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", // bytes 0x00…0x1f
  id: `0x${"ab".repeat(32)}:3`,
  timestamp: "1765000000",
  body: '{"event":"CycleClosed","args":{"cycleId":"7"}}',
  signature: "v1,x8c+FELEIhhQH/BvbNhEJYZJXNd2ujyH1stalVHDb+w=",
};
const headers = (id: string, timestamp: string, signature: string) => ({
  "webhook-id": id,
  "webhook-timestamp": timestamp,
  "webhook-signature": signature,
});

describe("serve: webhook signatures (Standard Webhooks)", () => {
  it("reproduces the specification's published test vector", () => {
    const published = {
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: "1614265330",
      body: '{"test": 2432232314}',
    };
    const signature = signStandardWebhook(published.secret, published.id, published.timestamp, published.body);
    expect(signature).to.equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    expect(
      verifyStandardWebhook(
        published.secret,
        headers(published.id, published.timestamp, signature),
        published.body,
        1614265330,
      ),
    ).to.equal(true);
  });

  it("the documented vector: secret, id, timestamp, body → signature; verified, and refused when anything changes", () => {
    const { secret, id, timestamp, body, signature } = VECTOR;
    expect(signStandardWebhook(secret, id, timestamp, body)).to.equal(signature);
    const now = Number(timestamp);
    expect(verifyStandardWebhook(secret, headers(id, timestamp, signature), body, now)).to.equal(true);
    // Several signatures (a secret being rotated): one valid is enough.
    expect(verifyStandardWebhook(secret, headers(id, timestamp, `v1,bm9wZQ== ${signature}`), body, now)).to.equal(true);
    expect(verifyStandardWebhook(secret, headers(id, timestamp, signature), body.replace("7", "8"), now)).to.equal(
      false,
    );
    expect(verifyStandardWebhook(secret, headers(`${id}0`, timestamp, signature), body, now)).to.equal(false);
    expect(verifyStandardWebhook(secret, headers(id, timestamp, signature), body, now + 301)).to.equal(false);
    const other = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
    expect(verifyStandardWebhook(other, headers(id, timestamp, signature), body, now)).to.equal(false);
  });

  it("a plain secret signs with its UTF-8 bytes: its whsec_ form verifies; the old header is unchanged", () => {
    const secret = "core-banking-secret-01";
    const { id, timestamp, body } = VECTOR;
    expect(isStandardSecret(secret)).to.equal(false);
    expect(standardSecret(secret)).to.equal("whsec_Y29yZS1iYW5raW5nLXNlY3JldC0wMQ==");
    const signature = signStandardWebhook(secret, id, timestamp, body);
    expect(signature).to.equal("v1,uFxz933XSj4Db6SyrPsUif+/7GiMZCeAO89FSHP5xdQ=");
    expect(verifyStandardWebhook(standardSecret(secret), headers(id, timestamp, signature), body, 1765000000)).to.equal(
      true,
    );
    expect(signWebhook(secret, timestamp, body)).to.equal(
      "dc64c491cbc8f62a722cf2966dacb80f130e631e20375b5bc84ab2af668d099b",
    );
  });

  it("a request carries both header sets: the event id as webhook-id, the delivery id, one timestamp", () => {
    const d = { id: "delivery-1", eventId: VECTOR.id, body: VECTOR.body } as ClaimedDelivery;
    expect(deliveryHeaders(d, VECTOR.secret, 1765000000_999)).to.deep.equal({
      "content-type": "application/json",
      "webhook-id": VECTOR.id,
      "webhook-timestamp": VECTOR.timestamp,
      "webhook-signature": VECTOR.signature,
      "x-clearhouse-event-id": VECTOR.id,
      "x-clearhouse-delivery": "delivery-1",
      "x-clearhouse-timestamp": VECTOR.timestamp,
      "x-clearhouse-signature": `sha256=${signWebhook(VECTOR.secret, VECTOR.timestamp, VECTOR.body)}`,
    });
  });

  it("config: store and retry keys with their defaults, per-webhook limits, and what it refuses", () => {
    const base = { apiKeys: [], outbox: "/var/lib/ch/outbox.json" };
    const hook = { id: "core", url: "http://127.0.0.1:9000/h", secret: VECTOR.secret };
    const c = parseServeConfig({ ...base, webhooks: [hook, { ...hook, id: "b", maxAttempts: 4, timeoutMs: 500 }] });
    expect(c.store).to.deep.equal({
      kind: "sqlite",
      path: "/var/lib/ch/delivery.sqlite",
      synchronous: "normal",
      busyTimeoutMs: 5_000,
    });
    expect([c.retryBaseMs, c.maxRetryMs, c.maxAttempts, c.maxAgeMs, c.timeoutMs, c.deliveryConcurrency]).to.deep.equal([
      1_000, 300_000, 15, 86_400_000, 15_000, 16,
    ]);
    expect(c.keepDeliveredMs).to.equal(604_800_000);
    expect([c.confirmations, c.responseCacheMB]).to.deep.equal([0, 64]);
    expect(parseServeConfig({ ...base, responseCacheMB: 0, confirmations: 3 })).to.include({
      responseCacheMB: 0,
      confirmations: 3,
    });
    expect(c.webhooks.map((w) => [w.maxAttempts, w.maxAgeMs, w.timeoutMs])).to.deep.equal([
      [15, 86_400_000, 15_000],
      [4, 86_400_000, 500],
    ]);
    const full = parseServeConfig({ ...base, store: { path: "/tmp/x.sqlite", synchronous: "full" }, maxAttempts: 3 });
    expect([full.store, full.maxAttempts]).to.deep.equal([
      { kind: "sqlite", path: "/tmp/x.sqlite", synchronous: "full", busyTimeoutMs: 5_000 },
      3,
    ]);
    const url = "postgres://clearhouse:pw@db.example:5432/clearhouse";
    expect(parseServeConfig({ ...base, store: { kind: "postgres", url } }).store).to.deep.equal({
      kind: "postgres",
      url,
      poolSize: 5,
      connectTimeoutMs: 5_000,
    });
    const refused = (doc: object) => {
      try {
        parseServeConfig({ ...base, ...doc });
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refused({ store: { synchronous: "off" } })).to.match(/store\.synchronous.*normal or full/);
    expect(refused({ store: { kind: "mysql" } })).to.match(/store\.kind.*sqlite.*or postgres/);
    expect(refused({ store: { kind: "postgres" } })).to.match(/store\.url.*postgres:\/\//);
    expect(refused({ store: { kind: "postgres", url: "mysql://db/x" } })).to.match(/store\.url/);
    expect(refused({ store: { kind: "postgres", url: "postgres://db/x", poolSize: 0 } })).to.match(/store\.poolSize/);
    expect(refused({ maxAttempts: 2.5 })).to.match(/maxAttempts.*whole number/);
    expect(refused({ responseCacheMB: -1 })).to.match(/responseCacheMB.*whole number of MB, 0 or more/);
    expect(refused({ confirmations: "2" })).to.match(/confirmations.*whole number of blocks/);
    expect(refused({ webhooks: [{ ...hook, maxAgeMs: -1 }] })).to.match(/webhooks\[0\]\.maxAgeMs.*positive/);
    expect(refused({ webhooks: [{ ...hook, secret: "whsec_not*base64-at-all" }] })).to.match(
      /webhooks\[0\]\.secret.*base64 of 24 to 64 bytes/,
    );
    expect(refused({ webhooks: [{ ...hook, secret: `whsec_${Buffer.alloc(16).toString("base64")}` }] })).to.match(
      /24 to 64 bytes/,
    );
  });
});
