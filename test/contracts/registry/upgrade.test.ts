import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ConsortiumRegistry, ConsortiumRegistryV2 } from "../../../typechain-types";
import { deployRegistry, enode, lei, MemberStatus, Reason, Role, UNLIMITED } from "../../helpers/fixtures";
import { NodeKind } from "./helpers";

const NODES = [
  { id: enode("validator-a"), host: "10.0.0.1", port: 30303, kind: NodeKind.Validator },
  { id: enode("member-b").toUpperCase(), host: "Node-B.Bank.Example", port: 30304, kind: NodeKind.Member },
  { id: enode("removed-c"), host: "10.0.0.3", port: 30305, kind: NodeKind.Validator },
];

/** Everything observable about the registry, in a form chai can deep-compare. */
interface Snapshot {
  owner: string;
  pendingOwner: string;
  memberList: string[];
  members: Record<
    string,
    {
      status: bigint;
      roles: bigint;
      statusSince: bigint;
      maxSingleTransfer: bigint;
      maxDailyOutflow: bigint;
      leiHash: string;
      name: string;
      sanction: bigint;
      active: boolean;
    }
  >;
  nodeCount: bigint;
  nodes: { allowed: boolean; kind: bigint; connection: boolean }[];
  checks: Record<string, bigint>;
}

async function snapshot(registry: ConsortiumRegistry, accounts: string[]): Promise<Snapshot> {
  const memberList: string[] = [];
  const count = await registry.memberCount();
  for (let i = 0n; i < count; i++) memberList.push(await registry.memberAt(i));
  const members: Snapshot["members"] = {};
  for (const a of accounts) {
    const m = await registry.memberOf(a);
    members[a] = {
      status: m.status,
      roles: m.roles,
      statusSince: m.statusSince,
      maxSingleTransfer: m.maxSingleTransfer,
      maxDailyOutflow: m.maxDailyOutflow,
      leiHash: m.leiHash,
      name: m.name,
      sanction: await registry.sanctionOf(a),
      active: await registry.isActiveMember(a),
    };
  }
  const nodes: Snapshot["nodes"] = [];
  for (const n of NODES) {
    const [allowed, kind] = await registry.nodeOf(n.id, n.host, n.port);
    nodes.push({ allowed, kind, connection: await registry.connectionAllowed(n.id, n.host, n.port) });
  }
  const checks: Snapshot["checks"] = {};
  for (const sender of accounts) {
    for (const target of [...accounts, ethers.ZeroAddress]) {
      checks[`${sender}->${target}`] = (await registry.check(sender, target, 1_000n, "0x")).reason;
    }
  }
  return {
    owner: await registry.owner(),
    pendingOwner: await registry.pendingOwner(),
    memberList,
    members,
    nodeCount: await registry.nodeCount(),
    nodes,
    checks,
  };
}

/** A registry with members in every state, sanctions, nodes and a pending ownership transfer. */
async function populatedRegistry() {
  const base = await deployRegistry();
  const { registry, owner, others } = base;
  const [operator, bank, suspended, removed, readmitted, sanctionedMember, sanctionedOutsider, nextOwner, outsider] =
    others;
  await registry.admitMember(operator.address, Role.OPERATOR, lei("OP"), "Operator", UNLIMITED, UNLIMITED);
  await registry.admitMember(bank.address, Role.MEMBER_BANK | Role.AUDITOR, lei("BANK"), "Bank", 1_000n, 5_000n);
  await registry.admitMember(suspended.address, Role.CORPORATE, lei("SUSP"), "Suspended Corp", 10n, 100n);
  await registry.admitMember(removed.address, Role.MEMBER_BANK, lei("REM"), "Removed Bank", 10n, 100n);
  await registry.admitMember(readmitted.address, Role.OPERATOR, lei("READ-1"), "First Life", 1n, 1n);
  await registry.admitMember(sanctionedMember.address, Role.REGULATOR, lei("SANC"), "Sanctioned", 5n, 5n);
  await registry.suspendMember(suspended.address);
  await registry.removeMember(removed.address);
  await registry.removeMember(readmitted.address);
  await registry.admitMember(readmitted.address, Role.MEMBER_BANK, lei("READ-2"), "Second Life", 2_000n, 2_000n);
  await registry.addSanction(sanctionedMember.address, 17);
  await registry.addSanction(sanctionedOutsider.address, 4242);
  for (const n of NODES) await registry.allowNode(n.id, n.host, n.port, n.kind);
  await registry.removeNode(NODES[2].id, NODES[2].host, NODES[2].port);
  await registry.transferOwnership(nextOwner.address);
  const accounts = [
    owner,
    operator,
    bank,
    suspended,
    removed,
    readmitted,
    sanctionedMember,
    sanctionedOutsider,
    nextOwner,
    outsider,
  ].map((s) => s.address);
  return {
    ...base,
    proxyAddress: await registry.getAddress(),
    accounts,
    operator,
    bank,
    suspended,
    removed,
    readmitted,
    sanctionedMember,
    sanctionedOutsider,
    nextOwner,
    outsider,
  };
}

