/** `clearhouse member`: the registry's members through the CLI, against the in-process chain. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { UNLIMITED, leiWithCheckDigits } from "../../packages/sdk/src";
import { key } from "../sdk/fixture";
import { BANK_INDEX, OPERATOR_INDEX, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace, expectFailure, jsonResult } from "./harness";

const run = promisify(execFile);
const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
const NEWCOMER = key(9).address;
const NEWCOMER_LEI = leiWithCheckDigits("5493000NEWCOMER000");

async function cliFixture() {
  const f = await settlementFixture();
  const ws = cliWorkspace(f.deployment, "member");
  return { ...f, ...ws, owner: ws.keyFile(0) };
}

const admitArgs = (over: Record<string, string> = {}) =>
  Object.entries({
    "--account": NEWCOMER,
    "--roles": "CORPORATE,auditor",
    "--lei": NEWCOMER_LEI,
    "--name": "Newcomer Corp",
    "--max-single": "1,000.00",
    "--max-daily": "unlimited",
    ...over,
  }).flat();

describe("CLI member", function () {
  this.timeout(120_000);

  it("lists the members as a table and as JSON", async () => {
    const { cli, addr } = await loadFixture(cliFixture);
    const table = await cli("member", "list");
    expect(table.code, table.err).to.equal(ExitCode.ok);
    expect(table.out).to.match(/^name +address +roles +status +sanction +max single +max daily\n/);
    expect(table.out).to.match(
      /Settlement operator +0x70997970C51812dc3A010C7d01b50e0d17dc79C8 +OPERATOR\|MEMBER_BANK +Active/,
    );
    expect(table.out).to.match(
      /Alpine Bank +0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC +MEMBER_BANK +Active +- +100,000,000\.00 +100,000,000\.00/,
    );
    expect(table.out).to.match(/Clearing pool \(NettingEngine\) .* unlimited +unlimited/);
    const members = jsonResult<{ account: string; name: string; status: string; maxDailyOutflow: string }[]>(
      await cli("--json", "member", "list"),
    );
    const alpine = members.find((m) => m.account === addr.alpine);
    expect(alpine).to.deep.include({ name: "Alpine Bank", status: "Active", maxDailyOutflow: "10000000000" });
    expect(members.map((m) => m.name)).to.include.members(["Settlement operator", "Late Bank"]);
  });

  it("shows one member, and says when an address is not one", async () => {
    const { cli, addr } = await loadFixture(cliFixture);
    const human = await cli("member", "show", addr.baltic.toLowerCase());
    expect(human.code, human.err).to.equal(ExitCode.ok);
    expect(human.out).to.match(/^Baltic Bank \(0x90F79bf6EB2c4f870365E785982E1f101E93b906\)/);
    expect(human.out).to.match(/max single transfer +100,000,000\.00/);
    const json = jsonResult(await cli("--json", "member", "show", addr.baltic));
    expect(json).to.deep.include({ status: "Active", roleNames: ["MEMBER_BANK"], sanction: 0 });
    const nobody = await cli("member", "show", NEWCOMER);
    expect(nobody.out).to.equal(`${NEWCOMER} is not a member\n`);
    expect(jsonResult(await cli("--json", "member", "show", NEWCOMER))).to.deep.include({ status: "None" });
  });

  it("admits a member with limits in currency units", async () => {
    const { cli, owner } = await loadFixture(cliFixture);
    const admitted = jsonResult(await cli("--json", "--key-file", owner, "member", "admit", ...admitArgs()));
    expect(admitted).to.deep.include({
      account: NEWCOMER,
      roleNames: ["CORPORATE", "AUDITOR"],
      maxSingleTransfer: "100000",
      maxDailyOutflow: UNLIMITED.toString(),
    });
    expect((admitted.tx as { hash: string }).hash).to.match(/^0x[0-9a-f]{64}$/);
    const shown = await cli("member", "show", NEWCOMER);
    expect(shown.out).to.match(/roles +CORPORATE\|AUDITOR/);
    expect(shown.out).to.match(/max single transfer +1,000\.00\n +max daily outflow +unlimited/);
    const human = await cli("--key-file", owner, "member", "admit", ...admitArgs({ "--account": key(10).address }));
    expect(human.out).to.match(/^Admitted Newcomer Corp \(0x[0-9a-fA-F]{40}\) as CORPORATE\|AUDITOR \(tx 0x/);
  });

  it("suspends, reinstates and removes, with the preflight check following along", async () => {
    const { cli, owner, addr } = await loadFixture(cliFixture);
    type Verdict = { allowed: boolean; errorName?: string; reason?: { code: number; name: string } };
    const check = async (...extra: string[]) => {
      const r = await cli("--json", "member", "check", "--from", addr.alpine, "--to", addr.baltic, ...extra);
      const body = JSON.parse(r.out) as { ok: boolean; result: Verdict };
      expect(r.code, r.err).to.equal(body.ok ? 0 : ExitCode.refusedByChain);
      expect(body.ok).to.equal(body.result.allowed);
      return body.result;
    };
    expect(await check()).to.deep.include({ allowed: true });
    expect(await check("--transaction")).to.deep.include({ allowed: true });
    const suspended = jsonResult(await cli("--json", "--key-file", owner, "member", "suspend", addr.alpine));
    expect(suspended.account).to.equal(addr.alpine);
    expect(await check()).to.deep.include({ allowed: false, errorName: "RegistryMemberSuspended" });
    expect((await check("--transaction")).reason).to.deep.include({ code: 2, name: "SenderSuspended" });
    const human = await cli("member", "check", "--from", addr.alpine, "--to", addr.baltic);
    expect(human.code).to.equal(ExitCode.refusedByChain);
    expect(human.out).to.match(/^transfer of 0\.00 tEUR: refused — RegistryMemberSuspended: /);
    const reinstated = await cli("--key-file", owner, "member", "reinstate", addr.alpine);
    expect(reinstated.out).to.match(/^Reinstated 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC \(tx 0x/);
    expect(await check()).to.deep.include({ allowed: true });
    expect((await cli("member", "check", "--from", addr.alpine, "--to", addr.baltic)).out).to.match(
      /^transfer of 0\.00 tEUR: allowed/,
    );
    // the finding: a suspended RECIPIENT was "allowed" by the registry's transaction rule
    jsonResult(await cli("--json", "--key-file", owner, "member", "suspend", addr.baltic));
    expect(await check()).to.deep.include({ allowed: false, errorName: "RegistryMemberSuspended" });
    expect(await check("--transaction")).to.deep.include({ allowed: true });
    jsonResult(await cli("--json", "--key-file", owner, "member", "remove", addr.alpine));
    expect((await check("--transaction")).reason).to.deep.include({ code: 3, name: "SenderRemoved" });
    expect(await check()).to.deep.include({ allowed: false, errorName: "RegistryMemberRemoved" });
    expect(jsonResult(await cli("--json", "member", "show", addr.alpine))).to.deep.include({ status: "Removed" });
  });

  it("checks limits and balance when given an amount", async () => {
    const { cli, addr } = await loadFixture(cliFixture);
    const r = await cli("member", "check", "--from", addr.alpine, "--to", addr.baltic, "--amount", "1,000,000,000.00");
    expect(r.code).to.equal(ExitCode.refusedByChain);
    expect(r.out).to.match(/^transfer of 1,000,000,000\.00 tEUR: refused — /);
    const small = await cli("member", "check", "--from", addr.alpine, "--to", addr.baltic, "--amount", "12.50");
    expect(small.code, small.err).to.equal(0);
    expect(small.out).to.equal("transfer of 12.50 tEUR: allowed\n");
  });

  it("sanctions and lifts a sanction with a reason code", async () => {
    const { cli, owner, addr } = await loadFixture(cliFixture);
    const sanctioned = jsonResult(
      await cli("--json", "--key-file", owner, "member", "sanction", addr.celtic, "--reason", "7"),
    );
    expect(sanctioned).to.deep.include({ account: addr.celtic, reasonCode: 7 });
    const list = await cli("member", "list");
    expect(list.out).to.match(/Celtic Bank .* Active +reason 7 /);
    const tx = await cli("--json", "member", "check", "--from", addr.alpine, "--to", addr.celtic, "--transaction");
    expect(tx.code).to.equal(ExitCode.refusedByChain);
    expect((JSON.parse(tx.out) as { result: { reason: { code: number } } }).result.reason.code).to.equal(5); // TargetSanctioned
    const transfer = await cli("--json", "member", "check", "--from", addr.alpine, "--to", addr.celtic);
    expect((JSON.parse(transfer.out) as { result: { errorName: string } }).result.errorName).to.equal(
      "RegistryAccountSanctioned",
    );
    const lifted = await cli("--key-file", owner, "member", "unsanction", addr.celtic, "--reason", "8");
    expect(lifted.out).to.match(/^Lifted the sanction on 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65, reason 8/);
    expect(jsonResult(await cli("--json", "member", "show", addr.celtic))).to.deep.include({ sanction: 0 });
  });

  it("exits 2 with one error line for bad flags, before anything is sent", async () => {
    const { cli, owner, addr } = await loadFixture(cliFixture);
    const admit = (over: Record<string, string>) => cli("--key-file", owner, "member", "admit", ...admitArgs(over));
    expectFailure(await admit({ "--roles": "MEMBER_BANK,BANKER" }), ExitCode.badInput, /--roles: BANKER is not a role/);
    expectFailure(await admit({ "--roles": " , " }), ExitCode.badInput, /--roles is empty/);
    expectFailure(
      await admit({ "--lei": "529900T8BM49AURSDO56" }),
      ExitCode.badInput,
      /`lei`: .* is not a valid ISO 17442 LEI/,
    );
    expectFailure(await admit({ "--account": "0x1234" }), ExitCode.badInput, /--account "0x1234" is not an address/);
    expectFailure(
      await admit({ "--max-single": "10.001" }),
      ExitCode.badInput,
      /`--max-single`: "10\.001" has more than 2 decimal/,
    );
    expectFailure(
      await admit({ "--max-daily": "lots" }),
      ExitCode.badInput,
      /`--max-daily`: "lots" is not a decimal amount/,
    );
    expectFailure(
      await admit({ "--max-single": "2,000.00", "--max-daily": "1,000.00" }),
      ExitCode.badInput,
      /`maxSingleTransfer`: 200000 exceeds maxDailyOutflow 100000/,
    );
    expectFailure(await admit({ "--name": "x".repeat(65) }), ExitCode.badInput, /`name`: is 65 bytes long/);
    const missing = await cli("--key-file", owner, "member", "admit", "--account", NEWCOMER);
    expect(missing.code).to.equal(ExitCode.badInput);
    expect(missing.err).to.match(/^error: required option '--roles <list>' not specified/);
    expectFailure(await cli("member", "show", "alpine"), ExitCode.badInput, /<address> "alpine" is not an address/);
    expectFailure(await cli("member", "suspend", addr.alpine), ExitCode.badInput, /^error: No signing key\./);
    expectFailure(
      await cli("--key-file", owner, "member", "sanction", addr.alpine, "--reason", "0"),
      ExitCode.badInput,
      /--reason "0" is not a reason code from 1 to 65535/,
    );
    expectFailure(
      await cli("member", "check", "--from", addr.alpine, "--to", "nowhere"),
      ExitCode.badInput,
      /--to "nowhere" is not an address/,
    );
    const unknown = await cli("member", "promote", addr.alpine);
    expect(unknown.code).to.equal(ExitCode.badInput);
    expect(unknown.err).to.match(/^error: unknown command 'promote'/);
    // Nothing was admitted by any of these.
    expect(jsonResult(await cli("--json", "member", "show", NEWCOMER))).to.deep.include({ status: "None" });
  });

  it("exits 3 when the chain refuses: a non-owner admitting, an invalid transition", async () => {
    const { cli, owner, keyFile, addr } = await loadFixture(cliFixture);
    const operator = keyFile(OPERATOR_INDEX);
    expectFailure(
      await cli("--key-file", operator, "member", "admit", ...admitArgs()),
      ExitCode.refusedByChain,
      /^error: OwnableUnauthorizedAccount: 0x7099….{4} is not the owner/,
    );
    const json = await cli("--json", "--key-file", keyFile(BANK_INDEX.alpine), "member", "suspend", addr.baltic);
    expect(json.code).to.equal(ExitCode.refusedByChain);
    const body = JSON.parse(json.out) as { ok: boolean; error: { name: string; category: string; exitCode: number } };
    expect(body).to.deep.include({ ok: false });
    expect(body.error).to.deep.include({ category: "refused", exitCode: ExitCode.refusedByChain });
    expectFailure(
      await cli("--key-file", owner, "member", "admit", ...admitArgs({ "--account": addr.alpine })),
      ExitCode.refusedByChain,
      /^error: RegistryMemberExists/,
    );
    expectFailure(
      await cli("--key-file", owner, "member", "reinstate", addr.alpine),
      ExitCode.refusedByChain,
      /^error: Registry/,
    );
  });

  it("exits 4 when the node cannot be reached (a real process)", async () => {
    const { deployment } = await loadFixture(cliFixture);
    const r = await run("node", [
      BIN,
      "--deployment",
      deployment,
      "--rpc-url",
      "http://127.0.0.1:9",
      "member",
      "list",
    ]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(r).to.deep.include({ code: ExitCode.network, stdout: "" });
    expect(r.stderr).to.match(/^error: Cannot reach the chain at http:\/\/127\.0\.0\.1:9\./);
    const help = await run("node", [BIN, "member", "admit", "--help"]);
    expect(help.stdout).to.match(/Examples:\n {2}clearhouse member admit --account 0x/);
  });
});
