/**
 * `GET /api/proposals` and the console's Governance tab: proposals with who signed them (offline or
 * on chain), the decoded call, the times and the state, over a deployment governed by a multisig.
 * The tab's screenshot goes to test-output/console/governance.png.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import chromium from "@sparticuz/chromium";
import { chromium as pw } from "playwright-core";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  ContractNotDeployedError,
  consortiumRegistryAbi,
  signGovernanceFile,
  type GovernanceFile,
} from "../../packages/sdk/src";
import { rejectsWith } from "../sdk/fixture";
import { createServer } from "../../packages/server/src/api";
import { MIN_DELAY, governanceFixture, signerKey, type GovernanceFixture } from "../sdk/governanceFixture";
import { KEYS, serveConfig, serverFixture } from "./fixture";

const limits = (f: GovernanceFixture, lane: bigint): Promise<GovernanceFile> =>
  f.anyone.governance.buildProposal({
    target: f.deployment.contracts.ConsortiumRegistry.proxy,
    call: { abi: consortiumRegistryAbi, functionName: "setLimits", args: [f.bank, 500n, 5_000n] },
    lane,
    description: "Raise Gov Bank's limits",
  });

const sign = (file: GovernanceFile, signers: number[]) =>
  Promise.all(signers.map((i) => signGovernanceFile(file, signerKey(i))));

/** One proposal executed with three offline signatures, one approved on chain and queued, one cancelled. */
async function governed() {
  const f = await governanceFixture();
  const executed = await limits(f, 0n);
  await f.anyone.governance.queueProposal({ file: executed, signatures: await sign(executed, [2, 0, 4]) });
  await time.increase(MIN_DELAY);
  await f.anyone.governance.executeProposal({ file: executed });
  const onChain = await limits(f, 1n);
  await f.signer(3).governance.approveOnChain({ hash: onChain.hash });
  await f.anyone.governance.queueProposal({ file: onChain, signatures: await sign(onChain, [0, 1]) });
  const cancelled = await limits(f, 2n);
  await f.anyone.governance.queueProposal({ file: cancelled, signatures: await sign(cancelled, [0, 1, 2]) });
  const cancel = await f.anyone.governance.buildCancel({ lane: 2n });
  await f.anyone.governance.executeProposal({ file: cancel, signatures: await sign(cancel, [1, 3, 4]) });
  return { ...f, executed, onChain, cancelled, cancel };
}

async function governedServer() {
  const f = await loadFixture(governed);
  return { ...f, server: await createServer({ ch: f.anyone, config: serveConfig() }) };
}

interface ApiProposal {
  hash: string;
  kind: string;
  state: string;
  lane: string;
  nonce: string;
  call?: { target: string; contract: string; functionName: string; args: string[]; value: string };
  approvals: { signer: string; how: string; transactionHash: string; blockNumber: string }[];
  unrecoverable: unknown[];
  queued?: { at: string; executableAt: string; transactionHash: string };
  executed?: { at: string };
  cancelled?: { at: string; cancelHash: string };
}

