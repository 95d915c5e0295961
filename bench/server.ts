/**
 * bench/server: the API and webhook delivery under load with a long history (issue 20 part 6).
 *
 *   npm run bench:server        (BENCH_BATCHES=10000 BENCH_AGREEMENTS=1000 BENCH_SECONDS=10 to choose)
 *
 * On the in-process Hardhat chain (automine): the fixture consortium, then BENCH_BATCHES batches
 * (the four banks in turn, one payment each) and BENCH_AGREEMENTS escrow agreements, sent through
 * the SDK. The server starts on 127.0.0.1 with a new database (the first index of the whole
 * history is timed) and four webhooks to a local receiver; autocannon then runs each main GET
 * endpoint for BENCH_SECONDS with 10 connections: requests/s and latency percentiles, with the
 * response cache on, then against a second server with it off (the peer: every request computed
 * from the index). The first and the last page of /api/batches are both measured: a request's cost
 * must not grow with the history.
 * Webhook deliveries/s: every event to every webhook, from the first intake until the receiver has
 * them all. Targets: ≥ 2,000 requests/s at p99 ≤ 50 ms; ≥ 500 deliveries/s.
 * Prints a table and writes bench/results/server.json.
 */
import { spawn } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { join } from "node:path";
import type autocannon from "autocannon";
import hre from "hardhat";
import { encodeFunctionData } from "viem";
import { settlementLedgerAbi } from "../packages/contracts/src";
import { batchKey, onChainHeader } from "../packages/sdk/src/settlement/ledger";
import { stampWindowEnd } from "../packages/sdk/src/settlement/submit";
import { createServer } from "../packages/server/src/api";
import { parseAgreement } from "../packages/sdk/src/payments";
import { KEYS, serveConfig, serverFixture } from "../test/server/fixture";
import { paymentBatch, BANK_NAMES } from "../test/sdk/settlementFixture";
import { writeResult } from "./results";

