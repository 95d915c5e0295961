/** ConditionalEscrow: release, refund after the deadline, and cancellation by consents that expire and can be revoked. */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  AS,
  Attest,
  attestBy,
  balances,
  consentUntil,
  create,
  DAY,
  deployAgreement,
  EVIDENCE,
  FUNDS,
  M0,
  M1,
  M2,
  milestone,
  MS,
  notBefore,
  standardTerms,
  TOTAL,
  type AgreementFixture,
} from "./helpers";

/** Make every condition of the standard agreement hold (attestations of every kind, past +80 d). */
async function satisfyAll(f: AgreementFixture): Promise<void> {
  for (const [i, kind] of [Attest.Delivered, Attest.Accepted, Attest.InvoiceApproved].entries()) {
    await attestBy(f, f.id, i, kind, 2);
  }
  await time.increaseTo(f.t0 + 10 * DAY);
}

describe("ConditionalEscrow — payouts", function () {
  describe("release", function () {
    it("pays the payee, never the caller; the last release closes the agreement", async function () {
      const f = await loadFixture(deployAgreement);
      await satisfyAll(f);
      const before = await balances(f, [f.keeper, f.payees[0], f.payees[1], f.payer]);
      await f.escrow.connect(f.keeper).release(f.id, 0);
      await f.escrow.connect(f.payer).release(f.id, 1);
      await expect(f.escrow.connect(f.payees[1]).release(f.id, 2))
        .to.emit(f.escrow, "MilestoneReleased")
        .withArgs(f.id, 2, f.payees[0].address, M2)
        .and.to.emit(f.escrow, "AgreementClosed")
        .withArgs(f.id);
      const after = await balances(f, [f.keeper, f.payees[0], f.payees[1], f.payer]);
      expect(after.map((b, i) => b - before[i])).to.deep.equal([0n, M0 + M2, M1, 0n]);
      const v = await f.escrow.agreementOf(f.id);
      expect([v.status, v.released, v.refunded]).to.deep.equal([AS.Closed, TOTAL, 0n]);
      expect(v.milestones.map((m) => m.status)).to.deep.equal([MS.Released, MS.Released, MS.Released]);
      expect(await f.token.balanceOf(f.escrowAddress)).to.equal(0n);
    });

    it("refuses before the condition holds (EscrowConditionNotMet)", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 1);
      await expect(f.escrow.connect(f.payees[0]).release(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowConditionNotMet")
        .withArgs(f.id, 0);
    });

    it("refuses a double release (EscrowMilestoneNotPending … Released)", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await f.escrow.connect(f.keeper).release(f.id, 0);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
        .withArgs(f.id, 0, MS.Released);
    });

    it("refuses a release after the refund (EscrowMilestoneNotPending … Refunded), though the condition held", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await time.increaseTo(f.t0 + 30 * DAY + 1);
      await f.escrow.connect(f.keeper).refund(f.id, 0);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
        .withArgs(f.id, 0, MS.Refunded);
    });

    it("still releases after the deadline while nobody has refunded (the payee may come late)", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await time.increaseTo(f.t0 + 31 * DAY);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], M0);
    });

    it("refuses once the agreement is closed (EscrowAgreementNotActive … Closed)", async function () {
      const f = await loadFixture(deployAgreement);
      await satisfyAll(f);
      for (const i of [0, 1, 2]) await f.escrow.connect(f.keeper).release(f.id, i);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowAgreementNotActive")
        .withArgs(f.id, AS.Closed);
      await expect(f.escrow.conditionHolds(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowAgreementNotActive")
        .withArgs(f.id, AS.Closed);
    });
  });

  describe("refund", function () {
    it("is refused at the deadline (EscrowDeadlineNotReached with the deadline)", async function () {
      const f = await loadFixture(deployAgreement);
      const deadline = f.t0 + 30 * DAY;
      await time.setNextBlockTimestamp(deadline);
      await expect(f.escrow.connect(f.keeper).refund(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowDeadlineNotReached")
        .withArgs(f.id, 0, deadline);
    });

    it("after the deadline, by anyone (a member): the funds go to the payer, not the caller", async function () {
      const f = await loadFixture(deployAgreement);
      await time.setNextBlockTimestamp(f.t0 + 30 * DAY + 1);
      const tx = f.escrow.connect(f.keeper).refund(f.id, 0);
      await expect(tx).to.emit(f.escrow, "MilestoneRefunded").withArgs(f.id, 0, f.payer.address, M0);
      await expect(tx).to.changeTokenBalances(f.token, [f.escrow, f.payer, f.keeper], [-M0, M0, 0n]);
      const v = await f.escrow.agreementOf(f.id);
      expect([v.status, v.released, v.refunded, v.milestones[0].status]).to.deep.equal([
        AS.Active,
        0n,
        M0,
        MS.Refunded,
      ]);
    });

    it("after the deadline a milestone whose condition holds can still be refunded (first come)", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await time.increaseTo(f.t0 + 30 * DAY + 1);
      await expect(f.escrow.connect(f.payer).refund(f.id, 0)).to.changeTokenBalance(f.token, f.payer, M0);
    });

    it("refuses a double refund and a refund after the release (EscrowMilestoneNotPending)", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await f.escrow.connect(f.keeper).release(f.id, 0);
      await time.increaseTo(f.t0 + 60 * DAY + 1);
      await f.escrow.connect(f.keeper).refund(f.id, 1);
      await expect(f.escrow.connect(f.keeper).refund(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
        .withArgs(f.id, 0, MS.Released);
      await expect(f.escrow.connect(f.keeper).refund(f.id, 1))
        .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
        .withArgs(f.id, 1, MS.Refunded);
    });

    it("the last refund closes the agreement: released + refunded = total, nothing left", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 1, Attest.Accepted, 2);
      await time.increaseTo(f.t0 + 10 * DAY);
      await f.escrow.connect(f.keeper).release(f.id, 1);
      await time.increaseTo(f.t0 + 90 * DAY + 1);
      await f.escrow.connect(f.keeper).refund(f.id, 0);
      await expect(f.escrow.connect(f.keeper).refund(f.id, 2)).to.emit(f.escrow, "AgreementClosed").withArgs(f.id);
      const v = await f.escrow.agreementOf(f.id);
      expect([v.status, v.released, v.refunded]).to.deep.equal([AS.Closed, M1, M0 + M2]);
      expect(await balances(f, [f.escrowAddress, f.payer.address])).to.deep.equal([0n, FUNDS - M1]);
    });
  });

  describe("cancel", function () {
    it("needs the payer and every payee with a pending milestone; the last consent refunds everything", async function () {
      const f = await loadFixture(deployAgreement);
      const until = await consentUntil();
      await expect(f.escrow.connect(f.payer).cancel(f.id, until))
        .to.emit(f.escrow, "CancelConsented")
        .withArgs(f.id, f.payer.address, until)
        .and.not.to.emit(f.escrow, "AgreementCancelled");
      await expect(f.escrow.connect(f.payees[0]).cancel(f.id, await consentUntil())).not.to.emit(
        f.escrow,
        "AgreementCancelled",
      );
      expect((await f.escrow.agreementOf(f.id)).status).to.equal(AS.Active);
      const tx = f.escrow.connect(f.payees[1]).cancel(f.id, until);
      await expect(tx).to.emit(f.escrow, "CancelConsented").withArgs(f.id, f.payees[1].address, until);
      for (const [i, amount] of [M0, M1, M2].entries()) {
        await expect(tx).to.emit(f.escrow, "MilestoneRefunded").withArgs(f.id, i, f.payer.address, amount);
      }
      await expect(tx).to.emit(f.escrow, "AgreementCancelled").withArgs(f.id, TOTAL);
      await expect(tx).to.changeTokenBalances(f.token, [f.escrow, f.payer], [-TOTAL, TOTAL]);
      const v = await f.escrow.agreementOf(f.id);
      expect([v.status, v.released, v.refunded]).to.deep.equal([AS.Cancelled, 0n, TOTAL]);
      expect(v.milestones.map((m) => m.status)).to.deep.equal([MS.Refunded, MS.Refunded, MS.Refunded]);
    });

    it("consents in any order: payees first, the payer last", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payees[1]).cancel(f.id, await consentUntil());
      await f.escrow.connect(f.payees[0]).cancel(f.id, await consentUntil());
      await expect(f.escrow.connect(f.payer).cancel(f.id, await consentUntil()))
        .to.emit(f.escrow, "AgreementCancelled")
        .withArgs(f.id, TOTAL);
    });

    it("refunds only the pending milestones; a payee with nothing pending neither needs to nor can consent", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 1, Attest.Accepted, 2);
      await time.increaseTo(f.t0 + 10 * DAY);
      await f.escrow.connect(f.keeper).release(f.id, 1);
      await expect(f.escrow.connect(f.payees[1]).cancel(f.id, await consentUntil()))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNotParty")
        .withArgs(f.id, f.payees[1].address);
      await f.escrow.connect(f.payees[0]).cancel(f.id, await consentUntil());
      const tx = f.escrow.connect(f.payer).cancel(f.id, await consentUntil());
      await expect(tx)
        .to.emit(f.escrow, "AgreementCancelled")
        .withArgs(f.id, M0 + M2);
      await expect(tx).not.to.emit(f.escrow, "AgreementClosed");
      await expect(tx).to.changeTokenBalance(f.token, f.payer, M0 + M2);
      const v = await f.escrow.agreementOf(f.id);
      expect([v.status, v.released, v.refunded]).to.deep.equal([AS.Cancelled, M1, M0 + M2]);
    });

    it("is refused while a milestone is disputed (EscrowDisputeOpen), even as a consent", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payer).cancel(f.id, await consentUntil());
      await f.escrow.connect(f.payees[1]).dispute(f.id, 1, EVIDENCE);
      for (const who of [f.payer, f.payees[0], f.payees[1]]) {
        await expect(f.escrow.connect(who).cancel(f.id, await consentUntil()))
          .to.be.revertedWithCustomError(f.escrow, "EscrowDisputeOpen")
          .withArgs(f.id, 1);
      }
    });

    it("is refused for anyone else: keeper, arbiter, attestor (EscrowNotParty), a non-member (RegistryNotMember)", async function () {
      const f = await loadFixture(deployAgreement);
      for (const who of [f.keeper, f.arbiter, f.attestors[0]]) {
        await expect(f.escrow.connect(who).cancel(f.id, await consentUntil()))
          .to.be.revertedWithCustomError(f.escrow, "EscrowNotParty")
          .withArgs(f.id, who.address);
      }
      await expect(f.escrow.connect(f.outsider).cancel(f.id, await consentUntil()))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
    });

    it("a consent must expire after now and within 30 days (EscrowInvalidConsentExpiry); cancelConsentOf shows it", async function () {
      const f = await loadFixture(deployAgreement);
      for (const offset of [-1, 0, 30 * DAY + 1]) {
        const now = (await time.latest()) + 1;
        await time.setNextBlockTimestamp(now);
        await expect(f.escrow.connect(f.payer).cancel(f.id, now + offset))
          .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidConsentExpiry")
          .withArgs(now + offset, now + 30 * DAY);
      }
      const now = (await time.latest()) + 1;
      const latest = now + 30 * DAY;
      await time.setNextBlockTimestamp(now);
      await f.escrow.connect(f.payer).cancel(f.id, latest);
      expect(await f.escrow.cancelConsentOf(f.id, f.payer.address)).to.equal(BigInt(latest));
      expect(await f.escrow.cancelConsentOf(f.id, f.payees[0].address)).to.equal(0n);
    });

    it("revokeCancel needs a live consent (EscrowNoCancelConsent: never given, expired, already revoked)", async function () {
      const f = await loadFixture(deployAgreement);
      await expect(f.escrow.connect(f.payees[0]).revokeCancel(f.id))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNoCancelConsent")
        .withArgs(f.id, f.payees[0].address);
      const until = await consentUntil();
      await f.escrow.connect(f.payees[0]).cancel(f.id, until);
      await f.escrow.connect(f.payees[1]).cancel(f.id, until);
      await expect(f.escrow.connect(f.payees[0]).revokeCancel(f.id))
        .to.emit(f.escrow, "CancelConsentRevoked")
        .withArgs(f.id, f.payees[0].address);
      expect(await f.escrow.cancelConsentOf(f.id, f.payees[0].address)).to.equal(0n);
      await expect(f.escrow.connect(f.payees[0]).revokeCancel(f.id)).to.be.revertedWithCustomError(
        f.escrow,
        "EscrowNoCancelConsent",
      );
      await time.increaseTo(until + 1);
      await expect(f.escrow.connect(f.payees[1]).revokeCancel(f.id))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNoCancelConsent")
        .withArgs(f.id, f.payees[1].address);
    });

    it("a suspended payee can still revoke its consent (no registry check)", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.connect(f.payees[0]).cancel(f.id, await consentUntil());
      await f.registry.suspendMember(f.payees[0].address);
      await expect(f.escrow.connect(f.payees[0]).revokeCancel(f.id)).to.emit(f.escrow, "CancelConsentRevoked");
    });

    it("when every pending milestone is due, consents refund nothing and emit no cancellation", async function () {
      const f = await loadFixture(deployAgreement);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [milestone(f.payees[0].address, 5n, f.t0 + DAY, [notBefore(0)])],
      });
      await f.escrow.connect(f.payees[0]).cancel(id, await consentUntil());
      const tx = f.escrow.connect(f.payer).cancel(id, await consentUntil());
      await expect(tx).not.to.emit(f.escrow, "AgreementPartlyCancelled");
      await expect(tx).not.to.emit(f.escrow, "AgreementCancelled");
      await expect(tx).to.changeTokenBalance(f.token, f.payer, 0n);
      await expect(f.escrow.connect(f.keeper).release(id, 0)).to.changeTokenBalance(f.token, f.payees[0], 5n);
    });

    it("leaves a cancelled agreement inert (EscrowAgreementNotActive … Cancelled everywhere)", async function () {
      const f = await loadFixture(deployAgreement);
      for (const who of [f.payer, f.payees[0], f.payees[1]])
        await f.escrow.connect(who).cancel(f.id, await consentUntil());
      await time.increaseTo(f.t0 + 91 * DAY);
      const calls = [
        async () => f.escrow.connect(f.payer).cancel(f.id, await consentUntil()),
        () => f.escrow.connect(f.keeper).release(f.id, 0),
        () => f.escrow.connect(f.keeper).refund(f.id, 0),
        () => f.escrow.connect(f.payer).dispute(f.id, 0, EVIDENCE),
        () => f.escrow.connect(f.attestors[0]).attest(f.id, 0, Attest.Delivered, EVIDENCE),
        () => f.escrow.connect(f.arbiter).resolve(f.id, 0, 5_000),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(f.escrow, "EscrowAgreementNotActive")
          .withArgs(f.id, AS.Cancelled);
      }
    });
  });
});
