/** `clearhouse offline`: guarantee refusals and bad input, with clear messages and exit codes. */
import { readFileSync, writeFileSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { allowanceToJson, signAllowance, signVoucherWithSerial, voucherToJson } from "../../packages/sdk/src/offline";
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import { expectFailure, jsonResult } from "./harness";
import { key } from "../sdk/fixture";
import { BANK_INDEX } from "../sdk/settlementFixture";
import { accept, anchoredDevice, cliFixture, pay, SHOP1, WALLET } from "./offlineHarness";

describe("CLI offline: refusals and bad input", function () {
  this.timeout(300_000);

  it("refuses guarantee moves the vault refuses, with the rule in one line", async () => {
    const f = await cliFixture();
    const guarantee = (who: "alpine" | "wallet", action: string, amount: string) =>
      f.cli("--key-file", f.keys[who], "offline", "guarantee", action, "--amount", amount);
    expectFailure(
      await guarantee("alpine", "withdraw", "1.00"),
      ExitCode.refusedByChain,
      /^error: VaultInvalidAmount: /,
    );
    expect((await guarantee("alpine", "post", "600.00")).code).to.equal(0);
    await anchoredDevice(f, "d1", "bank");
    // 500.00 locked at a 100 % ratio: only 100.00 may leave.
    expectFailure(
      await guarantee("alpine", "withdraw", "100.01"),
      ExitCode.refusedByChain,
      /^error: VaultGuaranteeTooLow: /,
    );
    expect((await guarantee("alpine", "withdraw", "100.00")).out).to.match(
      /^Withdrew 100\.00 tEUR; the guarantee of 0x\w+ is 500\.00 tEUR/,
    );
    expectFailure(await guarantee("wallet", "post", "1.00"), ExitCode.refusedByChain, /^error: \w+: /);
    // Nothing was ever credited to the shop: `credit` says so and sends nothing.
    expectFailure(
      await f.cli("--key-file", f.keys.shop1, "offline", "credit"),
      ExitCode.refusedByChain,
      /^error: Nothing is credited to 0x\w+\./,
    );
    expectFailure(await guarantee("alpine", "post", "1,0.0"), ExitCode.badInput, /^error: .*--amount/);
    expectFailure(
      await guarantee("alpine", "lend", "1.00"),
      ExitCode.badInput,
      /^error: Unknown guarantee action "lend"/,
    );
    const bank = jsonResult<{ guarantee: string; required: string }>(
      await f.cli("--json", "offline", "status", "--bank", f.addr.alpine),
    );
    expect(bank).to.deep.include({ guarantee: "50000", required: "50000" });
  });

  it("refuses bad input offline with clear messages and exit codes", async () => {
    const f = await cliFixture();
    await f.cli("--key-file", f.keys.alpine, "offline", "guarantee", "post", "--amount", "1,000.00");
    await anchoredDevice(f, "d1", "wallet");
    await f.cli("offline", "sync", "--out", f.file("consortium.json"));
    expectFailure(
      await f.offline(
        "offline",
        "device",
        "init",
        "--allowance",
        f.file("nope.json"),
        "--key",
        f.file("d1.key"),
        "--out",
        f.file("x.json"),
      ),
      ExitCode.badInput,
      /^error: Cannot read the allowance file .*nope\.json\./,
    );
    const v1 = await pay(f, "d1", SHOP1, "1.00", "v1.json");
    expectFailure(
      await f.offline(
        "offline",
        "device",
        "init",
        "--allowance",
        v1,
        "--key",
        f.file("d1.key"),
        "--out",
        f.file("x.json"),
      ),
      ExitCode.badInput,
      /is not a valid allowance file: Invalid argument `allowance.format`: is not "clearhouse.offline-allowance\/1"/,
    );
    expectFailure(
      await f.offline(
        "offline",
        "device",
        "init",
        "--allowance",
        f.file("d1.allowance.json"),
        "--key",
        f.file("d1.key"),
        "--out",
        f.file("d1.json"),
      ),
      ExitCode.badInput,
      /d1\.json exists: a device file is never overwritten/,
    );
    writeFileSync(f.file("other.key"), key(13).address);
    expectFailure(
      await f.offline(
        "offline",
        "device",
        "init",
        "--allowance",
        f.file("d1.allowance.json"),
        "--key",
        f.file("other.key"),
        "--out",
        f.file("y.json"),
      ),
      ExitCode.badInput,
      /does not hold a private key/,
    );
    const overCap = await f.offline(
      "offline",
      "pay",
      "--device",
      f.file("d1.json"),
      "--key",
      f.file("d1.key"),
      "--to",
      SHOP1,
      "--amount",
      "100.01",
      "--out",
      f.file("v2.json"),
    );
    expectFailure(
      overCap,
      ExitCode.badInput,
      /^error: the device cannot pay: 10001 is above the per-voucher cap of 10000/,
    );
    expectFailure(
      await f.offline(
        "offline",
        "pay",
        "--device",
        f.file("d1.json"),
        "--key",
        f.file("d1.key"),
        "--to",
        SHOP1,
        "--amount",
        "1.00",
        "--out",
        v1,
      ),
      ExitCode.badInput,
      /v1\.json exists: a voucher is never overwritten/,
    );
    expectFailure(
      await f.offline(
        "offline",
        "accept",
        "--voucher",
        v1,
        "--allowance",
        f.file("d1.allowance.json"),
        "--book",
        f.file("b.json"),
        "--consortium",
        f.file("consortium.json"),
      ),
      ExitCode.badInput,
      /^error: Whom does the voucher pay\?/,
    );
    expectFailure(
      await f.offline(
        "offline",
        "accept",
        "--payee",
        SHOP1,
        "--voucher",
        v1,
        "--allowance",
        f.file("d1.allowance.json"),
        "--book",
        f.file("b.json"),
        "--consortium",
        v1,
      ),
      ExitCode.badInput,
      /is not a valid consortium snapshot: format/,
    );

    // An expired certificate: the device will not pay with it, the payee will not accept it.
    const device = privateKeyToAccount(readFileSync(f.file("d1.key"), "utf8").trim() as `0x${string}`);
    const domain = { chainId: f.dep.chainId, vault: f.dep.contracts.OfflineVault!.proxy };
    const expired = await signAllowance(key(BANK_INDEX.alpine), domain, {
      wallet: WALLET,
      device: device.address,
      bank: key(BANK_INDEX.alpine).address,
      cap: 10_000n,
      count: 3,
      expiry: BigInt(Math.floor(Date.now() / 1000) - 60),
      nonce: 7n,
    });
    writeFileSync(f.file("old.allowance.json"), JSON.stringify(allowanceToJson(expired)));
    await f.offline(
      "offline",
      "device",
      "init",
      "--allowance",
      f.file("old.allowance.json"),
      "--key",
      f.file("d1.key"),
      "--out",
      f.file("old.json"),
    );
    expectFailure(
      await f.offline(
        "offline",
        "pay",
        "--device",
        f.file("old.json"),
        "--key",
        f.file("d1.key"),
        "--to",
        SHOP1,
        "--amount",
        "1.00",
        "--out",
        f.file("old.v.json"),
      ),
      ExitCode.badInput,
      /^error: the device cannot pay: the certificate expired at \d+/,
    );
    const late = await signVoucherWithSerial(expired, device, { payee: SHOP1, amount: 100n, serial: 1 });
    writeFileSync(f.file("late.json"), JSON.stringify(voucherToJson(late)));
    expectFailure(
      await accept(f, "shop1", f.file("late.json"), "old.allowance.json"),
      ExitCode.badInput,
      /^error: voucher refused \(certificate-expired\)/,
    );
    const issuedLate = await f.cli(
      "--key-file",
      f.keys.alpine,
      "offline",
      "issue",
      "--wallet",
      WALLET,
      "--device",
      device.address,
      "--cap",
      "1.00",
      "--count",
      "65",
      "--expires",
      "1d",
      "--out",
      f.file("z.json"),
    );
    expectFailure(issuedLate, ExitCode.badInput, /--count "65" is not a whole number from 1 to 64/);
    expectFailure(
      await f.cli(
        "--key-file",
        f.keys.alpine,
        "offline",
        "issue",
        "--wallet",
        WALLET,
        "--device",
        device.address,
        "--cap",
        "1.00",
        "--count",
        "2",
        "--expires",
        "2020-01-01",
        "--out",
        f.file("z.json"),
      ),
      ExitCode.badInput,
      /--expires 2020-01-01 is not in the future/,
    );
    expectFailure(
      await f.cli("offline", "status"),
      ExitCode.badInput,
      /Give exactly one of --book, --allowance, --bank and --batch/,
    );
  });
});
