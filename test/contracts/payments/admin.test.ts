/** ConditionalEscrow: the verifier registry setting, ownership, and UUPS upgrades keeping state. */
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Result } from "ethers";
import type { ConditionalEscrow, EscrowV2 } from "../../../typechain-types";
import {
  Attest,
  attestBy,
  create,
  DAY,
  deployAgreement,
  EVIDENCE,
  M0,
  M1,
  M2,
  standardTerms,
  type AgreementFixture,
  consentUntil,
} from "./helpers";

/** Everything the escrow's views say about agreements 1 and 2 and its settings. */
async function stateOf(escrow: ConditionalEscrow | EscrowV2) {
  const agreements = [];
  for (const id of [1n, 2n])
    agreements.push(
      JSON.stringify(((await escrow.agreementOf(id)) as unknown as Result).toArray(true), (_k, v) =>
        typeof v === "bigint" ? v.toString() : v,
      ),
    );
  return {
    agreements,
    count: await escrow.agreementCount(),
    owner: await escrow.owner(),
    verifierRegistry: await escrow.verifierRegistry(),
    digest: await escrow.attestationDigest(1n, 0n, Attest.Accepted, EVIDENCE, 1_000n),
    binding: await escrow.bindingOf(1n, 2n),
    holds: await escrow.conditionHolds(2n, 0n),
  };
}

/** Two agreements with history: attestations, a release, a dispute, a cancel consent. */
async function usedEscrow(): Promise<AgreementFixture> {
  const f = await deployAgreement();
  await f.escrow.setVerifierRegistry(await f.registry.getAddress());
  await create(f, standardTerms(f, f.t0));
  await attestBy(f, f.id, 0, Attest.Delivered, 2);
  await f.escrow.connect(f.keeper).release(f.id, 0);
  await f.escrow.connect(f.payees[1]).dispute(f.id, 1, EVIDENCE);
  await attestBy(f, 2n, 0, Attest.Delivered, 3);
  await f.escrow.connect(f.payer).cancel(2n, await consentUntil());
  return f;
}

