/** ConditionalEscrow: on-chain attestations (k of n), dates, and ALL / ANY combinations. */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  AS,
  Attest,
  attestBy,
  attested,
  Combine,
  create,
  DAY,
  deployAgreement,
  EVIDENCE,
  impair,
  M0,
  M1,
  M2,
  milestone,
  MS,
  notBefore,
  standardTerms,
  type AgreementFixture,
} from "./helpers";

/** The view and agreementOf agree on whether a milestone's condition holds; returns it. */
async function holds(f: AgreementFixture, index: number, id = f.id): Promise<boolean> {
  const view = await f.escrow.conditionHolds(id, index);
  expect((await f.escrow.agreementOf(id)).milestones[index].conditionHolds).to.equal(view);
  return view;
}

async function expectNotMet(f: AgreementFixture, index: number, id = f.id): Promise<void> {
  expect(await holds(f, index, id)).to.equal(false);
  await expect(f.escrow.connect(f.keeper).release(id, index))
    .to.be.revertedWithCustomError(f.escrow, "EscrowConditionNotMet")
    .withArgs(id, index);
}

async function expectReleased(f: AgreementFixture, index: number, amount: bigint, id = f.id): Promise<void> {
  expect(await holds(f, index, id)).to.equal(true);
  const payee = (await f.escrow.agreementOf(id)).milestones[index].payee;
  const tx = f.escrow.connect(f.keeper).release(id, index);
  await expect(tx).to.emit(f.escrow, "MilestoneReleased").withArgs(id, index, payee, amount);
  await expect(tx).to.changeTokenBalances(f.token, [f.escrowAddress, payee], [-amount, amount]);
  expect((await f.escrow.agreementOf(id)).milestones[index].status).to.equal(MS.Released);
}