describe("serve: governance proposals", function () {
  this.timeout(180_000);

  it("GET /api/proposals: signers marked offline or on chain, the decoded call, times as decimal strings", async () => {
    const f = await governedServer();
    try {
      const res = await f.server.app.inject({
        method: "GET",
        url: "/api/proposals",
        headers: { authorization: `Bearer ${KEYS.alpine}` }, // any key sees governance
      });
      expect(res.statusCode).to.equal(200);
      const list = JSON.parse(res.body) as ApiProposal[];
      expect(list.map((p) => [p.hash, p.kind, p.state])).to.deep.equal([
        [f.executed.hash, "Proposal", "executed"],
        [f.onChain.hash, "Proposal", "queued"],
        [f.cancelled.hash, "Proposal", "cancelled"],
        [f.cancel.hash, "Cancel", "executed"],
      ]);
      const [executed, onChain, cancelled] = list;
      expect(executed.approvals.map((a) => [a.signer, a.how])).to.deep.equal(
        [2, 0, 4].map((i) => [signerKey(i).address, "offline"]),
      );
      expect(executed.approvals[0].blockNumber).to.match(/^\d+$/);
      expect(executed.call).to.deep.equal({
        target: f.deployment.contracts.ConsortiumRegistry.proxy,
        contract: "ConsortiumRegistry",
        value: "0",
        data: f.executed.typedData.primaryType === "Proposal" ? f.executed.typedData.message.data : "",
        functionName: "setLimits",
        args: [JSON.stringify(f.bank), "500", "5000"],
      });
      expect(BigInt(executed.queued!.executableAt) - BigInt(executed.queued!.at)).to.equal(BigInt(MIN_DELAY));
      expect(BigInt(executed.executed!.at) >= BigInt(executed.queued!.executableAt)).to.equal(true);
      expect(onChain.approvals.map((a) => [a.signer, a.how])).to.deep.equal([
        [signerKey(3).address, "on-chain"],
        [signerKey(0).address, "offline"],
        [signerKey(1).address, "offline"],
      ]);
      expect(cancelled.cancelled?.cancelHash).to.equal(f.cancel.hash);
      expect(list.every((p) => p.unrecoverable.length === 0)).to.equal(true);
    } finally {
      await f.server.close();
    }
  });

  it("starts no second full history read while one is still running, however old the cache", async () => {
    // Each read scans every multisig log since deployment and fetches a transaction per proposal.
    // On a long chain it outlasts the 15 s cache; each request after that must not start another
    // scan beside it (any key holder, or the console's polling, would pile them up on the node).
    const f = await loadFixture(governed);
    let reads = 0;
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const list = f.anyone.governance.listProposals.bind(f.anyone.governance);
    const ch = {
      ...f.anyone,
      governance: {
        ...f.anyone.governance,
        listProposals: async (...a: Parameters<typeof list>) => {
          reads += 1;
          await gate;
          return list(...a);
        },
      },
    } as typeof f.anyone;
    const server = await createServer({ ch, config: serveConfig() });
    const realNow = Date.now;
    try {
      const get = () =>
        server.app.inject({
          method: "GET",
          url: "/api/proposals",
          headers: { authorization: `Bearer ${KEYS.alpine}` },
        });
      const first = get();
      while (reads === 0) await new Promise((r) => setTimeout(r, 5));
      Date.now = () => realNow() + 16_000; // the first read is still running 16 s later
      const second = get();
      await new Promise((r) => setTimeout(r, 50));
      release();
      const bodies = (await Promise.all([first, second])).map((r) => JSON.parse(r.body) as unknown[]);
      expect(bodies[0]).to.deep.equal(bodies[1]);
      expect(reads).to.equal(1);
    } finally {
      Date.now = realNow;
      release();
      await server.close();
    }
  });

  it("a deployment without a multisig has no proposals: [] from the API, a typed error from the SDK", async () => {
    const f = await loadFixture(serverFixture);
    const server = await createServer({ ch: f.gov, config: serveConfig({}, f.addr) });
    try {
      const res = await server.app.inject({
        method: "GET",
        url: "/api/proposals",
        headers: { authorization: `Bearer ${KEYS.auditor}` },
      });
      expect([res.statusCode, JSON.parse(res.body)]).to.deep.equal([200, []]);
      const error = await rejectsWith(f.gov.governance.listProposals(), ContractNotDeployedError);
      expect(error.message).to.match(/ConsortiumMultisig/);
    } finally {
      await server.close();
    }
  });

  it("the console's Governance tab shows the call, the signers and how they signed, and the times", async () => {
    const f = await governedServer();
    await f.server.app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(f.server.app.server.address() as { port: number }).port}`;
    const executablePath = process.env.CLEARHOUSE_CHROMIUM ?? (await chromium.executablePath());
    const browser = await pw.launch({ executablePath, args: chromium.args, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      await page.goto(`${base}/?key=${KEYS.auditor}#proposals`);
      await page.waitForSelector("#proposals tr.proposal");
      const rows = await page.locator("#proposals tr.proposal").allTextContents();
      expect(rows).to.have.length(4);
      const [cancel, cancelled, onChain, executed] = rows; // newest first
      expect(executed).to.include(`ConsortiumRegistry.setLimits(${JSON.stringify(f.bank)}, 500, 5000)`);
      expect(executed).to.include(f.deployment.contracts.ConsortiumRegistry.proxy);
      for (const i of [2, 0, 4]) expect(executed).to.include(`${signerKey(i).address} (offline)`);
      expect(executed).to.match(/executed$/);
      expect(executed.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z/g)).to.have.length(3); // queued, executable, executed
      expect(onChain).to.include(`${signerKey(3).address} (on chain)`);
      expect(onChain).to.match(/queued$/);
      expect(cancelled).to.match(/cancelled \d{4}-/);
      expect(cancel).to.include("cancel lane 2 nonce 0");
      const out = join(__dirname, "..", "..", "test-output", "console");
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: join(out, "governance.png"), fullPage: true });
    } finally {
      await browser.close();
      await f.server.close();
    }
  });
});
