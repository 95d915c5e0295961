/** SettlementToken: two-tier issuance (mint) and redemption (burn) by the operator. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BANK_DAILY_LIMIT, Role, deployToken } from "../../helpers/fixtures";
import { fundedToken, impair, IMPAIRMENTS, INITIAL_BALANCE, signPermit, startNextDay } from "./helpers";

describe("SettlementToken", function () {
  describe("mint", function () {
    it("issues to an active bank: balance, supply, Transfer and Issued events", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      const bank = banks[0];
      await expect(token.connect(operator).mint(bank.address, 12_345n))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, bank.address, 12_345n)
        .and.to.emit(token, "Issued")
        .withArgs(operator.address, bank.address, 12_345n);
      expect(await token.balanceOf(bank.address)).to.equal(12_345n);
      expect(await token.totalSupply()).to.equal(12_345n);
      await token.connect(operator).mint(bank.address, 5n);
      expect(await token.balanceOf(bank.address)).to.equal(12_350n);
      expect(await token.totalSupply()).to.equal(12_350n);
    });

    it("neither records issuance as the bank's outflow nor applies transfer limits to it", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      const day = await startNextDay();
      await expect(token.connect(operator).mint(banks[0].address, BANK_DAILY_LIMIT + 1n)).not.to.emit(token, "Outflow");
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 0n]);
      expect(await token.outflowToday(operator.address)).to.deep.equal([day, 0n]);
      expect(await token.balanceOf(banks[0].address)).to.equal(BANK_DAILY_LIMIT + 1n);
    });

    it("issues to a bank that holds other roles too", async function () {
      const { token, registry, operator, banks } = await loadFixture(deployToken);
      await registry.setRoles(banks[0].address, Role.MEMBER_BANK | Role.AUDITOR);
      await token.connect(operator).mint(banks[0].address, 1n);
      expect(await token.balanceOf(banks[0].address)).to.equal(1n);
    });

    it("reverts with RegistryNotMember when the caller is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(deployToken);
      await expect(token.connect(outsider).mint(banks[0].address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with RegistryMissingRole(caller, OPERATOR) for a member that is not an operator", async function () {
      const { token, registry, banks, corporate } = await loadFixture(deployToken);
      await expect(token.connect(banks[0]).mint(banks[0].address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(banks[0].address, Role.OPERATOR);
      await expect(token.connect(corporate).mint(banks[1].address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(corporate.address, Role.OPERATOR);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the operator is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(deployToken);
        const expected = await impair(registry, operator.address, how);
        await expect(token.connect(operator).mint(banks[0].address, 1n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.totalSupply()).to.equal(0n);
      });
    }

    it("reverts with TokenZeroAmount for a zero amount", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(banks[0].address, 0n)).to.be.revertedWithCustomError(
        token,
        "TokenZeroAmount",
      );
    });

    it("checks the operator before the amount", async function () {
      const { token, registry, banks } = await loadFixture(deployToken);
      await expect(token.connect(banks[0]).mint(banks[0].address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(banks[0].address, Role.OPERATOR);
    });

    it("reverts with RegistryMissingRole(recipient, MEMBER_BANK) for a corporate or operator recipient", async function () {
      const { token, registry, operator, corporate } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(corporate.address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(corporate.address, Role.MEMBER_BANK);
      await expect(token.connect(operator).mint(operator.address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(operator.address, Role.MEMBER_BANK);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the recipient bank is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(deployToken);
        const expected = await impair(registry, banks[1].address, how);
        await expect(token.connect(operator).mint(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[1].address)).to.equal(0n);
      });
    }

    it("issues again to a bank reinstated after a suspension", async function () {
      const { token, registry, operator, banks } = await loadFixture(deployToken);
      await registry.suspendMember(banks[1].address);
      await registry.reinstateMember(banks[1].address);
      await token.connect(operator).mint(banks[1].address, 100n);
      expect(await token.balanceOf(banks[1].address)).to.equal(100n);
    });

    it("reverts with RegistryNotMember for an outsider recipient", async function () {
      const { token, registry, operator, outsider } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(outsider.address, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with ERC20InvalidReceiver for the zero address", async function () {
      const { token, operator } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("cannot approach a supply overflow: the ceiling (at most 2^128 - 1 a day) and governance's 2^192 - 1 a day stop it", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      await expect(token.connect(operator).mint(banks[0].address, ethers.MaxUint256)).to.be.revertedWithCustomError(
        token,
        "TokenIssuanceCeilingExceeded",
      );
      await expect(token.mintBeyondCeiling(banks[0].address, ethers.MaxUint256))
        .to.be.revertedWithCustomError(token, "SafeCastOverflowedUintDowncast")
        .withArgs(192, ethers.MaxUint256);
      expect(await token.totalSupply()).to.equal(0n);
    });
  });

  describe("burn", function () {
    it("reverts with ERC20InsufficientAllowance without the bank's allowance", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      await expect(token.connect(operator).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(operator.address, 0n, 100n);
      await token.connect(banks[0]).approve(operator.address, 99n);
      await expect(token.connect(operator).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(operator.address, 99n, 100n);
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
    });

    it("redeems with an allowance: balance, supply, allowance, Transfer and Redeemed events", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const bank = banks[0];
      await token.connect(bank).approve(operator.address, 1_000n);
      await expect(token.connect(operator).burn(bank.address, 400n))
        .to.emit(token, "Transfer")
        .withArgs(bank.address, ethers.ZeroAddress, 400n)
        .and.to.emit(token, "Redeemed")
        .withArgs(operator.address, bank.address, 400n);
      expect(await token.balanceOf(bank.address)).to.equal(INITIAL_BALANCE - 400n);
      expect(await token.totalSupply()).to.equal(4n * INITIAL_BALANCE - 400n);
      expect(await token.allowance(bank.address, operator.address)).to.equal(600n);
    });

    it("does not decrease an unlimited allowance and does not record an outflow", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await token.connect(banks[0]).approve(operator.address, ethers.MaxUint256);
      await expect(token.connect(operator).burn(banks[0].address, INITIAL_BALANCE)).not.to.emit(token, "Outflow");
      expect(await token.allowance(banks[0].address, operator.address)).to.equal(ethers.MaxUint256);
      expect(await token.balanceOf(banks[0].address)).to.equal(0n);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 0n]);
    });

    it("redeems with an EIP-2612 permit signed by the bank", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const bank = banks[0];
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(token, bank, operator.address, 250n, deadline);
      await expect(token.connect(operator).permit(bank.address, operator.address, 250n, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(bank.address, operator.address, 250n);
      expect(await token.nonces(bank.address)).to.equal(1n);
      await expect(token.connect(operator).burn(bank.address, 250n))
        .to.emit(token, "Redeemed")
        .withArgs(operator.address, bank.address, 250n);
      expect(await token.balanceOf(bank.address)).to.equal(INITIAL_BALANCE - 250n);
      expect(await token.allowance(bank.address, operator.address)).to.equal(0n);
    });

    it("reverts with ERC20InsufficientBalance when burning more than the balance", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(operator.address, ethers.MaxUint256);
      await expect(token.connect(operator).burn(banks[0].address, INITIAL_BALANCE + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(banks[0].address, INITIAL_BALANCE, INITIAL_BALANCE + 1n);
    });

    it("reverts with TokenZeroAmount for a zero amount", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(operator.address, 100n);
      await expect(token.connect(operator).burn(banks[0].address, 0n)).to.be.revertedWithCustomError(
        token,
        "TokenZeroAmount",
      );
    });

    it("reverts with RegistryMissingRole(caller, OPERATOR) for a non-operator member", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(banks[1].address, 100n);
      await expect(token.connect(banks[1]).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(banks[1].address, Role.OPERATOR);
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
    });

    it("reverts with RegistryNotMember for an outsider caller", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await token.connect(banks[0]).approve(outsider.address, 100n);
      await expect(token.connect(outsider).burn(banks[0].address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the operator is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(operator.address, 100n);
        const expected = await impair(registry, operator.address, how);
        await expect(token.connect(operator).burn(banks[0].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
      });

      it(`reverts with the registry error when the bank is ${how}`, async function () {
        const { token, registry, operator, banks } = await loadFixture(fundedToken);
        await token.connect(banks[0]).approve(operator.address, 100n);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(operator).burn(banks[0].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
        expect(await token.allowance(banks[0].address, operator.address)).to.equal(100n);
      });
    }

    it("reverts with RegistryMissingRole(holder, MEMBER_BANK) when redeeming from a corporate", async function () {
      const { token, registry, operator, banks, corporate } = await loadFixture(fundedToken);
      await token.connect(banks[0]).transfer(corporate.address, 500n);
      await token.connect(corporate).approve(operator.address, 500n);
      await expect(token.connect(operator).burn(corporate.address, 500n))
        .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
        .withArgs(corporate.address, Role.MEMBER_BANK);
      expect(await token.balanceOf(corporate.address)).to.equal(500n);
    });
  });
});