describe("ConditionalEscrow — conditions", function () {
  describe("ATTESTATION on chain (k of n)", function () {
    it("needs the threshold: 1 of 2 is not enough; the second attestation releases", async function () {
      const f = await loadFixture(deployAgreement);
      await expect(f.escrow.connect(f.attestors[2]).attest(f.id, 0, Attest.Delivered, EVIDENCE))
        .to.emit(f.escrow, "Attested")
        .withArgs(f.id, 0, f.attestors[2].address, Attest.Delivered, EVIDENCE);
      await expectNotMet(f, 0);
      await f.escrow.connect(f.attestors[0]).attest(f.id, 0, Attest.Delivered, EVIDENCE);
      expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy).to.deep.equal([0b101n, 0n, 0n]);
      await expectReleased(f, 0, M0);
    });

    it("counts an attestor once: attesting again emits nothing and adds nothing", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 1);
      await expect(f.escrow.connect(f.attestors[0]).attest(f.id, 0, Attest.Delivered, EVIDENCE)).not.to.emit(
        f.escrow,
        "Attested",
      );
      expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy).to.deep.equal([1n, 0n, 0n]);
      await expectNotMet(f, 0);
    });

    it("counts per kind and per milestone: another milestone's attestation does not count", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 1, Attest.Accepted, 3);
      expect((await f.escrow.agreementOf(f.id)).milestones[1].attestedBy).to.deep.equal([0n, 7n, 0n]);
      expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy).to.deep.equal([0n, 0n, 0n]);
      await expectNotMet(f, 0);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      await expectReleased(f, 0, M0);
    });

    it("refuses a kind the milestone does not ask for (EscrowAttestorNotBound), from every attestor", async function () {
      const f = await loadFixture(deployAgreement);
      for (const a of f.attestors) {
        await expect(f.escrow.connect(a).attest(f.id, 0, Attest.Accepted, EVIDENCE))
          .to.be.revertedWithCustomError(f.escrow, "EscrowAttestorNotBound")
          .withArgs(f.id, 0, Attest.Accepted, a.address);
      }
    });

    it("counts per agreement: the same attestors in agreement 2 start from zero", async function () {
      const f = await loadFixture(deployAgreement);
      const id2 = await create(f, standardTerms(f, await time.latest()));
      await attestBy(f, f.id, 0, Attest.Delivered, 3);
      await expectNotMet(f, 0, id2);
      await attestBy(f, id2, 0, Attest.Delivered, 2);
      await expectReleased(f, 0, M0, id2);
    });

    it("refuses a member that is not an attestor (EscrowNotAttestor) and a non-member (RegistryNotMember)", async function () {
      const f = await loadFixture(deployAgreement);
      for (const who of [f.keeper, f.payer, f.payees[0], f.arbiter, f.stranger]) {
        await expect(f.escrow.connect(who).attest(f.id, 0, Attest.Delivered, EVIDENCE))
          .to.be.revertedWithCustomError(f.escrow, "EscrowNotAttestor")
          .withArgs(f.id, who.address);
      }
      await expect(f.escrow.connect(f.outsider).attest(f.id, 0, Attest.Delivered, EVIDENCE))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
    });

    it("refuses an attestor suspended in the registry; its earlier attestation still counts", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 0, Attest.Delivered, 1);
      const err = await impair(f, f.attestors[1].address, "suspended");
      await expect(f.escrow.connect(f.attestors[1]).attest(f.id, 0, Attest.Delivered, EVIDENCE))
        .to.be.revertedWithCustomError(f.registry, err.name)
        .withArgs(...err.args);
      await f.escrow.connect(f.attestors[2]).attest(f.id, 0, Attest.Delivered, EVIDENCE);
      await expectReleased(f, 0, M0);
    });

    it("threshold 3 of 3 needs every attestor", async function () {
      const f = await loadFixture(deployAgreement);
      const now = await time.latest();
      const id = await create(f, {
        ...standardTerms(f, now),
        milestones: [milestone(f.payees[0].address, M0, now + DAY, [attested(Attest.Delivered, 0b111, 3)])],
      });
      await attestBy(f, id, 0, Attest.Delivered, 2);
      await expectNotMet(f, 0, id);
      await f.escrow.connect(f.attestors[2]).attest(id, 0, Attest.Delivered, EVIDENCE);
      await expectReleased(f, 0, M0, id);
    });
  });

  describe("ATTESTATION bound per condition (its own attestors and threshold)", function () {
    /** Delivered by attestor 0 alone (1 of {0}); Accepted by 2 of {1, 2}; both needed. */
    async function boundFixture() {
      const f = await deployAgreement();
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [
          milestone(f.payees[0].address, 9_000n, f.t0 + DAY, [
            attested(Attest.Delivered, 0b001, 1),
            attested(Attest.Accepted, 0b110, 2),
          ]),
        ],
      });
      return { ...f, id };
    }

    it("agreementOf shows each condition's attestors and threshold", async function () {
      const f = await loadFixture(boundFixture);
      const [c0, c1] = (await f.escrow.agreementOf(f.id)).milestones[0].conditions;
      expect([c0.attestorMask, c0.threshold, c1.attestorMask, c1.threshold]).to.deep.equal([1n, 1n, 6n, 2n]);
    });

    it("only the named attestors attest each kind; the others are refused (EscrowAttestorNotBound)", async function () {
      const f = await loadFixture(boundFixture);
      const [a0, a1, a2] = f.attestors;
      for (const [who, kind] of [
        [a1, Attest.Delivered],
        [a2, Attest.Delivered],
        [a0, Attest.Accepted],
      ] as const) {
        await expect(f.escrow.connect(who).attest(f.id, 0, kind, EVIDENCE))
          .to.be.revertedWithCustomError(f.escrow, "EscrowAttestorNotBound")
          .withArgs(f.id, 0, kind, who.address);
      }
      await f.escrow.connect(a0).attest(f.id, 0, Attest.Delivered, EVIDENCE);
      await f.escrow.connect(a1).attest(f.id, 0, Attest.Accepted, EVIDENCE);
      await expectNotMet(f, 0, f.id); // Accepted needs 2 of {1, 2}
      await f.escrow.connect(a2).attest(f.id, 0, Attest.Accepted, EVIDENCE);
      await expectReleased(f, 0, 9_000n, f.id);
    });

    it("two conditions of the same kind each count only their own attestors", async function () {
      const f = await loadFixture(deployAgreement);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [
          milestone(
            f.payees[0].address,
            10n,
            f.t0 + DAY,
            [attested(Attest.Delivered, 0b001, 1), attested(Attest.Delivered, 0b110, 2)],
            Combine.All,
          ),
        ],
      });
      await f.escrow.connect(f.attestors[1]).attest(id, 0, Attest.Delivered, EVIDENCE);
      await f.escrow.connect(f.attestors[2]).attest(id, 0, Attest.Delivered, EVIDENCE);
      await expectNotMet(f, 0, id); // attestor 0's condition is not met by 1 and 2
      await f.escrow.connect(f.attestors[0]).attest(id, 0, Attest.Delivered, EVIDENCE);
      await expectReleased(f, 0, 10n, id);
    });
  });

  describe("TIME", function () {
    async function timeFixture() {
      const f = await deployAgreement();
      const at = f.t0 + 5 * DAY;
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [milestone(f.payees[1].address, 7_000n, f.t0 + 6 * DAY, [notBefore(at)])],
      });
      return { ...f, id, at };
    }

    it("is not met a second before notBefore", async function () {
      const f = await loadFixture(timeFixture);
      await time.increaseTo(f.at - 10);
      expect(await holds(f, 0)).to.equal(false);
      await time.setNextBlockTimestamp(f.at - 1);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowConditionNotMet")
        .withArgs(f.id, 0);
    });

    it("releases at notBefore exactly, closing the agreement", async function () {
      const f = await loadFixture(timeFixture);
      await time.setNextBlockTimestamp(f.at);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0))
        .to.emit(f.escrow, "MilestoneReleased")
        .withArgs(f.id, 0, f.payees[1].address, 7_000n)
        .and.to.emit(f.escrow, "AgreementClosed")
        .withArgs(f.id);
      expect((await f.escrow.agreementOf(f.id)).status).to.equal(AS.Closed);
    });

    it("a notBefore in the past holds at once", async function () {
      const f = await loadFixture(deployAgreement);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [milestone(f.payees[0].address, 1n, f.t0 + DAY, [notBefore(0)])],
      });
      await expectReleased(f, 0, 1n, id);
    });
  });

  describe("ALL", function () {
    // Milestone 1: ALL(Accepted by 2 of 3, not before +10 d).
    it("is not met with neither, with only the attestations, or with only the date", async function () {
      const f = await loadFixture(deployAgreement);
      await expectNotMet(f, 1);
      await attestBy(f, f.id, 1, Attest.Accepted, 2);
      await expectNotMet(f, 1);
      const id2 = await create(f, standardTerms(f, f.t0));
      await time.increaseTo(f.t0 + 10 * DAY);
      await expectNotMet(f, 1, id2);
    });

    it("releases when both hold", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 1, Attest.Accepted, 2);
      await time.increaseTo(f.t0 + 10 * DAY);
      await expectReleased(f, 1, M1);
    });

    it("of four conditions needs all four (three attestation kinds and a date)", async function () {
      const f = await loadFixture(deployAgreement);
      const conds = [attested(Attest.Delivered), attested(Attest.Accepted), attested(Attest.InvoiceApproved)];
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [milestone(f.payees[0].address, 9n, f.t0 + 9 * DAY, [...conds, notBefore(f.t0 + 2 * DAY)])],
      });
      for (const kind of [Attest.Delivered, Attest.Accepted, Attest.InvoiceApproved]) {
        await attestBy(f, id, 0, kind, 2);
        await expectNotMet(f, 0, id);
      }
      await time.increaseTo(f.t0 + 2 * DAY);
      await expectReleased(f, 0, 9n, id);
    });
  });

  describe("ANY", function () {
    // Milestone 2: ANY(InvoiceApproved by 2 of 3, not before +80 d).
    it("is not met with neither (one attestation, before the date)", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 2, Attest.InvoiceApproved, 1);
      await time.increaseTo(f.t0 + 80 * DAY - 10);
      await expectNotMet(f, 2);
    });

    it("releases on the attestations alone", async function () {
      const f = await loadFixture(deployAgreement);
      await attestBy(f, f.id, 2, Attest.InvoiceApproved, 2);
      await expectReleased(f, 2, M2);
    });

    it("releases on the date alone", async function () {
      const f = await loadFixture(deployAgreement);
      await time.increaseTo(f.t0 + 80 * DAY);
      await expectReleased(f, 2, M2);
    });

    it("of one condition behaves as that condition", async function () {
      const f = await loadFixture(deployAgreement);
      const id = await create(f, {
        ...standardTerms(f, f.t0),
        milestones: [milestone(f.payees[0].address, 3n, f.t0 + DAY, [attested(Attest.Accepted)], Combine.Any)],
      });
      await attestBy(f, id, 0, Attest.Accepted, 1);
      await expectNotMet(f, 0, id);
      await attestBy(f, id, 0, Attest.Accepted, 2);
      await expectReleased(f, 0, 3n, id);
    });
  });
});
