/** The arbiter must be able to act (an active member) and must not be a party to the agreement. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployEscrow, standardTerms } from "./helpers";

describe("ConditionalEscrow — arbiter", () => {
  it("refuses the payer or a payee as arbiter", async () => {
    const f = await loadFixture(deployEscrow);
    const now = await time.latest();
    const asPayer = { ...standardTerms(f, now), arbiter: f.payer.address };
    await expect(f.escrow.connect(f.payer).createAgreement(asPayer))
      .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidTerms")
      .withArgs("arbiter");
    const asPayee = { ...standardTerms(f, now), arbiter: f.payees[1].address };
    await expect(f.escrow.connect(f.payer).createAgreement(asPayee))
      .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidTerms")
      .withArgs("arbiter");
  });

  it("refuses an arbiter that is not an active member (it could never resolve a dispute)", async () => {
    const f = await loadFixture(deployEscrow);
    const now = await time.latest();
    const outsider = (await ethers.getSigners())[19];
    const terms = { ...standardTerms(f, now), arbiter: outsider.address };
    await expect(f.escrow.connect(f.payer).createAgreement(terms))
      .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
      .withArgs(outsider.address);
  });
});
