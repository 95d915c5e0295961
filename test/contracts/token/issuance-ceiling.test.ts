/**
 * SettlementToken: the daily issuance ceiling (review finding "issuance has no ceiling"; decision
 * 021). Before the fix an operator minted 2^128 minor units in one call.
 */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { SettlementToken } from "../../../typechain-types";
import { deployToken, UNLIMITED } from "../../helpers/fixtures";
import { startNextDay } from "./helpers";

const CEILING = 1_000_000n;
const MAX_CEILING = 2n ** 128n - 1n;

/** The token with a ceiling of 1,000,000 minor units per UTC day. */
async function capped() {
  const f = await deployToken();
  await f.token.setIssuanceCeiling(CEILING);
  return f;
}

describe("SettlementToken", function () {
  describe("issuance ceiling", function () {
    it("the attack: an operator's mint of 2^128 minor units is refused with TokenIssuanceCeilingExceeded", async function () {
      const { token, operator, banks } = await loadFixture(capped);
      const day = await startNextDay();
      await expect(token.connect(operator).mint(banks[0].address, 2n ** 128n))
        .to.be.revertedWithCustomError(token, "TokenIssuanceCeilingExceeded")
        .withArgs(day, 0n, 2n ** 128n, CEILING);
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("a fresh token has no ceiling set: operators cannot mint until governance sets one", async function () {
      const f = await deployToken();
      const factory = await ethers.getContractFactory("SettlementToken");
      const fresh = (await upgrades.deployProxy(
        factory,
        [f.owner.address, await f.registry.getAddress(), "Fresh", "FR", 2],
        { kind: "uups" },
      )) as unknown as SettlementToken;
      expect(await fresh.issuanceCeiling()).to.equal(0n);
      await expect(fresh.connect(f.operator).mint(f.banks[0].address, 1n)).to.be.revertedWithCustomError(
        fresh,
        "TokenIssuanceCeilingExceeded",
      );
    });

    it("counts every operator's issuance of the UTC day against one ceiling, up to exactly the ceiling", async function () {
      const { token, registry, operator, banks, others } = await loadFixture(capped);
      const second = others[9];
      await registry.admitMember(second.address, 1, ethers.id("OP2"), "Second operator", UNLIMITED, UNLIMITED);
      const day = await startNextDay();
      await expect(token.connect(operator).mint(banks[0].address, 600_000n))
        .to.emit(token, "IssuanceCounted")
        .withArgs(day, 600_000n, 600_000n);
      await expect(token.connect(second).mint(banks[1].address, 400_001n))
        .to.be.revertedWithCustomError(token, "TokenIssuanceCeilingExceeded")
        .withArgs(day, 600_000n, 400_001n, CEILING);
      await expect(token.connect(second).mint(banks[1].address, 400_000n))
        .to.emit(token, "IssuanceCounted")
        .withArgs(day, 400_000n, CEILING);
      expect(await token.issuanceToday()).to.deep.equal([day, CEILING, CEILING]);
      await expect(token.connect(operator).mint(banks[0].address, 1n)).to.be.revertedWithCustomError(
        token,
        "TokenIssuanceCeilingExceeded",
      );
    });

    it("resets on the next UTC day; redemptions do not give headroom back", async function () {
      const { token, operator, banks } = await loadFixture(capped);
      await startNextDay();
      await token.connect(operator).mint(banks[0].address, CEILING);
      await token.connect(banks[0]).approve(operator.address, CEILING);
      await token.connect(operator).burn(banks[0].address, CEILING);
      await expect(token.connect(operator).mint(banks[0].address, 1n)).to.be.revertedWithCustomError(
        token,
        "TokenIssuanceCeilingExceeded",
      );
      const next = await startNextDay();
      await expect(token.connect(operator).mint(banks[0].address, CEILING))
        .to.emit(token, "IssuanceCounted")
        .withArgs(next, CEILING, CEILING);
    });

    it("governance (the owner) mints beyond the ceiling with mintBeyondCeiling, counted in the day's issuance", async function () {
      const { token, owner, operator, banks } = await loadFixture(capped);
      const day = await startNextDay();
      await expect(token.connect(owner).mintBeyondCeiling(banks[0].address, 5n * CEILING))
        .to.emit(token, "Issued")
        .withArgs(owner.address, banks[0].address, 5n * CEILING)
        .and.to.emit(token, "IssuanceCounted")
        .withArgs(day, 5n * CEILING, 5n * CEILING);
      expect(await token.balanceOf(banks[0].address)).to.equal(5n * CEILING);
      // The day's issuance is above the ceiling: operators have no headroom left today.
      await expect(token.connect(operator).mint(banks[0].address, 1n))
        .to.be.revertedWithCustomError(token, "TokenIssuanceCeilingExceeded")
        .withArgs(day, 5n * CEILING, 1n, CEILING);
    });

    it("mintBeyondCeiling: owner only, a non-zero amount, to an active MEMBER_BANK", async function () {
      const { token, registry, operator, banks, corporate } = await loadFixture(capped);
      await expect(token.connect(operator).mintBeyondCeiling(banks[0].address, 1n))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(operator.address);
      await expect(token.mintBeyondCeiling(banks[0].address, 0n)).to.be.revertedWithCustomError(
        token,
        "TokenZeroAmount",
      );
      await expect(token.mintBeyondCeiling(corporate.address, 1n)).to.be.revertedWithCustomError(
        registry,
        "RegistryMissingRole",
      );
    });

    it("setIssuanceCeiling: owner only, at most 2^128 - 1, emits IssuanceCeilingSet(previous, ceiling)", async function () {
      const { token, operator } = await loadFixture(capped);
      await expect(token.connect(operator).setIssuanceCeiling(1n))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(operator.address);
      await expect(token.setIssuanceCeiling(MAX_CEILING + 1n))
        .to.be.revertedWithCustomError(token, "TokenInvalidIssuanceCeiling")
        .withArgs(MAX_CEILING + 1n, MAX_CEILING);
      await expect(token.setIssuanceCeiling(MAX_CEILING))
        .to.emit(token, "IssuanceCeilingSet")
        .withArgs(CEILING, MAX_CEILING);
      expect(await token.issuanceCeiling()).to.equal(MAX_CEILING);
      await expect(token.setIssuanceCeiling(0n)).to.emit(token, "IssuanceCeilingSet").withArgs(MAX_CEILING, 0n);
    });

    it("lowering the ceiling below what was issued today stops operators for the rest of the day", async function () {
      const { token, operator, banks } = await loadFixture(capped);
      const day = await startNextDay();
      await token.connect(operator).mint(banks[0].address, 700_000n);
      await token.setIssuanceCeiling(500_000n);
      await expect(token.connect(operator).mint(banks[0].address, 1n))
        .to.be.revertedWithCustomError(token, "TokenIssuanceCeilingExceeded")
        .withArgs(day, 700_000n, 1n, 500_000n);
      expect(await token.issuanceToday()).to.deep.equal([day, 700_000n, 500_000n]);
    });
  });
});