/** Deploy raw init code (no ABI) and return the created address. */
async function deployRaw(from: HardhatEthersSigner, initCode: string): Promise<string> {
  const receipt = await (await from.sendTransaction({ data: initCode })).wait();
  if (!receipt?.contractAddress) throw new Error("raw deployment failed");
  expect(await ethers.provider.getCode(receipt.contractAddress)).to.not.equal("0x");
  return receipt.contractAddress;
}

describe("ConsortiumRegistry upgrades", function () {
  it("upgrading to V2 preserves all state and exposes version() = 2", async function () {
    const f = await loadFixture(populatedRegistry);
    const { registry, proxyAddress, accounts } = f;
    const before = await snapshot(registry, accounts);

    // The snapshot must describe the arranged state, or comparing it would prove nothing.
    expect(before.owner).to.equal(f.owner.address);
    expect(before.pendingOwner).to.equal(f.nextOwner.address);
    expect(before.memberList).to.deep.equal([
      f.operator.address,
      f.bank.address,
      f.suspended.address,
      f.removed.address,
      f.readmitted.address,
      f.sanctionedMember.address,
    ]);
    expect(before.members[f.suspended.address].status).to.equal(BigInt(MemberStatus.Suspended));
    expect(before.members[f.removed.address].status).to.equal(BigInt(MemberStatus.Removed));
    expect(before.members[f.readmitted.address].status).to.equal(BigInt(MemberStatus.Active));
    expect(before.members[f.readmitted.address].name).to.equal("Second Life");
    expect(before.members[f.bank.address].maxDailyOutflow).to.equal(5_000n);
    expect(before.members[f.sanctionedMember.address].sanction).to.equal(17n);
    expect(before.members[f.sanctionedOutsider.address].sanction).to.equal(4242n);
    expect(before.nodeCount).to.equal(2n);
    expect(before.nodes.map((n) => n.allowed)).to.deep.equal([true, true, false]);
    expect(new Set(Object.values(before.checks)).size).to.be.greaterThanOrEqual(6);

    const implBefore = await upgrades.erc1967.getImplementationAddress(proxyAddress);
    const factory = await ethers.getContractFactory("ConsortiumRegistryV2");
    const v2 = (await upgrades.upgradeProxy(proxyAddress, factory, {
      kind: "uups",
    })) as unknown as ConsortiumRegistryV2;
    const implAfter = await upgrades.erc1967.getImplementationAddress(proxyAddress);

    expect(await v2.getAddress()).to.equal(proxyAddress);
    expect(implAfter).to.not.equal(implBefore);
    expect(await v2.version()).to.equal("2");
    expect(await snapshot(v2 as unknown as ConsortiumRegistry, accounts)).to.deep.equal(before);
  });

  it("the upgraded registry keeps working: admin, errors, ownership", async function () {
    const f = await loadFixture(populatedRegistry);
    const factory = await ethers.getContractFactory("ConsortiumRegistryV2");
    const v2 = (await upgrades.upgradeProxy(f.proxyAddress, factory, {
      kind: "uups",
    })) as unknown as ConsortiumRegistryV2;

    await expect(v2.initialize(f.outsider.address)).to.be.revertedWithCustomError(v2, "InvalidInitialization");
    await expect(v2.admitMember(f.suspended.address, Role.CORPORATE, lei("X"), "X", 1n, 1n))
      .to.be.revertedWithCustomError(v2, "RegistryMemberExists")
      .withArgs(f.suspended.address, MemberStatus.Suspended);
    await expect(v2.admitMember(f.outsider.address, Role.CORPORATE, lei("NEW"), "Newcomer", 1n, 1n))
      .to.emit(v2, "MemberAdmitted")
      .withArgs(f.outsider.address, Role.CORPORATE, lei("NEW"), "Newcomer", 1n, 1n);
    expect(await v2.memberCount()).to.equal(7n);
    expect(await v2.memberAt(6)).to.equal(f.outsider.address);
    await expect(v2.reinstateMember(f.suspended.address)).to.emit(v2, "MemberReinstated");
    expect(await v2.isActiveMember(f.suspended.address)).to.equal(true);

    // The pending ownership transfer started before the upgrade can be completed after it.
    await expect(v2.connect(f.nextOwner).acceptOwnership())
      .to.emit(v2, "OwnershipTransferred")
      .withArgs(f.owner.address, f.nextOwner.address);
    await expect(v2.connect(f.nextOwner).removeSanction(f.sanctionedOutsider.address, 1))
      .to.emit(v2, "SanctionRemoved")
      .withArgs(f.sanctionedOutsider.address, 1);
    await expect(v2.addSanction(f.outsider.address, 1))
      .to.be.revertedWithCustomError(v2, "OwnableUnauthorizedAccount")
      .withArgs(f.owner.address);
    expect((await v2.check(f.nextOwner.address, ethers.ZeroAddress, 0n, "0x")).reason).to.equal(Reason.Allowed);
  });

  it("validateUpgrade accepts V2 but rejects an implementation with a clashing storage layout", async function () {
    const { registry, proxyAddress } = await loadFixture(populatedRegistry);
    const v2Factory = await ethers.getContractFactory("ConsortiumRegistryV2");
    await upgrades.validateUpgrade(proxyAddress, v2Factory, { kind: "uups" });

    const clashFactory = await ethers.getContractFactory("StorageClashRegistry");
    const implBefore = await upgrades.erc1967.getImplementationAddress(proxyAddress);
    let validationError: unknown;
    try {
      await upgrades.validateUpgrade(proxyAddress, clashFactory, { kind: "uups" });
    } catch (e) {
      validationError = e;
    }
    expect(validationError, "validateUpgrade must reject StorageClashRegistry").to.be.instanceOf(Error);
    const message = (validationError as Error).message;
    expect(message).to.match(/storage layout/i);
    expect(message).to.match(/New storage layout is incompatible/);
    expect(message).to.match(/Replaced `members` with `nodeCount` of incompatible type/);
    expect(message).to.match(/Deleted `sanctions`/);

    let upgradeError: unknown;
    try {
      await upgrades.upgradeProxy(proxyAddress, clashFactory, { kind: "uups" });
    } catch (e) {
      upgradeError = e;
    }
    expect(upgradeError, "upgradeProxy must reject StorageClashRegistry").to.be.instanceOf(Error);
    expect((upgradeError as Error).message).to.match(/storage layout/i);
    expect(await upgrades.erc1967.getImplementationAddress(proxyAddress)).to.equal(implBefore);
    expect(await registry.memberCount()).to.equal(6n);
  });

  describe("upgradeToAndCall", function () {
    async function withV2Implementation() {
      const f = await populatedRegistry();
      const impl = await (await ethers.getContractFactory("ConsortiumRegistryV2")).deploy();
      await impl.waitForDeployment();
      return { ...f, v2Impl: await impl.getAddress() };
    }

    it("reverts with OwnableUnauthorizedAccount for a non-owner, including members and the pending owner", async function () {
      const { registry, proxyAddress, v2Impl, outsider, operator, nextOwner } = await loadFixture(withV2Implementation);
      const implBefore = await upgrades.erc1967.getImplementationAddress(proxyAddress);
      for (const caller of [outsider, operator, nextOwner]) {
        await expect(registry.connect(caller).upgradeToAndCall(v2Impl, "0x"))
          .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
      }
      expect(await upgrades.erc1967.getImplementationAddress(proxyAddress)).to.equal(implBefore);
    });

    it("lets the owner upgrade directly, and follows ownership after a transfer", async function () {
      const { registry, proxyAddress, v2Impl, owner, nextOwner } = await loadFixture(withV2Implementation);
      await registry.connect(nextOwner).acceptOwnership();
      await expect(registry.connect(owner).upgradeToAndCall(v2Impl, "0x"))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
      await expect(registry.connect(nextOwner).upgradeToAndCall(v2Impl, "0x"))
        .to.emit(registry, "Upgraded")
        .withArgs(v2Impl);
      expect(await upgrades.erc1967.getImplementationAddress(proxyAddress)).to.equal(v2Impl);
      const v2 = await ethers.getContractAt("ConsortiumRegistryV2", proxyAddress);
      expect(await v2.version()).to.equal("2");
      expect(await v2.owner()).to.equal(nextOwner.address);
    });

    it("cannot re-run initialize as the upgrade call", async function () {
      const { registry, proxyAddress, v2Impl, outsider } = await loadFixture(withV2Implementation);
      const implBefore = await upgrades.erc1967.getImplementationAddress(proxyAddress);
      const data = registry.interface.encodeFunctionData("initialize", [outsider.address]);
      await expect(registry.upgradeToAndCall(v2Impl, data)).to.be.revertedWithCustomError(
        registry,
        "InvalidInitialization",
      );
      expect(await upgrades.erc1967.getImplementationAddress(proxyAddress)).to.equal(implBefore);
    });

    it("rejects an implementation whose proxiableUUID reverts, or returns the wrong slot", async function () {
      const { registry, owner } = await loadFixture(withV2Implementation);
      // Runtime code `PUSH1 0 PUSH1 0 REVERT`: every call, proxiableUUID included, reverts.
      const reverting = await deployRaw(owner, "0x6460006000fd6000526005601bf3");
      await expect(registry.upgradeToAndCall(reverting, "0x"))
        .to.be.revertedWithCustomError(registry, "ERC1967InvalidImplementation")
        .withArgs(reverting);
      // Runtime code returning bytes32(1) for every call: a UUPS contract for some other slot.
      const wrongSlot = await deployRaw(owner, "0x69600160005260206000f3600052600a6016f3");
      await expect(registry.upgradeToAndCall(wrongSlot, "0x"))
        .to.be.revertedWithCustomError(registry, "UUPSUnsupportedProxiableUUID")
        .withArgs(ethers.zeroPadValue("0x01", 32));
    });

    it("reverts without a reason for an implementation address without code", async function () {
      // OpenZeppelin's `try proxiableUUID()` cannot catch the failed decoding of an EOA's empty return data.
      const { registry, proxyAddress, outsider } = await loadFixture(withV2Implementation);
      const implBefore = await upgrades.erc1967.getImplementationAddress(proxyAddress);
      await expect(registry.upgradeToAndCall(outsider.address, "0x")).to.be.revertedWithoutReason();
      expect(await upgrades.erc1967.getImplementationAddress(proxyAddress)).to.equal(implBefore);
    });

    it("reverts when called on the implementation instead of the proxy", async function () {
      const { proxyAddress, v2Impl, owner } = await loadFixture(withV2Implementation);
      const implementation = await ethers.getContractAt(
        "ConsortiumRegistry",
        await upgrades.erc1967.getImplementationAddress(proxyAddress),
      );
      await expect(implementation.connect(owner).upgradeToAndCall(v2Impl, "0x")).to.be.revertedWithCustomError(
        implementation,
        "UUPSUnauthorizedCallContext",
      );
    });
  });

  describe("implementation contracts", function () {
    it("the deployed implementation cannot be initialized and has no owner", async function () {
      const { proxyAddress, outsider } = await loadFixture(populatedRegistry);
      const implementation = await ethers.getContractAt(
        "ConsortiumRegistry",
        await upgrades.erc1967.getImplementationAddress(proxyAddress),
      );
      await expect(implementation.connect(outsider).initialize(outsider.address)).to.be.revertedWithCustomError(
        implementation,
        "InvalidInitialization",
      );
      expect(await implementation.owner()).to.equal(ethers.ZeroAddress);
      await expect(implementation.connect(outsider).admitMember(outsider.address, Role.OPERATOR, lei("X"), "X", 1n, 1n))
        .to.be.revertedWithCustomError(implementation, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("a freshly deployed implementation (V1 or V2) cannot be initialized", async function () {
      const [, attacker] = await ethers.getSigners();
      const v1 = await (await ethers.getContractFactory("ConsortiumRegistry")).deploy();
      const v2 = await (await ethers.getContractFactory("ConsortiumRegistryV2")).deploy();
      for (const impl of [v1, v2]) {
        await impl.waitForDeployment();
        await expect(impl.initialize(attacker.address)).to.be.revertedWithCustomError(impl, "InvalidInitialization");
        expect(await impl.owner()).to.equal(ethers.ZeroAddress);
      }
    });
  });
});
