/**
 * Two `clearhouse serve` processes (the compiled CLI, real child processes) on one PostgreSQL
 * delivery store, following one chain (the example consortium on a Besu-like Anvil): every event
 * reaches each webhook once and in order while both run; then one server is killed (SIGKILL) in the
 * middle of a delivery: the other takes its deliveries over once their lease runs out, nothing is
 * lost, and the only repeats are deliveries the killed one had in flight, under the same
 * `webhook-id` (at least once across a crash; receivers dedupe on it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import pg from "pg";
import { mnemonicToAccount } from "viem/accounts";
import { createClearhouse, type Clearhouse } from "../../packages/sdk/src";
import { startBesuConsortium, type BesuConsortium } from "../helpers/besuConsortium";
import { freePort } from "../helpers/net";
import { startPostgres, type PgCluster } from "../helpers/postgres";
import { startReceiver, waitFor, type Received } from "./receiver";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "packages", "cli", "bin", "clearhouse.js");
const MNEMONIC = "test test test test test test test test test test test junk";
const AUDITOR = "auditor-key-000000001";
const SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
/** Per-request timeout of the webhooks: a claim is leased for it plus 5 s. */
const TIMEOUT_MS = 1_500;

interface Server {
  child: ChildProcess;
  port: number;
  /** Who its leases name in the store (`<hostname>:<pid>`). */
  pid: number;
  output: () => string;
}

