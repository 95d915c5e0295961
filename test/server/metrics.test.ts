/**
 * Operations (issue 20 part 1): the Prometheus metrics on GET /metrics and the KPIs on
 * GET /api/operations, after a settlement day on the in-process chain (four batches, one
 * acknowledged by all its counterparties, a close that holds Celtic), with the alert rules checked
 * against the metrics that exist.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parse } from "yaml";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import { operationsReport, percentile, type OperationsReport } from "../../packages/server/src/operations";
import { releaseProver } from "../../packages/zk/src";
import { ACK_WINDOW, BANK_NAMES, dayOfBatches, settlementFixture } from "../sdk/settlementFixture";
import { KEYS, serveConfig } from "./fixture";

const SECRET = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => i * 3)).toString("base64")}`;

/** A settlement day: 4 batches anchored, Alpine's acknowledged by all, one close holding Celtic. */
async function dayFixture() {
  const f = await settlementFixture();
  const batches = dayOfBatches(f, "metrics-day");
  const { cycleId } = await f.operator.settlement.openCycle();
  for (const name of BANK_NAMES)
    await f.bank[name].settlement.submitBatch({ key: batches[name].key, header: batches[name].header });
  for (const name of ["baltic", "celtic", "danube"] as const)
    await f.bank[name].settlement.acknowledgeBatch({ batchId: batches.alpine.batchId });
  await hre.network.provider.send("evm_increaseTime", [ACK_WINDOW + 3_600]);
  await hre.network.provider.send("evm_mine");
  const engine = f.deployment.contracts.NettingEngine!.proxy;
  await f.bank.celtic.token.approve({ spender: engine, amount: 0n });
  const presented = BANK_NAMES.map((name) => ({
    bank: f.addr[name],
    key: batches[name].key,
    header: batches[name].header,
  }));
  const close = await f.operator.settlement.closeCycle({ cycleId, batches: presented, openNext: true });
  const payments = BANK_NAMES.reduce((n, name) => n + batches[name].records.length, 0);
  return { ...f, batches, close, payments };
}

const get = (s: ServerHandle, url: string, key?: string) =>
  s.app.inject({ method: "GET", url, headers: key ? { authorization: `Bearer ${key}` } : {} });

