/** SettlementToken: allowances (transferFrom, approve) and EIP-2612 permit. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { fundedToken, impair, IMPAIRMENTS, INITIAL_BALANCE, signPermit, startNextDay } from "./helpers";

describe("SettlementToken", function () {
  describe("transferFrom", function () {
    it("lets an active member spend an allowance; the outflow is the owner's", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [from, spender, to] = banks;
      const day = await startNextDay();
      await token.connect(from).approve(spender.address, 1_000n);
      await expect(token.connect(spender).transferFrom(from.address, to.address, 600n))
        .to.emit(token, "Transfer")
        .withArgs(from.address, to.address, 600n)
        .and.to.emit(token, "Outflow")
        .withArgs(from.address, day, 600n, 600n);
      expect(await token.allowance(from.address, spender.address)).to.equal(400n);
      expect(await token.balanceOf(from.address)).to.equal(INITIAL_BALANCE - 600n);
      expect(await token.balanceOf(to.address)).to.equal(INITIAL_BALANCE + 600n);
      expect(await token.balanceOf(spender.address)).to.equal(INITIAL_BALANCE);
      expect(await token.outflowToday(from.address)).to.deep.equal([day, 600n]);
      expect(await token.outflowToday(spender.address)).to.deep.equal([day, 0n]);
    });

    it("lets a corporate member spend an allowance", async function () {
      const { token, banks, corporate } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(corporate.address, 100n);
      await token.connect(corporate).transferFrom(banks[0].address, corporate.address, 100n);
      expect(await token.balanceOf(corporate.address)).to.equal(100n);
      expect(await token.allowance(banks[0].address, corporate.address)).to.equal(0n);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the spender is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 1_000n);
        const expected = await impair(registry, banks[1].address, how);
        await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(1_000n);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
      });

      it(`reverts with the registry error when the owner is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 1_000n);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
      });

      it(`reverts with the registry error when the recipient is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 1_000n);
        const expected = await impair(registry, banks[2].address, how);
        await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[2].address)).to.equal(INITIAL_BALANCE);
      });
    }

    it("reverts with RegistryNotMember for an outsider spender, even for zero value", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(outsider.address, 1_000n);
      await expect(token.connect(outsider).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      await expect(token.connect(outsider).transferFrom(banks[0].address, banks[1].address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      expect(await token.allowance(banks[0].address, outsider.address)).to.equal(1_000n);
    });

    it("reverts with RegistryNotMember for an outsider recipient", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 1_000n);
      await expect(token.connect(banks[1]).transferFrom(banks[0].address, outsider.address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with ERC20InsufficientAllowance above the allowance", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 99n);
      await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(banks[1].address, 99n, 100n);
    });

    it("applies the owner's limits, not the spender's", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await registry.setLimits(banks[0].address, 50n, 50n);
      await token.connect(banks[0]).approve(banks[1].address, 1_000n);
      await expect(token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 51n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(banks[0].address, 51n, 50n);
      await token.connect(banks[1]).transferFrom(banks[0].address, banks[2].address, 50n);
      expect(await token.balanceOf(banks[2].address)).to.equal(INITIAL_BALANCE + 50n);
    });

    it("from == msg.sender still spends an allowance to oneself", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(banks[0].address, 0n, 100n);
      await token.connect(banks[0]).approve(banks[0].address, 300n);
      await expect(token.connect(banks[0]).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.emit(token, "Transfer")
        .withArgs(banks[0].address, banks[1].address, 100n);
      expect(await token.allowance(banks[0].address, banks[0].address)).to.equal(200n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 100n);
    });

    it("from == msg.sender is still screened as the sender", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[0].address, 300n);
      const expected = await impair(registry, banks[0].address, "suspended");
      await expect(token.connect(banks[0]).transferFrom(banks[0].address, banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    });
  });

  describe("approve", function () {
    it("sets the allowance and emits Approval", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      expect(await token.connect(banks[0]).approve.staticCall(banks[1].address, 1n)).to.equal(true);
      await expect(token.connect(banks[0]).approve(banks[1].address, 5_000n))
        .to.emit(token, "Approval")
        .withArgs(banks[0].address, banks[1].address, 5_000n);
      expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(5_000n);
      await token.connect(banks[0]).approve(banks[1].address, 0n);
      expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(0n);
    });

    it("does not screen the spender when approving (it is screened when spending)", async function () {
      const { token, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(outsider.address, 5_000n);
      expect(await token.allowance(banks[0].address, outsider.address)).to.equal(5_000n);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the owner is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(banks[0]).approve(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(0n);
      });
    }

    it("reverts with RegistryNotMember when the owner is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await expect(token.connect(outsider).approve(banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    for (const state of ["suspended", "sanctioned"] as const) {
      it(`lets a ${state} owner revoke an earlier allowance (value 0) but not raise one`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(banks[1].address, 100n);
        const expected = await impair(registry, banks[0].address, state);
        await expect(token.connect(banks[0]).approve(banks[1].address, 1n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        await expect(token.connect(banks[0]).approve(banks[1].address, 0n))
          .to.emit(token, "Approval")
          .withArgs(banks[0].address, banks[1].address, 0n);
        expect(await token.allowance(banks[0].address, banks[1].address)).to.equal(0n);
      });
    }

    it("reverts with ERC20InvalidSpender for the zero address", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).approve(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("permit", function () {
    it("sets the allowance from the owner's signature, submitted by anyone, and bumps the nonce", async function () {
      const { token, banks, outsider } = await loadFixture(fundedToken);
      const [owner, spender] = banks;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, owner, spender.address, 777n, deadline);
      expect(await token.nonces(owner.address)).to.equal(0n);
      await expect(token.connect(outsider).permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(owner.address, spender.address, 777n);
      expect(await token.allowance(owner.address, spender.address)).to.equal(777n);
      expect(await token.nonces(owner.address)).to.equal(1n);
    });

    it("reverts with ERC2612InvalidSigner when a signature is replayed", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [owner, spender] = banks;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, owner, spender.address, 777n, deadline);
      await token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s);
      await expect(token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(anyValue, owner.address);
    });

    it("reverts with ERC2612ExpiredSignature after the deadline", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [owner, spender] = banks;
      const deadline = BigInt(await time.latest()) + 10n;
      const sig = await signPermit(token, owner, spender.address, 777n, deadline);
      await time.increaseTo(deadline + 1n);
      await expect(token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await token.nonces(owner.address)).to.equal(0n);
    });

    it("reverts with ERC2612InvalidSigner when signed by someone else", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [owner, spender, thief] = banks;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, owner, thief.address, 777n, deadline, thief);
      await expect(token.permit(owner.address, thief.address, 777n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(thief.address, owner.address);
      expect(await token.allowance(owner.address, thief.address)).to.equal(0n);
      expect(spender.address).to.not.equal(thief.address);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the owner is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const [owner, spender] = banks;
        const deadline = BigInt(await time.latest()) + 3_600n;
        const sig = await signPermit(token, owner, spender.address, 777n, deadline);
        const expected = await impair(registry, owner.address, how);
        await expect(token.permit(owner.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.nonces(owner.address)).to.equal(0n);
        expect(await token.allowance(owner.address, spender.address)).to.equal(0n);
      });
    }
  });
});
