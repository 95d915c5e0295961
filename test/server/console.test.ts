/**
 * The auditor console in a real headless Chromium (@sparticuz/chromium + playwright-core: nothing
 * but `npm ci`; CLEARHOUSE_CHROMIUM may point at another browser). Screenshots of the main views go
 * to test-output/console/. (docs/console*.png are taken from `npm run demo -- --serve`.)
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

const OUT = join(__dirname, "..", "..", "test-output", "console");

describe("serve: auditor console in Chromium", function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: ServerHandle;
  let page: Page;
  let base: string;
  let deployment: Deployment;

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
    server = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
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
    // Nothing to check off-chain (no batch files) and no multisig here: "not run", never "passed".
    expect(await page.textContent("#verdict")).to.match(/Every check that ran passed/);
    expect(await page.textContent("#audit-counts")).to.match(/^\d+ passed, 0 failed, 2 not run$/);
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

  it("a member's key: its own agreements only, and no audit", async () => {
    await page.goto(`${base}/?key=${KEYS.alpine}`);
    await page.waitForSelector("#members tbody tr td");
    await tab("agreements");
    await page.waitForFunction(`document.querySelector("#agreements")?.textContent?.includes("No agreements visible")`);
    await tab("audit");
    await page.waitForFunction(`document.querySelector("#error")?.textContent?.includes("may not see")`);
  });
});
