/**
 * Admin commands after the handover (issue 17, "Governance without raw ABI"): run by someone who is
 * not the owner they are refused with a hint to `--propose`; with `--propose --out` they write the
 * proposal the signers sign — the same friendly arguments, no ABI, no minor units, no LEI hashes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { ExitCode } from "../../packages/cli/src/exit";
import { leiHash } from "../../packages/sdk/src/registry/identifiers";
import { MIN_DELAY, SENSITIVE_DELAY, governanceFixture } from "../sdk/governanceFixture";
import { cliRunner, expectFailure, hardhatKey, jsonResult, type Run } from "./harness";
import { key } from "../sdk/fixture";

const hardhatAddress = (i: number): string => key(i).address;

const SIGNERS_FIRST = 10; // the fixture's signers are Hardhat accounts 10–14
const NEWCOMER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"; // Hardhat #3, not a member yet
const NEWCOMER_LEI = "529900T8BM49AURSDO55";

async function proposeFixture() {
  const f = await governanceFixture();
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-propose-"));
  const deploymentPath = join(dir, "deployment.json");
  writeFileSync(deploymentPath, JSON.stringify(f.deployment));
  const keyFile = (name: string, i: number) => {
    const path = join(dir, `${name}.key`);
    writeFileSync(path, hardhatKey(i));
    return path;
  };
  const relayer = keyFile("relayer", 16);
  return { ...f, dir, relayer, keyFile, cli: cliRunner(deploymentPath) };
}

type Fixture = Awaited<ReturnType<typeof proposeFixture>>;

/** Three signers sign `proposal` offline; the relayer queues it, waits `delay`, executes it. */
async function enact(f: Fixture, proposal: string, delay: number): Promise<Run[]> {
  const sigs: string[] = [];
  const signed: Run[] = [];
  for (const i of [0, 2, 3]) {
    const out = join(f.dir, `${proposal.split("/").pop()}.sig${i}.json`);
    const r = await f.cli(
      "gov",
      "sign",
      proposal,
      "--key-file",
      f.keyFile(`signer${i}`, SIGNERS_FIRST + i),
      "--out",
      out,
    );
    expect(r.code, r.err).to.equal(ExitCode.ok);
    signed.push(r);
    sigs.push(out);
  }
  const queued = await f.cli("--key-file", f.relayer, "gov", "queue", proposal, ...sigs);
  expect(queued.code, queued.err).to.equal(ExitCode.ok);
  await time.increase(delay);
  const executed = await f.cli("--key-file", f.relayer, "gov", "execute", proposal);
  expect(executed.code, executed.err).to.equal(ExitCode.ok);
  return signed;
}

