/** `clearhouse audit report`: files written, verdict printed, exit 5 on a discrepancy. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { readReport } from "../../packages/sdk/src/node/audit";
import { writeBatchFile } from "../../packages/sdk/src/node/batchFile";
import { Role } from "../../packages/sdk/src/registry/roles";
import { leiWithCheckDigits } from "../../packages/sdk/src/registry/identifiers";
import { releaseProver } from "../../packages/zk/src";
import { settlementFixture, smallSampleBatch } from "../sdk/settlementFixture";
import { cliWorkspace } from "./harness";

async function fixture() {
  const f = await settlementFixture();
  const { dir, cli } = cliWorkspace(f.deployment, "audit");
  const batch = smallSampleBatch(f);
  await f.bank.alpine.settlement.submitBatch({ key: batch.key, header: batch.header });
  writeBatchFile(join(dir, "alpine.json"), batch);
  return { ...f, dir, cli };
}

describe("CLI audit", function () {
  this.timeout(120_000);
  after(releaseProver);

  it("writes report.json, report.md and report.html and prints the verdict", async () => {
    const { cli, dir } = await loadFixture(fixture);
    const out = join(dir, "report");
    const r = await cli("audit", "report", "--out", out, "--batch-file", join(dir, "alpine.json"));
    expect(r.code, r.err + r.out).to.equal(ExitCode.ok);
    // No governance multisig, cycle, agreement or offline payment in this fixture: not run.
    expect(r.out).to.match(/\nChecks: 7 passed, 0 failed, 4 not run\n/);
    expect(r.out).to.match(/Verdict: every check that ran passed — 7 passed, 0 failed, 4 not run/);
    expect(r.out).to.match(/Governance: [^\n]+ {2}0 {2}not run: the deployment has no governance multisig\n/);
    // The supply is part of the verdict's output: total, ceiling, and issuance per issuer per UTC day.
    expect(r.out).to.match(
      /\nSupply: Total supply [\d,]+\.\d\d tEUR; issued [\d,]+\.\d\d tEUR, redeemed [\d,]+\.\d\d tEUR since deployment; daily issuance ceiling 1,000,000,000\.00 tEUR\.\nUTC day +issuer +issued +redeemed\n[- ]+\n\d{4}-\d{2}-\d{2} {2}0x[0-9a-fA-F]{40} +[\d,]+\.\d\d tEUR +[\d,]+\.\d\d tEUR/,
    );
    expect(readFileSync(join(out, "report.md"), "utf8")).to.match(/## Supply/);
    for (const f of ["report.json", "report.md", "report.html"]) expect(existsSync(join(out, f))).to.equal(true);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).ok).to.equal(true);
  });

  it("without batch files the off-chain check is 'not run' (exit 0), and the report lists contracts and members", async () => {
    const { cli, dir, deployment, addr } = await loadFixture(fixture);
    const out = join(dir, "r3");
    const r = await cli("audit", "report", "--out", out);
    expect(r.code, r.err + r.out).to.equal(ExitCode.ok);
    expect(r.out).to.match(
      /Off-chain records: [^\n]+ {2}0 {2}not run: no bank batch files given: pass --batch-file <file> to check off-chain records\n/,
    );
    expect(r.out).to.not.match(/Off-chain records[^\n]* passed\n/);
    expect(r.out).to.match(/\nChecks: 6 passed, 0 failed, 5 not run\n/);
    expect(r.out).to.match(/Verdict: every check that ran passed — 6 passed, 0 failed, 5 not run/);
    expect(r.out).to.match(/Escrow: [^\n]+ {2}0 {2}not run: no agreement was created\n/);
    // Every contract with its proxy and implementation; every member with limits in currency units.
    const registry = deployment.contracts.ConsortiumRegistry;
    expect(r.out).to.match(
      new RegExp(
        `ConsortiumRegistry +${registry.proxy} +${registry.implementation} +${registry.implementation} +yes\n`,
      ),
    );
    expect(r.out).to.match(
      new RegExp(
        `Alpine Bank +${addr.alpine} +Active +MEMBER_BANK +none +100,000,000\\.00 tEUR +100,000,000\\.00 tEUR\n`,
      ),
    );
    // report.json keeps minor units and says "not run".
    const json = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as {
      format: string;
      ok: boolean;
      summary: { notRun: number };
      members: { account: string; maxDailyOutflow: string }[];
      checks: { id: string; result: string; notRunReason?: string }[];
    };
    expect(json).to.deep.include({ format: "clearhouse.audit/2", ok: true });
    expect(json.summary.notRun).to.equal(5);
    expect(json.members.find((m) => m.account === addr.alpine)!.maxDailyOutflow).to.equal("10000000000");
    expect(json.checks.find((c) => c.id === "batch-files")).to.deep.include({ result: "not run" });
    // readReport reads it back, and refuses a report of the old format (no three-state results).
    expect(readReport(join(out, "report.json")).summary.notRun).to.equal(5);
    writeFileSync(join(dir, "old.json"), JSON.stringify({ ...json, format: "clearhouse.audit/1" }));
    expect(() => readReport(join(dir, "old.json"))).to.throw(
      InvalidArgumentError,
      /is not a clearhouse\.audit\/2 report \(its format is "clearhouse\.audit\/1"\)/,
    );
  });

  it("prints no terminal escape from on-chain text: a member name cannot hide the verdict", async () => {
    // A member's name is any 1–64 bytes. ESC[8m (conceal) in it hides everything printed after the
    // members table on most terminals — the "Checks: … failed" and "Verdict:" lines.
    const { cli, dir, gov } = await loadFixture(fixture);
    await gov.registry.admitMember({
      account: "0x00000000000000000000000000000000000e5c01",
      roles: Role.MEMBER_BANK,
      lei: leiWithCheckDigits("5493000ESCAPEBANK0"),
      name: "Quiet Bank\u001b[8m",
      maxSingleTransfer: 1n,
      maxDailyOutflow: 1n,
    });
    const r = await cli("audit", "report", "--out", join(dir, "esc"));
    expect(r.out).to.match(/Quiet Bank/);
    expect(r.out.includes("\u001b")).to.equal(false);
  });

  it("exits 5 and names the payment when a batch file was edited", async () => {
    const { cli, dir } = await loadFixture(fixture);
    const file = JSON.parse(readFileSync(join(dir, "alpine.json"), "utf8")) as {
      records: { amount: string; paymentId: string }[];
    };
    file.records[0].amount = String(BigInt(file.records[0].amount) + 5n);
    writeFileSync(join(dir, "edited.json"), JSON.stringify(file));
    const r = await cli("audit", "report", "--out", join(dir, "r2"), "--batch-file", join(dir, "edited.json"));
    expect(r.code).to.equal(ExitCode.auditFailed);
    expect(r.out).to.match(new RegExp(`payment ${file.records[0].paymentId}`));
    expect(r.out).to.match(/Verdict: discrepancies found/);
  });
});

describe("CLI: unreachable node", function () {
  this.timeout(60_000);
  it("pay status, audit report and kyc-free commands that need a node exit 4 with one line", async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const run = promisify(execFile);
    const bin = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
    const { dir } = await loadFixture(fixture);
    const deployment = join(dir, "deployment.json"); // a real deployment file, for a node that is down
    for (const args of [
      ["pay", "status", "1"],
      ["audit", "report", "--out", join(dir, "r")],
    ]) {
      const r = await run("node", [bin, "--rpc-url", "http://127.0.0.1:9", "--deployment", deployment, ...args]).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(r).to.deep.include({ code: ExitCode.network });
      expect((r as { stderr: string }).stderr).to.match(/^error: Cannot reach the chain at http:\/\/127\.0\.0\.1:9/);
      expect((r as { stderr: string }).stderr).to.not.match(/\n\s+at /);
    }
  });
});
