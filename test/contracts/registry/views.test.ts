/** ConsortiumRegistry: member views (memberOf, hasRole, isActiveMember, sanctionOf, requireActive, memberAt). */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MemberStatus, Role } from "../../helpers/fixtures";
import { admit, ALL_ROLES, DAILY, populated, SINGLE } from "./helpers";

describe("ConsortiumRegistry", function () {
  describe("views", function () {
    it("memberOf returns an all-zero record for an account never admitted", async function () {
      const { registry, dave } = await loadFixture(populated);
      const m = await registry.memberOf(dave.address);
      expect(m.status).to.equal(MemberStatus.None);
      expect(m.roles).to.equal(0n);
      expect(m.statusSince).to.equal(0n);
      expect(m.maxSingleTransfer).to.equal(0n);
      expect(m.maxDailyOutflow).to.equal(0n);
      expect(m.leiHash).to.equal(ethers.ZeroHash);
      expect(m.name).to.equal("");
    });

    it("memberOf reports suspended and removed members with their block", async function () {
      const { registry, bob, carol, bobSince, carolSince } = await loadFixture(populated);
      const b = await registry.memberOf(bob.address);
      expect([b.status, b.statusSince, b.name]).to.deep.equal([
        BigInt(MemberStatus.Suspended),
        BigInt(bobSince),
        "Bob Corp",
      ]);
      const c = await registry.memberOf(carol.address);
      expect([c.status, c.statusSince, c.name]).to.deep.equal([
        BigInt(MemberStatus.Removed),
        BigInt(carolSince),
        "Carol Ops",
      ]);
    });

    it("hasRole: role 0 is always false", async function () {
      const { registry, alice, dave } = await loadFixture(populated);
      await registry.setRoles(alice.address, ALL_ROLES);
      expect(await registry.hasRole(alice.address, 0)).to.equal(false);
      expect(await registry.hasRole(dave.address, 0)).to.equal(false);
    });

    it("hasRole: single bits and multi-bit masks require every bit", async function () {
      const { registry, alice, dave } = await loadFixture(populated);
      // alice holds MEMBER_BANK | AUDITOR
      expect(await registry.hasRole(alice.address, Role.MEMBER_BANK)).to.equal(true);
      expect(await registry.hasRole(alice.address, Role.AUDITOR)).to.equal(true);
      expect(await registry.hasRole(alice.address, Role.MEMBER_BANK | Role.AUDITOR)).to.equal(true);
      expect(await registry.hasRole(alice.address, Role.OPERATOR)).to.equal(false);
      expect(await registry.hasRole(alice.address, Role.MEMBER_BANK | Role.OPERATOR)).to.equal(false);
      expect(await registry.hasRole(alice.address, ALL_ROLES)).to.equal(false);
      expect(await registry.hasRole(alice.address, 32)).to.equal(false);
      expect(await registry.hasRole(dave.address, Role.OPERATOR)).to.equal(false);
    });

    it("hasRole reports stored roles regardless of status or sanctions", async function () {
      // hasRole is a pure bitmask lookup: callers that need an *active* member must use requireActive.
      const { registry, alice, bob, carol } = await loadFixture(populated);
      await registry.addSanction(alice.address, 1);
      expect(await registry.hasRole(alice.address, Role.MEMBER_BANK)).to.equal(true);
      expect(await registry.hasRole(bob.address, Role.CORPORATE)).to.equal(true);
      expect(await registry.hasRole(carol.address, Role.OPERATOR)).to.equal(true);
    });

    it("isActiveMember is true only for active, unsanctioned members", async function () {
      const { registry, alice, bob, carol, dave, eve } = await loadFixture(populated);
      expect(await registry.isActiveMember(alice.address)).to.equal(true);
      expect(await registry.isActiveMember(bob.address)).to.equal(false);
      expect(await registry.isActiveMember(carol.address)).to.equal(false);
      expect(await registry.isActiveMember(dave.address)).to.equal(false);
      expect(await registry.isActiveMember(ethers.ZeroAddress)).to.equal(false);
      await admit(registry, eve);
      expect(await registry.isActiveMember(eve.address)).to.equal(true);
      await registry.addSanction(eve.address, 3);
      expect(await registry.isActiveMember(eve.address)).to.equal(false);
      await registry.removeSanction(eve.address, 3);
      expect(await registry.isActiveMember(eve.address)).to.equal(true);
    });

    it("sanctionOf returns the code, or 0", async function () {
      const { registry, alice, dave } = await loadFixture(populated);
      expect(await registry.sanctionOf(dave.address)).to.equal(0n);
      await registry.addSanction(dave.address, 1234);
      expect(await registry.sanctionOf(dave.address)).to.equal(1234n);
      expect(await registry.sanctionOf(alice.address)).to.equal(0n);
    });

    describe("requireActive", function () {
      it("returns roles and limits for role 0 and for held roles", async function () {
        const { registry, alice } = await loadFixture(populated);
        const expected = [BigInt(Role.MEMBER_BANK | Role.AUDITOR), SINGLE, DAILY];
        expect(await registry.requireActive(alice.address, 0)).to.deep.equal(expected);
        expect(await registry.requireActive(alice.address, Role.MEMBER_BANK)).to.deep.equal(expected);
        expect(await registry.requireActive(alice.address, Role.AUDITOR)).to.deep.equal(expected);
        expect(await registry.requireActive(alice.address, Role.MEMBER_BANK | Role.AUDITOR)).to.deep.equal(expected);
        const r = await registry.requireActive(alice.address, Role.AUDITOR);
        expect(r.roles).to.equal(Role.MEMBER_BANK | Role.AUDITOR);
        expect(r.maxSingleTransfer).to.equal(SINGLE);
        expect(r.maxDailyOutflow).to.equal(DAILY);
      });

      it("reverts for a sanctioned member, before any status check", async function () {
        const { registry, alice, bob, carol, dave } = await loadFixture(populated);
        for (const [who, code] of [
          [alice, 11],
          [bob, 12],
          [carol, 13],
          [dave, 14],
        ] as const) {
          await registry.addSanction(who.address, code);
          await expect(registry.requireActive(who.address, 0))
            .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
            .withArgs(who.address, code);
        }
      });

      it("reverts for an account never admitted", async function () {
        const { registry, dave } = await loadFixture(populated);
        await expect(registry.requireActive(dave.address, 0))
          .to.be.revertedWithCustomError(registry, "RegistryNotMember")
          .withArgs(dave.address);
        await expect(registry.requireActive(ethers.ZeroAddress, Role.OPERATOR))
          .to.be.revertedWithCustomError(registry, "RegistryNotMember")
          .withArgs(ethers.ZeroAddress);
      });

      it("reverts for a suspended member with its suspension block", async function () {
        const { registry, bob, bobSince } = await loadFixture(populated);
        await expect(registry.requireActive(bob.address, Role.CORPORATE))
          .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
          .withArgs(bob.address, bobSince);
      });

      it("reverts for a removed member with its removal block", async function () {
        const { registry, carol, carolSince } = await loadFixture(populated);
        await expect(registry.requireActive(carol.address, Role.OPERATOR))
          .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
          .withArgs(carol.address, carolSince);
      });

      it("reverts for a missing role, including a partially held multi-bit role", async function () {
        const { registry, alice } = await loadFixture(populated);
        await expect(registry.requireActive(alice.address, Role.OPERATOR))
          .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
          .withArgs(alice.address, Role.OPERATOR);
        await expect(registry.requireActive(alice.address, Role.MEMBER_BANK | Role.REGULATOR))
          .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
          .withArgs(alice.address, Role.MEMBER_BANK | Role.REGULATOR);
        await expect(registry.requireActive(alice.address, 32))
          .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
          .withArgs(alice.address, 32);
      });
    });

    it("memberCount and memberAt list every member ever admitted, in admission order", async function () {
      const { registry, alice, bob, carol, dave } = await loadFixture(populated);
      expect(await registry.memberCount()).to.equal(3n);
      await admit(registry, dave);
      expect(await registry.memberCount()).to.equal(4n);
      const list: string[] = [];
      for (let i = 0n; i < (await registry.memberCount()); i++) list.push(await registry.memberAt(i));
      expect(list).to.deep.equal([alice.address, bob.address, carol.address, dave.address]);
    });

    it("memberAt reverts past the end of the list", async function () {
      const { registry } = await loadFixture(populated);
      await expect(registry.memberAt(3)).to.be.revertedWithPanic(0x32);
    });
  });
});
