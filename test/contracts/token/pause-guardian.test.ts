/** SettlementToken: the guardian and the emergency pause. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployToken } from "../../helpers/fixtures";
import { fundedToken, INITIAL_BALANCE, signPermit } from "./helpers";

describe("SettlementToken", function () {
  describe("guardian and pause", function () {
    it("setGuardian is owner-only and emits GuardianChanged(previous, new)", async function () {
      const { token, owner, banks, outsider } = await loadFixture(deployToken);
      const [guardian, guardian2] = banks;
      await expect(token.connect(outsider).setGuardian(guardian.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.connect(owner).setGuardian(guardian.address))
        .to.emit(token, "GuardianChanged")
        .withArgs(ethers.ZeroAddress, guardian.address);
      expect(await token.guardian()).to.equal(guardian.address);
      await expect(token.connect(guardian).setGuardian(guardian2.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(guardian.address);
      await expect(token.setGuardian(guardian2.address))
        .to.emit(token, "GuardianChanged")
        .withArgs(guardian.address, guardian2.address);
      await expect(token.setGuardian(ethers.ZeroAddress))
        .to.emit(token, "GuardianChanged")
        .withArgs(guardian2.address, ethers.ZeroAddress);
      expect(await token.guardian()).to.equal(ethers.ZeroAddress);
    });

    it("the owner can pause: Paused(owner)", async function () {
      const { token, owner } = await loadFixture(deployToken);
      await expect(token.connect(owner).pause()).to.emit(token, "Paused").withArgs(owner.address);
      expect(await token.paused()).to.equal(true);
    });

    it("the guardian can pause: Paused(guardian)", async function () {
      const { token, outsider } = await loadFixture(deployToken);
      await token.setGuardian(outsider.address);
      await expect(token.connect(outsider).pause()).to.emit(token, "Paused").withArgs(outsider.address);
      expect(await token.paused()).to.equal(true);
    });

    it("reverts with TokenUnauthorizedPauser for anyone else, including a replaced guardian", async function () {
      const { token, operator, banks, outsider } = await loadFixture(deployToken);
      for (const caller of [operator, banks[0], outsider]) {
        await expect(token.connect(caller).pause())
          .to.be.revertedWithCustomError(token, "TokenUnauthorizedPauser")
          .withArgs(caller.address);
      }
      await token.setGuardian(banks[0].address);
      await token.setGuardian(banks[1].address);
      await expect(token.connect(banks[0]).pause())
        .to.be.revertedWithCustomError(token, "TokenUnauthorizedPauser")
        .withArgs(banks[0].address);
      expect(await token.paused()).to.equal(false);
    });

    it("reverts with EnforcedPause when pausing twice", async function () {
      const { token } = await loadFixture(deployToken);
      await token.pause();
      await expect(token.pause()).to.be.revertedWithCustomError(token, "EnforcedPause");
    });

    it("blocks transfer, transferFrom, mint and burn with EnforcedPause", async function () {
      const { token, operator, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 1_000n);
      await token.connect(banks[0]).approve(operator.address, 1_000n);
      await token.pause();
      await expect(token.connect(banks[0]).transfer(banks[1].address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      await expect(
        token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 1n),
      ).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.connect(operator).mint(banks[0].address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      await expect(token.connect(operator).burn(banks[0].address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      // The pause is checked before the registry is asked.
      await expect(token.connect(banks[0]).transfer(outsider.address, 1n)).to.be.revertedWithCustomError(
        token,
        "EnforcedPause",
      );
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
      expect(await token.totalSupply()).to.equal(4n * INITIAL_BALANCE);
    });

    it("still allows approve and permit while paused", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await token.pause();
      await token.connect(banks[0]).approve(banks[1].address, 10n);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, banks[2], banks[3].address, 20n, deadline);
      await token.permit(banks[2].address, banks[3].address, 20n, deadline, sig.v, sig.r, sig.s);
      expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(10n);
      expect(await token.allowance(banks[2].address, banks[3].address)).to.equal(20n);
    });

    it("only the owner can unpause: Unpaused(owner), then transfers resume", async function () {
      const { token, owner, banks, outsider } = await loadFixture(fundedToken);
      await token.setGuardian(outsider.address);
      await token.connect(outsider).pause();
      await expect(token.connect(outsider).unpause())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.connect(banks[0]).unpause())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(banks[0].address);
      await expect(token.connect(owner).unpause()).to.emit(token, "Unpaused").withArgs(owner.address);
      expect(await token.paused()).to.equal(false);
      await token.connect(banks[0]).transfer(banks[1].address, 1n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 1n);
    });

    it("reverts with ExpectedPause when unpausing an unpaused token", async function () {
      const { token } = await loadFixture(deployToken);
      await expect(token.unpause()).to.be.revertedWithCustomError(token, "ExpectedPause");
    });
  });
});
