/** ConsortiumRegistry: admitting members and changing their roles and limits. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistry, lei, MemberStatus, Role, UNLIMITED } from "../../helpers/fixtures";
import { admit, ALL_ROLES, DAILY, nextBlock, populated, SINGLE } from "./helpers";

describe("ConsortiumRegistry", function () {
  describe("admitMember", function () {
    it("admits a member with the exact record, event, and list entry", async function () {
      const { registry, others } = await loadFixture(deployRegistry);
      const [alice] = others;
      const since = await nextBlock();
      await expect(
        registry.admitMember(
          alice.address,
          Role.MEMBER_BANK | Role.OPERATOR,
          lei("ALICE"),
          "Alice Bank",
          SINGLE,
          DAILY,
        ),
      )
        .to.emit(registry, "MemberAdmitted")
        .withArgs(alice.address, Role.MEMBER_BANK | Role.OPERATOR, lei("ALICE"), "Alice Bank", SINGLE, DAILY);
      const m = await registry.memberOf(alice.address);
      expect(m.status).to.equal(MemberStatus.Active);
      expect(m.roles).to.equal(Role.MEMBER_BANK | Role.OPERATOR);
      expect(m.statusSince).to.equal(since);
      expect(m.maxSingleTransfer).to.equal(SINGLE);
      expect(m.maxDailyOutflow).to.equal(DAILY);
      expect(m.leiHash).to.equal(lei("ALICE"));
      expect(m.name).to.equal("Alice Bank");
      expect(await registry.memberCount()).to.equal(1n);
      expect(await registry.memberAt(0)).to.equal(alice.address);
      expect(await registry.isActiveMember(alice.address)).to.equal(true);
    });

    it("accepts boundary values: all roles, 64-byte name, equal limits, zero limits, unlimited", async function () {
      const { registry, others } = await loadFixture(deployRegistry);
      const name64 = "N".repeat(64);
      await expect(registry.admitMember(others[0].address, ALL_ROLES, lei("A"), name64, 5n, 5n))
        .to.emit(registry, "MemberAdmitted")
        .withArgs(others[0].address, ALL_ROLES, lei("A"), name64, 5n, 5n);
      await expect(registry.admitMember(others[1].address, Role.REGULATOR, lei("B"), "B", 0n, 0n))
        .to.emit(registry, "MemberAdmitted")
        .withArgs(others[1].address, Role.REGULATOR, lei("B"), "B", 0n, 0n);
      await expect(registry.admitMember(others[2].address, Role.OPERATOR, lei("C"), "C", UNLIMITED, UNLIMITED))
        .to.emit(registry, "MemberAdmitted")
        .withArgs(others[2].address, Role.OPERATOR, lei("C"), "C", UNLIMITED, UNLIMITED);
      // 32 two-byte characters = 64 bytes: the limit is in bytes.
      const utf8Name64 = "é".repeat(32);
      await expect(registry.admitMember(others[3].address, Role.CORPORATE, lei("D"), utf8Name64, 1n, 2n))
        .to.emit(registry, "MemberAdmitted")
        .withArgs(others[3].address, Role.CORPORATE, lei("D"), utf8Name64, 1n, 2n);
      expect((await registry.memberOf(others[0].address)).name).to.equal(name64);
      expect((await registry.memberOf(others[3].address)).name).to.equal(utf8Name64);
      expect(await registry.memberCount()).to.equal(4n);
    });

    it("rejects the zero address", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(admit(registry, ethers.ZeroAddress)).to.be.revertedWithCustomError(registry, "RegistryZeroAddress");
    });

    for (const roles of [0, 32, 33, 64, 128, 255]) {
      it(`rejects roles ${roles}`, async function () {
        const { registry, others } = await loadFixture(deployRegistry);
        await expect(admit(registry, others[0], { roles }))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidRoles")
          .withArgs(roles);
      });
    }

    it("rejects a zero LEI hash", async function () {
      const { registry, others } = await loadFixture(deployRegistry);
      await expect(admit(registry, others[0], { leiHash: ethers.ZeroHash })).to.be.revertedWithCustomError(
        registry,
        "RegistryInvalidLeiHash",
      );
    });

    for (const [label, name, length] of [
      ["empty", "", 0],
      ["65-byte", "N".repeat(65), 65],
      ["66-byte UTF-8 (33 characters)", "é".repeat(33), 66],
      ["very long", "N".repeat(300), 300],
    ] as const) {
      it(`rejects a ${label} name`, async function () {
        const { registry, others } = await loadFixture(deployRegistry);
        await expect(admit(registry, others[0], { name }))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidName")
          .withArgs(length);
      });
    }

    it("rejects a single-transfer limit above the daily limit", async function () {
      const { registry, others } = await loadFixture(deployRegistry);
      await expect(admit(registry, others[0], { single: DAILY + 1n, daily: DAILY }))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidLimits")
        .withArgs(DAILY + 1n, DAILY);
      await expect(admit(registry, others[0], { single: UNLIMITED, daily: 0n }))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidLimits")
        .withArgs(UNLIMITED, 0n);
    });

    it("rejects a sanctioned address, member or not", async function () {
      const { registry, dave, carol } = await loadFixture(populated);
      await registry.addSanction(dave.address, 7);
      await expect(admit(registry, dave))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(dave.address, 7);
      // A removed member that is sanctioned cannot be re-admitted either.
      await registry.addSanction(carol.address, 9);
      await expect(admit(registry, carol))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(carol.address, 9);
      expect((await registry.memberOf(dave.address)).status).to.equal(MemberStatus.None);
      expect(await registry.memberCount()).to.equal(3n);
    });

    it("rejects an active member with RegistryMemberExists(Active)", async function () {
      const { registry, alice } = await loadFixture(populated);
      await expect(admit(registry, alice))
        .to.be.revertedWithCustomError(registry, "RegistryMemberExists")
        .withArgs(alice.address, MemberStatus.Active);
    });

    it("rejects a suspended member with RegistryMemberExists(Suspended)", async function () {
      const { registry, bob } = await loadFixture(populated);
      await expect(admit(registry, bob))
        .to.be.revertedWithCustomError(registry, "RegistryMemberExists")
        .withArgs(bob.address, MemberStatus.Suspended);
    });

    it("checks the sanction before the existing membership", async function () {
      const { registry, alice } = await loadFixture(populated);
      await registry.addSanction(alice.address, 2);
      await expect(admit(registry, alice))
        .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
        .withArgs(alice.address, 2);
    });

    it("re-admits a removed member with its new record, without duplicating memberList", async function () {
      const { registry, carol, alice, bob } = await loadFixture(populated);
      const countBefore = await registry.memberCount();
      expect(countBefore).to.equal(3n);
      await mine(5);
      const since = await nextBlock();
      await expect(registry.admitMember(carol.address, Role.REGULATOR, lei("CAROL-2"), "Carol Regulator", 7n, 70n))
        .to.emit(registry, "MemberAdmitted")
        .withArgs(carol.address, Role.REGULATOR, lei("CAROL-2"), "Carol Regulator", 7n, 70n);
      const m = await registry.memberOf(carol.address);
      expect(m.status).to.equal(MemberStatus.Active);
      expect(m.roles).to.equal(Role.REGULATOR);
      expect(m.statusSince).to.equal(since);
      expect(m.maxSingleTransfer).to.equal(7n);
      expect(m.maxDailyOutflow).to.equal(70n);
      expect(m.leiHash).to.equal(lei("CAROL-2"));
      expect(m.name).to.equal("Carol Regulator");
      expect(await registry.memberCount()).to.equal(countBefore);
      expect([await registry.memberAt(0), await registry.memberAt(1), await registry.memberAt(2)]).to.deep.equal([
        alice.address,
        bob.address,
        carol.address,
      ]);
      expect(await registry.isActiveMember(carol.address)).to.equal(true);
      // Removing and re-admitting again still does not grow the list.
      await registry.removeMember(carol.address);
      await admit(registry, carol);
      expect(await registry.memberCount()).to.equal(countBefore);
    });
  });

  describe("setRoles", function () {
    it("replaces the roles of an active member and emits previous and new roles", async function () {
      const { registry, alice } = await loadFixture(populated);
      await expect(registry.setRoles(alice.address, Role.REGULATOR | Role.OPERATOR))
        .to.emit(registry, "MemberRolesChanged")
        .withArgs(alice.address, Role.MEMBER_BANK | Role.AUDITOR, Role.REGULATOR | Role.OPERATOR);
      expect((await registry.memberOf(alice.address)).roles).to.equal(Role.REGULATOR | Role.OPERATOR);
      expect(await registry.hasRole(alice.address, Role.MEMBER_BANK)).to.equal(false);
      expect(await registry.hasRole(alice.address, Role.OPERATOR)).to.equal(true);
    });

    it("works on a suspended member without changing its status", async function () {
      const { registry, bob, bobSince } = await loadFixture(populated);
      await expect(registry.setRoles(bob.address, ALL_ROLES))
        .to.emit(registry, "MemberRolesChanged")
        .withArgs(bob.address, Role.CORPORATE, ALL_ROLES);
      const m = await registry.memberOf(bob.address);
      expect(m.roles).to.equal(ALL_ROLES);
      expect(m.status).to.equal(MemberStatus.Suspended);
      expect(m.statusSince).to.equal(bobSince);
    });

    for (const roles of [0, 32, 255]) {
      it(`rejects roles ${roles}`, async function () {
        const { registry, alice } = await loadFixture(populated);
        await expect(registry.setRoles(alice.address, roles))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidRoles")
          .withArgs(roles);
      });
    }

    it("rejects an account that was never admitted", async function () {
      const { registry, dave } = await loadFixture(populated);
      await expect(registry.setRoles(dave.address, Role.OPERATOR))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(dave.address);
    });

    it("rejects a removed member", async function () {
      const { registry, carol, carolSince } = await loadFixture(populated);
      await expect(registry.setRoles(carol.address, Role.OPERATOR))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(carol.address, carolSince);
    });
  });

  describe("setLimits", function () {
    it("replaces the limits of an active member", async function () {
      const { registry, alice } = await loadFixture(populated);
      await expect(registry.setLimits(alice.address, 50n, 500n))
        .to.emit(registry, "MemberLimitsChanged")
        .withArgs(alice.address, 50n, 500n);
      const m = await registry.memberOf(alice.address);
      expect(m.maxSingleTransfer).to.equal(50n);
      expect(m.maxDailyOutflow).to.equal(500n);
      const [, single, daily] = await registry.requireActive(alice.address, 0);
      expect([single, daily]).to.deep.equal([50n, 500n]);
    });

    it("accepts equal, zero and unlimited limits, and works on a suspended member", async function () {
      const { registry, alice, bob } = await loadFixture(populated);
      await expect(registry.setLimits(alice.address, 0n, 0n))
        .to.emit(registry, "MemberLimitsChanged")
        .withArgs(alice.address, 0n, 0n);
      await expect(registry.setLimits(alice.address, UNLIMITED, UNLIMITED))
        .to.emit(registry, "MemberLimitsChanged")
        .withArgs(alice.address, UNLIMITED, UNLIMITED);
      await expect(registry.setLimits(bob.address, 9n, 9n))
        .to.emit(registry, "MemberLimitsChanged")
        .withArgs(bob.address, 9n, 9n);
      const m = await registry.memberOf(bob.address);
      expect([m.status, m.maxSingleTransfer, m.maxDailyOutflow]).to.deep.equal([
        BigInt(MemberStatus.Suspended),
        9n,
        9n,
      ]);
    });

    it("rejects a single-transfer limit above the daily limit", async function () {
      const { registry, alice } = await loadFixture(populated);
      await expect(registry.setLimits(alice.address, 11n, 10n))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidLimits")
        .withArgs(11n, 10n);
    });

    it("rejects an account that was never admitted", async function () {
      const { registry, dave } = await loadFixture(populated);
      await expect(registry.setLimits(dave.address, 1n, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryNotMember")
        .withArgs(dave.address);
    });

    it("rejects a removed member", async function () {
      const { registry, carol, carolSince } = await loadFixture(populated);
      await expect(registry.setLimits(carol.address, 1n, 1n))
        .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
        .withArgs(carol.address, carolSince);
    });
  });
});
