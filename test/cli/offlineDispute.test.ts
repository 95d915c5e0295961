/**
 * `clearhouse offline dispute`: the payer's bank refuses a bulk claim within its window; the claim's
 * voucher goes back to one-by-one redemption (its signature checked), which the shop then runs; a
 * second dispute of the same claim is refused. Against the in-process chain, through the compiled CLI.
 */
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import { accept, anchoredDevice, cliFixture, pay, SHOP1 } from "./offlineHarness";

describe("CLI offline dispute", function () {
  this.timeout(300_000);

  it("the payer's bank disputes a bulk claim; the voucher is then redeemed one by one", async () => {
    const f = await cliFixture();
    expect(
      (await f.cli("--key-file", f.keys.alpine, "offline", "guarantee", "post", "--amount", "1,000.00")).code,
    ).to.equal(0);
    await anchoredDevice(f, "d1", "wallet");
    expect((await f.cli("offline", "sync", "--out", f.file("consortium.json"))).code).to.equal(0);
    const accepted = await accept(f, "shop1", await pay(f, "d1", SHOP1, "25.00", "v1.json"), "d1.allowance.json");
    expect(accepted.code, accepted.err).to.equal(0);
    const claim = await f.cli("--key-file", f.keys.baltic, "offline", "claim", "--books", f.file("shop1.book.json"));
    expect(claim.out, claim.err).to.match(/^Batch 1: 1 vouchers?, 25\.00 tEUR, settle after \d{4}-/);

    // Someone else may not dispute it.
    const stranger = await f.cli(
      "--key-file",
      f.keys.baltic,
      "offline",
      "dispute",
      "--batch",
      "1",
      "--allowance",
      f.file("d1.allowance.json"),
    );
    expect(stranger.code, stranger.out).to.equal(ExitCode.refusedByChain);
    expect(stranger.err).to.match(/^error: VaultNotBank: /);

    const disputed = await f.cli(
      "--key-file",
      f.keys.alpine,
      "offline",
      "dispute",
      "--batch",
      "1",
      "--allowance",
      f.file("d1.allowance.json"),
    );
    expect(disputed.out, disputed.err).to.match(
      /^Disputed the claim of 0x\w+…?\w* in batch 1: 1 vouchers, 25\.00 tEUR back to one-by-one redemption/,
    );
    // The shop reconnects: its voucher is open again and redeemed one by one.
    const redeemed = await f.cli("--key-file", f.keys.shop1, "offline", "redeem", "--book", f.file("shop1.book.json"));
    expect(redeemed.out, redeemed.err).to.match(/Redeemed 1 of 1 vouchers: 25\.00 tEUR paid to/);
    // The claim was disputed already: the vault says so.
    const again = await f.cli(
      "--key-file",
      f.keys.alpine,
      "offline",
      "dispute",
      "--batch",
      "1",
      "--allowance",
      f.file("d1.allowance.json"),
    );
    expect(again.code).to.equal(ExitCode.refusedByChain);
    expect(again.err).to.match(/^error: VaultClaimDisputed: claim 0 of bulk batch 1 was disputed/);
  });
});