const BATCHES = Number(process.env.BENCH_BATCHES ?? 10_000);
const AGREEMENTS = Number(process.env.BENCH_AGREEMENTS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const HOOKS = 4;

interface Row {
  endpoint: string;
  key: string;
  /** The response cache on (each request after the first answered from it) or off (the peer). */
  cache: "on" | "off";
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** autocannon's CLI against `url` for SECONDS with 10 connections; its JSON result. */
function loadOf(url: string, key: string): Promise<autocannon.Result> {
  const bin = join(__dirname, "..", "node_modules", "autocannon", "autocannon.js");
  const args = [bin, "-j", "-c", "10", "-d", String(SECONDS), "-H", `authorization=Bearer ${key}`, url];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("close", () => {
      try {
        resolve(JSON.parse(out) as autocannon.Result);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

async function main(): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1_000);
  const t0 = Date.now();
  const f = await serverFixture();
  const banks = BANK_NAMES;
  // Batches straight to the node (automine): the header built by the SDK, the transaction sent
  // without the SDK's idempotency check and receipt wait, which would dominate the set-up.
  const ledgerAddress = f.deployment.contracts.SettlementLedger!.proxy;
  let closesAt = 0;
  for (let i = 0; i < BATCHES; i++) {
    if (i % 100 === 0) closesAt = await stampWindowEnd(f.gov.context);
    const from = banks[i % banks.length];
    const to = banks[(i + 1) % banks.length];
    const b = paymentBatch(f, from, [[f.addr[to], 100n + BigInt(i)]], `bench-${i}`);
    const header = await onChainHeader(f.gov.context, b.header, closesAt);
    const data = encodeFunctionData({
      abi: settlementLedgerAbi,
      functionName: "submitBatch",
      args: [batchKey(b.key), header],
    });
    await hre.network.provider.request({
      method: "eth_sendTransaction",
      params: [{ from: f.addr[from], to: ledgerAddress, data }],
    });
    if (i % 1000 === 999) console.log(`  ${i + 1} batches (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const block = await f.gov.context.publicClient.getBlock();
  for (let i = 0; i < AGREEMENTS; i++) {
    const spec = parseAgreement(
      {
        format: "clearhouse.agreement/1",
        reference: `BENCH-${i}`,
        arbiter: f.addr.celtic,
        milestones: [{ payee: f.addr.baltic, amount: "1.00", deadline: "+5d", conditions: [{ time: "+0s" }] }],
      },
      "bench",
      { now: block.timestamp, decimals: 2 },
    );
    await f.bank.danube.payments.createAgreement({ spec });
    if (i % 250 === 249) console.log(`  ${i + 1} agreements (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const setupSeconds = (Date.now() - t0) / 1000;

  // The receiver: 200 to everything, counting per webhook.
  const received = new Map<string, number>();
  const receiver = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.set(req.url!, (received.get(req.url!) ?? 0) + 1);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const hookPort = (receiver.address() as { port: number }).port;
  const config = serveConfig(
    {
      webhooks: Array.from({ length: HOOKS }, (_, i) => ({
        id: `hook-${i}`,
        url: `http://127.0.0.1:${hookPort}/h${i}`,
        secret: `bench-secret-${i}-0000000000`,
      })),
    } as never,
    f.addr,
  );
  const t1 = Date.now();
  const server = await createServer({ ch: f.gov, config });
  const indexSeconds = (Date.now() - t1) / 1000;
  const events = JSON.parse(
    (await server.app.inject({ url: "/api/health", headers: { authorization: `Bearer ${KEYS.auditor}` } })).body,
  ) as { events: number };
  const total = events.events * HOOKS;
  const t2 = Date.now();
  server.feed.start();
  const delivered = () => [...received.values()].reduce((a, b) => a + b, 0);
  while (delivered() < total && Date.now() - t2 < 600_000) await new Promise((r) => setTimeout(r, 50));
  const deliverySeconds = (Date.now() - t2) / 1000;
  const deliveriesPerSecond = Math.round(delivered() / deliverySeconds);

  await server.app.listen({ port: 0, host: "127.0.0.1" });
  const port = (server.app.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const lastPage = JSON.parse(
    (
      await server.app.inject({
        url: `/api/batches?limit=${Math.max(1, BATCHES - 100)}`,
        headers: { authorization: `Bearer ${KEYS.auditor}` },
      })
    ).body,
  ) as { next: string | null };
  const someBatch = (
    JSON.parse(
      (await server.app.inject({ url: "/api/batches?limit=1", headers: { authorization: `Bearer ${KEYS.auditor}` } }))
        .body,
    ) as { items: { batchId: string }[] }
  ).items[0].batchId;
  const cases: [string, string][] = [
    ["/api/members", "auditor"],
    ["/api/batches?limit=100", "auditor"],
    [`/api/batches?limit=100&after=${lastPage.next ?? 0}`, "auditor"],
    ["/api/batches?limit=100", "alpine"],
    [`/api/batches/${someBatch}`, "alpine"],
    ["/api/cycles", "auditor"],
    ["/api/agreements?limit=100", "auditor"],
    ["/api/events?limit=100", "celtic"],
  ];
  const rows: Row[] = [];
  /** Every case against the server at `url`, with the cache `on` or `off`. */
  const measure = async (url: string, cache: "on" | "off") => {
    for (const [path, key] of cases) {
      // The load generator in a process of its own: in this one it would share the server's event loop.
      const r = await loadOf(url + path, KEYS[key as keyof typeof KEYS]);
      rows.push({
        endpoint: path.replace(/0x[0-9a-f]{64}/, ":id").replace(/after=\d+/, "after=<last page>"),
        key,
        cache,
        requestsPerSecond: Math.round(r.requests.average),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        errors: r.errors + r.non2xx,
      });
    }
  };
  await measure(base, "on");
  // The peer, in the same run: a second server on the same chain with the cache off (every request
  // computed from the index: what a request costs when the index has just changed).
  const peer = await createServer({ ch: f.gov, config: { ...serveConfig({}, f.addr), responseCacheMB: 0 } });
  await peer.app.listen({ port: 0, host: "127.0.0.1" });
  await measure(`http://127.0.0.1:${(peer.app.server.address() as { port: number }).port}`, "off");
  await peer.close();
  await server.close();
  receiver.close();
  clearInterval(keepAlive);

  console.log(
    `\n${BATCHES} batches, ${AGREEMENTS} agreements, ${events.events} events; set-up ${setupSeconds.toFixed(0)} s,` +
      ` first index ${indexSeconds.toFixed(1)} s`,
  );
  console.log(
    `webhooks: ${delivered()} deliveries to ${HOOKS} webhooks in ${deliverySeconds.toFixed(1)} s = ${deliveriesPerSecond}/s`,
  );
  console.log(
    "\n| endpoint | key | cached req/s | p50 ms | p99 ms | uncached req/s | p50 ms | p99 ms | ratio | errors |\n" +
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const on of rows.filter((r) => r.cache === "on")) {
    const off = rows.find((r) => r.cache === "off" && r.endpoint === on.endpoint && r.key === on.key)!;
    console.log(
      `| ${on.endpoint} | ${on.key} | ${on.requestsPerSecond} | ${on.p50Ms} | ${on.p99Ms} | ` +
        `${off.requestsPerSecond} | ${off.p50Ms} | ${off.p99Ms} | ` +
        `${(on.requestsPerSecond / Math.max(1, off.requestsPerSecond)).toFixed(1)} | ${on.errors + off.errors} |`,
    );
  }
  writeResult("server", {
    batches: BATCHES,
    agreements: AGREEMENTS,
    events: events.events,
    setupSeconds,
    indexSeconds,
    webhooks: { hooks: HOOKS, deliveries: delivered(), seconds: deliverySeconds, perSecond: deliveriesPerSecond },
    secondsPerRun: SECONDS,
    connections: 10,
    endpoints: rows,
  });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
