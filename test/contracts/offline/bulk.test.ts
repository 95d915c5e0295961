import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  anchored,
  BatchStatus,
  CAP,
  certFor,
  claimOf,
  COUNT,
  newDevice,
  vaultFixture,
  voucher,
  WINDOW,
  leafOf,
  type Claim,
  type VaultFixture,
} from "./helpers";

/** Two live allowances (payer1, payer2) with vouchers to shop1/shop2 (bank B's wallets). */
async function twoAllowances(f: VaultFixture) {
  const out = [];
  for (const payer of [f.payer1, f.payer2]) {
    const device = newDevice();
    const cert = await certFor(f, payer, device);
    const id = await anchored(f, cert);
    const vs = [];
    for (const serial of [1, 2, 5])
      vs.push(
        await voucher(
          f,
          device,
          id,
          cert,
          serial === 2 ? f.shop2.address : f.shop1.address,
          1_000n * BigInt(serial),
          serial,
        ),
      );
    out.push({ device, cert, id, vs });
  }
  return out;
}

function evidenceOf(f: VaultFixture, batchId: bigint, claims: Claim[], devices: string[], claimIndex: number) {
  const leaves = claims.map((c, i) => leafOf(f, c, devices[i]));
  return { batchId, leaves, claimIndex, claim: claims[claimIndex] };
}