/** Start `clearhouse serve` (compiled) and wait until it listens. */
async function serve(net: BesuConsortium, config: string): Promise<Server> {
  const port = await freePort();
  const argv = [BIN, "--deployment", net.deploymentFile, "--rpc-url", net.anvil.url, "serve", "--config", config];
  const child = spawn("node", [...argv, "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes("Clearhouse API and console on") || child.exitCode !== null, 30_000, "serve");
  if (child.exitCode !== null) throw new Error(`clearhouse serve exited ${child.exitCode}: ${out}`);
  return { child, port, pid: child.pid!, output: () => out };
}

async function api<T>(s: Server, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${s.port}${path}`, { headers: { authorization: `Bearer ${AUDITOR}` } });
  return { status: res.status, body: (await res.json()) as T };
}

/** The first time each webhook-id was accepted, in arrival order (what a deduplicating receiver applies). */
const firstSeen = (got: Received[]) => [...new Set(got.map((r) => r.eventId))];

describe("serve: two servers on one PostgreSQL store", function () {
  this.timeout(150_000);
  let cluster: PgCluster;
  let net: BesuConsortium;
  const servers: Server[] = [];
  const stoppers: (() => Promise<void>)[] = [];

  before(async function () {
    if (!existsSync(join(ROOT, "packages", "cli", "dist")))
      throw new Error("the CLI is not compiled: run `node scripts/build/packages.mjs` (npm test does) first");
    cluster = await startPostgres();
    net = await startBesuConsortium({ blockTime: 1 });
  });

  after(async () => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    for (const stop of stoppers) await stop();
    await net?.anvil.stop();
    cluster?.stop();
  });

  it("deliver every event once and in order; one killed mid-delivery loses nothing", async () => {
    const url = cluster.createDatabase("clearhouse");
    // Both receivers answer after a moment, as a real one does.
    const all = await startReceiver(() => ({ status: 204, afterMs: 5 }));
    const approvals = await startReceiver(() => ({ status: 204, afterMs: 5 }));
    stoppers.push(all.stop, approvals.stop);
    const config = join(net.dir, "serve.json");
    writeFileSync(
      config,
      JSON.stringify({
        apiKeys: [{ name: "auditor", key: AUDITOR, role: "auditor" }],
        webhooks: [
          { id: "all", url: all.url, secret: SECRET },
          { id: "approvals", url: approvals.url, secret: SECRET, events: ["Approval"] },
        ],
        store: { kind: "postgres", url },
        outbox: join(net.dir, "outbox.json"),
        pollSeconds: 0.3,
        retryBaseMs: 50,
        maxRetryMs: 400,
        timeoutMs: TIMEOUT_MS,
      }),
    );
    servers.push(await serve(net, config), await serve(net, config));
    const [first, second] = servers;

    // Four banks approve at once, one round per call: four Approval events in a block or two.
    const accounts = [2, 3, 4, 5].map((i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));
    const banks: Clearhouse[] = accounts.map((account) =>
      createClearhouse({ deployment: net.deployment, rpcUrl: net.anvil.url, account, pollingInterval: 100 }),
    );
    let round = 0;
    const approveRound = async () => {
      round++;
      await Promise.all(
        banks.map((ch, i) => ch.token.approve({ spender: accounts[(i + 1) % 4].address, amount: BigInt(round) })),
      );
    };
    type Event = { id: string; event: string; blockNumber: string };
    /** Every event on chain, in chain order, as a server reads it. */
    /** Every event the server has, page by page (the list routes return `{ items, next }`). */
    const chainEvents = async (s: Server) => {
      const out: Event[] = [];
      for (let after: number | null | undefined; after !== null;) {
        const page = (
          await api<{ items: Event[]; next: number | null }>(
            s,
            `/api/events?limit=1000${after ? `&after=${after}` : ""}`,
          )
        ).body;
        out.push(...page.items);
        after = page.next;
      }
      return out;
    };
    const expectAllDelivered = async (s: Server, rounds: number) => {
      await waitFor(
        async () => (await chainEvents(s)).filter((e) => e.event === "Approval").length === rounds * 4,
        20_000,
        "the approvals on chain",
      );
      const events = await chainEvents(s);
      const expected = {
        all: events.map((e) => e.id),
        approvals: events.filter((e) => e.event === "Approval").map((e) => e.id),
      };
      await waitFor(
        () =>
          firstSeen(all.accepted).length === expected.all.length &&
          firstSeen(approvals.accepted).length === expected.approvals.length,
        45_000,
        "every event at both receivers",
      );
      // In order, none missing: each receiver applied the chain's events as they happened.
      expect(firstSeen(all.accepted)).to.deep.equal(expected.all);
      expect(firstSeen(approvals.accepted)).to.deep.equal(expected.approvals);
      return expected;
    };

    await approveRound();
    await approveRound();
    const before = await expectAllDelivered(first, 2);
    expect(before.all.length).to.be.greaterThan(20); // the deployment's events and the approvals
    // Normal operation: nothing twice, although both servers read every block and both deliver.
    expect(all.requests.length).to.equal(before.all.length);
    expect(approvals.requests.length).to.equal(before.approvals.length);
    for (const r of [...all.requests, ...approvals.requests])
      expect((JSON.parse(r.body) as { id: string }).id).to.equal(r.eventId);
    const health = await Promise.all(servers.map((s) => api<{ ok: boolean; store: string }>(s, "/api/health")));
    expect(health.map((h) => h.status)).to.deep.equal([200, 200]);
    expect(health[0].body.store).to.equal("postgres");

    // Slow receivers, new events, and the server that has a delivery in flight killed.
    all.behave(() => ({ status: 204, afterMs: 600 }));
    approvals.behave(() => ({ status: 204, afterMs: 600 }));
    const db = new pg.Client({ connectionString: url });
    db.on("error", () => undefined); // the cluster stops after the test
    await db.connect();
    const leasedBy = async (s: Server) =>
      (
        await db.query<{ subscription_id: string; event_id: string }>(
          "SELECT subscription_id, event_id FROM outbox WHERE lease_owner LIKE $1 AND lease_until > $2",
          [`%:${s.pid}`, Date.now()],
        )
      ).rows;
    await approveRound();
    let inFlight: { subscription_id: string; event_id: string }[] = [];
    let victim = first;
    await waitFor(
      async () => {
        for (const s of servers) {
          inFlight = await leasedBy(s);
          victim = s;
          if (inFlight.length) return true;
        }
        return false;
      },
      30_000,
      "a server to hold a delivery",
    );
    const survivor = victim === first ? second : first;
    // Let its request reach the receiver, then kill it before the answer comes back.
    await new Promise((r) => setTimeout(r, 200));
    victim.child.kill("SIGKILL");
    await new Promise((r) => victim.child.once("exit", r));
    const killedAt = Date.now();
    await approveRound();
    all.behave(() => ({ status: 204, afterMs: 5 }));
    approvals.behave(() => ({ status: 204, afterMs: 5 }));

    const after = await expectAllDelivered(survivor, 4);
    // Repeats: only what the killed server had in flight, each under its event's webhook-id (the body says the same).
    const repeats = (got: Received[]) => got.map((r) => r.eventId).filter((id, i, ids) => ids.indexOf(id) !== i);
    const held = inFlight.map((d) => d.event_id);
    const repeated = [...repeats(all.accepted), ...repeats(approvals.accepted)];
    expect(
      repeated.every((id) => held.includes(id)),
      `${repeated} ⊆ ${held}`,
    ).to.equal(true);
    for (const r of [...all.requests, ...approvals.requests])
      expect((JSON.parse(r.body) as { id: string }).id).to.equal(r.eventId);
    // The killed server's request was under way (the receiver had it) when it died: the survivor
    // sent it again, the same webhook-id, once the lease ran out.
    const midDelivery = inFlight.filter((d) =>
      (d.subscription_id === "all" ? all : approvals).requests.some((r) => r.eventId === d.event_id && r.at < killedAt),
    );
    expect(midDelivery.length, "a request in flight at the kill").to.be.at.least(1);
    for (const d of midDelivery) {
      const got = (d.subscription_id === "all" ? all : approvals).accepted.filter((r) => r.eventId === d.event_id);
      expect(got.length, d.event_id).to.equal(2);
      expect(got[1].at - killedAt).to.be.at.least(TIMEOUT_MS);
    }
    const rows = await db.query<{ status: string; n: string }>(
      "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status",
    );
    expect(rows.rows.map((r) => [r.status, Number(r.n)])).to.deep.equal([
      ["delivered", after.all.length + after.approvals.length],
    ]);
    await db.end();
    expect((await api(survivor, "/api/health")).status).to.equal(200);
  });
});
