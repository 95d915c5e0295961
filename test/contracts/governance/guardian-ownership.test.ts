/** ConsortiumMultisig as owner of the registry and the token: handover, guardian pause, unpause, upgrade. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setCode, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistry, deployToken, type TokenFixture } from "../../helpers/fixtures";
import { ERC1967_IMPLEMENTATION_SLOT } from "../../helpers/erc1967";
import {
  draft,
  enact,
  multisigEvents,
  multisigFixture,
  type MultisigFixture,
  SENSITIVE_DELAY,
  selfDraft,
  signAll,
} from "./helpers";

type Deployed = MultisigFixture &
  Omit<TokenFixture, "others" | "outsider"> & { registryAddress: string; tokenAddress: string };

/** Registry + token (owned by account 0) next to the multisig, nothing handed over yet. */
async function deployed(): Promise<Deployed> {
  const t = await deployToken();
  const m = await multisigFixture();
  return {
    ...t,
    ...m,
    registryAddress: await t.registry.getAddress(),
    tokenAddress: await t.token.getAddress(),
  };
}

/** Both contracts owned by the multisig; the guardian pauses both. */
async function governed(): Promise<Deployed> {
  const f = await deployed();
  for (const c of [f.registry, f.token]) await c.connect(f.owner).transferOwnership(f.address);
  await f.multisig.claimOwnership(f.registryAddress);
  await f.multisig.claimOwnership(f.tokenAddress);
  const data = f.multisig.interface.encodeFunctionData("setPausables", [[f.registryAddress, f.tokenAddress]]);
  await enact(f.multisig, f.signers.slice(0, 3), await selfDraft(f.multisig, data));
  return f;
}

