/**
 * Attacker review of the OfflineVault (issue 22, review22). Each test reproduces one finding and
 * asserts the behaviour the spec promises (docs/offline.md, docs/spec/offline-vouchers.md), so it
 * FAILS on today's contracts/SDK and passes once the finding is fixed. The contracts are not
 * changed on this branch. Finding ids (R22-n) match the review report.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Address, Hex } from "viem";
import { checkVoucher, type SignedAllowance, type SignedVoucher } from "../../../packages/sdk/src/offline";
import {
  anchored,
  BPS,
  CAP,
  certFor,
  certId,
  claimOf,
  COUNT,
  DAY,
  GRACE,
  leafOf,
  newDevice,
  signCert,
  Status,
  vaultFixture,
  voucher,
  WINDOW,
  type Cert,
  type Claim,
  type VaultFixture,
} from "./helpers";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A live allowance of payer1 at bank A (cap 500.00 × 10, expiry in 30 days). */
async function live(f: VaultFixture, over: Partial<Cert> = {}) {
  const device = newDevice();
  const cert = await certFor(f, f.payer1, device, over);
  const id = await anchored(f, cert);
  return { device, cert, id };
}

/** Evidence for claim `claimIndex` of batch `batchId` (all claims on allowances of `device`). */
function evidence(f: VaultFixture, batchId: bigint, claims: Claim[], device: string, claimIndex = 0) {
  return { batchId, leaves: claims.map((c) => leafOf(f, c, device)), claimIndex, claim: claims[claimIndex] };
}

/** The SDK's view of a certificate and a voucher (what the payee's wallet holds). */
function sdkObjects(f: VaultFixture, cert: Cert, bankSignature: string, v: Awaited<ReturnType<typeof voucher>>) {
  const d = { chainId: Number(f.domain.chainId), vault: f.vaultAddress as Address };
  const allowance: SignedAllowance = {
    ...d,
    cert: {
      wallet: cert.wallet as Address,
      device: cert.device as Address,
      bank: cert.bank as Address,
      cap: BigInt(cert.cap),
      count: Number(cert.count),
      expiry: BigInt(cert.expiry),
      nonce: BigInt(cert.nonce),
    },
    bankSignature: bankSignature as Hex,
  };
  const payment = (signature: string): SignedVoucher => ({
    ...d,
    voucher: {
      allowanceId: v.v.allowanceId as Hex,
      device: v.v.device as Address,
      payee: v.v.payee as Address,
      amount: BigInt(v.v.amount),
      serial: Number(v.v.serial),
      expiry: BigInt(v.v.expiry),
    },
    signature: signature as Hex,
  });
  return { allowance, payment };
}

/** Whether the payee's SDK accepts the voucher offline (spec §4). */
async function sdkAccepts(f: VaultFixture, allowance: SignedAllowance, payment: SignedVoucher, payee: string) {
  const ctx = {
    chainId: allowance.chainId,
    vault: allowance.vault,
    payee: payee as Address,
    banks: [f.bankA.address as Address, f.bankB.address as Address],
    now: BigInt(await time.latest()),
  };
  return checkVoucher(allowance, payment, new Set(), ctx).then(
    () => true,
    () => false,
  );
}

