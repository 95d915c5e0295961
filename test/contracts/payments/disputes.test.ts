/** ConditionalEscrow: disputes by payer or payee, and the arbiter's split. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Role } from "../../helpers/fixtures";
import {
  AS,
  Attest,
  attestBy,
  attested,
  balances,
  BPS,
  create,
  DAY,
  deployAgreement,
  EVIDENCE,
  FUNDS,
  M0,
  M1,
  milestone,
  MS,
  standardTerms,
  type AgreementFixture,
  consentUntil,
} from "./helpers";

const REASON = ethers.id("goods damaged on arrival");

/** An agreement of one milestone of `amount` (payee 1), disputed by the payer; returns its id. */
async function disputedSingle(f: AgreementFixture, amount: bigint): Promise<bigint> {
  const id = await create(f, {
    ...standardTerms(f, f.t0),
    milestones: [milestone(f.payees[1].address, amount, f.t0 + DAY, [attested(Attest.Delivered)])],
  });
  await f.escrow.connect(f.payer).dispute(id, 0, REASON);
  return id;
}

describe("ConditionalEscrow — disputes", function () {
  describe("dispute", function () {
    it("the payer disputes a pending milestone: MilestoneDisputed, status Disputed", async function () {
      const f = await loadFixture(deployAgreement);
      await expect(f.escrow.connect(f.payer).dispute(f.id, 1, REASON))
        .to.emit(f.escrow, "MilestoneDisputed")
        .withArgs(f.id, 1, f.payer.address, REASON);
      expect((await f.escrow.agreementOf(f.id)).milestones[1].status).to.equal(MS.Disputed);
    });

    it("that milestone's payee disputes it", async function () {
      const f = await loadFixture(deployAgreement);
      await expect(f.escrow.connect(f.payees[0]).dispute(f.id, 2, REASON))
        .to.emit(f.escrow, "MilestoneDisputed")
        .withArgs(f.id, 2, f.payees[0].address, REASON);
    });

    it("nobody else: another milestone's payee, the arbiter, an attestor, a keeper (EscrowNotParty)", async function () {
      const f = await loadFixture(deployAgreement);
      for (const who of [f.payees[0], f.arbiter, f.attestors[0], f.keeper]) {
        await expect(f.escrow.connect(who).dispute(f.id, 1, REASON))
          .to.be.revertedWithCustomError(f.escrow, "EscrowNotParty")
          .withArgs(f.id, who.address);
      }
      await expect(f.escrow.connect(f.payees[1]).dispute(f.id, 0, REASON))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNotParty")
        .withArgs(f.id, f.payees[1].address);
      await expect(f.escrow.connect(f.outsider).dispute(f.id, 1, REASON))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
    });

    it("freezes the milestone: no release though the condition holds, no refund after the deadline, no attest", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await f.escrow.connect(f.payees[0]).dispute(f.id, 0, REASON);
      const frozen = [
        () => f.escrow.connect(f.keeper).release(f.id, 0),
        () => f.escrow.connect(f.attestors[2]).attest(f.id, 0, Attest.Delivered, EVIDENCE),
        () => f.escrow.connect(f.payer).dispute(f.id, 0, REASON),
        () => f.escrow.connect(f.keeper).refund(f.id, 0),
      ];
      for (const call of frozen) {
        await expect(call())
          .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
          .withArgs(f.id, 0, MS.Disputed);
      }
      await time.increaseTo(f.t0 + 30 * DAY + 1);
      await expect(f.escrow.connect(f.keeper).refund(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
        .withArgs(f.id, 0, MS.Disputed);
      expect(await f.token.balanceOf(f.escrowAddress)).to.equal((await f.escrow.agreementOf(f.id)).total);
    });

    it("freezes only that milestone: the others release and refund as usual", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payer).dispute(f.id, 1, REASON);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], M0);
      await time.increaseTo(f.t0 + 90 * DAY + 1);
      await f.escrow.connect(f.keeper).refund(f.id, 2);
      expect((await f.escrow.agreementOf(f.id)).status).to.equal(AS.Active);
    });
  });

  describe("resolve", function () {
    it("only the arbiter resolves (EscrowNotArbiter for payer, payee, keeper; RegistryNotMember for outsiders)", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payer).dispute(f.id, 1, REASON);
      for (const who of [f.payer, f.payees[1], f.keeper]) {
        await expect(f.escrow.connect(who).resolve(f.id, 1, 5_000))
          .to.be.revertedWithCustomError(f.escrow, "EscrowNotArbiter")
          .withArgs(f.id, who.address);
      }
      await expect(f.escrow.connect(f.outsider).resolve(f.id, 1, 5_000))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
    });

    it("needs a disputed milestone (EscrowNotDisputed with its status)", async function () {
      const f = await loadFixture(deployAgreement);
      await expect(f.escrow.connect(f.arbiter).resolve(f.id, 0, 5_000))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNotDisputed")
        .withArgs(f.id, 0, MS.Pending);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await f.escrow.connect(f.keeper).release(f.id, 0);
      await expect(f.escrow.connect(f.arbiter).resolve(f.id, 0, 5_000))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNotDisputed")
        .withArgs(f.id, 0, MS.Released);
    });

    it("refuses a split above 10,000 bps (EscrowInvalidSplit)", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payer).dispute(f.id, 1, REASON);
      for (const bps of [10_001, 65_535]) {
        await expect(f.escrow.connect(f.arbiter).resolve(f.id, 1, bps))
          .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidSplit")
          .withArgs(bps);
      }
    });

    it("splits 1,001 at 3,333 bps: payee floor(1001·3333/10000) = 333, payer 668, nothing left", async function () {
      const f = await loadFixture(deployAgreement);
      const id = await disputedSingle(f, 1_001n);
      const escrowBefore = await f.token.balanceOf(f.escrowAddress);
      const [payerBefore, payeeBefore] = await balances(f, [f.payer, f.payees[1]]);
      await expect(f.escrow.connect(f.arbiter).resolve(id, 0, 3_333))
        .to.emit(f.escrow, "DisputeResolved")
        .withArgs(id, 0, f.arbiter.address, 333n, 668n)
        .and.to.emit(f.escrow, "AgreementClosed")
        .withArgs(id);
      expect(await balances(f, [f.payer, f.payees[1], f.arbiter])).to.deep.equal([
        payerBefore + 668n,
        payeeBefore + 333n,
        0n,
      ]);
      expect(await f.token.balanceOf(f.escrowAddress)).to.equal(escrowBefore - 1_001n);
      const v = await f.escrow.agreementOf(id);
      expect([v.status, v.released, v.refunded, v.milestones[0].status]).to.deep.equal([
        AS.Closed,
        333n,
        668n,
        MS.Split,
      ]);
    });

    const SPLITS: [bigint, number][] = [
      [1_000n, 0],
      [1_000n, 10_000],
      [9_999n, 1],
      [1n, 5_000],
      [1n, 9_999],
      [10_001n, 9_999],
      [79_228_162_514_264_337_593_543_950_335n, 7_777], // 2^96 − 1
    ];
    for (const [amount, bps] of SPLITS) {
      it(`splits ${amount} at ${bps} bps exactly (payee rounded down, the payer gets the rest)`, async function () {
        const f = await loadFixture(deployAgreement);
        if (amount > FUNDS) {
          await f.registry.setRoles(f.payer.address, Role.CORPORATE | Role.MEMBER_BANK);
          await f.token.connect(f.operator).mint(f.payer.address, amount);
        }
        const id = await disputedSingle(f, amount);
        const toPayee = (amount * BigInt(bps)) / BPS;
        const tx = f.escrow.connect(f.arbiter).resolve(id, 0, bps);
        await expect(tx)
          .to.emit(f.escrow, "DisputeResolved")
          .withArgs(id, 0, f.arbiter.address, toPayee, amount - toPayee);
        await expect(tx).to.changeTokenBalances(
          f.token,
          [f.escrow, f.payees[1], f.payer],
          [-amount, toPayee, amount - toPayee],
        );
      });
    }

    it("a split is final: no second resolve, dispute or release (Split)", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payees[1]).dispute(f.id, 1, REASON);
      await expect(f.escrow.connect(f.arbiter).resolve(f.id, 1, 2_500))
        .to.emit(f.escrow, "DisputeResolved")
        .withArgs(f.id, 1, f.arbiter.address, M1 / 4n, (M1 * 3n) / 4n)
        .and.not.to.emit(f.escrow, "AgreementClosed");
      await expect(f.escrow.connect(f.arbiter).resolve(f.id, 1, 2_500))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNotDisputed")
        .withArgs(f.id, 1, MS.Split);
      for (const call of [
        () => f.escrow.connect(f.payer).dispute(f.id, 1, REASON),
        () => f.escrow.connect(f.keeper).release(f.id, 1),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
          .withArgs(f.id, 1, MS.Split);
      }
      const v = await f.escrow.agreementOf(f.id);
      expect([v.released, v.refunded]).to.deep.equal([M1 / 4n, (M1 * 3n) / 4n]);
    });

    it("resolves after the deadline too, and unblocks cancel", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payer).dispute(f.id, 0, REASON);
      await time.increaseTo(f.t0 + 31 * DAY);
      await f.escrow.connect(f.arbiter).resolve(f.id, 0, 10_000);
      for (const who of [f.payer, f.payees[0]]) await f.escrow.connect(who).cancel(f.id, await consentUntil());
      await expect(f.escrow.connect(f.payees[1]).cancel(f.id, await consentUntil()))
        .to.emit(f.escrow, "AgreementCancelled")
        .withArgs(f.id, (await f.escrow.agreementOf(f.id)).total - M0);
    });
  });
});