describe("ConsortiumMultisig", function () {
  describe("ownership", function () {
    it("claimOwnership completes an offered handover, whoever calls it", async function () {
      const f = await loadFixture(deployed);
      const { multisig, registry, token, owner, address, outsider } = f;
      for (const c of [registry, token]) {
        await expect(c.connect(owner).transferOwnership(address))
          .to.emit(c, "OwnershipTransferStarted")
          .withArgs(owner.address, address);
        expect(await c.pendingOwner()).to.equal(address);
        await expect(multisig.connect(outsider).claimOwnership(await c.getAddress()))
          .to.emit(c, "OwnershipTransferred")
          .withArgs(owner.address, address);
        expect(await c.owner()).to.equal(address);
        expect(await c.pendingOwner()).to.equal(ethers.ZeroAddress);
      }
    });

    it("claimOwnership fails when no transfer (or one to someone else) was offered", async function () {
      const { multisig, registry, token, owner, address, outsider, registryAddress } = await loadFixture(deployed);
      for (const c of [registry, token]) {
        await expect(multisig.claimOwnership(await c.getAddress()))
          .to.be.revertedWithCustomError(c, "OwnableUnauthorizedAccount")
          .withArgs(address);
      }
      await registry.connect(owner).transferOwnership(outsider.address);
      await expect(multisig.claimOwnership(registryAddress))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(address);
      expect(await registry.owner()).to.equal(owner.address);
      await expect(multisig.claimOwnership(outsider.address)).to.be.revertedWithoutReason();
    });

    it("after the handover, the previous owner and anyone else are refused upgradeToAndCall", async function () {
      const { registry, token, owner, outsider, guardian, signers } = await loadFixture(governed);
      const v2 = await (await ethers.getContractFactory("ConsortiumRegistryV2")).deploy();
      for (const caller of [owner, outsider, guardian, signers[0]]) {
        await expect(registry.connect(caller).upgradeToAndCall(await v2.getAddress(), "0x"))
          .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(token.connect(caller).upgradeToAndCall(await v2.getAddress(), "0x"))
          .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
      }
    });

    it("the multisig upgrades the registry to V2 through a proposal, after the sensitive delay", async function () {
      const f = await loadFixture(governed);
      const { multisig, signers, registry, registryAddress, address, operator } = f;
      const implementation = await (
        await (await ethers.getContractFactory("ConsortiumRegistryV2")).deploy()
      ).getAddress();
      const memberCount = await registry.memberCount();
      const p = await draft(multisig, {
        target: registryAddress,
        data: registry.interface.encodeFunctionData("upgradeToAndCall", [implementation, "0x"]),
      });
      const hash = await multisig.proposalHash(p);
      const sigs = await signAll(multisig, signers.slice(0, 3), p);
      await expect(multisig.execute(p, sigs))
        .to.be.revertedWithCustomError(multisig, "MultisigNotQueued")
        .withArgs(hash, SENSITIVE_DELAY);
      await multisig.queue(p, sigs);
      const [, executableAt] = await multisig.queuedOf(hash);
      await expect(multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigTimelocked")
        .withArgs(hash, executableAt);
      await time.increaseTo(executableAt);
      const tx = multisig.execute(p, "0x");
      await expect(tx).to.emit(registry, "Upgraded").withArgs(implementation);
      await expect(tx).to.emit(multisig, "Executed").withArgs(hash, p.lane, p.nonce);

      const slot = await ethers.provider.getStorage(registryAddress, ERC1967_IMPLEMENTATION_SLOT);
      expect(ethers.getAddress(ethers.dataSlice(slot, 12))).to.equal(implementation);
      const v2 = await ethers.getContractAt("ConsortiumRegistryV2", registryAddress);
      expect(await v2.version()).to.equal("2");
      expect(await v2.owner()).to.equal(address);
      expect(await v2.memberCount()).to.equal(memberCount);
      expect(await v2.isActiveMember(operator.address)).to.equal(true);
    });

    it("handing ownership onward (transferOwnership) is sensitive too", async function () {
      const { multisig, signers, token, tokenAddress, address, outsider } = await loadFixture(governed);
      const p = await draft(multisig, {
        target: tokenAddress,
        data: token.interface.encodeFunctionData("transferOwnership", [outsider.address]),
      });
      expect(await multisig.delayOf(tokenAddress, ethers.dataSlice(p.data, 0, 4))).to.equal(SENSITIVE_DELAY);
      await expect(enact(multisig, signers.slice(0, 3), p))
        .to.emit(token, "OwnershipTransferStarted")
        .withArgs(address, outsider.address);
      expect(await token.pendingOwner()).to.equal(outsider.address);
    });
  });

  describe("guardian", function () {
    it("setPausables and setGuardian run only through (sensitive) proposals", async function () {
      const f = await loadFixture(deployed);
      const { multisig, signers, guardian, others, registryAddress, tokenAddress } = f;
      const targets = [registryAddress, tokenAddress];
      const set = await selfDraft(multisig, multisig.interface.encodeFunctionData("setPausables", [targets]));
      await expect(multisig.execute(set, await signAll(multisig, signers, set)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotQueued")
        .withArgs(await multisig.proposalHash(set), SENSITIVE_DELAY);
      await expect(enact(multisig, signers.slice(0, 3), set))
        .to.emit(multisig, "PausablesSet")
        .withArgs(targets);
      const replace = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("setGuardian", [others[0].address]),
      );
      await expect(enact(multisig, signers.slice(0, 3), replace))
        .to.emit(multisig, "GuardianChanged")
        .withArgs(guardian.address, others[0].address);
      expect(await multisig.guardian()).to.deep.equal([others[0].address, targets]);
    });

    it("pauseAll pauses the registry and the token: EmergencyPaused(target, false), Paused(multisig)", async function () {
      const { multisig, guardian, registry, token, registryAddress, tokenAddress, address } =
        await loadFixture(governed);
      const tx = multisig.connect(guardian).pauseAll();
      await expect(tx).to.emit(multisig, "EmergencyPaused").withArgs(registryAddress, false);
      await expect(tx).to.emit(multisig, "EmergencyPaused").withArgs(tokenAddress, false);
      await expect(tx).to.emit(registry, "Paused").withArgs(address);
      await expect(tx).to.emit(token, "Paused").withArgs(address);
      expect(await registry.paused()).to.equal(true);
      expect(await token.paused()).to.equal(true);
    });

    it("refuses anyone but the guardian with MultisigNotGuardian(caller)", async function () {
      const { multisig, signers, owner, outsider, registry } = await loadFixture(governed);
      for (const caller of [signers[0], owner, outsider]) {
        await expect(multisig.connect(caller).pauseAll())
          .to.be.revertedWithCustomError(multisig, "MultisigNotGuardian")
          .withArgs(caller.address);
      }
      expect(await registry.paused()).to.equal(false);
    });

    it("reports an already paused target with EmergencyPaused(target, true)", async function () {
      const { multisig, signers, guardian, token, registryAddress, tokenAddress } = await loadFixture(governed);
      await multisig.connect(guardian).pauseAll();
      const again = multisig.connect(guardian).pauseAll();
      await expect(again).to.emit(multisig, "EmergencyPaused").withArgs(registryAddress, true);
      await expect(again).to.emit(multisig, "EmergencyPaused").withArgs(tokenAddress, true);
      await expect(again).not.to.emit(token, "Paused");
      // Only the token unpaused again: one of each.
      const unpause = await draft(multisig, {
        target: tokenAddress,
        data: token.interface.encodeFunctionData("unpause"),
      });
      await multisig.execute(unpause, await signAll(multisig, signers.slice(0, 3), unpause));
      const mixed = multisig.connect(guardian).pauseAll();
      await expect(mixed).to.emit(multisig, "EmergencyPaused").withArgs(registryAddress, true);
      await expect(mixed).to.emit(multisig, "EmergencyPaused").withArgs(tokenAddress, false);
    });

    it("a failing target emits EmergencyPauseFailed(target, reason) and the others are still paused", async function () {
      const f = await loadFixture(governed);
      const { multisig, signers, guardian, registry, token, registryAddress, tokenAddress, address, target } = f;
      const { registry: foreign } = await deployRegistry(); // not owned by the multisig
      const foreignAddress = await foreign.getAddress();
      const noPause = await target.getAddress(); // has neither paused() nor pause()
      const list = [foreignAddress, registryAddress, noPause, tokenAddress];
      const set = await selfDraft(multisig, multisig.interface.encodeFunctionData("setPausables", [list]));
      await enact(multisig, signers.slice(0, 3), set);

      const tx = multisig.connect(guardian).pauseAll();
      await expect(tx)
        .to.emit(multisig, "EmergencyPauseFailed")
        .withArgs(foreignAddress, foreign.interface.encodeErrorResult("OwnableUnauthorizedAccount", [address]));
      await expect(tx).to.emit(multisig, "EmergencyPauseFailed").withArgs(noPause, "0x");
      await expect(tx).to.emit(multisig, "EmergencyPaused").withArgs(registryAddress, false);
      await expect(tx).to.emit(multisig, "EmergencyPaused").withArgs(tokenAddress, false);
      expect([await foreign.paused(), await registry.paused(), await token.paused()]).to.deep.equal([
        false,
        true,
        true,
      ]);
    });

    it("setPausables refuses an address without code: MultisigCallFailed(hash, MultisigNotAContract(target))", async function () {
      const { multisig, signers, guardian, registryAddress, tokenAddress, outsider } = await loadFixture(governed);
      for (const culprit of [outsider.address, ethers.ZeroAddress]) {
        const list = [registryAddress, culprit, tokenAddress];
        const p = await selfDraft(multisig, multisig.interface.encodeFunctionData("setPausables", [list]));
        await expect(enact(multisig, signers.slice(0, 3), p))
          .to.be.revertedWithCustomError(multisig, "MultisigCallFailed")
          .withArgs(
            await multisig.proposalHash(p),
            multisig.interface.encodeErrorResult("MultisigNotAContract", [culprit]),
          );
      }
      expect(await multisig.guardian()).to.deep.equal([guardian.address, [registryAddress, tokenAddress]]);
      expect(await multisig.nonceOf(0n)).to.equal(1n); // only the fixture's own setPausables ran
    });

    it("a pausable whose code is gone or whose paused() answers garbage emits EmergencyPauseFailed(target, answer); the others are still paused", async function () {
      const f = await loadFixture(governed);
      const { multisig, signers, guardian, registry, token, registryAddress, tokenAddress, address } = f;
      const garbage = await ethers.getContractFactory("GarbagePausable");
      const [overlong, reverting, doomed] = [await garbage.deploy(0), await garbage.deploy(1), await garbage.deploy(0)];
      const [overlongAt, revertingAt, doomedAt] = await Promise.all(
        [overlong, reverting, doomed].map((c) => c.getAddress()),
      );
      const list = [doomedAt, registryAddress, overlongAt, tokenAddress, revertingAt];
      const set = await selfDraft(multisig, multisig.interface.encodeFunctionData("setPausables", [list]));
      await expect(enact(multisig, signers.slice(0, 3), set))
        .to.emit(multisig, "PausablesSet")
        .withArgs(list);
      await setCode(doomedAt, "0x"); // registered while it had code; gone since

      const twoWords = ethers.AbiCoder.defaultAbiCoder().encode(["bool", "bool"], [true, true]);
      const refused = garbage.interface.encodeErrorResult("GarbagePausableRefused");
      const tx = multisig.connect(guardian).pauseAll();
      await expect(tx).to.emit(multisig, "EmergencyPauseFailed").withArgs(doomedAt, "0x");
      await expect(tx).to.emit(multisig, "EmergencyPauseFailed").withArgs(overlongAt, twoWords);
      await expect(tx).to.emit(multisig, "EmergencyPauseFailed").withArgs(revertingAt, refused);
      await expect(tx).to.emit(registry, "Paused").withArgs(address);
      await expect(tx).to.emit(token, "Paused").withArgs(address);
      expect(await multisigEvents(multisig, tx)).to.deep.equal([
        ["EmergencyPauseFailed", doomedAt, "0x"],
        ["EmergencyPaused", registryAddress, false],
        ["EmergencyPauseFailed", overlongAt, twoWords],
        ["EmergencyPaused", tokenAddress, false],
        ["EmergencyPauseFailed", revertingAt, refused],
      ]);
      expect([await registry.paused(), await token.paused()]).to.deep.equal([true, true]);
      // A malformed paused() answer is not taken for "already paused", nor is pause() attempted.
      expect([await overlong.pauseCalls(), await reverting.pauseCalls()]).to.deep.equal([0n, 0n]);
    });

    it("the guardian cannot unpause nor reconfigure; a proposal unpauses", async function () {
      const { multisig, signers, guardian, registry, token, registryAddress, tokenAddress, address } =
        await loadFixture(governed);
      await multisig.connect(guardian).pauseAll();
      for (const c of [registry, token]) {
        await expect(c.connect(guardian).unpause())
          .to.be.revertedWithCustomError(c, "OwnableUnauthorizedAccount")
          .withArgs(guardian.address);
      }
      await expect(multisig.connect(guardian).setGuardian(guardian.address))
        .to.be.revertedWithCustomError(multisig, "MultisigOnlySelf")
        .withArgs(guardian.address);
      await expect(multisig.connect(guardian).setPausables([]))
        .to.be.revertedWithCustomError(multisig, "MultisigOnlySelf")
        .withArgs(guardian.address);

      for (const [c, at] of [
        [registry, registryAddress],
        [token, tokenAddress],
      ] as const) {
        const p = await draft(multisig, { target: at, data: c.interface.encodeFunctionData("unpause") });
        await expect(multisig.execute(p, await signAll(multisig, signers.slice(0, 3), p)))
          .to.emit(c, "Unpaused")
          .withArgs(address);
        expect(await c.paused()).to.equal(false);
      }
    });

    it("a proposal replaces the guardian: the old one is refused, the new one pauses", async function () {
      const { multisig, signers, guardian, others, registry } = await loadFixture(governed);
      const replace = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("setGuardian", [others[0].address]),
      );
      await enact(multisig, signers.slice(0, 3), replace);
      await expect(multisig.connect(guardian).pauseAll())
        .to.be.revertedWithCustomError(multisig, "MultisigNotGuardian")
        .withArgs(guardian.address);
      await expect(multisig.connect(others[0]).pauseAll()).to.emit(multisig, "EmergencyPaused");
      expect(await registry.paused()).to.equal(true);
    });
  });
});
