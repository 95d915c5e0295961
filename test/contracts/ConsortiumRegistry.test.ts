import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import type { ConsortiumRegistry } from "../../typechain-types";
import { deployRegistry, enode, lei, MemberStatus, Reason, Role, UNLIMITED } from "../helpers/fixtures";

const NodeKind = { Validator: 0, Member: 1 } as const;
const ALL_ROLES = Role.OPERATOR | Role.MEMBER_BANK | Role.CORPORATE | Role.AUDITOR | Role.REGULATOR;
const SINGLE = 1_000n;
const DAILY = 10_000n;
const ERC1967_IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

/** ASCII-only lower-casing, exactly as NodeIds._lower does it. */
const lowerAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The allowlist key NodeIds.key computes: keccak256(abi.encode(lower(enode), lower(host), port)). */
const nodeKey = (enodeId: string, host: string, port: number): string =>
  ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["bytes", "bytes", "uint16"],
      [ethers.toUtf8Bytes(lowerAscii(enodeId)), ethers.toUtf8Bytes(lowerAscii(host)), port],
    ),
  );

/** Block number the next (auto-mined) transaction will be included in. */
const nextBlock = async (): Promise<number> => (await ethers.provider.getBlockNumber()) + 1;

interface AdmitOptions {
  roles?: number;
  leiHash?: string;
  name?: string;
  single?: bigint;
  daily?: bigint;
}

async function admit(
  registry: ConsortiumRegistry,
  account: HardhatEthersSigner | string,
  opts: AdmitOptions = {},
): Promise<ContractTransactionResponse> {
  const address = typeof account === "string" ? account : account.address;
  return registry.admitMember(
    address,
    opts.roles ?? Role.MEMBER_BANK,
    opts.leiHash ?? lei(`LEI-${address}`),
    opts.name ?? "Some Bank",
    opts.single ?? SINGLE,
    opts.daily ?? DAILY,
  );
}

