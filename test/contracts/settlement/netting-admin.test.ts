import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  closePending,
  declareFinal,
  deploySettlement,
  fundPool,
  makeBatch,
  mined,
  submitFinal,
  type SettlementFixture,
} from "./helpers";

/** Cycle 1 open with bank 0 owing bank 1 1,000 (declared), a 10,000 pool and a line for bank 0. */
async function running(): Promise<SettlementFixture> {
  const f = await deploySettlement();
  await fundPool(f, 10_000n);
  await mined(f.engine.connect(f.operator).setCreditLine(f.banks[0].address, 5_000n));
  await mined(f.engine.connect(f.operator).openCycle());
  await declareFinal(f, f.banks[0], "admin", [[f.banks[1], 1_000n]]);
  return f;
}

describe("NettingEngine: governance", function () {
  it("initialize refuses a registry, ledger or token without code: NettingInvalidAddress", async function () {
    const { engine, registry, ledger, token, owner, outsider } = await loadFixture(deploySettlement);
    const factory = await ethers.getContractFactory("NettingEngine");
    const [r, l, t] = [await registry.getAddress(), await ledger.getAddress(), await token.getAddress()];
    for (const args of [
      [outsider.address, l, t],
      [r, outsider.address, t],
      [r, l, outsider.address],
    ]) {
      await expect(upgrades.deployProxy(factory, [owner.address, ...args], { kind: "uups" }))
        .to.be.revertedWithCustomError(engine, "NettingInvalidAddress")
        .withArgs(outsider.address);
    }
    await expect(engine.initialize(owner.address, r, l, t)).to.be.revertedWithCustomError(
      engine,
      "InvalidInitialization",
    );
  });

  it("pause (owner only) stops cycles, declarations and credit movements; unpause resumes", async function () {
    const f = await loadFixture(running);
    const { engine, operator, owner, banks } = f;
    const batch = await makeBatch(f.ledger, "paused", [[banks[0].address, 1n]]);
    await submitFinal(f, banks[1], batch, banks);
    await expect(engine.connect(operator).pause())
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(operator.address);
    await expect(engine.connect(owner).pause()).to.emit(engine, "Paused").withArgs(owner.address);
    const stopped = [
      () => engine.connect(operator).openCycle(),
      () => engine.connect(banks[1]).declare(1, batch.key, batch.header, batch.counterparties, batch.totals),
      () => engine.connect(operator).closeCycleWith(1, [], false),
      () => engine.connect(operator).beginClose(1, 0n),
      () => engine.connect(operator).setCreditLine(banks[1].address, 1n),
      () => engine.connect(operator).fundCreditPool(1n),
      () => engine.connect(operator).withdrawCreditPool(1n),
      () => engine.connect(banks[0]).repayCredit(1n),
    ];
    for (const send of stopped) await expect(send()).to.be.revertedWithCustomError(engine, "EnforcedPause");
    await expect(engine.connect(operator).unpause())
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(operator.address);
    await engine.connect(owner).unpause();
    await engine.connect(banks[1]).declare(1, batch.key, batch.header, batch.counterparties, batch.totals);
    await expect(closePending(f, 1)).to.emit(engine, "CycleClosed").withArgs(1, 1_001n, 999n, 0n);
  });

  it("renounceOwnership is disabled (NettingOwnershipCannotBeRenounced)", async function () {
    const { engine, banks } = await loadFixture(deploySettlement);
    await expect(engine.renounceOwnership()).to.be.revertedWithCustomError(engine, "NettingOwnershipCannotBeRenounced");
    await expect(engine.connect(banks[0]).renounceOwnership())
      .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
  });

  it("refuses an upgrade by anyone but the owner (OwnableUnauthorizedAccount)", async function () {
    const { engine, operator, banks } = await loadFixture(running);
    const factory = await ethers.getContractFactory("NettingEngine");
    const implementation = await upgrades.deployImplementation(factory, { kind: "uups" });
    if (typeof implementation !== "string") throw new Error("deployImplementation returned a transaction");
    for (const caller of [operator, banks[0]]) {
      await expect(engine.connect(caller).upgradeToAndCall(implementation, "0x"))
        .to.be.revertedWithCustomError(engine, "OwnableUnauthorizedAccount")
        .withArgs(caller.address);
    }
  });
});

describe("NettingEngine: what a close depends on outside the engine", function () {
  it("a paused token makes the close revert (the token's EnforcedPause); the cycle stays open", async function () {
    const f = await loadFixture(running);
    const { engine, token, owner } = f;
    await token.connect(owner).pause();
    await expect(closePending(f, 1)).to.be.revertedWithCustomError(token, "EnforcedPause");
    expect((await engine.cycleOf(1)).status).to.equal(1n);
    await token.connect(owner).unpause();
    await expect(closePending(f, 1)).to.emit(engine, "CycleClosed");
  });

  it("a suspended engine member cannot move tokens: the close reverts with the registry's error", async function () {
    const f = await loadFixture(running);
    const { registry, engineAddress } = f;
    const receipt = await mined(registry.suspendMember(engineAddress));
    await expect(closePending(f, 1))
      .to.be.revertedWithCustomError(registry, "RegistryMemberSuspended")
      .withArgs(engineAddress, receipt.blockNumber);
  });

  it("a registry emergency pause stops cycles (the registry's EnforcedPause)", async function () {
    const f = await loadFixture(running);
    await f.registry.pause();
    await expect(closePending(f, 1)).to.be.revertedWithCustomError(f.registry, "EnforcedPause");
  });
});