describe("CLI admin commands with --propose (after the handover)", function () {
  this.timeout(120_000);

  it("a non-owner's member suspend is refused with a hint to --propose; nothing changes", async () => {
    const f = await loadFixture(proposeFixture);
    const r = await f.cli("--key-file", f.relayer, "member", "suspend", f.bank);
    expectFailure(r, ExitCode.refusedByChain, /OwnableUnauthorizedAccount: .* is not the owner/);
    expect(r.err).to.match(/--propose --out proposal\.json/);
    expect((await f.anyone.registry.getMember({ account: f.bank })).status).to.equal("Active");
  });

  it("member suspend --propose writes a proposal that, signed and executed, suspends the bank", async () => {
    const f = await loadFixture(proposeFixture);
    const out = join(f.dir, "suspend.json");
    const r = await f.cli("member", "suspend", f.bank, "--propose", "--out", out); // no key needed
    expect(r.code, r.err).to.equal(ExitCode.ok);
    expect(r.out).to.include(`Wrote proposal ${out}: "Suspend member ${f.bank}"`);
    expect(r.out).to.include(`Call:      suspendMember(account "${f.bank}")`);
    expect(r.out).to.include(`Target:    ${f.deployment.contracts.ConsortiumRegistry.proxy} (ConsortiumRegistry)`);
    expect(r.out).to.match(/Next: each signer runs `clearhouse gov sign/);
    const file = JSON.parse(readFileSync(out, "utf8")) as { typedData: { message: { target: string } } };
    expect(file.typedData.message.target).to.equal(f.deployment.contracts.ConsortiumRegistry.proxy);
    await enact(f, out, MIN_DELAY);
    expect((await f.anyone.registry.getMember({ account: f.bank })).status).to.equal("Suspended");
  });

  it("member admit --propose takes the LEI and limits in currency units; gov sign reviews them in units", async () => {
    const f = await loadFixture(proposeFixture);
    const out = join(f.dir, "admit.json");
    const admit = await f.cli(
      ...["member", "admit", "--account", NEWCOMER, "--roles", "MEMBER_BANK", "--lei", NEWCOMER_LEI],
      ...["--name", "Baltic Bank", "--max-single", "1,000.00", "--max-daily", "unlimited"],
      ...["--propose", "--lane", "2", "--description", "Admit Baltic Bank", "--out", out],
    );
    expect(admit.code, admit.err).to.equal(ExitCode.ok);
    const signed = await enact(f, out, MIN_DELAY);
    const review = signed[0].out;
    expect(review).to.include(`Signed "Admit Baltic Bank"`);
    expect(review).to.include(`leiHash "${leiHash(NEWCOMER_LEI)}"`);
    expect(review).to.match(/maxSingleTransfer 1,000\.00 gEUR \[100000\], maxDailyOutflow unlimited \[\d+\]\)/);
    expect(review).to.match(/Amounts: +in gEUR, 2 decimals \(from the deployment .*deployment\.json\)/);
    expect(review).to.match(/Lane: +2, nonce 0/);
    const m = await f.anyone.registry.getMember({ account: NEWCOMER });
    expect(m).to.deep.include({ status: "Active", name: "Baltic Bank", maxSingleTransfer: 100_000n });
  });

  it("member limits --propose; a signer without the deployment is told the units are the file's", async () => {
    const f = await loadFixture(proposeFixture);
    const out = join(f.dir, "limits.json");
    const r = await f.cli(
      "member",
      "limits",
      f.bank,
      "--max-single",
      "20",
      "--max-daily",
      "2,000.50",
      "--propose",
      "--out",
      out,
    );
    expect(r.code, r.err).to.equal(ExitCode.ok);
    const offline = await cliRunner(join(f.dir, "elsewhere.json"))(
      ...["gov", "sign", out, "--key-file", f.keyFile("signer1", SIGNERS_FIRST + 1), "--out", join(f.dir, "s1.json")],
    );
    expect(offline.code, offline.err).to.equal(ExitCode.ok);
    expect(offline.out).to.match(/maxSingleTransfer 20\.00 gEUR \[2000\], maxDailyOutflow 2,000\.50 gEUR \[200050\]/);
    expect(offline.out).to.match(/\(from the proposal file, not signed: check them\)/);
    await enact(f, out, MIN_DELAY);
    const m = await f.anyone.registry.getMember({ account: f.bank });
    expect([m.maxSingleTransfer, m.maxDailyOutflow]).to.deep.equal([2_000n, 200_050n]);
  });

  it("token ceiling, cycle ack-window and cycle max-deferrals --propose encode the right calls", async () => {
    const f = await loadFixture(proposeFixture);
    const cases = [
      [
        ["token", "ceiling", "--amount", "5,000,000.00"],
        "SettlementToken",
        /setIssuanceCeiling\(ceiling 5,000,000\.00 gEUR \[500000000\]\)/,
      ],
      [["token", "unpause"], "SettlementToken", /Call: +unpause\(\)/],
      [["cycle", "ack-window", "2h"], "SettlementLedger", /setAckWindow\(ackWindow 7200\)/],
      [
        ["cycle", "write-off", "--batch", `0x${"ab".repeat(32)}`],
        "NettingEngine",
        new RegExp(`writeOff\\(cycleId \\d+, batchId "0x${"ab".repeat(32)}"\\)`),
      ],
      [["cycle", "max-deferrals", "3"], "NettingEngine", /setMaxConsecutiveDeferrals\(maxConsecutive 3\)/],
    ] as const;
    for (const [argv, contract, call] of cases) {
      const out = join(f.dir, `${argv.join("-")}.json`);
      const r = jsonResult<{ proposal: { typedData: { message: { target: string } } } }>(
        await f.cli("--json", ...argv, "--propose", "--out", out),
      );
      expect(r.proposal.typedData.message.target, argv.join(" ")).to.equal(f.deployment.contracts[contract]!.proxy);
      const human = await f.cli(...argv, "--propose", "--out", out);
      expect(human.out, argv.join(" ")).to.match(call);
    }
    const ack = join(f.dir, "ack.json");
    expect((await f.cli("cycle", "ack-window", "90m", "--propose", "--out", ack)).code).to.equal(ExitCode.ok);
    await enact(f, ack, SENSITIVE_DELAY);
    const ledger = await hre.ethers.getContractAt("SettlementLedger", f.deployment.contracts.SettlementLedger!.proxy);
    expect(await ledger.ackWindow()).to.equal(5_400n);
  });

  it("refuses proposal flags without --propose, --propose without --out, and bad values before writing", async () => {
    const f = await loadFixture(proposeFixture);
    const out = join(f.dir, "never.json");
    expectFailure(
      await f.cli("--key-file", f.relayer, "member", "suspend", f.bank, "--out", out),
      ExitCode.badInput,
      /--out applies only with --propose/,
    );
    expectFailure(await f.cli("member", "suspend", f.bank, "--propose"), ExitCode.badInput, /--propose needs --out/);
    expectFailure(
      await f.cli("cycle", "ack-window", "10s", "--propose", "--out", out),
      ExitCode.badInput,
      /seconds.*60/,
    );
    expectFailure(
      await f.cli("member", "limits", f.bank, "--max-single", "1,0,0", "--max-daily", "5", "--propose", "--out", out),
      ExitCode.badInput,
      /--max-single/,
    );
    expectFailure(
      await f.cli("cycle", "max-deferrals", "0", "--propose", "--out", out),
      ExitCode.badInput,
      /not a number of cycles from 1 to 255/,
    );
    expect(() => readFileSync(out)).to.throw();
  });

  it("keys revoke --propose: governance cuts a member account's key off (the compromised-key runbook)", async () => {
    const f = await loadFixture(proposeFixture);
    const compromised = f.keyFile("compromised", 17);
    const created = jsonResult<{ account: string }>(
      await f.cli("--json", "--key-file", compromised, "keys", "create", "--first-key", hardhatAddress(17)),
    );
    const out = join(f.dir, "revoke.json");
    const r = await f.cli("keys", "revoke", created.account, hardhatAddress(17), "--propose", "--out", out);
    expect(r.code, r.err).to.equal(ExitCode.ok);
    expect(r.out).to.include(`"Revoke key ${hardhatAddress(17)} from member account ${created.account}"`);
    await enact(f, out, SENSITIVE_DELAY);
    const whose = await f.cli("keys", "whose", hardhatAddress(17));
    expect(whose.out).to.contain("signs for no account");
    expect((await f.cli("keys", "list", created.account)).out).to.contain("0 keys");
    // governance restores the account with a fresh key (resetKeys: a sensitive proposal)
    const reset = join(f.dir, "reset.json");
    const r2 = await f.cli(
      "keys",
      "reset",
      created.account,
      hardhatAddress(18),
      "--roles",
      "submit,operate",
      "--propose",
      "--out",
      reset,
    );
    expect(r2.code, r2.err).to.equal(ExitCode.ok);
    await enact(f, reset, SENSITIVE_DELAY);
    expect((await f.cli("keys", "list", created.account)).out).to.contain(`${hardhatAddress(18)}  submit+operate`);
    expectFailure(
      await f.cli(
        "keys",
        "reset",
        created.account,
        hardhatAddress(18),
        "--roles",
        "submit",
        "--propose",
        "--out",
        reset,
      ),
      ExitCode.badInput,
      /roles.*must include operate/,
    );
  });
});
