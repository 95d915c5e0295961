import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Reason, Role, deployToken, lei, UNLIMITED } from "../../helpers/fixtures";

/** Registry + token with funded banks; signer 0 owns both. */
async function funded() {
  const f = await deployToken();
  await f.token.connect(f.operator).mint(f.banks[0].address, 1_000n);
  return f;
}

describe("ConsortiumRegistry emergency pause", function () {
  it("pauses and unpauses by the owner only, with events", async function () {
    const { registry, owner, banks } = await loadFixture(funded);
    await expect(registry.connect(banks[0]).pause())
      .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
    await expect(registry.pause()).to.emit(registry, "Paused").withArgs(owner.address);
    expect(await registry.paused()).to.equal(true);
    await expect(registry.pause()).to.be.revertedWithCustomError(registry, "EnforcedPause");
    await expect(registry.connect(banks[0]).unpause())
      .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
    await expect(registry.unpause()).to.emit(registry, "Unpaused").withArgs(owner.address);
    await expect(registry.unpause()).to.be.revertedWithCustomError(registry, "ExpectedPause");
  });

  it("makes requireActive revert, so every token movement stops", async function () {
    const { registry, token, operator, banks } = await loadFixture(funded);
    await registry.pause();
    await expect(registry.requireActive(banks[0].address, 0)).to.be.revertedWithCustomError(registry, "EnforcedPause");
    await expect(token.connect(banks[0]).transfer(banks[1].address, 1n)).to.be.revertedWithCustomError(
      registry,
      "EnforcedPause",
    );
    await expect(token.connect(operator).mint(banks[1].address, 1n)).to.be.revertedWithCustomError(
      registry,
      "EnforcedPause",
    );
    await registry.unpause();
    await token.connect(banks[0]).transfer(banks[1].address, 1n);
    expect(await token.balanceOf(banks[1].address)).to.equal(1n);
  });

  it("answers RegistryPaused except for transactions to governance, and Besu's hook agrees", async function () {
    const { registry, owner, operator, banks, outsider } = await loadFixture(funded);
    await registry.addSanction(banks[3].address, 2);
    await registry.pause();
    const cases: [string, string, bigint, number][] = [
      [banks[0].address, banks[1].address, 0n, Reason.RegistryPaused],
      [operator.address, ethers.ZeroAddress, 0n, Reason.RegistryPaused], // even an OPERATOR deploying
      [banks[0].address, owner.address, 0n, Reason.Allowed], // a member calling governance
      [banks[0].address, owner.address, 1n, Reason.NativeValueNotAllowed], // the other rules still apply
      [owner.address, banks[0].address, 0n, Reason.Allowed], // the owner is never locked out
      [outsider.address, owner.address, 0n, Reason.SenderNotMember], // sender rules come first
      [banks[3].address, owner.address, 0n, Reason.SenderSanctioned],
    ];
    for (const [sender, target, value, expected] of cases) {
      const [allowed, reason] = await registry.check(sender, target, value, "0x");
      expect(Number(reason), `${sender} → ${target}`).to.equal(expected);
      expect(allowed).to.equal(expected === Reason.Allowed);
      expect(await registry.transactionAllowed(sender, target, value, 0, 21_000, "0x")).to.equal(allowed);
    }
  });

  it("keeps admin functions working so governance can repair the registry while paused", async function () {
    const { registry, others } = await loadFixture(funded);
    await registry.pause();
    const newcomer = others[10];
    await expect(
      registry.admitMember(newcomer.address, Role.CORPORATE, lei("NEW"), "Newcomer", UNLIMITED, UNLIMITED),
    ).to.emit(registry, "MemberAdmitted");
    await registry.suspendMember(newcomer.address);
    expect((await registry.memberOf(newcomer.address)).status).to.equal(2n);
  });
});
