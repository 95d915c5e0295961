/**
 * The auditor console in a real headless Chromium (@sparticuz/chromium + playwright-core: nothing
 * but `npm ci`; CLEARHOUSE_CHROMIUM may point at another browser). Screenshots of the main views go
 * to test-output/console/. (docs/console*.png are taken from `npm run demo -- --serve`, but
 * docs/console-regulator.png from test/server/regulator.test.ts.)
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import chromium from "@sparticuz/chromium";
import { chromium as pw, type Browser, type Page } from "playwright-core";
import { keccak256, stringToHex } from "viem";
import type { Deployment } from "../../packages/contracts/src/deployment";
import { createServer, type ServerHandle } from "../../packages/server/src/api";
import { releaseProver } from "../../packages/zk/src";
import { KEYS, serveConfig, serverFixture } from "./fixture";
import { startReceiver } from "./receiver";

const OUT = join(__dirname, "..", "..", "test-output", "console");

describe("serve: auditor console in Chromium", function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: ServerHandle;
  let page: Page;
  let base: string;
  let deployment: Deployment;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  /** Events the webhook takes: all dead letters once the server has tried each once. */
  const HOOKED = ["BatchSubmitted", "BatchAcknowledged", "CycleClosed"];

  before(async () => {
    const f = await serverFixture();
    await f.operator.settlement.openCycle();
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId: f.batch.batchId });
    await f.bank.danube.settlement.acknowledgeBatch({ batchId: f.batch.batchId });
    await f.bank.alpine.settlement.declareBatch({ key: f.batch.key, header: f.batch.header });
    await f.operator.settlement.closeCycle();
    // The payer disputes the agreement's milestone: the audit tab lists the open dispute.
    await f.bank.danube.payments.dispute({
      agreementId: f.agreementId,
      milestone: 0,
      reason: keccak256(stringToHex("not delivered")),
    });
    deployment = f.deployment;
    // A webhook whose receiver answers 500 for now, one attempt each: the webhooks tab has dead letters.
    hook = await startReceiver(() => 500);
    const webhooks = [
      { id: "core-banking", url: hook.url, secret: "console-test-secret-01", events: HOOKED, maxAttempts: 1 },
    ];
    server = await createServer({ ch: f.gov, config: serveConfig({ webhooks } as never, f.addr) });
    await server.feed.deliverDue();
    await server.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
    const executablePath = process.env.CLEARHOUSE_CHROMIUM ?? (await chromium.executablePath());
    browser = await pw.launch({ executablePath, args: chromium.args, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    mkdirSync(OUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await hook?.stop();
    await releaseProver();
  });

  const tab = async (name: string) => {
    await page.click(`nav button[data-view="${name}"]`);
    await page.waitForFunction(`document.querySelector("#${name}")?.classList.contains("active")`);
  };

  it("without a key it says what is missing", async () => {
    await page.goto(`${base}/`);
    await page.fill("#key", "not-a-valid-key-000000");
    await page.dispatchEvent("#key", "change");
    await page.waitForFunction(`document.querySelector("#error")?.textContent?.includes("API key")`);
  });

  it("members, batches, cycles (chart), agreements, governance and the audit verdict", async () => {
    await page.goto(`${base}/?key=${KEYS.auditor}`);
    await page.waitForSelector("#members tbody tr td");
    expect(await page.textContent("#who")).to.match(/auditor \(auditor\)/);
    expect(await page.locator("#members tbody tr").count()).to.be.greaterThan(5);
    await page.screenshot({ path: join(OUT, "members.png") });

    await tab("batches");
    await page.waitForSelector("#batches tbody tr td code");
    expect(await page.textContent("#batches tbody")).to.match(/Netted/);
    await page.screenshot({ path: join(OUT, "batches.png") });

    await tab("cycles");
    await page.waitForSelector("#cycles svg.chart rect");
    expect(await page.locator("#cycles svg.chart rect").count()).to.be.at.least(2);
    await page.screenshot({ path: join(OUT, "cycles.png") });

    await tab("agreements");
    await page.waitForSelector("#agreements .agreement .step");
    expect(await page.textContent("#agreements")).to.match(/Agreement 1 — Active/);
    await page.screenshot({ path: join(OUT, "agreements.png") });

    await tab("proposals");
    await page.waitForSelector("#proposals tbody tr");

    await tab("audit");
    await page.waitForSelector("#verdict", { timeout: 60_000 });
    // Nothing to check off-chain (no batch files), no multisig and no offline payment here: "not
    // run", never "passed".
    expect(await page.textContent("#verdict")).to.match(/Every check that ran passed/);
    expect(await page.textContent("#audit-counts")).to.match(/^\d+ passed, 0 failed, 3 not run$/);
    expect(await page.textContent("#audit-checks")).to.match(
      /Off-chain records[^]*0not run: no bank batch files given: pass --batch-file/,
    );
    // Amounts in currency units; contracts, agreement parties, the open dispute, member limits.
    expect(await page.textContent("#audit-sections")).to.match(/Total supply [\d,]+\.\d\d tEUR/);
    const registry = deployment.contracts.ConsortiumRegistry;
    expect(await page.textContent("#audit-contracts")).to.contain(
      `ConsortiumRegistry${registry.proxy}${registry.implementation}${registry.implementation}yes`,
    );
    expect(await page.textContent("#audit-agreements")).to.match(
      /^agreement.*\n?1ActiveDanube BankCeltic BankBaltic Bank\d{4}-\d{2}-\d{2}12\.00 tEUR12\.00 tEUR0\.00 tEUR0\.00 tEUR12\.00 tEUR$/,
    );
    expect(await page.textContent("#audit-milestones")).to.match(
      /10Baltic Bank12\.00 tEUR\d{4}-\d{2}-\d{2}T[\d:.]+ZDisputed/,
    );
    expect(await page.textContent("#audit-disputes")).to.match(/10Danube Bank\d{4}-\d{2}-\d{2}open—/);
    const members = await page.textContent("#audit-members");
    expect(members).to.match(
      /Alpine Bank0x[0-9a-fA-F]{40}ActiveMEMBER_BANKnone100,000,000\.00 tEUR100,000,000\.00 tEUR/,
    );
    expect(members).to.match(/Clearing pool \(NettingEngine\)0x[0-9a-fA-F]{40}ActiveCORPORATEnoneunlimitedunlimited/);
    await page.screenshot({ path: join(OUT, "audit.png"), fullPage: true });
  });

  it("tabs can be deep-linked: #cycles opens on the cycles tab, and a click puts its tab in the URL", async () => {
    await page.goto(`${base}/?key=${KEYS.auditor}#cycles`);
    await page.waitForFunction(`document.querySelector("#cycles")?.classList.contains("active")`);
    expect(await page.evaluate(`document.querySelector("#members").classList.contains("active")`)).to.equal(false);
    await tab("batches");
    expect(await page.evaluate("location.hash")).to.equal("#batches");
  });

  it("the webhooks tab: dead letters listed, one replayed, then all", async () => {
    const total = server.feed.events.filter((e) => HOOKED.includes(e.event)).length;
    expect(total).to.be.at.least(4);
    await page.goto(`${base}/?key=${KEYS.auditor}#webhooks`);
    await page.waitForSelector("#dlq tbody tr.dead-letter button.replay");
    expect(await page.locator("#dlq tr.dead-letter").count()).to.equal(total);
    expect(await page.textContent("#dlq tbody")).to.contain("HTTP 500 (attempt 1 of 1)");
    expect(await page.textContent("#webhook-subscriptions tbody")).to.match(
      new RegExp(`^core-banking${hook.url.replace(/[/.]/g, "\\$&")}00${total}1 attempt, 24 h, timeout 15 s$`),
    );
    await page.screenshot({ path: join(OUT, "webhooks.png"), fullPage: true });

    // The receiver is back: replay the newest dead letter, then all the others.
    hook.behave(() => 204);
    const newest = (await page.getAttribute("#dlq tr.dead-letter button.replay", "data-id"))!;
    await page.click(`#dlq button.replay[data-id="${newest}"]`);
    await page.waitForFunction(`document.querySelector("#dlq-result")?.textContent === "1 back in the queue"`);
    await page.waitForFunction(`document.querySelectorAll("#dlq tr.dead-letter").length === ${total - 1}`);
    await server.feed.deliverDue();
    expect(hook.accepted.map((r) => r.eventId)).to.have.length(1);
    await page.click("#dlq-replay-all");
    await page.waitForFunction(`document.querySelector("#dlq tbody")?.textContent === "no dead letters"`);
    expect(await page.textContent("#dlq-result")).to.equal(`${total - 1} back in the queue`);
    await server.feed.deliverDue();
    expect(hook.accepted).to.have.length(total);
    await tab("members");
    await tab("webhooks");
    await page.waitForFunction(
      `document.querySelector("#webhook-subscriptions tbody")?.textContent?.includes("0${total}0")`,
    );
  });

  it("the operations tab: KPI totals and four charts drawn from the chain", async () => {
    await page.goto(`${base}/?key=${KEYS.regulator}#operations`);
    await page.waitForSelector("#ops-charts figure.ops-chart svg circle", { state: "attached" });
    const totals = (await page.textContent("#ops-totals"))!;
    expect(totals).to.match(
      /^1 batches, 5 payments anchored; 1 final by acknowledgement; 1 netted, 0 rejected \(success rate 100\.0 %\)/,
    );
    const charts = await page.$$eval("#ops-charts figure", (fs) => fs.map((f) => f.getAttribute("data-chart")));
    expect(charts).to.deep.equal(["Throughput", "Anchored → final latency", "Success rate", "Deferrals and closes"]);
    // a dot per bucket with its value on hover
    expect(await page.locator("#ops-charts figure[data-chart=Throughput] circle").count()).to.be.at.least(1);
    await page.selectOption("#ops-bucket", "60");
    await page.waitForSelector("#ops-charts figure.ops-chart svg circle", { state: "attached" });
    await page.screenshot({ path: join(OUT, "operations.png"), fullPage: true });
  });

  it("a member's key: its own agreements only, and no audit", async () => {
    await page.goto(`${base}/?key=${KEYS.alpine}`);
    await page.waitForSelector("#members tbody tr td");
    await tab("agreements");
    await page.waitForFunction(`document.querySelector("#agreements")?.textContent?.includes("No agreements visible")`);
    await tab("audit");
    await page.waitForFunction(`document.querySelector("#error")?.textContent?.includes("may not see")`);
    await tab("webhooks");
    await page.waitForFunction(`document.querySelector("#error")?.textContent?.includes("may not see")`);
    await tab("operations");
    await page.waitForFunction(`document.querySelector("#error")?.textContent?.includes("may not see")`);
  });
});