describe("OfflineVault — review22 findings (attacker review; each test reproduced its finding; all fixed)", () => {
  it("R22-1 a payer's dispute of a last-hour bulk claim, after expiry + grace, leaves the payee unpaid", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    // shop1 (bank B) accepted a genuine voucher offline; it reconnects on the last day of grace and
    // bank B claims it in bulk one minute before expiry + grace (allowed: claims run until then).
    const paid = await voucher(f, device, id, cert, f.shop1.address, 40_000n, 1);
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) - 60n);
    const claims = [claimOf(id, [paid])];
    await f.vault.connect(f.bankB).claimBulk(claims);
    // The payer waits until expiry + grace has passed (its window is still open) and disputes.
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) + 3_600n);
    await f.vault.connect(f.payer1).disputeClaim(evidence(f, 1n, claims, device.address));
    // The spec: a disputed claim's vouchers go back to one-by-one redemption. Today it reverts
    // with VaultAllowanceExpired, and after the window `release` hands the 400.00 back to the payer.
    await expect(f.vault.redeem(paid.v, paid.sig)).to.emit(f.vault, "VoucherRedeemed");
  });

  it("R22-2a a payer proves 'double spends' to its own wallet: compensation the bank never owed", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    // A tampered device pays serial 1 to the payer's own wallet, then signs variants of it
    // (only the voucher expiry differs) and "proves" double spends to itself.
    const first = await voucher(f, device, id, cert, f.payer1.address, CAP, 1);
    await f.vault.redeem(first.v, first.sig);
    const dup = await voucher(f, device, id, cert, f.payer1.address, CAP, 1, {
      expiry: BigInt(cert.expiry) - 1n,
    });
    // Nobody was deceived: the payee is the payer. Today this pays 500.00 of bank A's guarantee.
    await expect(f.vault.redeem(dup.v, dup.sig)).to.be.reverted;
  });

  it("R22-2b one payee is compensated many times for one serial (doc bound: (k-1) x cap for k payees)", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const before = (await f.vault.bankBookOf(f.bankA.address)).guarantee;
    const honest = await voucher(f, device, id, cert, f.shop1.address, CAP, 1);
    await f.vault.redeem(honest.v, honest.sig);
    // An accomplice (payer2) takes five vouchers of serial 1 differing only in expiry; the device is
    // frozen at the first proof, yet every later one is compensated as well.
    let compensated = 0n;
    for (let i = 1n; i <= 5n; i++) {
      const dup = await voucher(f, device, id, cert, f.payer2.address, CAP, 1, {
        expiry: BigInt(cert.expiry) - i,
      });
      const ok = await f.vault.redeem(dup.v, dup.sig).then(
        () => true,
        () => false,
      );
      if (ok) compensated += CAP;
    }
    const after = (await f.vault.bankBookOf(f.bankA.address)).guarantee;
    expect(before - after).to.equal(compensated);
    // Two payees on one serial (k = 2) may cost the bank at most (k - 1) × cap. Today: 5 × cap.
    expect(compensated).to.be.at.most(CAP);
  });

  it("R22-3 a shorter dispute window lets release run before an older claim's window ends: funds stranded", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    // Bank B claims serial 1 (fabricated: never signed) late in the grace period; window 1 day.
    const fake = await voucher(f, newDevice(), id, cert, f.shop1.address, CAP, 1, { device: device.address });
    const real = await voucher(f, device, id, cert, f.shop2.address, 1_000n, 2);
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) - 600n);
    const first = [claimOf(id, [fake])];
    await f.vault.connect(f.bankB).claimBulk(first);
    // Governance shortens the window to 1 minute; a second claim overwrites claimsOpenUntil with an
    // earlier end than the first claim's.
    await f.vault.connect(f.owner).setParameters(GRACE, 60, BPS);
    await f.vault.connect(f.bankB).claimBulk([claimOf(id, [real])]);
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) + 60n);
    const releasedEarly = await f.vault.release(id).then(
      () => true,
      () => false,
    );
    // The payer disputes the fabricated claim within its (still open) window: as it should.
    await f.vault.connect(f.payer1).disputeClaim(evidence(f, 1n, first, device.address));
    await time.increaseTo((await f.vault.batchOf(1n)).disputeEnd + 1n);
    await f.vault.settleBulk(2n);
    if (!releasedEarly) {
      // The dispute gave the freed serial's payee a grace period: release waits for it (R22-1).
      await time.increaseTo((await f.vault.allowanceOf(id)).redeemUntil + 1n);
      await f.vault.release(id);
    }
    const a = await f.vault.allowanceOf(id);
    expect(a.status).to.equal(Status.Released);
    // Today the disputed 500.00 is added back to a released allowance: nobody can ever take it,
    // and bank A's `locked` (hence its required guarantee) stays inflated for good.
    expect(a.remaining).to.equal(0n);
    expect((await f.vault.bankBookOf(f.bankA.address)).locked).to.equal(0n);
  });

  it("R22-4 governance shortening the grace cuts off payees who accepted under the old grace", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const paid = await voucher(f, device, id, cert, f.shop1.address, 10_000n, 1);
    // Accepted offline while the grace was 7 days; governance then sets it to 1 hour.
    await f.vault.connect(f.owner).setParameters(3_600, WINDOW, BPS);
    await time.increaseTo(BigInt(cert.expiry) + 2n * BigInt(DAY));
    // Within the grace in force when the allowance was anchored. Today: VaultAllowanceExpired.
    await expect(f.vault.redeem(paid.v, paid.sig)).to.emit(f.vault, "VoucherRedeemed");
  });

  it("R22-5 a token pause spanning expiry + grace makes accepted vouchers unredeemable", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    const paid = await voucher(f, device, id, cert, f.shop1.address, 10_000n, 1);
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) - BigInt(DAY));
    await f.token.connect(f.owner).pause();
    await time.increaseTo(BigInt(cert.expiry) + BigInt(GRACE) + BigInt(DAY));
    await f.token.connect(f.owner).unpause();
    // The payee could not redeem during the last day of its grace: without governance it would be
    // refused (VaultAllowanceExpired) and `release` would return the 100.00 to the payer. The fix:
    // governance, which paused, extends the deadline of the allowances the pause affected.
    await expect(f.vault.redeem(paid.v, paid.sig)).to.be.revertedWithCustomError(f.vault, "VaultAllowanceExpired");
    const until = BigInt(await time.latest()) + BigInt(DAY);
    await expect(f.vault.connect(f.stranger).extendRedemption([id], until)).to.be.revertedWithCustomError(
      f.vault,
      "OwnableUnauthorizedAccount",
    );
    await expect(f.vault.connect(f.owner).extendRedemption([id], until))
      .to.emit(f.vault, "RedemptionExtended")
      .withArgs(id, until);
    await expect(f.vault.redeem(paid.v, paid.sig)).to.emit(f.vault, "VoucherRedeemed");
  });

  it("R22-6 a certificate expiring near 2^64 anchors, then every redeem/claim/release overflows", async () => {
    const f = await loadFixture(vaultFixture);
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device, { expiry: 2n ** 64n - 1n });
    const sig = await signCert(f, f.bankA, cert);
    // Anchored by the bank (the wallet's approval suffices); the SDK's checks accept it too.
    const ok = await f.vault
      .connect(f.bankA)
      .anchorAllowance(cert, sig, "0x")
      .then(
        () => true,
        () => false,
      );
    expect(ok, 'a certificate expiring at 2^64 - 1 is refused (VaultInvalidAllowance("expiry"))').to.equal(false);
    await expect(f.vault.connect(f.payer1).anchorAllowance(cert, sig, "0x"))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidAllowance")
      .withArgs("expiry");
    if (!ok) return; // fixed by refusing the certificate
    const id = certId(f, cert);
    const paid = await voucher(f, device, id, cert, f.shop1.address, 10_000n, 1);
    // Today: panic 0x11 in `expiry + grace`: the 5,000.00 are locked forever, the payee is never paid.
    await expect(f.vault.redeem(paid.v, paid.sig)).to.emit(f.vault, "VoucherRedeemed");
  });

  it("R22-7 a bank locks its customer's approved funds for a device it controls and pays itself", async () => {
    const f = await loadFixture(vaultFixture);
    const before = await f.token.balanceOf(f.payer1.address);
    const bankDevice = newDevice(); // the bank's key, not the customer's phone
    const cert = await certFor(f, f.payer1, bankDevice);
    const sig = await signCert(f, f.bankA, cert);
    // The certificate carries no consent of the wallet; the bank sends it itself.
    const ok = await f.vault
      .connect(f.bankA)
      .anchorAllowance(cert, sig, "0x")
      .then(
        () => true,
        () => false,
      );
    if (ok) {
      const id = certId(f, cert);
      for (let serial = 1; serial <= COUNT; serial++) {
        const v = await voucher(f, bankDevice, id, cert, f.bankA.address, CAP, serial);
        await f.vault.redeem(v.v, v.sig);
      }
    }
    // Today bank A took 5,000.00 of payer1's tokens without payer1 signing anything.
    expect(await f.token.balanceOf(f.payer1.address)).to.equal(before);
  });

  it("R22-8 a claiming bank that cannot receive blocks settlement, and with it the double-spend proof", async () => {
    const f = await loadFixture(vaultFixture);
    const { device, cert, id } = await live(f);
    // payer2 (bank A) holds the genuine voucher of serial 1; bank B claims serial 1 with a voucher
    // the device never signed, and the window passes without a dispute.
    const genuine = await voucher(f, device, id, cert, f.payer2.address, 20_000n, 1);
    const fake = await voucher(f, newDevice(), id, cert, f.shop1.address, CAP, 1, { device: device.address });
    const claims = [claimOf(id, [fake])];
    await f.vault.connect(f.bankB).claimBulk(claims);
    await time.increaseTo((await f.vault.batchOf(1n)).disputeEnd + 1n);
    // Bank B is suspended before anyone settles: settleBulk reverts (the token refuses it).
    await f.registry.connect(f.owner).suspendMember(f.bankB.address);
    await expect(f.vault.settleBulk(1n)).to.be.reverted;
    // payer2 cannot redeem one by one (VaultSerialClaimedInBulk) nor prove the double spend, which
    // waits for `Settled`; after the proof deadline it has lost. Today: VaultDisputeWindow.
    await expect(f.vault.redeemDoubleSpent(genuine.v, genuine.sig, evidence(f, 1n, claims, device.address))).to.emit(
      f.vault,
      "DoubleSpendProved",
    );
  });

  it("R22-9a the SDK accepts a high-s device signature that the vault refuses", async () => {
    const f = await loadFixture(vaultFixture);
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device);
    const bankSig = await signCert(f, f.bankA, cert);
    await f.vault.connect(f.payer1).anchorAllowance(cert, bankSig, "0x");
    const id = certId(f, cert);
    const paid = await voucher(f, device, id, cert, f.shop1.address, 10_000n, 1);
    // A malicious payer hands over the same signature with s' = n - s and the other v.
    const s = ethers.Signature.from(paid.sig);
    const highS = ethers.concat([
      s.r,
      ethers.toBeHex(SECP256K1_N - BigInt(s.s), 32),
      ethers.toBeHex(s.v === 27 ? 28 : 27, 1),
    ]);
    const { allowance, payment } = sdkObjects(f, cert, bankSig, paid);
    // Spec §4: every voucher that passes is redeemable. Either refuse it offline, or pay it.
    if (await sdkAccepts(f, allowance, payment(highS), f.shop1.address))
      await expect(f.vault.redeem(paid.v, highS)).to.emit(f.vault, "VoucherRedeemed");
  });

  it("R22-9b the SDK accepts a device signature with v = 0/1 that the vault refuses", async () => {
    const f = await loadFixture(vaultFixture);
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device);
    const bankSig = await signCert(f, f.bankA, cert);
    await f.vault.connect(f.payer1).anchorAllowance(cert, bankSig, "0x");
    const id = certId(f, cert);
    const paid = await voucher(f, device, id, cert, f.shop1.address, 10_000n, 1);
    const s = ethers.Signature.from(paid.sig);
    const yParity = ethers.concat([s.r, s.s, ethers.toBeHex(s.v - 27, 1)]);
    const { allowance, payment } = sdkObjects(f, cert, bankSig, paid);
    if (await sdkAccepts(f, allowance, payment(yParity), f.shop1.address))
      await expect(f.vault.redeem(paid.v, yParity)).to.emit(f.vault, "VoucherRedeemed");
  });
});
