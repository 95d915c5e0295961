/** ConsortiumRegistry: suspending, reinstating and removing members. */
import { expect } from "chai";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { MemberStatus, Role } from "../../helpers/fixtures";
import { nextBlock, populated } from "./helpers";

describe("ConsortiumRegistry", function () {
  describe("suspendMember", function () {
    it("suspends an active member at the current block", async function () {
      const { registry, alice } = await loadFixture(populated);
      const since = await nextBlock();
      await expect(registry.suspendMember(alice.address))
        .to.emit(registry, "MemberSuspended")
        .withArgs(alice.address, since);
      const m = await registry.memberOf(alice.address);
      expect(m.status).to.equal(MemberStatus.Suspended);
      expect(m.statusSince).to.equal(since);
      expect(m.roles).to.equal(Role.MEMBER_BANK | Role.AUDITOR);
      expect(await registry.isActiveMember(alice.address)).to.equal(false);
    });

    it("rejects an already suspended member with the original suspension block", async function () {
      const { registry, bob, bobSince } = await loadFixture(populated);
      await mine(10);
      await expect(registry.suspendMember(bob.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
        .withArgs(bob.address, bobSince);
    });

    it("rejects an account that was never admitted", async function () {
      const { registry, dave } = await loadFixture(populated);
      await expect(registry.suspendMember(dave.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(dave.address);
    });

    it("rejects a removed member", async function () {
      const { registry, carol, carolSince } = await loadFixture(populated);
      await expect(registry.suspendMember(carol.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(carol.address, carolSince);
    });
  });

  describe("reinstateMember", function () {
    it("reinstates a suspended member at the current block", async function () {
      const { registry, bob } = await loadFixture(populated);
      await mine(3);
      const since = await nextBlock();
      await expect(registry.reinstateMember(bob.address))
        .to.emit(registry, "MemberReinstated")
        .withArgs(bob.address, since);
      const m = await registry.memberOf(bob.address);
      expect(m.status).to.equal(MemberStatus.Active);
      expect(m.statusSince).to.equal(since);
      expect(await registry.isActiveMember(bob.address)).to.equal(true);
    });

    it("rejects an account that was never admitted", async function () {
      const { registry, dave } = await loadFixture(populated);
      await expect(registry.reinstateMember(dave.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(dave.address);
    });

    it("rejects an active member with RegistryMemberNotSuspended(Active)", async function () {
      const { registry, alice } = await loadFixture(populated);
      await expect(registry.reinstateMember(alice.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberNotSuspended")
        .withArgs(alice.address, MemberStatus.Active);
    });

    it("rejects a removed member with RegistryMemberNotSuspended(Removed)", async function () {
      const { registry, carol } = await loadFixture(populated);
      await expect(registry.reinstateMember(carol.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberNotSuspended")
        .withArgs(carol.address, MemberStatus.Removed);
    });
  });

  describe("removeMember", function () {
    it("removes an active member, keeping its record and list entry", async function () {
      const { registry, alice } = await loadFixture(populated);
      const since = await nextBlock();
      await expect(registry.removeMember(alice.address))
        .to.emit(registry, "MemberRemoved")
        .withArgs(alice.address, since);
      const m = await registry.memberOf(alice.address);
      expect(m.status).to.equal(MemberStatus.Removed);
      expect(m.statusSince).to.equal(since);
      expect(m.roles).to.equal(Role.MEMBER_BANK | Role.AUDITOR);
      expect(m.name).to.equal("Alice Bank");
      expect(await registry.isActiveMember(alice.address)).to.equal(false);
      expect(await registry.memberCount()).to.equal(3n);
      expect(await registry.memberAt(0)).to.equal(alice.address);
    });

    it("removes a suspended member", async function () {
      const { registry, bob } = await loadFixture(populated);
      const since = await nextBlock();
      await expect(registry.removeMember(bob.address)).to.emit(registry, "MemberRemoved").withArgs(bob.address, since);
      expect((await registry.memberOf(bob.address)).status).to.equal(MemberStatus.Removed);
    });

    it("rejects removing twice with the original removal block", async function () {
      const { registry, carol, carolSince } = await loadFixture(populated);
      await mine(4);
      await expect(registry.removeMember(carol.address))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(carol.address, carolSince);
    });

    it("rejects an account that was never admitted", async function () {
      const { registry, dave } = await loadFixture(populated);
      await expect(registry.removeMember(dave.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(dave.address);
    });
  });
});