describe("ConsortiumRegistry", function () {
  /** Registry with: alice Active (MEMBER_BANK|AUDITOR), bob Suspended, carol Removed, dave never admitted. */
  async function populated() {
    const base = await deployRegistry();
    const { registry, others } = base;
    const [alice, bob, carol, dave, eve, frank] = others;
    await admit(registry, alice, { roles: Role.MEMBER_BANK | Role.AUDITOR, name: "Alice Bank" });
    await admit(registry, bob, { roles: Role.CORPORATE, name: "Bob Corp" });
    await admit(registry, carol, { roles: Role.OPERATOR, name: "Carol Ops" });
    await registry.suspendMember(bob.address);
    const bobSince = await ethers.provider.getBlockNumber();
    await registry.removeMember(carol.address);
    const carolSince = await ethers.provider.getBlockNumber();
    return { ...base, alice, bob, carol, dave, eve, frank, bobSince, carolSince };
  }

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

  describe("nodes", function () {
    const E1 = enode("validator-1");
    const E2 = enode("member-node-2");
    const HOST = "10.0.0.1";
    const PORT = 30303;

    async function withNode() {
      const f = await deployRegistry();
      await f.registry.allowNode(E1, HOST, PORT, NodeKind.Validator);
      return f;
    }

    it("allowNode adds a validator node with the exact key and event", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.allowNode(E1, HOST, PORT, NodeKind.Validator))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E1, HOST, PORT), E1, HOST, PORT, NodeKind.Validator);
      expect(await registry.nodeCount()).to.equal(1n);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      expect(await registry.connectionAllowed(E1, HOST, PORT)).to.equal(true);
    });

    it("allowNode adds a member node; nodeOf reports its kind", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.allowNode(E2, "node2.bank.example", 65535, NodeKind.Member))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E2, "node2.bank.example", 65535), E2, "node2.bank.example", 65535, NodeKind.Member);
      expect(await registry.nodeCount()).to.equal(2n);
      expect(await registry.nodeOf(E2, "node2.bank.example", 65535)).to.deep.equal([true, BigInt(NodeKind.Member)]);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
    });

    it("allowNode accepts upper-case hex, a 64-byte host and port 1; the event keeps the caller's spelling", async function () {
      const { registry } = await loadFixture(deployRegistry);
      const upper = E2.toUpperCase();
      const host64 = "H".repeat(64);
      await expect(registry.allowNode(upper, host64, 1, NodeKind.Member))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E2, host64.toLowerCase(), 1), upper, host64, 1, NodeKind.Member);
      expect(await registry.connectionAllowed(E2, host64.toLowerCase(), 1)).to.equal(true);
    });

    it("treats a different host or port as a different node", async function () {
      const { registry } = await loadFixture(withNode);
      await registry.allowNode(E1, "10.0.0.2", PORT, NodeKind.Member);
      await registry.allowNode(E1, HOST, PORT + 1, NodeKind.Member);
      expect(await registry.nodeCount()).to.equal(3n);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(E1, HOST, PORT + 1)).to.deep.equal([true, BigInt(NodeKind.Member)]);
    });

    const badEnodes: [string, string][] = [
      ["empty", ""],
      ["127 characters", E1.slice(0, 127)],
      ["129 characters", E1 + "a"],
      ["0x-prefixed (130 characters)", "0x" + E1],
      ["0x-prefixed (128 characters)", "0x" + E1.slice(2)],
      ["a 'g' at the start", "g" + E1.slice(1)],
      ["a 'G' at the end", E1.slice(0, 127) + "G"],
      ["a space in the middle", E1.slice(0, 64) + " " + E1.slice(65)],
      ["a ':' in the middle", E1.slice(0, 10) + ":" + E1.slice(11)],
      ["a '/' (just below '0')", E1.slice(0, 1) + "/" + E1.slice(2)],
      ["a '@' (just below 'A')", E1.slice(0, 1) + "@" + E1.slice(2)],
      ["a '`' (just below 'a')", E1.slice(0, 1) + "`" + E1.slice(2)],
    ];
    for (const [label, bad] of badEnodes) {
      it(`allowNode rejects an enode id with ${label}`, async function () {
        const { registry } = await loadFixture(deployRegistry);
        await expect(registry.allowNode(bad, HOST, PORT, NodeKind.Validator))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidEnodeId")
          .withArgs(bad);
      });
    }

    it("allowNode reports the enode id before the node address", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.allowNode("zz", "", 0, NodeKind.Validator))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidEnodeId")
        .withArgs("zz");
    });

    for (const [label, host, port] of [
      ["an empty host", "", PORT],
      ["a 65-byte host", "h".repeat(65), PORT],
      ["port 0", HOST, 0],
    ] as const) {
      it(`allowNode rejects ${label}`, async function () {
        const { registry } = await loadFixture(deployRegistry);
        await expect(registry.allowNode(E1, host, port, NodeKind.Validator))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
          .withArgs(host, port);
        expect(await registry.nodeCount()).to.equal(0n);
      });
    }

    it("allowNode rejects a duplicate node", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.allowNode(E1, HOST, PORT, NodeKind.Member))
        .to.be.revertedWithCustomError(registry, "RegistryNodeExists")
        .withArgs(nodeKey(E1, HOST, PORT));
    });

    it("allowNode rejects a case-insensitive duplicate of the enode id and host", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await registry.allowNode(E1, "node1.bank.example", PORT, NodeKind.Validator);
      const key = nodeKey(E1, "node1.bank.example", PORT);
      await expect(registry.allowNode(E1.toUpperCase(), "node1.bank.example", PORT, NodeKind.Validator))
        .to.be.revertedWithCustomError(registry, "RegistryNodeExists")
        .withArgs(key);
      await expect(registry.allowNode(E1, "NODE1.Bank.Example", PORT, NodeKind.Member))
        .to.be.revertedWithCustomError(registry, "RegistryNodeExists")
        .withArgs(key);
      expect(await registry.nodeCount()).to.equal(1n);
    });

    it("removeNode removes a node", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.removeNode(E1, HOST, PORT))
        .to.emit(registry, "NodeRemoved")
        .withArgs(nodeKey(E1, HOST, PORT), E1, HOST, PORT);
      expect(await registry.nodeCount()).to.equal(0n);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      expect(await registry.connectionAllowed(E1, HOST, PORT)).to.equal(false);
    });

    it("removeNode matches case-insensitively and a removed node can be allowed again", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await registry.allowNode(E1, "node1.bank.example", PORT, NodeKind.Member);
      const upper = E1.toUpperCase();
      await expect(registry.removeNode(upper, "Node1.BANK.example", PORT))
        .to.emit(registry, "NodeRemoved")
        .withArgs(nodeKey(E1, "node1.bank.example", PORT), upper, "Node1.BANK.example", PORT);
      expect(await registry.nodeCount()).to.equal(0n);
      await expect(registry.allowNode(E1, "node1.bank.example", PORT, NodeKind.Validator))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E1, "node1.bank.example", PORT), E1, "node1.bank.example", PORT, NodeKind.Validator);
      expect(await registry.nodeOf(E1, "node1.bank.example", PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
    });

    it("removeNode rejects an unknown node, including one already removed", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.removeNode(E2, HOST, PORT))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownNode")
        .withArgs(nodeKey(E2, HOST, PORT));
      await expect(registry.removeNode(E1, HOST, PORT + 1))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownNode")
        .withArgs(nodeKey(E1, HOST, PORT + 1));
      await registry.removeNode(E1, HOST, PORT);
      await expect(registry.removeNode(E1, HOST, PORT))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownNode")
        .withArgs(nodeKey(E1, HOST, PORT));
      expect(await registry.nodeCount()).to.equal(0n);
    });

    it("removeNode rejects a malformed enode id or node address", async function () {
      const { registry } = await loadFixture(withNode);
      const bad = "0x" + E1;
      await expect(registry.removeNode(bad, HOST, PORT))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidEnodeId")
        .withArgs(bad);
      await expect(registry.removeNode(E1, "", PORT))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
        .withArgs("", PORT);
      await expect(registry.removeNode(E1, "h".repeat(65), PORT))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
        .withArgs("h".repeat(65), PORT);
      await expect(registry.removeNode(E1, HOST, 0))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
        .withArgs(HOST, 0);
    });

    it("allowNode rejects a node kind outside the enum", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.allowNode(E1, HOST, PORT, 2)).to.be.revertedWithoutReason();
      expect(await registry.nodeCount()).to.equal(0n);
    });

    it("connectionAllowed matches enode id and host case-insensitively", async function () {
      const { registry } = await loadFixture(deployRegistry);
      const mixed = E1.slice(0, 64).toUpperCase() + E1.slice(64);
      await registry.allowNode(mixed, "Node1.Bank.Example", PORT, NodeKind.Validator);
      for (const [id, host] of [
        [E1, "node1.bank.example"],
        [E1.toUpperCase(), "NODE1.BANK.EXAMPLE"],
        [mixed, "Node1.Bank.Example"],
        [E1, "nOdE1.bAnK.eXaMpLe"],
      ]) {
        expect(await registry.connectionAllowed(id, host, PORT)).to.equal(true);
        expect(await registry.nodeOf(id, host, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      }
    });

    it("connectionAllowed is false for unknown nodes and, without reverting, for malformed input", async function () {
      const { registry } = await loadFixture(withNode);
      expect(await registry.connectionAllowed(E2, HOST, PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, "10.0.0.2", PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, HOST, PORT + 1)).to.equal(false);
      expect(await registry.connectionAllowed("0x" + E1, HOST, PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1.slice(0, 127), HOST, PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, "", PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, "h".repeat(65), PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, HOST, 0)).to.equal(false);
      expect(await registry.nodeOf("0x" + E1, HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(E1, HOST, 0)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(E2, HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      // The allowed node itself still matches.
      expect(await registry.connectionAllowed(E1, HOST, PORT)).to.equal(true);
    });

    it("nodeCount tracks additions and removals", async function () {
      const { registry } = await loadFixture(deployRegistry);
      const ids = ["a", "b", "c", "d"].map((s) => enode(s));
      for (const [i, id] of ids.entries()) {
        await registry.allowNode(id, HOST, PORT, i % 2 === 0 ? NodeKind.Validator : NodeKind.Member);
        expect(await registry.nodeCount()).to.equal(BigInt(i + 1));
      }
      await registry.removeNode(ids[1], HOST, PORT);
      await registry.removeNode(ids[3], HOST, PORT);
      expect(await registry.nodeCount()).to.equal(2n);
      expect(await registry.nodeOf(ids[2], HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(ids[3], HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
    });
  });

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
