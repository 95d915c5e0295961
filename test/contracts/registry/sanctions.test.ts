/** ConsortiumRegistry: the sanctions list. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MemberStatus } from "../../helpers/fixtures";
import { populated } from "./helpers";

describe("ConsortiumRegistry", function () {
  describe("sanctions", function () {
    it("addSanction puts a member on the list without changing its status", async function () {
      const { registry, alice } = await loadFixture(populated);
      await expect(registry.addSanction(alice.address, 42))
        .to.emit(registry, "SanctionAdded")
        .withArgs(alice.address, 42);
      expect(await registry.sanctionOf(alice.address)).to.equal(42n);
      expect((await registry.memberOf(alice.address)).status).to.equal(MemberStatus.Active);
      expect(await registry.isActiveMember(alice.address)).to.equal(false);
    });

    it("addSanction accepts non-members and the maximum reason code", async function () {
      const { registry, dave } = await loadFixture(populated);
      await expect(registry.addSanction(dave.address, 65535))
        .to.emit(registry, "SanctionAdded")
        .withArgs(dave.address, 65535);
      expect(await registry.sanctionOf(dave.address)).to.equal(65535n);
    });

    it("addSanction rejects the zero address", async function () {
      const { registry } = await loadFixture(populated);
      await expect(registry.addSanction(ethers.ZeroAddress, 1)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroAddress",
      );
    });

    it("addSanction rejects reason code 0", async function () {
      const { registry, dave } = await loadFixture(populated);
      await expect(registry.addSanction(dave.address, 0)).to.be.revertedWithCustomError(
        registry,
        "RegistryInvalidReasonCode",
      );
    });

    it("addSanction rejects a second sanction with the existing reason code", async function () {
      const { registry, dave } = await loadFixture(populated);
      await registry.addSanction(dave.address, 5);
      await expect(registry.addSanction(dave.address, 6))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(dave.address, 5);
      expect(await registry.sanctionOf(dave.address)).to.equal(5n);
    });

    it("removeSanction lifts the sanction and emits the removal reason code", async function () {
      const { registry, alice } = await loadFixture(populated);
      await registry.addSanction(alice.address, 5);
      await expect(registry.removeSanction(alice.address, 77))
        .to.emit(registry, "SanctionRemoved")
        .withArgs(alice.address, 77);
      expect(await registry.sanctionOf(alice.address)).to.equal(0n);
      expect(await registry.isActiveMember(alice.address)).to.equal(true);
      // Can be sanctioned again afterwards.
      await expect(registry.addSanction(alice.address, 8))
        .to.emit(registry, "SanctionAdded")
        .withArgs(alice.address, 8);
    });

    it("removeSanction rejects a non-sanctioned account", async function () {
      const { registry, alice, dave } = await loadFixture(populated);
      await expect(registry.removeSanction(alice.address, 1))
        .to.be.revertedWithCustomError(registry, "RegistryNotSanctioned")
        .withArgs(alice.address);
      await expect(registry.removeSanction(dave.address, 1))
        .to.be.revertedWithCustomError(registry, "RegistryNotSanctioned")
        .withArgs(dave.address);
      await expect(registry.removeSanction(ethers.ZeroAddress, 1))
        .to.be.revertedWithCustomError(registry, "RegistryNotSanctioned")
        .withArgs(ethers.ZeroAddress);
    });

    it("removeSanction rejects reason code 0, even for a sanctioned account", async function () {
      const { registry, dave } = await loadFixture(populated);
      await registry.addSanction(dave.address, 4);
      await expect(registry.removeSanction(dave.address, 0)).to.be.revertedWithCustomError(
        registry,
        "RegistryInvalidReasonCode",
      );
      expect(await registry.sanctionOf(dave.address)).to.equal(4n);
    });
  });
});
