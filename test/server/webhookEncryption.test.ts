/**
 * Webhook payloads encrypted in transit (docs/spec/encrypted-envelope.md §6): a subscription with
 * `encryptKey` receives an envelope (JSON form, kind clearhouse.webhook) signed as sent — encrypt,
 * then sign — that the receiver verifies and then opens to the event's JSON; SM4-GCM and
 * AES-256-GCM key files; a missing or malformed key refused when the configuration is read.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseServeConfig, type WebhookConfig } from "../../packages/server/src/config";
import type { ClaimedDelivery } from "../../packages/server/src/store/types";
import { postDelivery } from "../../packages/server/src/webhooks/post";
import { openEnvelope, parseEnvelopeJson, readEnvelopeKeyFile } from "../../packages/sdk/src/node/envelope";
import { verifyStandardWebhook } from "./receiver";

const SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const dir = mkdtempSync(join(tmpdir(), "webhook-enc-"));
const event = JSON.stringify({ event: "BatchSubmitted", args: { batchId: `0x${"12".repeat(32)}` } });
const delivery: ClaimedDelivery = {
  seq: 1,
  id: "delivery-1",
  subscriptionId: "core",
  eventId: `0x${"ab".repeat(32)}:0`,
  eventName: "BatchSubmitted",
  blockNumber: 1n,
  logIndex: 0,
  status: "pending",
  attempts: 0,
  nextAttemptAt: 0,
  pendingSince: 0,
  body: event,
};

async function capture(
  send: (url: string) => Promise<unknown>,
): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  let got: { headers: IncomingHttpHeaders; body: string } | undefined;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      got = { headers: req.headers, body };
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    await send(`http://127.0.0.1:${port}/hook`);
  } finally {
    server.close();
  }
  return got!;
}

describe("serve: encrypted webhook payloads", () => {
  for (const [alg, bytes] of [
    ["SM4-GCM", 16],
    ["AES-256-GCM", 32],
  ] as const) {
    it(`${alg}: the receiver verifies the signature over the envelope, then opens it to the event`, async () => {
      const keyFile = join(dir, `${alg}.key`);
      writeFileSync(keyFile, Buffer.alloc(bytes, 0xa5));
      const hook = {
        id: "core",
        url: "",
        secret: SECRET,
        timeoutMs: 2_000,
        maxAttempts: 3,
        maxAgeMs: 60_000,
        encryptKey: keyFile,
      } as WebhookConfig;
      const got = await capture(async (url) => {
        const result = await postDelivery(delivery, { ...hook, url }, Date.now());
        expect(result).to.deep.equal({});
      });
      expect(got.headers["x-clearhouse-encryption"]).to.equal("clearhouse.enc/1");
      expect(got.body).to.not.contain("BatchSubmitted");
      expect(verifyStandardWebhook(SECRET, got.headers, got.body)).to.equal(true);
      const key = readEnvelopeKeyFile(keyFile);
      const parsed = parseEnvelopeJson(got.body, "webhook", "clearhouse.webhook");
      expect(parsed.header.alg).to.equal(alg);
      expect(Buffer.from(openEnvelope(key, parsed, "webhook")).toString("utf8")).to.equal(event);
    });
  }

  it("without encryptKey the event goes as plain JSON, as before", async () => {
    const got = await capture((url) =>
      postDelivery(
        delivery,
        { id: "core", url, secret: SECRET, timeoutMs: 2_000, maxAttempts: 3, maxAgeMs: 60_000 } as WebhookConfig,
        Date.now(),
      ),
    );
    expect(got.body).to.equal(event);
    expect(got.headers["x-clearhouse-encryption"]).to.equal(undefined);
  });

  it("a missing key file or a key of the wrong length is refused when the configuration is read", () => {
    const short = join(dir, "short.key");
    writeFileSync(short, Buffer.alloc(24));
    const config = (encryptKey: string) => ({
      apiKeys: [],
      outbox: join(dir, "outbox.json"),
      webhooks: [{ id: "core", url: "https://example.test/hook", secret: SECRET, encryptKey }],
    });
    expect(() => parseServeConfig(config(join(dir, "absent.key")))).to.throw(
      /webhooks\[0\]\.encryptKey.*cannot be read/,
    );
    expect(() => parseServeConfig(config(short))).to.throw(/webhooks\[0\]\.encryptKey.*24 bytes long/);
  });
});
