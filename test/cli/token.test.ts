/** `clearhouse token`: supply, balances, transfers, issuance and redemption through the CLI. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { UINT256_MAX } from "../../packages/sdk/src";
import { key } from "../sdk/fixture";
import { BANK_FUNDS, BANK_INDEX, OPERATOR_INDEX, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace, expectFailure, jsonResult } from "./harness";

const run = promisify(execFile);
const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");

async function cliFixture() {
  const f = await settlementFixture();
  const ws = cliWorkspace(f.deployment, "token");
  return {
    ...f,
    ...ws,
    operatorKey: ws.keyFile(OPERATOR_INDEX),
    alpineKey: ws.keyFile(BANK_INDEX.alpine),
    balticKey: ws.keyFile(BANK_INDEX.baltic),
  };
}

describe("CLI token", function () {
  this.timeout(120_000);

  it("shows the token's identity and supply", async () => {
    const { cli } = await loadFixture(cliFixture);
    const info = jsonResult(await cli("--json", "token", "info"));
    expect(info).to.deep.include({
      name: "Test Euro",
      symbol: "tEUR",
      decimals: 2,
      currency: "EUR",
      paused: false,
      totalSupply: (4n * BANK_FUNDS).toString(),
    });
    const human = await cli("token", "info");
    expect(human.out).to.match(/^Test Euro \(tEUR\) at 0x[0-9a-fA-F]{40}\n/);
    expect(human.out).to.match(/total supply +40,000,000\.00 tEUR/);
  });

  it("shows balances and what was sent today", async () => {
    const { cli, addr } = await loadFixture(cliFixture);
    const b = jsonResult(await cli("--json", "token", "balance", addr.alpine));
    expect(b).to.deep.include({ account: addr.alpine, balance: BANK_FUNDS.toString(), sentToday: "0", decimals: 2 });
    const human = await cli("token", "balance", addr.alpine);
    expect(human.out).to.equal(`${addr.alpine} holds 10,000,000.00 tEUR (sent today 0.00 tEUR)\n`);
  });

  it("transfers an amount in currency units", async () => {
    const { cli, addr, alpineKey } = await loadFixture(cliFixture);
    const sent = jsonResult(
      await cli("--json", "--key-file", alpineKey, "token", "transfer", "--to", addr.baltic, "--amount", "1,250.50"),
    );
    expect(sent).to.deep.include({ to: addr.baltic, amount: "125050" });
    const human = await cli("--key-file", alpineKey, "token", "transfer", "--to", addr.baltic, "--amount", "0.50");
    expect(human.out).to.match(/^Sent 0\.50 tEUR to 0x90F79bf6EB2c4f870365E785982E1f101E93b906 \(tx 0x/);
    const alpine = jsonResult(await cli("--json", "token", "balance", addr.alpine));
    expect(alpine).to.deep.include({ balance: (BANK_FUNDS - 125_100n).toString(), sentToday: "125100" });
    const baltic = jsonResult(await cli("--json", "token", "balance", addr.baltic));
    expect(baltic.balance).to.equal((BANK_FUNDS + 125_100n).toString());
  });

  it("mints as the operator, and burns with the bank's approval", async () => {
    const { cli, operatorKey, balticKey, addr, unenrolledAddress } = await loadFixture(cliFixture);
    const operator = key(OPERATOR_INDEX).address;
    const minted = jsonResult(
      await cli("--json", "--key-file", operatorKey, "token", "mint", "--bank", unenrolledAddress, "--amount", "500"),
    );
    expect(minted).to.deep.include({ bank: unenrolledAddress, amount: "50000" });
    expect(jsonResult(await cli("--json", "token", "balance", unenrolledAddress)).balance).to.equal("50000");
    const approved = jsonResult(
      await cli("--json", "--key-file", balticKey, "token", "approve", "--spender", operator, "--amount", "100.00"),
    );
    expect(approved).to.deep.include({ spender: operator, amount: "10000" });
    const burned = await cli("--key-file", operatorKey, "token", "burn", "--bank", addr.baltic, "--amount", "100");
    expect(burned.code, burned.err).to.equal(ExitCode.ok);
    expect(burned.out).to.match(/^Redeemed 100\.00 tEUR from 0x90F79bf6EB2c4f870365E785982E1f101E93b906 \(tx 0x/);
    expect(jsonResult(await cli("--json", "token", "balance", addr.baltic)).balance).to.equal(
      (BANK_FUNDS - 10_000n).toString(),
    );
    const info = jsonResult(await cli("--json", "token", "info"));
    expect(info.totalSupply).to.equal((4n * BANK_FUNDS + 50_000n - 10_000n).toString());
    const max = jsonResult(
      await cli("--json", "--key-file", balticKey, "token", "approve", "--spender", operator, "--amount", "max"),
    );
    expect(max.amount).to.equal(UINT256_MAX.toString());
    const human = await cli("--key-file", balticKey, "token", "approve", "--spender", operator, "--amount", "0");
    expect(human.out).to.match(/may now move up to 0\.00 tEUR of yours/);
  });

  it("exits 2 with one error line for bad flags, before anything is sent", async () => {
    const { cli, addr, alpineKey, operatorKey } = await loadFixture(cliFixture);
    const transfer = (...args: string[]) => cli("--key-file", alpineKey, "token", "transfer", ...args);
    expectFailure(
      await transfer("--to", addr.baltic, "--amount", "ten"),
      ExitCode.badInput,
      /`--amount`: "ten" is not a decimal/,
    );
    expectFailure(
      await transfer("--to", addr.baltic, "--amount", "1.001"),
      ExitCode.badInput,
      /`--amount`: "1\.001" has more than 2 decimal places/,
    );
    expectFailure(
      await transfer("--to", addr.baltic, "--amount", "0"),
      ExitCode.badInput,
      /--amount 0 must be more than zero/,
    );
    expectFailure(
      await transfer("--to", "baltic", "--amount", "1"),
      ExitCode.badInput,
      /--to "baltic" is not an address/,
    );
    const missing = await transfer("--amount", "1");
    expect(missing.code).to.equal(ExitCode.badInput);
    expect(missing.err).to.match(/^error: required option '--to <address>' not specified/);
    expectFailure(
      await cli("token", "mint", "--bank", addr.alpine, "--amount", "1"),
      ExitCode.badInput,
      /^error: No signing key\./,
    );
    expectFailure(
      await cli("--key-file", operatorKey, "token", "burn", "--bank", "0xabc", "--amount", "1"),
      ExitCode.badInput,
      /--bank "0xabc" is not an address/,
    );
    expectFailure(await cli("token", "balance", "me"), ExitCode.badInput, /<address> "me" is not an address/);
    expect(jsonResult(await cli("--json", "token", "balance", addr.alpine)).balance).to.equal(BANK_FUNDS.toString());
  });

  it("exits 3 when the chain refuses: over the limit, no allowance, not an operator", async () => {
    const { cli, gov, addr, alpineKey, operatorKey } = await loadFixture(cliFixture);
    await gov.registry.setLimits({ account: addr.alpine, maxSingleTransfer: 100_000n, maxDailyOutflow: 150_000n });
    const transfer = (amount: string) =>
      cli("--key-file", alpineKey, "token", "transfer", "--to", addr.baltic, "--amount", amount);
    expectFailure(
      await transfer("1,000.01"),
      ExitCode.refusedByChain,
      /^error: TokenSingleTransferLimitExceeded: 1,000\.01 tEUR exceeds 0x3C44….{4}'s max single transfer of 1,000\.00 tEUR$/,
    );
    expect((await transfer("1,000.00")).code).to.equal(ExitCode.ok);
    expectFailure(await transfer("500.01"), ExitCode.refusedByChain, /^error: TokenDailyOutflowLimitExceeded/);
    const json = await cli(
      "--json",
      "--key-file",
      alpineKey,
      "token",
      "transfer",
      "--to",
      addr.baltic,
      "--amount",
      "600",
    );
    expect(json.code).to.equal(ExitCode.refusedByChain);
    expect(JSON.parse(json.out)).to.deep.include({ ok: false });
    expectFailure(
      await cli("--key-file", operatorKey, "token", "burn", "--bank", addr.celtic, "--amount", "1"),
      ExitCode.refusedByChain,
      /^error: ERC20InsufficientAllowance/,
    );
    expectFailure(
      await cli("--key-file", alpineKey, "token", "mint", "--bank", addr.alpine, "--amount", "1"),
      ExitCode.refusedByChain,
      /^error: RegistryMissingRole: 0x3C44….{4} lacks the OPERATOR role/,
    );
  });

  it("the attack: an operator's mint of 2^128 minor units exits 3 with the ceiling; token issuance shows the headroom", async () => {
    const { cli, operatorKey, addr } = await loadFixture(cliFixture);
    const before = jsonResult(await cli("--json", "token", "issuance"));
    expect(before.ceiling).to.equal((10n ** 11n).toString()); // deployConsortium's default: 10^9 currency units
    const huge = (2n ** 128n).toString(); // minor units; the CLI takes currency units (2 decimals)
    expectFailure(
      await cli(
        "--key-file",
        operatorKey,
        "token",
        "mint",
        "--bank",
        addr.alpine,
        "--amount",
        `${huge.slice(0, -2)}.${huge.slice(-2)}`,
      ),
      ExitCode.refusedByChain,
      /^error: TokenIssuanceCeilingExceeded: .* would exceed the daily issuance ceiling of 1,000,000,000\.00 tEUR$/,
    );
    const human = await cli("token", "issuance");
    expect(human.code).to.equal(ExitCode.ok);
    expect(human.out).to.match(/issued today +[\d,.]+ tEUR\n +daily ceiling +1,000,000,000\.00 tEUR\n +remaining/);
    expect(jsonResult(await cli("--json", "token", "issuance")).issued).to.equal(before.issued);
  });

  it("exits 4 when the node cannot be reached (a real process)", async () => {
    const { deployment } = await loadFixture(cliFixture);
    const r = await run("node", [
      BIN,
      "--deployment",
      deployment,
      "--rpc-url",
      "http://127.0.0.1:9",
      "token",
      "info",
    ]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(r).to.deep.include({ code: ExitCode.network, stdout: "" });
    expect(r.stderr).to.match(/^error: Cannot reach the chain at http:\/\/127\.0\.0\.1:9\./);
  });
});
