/**
 * ConditionalEscrow: the three findings of the independent review (issue 15), each replayed as the
 * attack it describes and shown refused.
 *  1. an attestor suspended, sanctioned or removed signs offline and someone submits it;
 *  2. a payee's cancel consent given during a renegotiation is used weeks later, after delivery;
 *  3. the purchase-order template's carrier attests both "delivered" and "accepted".
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { toOnChainTerms } from "../../../packages/sdk/src/payments";
import { agreementFromTemplate } from "../../../packages/sdk/src/node/templates";
import {
  Attest,
  attestBy,
  DAY,
  deployAgreement,
  deployEscrow,
  EVIDENCE,
  M0,
  M1,
  M2,
  MS,
  AS,
  signAttestation,
  type AgreementTerms,
} from "./helpers";

describe("ConditionalEscrow — review findings (issue 15)", function () {
  describe("1. signers are screened like on-chain attestors", function () {
    for (const how of ["suspended", "sanctioned", "removed"] as const) {
      it(`an attestor ${how} after signing offline: the submission is refused, nothing recorded`, async function () {
        const f = await loadFixture(deployAgreement);
        const [good, bad] = f.attestors;
        const deadline = (await time.latest()) + DAY;
        const message = { agreement: f.id, milestone: 0, kind: Attest.Delivered, evidenceHash: EVIDENCE, deadline };
        const sigs = await Promise.all([good, bad].map((s) => signAttestation(f, s, message)));
        let error: [string, unknown[]];
        if (how === "sanctioned") {
          await f.registry.addSanction(bad.address, 9);
          error = ["RegistryAccountSanctioned", [bad.address, 9]];
        } else {
          const r = await (
            await (how === "suspended" ? f.registry.suspendMember(bad.address) : f.registry.removeMember(bad.address))
          ).wait();
          error = [
            how === "suspended" ? "RegistryMemberSuspended" : "RegistryMemberRemoved",
            [bad.address, r!.blockNumber],
          ];
        }
        await expect(
          f.escrow.connect(f.keeper).submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, [
            { signer: good.address, deadline, signature: sigs[0] },
            { signer: bad.address, deadline, signature: sigs[1] },
          ]),
        )
          .to.be.revertedWithCustomError(f.registry, error[0])
          .withArgs(...error[1]);
        expect((await f.escrow.agreementOf(f.id)).milestones[0].attestedBy[0]).to.equal(0n);
        await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.be.revertedWithCustomError(
          f.escrow,
          "EscrowConditionNotMet",
        );
      });
    }

    it("a signature past its deadline is refused (EscrowAttestationExpired)", async function () {
      const f = await loadFixture(deployAgreement);
      const deadline = (await time.latest()) + DAY;
      const message = { agreement: f.id, milestone: 0, kind: Attest.Delivered, evidenceHash: EVIDENCE, deadline };
      const sig = await signAttestation(f, f.attestors[0], message);
      await time.increaseTo(deadline + 1);
      await expect(
        f.escrow
          .connect(f.keeper)
          .submitAttestations(f.id, 0, Attest.Delivered, EVIDENCE, [
            { signer: f.attestors[0].address, deadline, signature: sig },
          ]),
      )
        .to.be.revertedWithCustomError(f.escrow, "EscrowAttestationExpired")
        .withArgs(f.id, f.attestors[0].address, deadline);
    });
  });

  describe("2. cancel consent expires, can be revoked, and never takes back what is due", function () {
    it("the payees' consent of a renegotiation, used after delivery: the delivered milestone stays the payee's", async function () {
      const f = await loadFixture(deployAgreement);
      // Renegotiation: both payees consent to cancel (valid a week); it falls through.
      const until = (await time.latest()) + 7 * DAY;
      await f.escrow.connect(f.payees[0]).cancel(f.id, until);
      await f.escrow.connect(f.payees[1]).cancel(f.id, until);
      // Days later (still inside the consent's week) milestone 0 is delivered; the payer cancels.
      await time.increase(3 * DAY);
      await attestBy(f, f.id, 0, Attest.Delivered, 2);
      const tx = f.escrow.connect(f.payer).cancel(f.id, (await time.latest()) + DAY);
      await expect(tx).to.changeTokenBalance(f.token, f.payer, M1 + M2);
      await expect(tx)
        .to.emit(f.escrow, "AgreementPartlyCancelled")
        .withArgs(f.id, M1 + M2, 0b001);
      const v = await f.escrow.agreementOf(f.id);
      expect(v.milestones.map((m) => m.status)).to.deep.equal([MS.Pending, MS.Refunded, MS.Refunded]);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], M0);
      expect((await f.escrow.agreementOf(f.id)).status).to.equal(AS.Closed);
    });

    it("weeks later the consent has expired: the payer's cancel only records the payer's consent", async function () {
      const f = await loadFixture(deployAgreement);
      const until = (await time.latest()) + 7 * DAY;
      await f.escrow.connect(f.payees[0]).cancel(f.id, until);
      await f.escrow.connect(f.payees[1]).cancel(f.id, until);
      await time.increaseTo(until + 14 * DAY);
      await expect(f.escrow.connect(f.payer).cancel(f.id, (await time.latest()) + DAY)).not.to.emit(
        f.escrow,
        "AgreementCancelled",
      );
      expect((await f.escrow.agreementOf(f.id)).status).to.equal(AS.Active);
    });

    it("a revoked consent no longer counts", async function () {
      const f = await loadFixture(deployAgreement);
      const until = (await time.latest()) + 7 * DAY;
      await f.escrow.connect(f.payees[0]).cancel(f.id, until);
      await f.escrow.connect(f.payees[1]).cancel(f.id, until);
      await expect(f.escrow.connect(f.payees[1]).revokeCancel(f.id))
        .to.emit(f.escrow, "CancelConsentRevoked")
        .withArgs(f.id, f.payees[1].address);
      await expect(f.escrow.connect(f.payer).cancel(f.id, until)).not.to.emit(f.escrow, "AgreementCancelled");
    });
  });

  describe("3. attestation kinds are bound to their attestors (purchase-order template)", function () {
    async function purchaseOrder() {
      const f = await deployEscrow();
      const [carrier, qa] = f.attestors;
      const now = BigInt(await time.latest());
      const spec = agreementFromTemplate(
        "purchase-order",
        {
          reference: "PO-2026-118",
          supplier: f.payees[0].address,
          arbiter: f.arbiter.address,
          carrier: carrier.address,
          buyer_qa: qa.address,
          deposit: "2500.00",
          balance: "7500.00",
        },
        { now, decimals: Number(await f.token.decimals()) },
      );
      const terms = toOnChainTerms(spec, f.tokenAddress as `0x${string}`) as unknown as AgreementTerms;
      await f.escrow.connect(f.payer).createAgreement(terms);
      return { ...f, carrier, qa, id: await f.escrow.agreementCount() };
    }

    it("the carrier alone cannot attest acceptance: refused, and the balance is not releasable", async function () {
      const f = await loadFixture(purchaseOrder);
      await f.escrow.connect(f.carrier).attest(f.id, 1, Attest.Delivered, EVIDENCE);
      await expect(f.escrow.connect(f.carrier).attest(f.id, 1, Attest.Accepted, EVIDENCE))
        .to.be.revertedWithCustomError(f.escrow, "EscrowAttestorNotBound")
        .withArgs(f.id, 1, Attest.Accepted, f.carrier.address);
      expect(await f.escrow.conditionHolds(f.id, 1)).to.equal(false);
      await expect(f.escrow.connect(f.keeper).release(f.id, 1)).to.be.revertedWithCustomError(
        f.escrow,
        "EscrowConditionNotMet",
      );
    });

    it("nor can the buyer's QA attest delivery; carrier + QA together release the balance", async function () {
      const f = await loadFixture(purchaseOrder);
      await expect(f.escrow.connect(f.qa).attest(f.id, 1, Attest.Delivered, EVIDENCE))
        .to.be.revertedWithCustomError(f.escrow, "EscrowAttestorNotBound")
        .withArgs(f.id, 1, Attest.Delivered, f.qa.address);
      await f.escrow.connect(f.carrier).attest(f.id, 1, Attest.Delivered, EVIDENCE);
      await f.escrow.connect(f.qa).attest(f.id, 1, Attest.Accepted, EVIDENCE);
      await expect(f.escrow.connect(f.keeper).release(f.id, 1)).to.changeTokenBalance(f.token, f.payees[0], 750_000n);
    });
  });
});
