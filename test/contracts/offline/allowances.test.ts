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
  WALLET_FUNDS,
} from "./helpers";

describe("OfflineVault — allowances", () => {
  it("anchors a bank-signed certificate: locks cap × count from the wallet, counts it for the bank", async () => {
    const f = await loadFixture(vaultFixture);
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device);
    const id = certId(f, cert);
    const lock = CAP * BigInt(COUNT);
    await expect(
      f.vault.connect(f.payer1).anchorAllowance(cert, await signCert(f, f.bankA, cert), await consent(f, cert)),
    )
      .to.emit(f.vault, "AllowanceAnchored")
      .withArgs(id, f.payer1.address, f.bankA.address, device.address, CAP, COUNT, cert.expiry, lock);
    expect(await f.token.balanceOf(f.payer1.address)).to.equal(WALLET_FUNDS - lock);
    expect(await f.token.balanceOf(f.vaultAddress)).to.equal(GUARANTEE + lock);
    const a = await f.vault.allowanceOf(id);
    expect(a.status).to.equal(Status.Live);
    expect(a.remaining).to.equal(lock);
    expect(a.redeemed).to.equal(0n);
    expect(a.device).to.equal(device.address);
    expect((await f.vault.bankBookOf(f.bankA.address)).locked).to.equal(lock);
    expect(await f.vault.requiredGuarantee(f.bankA.address)).to.equal(lock);
  });

  it("the bank may send the anchoring too, with the wallet's consent; nobody else", async () => {
    const f = await loadFixture(vaultFixture);
    const cert = await certFor(f, f.payer1, newDevice());
    const sig = await signCert(f, f.bankA, cert);
    await expect(f.vault.connect(f.bankA).anchorAllowance(cert, sig, "0x"))
      .to.be.revertedWithCustomError(f.vault, "VaultBadWalletSignature")
      .withArgs(certId(f, cert), f.payer1.address);
    await expect(f.vault.connect(f.bankA).anchorAllowance(cert, sig, await signCert(f, f.payer2, cert)))
      .to.be.revertedWithCustomError(f.vault, "VaultBadWalletSignature")
      .withArgs(certId(f, cert), f.payer1.address);
    await expect(f.vault.connect(f.stranger).anchorAllowance(cert, sig, await consent(f, cert)))
      .to.be.revertedWithCustomError(f.vault, "VaultNotBank")
      .withArgs(f.stranger.address, f.bankA.address);
    await expect(f.vault.connect(f.bankA).anchorAllowance(cert, sig, await consent(f, cert))).to.emit(
      f.vault,
      "AllowanceAnchored",
    );
  });

  for (const [field, over] of [
    ["wallet", { wallet: ethers.ZeroAddress }],
    ["device", { device: ethers.ZeroAddress }],
    ["bank", { bank: ethers.ZeroAddress }],
    ["cap", { cap: 0n }],
    ["cap", { cap: 1n << 96n }],
    ["count", { count: 0 }],
    ["count", { count: 65 }],
  ] as const) {
    it(`refuses a certificate with a bad ${field} (${JSON.stringify(Object.values(over)[0].toString())})`, async () => {
      const f = await loadFixture(vaultFixture);
      const cert = await certFor(f, f.payer1, newDevice(), over);
      const sender = field === "bank" ? f.payer1 : f.bankA;
      await expect(
        f.vault.connect(sender).anchorAllowance(cert, await signCert(f, f.bankA, cert), await consent(f, cert)),
      )
        .to.be.revertedWithCustomError(f.vault, "VaultInvalidAllowance")
        .withArgs(field);
    });
  }

  it("refuses an id anchored twice, an expired certificate, a forged bank signature", async () => {
    const f = await loadFixture(vaultFixture);
    const cert = await certFor(f, f.payer1, newDevice());
    const id = await anchored(f, cert);
    await expect(
      f.vault.connect(f.bankA).anchorAllowance(cert, await signCert(f, f.bankA, cert), await consent(f, cert)),
    )
      .to.be.revertedWithCustomError(f.vault, "VaultAllowanceExists")
      .withArgs(id, Status.Live);
    const old = await certFor(f, f.payer1, newDevice(), { expiry: BigInt(await time.latest()) });
    await expect(f.vault.connect(f.bankA).anchorAllowance(old, await signCert(f, f.bankA, old), await consent(f, old)))
      .to.be.revertedWithCustomError(f.vault, "VaultAllowanceExpired")
      .withArgs(certId(f, old), old.expiry, old.expiry);
    const forged = await certFor(f, f.payer1, newDevice());
    await expect(
      f.vault.connect(f.payer1).anchorAllowance(forged, await signCert(f, f.payer1, forged), await consent(f, forged)),
    )
      .to.be.revertedWithCustomError(f.vault, "VaultBadBankSignature")
      .withArgs(certId(f, forged), f.bankA.address);
    const otherChain = { ...f.domain, chainId: 1n };
    const sigElsewhere = await f.bankA.signTypedData(otherChain, (await import("./helpers")).CERT_TYPES, forged);
    await expect(
      f.vault.connect(f.payer1).anchorAllowance(forged, sigElsewhere, await consent(f, forged)),
    ).to.be.revertedWithCustomError(f.vault, "VaultBadBankSignature");
  });

  it("refuses a bank that is not a MEMBER_BANK, a wallet of another bank, a frozen device", async () => {
    const f = await loadFixture(vaultFixture);
    const notBank = await certFor(f, f.payer1, newDevice(), { bank: f.corporate.address });
    await expect(
      f.vault
        .connect(f.payer1)
        .anchorAllowance(notBank, await signCert(f, f.corporate, notBank), await consent(f, notBank)),
    ).to.be.revertedWithCustomError(f.registry, "RegistryMissingRole");
    const otherBank = await certFor(f, f.shop1, newDevice());
    await expect(
      f.vault
        .connect(f.bankA)
        .anchorAllowance(otherBank, await signCert(f, f.bankA, otherBank), await consent(f, otherBank)),
    )
      .to.be.revertedWithCustomError(f.vault, "VaultNotWalletOfBank")
      .withArgs(f.shop1.address, f.bankA.address);
    // Freeze a device by a double spend, then try to give it a new allowance.
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device);
    const id = await anchored(f, cert);
    const a = await voucher(f, device, id, cert, f.shop1.address, 100n, 1);
    const b = await voucher(f, device, id, cert, f.shop2.address, 100n, 1);
    await f.vault.redeem(a.v, a.sig);
    await expect(f.vault.redeem(b.v, b.sig)).to.emit(f.vault, "DeviceFrozen").withArgs(device.address, id);
    const again = await certFor(f, f.payer2, device);
    await expect(
      f.vault.connect(f.bankA).anchorAllowance(again, await signCert(f, f.bankA, again), await consent(f, again)),
    )
      .to.be.revertedWithCustomError(f.vault, "VaultDeviceFrozen")
      .withArgs(device.address);
  });

  it("refuses when the bank's guarantee does not cover its live allowances", async () => {
    const f = await loadFixture(vaultFixture);
    // The guarantee (20,000.00) covers four 5,000.00 allowances at 100%; the fifth is refused.
    for (let i = 0; i < 4; i++) await anchored(f, await certFor(f, i % 2 ? f.payer1 : f.payer2, newDevice()));
    const fifth = await certFor(f, f.payer1, newDevice());
    await expect(
      f.vault.connect(f.bankA).anchorAllowance(fifth, await signCert(f, f.bankA, fifth), await consent(f, fifth)),
    )
      .to.be.revertedWithCustomError(f.vault, "VaultGuaranteeTooLow")
      .withArgs(f.bankA.address, GUARANTEE, GUARANTEE + CAP * BigInt(COUNT));
  });

  it("releases what is left to the wallet after expiry + grace, not before; once", async () => {
    const f = await loadFixture(vaultFixture);
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device);
    const id = await anchored(f, cert);
    const a = await voucher(f, device, id, cert, f.shop1.address, 1_234n, 3);
    await f.vault.redeem(a.v, a.sig);
    const at = BigInt(cert.expiry) + BigInt(GRACE);
    await expect(f.vault.release(id)).to.be.revertedWithCustomError(f.vault, "VaultReleaseTooEarly").withArgs(id, at);
    await time.increaseTo(at + 1n);
    const left = CAP * BigInt(COUNT) - 1_234n;
    const before = await f.token.balanceOf(f.payer1.address);
    await expect(f.vault.connect(f.stranger).release(id))
      .to.emit(f.vault, "AllowanceReleased")
      .withArgs(id, f.payer1.address, left);
    expect(await f.token.balanceOf(f.payer1.address)).to.equal(before + left);
    expect((await f.vault.allowanceOf(id)).status).to.equal(Status.Released);
    expect((await f.vault.bankBookOf(f.bankA.address)).locked).to.equal(0n);
    await expect(f.vault.release(id)).to.be.revertedWithCustomError(f.vault, "VaultAllowanceReleased").withArgs(id);
    await expect(f.vault.release(ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.vault, "VaultUnknownAllowance")
      .withArgs(ethers.ZeroHash);
  });

  it("releases to the wallet's bank when the wallet cannot receive (closed)", async () => {
    const f = await loadFixture(vaultFixture);
    const cert = await certFor(f, f.payer1, newDevice());
    const id = await anchored(f, cert);
    await f.registry.connect(f.bankA).closeWallet(f.payer1.address);
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) + 1n);
    const before = await f.token.balanceOf(f.bankA.address);
    await expect(f.vault.release(id))
      .to.emit(f.vault, "AllowanceReleased")
      .withArgs(id, f.bankA.address, CAP * BigInt(COUNT));
    expect(await f.token.balanceOf(f.bankA.address)).to.equal(before + CAP * BigInt(COUNT));
  });
});
