import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  ContractRevertError,
  InvalidArgumentError,
  Role,
  UNLIMITED,
  type ContractRevertError as RevertErrorType,
} from "../../packages/sdk/src";
import { leiHash, leiWithCheckDigits } from "../../packages/sdk/src";
import { blockNumber, key, rejectsWith, sdkFixture, LIMIT_DAILY, LIMIT_SINGLE } from "./fixture";

const ENODE = "ab".repeat(64);

describe("SDK registry (real Hardhat network)", () => {
  it("admits members and reads them back with readable names", async () => {
    const { gov, addresses } = await loadFixture(sdkFixture);
    const bank = await gov.registry.getMember({ account: addresses.bankA });
    expect(bank.status).to.equal("Active");
    expect(bank.roleNames).to.deep.equal(["MEMBER_BANK"]);
    expect(bank.name).to.equal("Bank A");
    expect(bank.maxSingleTransfer).to.equal(LIMIT_SINGLE);
    expect(bank.maxDailyOutflow).to.equal(LIMIT_DAILY);
    expect(bank.leiHash).to.equal(leiHash(leiWithCheckDigits("5493000BANK0000000")));
    const members = await gov.registry.listMembers();
    expect(members.map((m) => m.account)).to.deep.equal([
      addresses.operator,
      addresses.bankA,
      addresses.bankB,
      addresses.corporate,
    ]);
    expect((await gov.registry.getMember({ account: addresses.outsider })).status).to.equal("None");
  });

  it("accepts a LEI hash instead of a LEI", async () => {
    const { gov, addresses } = await loadFixture(sdkFixture);
    const hash = leiHash(leiWithCheckDigits("5493000OUTSIDER000"));
    await gov.registry.admitMember({
      account: addresses.outsider,
      roles: Role.AUDITOR | Role.REGULATOR,
      leiHash: hash,
      name: "Supervisor",
      maxSingleTransfer: 0n,
      maxDailyOutflow: 0n,
    });
    const m = await gov.registry.getMember({ account: addresses.outsider });
    expect(m.leiHash).to.equal(hash);
    expect(m.roleNames).to.deep.equal(["AUDITOR", "REGULATOR"]);
  });

  it("changes roles and limits, suspends, reinstates and removes", async () => {
    const { gov, addresses } = await loadFixture(sdkFixture);
    await gov.registry.setRoles({ account: addresses.bankA, roles: Role.MEMBER_BANK | Role.CORPORATE });
    await gov.registry.setLimits({ account: addresses.bankA, maxSingleTransfer: 5n, maxDailyOutflow: 10n });
    let m = await gov.registry.getMember({ account: addresses.bankA });
    expect(m.roles).to.equal(Role.MEMBER_BANK | Role.CORPORATE);
    expect([m.maxSingleTransfer, m.maxDailyOutflow]).to.deep.equal([5n, 10n]);
    const suspended = await gov.registry.suspendMember({ account: addresses.bankA });
    m = await gov.registry.getMember({ account: addresses.bankA });
    expect(m.status).to.equal("Suspended");
    expect(m.statusSince).to.equal(suspended.blockNumber);
    await gov.registry.reinstateMember({ account: addresses.bankA });
    expect((await gov.registry.getMember({ account: addresses.bankA })).status).to.equal("Active");
    await gov.registry.removeMember({ account: addresses.bankA });
    expect((await gov.registry.getMember({ account: addresses.bankA })).status).to.equal("Removed");
  });

  it("decodes a suspended member's refusal into a typed error with its block", async () => {
    const { gov, addresses } = await loadFixture(sdkFixture);
    const { blockNumber: since } = await gov.registry.suspendMember({ account: addresses.bankA });
    const error: RevertErrorType = await rejectsWith(
      gov.registry.suspendMember({ account: addresses.bankA }),
      ContractRevertError,
    );
    expect(error.errorName).to.equal("RegistryMemberSuspended");
    if (error.revert.errorName !== "RegistryMemberSuspended") throw new Error("narrowing");
    expect(error.revert.args[1]).to.equal(since);
    expect(error.shortMessage).to.equal(
      `RegistryMemberSuspended: ${addresses.bankA.slice(0, 6)}…${addresses.bankA.slice(-4)} is suspended since block ${since}`,
    );
    expect(error.hint).to.match(/reinstated/);
  });

  it("refuses an unknown member before sending anything", async () => {
    const { gov, addresses } = await loadFixture(sdkFixture);
    const before = await blockNumber();
    const error = await rejectsWith(gov.registry.removeMember({ account: addresses.outsider }), ContractRevertError);
    expect(error.errorName).to.equal("RegistryNotMember");
    expect(error.message).to.match(/is not a member of the consortium/);
    expect(await blockNumber()).to.equal(before);
  });

  it("refuses admin calls from a non-owner with OwnableUnauthorizedAccount", async () => {
    const { bankA, addresses } = await loadFixture(sdkFixture);
    const error = await rejectsWith(bankA.registry.suspendMember({ account: addresses.bankB }), ContractRevertError);
    expect(error.errorName).to.equal("OwnableUnauthorizedAccount");
    expect(error.shortMessage).to.match(/is not the owner/);
  });

  it("manages sanctions and explains them in the preflight", async () => {
    const { gov, addresses } = await loadFixture(sdkFixture);
    expect(await gov.registry.checkTransaction({ sender: addresses.bankA, target: addresses.bankB })).to.deep.equal({
      allowed: true,
      reason: { code: 0, name: "Allowed", description: "the transaction may be sent" },
    });
    await gov.registry.addSanction({ account: addresses.bankB, reasonCode: 7 });
    expect((await gov.registry.getMember({ account: addresses.bankB })).sanction).to.equal(7);
    const toSanctioned = await gov.registry.checkTransaction({ sender: addresses.bankA, target: addresses.bankB });
    expect(toSanctioned.allowed).to.equal(false);
    expect(toSanctioned.reason.name).to.equal("TargetSanctioned");
    const fromSanctioned = await gov.registry.checkTransaction({ sender: addresses.bankB, target: addresses.bankA });
    expect(fromSanctioned.reason.name).to.equal("SenderSanctioned");
    const again = await rejectsWith(
      gov.registry.addSanction({ account: addresses.bankB, reasonCode: 1 }),
      ContractRevertError,
    );
    expect(again.shortMessage).to.match(/RegistryAccountSanctioned: .* \(reason code 7\)/);
    await gov.registry.removeSanction({ account: addresses.bankB, reasonCode: 2 });
    expect((await gov.registry.getMember({ account: addresses.bankB })).sanction).to.equal(0);
  });

  it("reports every preflight reason the SDK documents", async () => {
    const { gov, addresses } = await loadFixture(sdkFixture);
    const check = (sender: `0x${string}`, target: `0x${string}`, value = 0n) =>
      gov.registry.checkTransaction({ sender, target, value }).then((r) => r.reason.name);
    const zero = "0x0000000000000000000000000000000000000000" as const;
    expect(await check(addresses.outsider, addresses.bankA)).to.equal("SenderNotMember");
    expect(await check(addresses.bankA, zero)).to.equal("CreationNotAllowed");
    expect(await check(addresses.operator, zero)).to.equal("Allowed");
    expect(await check(addresses.bankA, addresses.bankB, 1n)).to.equal("NativeValueNotAllowed");
    expect(await check(addresses.operator, addresses.bankB, 10n ** 18n)).to.equal("Allowed");
    await gov.registry.suspendMember({ account: addresses.bankA });
    expect(await check(addresses.bankA, addresses.bankB)).to.equal("SenderSuspended");
    await gov.registry.removeMember({ account: addresses.bankA });
    expect(await check(addresses.bankA, addresses.bankB)).to.equal("SenderRemoved");
    expect(await check(key(0).address, zero)).to.equal("Allowed"); // the owner is never locked out
  });

  it("allow-lists nodes given as id/host/port or as an enode URL", async () => {
    const { gov } = await loadFixture(sdkFixture);
    await gov.registry.allowNode({ enodeId: ENODE.toUpperCase(), ip: "10.0.0.1", port: 30303, kind: "validator" });
    expect(await gov.registry.isNodeAllowed({ enodeId: ENODE, ip: "10.0.0.1", port: 30303 })).to.equal(true);
    expect(await gov.registry.isNodeAllowed({ enodeId: `enode://${ENODE}@10.0.0.1:30303`, ip: "", port: 0 })).to.equal(
      true,
    );
    expect(await gov.registry.isNodeAllowed({ enodeId: ENODE, ip: "10.0.0.2", port: 30303 })).to.equal(false);
    const dup = await rejectsWith(
      gov.registry.allowNode({ enodeId: `enode://${ENODE}@10.0.0.1:30303`, ip: "", port: 0, kind: "member" }),
      ContractRevertError,
    );
    expect(dup.errorName).to.equal("RegistryNodeExists");
    await gov.registry.removeNode({ enodeId: ENODE, ip: "10.0.0.1", port: 30303 });
    expect(await gov.registry.isNodeAllowed({ enodeId: ENODE, ip: "10.0.0.1", port: 30303 })).to.equal(false);
  });

  describe("argument validation (nothing is sent)", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["account", { account: "0x1234" }, "is not a 20-byte hex address"],
      ["account", { account: "0x0000000000000000000000000000000000000000" }, "zero address"],
      ["roles", { roles: 0 }, "not a valid roles bitmask"],
      ["roles", { roles: 64 }, "not a valid roles bitmask"],
      ["lei", { lei: "5493000BANK000000099" }, "MOD 97-10"],
      ["lei", { lei: undefined }, "exactly one of"],
      ["name", { name: "" }, "1 to 64 bytes"],
      ["name", { name: "x".repeat(65) }, "1 to 64 bytes"],
      ["maxSingleTransfer", { maxSingleTransfer: 1.5 }, "1.5 (a number) is not a bigint"],
      ["maxSingleTransfer", { maxSingleTransfer: 5 }, "5 (a number) is not a bigint"],
      ["maxSingleTransfer", { maxSingleTransfer: -1n }, "negative"],
      ["maxDailyOutflow", { maxDailyOutflow: UNLIMITED + 1n }, "does not fit uint128"],
      ["maxSingleTransfer", { maxSingleTransfer: 11n, maxDailyOutflow: 10n }, "exceeds maxDailyOutflow"],
      ["maxDailyOutflow", { maxDailyOutflow: "1e6" }, '"1e6" (a string) is not a bigint'],
      ["maxDailyOutflow", { maxDailyOutflow: "1000000" }, '"1000000" (a string) is not a bigint'],
    ];
    for (const [argument, override, problem] of cases) {
      it(`admitMember rejects ${argument} = ${JSON.stringify(Object.values(override)[0], (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`, async () => {
        const { gov, addresses } = await loadFixture(sdkFixture);
        const params = {
          account: addresses.outsider,
          roles: Role.CORPORATE,
          lei: leiWithCheckDigits("5493000OUTSIDER000"),
          name: "Outsider",
          maxSingleTransfer: 1n,
          maxDailyOutflow: 10n,
          ...override,
        } as Parameters<typeof gov.registry.admitMember>[0];
        const before = await blockNumber();
        const error = await rejectsWith(gov.registry.admitMember(params), InvalidArgumentError);
        expect(error.argument).to.equal(argument);
        expect(error.message).to.include(problem);
        expect(await blockNumber()).to.equal(before);
      });
    }

    it("rejects malformed nodes and sanction codes", async () => {
      const { gov, addresses } = await loadFixture(sdkFixture);
      const bad = [
        gov.registry.allowNode({ enodeId: "abc", ip: "10.0.0.1", port: 30303, kind: "validator" }),
        gov.registry.allowNode({ enodeId: ENODE, ip: "10.0.0.1", port: 70000, kind: "validator" }),
        gov.registry.allowNode({ enodeId: ENODE, ip: "", port: 30303, kind: "validator" }),
        gov.registry.allowNode({ enodeId: ENODE, ip: "10.0.0.1", port: 1, kind: "observer" as "member" }),
        gov.registry.addSanction({ account: addresses.bankA, reasonCode: 0 }),
        gov.registry.addSanction({ account: addresses.bankA, reasonCode: 65536 }),
      ];
      const args = [];
      for (const p of bad) args.push((await rejectsWith(p, InvalidArgumentError)).argument);
      expect(args).to.deep.equal(["enodeId", "port", "ip", "kind", "reasonCode", "reasonCode"]);
    });
  });
});
