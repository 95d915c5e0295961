/** `clearhouse wallet` and `clearhouse tier`: customer wallets through the CLI, against the in-process chain. */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExitCode } from "../../packages/cli/src/exit";
import { key } from "../sdk/fixture";
import { BANK_INDEX, settlementFixture } from "../sdk/settlementFixture";
import { cliWorkspace, expectFailure, jsonResult } from "./harness";

const WALLET = key(12).address;

async function cliFixture() {
  const f = await settlementFixture();
  const ws = cliWorkspace(f.deployment, "wallet");
  return { ...f, ...ws, alpineKey: ws.keyFile(BANK_INDEX.alpine), balticKey: ws.keyFile(BANK_INDEX.baltic) };
}

describe("CLI wallet and tier", function () {
  this.timeout(120_000);

  it("lists the default tiers as a table and as JSON", async () => {
    const { cli } = await loadFixture(cliFixture);
    const table = await cli("tier", "list");
    expect(table.code, table.err).to.equal(ExitCode.ok);
    expect(table.out).to.match(/^tier +max single +max daily +max balance\n/);
    expect(table.out).to.match(/ 1 +2,000\.00 tEUR +5,000\.00 tEUR +10,000\.00 tEUR\n/);
    expect(table.out).to.match(/ 2 +50,000\.00 tEUR +100,000\.00 tEUR +500,000\.00 tEUR\n/);
    const tiers = jsonResult<{ tier: number; maxBalance: string }[]>(await cli("--json", "tier", "list"));
    expect(tiers.map((t) => [t.tier, t.maxBalance])).to.deep.equal([
      [1, "1000000"],
      [2, "50000000"],
    ]);
  });

  it("opens, shows, re-tiers and closes a wallet", async () => {
    const { cli, alpineKey, addr } = await loadFixture(cliFixture);
    const opened = await cli("--key-file", alpineKey, "wallet", "open", WALLET, "--tier", "1");
    expect(opened.code, opened.err).to.equal(ExitCode.ok);
    expect(opened.out).to.match(new RegExp(`^Opened wallet ${WALLET} in tier 1 \\(tx 0x[0-9a-f]{64}\\)`));
    let shown = await cli("wallet", "show", WALLET);
    expect(shown.out).to.contain(`  bank         ${addr.alpine}`);
    expect(shown.out).to.match(/tier +1: 2,000\.00 tEUR single \/ 5,000\.00 tEUR daily \/ 10,000\.00 tEUR balance/);
    expect(shown.out).to.match(/may hold +yes/);
    const retiered = jsonResult<{ tier: number }>(
      await cli("--json", "--key-file", alpineKey, "wallet", "tier", WALLET, "--tier", "2"),
    );
    expect(retiered.tier).to.equal(2);
    const closed = await cli("--key-file", alpineKey, "wallet", "close", WALLET);
    expect(closed.out).to.match(/^Closed wallet/);
    shown = await cli("wallet", "show", WALLET);
    expect(shown.out).to.match(/status +Closed since block \d+/);
    expect(shown.out).to.match(/may hold +no — RegistryWalletClosed/);
    const none = await cli("wallet", "show", key(13).address);
    expect(none.out).to.equal(`${key(13).address} is not a customer wallet\n`);
  });

  it("refuses another bank's change and a bad tier with one error line", async () => {
    const { cli, alpineKey, balticKey } = await loadFixture(cliFixture);
    await cli("--key-file", alpineKey, "wallet", "open", WALLET, "--tier", "1");
    expectFailure(
      await cli("--key-file", balticKey, "wallet", "tier", WALLET, "--tier", "2"),
      ExitCode.refusedByChain,
      /RegistryNotWalletBank: .* is not the bank of wallet/,
    );
    expectFailure(
      await cli("--key-file", alpineKey, "wallet", "open", key(13).address, "--tier", "0"),
      ExitCode.badInput,
      /--tier "0" is not a tier from 1 to 255/,
    );
    expectFailure(
      await cli("--key-file", alpineKey, "wallet", "open", key(13).address, "--tier", "9"),
      ExitCode.refusedByChain,
      /RegistryUnknownTier: tier 9 is not defined/,
    );
  });
});