describe("OfflineVault — bulk redemption", () => {
  it("claims vouchers by allowance without signatures, waits the window, pays the bank once", async () => {
    const f = await loadFixture(vaultFixture);
    const [a, b] = await twoAllowances(f);
    const claims = [claimOf(a.id, a.vs), claimOf(b.id, b.vs)];
    const leaves = [leafOf(f, claims[0], a.device.address), leafOf(f, claims[1], b.device.address)];
    const claimsHash = ethers.keccak256(ethers.concat(leaves));
    const total = 2n * (1_000n + 2_000n + 5_000n);
    const tx = f.vault.connect(f.bankB).claimBulk(claims);
    await expect(tx).to.emit(f.vault, "BulkClaimed");
    const receipt = await (await tx).wait();
    const disputeEnd = BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp) + BigInt(WINDOW);
    await expect(tx)
      .to.emit(f.vault, "BulkClaimed")
      .withArgs(1n, f.bankB.address, 2n, 6n, total, claimsHash, disputeEnd);
    const batch = await f.vault.batchOf(1n);
    expect(batch.status).to.equal(BatchStatus.Pending);
    expect(batch.claimsHash).to.equal(claimsHash);
    expect(await f.vault.batchCount()).to.equal(1n);
    const state = await f.vault.allowanceOf(a.id);
    expect(state.redeemed).to.equal(0b10011n);
    expect(state.remaining).to.equal(CAP * BigInt(COUNT) - 8_000n);
    expect(state.claimsOpenUntil).to.equal(disputeEnd);
    await expect(f.vault.settleBulk(1n))
      .to.be.revertedWithCustomError(f.vault, "VaultDisputeWindow")
      .withArgs(1n, disputeEnd);
    await time.increaseTo(disputeEnd + 1n);
    const before = await f.token.balanceOf(f.bankB.address);
    await expect(f.vault.connect(f.stranger).settleBulk(1n))
      .to.emit(f.vault, "BulkSettled")
      .withArgs(1n, f.bankB.address, total);
    expect(await f.token.balanceOf(f.bankB.address)).to.equal(before + total);
    await expect(f.vault.settleBulk(1n))
      .to.be.revertedWithCustomError(f.vault, "VaultBatchNotPending")
      .withArgs(1n, BatchStatus.Settled);
    await expect(f.vault.settleBulk(9n))
      .to.be.revertedWithCustomError(f.vault, "VaultBatchNotPending")
      .withArgs(9n, BatchStatus.None);
    // A voucher claimed in bulk is not redeemed again one by one.
    await expect(f.vault.redeem(a.vs[0].v, a.vs[0].sig))
      .to.be.revertedWithCustomError(f.vault, "VaultSerialClaimedInBulk")
      .withArgs(a.id, 1);
  });

  it("refuses claims by non-banks, empty batches, unknown/unfunded/released allowances, taken serials", async () => {
    const f = await loadFixture(vaultFixture);
    const [a] = await twoAllowances(f);
    const claim = claimOf(a.id, a.vs);
    await expect(f.vault.connect(f.shop1).claimBulk([claim])).to.be.revertedWithCustomError(
      f.registry,
      "RegistryNotMember",
    );
    await expect(f.vault.connect(f.bankB).claimBulk([]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidBatch")
      .withArgs("no claims");
    await expect(f.vault.connect(f.bankB).claimBulk([{ ...claim, allowanceId: ethers.ZeroHash }]))
      .to.be.revertedWithCustomError(f.vault, "VaultUnknownAllowance")
      .withArgs(ethers.ZeroHash);
    await f.vault.redeem(a.vs[1].v, a.vs[1].sig); // serial 2 one by one
    await expect(f.vault.connect(f.bankB).claimBulk([claim]))
      .to.be.revertedWithCustomError(f.vault, "VaultSerialTaken")
      .withArgs(a.id, 2);
    // Two claims of one batch asking the same serial: the second is refused.
    const only1 = claimOf(a.id, [a.vs[0]]);
    await expect(f.vault.connect(f.bankB).claimBulk([only1, only1]))
      .to.be.revertedWithCustomError(f.vault, "VaultSerialTaken")
      .withArgs(a.id, 1);
    // Unfunded certificates are redeemed one by one only.
    const device = newDevice();
    const cert = await certFor(f, f.payer1, device);
    const { certId, signCert } = await import("./helpers");
    const uid = certId(f, cert);
    const u = await voucher(f, device, uid, cert, f.shop1.address, 10n, 1);
    await f.vault.redeemUnfunded(cert, await signCert(f, f.bankA, cert), u.v, u.sig);
    const u2 = await voucher(f, device, uid, cert, f.shop1.address, 10n, 2);
    await expect(f.vault.connect(f.bankB).claimBulk([claimOf(uid, [u2])]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidAllowance")
      .withArgs("unfunded: redeem one by one");
  });

  it("checks each voucher's terms and that its payee is a wallet of the claiming bank", async () => {
    const f = await loadFixture(vaultFixture);
    const [a] = await twoAllowances(f);
    const base = claimOf(a.id, [a.vs[0]]);
    const bad = (v: Partial<Claim["vouchers"][number]>): Claim => ({
      ...base,
      vouchers: [{ ...base.vouchers[0], ...v }],
    });
    await expect(f.vault.connect(f.bankB).claimBulk([bad({ amount: CAP + 1n })]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(a.id, 1, "amount");
    await expect(f.vault.connect(f.bankB).claimBulk([bad({ expiry: BigInt(a.cert.expiry) + 1n })]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(a.id, 1, "expiry");
    await expect(f.vault.connect(f.bankB).claimBulk([bad({ payee: f.payer2.address })]))
      .to.be.revertedWithCustomError(f.vault, "VaultNotWalletOfBank")
      .withArgs(f.payer2.address, f.bankB.address);
    // Bank A may not claim bank B's customers' vouchers.
    await expect(f.vault.connect(f.bankA).claimBulk([base]))
      .to.be.revertedWithCustomError(f.vault, "VaultNotWalletOfBank")
      .withArgs(f.shop1.address, f.bankA.address);
    await expect(f.vault.connect(f.bankB).claimBulk([{ ...base, serials: 1n << 11n }]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(a.id, 12, "serial");
    await expect(f.vault.connect(f.bankB).claimBulk([{ ...base, serials: 0b11n }]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(a.id, 2, "missing");
    await expect(f.vault.connect(f.bankB).claimBulk([{ ...base, serials: 0n }]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidBatch")
      .withArgs("claim serials and vouchers differ");
    await expect(f.vault.connect(f.bankB).claimBulk([{ ...base, vouchers: [...base.vouchers, ...base.vouchers] }]))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidBatch")
      .withArgs("claim serials and vouchers differ");
  });

  it("the allowance's bank or wallet disputes a claim within the window: serials free, amount back", async () => {
    const f = await loadFixture(vaultFixture);
    const [a, b] = await twoAllowances(f);
    const claims = [claimOf(a.id, a.vs), claimOf(b.id, b.vs)];
    await f.vault.connect(f.bankB).claimBulk(claims);
    const devices = [a.device.address, b.device.address];
    const e0 = evidenceOf(f, 1n, claims, devices, 0);
    await expect(f.vault.connect(f.stranger).disputeClaim(e0))
      .to.be.revertedWithCustomError(f.vault, "VaultNotBank")
      .withArgs(f.stranger.address, f.bankA.address);
    await expect(f.vault.connect(f.bankA).disputeClaim({ ...e0, leaves: [...e0.leaves].reverse() }))
      .to.be.revertedWithCustomError(f.vault, "VaultClaimsMismatch")
      .withArgs(1n);
    await expect(f.vault.connect(f.bankA).disputeClaim({ ...e0, claimIndex: 2 }))
      .to.be.revertedWithCustomError(f.vault, "VaultClaimsMismatch")
      .withArgs(1n);
    await expect(f.vault.connect(f.bankA).disputeClaim({ ...e0, claim: claimOf(a.id, a.vs.slice(0, 2)) }))
      .to.be.revertedWithCustomError(f.vault, "VaultClaimsMismatch")
      .withArgs(1n);
    await expect(f.vault.connect(f.payer1).disputeClaim(e0))
      .to.emit(f.vault, "BulkClaimDisputed")
      .withArgs(1n, 0n, a.id, claims[0].serials, 8_000n);
    expect((await f.vault.batchOf(1n)).total).to.equal(8_000n);
    const state = await f.vault.allowanceOf(a.id);
    expect(state.redeemed).to.equal(0n);
    expect(state.remaining).to.equal(CAP * BigInt(COUNT));
    await expect(f.vault.connect(f.bankA).disputeClaim(e0))
      .to.be.revertedWithCustomError(f.vault, "VaultClaimDisputed")
      .withArgs(1n, 0n);
    // The disputed vouchers go one by one, their signatures checked.
    await expect(f.vault.redeem(a.vs[0].v, a.vs[0].sig)).to.emit(f.vault, "VoucherRedeemed");
    const e1 = evidenceOf(f, 1n, claims, devices, 1);
    const end = (await f.vault.batchOf(1n)).disputeEnd;
    await time.increaseTo(end + 1n);
    await expect(f.vault.connect(f.bankA).disputeClaim(e1))
      .to.be.revertedWithCustomError(f.vault, "VaultDisputeWindow")
      .withArgs(1n, end);
    await f.vault.settleBulk(1n);
    await expect(f.vault.connect(f.bankA).disputeClaim(e1))
      .to.be.revertedWithCustomError(f.vault, "VaultBatchNotPending")
      .withArgs(1n, BatchStatus.Settled);
  });

  it("a different voucher of a bulk-claimed serial proves a double spend once the batch is settled", async () => {
    const f = await loadFixture(vaultFixture);
    const [a, b] = await twoAllowances(f);
    const claims = [claimOf(a.id, a.vs), claimOf(b.id, b.vs)];
    await f.vault.connect(f.bankB).claimBulk(claims);
    const devices = [a.device.address, b.device.address];
    const e0 = evidenceOf(f, 1n, claims, devices, 0);
    const dup = await voucher(f, a.device, a.id, a.cert, f.shop2.address, 3_000n, 5);
    await expect(f.vault.redeem(dup.v, dup.sig))
      .to.be.revertedWithCustomError(f.vault, "VaultSerialClaimedInBulk")
      .withArgs(a.id, 5);
    const end = (await f.vault.batchOf(1n)).disputeEnd;
    await expect(f.vault.redeemDoubleSpent(dup.v, dup.sig, e0))
      .to.be.revertedWithCustomError(f.vault, "VaultDisputeWindow")
      .withArgs(1n, end);
    await expect(f.vault.redeemDoubleSpent(dup.v, dup.sig, { ...e0, batchId: 7n }))
      .to.be.revertedWithCustomError(f.vault, "VaultUnknownBatch")
      .withArgs(7n);
    await time.increaseTo(end + 1n);
    await f.vault.settleBulk(1n);
    await expect(f.vault.redeemDoubleSpent(dup.v, dup.sig, evidenceOf(f, 1n, claims, devices, 1)))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(a.id, 5, "claim allowance");
    const other = await voucher(f, a.device, a.id, a.cert, f.shop2.address, 3_000n, 3);
    await expect(f.vault.redeemDoubleSpent(other.v, other.sig, e0))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidVoucher")
      .withArgs(a.id, 3, "serial not in claim");
    // The claimed voucher itself is no double spend.
    await expect(f.vault.redeemDoubleSpent(a.vs[2].v, a.vs[2].sig, e0))
      .to.be.revertedWithCustomError(f.vault, "VaultNotADoubleSpend")
      .withArgs(a.id, 5, a.vs[2].digest);
    await expect(f.vault.redeemDoubleSpent(dup.v, dup.sig, e0))
      .to.emit(f.vault, "DoubleSpendProved")
      .withArgs(a.id, 5, a.vs[2].digest.slice(0, 26), f.shop1.address, dup.digest, f.shop2.address, 3_000n)
      .and.to.emit(f.vault, "CompensationPaid")
      .withArgs(f.bankA.address, f.shop2.address, 3_000n);
    await expect(f.vault.redeemDoubleSpent(dup.v, dup.sig, e0))
      .to.be.revertedWithCustomError(f.vault, "VaultAlreadyCompensated")
      .withArgs(a.id, 5, f.shop2.address);
    expect(await f.vault.isFrozen(a.device.address)).to.equal(true);
  });

  it("a release waits for the last bulk claim's dispute window", async () => {
    const f = await loadFixture(vaultFixture);
    const [a] = await twoAllowances(f);
    const { GRACE } = await import("./helpers");
    // Claim just before the redemption deadline: the window runs past expiry + grace.
    const deadline = BigInt(a.cert.expiry) + BigInt(GRACE);
    await time.setNextBlockTimestamp(deadline);
    await f.vault.connect(f.bankB).claimBulk([claimOf(a.id, a.vs)]);
    const end = (await f.vault.batchOf(1n)).disputeEnd;
    expect(end).to.equal(deadline + BigInt(WINDOW));
    await time.increaseTo(deadline + 10n);
    await expect(f.vault.release(a.id))
      .to.be.revertedWithCustomError(f.vault, "VaultReleaseTooEarly")
      .withArgs(a.id, end);
    await time.increaseTo(end + 1n);
    await expect(f.vault.release(a.id)).to.emit(f.vault, "AllowanceReleased");
    await expect(f.vault.connect(f.bankB).claimBulk([claimOf(a.id, [a.vs[0]])]))
      .to.be.revertedWithCustomError(f.vault, "VaultAllowanceReleased")
      .withArgs(a.id);
    // A claim after the redemption deadline is refused.
    const [, b] = [a, (await twoAllowances(f))[0]];
    await time.increaseTo(BigInt(b.cert.expiry) + BigInt(GRACE) + 1n);
    await expect(f.vault.connect(f.bankB).claimBulk([claimOf(b.id, b.vs)])).to.be.revertedWithCustomError(
      f.vault,
      "VaultAllowanceExpired",
    );
  });

  it("refuses a batch of more than 2,048 vouchers", async () => {
    const f = await loadFixture(vaultFixture);
    const claims: Claim[] = [];
    for (let i = 0; i < 33; i++) {
      const device = newDevice();
      const cert = await certFor(f, i % 2 ? f.payer1 : f.payer2, device, { cap: 1n, count: 64 });
      const id = await anchored(f, cert);
      const expiry = BigInt(cert.expiry);
      claims.push({
        allowanceId: id,
        serials: (1n << 64n) - 1n,
        vouchers: Array.from({ length: 64 }, () => ({ payee: f.shop1.address, amount: 1n, expiry })),
      });
    }
    await expect(f.vault.connect(f.bankB).claimBulk(claims))
      .to.be.revertedWithCustomError(f.vault, "VaultInvalidBatch")
      .withArgs("more than 2048 vouchers");
    await expect(f.vault.connect(f.bankB).claimBulk(claims.slice(0, 32))).to.emit(f.vault, "BulkClaimed");
  });
});