/** The value of one sample line `name{labels} value` of a Prometheus text body. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of body.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      (m[3] ?? "")
        .split(",")
        .filter(Boolean)
        .map((kv) => {
          const [k, v] = kv.split("=");
          return [k, v.replace(/^"|"$/g, "")];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

describe("serve: operations metrics and KPIs", function () {
  this.timeout(180_000);
  after(releaseProver);

  it("counts the day in /metrics: batches, payments, finality, the close, the deferral, requests", async () => {
    const f = await loadFixture(dayFixture);
    const config = serveConfig(
      { webhooks: [{ id: "gone", url: "http://127.0.0.1:9/hook", secret: SECRET, maxAttempts: 1 }] } as never,
      f.addr,
    );
    const server = await createServer({ ch: f.gov, config });
    try {
      expect((await get(server, "/metrics")).statusCode).to.equal(401);
      expect((await get(server, "/metrics", KEYS.alpine)).statusCode).to.equal(403);
      await get(server, "/api/members", KEYS.alpine);
      await server.feed.deliverDue(); // the unreachable receiver: dead after one attempt
      const res = await get(server, "/metrics", KEYS.auditor);
      expect(res.statusCode).to.equal(200);
      expect(res.headers["content-type"]).to.match(/^text\/plain; version=0\.0\.4/);
      const body = res.body;
      const bank = (name: (typeof BANK_NAMES)[number]) => f.addr[name].toLowerCase();
      for (const name of BANK_NAMES) {
        expect(sample(body, "clearhouse_batches_anchored_total", { bank: bank(name) }), name).to.equal(1);
        expect(sample(body, "clearhouse_payments_anchored_total", { bank: bank(name) }), name).to.equal(
          f.batches[name].records.length,
        );
      }
      expect(sample(body, "clearhouse_batches_final_total", { bank: bank("alpine") })).to.equal(1);
      expect(sample(body, "clearhouse_batch_finality_seconds_count", { bank: bank("alpine") })).to.equal(1);
      expect(sample(body, "clearhouse_cycles_closed_total")).to.equal(1);
      expect(sample(body, "clearhouse_cycle_close_gas_count")).to.equal(1);
      const gas = sample(body, "clearhouse_cycle_close_gas_sum")!;
      const closeGas = f.close.transactions.reduce((s, t) => s + t.gasUsed, 0n);
      expect(BigInt(gas)).to.equal(f.close.transactions[f.close.transactions.length - 1].gasUsed);
      expect(closeGas >= BigInt(gas)).to.equal(true);
      expect(sample(body, "clearhouse_cycle_open_seconds_count")).to.equal(1);
      expect(sample(body, "clearhouse_deferrals_total", { bank: bank("celtic") })).to.equal(1);
      expect(sample(body, "clearhouse_consecutive_deferrals", { bank: bank("celtic") })).to.equal(1);
      expect(sample(body, "clearhouse_batches_netted_total", { bank: bank("alpine") })).to.equal(1);
      expect(
        sample(body, "clearhouse_http_requests_total", { method: "GET", route: "/api/members", status: "200" }),
      ).to.equal(1);
      expect(
        sample(body, "clearhouse_webhook_deliveries_total", { subscription: "gone", outcome: "dead" }),
      ).to.be.at.least(1);
      expect(sample(body, "clearhouse_webhook_dead_letters", { subscription: "gone" })).to.be.at.least(1);
      expect(sample(body, "clearhouse_rpc_errors_total")).to.equal(0);
      expect(sample(body, "clearhouse_chain_head_block")).to.equal(
        Number(await f.gov.context.publicClient.getBlockNumber()),
      );
      expect(sample(body, "clearhouse_metrics_errors_total")).to.equal(0);
      expect(sample(body, "clearhouse_process_cpu_seconds_total")).to.be.a("number");
    } finally {
      await server.close();
    }
  });

  it("names in ops/alerts.yml only clearhouse metrics the server exports", async () => {
    const f = await loadFixture(dayFixture);
    const server = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
    try {
      const body = (await get(server, "/metrics", KEYS.regulator)).body;
      const exported = new Set(
        body
          .split("\n")
          .filter((l) => l.startsWith("# TYPE "))
          .map((l) => l.split(" ")[2]),
      );
      const rules = parse(readFileSync(join(__dirname, "..", "..", "ops", "alerts.yml"), "utf8")) as {
        groups: { rules: { alert: string; expr: string }[] }[];
      };
      const named = rules.groups.flatMap((g) => g.rules.flatMap((r) => r.expr.match(/clearhouse_[a-z_]+/g) ?? []));
      expect(named.length).to.be.greaterThan(5);
      for (const name of named) {
        const base = name.replace(/_(bucket|sum|count)$/, "");
        expect(exported.has(base), `${name} in ops/alerts.yml`).to.equal(true);
      }
    } finally {
      await server.close();
    }
  });

  it("serves the KPIs over time on /api/operations, and refuses a bad bucket", async () => {
    const f = await loadFixture(dayFixture);
    const server = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
    try {
      expect((await get(server, "/api/operations", KEYS.celtic)).statusCode).to.equal(403);
      for (const bad of ["0", "x", "1.5", "999999999"]) {
        const res = await get(server, `/api/operations?bucket=${bad}`, KEYS.auditor);
        expect(res.statusCode, bad).to.equal(400);
        expect(JSON.parse(res.body).message).to.match(/bucket/);
      }
      const report = JSON.parse(
        (await get(server, "/api/operations?bucket=86400", KEYS.auditor)).body,
      ) as OperationsReport;
      expect(report.totals).to.deep.equal({
        batches: 4,
        payments: f.payments,
        final: 1,
        netted: 4,
        rejected: 0,
        deferrals: 1,
      });
      const sum = (k: "batches" | "payments" | "deferrals") => report.buckets.reduce((s, b) => s + b[k], 0);
      expect([sum("batches"), sum("payments"), sum("deferrals")]).to.deep.equal([4, f.payments, 1]);
      const withFinal = report.buckets.find((b) => b.final === 1)!;
      expect(withFinal.latency.p50).to.be.a("number");
      expect(report.buckets.find((b) => b.netted > 0)!.successRate).to.equal(1);
    } finally {
      await server.close();
    }
  });

  it("computes buckets, nearest-rank percentiles and the success rate from events", () => {
    expect([percentile([10, 20, 30], 50), percentile([10, 20, 30], 95), percentile([], 50)]).to.deep.equal([
      20,
      30,
      null,
    ]);
    const ev = (event: string, blockNumber: string, args: Record<string, unknown>) => ({
      id: `${event}-${blockNumber}`,
      contract: "x",
      event,
      blockNumber,
      transactionHash: "0x",
      logIndex: 0,
      args,
    });
    const times: Record<string, number> = { "1": 1000, "2": 1030, "3": 1100, "4": 1250 };
    const report = operationsReport(
      [
        ev("BatchSubmitted", "1", { batchId: "0xa", header: { entryCount: "10" } }),
        ev("BatchSubmitted", "1", { batchId: "0xb", header: { entryCount: "5" } }),
        ev("BatchAcknowledged", "2", { batchId: "0xa", allAcknowledged: true }),
        ev("BatchAcknowledged", "3", { batchId: "0xb", allAcknowledged: false }),
        ev("BatchNetted", "3", { batchId: "0xa" }),
        ev("DisputeResolved", "4", { batchId: "0xb", upheld: true }),
        ev("BankHeld", "4", { bank: "0xc" }),
        ev("NetPosition", "4", { bank: "0xc", fromCredit: "700" }),
      ],
      (n) => times[n],
      100,
    );
    expect(report.buckets.map((b) => b.start)).to.deep.equal([1000, 1100, 1200]);
    expect(
      report.buckets.map((b) => [b.batches, b.payments, b.final, b.netted, b.rejected, b.deferrals]),
    ).to.deep.equal([
      [2, 15, 1, 0, 0, 0],
      [0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 1, 1],
    ]);
    expect(report.buckets[0].tps).to.equal(0.15);
    expect(report.buckets[0].latency).to.deep.equal({ p50: 30, p95: 30, p99: 30 });
    expect(report.buckets.map((b) => b.successRate)).to.deep.equal([null, 1, 0]);
    expect(report.buckets[2].creditDrawn).to.equal("700");
  });
});
