/**
 * `clearhouse offline`: the double-offline episode through the CLI on the in-process chain. The
 * offline steps (keygen, device init, pay, accept) run as real processes whose RPC URL is a closed
 * port, so they prove they need no node. A tampered device (its file's nextSerial rolled back)
 * pays one serial twice: the second payee is paid from the bank's guarantee.
 */
import { statSync } from "node:fs";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import { expectFailure, jsonResult } from "./harness";
import { accept, anchoredDevice, balance, cliFixture, pay, rollBack, SHOP1, SHOP2, WALLET } from "./offlineHarness";

describe("CLI offline (double-offline payments)", function () {
  this.timeout(300_000);

  it("runs the whole episode: pay and accept offline, replay refused, double spend paid from the guarantee, bulk claim", async () => {
    const f = await cliFixture();
    expect(
      (await f.cli("--key-file", f.keys.alpine, "offline", "guarantee", "post", "--amount", "2,000.00")).out,
    ).to.match(/^Posted 2,000\.00 tEUR; the guarantee of 0x\w+ is 2,000\.00 tEUR/);
    // The bank issues; it may anchor only with the wallet's consent.
    const keygen = jsonResult<{ device: string }>(
      await f.offline("--json", "offline", "keygen", "--out", f.file("d1.key")),
    );
    expect(statSync(f.file("d1.key")).mode & 0o777).to.equal(0o600);
    const early = await f.cli(
      "--key-file",
      f.keys.alpine,
      "offline",
      "issue",
      "--wallet",
      WALLET,
      "--device",
      keygen.device,
      "--cap",
      "200.00",
      "--count",
      "5",
      "--expires",
      f.expires,
      "--out",
      f.file("d1.allowance.json"),
    );
    expect(early.code, early.err).to.equal(0);
    const noConsent = await f.cli(
      "--key-file",
      f.keys.alpine,
      "offline",
      "anchor",
      "--allowance",
      f.file("d1.allowance.json"),
    );
    expect(noConsent.code, noConsent.err).to.equal(ExitCode.badInput);
    expect(noConsent.err).to.match(/only with the wallet's consent/);
    const consent = jsonResult<{ signature: string }>(
      await f.offline(
        "--key-file",
        f.keys.wallet,
        "--json",
        "offline",
        "consent",
        "--allowance",
        f.file("d1.allowance.json"),
      ),
    );
    await f.cli(
      "--key-file",
      f.keys.wallet,
      "token",
      "approve",
      "--spender",
      f.dep.contracts.OfflineVault!.proxy,
      "--amount",
      "1,000.00",
    );
    const anchored = await f.cli(
      "--key-file",
      f.keys.alpine,
      "offline",
      "anchor",
      "--allowance",
      f.file("d1.allowance.json"),
      "--wallet-signature",
      consent.signature,
    );
    expect(anchored.out, anchored.err).to.match(/^Anchored allowance 0x[0-9a-f]{64}: 1,000\.00 tEUR locked/);
    const init = await f.offline(
      "offline",
      "device",
      "init",
      "--allowance",
      f.file("d1.allowance.json"),
      "--key",
      f.file("d1.key"),
      "--out",
      f.file("d1.json"),
    );
    expect(init.code, init.err).to.equal(0);

    const synced = jsonResult<{ banks: string[] }>(
      await f.cli("--json", "offline", "sync", "--out", f.file("consortium.json")),
    );
    expect(synced.banks).to.include(f.addr.alpine);

    // Offline: the device pays twice; the shop accepts with no node; a replay is refused.
    const v1 = await pay(f, "d1", SHOP1, "125.00", "v1.json");
    const paid = await f.offline(
      "offline",
      "pay",
      "--device",
      f.file("d1.json"),
      "--key",
      f.file("d1.key"),
      "--to",
      SHOP1,
      "--amount",
      "80.00",
      "--out",
      f.file("v2.json"),
    );
    expect(paid.out).to.match(
      /^Paid 80\.00 tEUR to 0x\w+: voucher serial 2 in .*; 3 vouchers left, 205\.00 tEUR spent/,
    );
    expect((await accept(f, "shop1", v1, "d1.allowance.json")).out).to.match(
      /^Accepted 125\.00 tEUR \(serial 1 of allowance 0x\w+…\); .* holds 1 vouchers, 125\.00 tEUR/,
    );
    expect((await accept(f, "shop1", f.file("v2.json"), "d1.allowance.json")).out).to.match(
      /holds 2 vouchers, 205\.00 tEUR/,
    );
    const replay = await accept(f, "shop1", v1, "d1.allowance.json");
    expectFailure(
      replay,
      ExitCode.badInput,
      /^error: voucher refused \(serial-seen\): serial 1 of this certificate was accepted before/,
    );
    const json = JSON.parse(
      (
        await f.offline(
          "--json",
          "--key-file",
          f.keys.shop1,
          "offline",
          "accept",
          "--voucher",
          v1,
          "--allowance",
          f.file("d1.allowance.json"),
          "--book",
          f.file("shop1.book.json"),
          "--consortium",
          f.file("consortium.json"),
        )
      ).out,
    ) as { ok: boolean; error: { message: string; exitCode: number } };
    expect(json.ok).to.equal(false);
    expect(json.error).to.deep.include({ exitCode: ExitCode.badInput });
    expect(json.error.message).to.match(/serial-seen/);

    // The tampered device: its file rolled back to serial 1, it pays serial 1 again to shop 2.
    rollBack(f, "d1", 1);
    const v3 = await pay(f, "d1", SHOP2, "50.00", "v3.json");
    expect((await accept(f, "shop2", v3, "d1.allowance.json")).code).to.equal(0);
    expectFailure(
      await accept(f, "shop2", v1, "d1.allowance.json"),
      ExitCode.badInput,
      /voucher refused \(wrong-payee\)/,
    );

    // Reconnected: both shops redeem; the second voucher of serial 1 is paid from the guarantee.
    const r1 = await f.cli("--key-file", f.keys.shop1, "offline", "redeem", "--book", f.file("shop1.book.json"));
    expect(r1.out, r1.err).to.match(/ 1 +125\.00 tEUR +redeemed\n/);
    expect(r1.out).to.match(/Redeemed 2 of 2 vouchers: 205\.00 tEUR paid to/);
    expect(r1.err).to.match(/^\[1\/2\] serial 1 of 0x\w+…: redeemed\n\[2\/2\] serial 2/);
    const r2 = await f.cli("--key-file", f.keys.shop2, "offline", "redeem", "--book", f.file("shop2.book.json"));
    expect(r2.out, r2.err).to.match(/ 1 +50\.00 tEUR +double spend: paid from the bank's guarantee, device frozen\n/);
    expect(await balance(f, SHOP1)).to.equal("20500");
    expect(await balance(f, SHOP2)).to.equal("5000");
    const again = jsonResult<{ redeemed: number; vouchers: { outcome: string }[] }>(
      await f.cli("--json", "--key-file", f.keys.shop1, "offline", "redeem", "--book", f.file("shop1.book.json")),
    );
    expect(again.redeemed).to.equal(0);
    expect(again.vouchers.map((v) => v.outcome)).to.deep.equal(["redeemed before", "redeemed before"]);
    expect((await f.cli("offline", "status", "--bank", f.addr.alpine)).out).to.match(
      /guarantee +1,950\.00 tEUR \(required 795\.00 tEUR\)\n +locked +795\.00 tEUR\n +debt +0\.00 tEUR/,
    );
    const allowance = await f.cli("offline", "status", "--allowance", f.file("d1.allowance.json"));
    expect(allowance.out).to.match(
      /status +live\n.*\n.*\n +device +0x\w+ \(frozen\)\n +vouchers +5 of at most 200\.00 tEUR; serials taken: 1, 2\n +remaining +795\.00 tEUR/,
    );

    // A fresh snapshot knows the device is frozen: its next voucher is refused offline.
    expect(
      jsonResult<{ frozenDevices: string[] }>(
        await f.cli("--json", "offline", "sync", "--out", f.file("consortium2.json")),
      ).frozenDevices,
    ).to.deep.equal([keygen.device]);
    const v4 = await pay(f, "d1", SHOP1, "10.00", "v4.json");
    expectFailure(
      await accept(f, "shop1", v4, "d1.allowance.json", "consortium2.json"),
      ExitCode.badInput,
      /voucher refused \(frozen-device\)/,
    );

    // Bulk: a second device pays both shops; the shops' bank claims everything still open.
    await anchoredDevice(f, "d2", "wallet");
    await accept(f, "shop1", await pay(f, "d2", SHOP1, "30.00", "w1.json"), "d2.allowance.json");
    await accept(f, "shop2", await pay(f, "d2", SHOP2, "40.00", "w2.json"), "d2.allowance.json");
    await accept(f, "shop1", await pay(f, "d2", SHOP1, "20.00", "w3.json"), "d2.allowance.json");
    rollBack(f, "d2", 3); // serial 3 twice
    await accept(f, "shop2", await pay(f, "d2", SHOP2, "15.00", "w4.json"), "d2.allowance.json");
    const claim = await f.cli(
      "--key-file",
      f.keys.baltic,
      "offline",
      "claim",
      "--books",
      `${f.file("shop1.book.json")},${f.file("shop2.book.json")}`,
    );
    expect(claim.out, claim.err).to.match(/^Batch 1: 2 vouchers, 70\.00 tEUR, settle after \d{4}-/);
    expect(claim.out).to.match(/Claimed 2 of 7 vouchers in 1 batch, 70\.00 tEUR; 3 already claimed or paid/);
    expect(claim.out).to.match(/Double spends, redeemed one by one \(2\):/);
    expect(claim.out).to.match(/ 3 +20\.00 tEUR +redeemed\n/);
    expect(claim.out).to.match(/ 3 +15\.00 tEUR +double spend: paid from the bank's guarantee/);

    const baltic = BigInt(await balance(f, f.addr.baltic));
    expectFailure(
      await f.cli("--key-file", f.keys.baltic, "offline", "settle", "--batch", "1"),
      ExitCode.refusedByChain,
      /^error: VaultDisputeWindow: /,
    );
    await time.increase(86_400 + 1);
    expect((await f.cli("--key-file", f.keys.baltic, "offline", "settle", "--batch", "1")).out).to.match(
      /^Settled batch 1: 70\.00 tEUR paid to 0x\w+/,
    );
    expect(BigInt(await balance(f, f.addr.baltic)) - baltic).to.equal(7_000n);
    expect((await f.cli("offline", "status", "--batch", "1")).out).to.match(
      /status +settled\n +bank +0x\w+\n +total +70\.00 tEUR/,
    );
    const status = await f.cli("offline", "status", "--book", f.file("shop1.book.json"));
    expect(status.out).to.match(/ 1 +30\.00 tEUR +claimed-in-bulk\n/);
    const redeemedLater = await f.cli(
      "--key-file",
      f.keys.shop1,
      "offline",
      "redeem",
      "--book",
      f.file("shop1.book.json"),
    );
    expect(redeemedLater.out).to.match(/ 1 +30\.00 tEUR +claimed in bulk by the bank \(batch 1\)\n/);

    // After expiry + grace + dispute window what is left goes back to the wallet.
    expectFailure(
      await f.cli("--key-file", f.keys.wallet, "offline", "release", "--allowance", f.file("d1.allowance.json")),
      ExitCode.refusedByChain,
      /^error: VaultReleaseTooEarly: /,
    );
    await time.increase(50 * 86_400);
    const released = await f.cli(
      "--key-file",
      f.keys.wallet,
      "offline",
      "release",
      "--allowance",
      f.file("d1.allowance.json"),
    );
    expect(released.out, released.err).to.match(new RegExp(`^Released 0x\\w+…: 795\\.00 tEUR to ${WALLET}`));
  });
});
