import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  anchored,
  CAP,
  certFor,
  consent,
  certId,
  COUNT,
  GRACE,
  GUARANTEE,
  newDevice,
  signCert,
  Status,
  vaultFixture,
  voucher,
  type VaultFixture,
} from "./helpers";

async function live(f: VaultFixture) {
  const device = newDevice();
  const cert = await certFor(f, f.payer1, device);
  const id = await anchored(f, cert);
  return { device, cert, id };
}

describe("OfflineVault — one-by-one redemption", () => {
  it("pays the payee from the allowance and records the voucher for its serial", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const a = await voucher(f, device, id, cert, f.shop1.address, 12_345n, 4);
    await expect(f.vault.connect(f.stranger).redeem(a.v, a.sig))
      .to.emit(f.vault, "VoucherRedeemed")
      .withArgs(id, 4, a.digest, f.shop1.address, 12_345n, false);
    expect(await f.token.balanceOf(f.shop1.address)).to.equal(12_345n);
    const s = await f.vault.allowanceOf(id);
    expect(s.remaining).to.equal(CAP * BigInt(COUNT) - 12_345n);
    expect(s.redeemed).to.equal(1n << 3n);
    expect(await f.vault.redemptionOf(id, 4)).to.deep.equal([f.shop1.address, a.digest.slice(0, 26)]);
    expect((await f.vault.bankBookOf(f.bankA.address)).locked).to.equal(CAP * BigInt(COUNT) - 12_345n);
    await expect(f.vault.redeem(a.v, a.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultAlreadyRedeemed")
      .withArgs(id, 4, a.digest);
  });

  it("refuses forged, altered, wrong-chain and wrong-device vouchers", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const a = await voucher(f, device, id, cert, f.shop1.address, 100n, 1);
    const altered = { ...a.v, amount: 200n };
    await expect(f.vault.redeem(altered, a.sig)).to.be.revertedWithCustomError(f.vault, "VaultBadDeviceSignature");
    const byOther = await voucher(f, newDevice(), id, cert, f.shop1.address, 100n, 1, { device: device.address });
    await expect(f.vault.redeem(byOther.v, byOther.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultBadDeviceSignature")
      .withArgs(byOther.digest, device.address);
    const { VOUCHER_TYPES } = await import("./helpers");
    const elsewhere = await device.signTypedData({ ...f.domain, chainId: 1n }, VOUCHER_TYPES, a.v);
    await expect(f.vault.redeem(a.v, elsewhere)).to.be.revertedWithCustomError(f.vault, "VaultBadDeviceSignature");
    await expect(f.vault.redeem(a.v, "0x1234")).to.be.revertedWithCustomError(f.vault, "VaultBadDeviceSignature");
    const other = newDevice();
    const wrongDevice = await voucher(f, other, id, cert, f.shop1.address, 100n, 1);
    await expect(f.vault.redeem(wrongDevice.v, wrongDevice.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(id, 1, "device");
    const unknown = await voucher(f, device, ethers.ZeroHash, cert, f.shop1.address, 100n, 1);
    await expect(f.vault.redeem(unknown.v, unknown.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultUnknownAllowance")
      .withArgs(ethers.ZeroHash);
  });

  for (const [what, serial, amount, over] of [
    ["serial", 0, 100n, {}],
    ["serial", COUNT + 1, 100n, {}],
    ["amount", 1, 0n, {}],
    ["amount", 1, CAP + 1n, {}],
    ["expiry", 1, 100n, { expiry: 1n }],
    ["payee", 1, 100n, { payee: ethers.ZeroAddress }],
  ] as const) {
    it(`refuses a voucher with a bad ${what} (serial ${serial}, amount ${amount})`, async () => {
      const f = await loadFixture(vaultFixture);
      const { device, cert, id } = await live(f);
      const extra = "expiry" in over ? { expiry: BigInt(cert.expiry) + 1n } : over;
      const a = await voucher(f, device, id, cert, f.shop1.address, amount, serial, extra);
      await expect(f.vault.redeem(a.v, a.sig))
        .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
        .withArgs(id, serial, what);
    });
  }

  it("redeems until expiry + grace, not after; a released allowance redeems nothing", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const deadline = BigInt(cert.expiry) + BigInt(GRACE);
    const late = await voucher(f, device, id, cert, f.shop1.address, 100n, 1);
    await time.setNextBlockTimestamp(deadline);
    await expect(f.vault.redeem(late.v, late.sig)).to.emit(f.vault, "VoucherRedeemed");
    const later = await voucher(f, device, id, cert, f.shop1.address, 100n, 2);
    await expect(f.vault.redeem(later.v, later.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultAllowanceExpired")
      .withArgs(id, cert.expiry, deadline);
    await f.vault.release(id);
    await expect(f.vault.redeem(later.v, later.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultAllowanceReleased")
      .withArgs(id);
  });

  it("a second voucher of one serial is a double spend: paid from the guarantee, once; device frozen", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const first = await voucher(f, device, id, cert, f.shop1.address, 40_000n, 2);
    const second = await voucher(f, device, id, cert, f.shop2.address, 45_000n, 2);
    await f.vault.redeem(first.v, first.sig);
    await expect(f.vault.redeem(second.v, second.sig))
      .to.emit(f.vault, "DoubleSpendProved")
      .withArgs(id, 2, first.digest.slice(0, 26), f.shop1.address, second.digest, f.shop2.address, 45_000n)
      .and.to.emit(f.vault, "CompensationPaid")
      .withArgs(f.bankA.address, f.shop2.address, 45_000n)
      .and.to.emit(f.vault, "DeviceFrozen")
      .withArgs(device.address, id);
    expect(await f.token.balanceOf(f.shop2.address)).to.equal(45_000n);
    expect(await f.vault.isFrozen(device.address)).to.equal(true);
    expect(await f.vault.isCompensated(id, 2, f.shop2.address)).to.equal(true);
    const book = await f.vault.bankBookOf(f.bankA.address);
    expect(book.guarantee).to.equal(GUARANTEE - 45_000n);
    // The allowance paid the serial once.
    expect((await f.vault.allowanceOf(id)).remaining).to.equal(CAP * BigInt(COUNT) - 40_000n);
    await expect(f.vault.redeem(second.v, second.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultAlreadyCompensated")
      .withArgs(id, 2, f.shop2.address);
    // One compensation per serial and payee: another copy to shop2 (say, another expiry) is refused.
    const copy = await voucher(f, device, id, cert, f.shop2.address, 45_000n, 2, { expiry: BigInt(cert.expiry) - 1n });
    await expect(f.vault.redeem(copy.v, copy.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultAlreadyCompensated")
      .withArgs(id, 2, f.shop2.address);
    // The serial's first payee and the payer's own wallet are owed nothing.
    for (const payee of [f.shop1.address, f.payer1.address]) {
      const v = await voucher(f, device, id, cert, payee, 1n, 2, { expiry: BigInt(cert.expiry) - 7n });
      await expect(f.vault.redeem(v.v, v.sig))
        .to.be.revertedWithCustomError(f.vault, "VaultNotCompensable")
        .withArgs(id, 2, payee);
    }
    // A third payee of the serial is paid too (each honest payee is made whole); no second freeze.
    const third = await voucher(f, device, id, cert, f.payer2.address, 1n, 2);
    await expect(f.vault.redeem(third.v, third.sig))
      .to.emit(f.vault, "DoubleSpendProved")
      .and.not.to.emit(f.vault, "DeviceFrozen");
    // Other serials of the frozen device are still covered by the allowance.
    const fine = await voucher(f, device, id, cert, f.shop1.address, CAP, 3);
    await expect(f.vault.redeem(fine.v, fine.sig))
      .to.emit(f.vault, "VoucherRedeemed")
      .withArgs(id, 3, fine.digest, f.shop1.address, CAP, false);
  });

  it("a double spend stays provable after the allowance is released, until its proof deadline", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const first = await voucher(f, device, id, cert, f.shop1.address, 100n, 1);
    const second = await voucher(f, device, id, cert, f.shop2.address, 100n, 1);
    await f.vault.redeem(first.v, first.sig);
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) + 1n);
    await f.vault.release(id);
    await expect(f.vault.redeem(second.v, second.sig)).to.emit(f.vault, "DoubleSpendProved");
    const third = await voucher(f, device, id, cert, f.shop2.address, 99n, 1);
    await time.increaseTo(BigInt(cert.expiry) + 2n * BigInt(GRACE) + 1n);
    await expect(f.vault.redeem(third.v, third.sig)).to.be.revertedWithCustomError(f.vault, "VaultAllowanceExpired");
  });

  it("queues compensations the guarantee cannot cover; posting credits them in order; payees claim", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    // Spend the guarantee down to 10.00 by withdrawing what the live allowance does not require.
    const required = await f.vault.requiredGuarantee(f.bankA.address);
    await f.vault.connect(f.bankA).withdrawGuarantee(GUARANTEE - required);
    await f.vault.setParameters(GRACE, 86_400, 0); // no ratio: the bank may withdraw everything
    await f.vault.connect(f.bankA).withdrawGuarantee(required - 1_000n);
    const first = await voucher(f, device, id, cert, f.shop1.address, 100n, 5);
    await f.vault.redeem(first.v, first.sig);
    const dup1 = await voucher(f, device, id, cert, f.shop2.address, 30_000n, 5);
    const dup2 = await voucher(f, device, id, cert, f.payer2.address, 500n, 5);
    await expect(f.vault.redeem(dup1.v, dup1.sig))
      .to.emit(f.vault, "CompensationQueued")
      .withArgs(f.bankA.address, 0, f.shop2.address, 30_000n);
    // Queued first: a later, smaller one waits its turn even though the guarantee would cover it.
    await expect(f.vault.redeem(dup2.v, dup2.sig))
      .to.emit(f.vault, "CompensationQueued")
      .withArgs(f.bankA.address, 1, f.payer2.address, 500n);
    let book = await f.vault.bankBookOf(f.bankA.address);
    expect(book.debt).to.equal(30_500n);
    expect(await f.vault.debtAt(f.bankA.address, 1)).to.deep.equal([f.payer2.address, 500n]);
    // In debt: no new allowance, no withdrawal.
    const next = await certFor(f, f.payer2, newDevice(), { cap: 1n, count: 1 });
    await expect(
      f.vault.connect(f.bankA).anchorAllowance(next, await signCert(f, f.bankA, next), await consent(f, next)),
    )
      .to.be.revertedWithCustomError(f.vault, "VaultBankInDebt")
      .withArgs(f.bankA.address, 30_500n);
    await expect(f.vault.connect(f.bankA).withdrawGuarantee(1n))
      .to.be.revertedWithCustomError(f.vault, "VaultBankInDebt")
      .withArgs(f.bankA.address, 30_500n);
    await expect(f.vault.payDebts(f.bankA.address, 0))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidParameter")
      .withArgs("maxPayments");
    // 1,000 in the fund covers neither in order (30,000 first): nothing moves.
    await f.vault.payDebts(f.bankA.address, 5);
    expect((await f.vault.bankBookOf(f.bankA.address)).debtHead).to.equal(0n);
    await expect(f.vault.connect(f.bankA).postGuarantee(29_600n, 1))
      .to.emit(f.vault, "CompensationCredited")
      .withArgs(f.bankA.address, 0, f.shop2.address, 30_000n);
    book = await f.vault.bankBookOf(f.bankA.address);
    expect(book.debt).to.equal(500n);
    expect(book.guarantee).to.equal(600n);
    await expect(f.vault.connect(f.stranger).payDebts(f.bankA.address, 5))
      .to.emit(f.vault, "CompensationCredited")
      .withArgs(f.bankA.address, 1, f.payer2.address, 500n);
    expect(await f.vault.creditOf(f.shop2.address)).to.equal(30_000n);
    await expect(f.vault.connect(f.shop2).claimCredit())
      .to.emit(f.vault, "CreditClaimed")
      .withArgs(f.shop2.address, 30_000n);
    expect(await f.token.balanceOf(f.shop2.address)).to.equal(30_000n);
    await expect(f.vault.connect(f.shop2).claimCredit())
      .to.be.revertedWithCustomError(f.vault, "VaultNothingToClaim")
      .withArgs(f.shop2.address);
  });

  it("a certificate the bank signed but never anchored is paid from the bank's guarantee", async () => {
    const f = await loadFixture(vaultFixture);
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device);
    const id = certId(f, cert);
    const bankSig = await signCert(f, f.bankA, cert);
    const a = await voucher(f, device, id, cert, f.shop1.address, 7_000n, 1);
    await expect(f.vault.redeem(a.v, a.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultUnknownAllowance")
      .withArgs(id);
    await expect(f.vault.redeemUnfunded(cert, await signCert(f, f.payer1, cert), a.v, a.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultBadBankSignature")
      .withArgs(id, f.bankA.address);
    const wrongId = await voucher(f, device, ethers.id("other"), cert, f.shop1.address, 7_000n, 1);
    await expect(f.vault.redeemUnfunded(cert, bankSig, wrongId.v, wrongId.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(ethers.id("other"), 1, "allowanceId");
    await expect(f.vault.redeemUnfunded(cert, bankSig, a.v, a.sig))
      .to.emit(f.vault, "UnfundedAllowanceSeen")
      .withArgs(id, f.payer1.address, f.bankA.address)
      .and.to.emit(f.vault, "VoucherRedeemed")
      .withArgs(id, 1, a.digest, f.shop1.address, 7_000n, true);
    expect(await f.token.balanceOf(f.shop1.address)).to.equal(7_000n);
    expect((await f.vault.bankBookOf(f.bankA.address)).guarantee).to.equal(GUARANTEE - 7_000n);
    expect((await f.vault.allowanceOf(id)).status).to.equal(Status.Unfunded);
    // Later vouchers of it go through `redeem`; anchoring it now is refused.
    const b = await voucher(f, device, id, cert, f.shop2.address, 1_000n, 2);
    await expect(f.vault.redeemUnfunded(cert, bankSig, b.v, b.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultAllowanceExists")
      .withArgs(id, Status.Unfunded);
    await expect(f.vault.redeem(b.v, b.sig))
      .to.emit(f.vault, "CompensationPaid")
      .withArgs(f.bankA.address, f.shop2.address, 1_000n);
    await expect(f.vault.connect(f.bankA).anchorAllowance(cert, bankSig, await consent(f, cert)))
      .to.be.revertedWithCustomError(f.vault, "VaultAllowanceExists")
      .withArgs(id, Status.Unfunded);
    await expect(f.vault.release(id))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidAllowance")
      .withArgs("unfunded: nothing locked");
  });
});

describe("OfflineVault — guarantee fund and parameters", () => {
  it("posts and withdraws within what live allowances require", async () => {
    const f = await loadFixture(vaultFixture);
    await expect(f.vault.connect(f.bankB).postGuarantee(5_000n, 0))
      .to.emit(f.vault, "GuaranteePosted")
      .withArgs(f.bankB.address, 5_000n, 5_000n);
    await expect(f.vault.connect(f.bankB).postGuarantee(0, 0))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidAmount")
      .withArgs(0);
    await expect(f.vault.connect(f.shop1).postGuarantee(1n, 0)).to.be.revertedWithCustomError(
      f.registry,
      "RegistryNotMember",
    );
    await live(f); // bank A now needs 5,000.00 of its 20,000.00
    await expect(f.vault.connect(f.bankA).withdrawGuarantee(GUARANTEE - CAP * BigInt(COUNT) + 1n))
      .to.be.revertedWithCustomError(f.vault, "VaultGuaranteeTooLow")
      .withArgs(f.bankA.address, CAP * BigInt(COUNT) - 1n, CAP * BigInt(COUNT));
    await expect(f.vault.connect(f.bankA).withdrawGuarantee(0)).to.be.revertedWithCustomError(
      f.vault,
      "VaultInvalidAmount",
    );
    await expect(f.vault.connect(f.bankA).withdrawGuarantee(GUARANTEE + 1n)).to.be.revertedWithCustomError(
      f.vault,
      "VaultInvalidAmount",
    );
    await expect(f.vault.connect(f.bankA).withdrawGuarantee(GUARANTEE - CAP * BigInt(COUNT)))
      .to.emit(f.vault, "GuaranteeWithdrawn")
      .withArgs(f.bankA.address, GUARANTEE - CAP * BigInt(COUNT), CAP * BigInt(COUNT));
  });

  it("governance sets the parameters within their ranges; nobody else", async () => {
    const f = await loadFixture(vaultFixture);
    await expect(f.vault.setParameters(3_600, 60, 50_000))
      .to.emit(f.vault, "ParametersSet")
      .withArgs(3_600, 60, 50_000);
    expect(await f.vault.parameters()).to.deep.equal([3_600n, 60n, 50_000n]);
    for (const [args, what] of [
      [[3_599, 60, 0], "grace"],
      [[365 * 86_400 + 1, 60, 0], "grace"],
      [[3_600, 59, 0], "disputeWindow"],
      [[3_600, 30 * 86_400 + 1, 0], "disputeWindow"],
      [[3_600, 60, 50_001], "guaranteeBps"],
    ] as const) {
      await expect(f.vault.setParameters(...args))
        .to.be.revertedWithCustomError(f.vault, "VaultInvalidParameter")
        .withArgs(what);
    }
    await expect(f.vault.connect(f.bankA).setParameters(3_600, 60, 0)).to.be.revertedWithCustomError(
      f.vault,
      "OwnableUnauthorizedAccount",
    );
    await expect(f.vault.renounceOwnership()).to.be.revertedWithCustomError(f.vault, "VaultOwnershipCannotBeRenounced");
    expect(await f.vault.token()).to.equal(await f.token.getAddress());
  });

  it("refuses to initialize without a registry or token contract", async () => {
    const factory = await ethers.getContractFactory("OfflineVault");
    const [owner] = await ethers.getSigners();
    const { upgrades } = await import("hardhat");
    await expect(
      upgrades.deployProxy(factory, [owner.address, owner.address, owner.address, 3_600, 60, 0], { kind: "uups" }),
    ).to.be.revertedWithCustomError(factory, "VaultInvalidAddress");
  });
});
