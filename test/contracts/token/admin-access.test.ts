/** SettlementToken: initialization and two-step ownership. */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ConsortiumRegistry, SettlementToken } from "../../../typechain-types";
import { deployToken } from "../../helpers/fixtures";

describe("SettlementToken", function () {
  describe("initialize", function () {
    async function uninitializedProxy(): Promise<{ token: SettlementToken; registry: ConsortiumRegistry }> {
      const { registry } = await deployToken();
      const factory = await ethers.getContractFactory("SettlementToken");
      const token = (await upgrades.deployProxy(factory, [], {
        kind: "uups",
        initializer: false,
      })) as unknown as SettlementToken;
      return { token, registry };
    }

    it("sets name, symbol, decimals = 2, owner, registry and no guardian", async function () {
      const { token, registry, owner } = await loadFixture(deployToken);
      expect(await token.name()).to.equal("Clearhouse Euro");
      expect(await token.symbol()).to.equal("chEUR");
      expect(await token.decimals()).to.equal(2n);
      expect(await token.owner()).to.equal(owner.address);
      expect(await token.pendingOwner()).to.equal(ethers.ZeroAddress);
      expect(await token.registry()).to.equal(await registry.getAddress());
      expect(await token.guardian()).to.equal(ethers.ZeroAddress);
      expect(await token.paused()).to.equal(false);
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("uses the token name and version 1 as the EIP-712 domain", async function () {
      const { token } = await loadFixture(deployToken);
      const chainId = (await ethers.provider.getNetwork()).chainId;
      const verifyingContract = await token.getAddress();
      const domain = await token.eip712Domain();
      expect(domain.name).to.equal("Clearhouse Euro");
      expect(domain.version).to.equal("1");
      expect(domain.chainId).to.equal(chainId);
      expect(domain.verifyingContract).to.equal(verifyingContract);
      expect(await token.DOMAIN_SEPARATOR()).to.equal(
        ethers.TypedDataEncoder.hashDomain({ name: "Clearhouse Euro", version: "1", chainId, verifyingContract }),
      );
    });

    it("initializes a fresh proxy and emits Initialized(1) and OwnershipTransferred", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [, , , , , , , , newOwner] = await ethers.getSigners();
      await expect(token.initialize(newOwner.address, await registry.getAddress(), "Clearhouse Pound", "chGBP", 18))
        .to.emit(token, "Initialized")
        .withArgs(1n)
        .and.to.emit(token, "OwnershipTransferred")
        .withArgs(ethers.ZeroAddress, newOwner.address);
      expect(await token.decimals()).to.equal(18n);
      expect(await token.name()).to.equal("Clearhouse Pound");
      expect(await token.symbol()).to.equal("chGBP");
      expect(await token.owner()).to.equal(newOwner.address);
    });

    it("accepts 0 decimals", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [owner] = await ethers.getSigners();
      await token.initialize(owner.address, await registry.getAddress(), "Clearhouse Yen", "chJPY", 0);
      expect(await token.decimals()).to.equal(0n);
    });

    it("reverts with TokenZeroAddress for a zero owner", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      await expect(
        token.initialize(ethers.ZeroAddress, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2),
      ).to.be.revertedWithCustomError(token, "TokenZeroAddress");
    });

    it("reverts with TokenInvalidRegistry for a registry address without code", async function () {
      const { token } = await loadFixture(uninitializedProxy);
      const [owner, eoa] = await ethers.getSigners();
      await expect(token.initialize(owner.address, eoa.address, "Clearhouse Euro", "chEUR", 2))
        .to.be.revertedWithCustomError(token, "TokenInvalidRegistry")
        .withArgs(eoa.address);
      await expect(token.initialize(owner.address, ethers.ZeroAddress, "Clearhouse Euro", "chEUR", 2))
        .to.be.revertedWithCustomError(token, "TokenInvalidRegistry")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts with TokenInvalidDecimals for 19 decimals", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [owner] = await ethers.getSigners();
      await expect(token.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 19))
        .to.be.revertedWithCustomError(token, "TokenInvalidDecimals")
        .withArgs(19);
    });

    it("leaves the proxy uninitialized after a failed initialize", async function () {
      const { token, registry } = await loadFixture(uninitializedProxy);
      const [owner] = await ethers.getSigners();
      await expect(
        token.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 19),
      ).to.be.revertedWithCustomError(token, "TokenInvalidDecimals");
      expect(await token.owner()).to.equal(ethers.ZeroAddress);
      await token.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2);
      expect(await token.owner()).to.equal(owner.address);
    });

    it("reverts with InvalidInitialization when called twice", async function () {
      const { token, registry, owner } = await loadFixture(deployToken);
      await expect(
        token.initialize(owner.address, await registry.getAddress(), "Other", "OTH", 2),
      ).to.be.revertedWithCustomError(token, "InvalidInitialization");
      expect(await token.name()).to.equal("Clearhouse Euro");
    });

    it("reverts with InvalidInitialization on the implementation contract", async function () {
      const { token, registry, owner } = await loadFixture(deployToken);
      const implementation = await ethers.getContractAt(
        "SettlementToken",
        await upgrades.erc1967.getImplementationAddress(await token.getAddress()),
      );
      await expect(
        implementation.initialize(owner.address, await registry.getAddress(), "Clearhouse Euro", "chEUR", 2),
      ).to.be.revertedWithCustomError(implementation, "InvalidInitialization");
    });
  });

  describe("ownership", function () {
    it("moves ownership in two steps", async function () {
      const { token, owner, banks, outsider } = await loadFixture(deployToken);
      const next = banks[3];
      await expect(token.connect(outsider).transferOwnership(next.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.transferOwnership(next.address))
        .to.emit(token, "OwnershipTransferStarted")
        .withArgs(owner.address, next.address);
      expect(await token.pendingOwner()).to.equal(next.address);
      expect(await token.owner()).to.equal(owner.address);
      await expect(token.connect(outsider).acceptOwnership())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(token.connect(next).acceptOwnership())
        .to.emit(token, "OwnershipTransferred")
        .withArgs(owner.address, next.address);
      expect(await token.owner()).to.equal(next.address);
      expect(await token.pendingOwner()).to.equal(ethers.ZeroAddress);
      await expect(token.connect(owner).setGuardian(owner.address))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
      await expect(token.connect(owner).pause())
        .to.be.revertedWithCustomError(token, "TokenUnauthorizedPauser")
        .withArgs(owner.address);
      await token.connect(next).pause();
      await token.connect(next).unpause();
      expect(await token.paused()).to.equal(false);
    });

    it("renounceOwnership is disabled, so a guardian pause can always be lifted", async function () {
      const { token, owner, banks, outsider } = await loadFixture(deployToken);
      await expect(token.connect(outsider).renounceOwnership())
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await token.setGuardian(banks[0].address);
      await expect(token.renounceOwnership()).to.be.revertedWithCustomError(token, "TokenOwnershipCannotBeRenounced");
      expect(await token.owner()).to.equal(owner.address);
      await token.connect(banks[0]).pause();
      await token.connect(owner).unpause();
      expect(await token.paused()).to.equal(false);
    });
  });
});
