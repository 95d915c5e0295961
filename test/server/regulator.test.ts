/**
 * The regulator's page (issue 23): a traced private batch declared on a deployed consortium, then
 * `GET /api/regulator/traced` on servers configured with the regulator's key file, with none, and
 * with a malformed one; the role matrix (regulator only); and the console's Regulator tab in a real
 * headless Chromium, shown to a regulator key only (screenshot: test-output/console/regulator.png,
 * copied to docs/console-regulator.png).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import chromium from "@sparticuz/chromium";
import { chromium as pw, type Browser } from "playwright-core";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import { NO_REGULATOR_KEY } from "../../packages/server/src/regulatorRoutes";
import { ProverUsers } from "../../packages/server/src/sharedRun";
import { buildTracedBatch, proveTracedBatch, releaseProver } from "../../packages/zk/src";
import { writeRegulatorKeyFile } from "../../packages/zk/src/regulator/files";
import { sampleRecords } from "../zk/proofs";
import { settlementFixture } from "../sdk/settlementFixture";
import { KEYS, serveConfig } from "./fixture";

const OUT = join(__dirname, "..", "..", "test-output", "console");
const SECRET = 0x5eed1234n;
const THRESHOLD = 1_500n;
const OPERATOR = "operator-key-00000001";

type Report = {
  target: string;
  readings: {
    batchId: string;
    epoch: number;
    threshold: string;
    proofsVerified: boolean;
    rootMatches: boolean;
    zeroSlots: number;
    payments: { amount: string; paymentIdHash: string }[];
  }[];
  notRead: { batchId: string; cycleId: string; epoch: number; reason: string }[];
  unreadable: unknown[];
};

describe("serve: the regulator's page (traced payments, regulator keys only)", function () {
  this.timeout(600_000);
  let f: Awaited<ReturnType<typeof settlementFixture>>;
  let batchId: string;
  let dir: string;
  let keyPath: string;
  let withKey: ServerHandle;
  let keyless: ServerHandle;
  let browser: Browser | undefined;

  const config = (extra: object = {}) =>
    serveConfig(
      {
        apiKeys: [
          { name: "alpine", key: KEYS.alpine, role: "member", account: f.addr.alpine },
          { name: "operator", key: OPERATOR, role: "operator" },
          { name: "auditor", key: KEYS.auditor, role: "auditor" },
          { name: "regulator", key: KEYS.regulator, role: "regulator" },
        ],
        ...extra,
      } as never,
      f.addr,
    );
  const get = (s: ServerHandle, url: string, key?: string) =>
    s.app.inject({ method: "GET", url, headers: key ? { authorization: `Bearer ${key}` } : {} });

  before(async () => {
    f = await settlementFixture();
    const [x, y] = mulPointEscalar(Base8, SECRET);
    await f.gov.zk.rotateRegulatorKey({ x, y });
    await f.gov.zk.setTraceThreshold({ threshold: THRESHOLD });
    const policy = await f.operator.zk.getTracePolicy();
    const indexes = new Map<string, number>();
    for (const b of [f.addr.danube, f.addr.alpine, f.addr.celtic])
      indexes.set(b.toLowerCase(), (await f.operator.settlement.ledgerIndexOf({ bank: b }))!);
    // 30 payments of 1,000 + 37·i: the 16 with i ≥ 14 are at or above the threshold
    const records = sampleRecords(30, f.addr.danube, [f.addr.alpine, f.addr.celtic]);
    const traced = buildTracedBatch(records, {
      submitter: f.addr.danube,
      key: "traced-serve",
      indexOf: (b) => indexes.get(b.toLowerCase())!,
    });
    const chunks = await proveTracedBatch(traced, policy);
    await f.bank.danube.settlement.submitBatch({ key: traced.key, header: traced.header });
    await f.bank.alpine.settlement.acknowledgeBatch({ batchId: traced.batchId });
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId: traced.batchId });
    await f.operator.settlement.openCycle();
    await f.bank.danube.settlement.declareTracedChunks({ key: traced.key, header: traced.header, chunks });
    batchId = traced.batchId;
    dir = mkdtempSync(join(tmpdir(), "regulator-serve-"));
    keyPath = join(dir, "regulator-epoch-1.json");
    writeRegulatorKeyFile(keyPath, { epoch: 1, secret: SECRET, public: [x, y] });
    withKey = await createServer({ ch: f.gov, config: config({ regulatorKeys: { keyFiles: [keyPath] } }) });
    keyless = await createServer({ ch: f.gov, config: config() });
  });
  after(async () => {
    await browser?.close();
    await withKey?.close();
    await keyless?.close();
    await releaseProver();
  });

  it("a regulator key reads the 16 traced payments, by cycle and by batch, proofs re-verified", async () => {
    for (const url of ["/api/regulator/traced?cycle=1", `/api/regulator/traced?batch=${batchId}`]) {
      const res = await get(withKey, url, KEYS.regulator);
      expect(res.statusCode, res.body).to.equal(200);
      const r = res.json<Report>();
      expect(r.readings).to.have.length(1);
      const [b] = r.readings;
      expect(b).to.include({ batchId, epoch: 1, threshold: "1500", proofsVerified: true, rootMatches: true });
      expect(b.payments).to.have.length(16);
      expect(b.payments.every((p) => BigInt(p.amount) >= THRESHOLD && /^\d+$/.test(p.paymentIdHash))).to.equal(true);
      expect(b.zeroSlots).to.equal(32 - 16);
      expect(r.notRead).to.deep.equal([]);
      expect(r.unreadable).to.deep.equal([]);
      // the secret stays in the server: neither in hex nor in decimal
      expect(res.body).not.to.contain(SECRET.toString()).and.not.to.contain(SECRET.toString(16));
    }
    // a cycle without traced batches: an empty report, not an error
    const empty = await get(withKey, "/api/regulator/traced?cycle=2", KEYS.regulator);
    expect(empty.statusCode).to.equal(200);
    expect(empty.json()).to.deep.equal({ target: "2", readings: [], notRead: [], unreadable: [] });
  });

  it("403 for member, operator and auditor keys, 401 without a key, 400 for a bad query", async () => {
    const url = "/api/regulator/traced?cycle=1";
    for (const key of [KEYS.alpine, OPERATOR, KEYS.auditor]) {
      const res = await get(withKey, url, key);
      expect(res.statusCode, key).to.equal(403);
      expect(res.json()).to.deep.equal({ error: "forbidden", message: "This key may not see this (regulator only)." });
    }
    expect((await get(withKey, url)).statusCode).to.equal(401);
    expect((await get(withKey, url, "wrong-key-00000000000")).statusCode).to.equal(401);
    for (const [query, message] of [
      ["", /exactly one of cycle/],
      [`?cycle=1&batch=${batchId}`, /exactly one of cycle/],
      ["?cycle=yesterday", /cycle must be a cycle number/],
      ["?cycle=-1", /cycle must be a cycle number/],
      ["?cycle=1&cycle=2", /cycle must be a cycle number/],
      [`?cycle=${batchId}`, /cycle must be a cycle number/],
      ["?batch=7", /batch must be a batch id/],
      ["?batch=0x1234", /batch must be a batch id/],
    ] as const) {
      const res = await get(withKey, `/api/regulator/traced${query}`, KEYS.regulator);
      expect(res.statusCode, query).to.equal(400);
      expect(res.json().message, query).to.match(message);
    }
    // the auditor is refused before the query is looked at
    expect((await get(withKey, "/api/regulator/traced", KEYS.auditor)).statusCode).to.equal(403);
  });

  it("a server without regulatorKeys lists the traced batch as not read, saying why", async () => {
    const res = await get(keyless, "/api/regulator/traced?cycle=1", KEYS.regulator);
    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal({
      target: "1",
      readings: [],
      notRead: [{ cycleId: "1", batchId, epoch: 1, reason: NO_REGULATOR_KEY }],
      unreadable: [],
    });
    expect(NO_REGULATOR_KEY).to.equal("the server holds no regulator key (regulatorKeys in the serve config)");
  });

  it("a malformed or missing key file stops the start, naming the config field and the file, never the secret", async () => {
    const badSecret = join(dir, "bad-secret.json");
    const leaked = "0x5eed1234zz";
    writeFileSync(
      badSecret,
      JSON.stringify({ kind: "clearhouse.regulator-key", version: 1, epoch: 1, secret: leaked, public: {} }),
    );
    const notJson = join(dir, "not-json.json");
    writeFileSync(notJson, `{"secret": "${leaked}"`);
    const cases: [object, RegExp][] = [
      [{ keyFiles: [keyPath, badSecret] }, /regulatorKeys\.keyFiles\[1\]`: .*bad-secret\.json: `secret` is not valid/],
      [{ keyFiles: [notJson] }, /regulatorKeys\.keyFiles\[0\]`: .*not-json\.json: is not JSON/],
      [{ keyFiles: [join(dir, "absent.json")] }, /regulatorKeys\.keyFiles\[0\]`: .*absent\.json: .*ENOENT/],
      [{ sharedKeysFiles: [keyPath] }, /regulatorKeys\.sharedKeysFiles\[0\]`: .*`kind` is "clearhouse\.regulator-key"/],
    ];
    for (const [regulatorKeys, message] of cases) {
      const start = createServer({ ch: f.gov, config: config({ regulatorKeys }) });
      const e = await start.then(
        (s) => s.close().then(() => new Error("started")),
        (err: Error) => err,
      );
      expect(e.message).to.match(message);
      expect(e.message).not.to.contain(leaked);
      expect(e.name).to.equal("InvalidArgumentError");
    }
    expect(() => config({ regulatorKeys: { keyFiles: "key.json" } })).to.throw(
      /regulatorKeys\.keyFiles`: must be a list of file paths/,
    );
    expect(() => config({ regulatorKeys: {} })).to.throw(/regulatorKeys`: names no file/);
  });

  it("the console shows the Regulator tab to a regulator key only, and reads a cycle there", async () => {
    await withKey.app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(withKey.app.server.address() as { port: number }).port}`;
    const executablePath = process.env.CLEARHOUSE_CHROMIUM ?? (await chromium.executablePath());
    browser = await pw.launch({ executablePath, args: chromium.args, headless: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const tab = 'nav button[data-view="regulator"]';
    // an auditor's key: no tab, and #regulator in the URL opens the members instead
    await page.goto(`${base}/?key=${KEYS.auditor}#regulator`);
    await page.waitForSelector("#members tbody tr td");
    expect(await page.isHidden(tab)).to.equal(true);
    expect(await page.evaluate(`document.querySelector("#regulator").classList.contains("active")`)).to.equal(false);

    await page.goto(`${base}/?key=${KEYS.regulator}#regulator`);
    await page.waitForSelector(`${tab}:not([hidden])`);
    await page.waitForFunction(`document.querySelector("#regulator")?.classList.contains("active")`);
    await page.fill("#reg-target", "1");
    await page.click("#reg-read");
    await page.waitForSelector("#reg-batches li.reading", { timeout: 120_000 });
    expect(await page.textContent("#reg-batches")).to.match(
      /epoch 1, threshold 15\.00 \w+; 16 traced, 16 zero slots; proofs verified, root matches the anchored header/,
    );
    expect(await page.locator("#reg-payments tbody tr").count()).to.equal(16);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "regulator.png"), fullPage: true });
  });
});

describe("serve: the prover's threads, shared by the audit and the regulator's reads", () => {
  it("are released once the last work settles, failed or not, never while another still verifies", async () => {
    let releases = 0;
    const prover = new ProverUsers(() => releases++);
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    };
    const [audit, read] = [gate(), gate()];
    const auditing = prover.during(() => audit.opened.then(() => "report"));
    const reading = prover.during(() => read.opened.then(() => Promise.reject(new Error("abandoned"))));
    audit.open();
    expect(await auditing).to.equal("report");
    expect(releases).to.equal(0); // the read still verifies
    read.open();
    await expect(reading).to.be.rejectedWith("abandoned");
    expect(releases).to.equal(1);
  });
});
