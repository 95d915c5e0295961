/**
 * First-week findings (issue 17) reproduced against the CLI, each with the input that slipped
 * through before: misplaced thousands separators and EIP-55 checksum typos.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { BANK_INDEX, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace } from "./harness";

/** `address` with the case of one hex letter flipped: still hex, wrong checksum. */
function typo(address: string): string {
  const i = [...address].findIndex((c, k) => k > 1 && /[a-fA-F]/.test(c));
  const c = address[i];
  return address.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + address.slice(i + 1);
}

async function cliFixture() {
  const f = await settlementFixture();
  const ws = cliWorkspace(f.deployment, "first-week");
  return { ...f, ...ws, alpineKey: ws.keyFile(BANK_INDEX.alpine) };
}

describe("CLI first week: amounts and addresses people type", function () {
  this.timeout(120_000);

  it("refuses an amount with misplaced separators, naming the flag; nothing is sent", async () => {
    const { cli, addr, alpineKey, gov: alpine } = await loadFixture(cliFixture);
    const before = await alpine.token.getBalance({ account: addr.baltic });
    for (const amount of ["1,0,0.00", "1,000,00", "1.000,00"]) {
      const r = await cli("--key-file", alpineKey, "token", "transfer", "--to", addr.baltic, "--amount", amount);
      expect(r.code, amount).to.equal(ExitCode.badInput);
      expect(r.err, amount).to.match(/^error: .*--amount.*"/);
    }
    expect(await alpine.token.getBalance({ account: addr.baltic })).to.equal(before);
    const ok = await cli("--key-file", alpineKey, "token", "transfer", "--to", addr.baltic, "--amount", "1,000.00");
    expect(ok.code, ok.err).to.equal(0);
    expect(await alpine.token.getBalance({ account: addr.baltic })).to.equal(before + 100_000n);
  });

  it("refuses a mixed-case address with a wrong checksum, and warns about an all-lowercase one", async () => {
    const { cli, addr, alpineKey, gov: alpine } = await loadFixture(cliFixture);
    const before = await alpine.token.getBalance({ account: addr.baltic });
    const bad = await cli("--key-file", alpineKey, "token", "transfer", "--to", typo(addr.baltic), "--amount", "1");
    expect(bad.code).to.equal(ExitCode.badInput);
    expect(bad.err).to.match(/wrong EIP-55 checksum/);
    expect(await alpine.token.getBalance({ account: addr.baltic })).to.equal(before);
    const lower = await cli(
      "--key-file",
      alpineKey,
      "token",
      "transfer",
      "--to",
      addr.baltic.toLowerCase(),
      "--amount",
      "1",
    );
    expect(lower.code, lower.err).to.equal(0);
    expect(lower.err).to.match(/^warning: --to 0x[0-9a-f]{40} has no EIP-55 checksum/m);
    expect(await alpine.token.getBalance({ account: addr.baltic })).to.equal(before + 100n);
    const check = await cli("member", "check", "--from", typo(addr.alpine), "--to", addr.baltic);
    expect(check.code).to.equal(ExitCode.badInput);
  });

  it("deploy --check refuses a consortium file with a checksum typo in a founding bank's address", async () => {
    const { cli, dir } = await loadFixture(cliFixture);
    const example = readFileSync(join(__dirname, "..", "..", "config", "consortium.example.yaml"), "utf8");
    const first = /address: "?(0x[0-9a-fA-F]{40})"?/.exec(example)![1];
    const file = join(dir, "typo.yaml");
    writeFileSync(file, example.replace(first, typo(first)));
    const r = await cli("deploy", file, "--check");
    expect(r.code).to.equal(ExitCode.badInput);
    expect(r.err).to.match(/members\[0\]\.address.*wrong EIP-55 checksum/);
    const lower = join(dir, "lower.yaml");
    writeFileSync(lower, example.replace(first, first.toLowerCase()));
    const ok = await cli("deploy", lower, "--check");
    expect(ok.code, ok.err).to.equal(0);
    expect(ok.out).to.match(/warning: members\[0\]\.address 0x[0-9a-f]{40} has no EIP-55 checksum/);
  });

  it("unknown ids are errors: cycle status --cycle 999, batch status of a short or unknown id", async () => {
    const { cli } = await loadFixture(cliFixture);
    const cycle = await cli("cycle", "status", "--cycle", "999");
    expect(cycle.code).to.equal(ExitCode.badInput);
    expect(cycle.err).to.match(/^error: Cycle 999 does not exist\.\n {2}The current cycle is \d+/);
    const short = await cli("batch", "status", "0x1234");
    expect(short.code).to.equal(ExitCode.badInput);
    expect(short.err).to.match(/^error: 0x1234 is not a batch id \(0x \+ 64 hex digits\)/);
    const unknown = await cli("batch", "status", `0x${"ab".repeat(32)}`);
    expect(unknown.code).to.equal(ExitCode.badInput);
    expect(unknown.err).to.match(/^error: Invalid argument `batchId`: no batch 0x(ab){32}/i);
  });
});
