import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Role, deployToken } from "../../helpers/fixtures";

describe("ConsortiumRegistry requireMember", function () {
  it("passes for an active member holding the role, like requireActive", async function () {
    const { registry, banks, operator } = await loadFixture(deployToken);
    await registry.requireMember(banks[0].address, Role.MEMBER_BANK);
    await registry.requireMember(banks[0].address, 0);
    await registry.requireMember(operator.address, Role.OPERATOR);
  });

  it("reverts with the same errors as requireActive, in the same order", async function () {
    const { registry, banks, corporate, outsider } = await loadFixture(deployToken);
    await expect(registry.requireMember(outsider.address, 0))
      .to.be.revertedWithCustomError(registry, "RegistryNotMember")
      .withArgs(outsider.address);
    await expect(registry.requireMember(corporate.address, Role.MEMBER_BANK))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(corporate.address, Role.MEMBER_BANK);
    const suspended = await (await registry.suspendMember(banks[1].address)).wait();
    await expect(registry.requireMember(banks[1].address, Role.MEMBER_BANK))
      .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
      .withArgs(banks[1].address, suspended!.blockNumber);
    const removed = await (await registry.removeMember(banks[2].address)).wait();
    await expect(registry.requireMember(banks[2].address, 0))
      .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
      .withArgs(banks[2].address, removed!.blockNumber);
    await registry.addSanction(banks[3].address, 4);
    await registry.suspendMember(banks[3].address);
    // A sanction outranks the member's status.
    await expect(registry.requireMember(banks[3].address, Role.MEMBER_BANK))
      .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
      .withArgs(banks[3].address, 4);
    await registry.pause();
    await expect(registry.requireMember(banks[0].address, 0)).to.be.revertedWithCustomError(registry, "EnforcedPause");
  });

  it("costs less than requireActive because it does not read the member's limits", async function () {
    const { registry, banks } = await loadFixture(deployToken);
    const member = await registry.requireMember.estimateGas(banks[0].address, Role.MEMBER_BANK);
    const active = await registry.requireActive.estimateGas(banks[0].address, Role.MEMBER_BANK);
    expect(member < active).to.equal(true);
  });
});
