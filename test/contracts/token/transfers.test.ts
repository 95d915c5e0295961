/** SettlementToken: transfer, its screening and the single-transfer and daily outflow limits. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BANK_DAILY_LIMIT, BANK_SINGLE_LIMIT, deployToken } from "../../helpers/fixtures";
import { DAY, fundedToken, impair, IMPAIRMENTS, INITIAL_BALANCE, SANCTION_CODE, startNextDay } from "./helpers";

describe("SettlementToken", function () {
  describe("transfer", function () {
    it("moves tokens between active banks and emits Transfer and Outflow", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const [from, to] = banks;
      const day = await startNextDay();
      expect(await token.connect(from).transfer.staticCall(to.address, 1n)).to.equal(true);
      await expect(token.connect(from).transfer(to.address, 700n))
        .to.emit(token, "Transfer")
        .withArgs(from.address, to.address, 700n)
        .and.to.emit(token, "Outflow")
        .withArgs(from.address, day, 700n, 700n);
      await expect(token.connect(from).transfer(to.address, 300n))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day, 300n, 1_000n);
      expect(await token.balanceOf(from.address)).to.equal(INITIAL_BALANCE - 1_000n);
      expect(await token.balanceOf(to.address)).to.equal(INITIAL_BALANCE + 1_000n);
      expect(await token.totalSupply()).to.equal(4n * INITIAL_BALANCE);
      expect(await token.outflowToday(from.address)).to.deep.equal([day, 1_000n]);
      expect(await token.outflowToday(to.address)).to.deep.equal([day, 0n]);
    });

    it("moves tokens to and from a corporate member under the corporate's own limits", async function () {
      const { token, registry, banks, corporate } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await token.connect(banks[0]).transfer(corporate.address, 900n);
      expect(await token.balanceOf(corporate.address)).to.equal(900n);
      await registry.setLimits(corporate.address, 100n, 1_000n);
      await expect(token.connect(corporate).transfer(banks[1].address, 101n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(corporate.address, 101n, 100n);
      await expect(token.connect(corporate).transfer(banks[1].address, 100n))
        .to.emit(token, "Outflow")
        .withArgs(corporate.address, day, 100n, 100n);
      expect(await token.balanceOf(corporate.address)).to.equal(800n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 100n);
    });

    for (const how of IMPAIRMENTS) {
      it(`reverts with the registry error when the sender is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const expected = await impair(registry, banks[0].address, how);
        await expect(token.connect(banks[0]).transfer(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
        expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE);
      });

      it(`reverts with the registry error when the recipient is ${how}`, async function () {
        const { token, registry, banks } = await loadFixture(fundedToken);
        const expected = await impair(registry, banks[1].address, how);
        await expect(token.connect(banks[0]).transfer(banks[1].address, 100n))
          .to.be.revertedWithCustomError(registry, expected.name)
          .withArgs(...expected.args);
        expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
        expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE);
      });
    }

    it("reverts with RegistryNotMember when the sender is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await expect(token.connect(outsider).transfer(banks[1].address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
    });

    it("reverts with RegistryNotMember when the recipient is not a member", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).transfer(outsider.address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      expect(await token.balanceOf(outsider.address)).to.equal(0n);
    });

    it("reverts with RegistryAccountSanctioned for a sanctioned non-member recipient", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      await registry.addSanction(outsider.address, SANCTION_CODE);
      await expect(token.connect(banks[0]).transfer(outsider.address, 100n))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(outsider.address, SANCTION_CODE);
    });

    it("screens the sender before the recipient", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      const senderError = await impair(registry, banks[0].address, "sanctioned");
      await impair(registry, banks[1].address, "suspended");
      await expect(token.connect(banks[0]).transfer(banks[1].address, 100n))
        .to.be.revertedWithCustomError(registry, senderError.name)
        .withArgs(...senderError.args);
    });

    it("transfers again once a suspended sender is reinstated and a sanction is lifted", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      await registry.suspendMember(banks[0].address);
      await registry.addSanction(banks[1].address, SANCTION_CODE);
      await registry.reinstateMember(banks[0].address);
      await registry.removeSanction(banks[1].address, SANCTION_CODE);
      await token.connect(banks[0]).transfer(banks[1].address, 100n);
      expect(await token.balanceOf(banks[1].address)).to.equal(INITIAL_BALANCE + 100n);
    });

    it("reverts with ERC20InvalidReceiver for the zero address", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      await expect(token.connect(banks[0]).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts with ERC20InsufficientBalance and records no outflow", async function () {
      const { token, operator, banks } = await loadFixture(deployToken);
      await token.connect(operator).mint(banks[0].address, 10n);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(banks[1].address, 11n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(banks[0].address, 10n, 11n);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 0n]);
    });

    it("allows exactly maxSingleTransfer and reverts with TokenSingleTransferLimitExceeded above it", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(banks[1].address, BANK_SINGLE_LIMIT + 1n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(banks[0].address, BANK_SINGLE_LIMIT + 1n, BANK_SINGLE_LIMIT);
      await expect(token.connect(banks[0]).transfer(banks[1].address, BANK_SINGLE_LIMIT))
        .to.emit(token, "Outflow")
        .withArgs(banks[0].address, day, BANK_SINGLE_LIMIT, BANK_SINGLE_LIMIT);
    });

    it("checks the single-transfer limit before the balance", async function () {
      const { token, banks, corporate } = await loadFixture(fundedToken);
      await expect(token.connect(corporate).transfer(banks[1].address, BANK_SINGLE_LIMIT + 1n))
        .to.be.revertedWithCustomError(token, "TokenSingleTransferLimitExceeded")
        .withArgs(corporate.address, BANK_SINGLE_LIMIT + 1n, BANK_SINGLE_LIMIT);
    });

    it("reverts with TokenDailyOutflowLimitExceeded(account, day, spentToday, amount, limit)", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const [from, a, b] = banks;
      await token.connect(operator).mint(from.address, 4_000_000n);
      const day = await startNextDay();
      for (let i = 0; i < 4; i++) await token.connect(from).transfer(i % 2 ? a.address : b.address, BANK_SINGLE_LIMIT);
      await token.connect(from).transfer(a.address, 500_000n);
      await expect(token.connect(from).transfer(b.address, 500_001n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(from.address, day, 4_500_000n, 500_001n, BANK_DAILY_LIMIT);
      await expect(token.connect(from).transfer(b.address, 500_000n))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day, 500_000n, BANK_DAILY_LIMIT);
      await expect(token.connect(from).transfer(a.address, 1n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(from.address, day, BANK_DAILY_LIMIT, 1n, BANK_DAILY_LIMIT);
      expect(await token.outflowToday(from.address)).to.deep.equal([day, BANK_DAILY_LIMIT]);
      expect(await token.balanceOf(from.address)).to.equal(7_000_000n - BANK_DAILY_LIMIT);
    });

    it("resets the daily counter at the next UTC midnight", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const [from, to] = banks;
      await token.connect(operator).mint(from.address, 4_000_000n);
      const day = await startNextDay(DAY - 600);
      for (let i = 0; i < 5; i++) await token.connect(from).transfer(to.address, BANK_SINGLE_LIMIT);
      const midnight = Number(day + 1n) * DAY;
      await time.setNextBlockTimestamp(midnight - 1);
      await expect(token.connect(from).transfer(to.address, 1n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(from.address, day, BANK_DAILY_LIMIT, 1n, BANK_DAILY_LIMIT);
      await time.setNextBlockTimestamp(midnight);
      await expect(token.connect(from).transfer(to.address, BANK_SINGLE_LIMIT))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day + 1n, BANK_SINGLE_LIMIT, BANK_SINGLE_LIMIT);
      expect(await token.outflowToday(from.address)).to.deep.equal([day + 1n, BANK_SINGLE_LIMIT]);
    });

    it("resets the daily counter after time.increase by a day", async function () {
      const { token, operator, banks } = await loadFixture(fundedToken);
      const [from, to] = banks;
      await token.connect(operator).mint(from.address, 4_000_000n);
      const day = await startNextDay();
      for (let i = 0; i < 5; i++) await token.connect(from).transfer(to.address, BANK_SINGLE_LIMIT);
      await time.increase(DAY);
      await expect(token.connect(from).transfer(to.address, 42n))
        .to.emit(token, "Outflow")
        .withArgs(from.address, day + 1n, 42n, 42n);
    });

    it("applies limits changed in the registry to the rest of the day", async function () {
      const { token, registry, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await token.connect(banks[0]).transfer(banks[1].address, 600n);
      await registry.setLimits(banks[0].address, 500n, 1_000n);
      await expect(token.connect(banks[0]).transfer(banks[1].address, 401n))
        .to.be.revertedWithCustomError(token, "TokenDailyOutflowLimitExceeded")
        .withArgs(banks[0].address, day, 600n, 401n, 1_000n);
      await token.connect(banks[0]).transfer(banks[1].address, 400n);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 1_000n]);
    });

    it("counts a transfer to oneself as outflow", async function () {
      const { token, banks } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(banks[0].address, 1_000n))
        .to.emit(token, "Outflow")
        .withArgs(banks[0].address, day, 1_000n, 1_000n);
      expect(await token.balanceOf(banks[0].address)).to.equal(INITIAL_BALANCE);
    });

    it("screens zero-value transfers and records them as zero outflow", async function () {
      const { token, registry, banks, outsider } = await loadFixture(fundedToken);
      const day = await startNextDay();
      await expect(token.connect(banks[0]).transfer(outsider.address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(outsider.address);
      await token.connect(banks[0]).transfer(banks[1].address, 10n);
      await expect(token.connect(banks[0]).transfer(banks[1].address, 0n))
        .to.emit(token, "Transfer")
        .withArgs(banks[0].address, banks[1].address, 0n)
        .and.to.emit(token, "Outflow")
        .withArgs(banks[0].address, day, 0n, 10n);
      const expected = await impair(registry, banks[2].address, "suspended");
      await expect(token.connect(banks[2]).transfer(banks[1].address, 0n))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
      await expect(token.connect(banks[0]).transfer(banks[2].address, 0n))
        .to.be.revertedWithCustomError(registry, expected.name)
        .withArgs(...expected.args);
    });
  });
});
