/**
 * ConditionalEscrow and the registry: a party suspended or sanctioned mid-agreement cannot be paid
 * (the token refuses the transfer with the registry's error) and the milestone stays where it is,
 * funds in the escrow; once reinstated, the same call goes through.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  AS,
  Attest,
  attestBy,
  DAY,
  deployAgreement,
  EVIDENCE,
  impair,
  M0,
  M1,
  MS,
  restore,
  standardTerms,
  TOTAL,
  type AgreementFixture,
  consentUntil,
} from "./helpers";

/** Escrow balance, the milestone's status, and the agreement's released and refunded. */
async function snapshot(f: AgreementFixture, index: number): Promise<[bigint, bigint, bigint, bigint]> {
  const v = await f.escrow.agreementOf(f.id);
  return [await f.token.balanceOf(f.escrowAddress), v.milestones[index].status, v.released, v.refunded];
}

describe("ConditionalEscrow — parties suspended or sanctioned mid-agreement", function () {
  for (const how of ["suspended", "sanctioned"] as const) {
    describe(how, function () {
      it(`payee ${how}: release reverts with the registry's error and the funds stay; reinstated, release pays`, async function () {
        const f = await loadFixture(deployAgreement);
        await attestBy(f, f.id, 0, Attest.Delivered, 2);
        const err = await impair(f, f.payees[0].address, how);
        await expect(f.escrow.connect(f.keeper).release(f.id, 0))
          .to.be.revertedWithCustomError(f.registry, err.name)
          .withArgs(...err.args);
        expect(await snapshot(f, 0)).to.deep.equal([TOTAL, MS.Pending, 0n, 0n]);
        await restore(f, f.payees[0].address, how);
        await expect(f.escrow.connect(f.keeper).release(f.id, 0))
          .to.emit(f.escrow, "MilestoneReleased")
          .withArgs(f.id, 0, f.payees[0].address, M0);
        expect(await snapshot(f, 0)).to.deep.equal([TOTAL - M0, MS.Released, M0, 0n]);
      });

      it(`payee ${how}: after the deadline the payer can still take the milestone back by refund`, async function () {
        const f = await loadFixture(deployAgreement);
        await impair(f, f.payees[0].address, how);
        await time.increaseTo(f.t0 + 30 * DAY + 1);
        await expect(f.escrow.connect(f.payer).refund(f.id, 0)).to.changeTokenBalance(f.token, f.payer, M0);
      });

      it(`payer ${how}: refund reverts with the registry's error and the funds stay; reinstated, refund pays`, async function () {
        const f = await loadFixture(deployAgreement);
        await time.increaseTo(f.t0 + 30 * DAY + 1);
        const err = await impair(f, f.payer.address, how);
        await expect(f.escrow.connect(f.keeper).refund(f.id, 0))
          .to.be.revertedWithCustomError(f.registry, err.name)
          .withArgs(...err.args);
        expect(await snapshot(f, 0)).to.deep.equal([TOTAL, MS.Pending, 0n, 0n]);
        await restore(f, f.payer.address, how);
        await expect(f.escrow.connect(f.keeper).refund(f.id, 0))
          .to.emit(f.escrow, "MilestoneRefunded")
          .withArgs(f.id, 0, f.payer.address, M0);
        expect(await snapshot(f, 0)).to.deep.equal([TOTAL - M0, MS.Refunded, 0n, M0]);
      });

      it(`payer ${how}: releases to active payees still go through (the payer is not involved)`, async function () {
        const f = await loadFixture(deployAgreement);
        await attestBy(f, f.id, 0, Attest.Delivered, 2);
        await impair(f, f.payer.address, how);
        await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], M0);
      });

      it(`payer ${how}: a split paying the payer reverts; one paying the payer nothing goes through`, async function () {
        const f = await loadFixture(deployAgreement);
        await f.escrow.connect(f.payees[1]).dispute(f.id, 1, EVIDENCE);
        const err = await impair(f, f.payer.address, how);
        await expect(f.escrow.connect(f.arbiter).resolve(f.id, 1, 9_999))
          .to.be.revertedWithCustomError(f.registry, err.name)
          .withArgs(...err.args);
        expect(await snapshot(f, 1)).to.deep.equal([TOTAL, MS.Disputed, 0n, 0n]);
        await expect(f.escrow.connect(f.arbiter).resolve(f.id, 1, 10_000)).to.changeTokenBalance(
          f.token,
          f.payees[1],
          M1,
        );
      });

      it(`payee ${how}: a cancellation refunding the payer still goes through with the payee's earlier consent`, async function () {
        const f = await loadFixture(deployAgreement);
        await f.escrow.connect(f.payees[1]).cancel(f.id, await consentUntil());
        await f.escrow.connect(f.payees[0]).cancel(f.id, await consentUntil());
        const err = await impair(f, f.payees[1].address, how);
        // …but the payee itself can no longer act.
        await expect(f.escrow.connect(f.payees[1]).dispute(f.id, 1, EVIDENCE))
          .to.be.revertedWithCustomError(f.registry, err.name)
          .withArgs(...err.args);
        await expect(f.escrow.connect(f.payer).cancel(f.id, await consentUntil())).to.changeTokenBalance(
          f.token,
          f.payer,
          TOTAL,
        );
      });

      it(`the escrow itself ${how}: nothing moves in or out (registry error) until it is reinstated`, async function () {
        const f = await loadFixture(deployAgreement);
        await attestBy(f, f.id, 0, Attest.Delivered, 2);
        const err = await impair(f, f.escrowAddress, how);
        await expect(f.escrow.connect(f.keeper).release(f.id, 0))
          .to.be.revertedWithCustomError(f.registry, err.name)
          .withArgs(...err.args);
        await expect(f.escrow.connect(f.payer).createAgreement(standardTerms(f, await time.latest())))
          .to.be.revertedWithCustomError(f.registry, err.name)
          .withArgs(...err.args);
        await restore(f, f.escrowAddress, how);
        await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], M0);
      });
    });
  }

  it("a payee removed from the consortium is never paid; the payer refunds after the deadline", async function () {
    const f = await loadFixture(deployAgreement);
    await attestBy(f, f.id, 0, Attest.Delivered, 2);
    const receipt = await (await f.registry.removeMember(f.payees[0].address)).wait();
    await expect(f.escrow.connect(f.keeper).release(f.id, 0))
      .to.be.revertedWithCustomError(f.registry, "RegistryMemberRemoved")
      .withArgs(f.payees[0].address, receipt?.blockNumber);
    await time.increaseTo(f.t0 + 30 * DAY + 1);
    await expect(f.escrow.connect(f.keeper).refund(f.id, 0)).to.changeTokenBalance(f.token, f.payer, M0);
  });

  it("a suspended caller cannot trigger anything; an active one can, for the same milestone", async function () {
    const f = await loadFixture(deployAgreement);
    await attestBy(f, f.id, 0, Attest.Delivered, 2);
    const err = await impair(f, f.keeper.address, "suspended");
    await expect(f.escrow.connect(f.keeper).release(f.id, 0))
      .to.be.revertedWithCustomError(f.registry, err.name)
      .withArgs(...err.args);
    await expect(f.escrow.connect(f.payees[1]).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], M0);
  });

  it("while the registry is paused every escrow call reverts (EnforcedPause); afterwards all resumes", async function () {
    const f = await loadFixture(deployAgreement);
    await attestBy(f, f.id, 0, Attest.Delivered, 2);
    await f.registry.pause();
    for (const call of [
      () => f.escrow.connect(f.keeper).release(f.id, 0),
      () => f.escrow.connect(f.payer).dispute(f.id, 1, EVIDENCE),
      async () => f.escrow.connect(f.payer).cancel(f.id, await consentUntil()),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(f.registry, "EnforcedPause");
    }
    await f.registry.unpause();
    await f.escrow.connect(f.keeper).release(f.id, 0);
    expect((await f.escrow.agreementOf(f.id)).status).to.equal(AS.Active);
  });
});
