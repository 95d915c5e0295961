/** ConsortiumRegistry: initialization, the owner-only surface, and two-step ownership. */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ConsortiumRegistry } from "../../../typechain-types";
import { ERC1967_IMPLEMENTATION_SLOT } from "../../helpers/erc1967";
import { deployRegistry, enode, lei, Reason, Role } from "../../helpers/fixtures";
import { admit, ALL_ROLES, DAILY, NodeKind, populated, SINGLE } from "./helpers";

describe("ConsortiumRegistry", function () {
  describe("initialize", function () {
    it("sets the owner and starts empty", async function () {
      const { registry, owner } = await loadFixture(deployRegistry);
      expect(await registry.owner()).to.equal(owner.address);
      expect(await registry.pendingOwner()).to.equal(ethers.ZeroAddress);
      expect(await registry.memberCount()).to.equal(0n);
      expect(await registry.nodeCount()).to.equal(0n);
    });

    it("cannot be initialized twice", async function () {
      const { registry, others } = await loadFixture(deployRegistry);
      await expect(registry.initialize(others[0].address)).to.be.revertedWithCustomError(
        registry,
        "InvalidInitialization",
      );
      await expect(registry.connect(others[0]).initialize(others[0].address)).to.be.revertedWithCustomError(
        registry,
        "InvalidInitialization",
      );
    });

    it("rejects a zero initial owner", async function () {
      const { registry } = await loadFixture(deployRegistry);
      const factory = await ethers.getContractFactory("ConsortiumRegistry");
      await expect(upgrades.deployProxy(factory, [ethers.ZeroAddress], { kind: "uups" })).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroAddress",
      );
    });

    it("exposes the UUPS surface: interface version, proxiableUUID only on the implementation", async function () {
      const { registry } = await loadFixture(deployRegistry);
      expect(await registry.UPGRADE_INTERFACE_VERSION()).to.equal("5.0.0");
      await expect(registry.proxiableUUID()).to.be.revertedWithCustomError(registry, "UUPSUnauthorizedCallContext");
      const implementation = await upgrades.erc1967.getImplementationAddress(await registry.getAddress());
      const impl = await ethers.getContractAt("ConsortiumRegistry", implementation);
      expect(await impl.proxiableUUID()).to.equal(ERC1967_IMPLEMENTATION_SLOT);
    });
  });

  describe("onlyOwner", function () {
    type AdminCall = (r: ConsortiumRegistry, f: Awaited<ReturnType<typeof populated>>) => Promise<unknown>;
    const e = enode("node-1");
    const cases: [string, AdminCall][] = [
      ["admitMember", (r, f) => r.admitMember(f.dave.address, Role.MEMBER_BANK, lei("X"), "X", 1n, 1n)],
      ["setRoles", (r, f) => r.setRoles(f.alice.address, Role.OPERATOR)],
      ["setLimits", (r, f) => r.setLimits(f.alice.address, 1n, 2n)],
      ["suspendMember", (r, f) => r.suspendMember(f.alice.address)],
      ["reinstateMember", (r, f) => r.reinstateMember(f.bob.address)],
      ["removeMember", (r, f) => r.removeMember(f.alice.address)],
      ["addSanction", (r, f) => r.addSanction(f.dave.address, 1)],
      ["removeSanction", (r, f) => r.removeSanction(f.eve.address, 1)],
      ["allowNode", (r) => r.allowNode(e, "10.0.0.1", 30303, NodeKind.Validator)],
      ["removeNode", (r) => r.removeNode(enode("node-existing"), "10.0.0.9", 30303)],
      ["transferOwnership", (r, f) => r.transferOwnership(f.dave.address)],
      ["renounceOwnership", (r) => r.renounceOwnership()],
      [
        "upgradeToAndCall",
        async (r) => r.upgradeToAndCall(await upgrades.erc1967.getImplementationAddress(await r.getAddress()), "0x"),
      ],
    ];

    async function adminFixture() {
      const f = await populated();
      await f.registry.addSanction(f.eve.address, 3);
      await f.registry.allowNode(enode("node-existing"), "10.0.0.9", 30303, NodeKind.Member);
      return f;
    }

    for (const [name, call] of cases) {
      it(`${name} reverts with OwnableUnauthorizedAccount for a non-owner`, async function () {
        const f = await loadFixture(adminFixture);
        const outsider = f.frank;
        await expect(call(f.registry.connect(outsider), f))
          .to.be.revertedWithCustomError(f.registry, "OwnableUnauthorizedAccount")
          .withArgs(outsider.address);
        // A member (even the most privileged one) is not the owner either.
        await f.registry.setRoles(f.alice.address, ALL_ROLES);
        await expect(call(f.registry.connect(f.alice), f))
          .to.be.revertedWithCustomError(f.registry, "OwnableUnauthorizedAccount")
          .withArgs(f.alice.address);
      });
    }
  });

  describe("ownership", function () {
    it("transfers ownership in two steps; the new owner administers, the old one cannot", async function () {
      const { registry, owner, dave, eve } = await loadFixture(populated);
      await expect(registry.transferOwnership(dave.address))
        .to.emit(registry, "OwnershipTransferStarted")
        .withArgs(owner.address, dave.address);
      expect(await registry.owner()).to.equal(owner.address);
      expect(await registry.pendingOwner()).to.equal(dave.address);

      // Pending owner has no power yet; the current owner still does.
      await expect(admit(registry.connect(dave), eve))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(dave.address);
      await expect(registry.addSanction(eve.address, 1)).to.emit(registry, "SanctionAdded").withArgs(eve.address, 1);

      // Only the pending owner can accept.
      await expect(registry.connect(eve).acceptOwnership())
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(eve.address);
      await expect(registry.acceptOwnership())
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);

      await expect(registry.connect(dave).acceptOwnership())
        .to.emit(registry, "OwnershipTransferred")
        .withArgs(owner.address, dave.address);
      expect(await registry.owner()).to.equal(dave.address);
      expect(await registry.pendingOwner()).to.equal(ethers.ZeroAddress);

      await expect(registry.connect(dave).removeSanction(eve.address, 2))
        .to.emit(registry, "SanctionRemoved")
        .withArgs(eve.address, 2);
      await expect(admit(registry.connect(dave), eve, { name: "Eve" }))
        .to.emit(registry, "MemberAdmitted")
        .withArgs(eve.address, Role.MEMBER_BANK, lei(`LEI-${eve.address}`), "Eve", SINGLE, DAILY);
      await expect(registry.suspendMember(eve.address))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
      await expect(registry.transferOwnership(owner.address))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);

      // The owner's permissioning bypass moves with ownership.
      expect((await registry.check(dave.address, ethers.ZeroAddress, 0, "0x")).reason).to.equal(Reason.Allowed);
      expect((await registry.check(owner.address, ethers.ZeroAddress, 0, "0x")).reason).to.equal(
        Reason.SenderNotMember,
      );
    });

    it("a pending transfer can be replaced before it is accepted", async function () {
      const { registry, owner, dave, eve } = await loadFixture(populated);
      await registry.transferOwnership(dave.address);
      await expect(registry.transferOwnership(eve.address))
        .to.emit(registry, "OwnershipTransferStarted")
        .withArgs(owner.address, eve.address);
      await expect(registry.connect(dave).acceptOwnership())
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(dave.address);
      await expect(registry.connect(eve).acceptOwnership())
        .to.emit(registry, "OwnershipTransferred")
        .withArgs(owner.address, eve.address);
    });

    it("renounceOwnership is disabled, so the registry always has an administrator", async function () {
      const { registry, owner, dave } = await loadFixture(populated);
      await registry.transferOwnership(dave.address);
      await expect(registry.renounceOwnership()).to.be.revertedWithCustomError(
        registry,
        "RegistryOwnershipCannotBeRenounced",
      );
      expect(await registry.owner()).to.equal(owner.address);
      expect(await registry.pendingOwner()).to.equal(dave.address);
      await expect(registry.connect(dave).acceptOwnership())
        .to.emit(registry, "OwnershipTransferred")
        .withArgs(owner.address, dave.address);
    });
  });
});