describe("ConditionalEscrow — administration", function () {
  describe("setVerifierRegistry", function () {
    it("the owner sets it: VerifierRegistrySet", async function () {
      const f = await loadFixture(deployAgreement);
      const target = await f.registry.getAddress();
      await expect(f.escrow.setVerifierRegistry(target)).to.emit(f.escrow, "VerifierRegistrySet").withArgs(target);
      expect(await f.escrow.verifierRegistry()).to.equal(target);
    });

    it("refuses anyone else (OwnableUnauthorizedAccount) and a non-contract (EscrowInvalidAddress)", async function () {
      const f = await loadFixture(deployAgreement);
      const target = await f.registry.getAddress();
      for (const who of [f.operator, f.payer, f.arbiter, f.outsider]) {
        await expect(f.escrow.connect(who).setVerifierRegistry(target))
          .to.be.revertedWithCustomError(f.escrow, "OwnableUnauthorizedAccount")
          .withArgs(who.address);
      }
      for (const bad of [ethers.ZeroAddress, f.stranger.address]) {
        await expect(f.escrow.setVerifierRegistry(bad))
          .to.be.revertedWithCustomError(f.escrow, "EscrowInvalidAddress")
          .withArgs(bad);
      }
    });
  });

  describe("ownership", function () {
    it("cannot be renounced (EscrowOwnershipCannotBeRenounced; others: OwnableUnauthorizedAccount)", async function () {
      const f = await loadFixture(deployAgreement);
      await expect(f.escrow.renounceOwnership()).to.be.revertedWithCustomError(
        f.escrow,
        "EscrowOwnershipCannotBeRenounced",
      );
      await expect(f.escrow.connect(f.operator).renounceOwnership())
        .to.be.revertedWithCustomError(f.escrow, "OwnableUnauthorizedAccount")
        .withArgs(f.operator.address);
      expect(await f.escrow.owner()).to.equal(f.owner.address);
    });

    it("moves in two steps (Ownable2Step)", async function () {
      const f = await loadFixture(deployAgreement);
      await f.escrow.transferOwnership(f.operator.address);
      expect(await f.escrow.owner()).to.equal(f.owner.address);
      await expect(f.escrow.connect(f.keeper).acceptOwnership())
        .to.be.revertedWithCustomError(f.escrow, "OwnableUnauthorizedAccount")
        .withArgs(f.keeper.address);
      await f.escrow.connect(f.operator).acceptOwnership();
      expect(await f.escrow.owner()).to.equal(f.operator.address);
    });
  });

  describe("upgrade", function () {
    async function prepareV2(escrow: ConditionalEscrow): Promise<string> {
      const implementation = await upgrades.prepareUpgrade(escrow, await ethers.getContractFactory("EscrowV2"), {
        kind: "uups",
      });
      if (typeof implementation !== "string") throw new Error("prepareUpgrade returned a transaction");
      return implementation;
    }

    it("refuses upgradeToAndCall from anyone but the owner (OwnableUnauthorizedAccount)", async function () {
      const f = await loadFixture(usedEscrow);
      const implementation = await prepareV2(f.escrow);
      const before = await upgrades.erc1967.getImplementationAddress(f.escrowAddress);
      for (const who of [f.operator, f.payer, f.arbiter, f.outsider]) {
        await expect(f.escrow.connect(who).upgradeToAndCall(implementation, "0x"))
          .to.be.revertedWithCustomError(f.escrow, "OwnableUnauthorizedAccount")
          .withArgs(who.address);
      }
      expect(await upgrades.erc1967.getImplementationAddress(f.escrowAddress)).to.equal(before);
    });

    it("the owner upgrades (Upgraded); every agreement, setting, digest and balance is kept", async function () {
      const f = await loadFixture(usedEscrow);
      const before = await stateOf(f.escrow);
      const held = await f.token.balanceOf(f.escrowAddress);
      const implementation = await prepareV2(f.escrow);
      await expect(f.escrow.upgradeToAndCall(implementation, "0x"))
        .to.emit(f.escrow, "Upgraded")
        .withArgs(implementation);
      const v2 = (await ethers.getContractAt("EscrowV2", f.escrowAddress)) as unknown as EscrowV2;
      expect(await v2.version()).to.equal("2");
      expect(await stateOf(v2)).to.deep.equal(before);
      expect(await f.token.balanceOf(f.escrowAddress)).to.equal(held);
      // Spot-check the snapshot is not vacuous.
      expect(before.count).to.equal(2n);
      expect(before.holds).to.equal(true);
      expect(JSON.parse(before.agreements[0])[7]).to.equal(M0.toString()); // released
    });

    it("keeps working after an upgrade through the plugin: resolve, consents, release", async function () {
      const f = await loadFixture(usedEscrow);
      const v2 = (await upgrades.upgradeProxy(f.escrow, await ethers.getContractFactory("EscrowV2"), {
        kind: "uups",
      })) as unknown as EscrowV2;
      await expect(v2.connect(f.arbiter).resolve(f.id, 1, 10_000)).to.changeTokenBalance(f.token, f.payees[1], M1);
      // Agreement 2's milestone 0 was attested by all three: the cancellation keeps it for its payee.
      await v2.connect(f.payees[0]).cancel(2n, await consentUntil());
      await expect(v2.connect(f.payees[1]).cancel(2n, await consentUntil()))
        .to.emit(v2, "AgreementPartlyCancelled")
        .withArgs(2n, M1 + M2, 0b001);
      await expect(v2.connect(f.keeper).release(2n, 0)).to.emit(v2, "AgreementClosed").withArgs(2n);
      await time.increaseTo(f.t0 + 80 * DAY);
      await expect(v2.connect(f.keeper).release(f.id, 2)).to.emit(v2, "AgreementClosed").withArgs(f.id);
    });

    it("validateUpgrade accepts EscrowV2 against the proxy", async function () {
      const f = await loadFixture(deployAgreement);
      expect(
        await upgrades.validateUpgrade(f.escrow, await ethers.getContractFactory("EscrowV2"), { kind: "uups" }),
      ).to.equal(undefined);
    });
  });
});
