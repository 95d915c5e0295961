/**
 * bench/webhooks: webhook delivery throughput of the real delivery worker on each delivery store
 * (issue 20 part 6: ≥ 500 deliveries/s), without a chain.
 *
 *   npm run bench:webhooks      (BENCH_EVENTS=2500 BENCH_HOOKS=4 BENCH_STORES=sqlite,postgres to choose)
 *
 * Per store: a new store (a SQLite file; a database on a throw-away PostgreSQL cluster,
 * test/helpers/postgres.ts) filled through its own intake (`append`, 100 events a call, as the
 * feed's polls do) with BENCH_EVENTS synthetic events for BENCH_HOOKS subscriptions; a local
 * node:http receiver on 127.0.0.1 answering 200; then the DeliveryWorker (`start`, as the server
 * runs it) until the receiver has every delivery. Timed from the worker's start to the last
 * delivery received. Checked after each run: every subscription got every event once and in order,
 * and the store counts them all delivered. Prints a table and writes bench/results/webhooks.json.
 */
import { createServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseServeConfig } from "../packages/server/src/config";
import { PostgresDeliveryStore } from "../packages/server/src/store/postgres";
import { SqliteDeliveryStore } from "../packages/server/src/store/sqlite";
import type { DeliveryStore, OutboxEvent } from "../packages/server/src/store/types";
import { DeliveryWorker } from "../packages/server/src/webhooks/worker";
import { startPostgres, type PgCluster } from "../test/helpers/postgres";
import { writeResult } from "./results";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_500);
const HOOKS = Number(process.env.BENCH_HOOKS ?? 4);
const STORES = (process.env.BENCH_STORES ?? "sqlite,postgres").split(",");
const TARGET = 500;

interface Result {
  store: string;
  events: number;
  webhooks: number;
  deliveries: number;
  intakeSeconds: number;
  deliverySeconds: number;
  deliveriesPerSecond: number;
}

/** A synthetic event shaped like a `BatchSubmitted` as the feed enqueues it (about 450 bytes of body). */
function event(i: number): OutboxEvent {
  const block = 100 + Math.floor(i / 3);
  const logIndex = i % 3;
  const tx = `0x${(block * 7 + 11).toString(16).padStart(64, "0")}`;
  const id = `${tx}:${logIndex}`;
  const body = JSON.stringify({
    id,
    contract: "SettlementLedger",
    event: "BatchSubmitted",
    blockNumber: String(block),
    transactionHash: tx,
    logIndex,
    args: {
      batchId: `0x${i.toString(16).padStart(64, "0")}`,
      submitter: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      cycleId: String(Math.floor(i / 100)),
      paymentCount: "1",
      totalAmount: String(100 + i),
      root: `0x${(i * 31).toString(16).padStart(64, "0")}`,
    },
  });
  return { id, name: "BatchSubmitted", blockNumber: BigInt(block), logIndex, body };
}

/** A receiver answering 200 to everything, keeping the `webhook-id`s each path got, in arrival order. */
async function startReceiver() {
  const got = new Map<string, string[]>();
  let total = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const ids = got.get(req.url!) ?? [];
      ids.push(String(req.headers["webhook-id"]));
      got.set(req.url!, ids);
      total++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    got,
    total: () => total,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function run(name: string, store: DeliveryStore): Promise<Result> {
  const receiver = await startReceiver();
  const config = parseServeConfig({
    apiKeys: [{ name: "auditor", key: "auditor-key-000000001", role: "auditor" }],
    outbox: join(mkdtempSync(join(tmpdir(), "bench-webhooks-")), "outbox.json"),
    webhooks: Array.from({ length: HOOKS }, (_, i) => ({
      id: `hook-${i}`,
      url: receiver.url(`/h${i}`),
      secret: `bench-secret-${i}-0000000000`,
    })),
  });
  await store.syncSubscriptions(config.webhooks.map((w) => ({ ...w, maxAttempts: 15, maxAgeMs: 86_400_000 })));
  const events = Array.from({ length: EVENTS }, (_, i) => event(i));
  const t0 = Date.now();
  for (let i = 0; i < events.length; i += 100)
    await store.append({ events: events.slice(i, i + 100), cursor: events[i].blockNumber, now: Date.now() });
  const intakeSeconds = (Date.now() - t0) / 1000;

  const total = EVENTS * HOOKS;
  const worker = new DeliveryWorker(store, config);
  const t1 = Date.now();
  worker.start();
  while (receiver.total() < total && Date.now() - t1 < 900_000) await new Promise((r) => setTimeout(r, 5));
  const deliverySeconds = (Date.now() - t1) / 1000;
  await worker.stop();
  await receiver.stop();

  // Every subscription got every event, once, in order; the store says so too.
  const expected = events.map((e) => e.id);
  for (let i = 0; i < HOOKS; i++) {
    const ids = receiver.got.get(`/h${i}`) ?? [];
    if (ids.length !== expected.length || ids.some((id, k) => id !== expected[k]))
      throw new Error(`${name}: hook-${i} got ${ids.length} of ${expected.length} deliveries, or out of order`);
  }
  const counts = (await store.subscriptions()).map((s) => s.counts);
  if (counts.some((c) => c.delivered !== EVENTS || c.pending !== 0 || c.dead !== 0))
    throw new Error(`${name}: the store's counts are ${JSON.stringify(counts)}`);
  await store.close();
  const result = {
    store: name,
    events: EVENTS,
    webhooks: HOOKS,
    deliveries: total,
    intakeSeconds,
    deliverySeconds,
    deliveriesPerSecond: Math.round(total / deliverySeconds),
  };
  console.log(`  ${name}: ${total} deliveries in ${deliverySeconds.toFixed(1)} s = ${result.deliveriesPerSecond}/s`);
  return result;
}

async function main(): Promise<void> {
  const results: Result[] = [];
  let cluster: PgCluster | undefined;
  try {
    for (const name of STORES) {
      if (name === "sqlite") {
        const path = join(mkdtempSync(join(tmpdir(), "bench-webhooks-")), "delivery.sqlite");
        results.push(await run("sqlite", new SqliteDeliveryStore({ path })));
      } else if (name === "postgres") {
        cluster ??= await startPostgres();
        const url = cluster.createDatabase(`bench_${Date.now()}`);
        results.push(await run("postgres", await PostgresDeliveryStore.open({ url })));
      } else throw new Error(`BENCH_STORES: unknown store ${name} (sqlite, postgres)`);
    }
  } finally {
    cluster?.stop();
  }
  console.log(
    `\n${EVENTS} events × ${HOOKS} webhooks, local receiver answering 200; target ≥ ${TARGET} deliveries/s\n`,
  );
  console.log("| store | deliveries | intake s | delivery s | deliveries/s |\n|---|---:|---:|---:|---:|");
  for (const r of results)
    console.log(
      `| ${r.store} | ${r.deliveries} | ${r.intakeSeconds.toFixed(1)} | ${r.deliverySeconds.toFixed(1)} | ${r.deliveriesPerSecond} |`,
    );
  writeResult("webhooks", { target: TARGET, results });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
