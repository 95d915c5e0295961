/** SettlementToken: views (outflowToday, fundsOf, registry, guardian) and the UUPS surface. */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ERC1967_IMPLEMENTATION_SLOT } from "../../helpers/erc1967";
import { deployToken } from "../../helpers/fixtures";
import { DAY, fundedToken, startNextDay } from "./helpers";

describe("SettlementToken", function () {
  describe("views", function () {
    it("outflowToday returns floor(timestamp / 86400) and today's spend, reset on the next day", async function () {
      const { token, banks, outsider } = await loadFixture(fundedToken);
      const day = await startNextDay(12 * 3_600);
      await token.connect(banks[0]).transfer(banks[1].address, 1_234n);
      const now = await time.latest();
      expect(BigInt(Math.floor(now / DAY))).to.equal(day);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day, 1_234n]);
      expect(await token.outflowToday(outsider.address)).to.deep.equal([day, 0n]);
      await time.increaseTo(Number(day + 1n) * DAY);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day + 1n, 0n]);
      await time.increaseTo(Number(day + 3n) * DAY + 5);
      expect(await token.outflowToday(banks[0].address)).to.deep.equal([day + 3n, 0n]);
    });

    it("fundsOf returns balance, allowance to the spender and today's spend in one call, the spend reset daily", async function () {
      const { token, banks, outsider } = await loadFixture(fundedToken);
      const day = await startNextDay(12 * 3_600);
      await token.connect(banks[0]).transfer(banks[1].address, 1_234n);
      await token.connect(banks[0]).approve(banks[2].address, 777n);
      const balance = await token.balanceOf(banks[0].address);
      expect(await token.fundsOf(banks[0].address, banks[2].address)).to.deep.equal([balance, 777n, 1_234n]);
      expect(await token.fundsOf(banks[0].address, banks[3].address)).to.deep.equal([balance, 0n, 1_234n]);
      expect(await token.fundsOf(outsider.address, banks[0].address)).to.deep.equal([0n, 0n, 0n]);
      await time.increaseTo(Number(day + 1n) * DAY);
      expect(await token.fundsOf(banks[0].address, banks[2].address)).to.deep.equal([balance, 777n, 0n]);
    });

    it("registry() and guardian() return the configured addresses", async function () {
      const { token, registry, banks } = await loadFixture(deployToken);
      expect(await token.registry()).to.equal(await registry.getAddress());
      expect(await token.guardian()).to.equal(ethers.ZeroAddress);
      await token.setGuardian(banks[3].address);
      expect(await token.guardian()).to.equal(banks[3].address);
    });

    it("proxiableUUID is the ERC-1967 slot on the implementation and refused through the proxy", async function () {
      const { token } = await loadFixture(deployToken);
      const implementation = await ethers.getContractAt(
        "SettlementToken",
        await upgrades.erc1967.getImplementationAddress(await token.getAddress()),
      );
      expect(await implementation.proxiableUUID()).to.equal(ERC1967_IMPLEMENTATION_SLOT);
      await expect(token.proxiableUUID()).to.be.revertedWithCustomError(token, "UUPSUnauthorizedCallContext");
      expect(await token.UPGRADE_INTERFACE_VERSION()).to.equal("5.0.0");
    });
  });
});
