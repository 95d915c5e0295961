/** ConsortiumMultisig: signer-set changes through proposals, the signer-set epoch and invalid changes. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ConsortiumMultisig } from "../../../typechain-types";
import {
  pokeDraft,
  enact,
  instantMultisig,
  MAX_SIGNERS,
  multisigEvents,
  multisigFixture,
  type MultisigFixture,
  type Proposal,
  queueWith,
  SENSITIVE_DELAY,
  selfDraft,
  signAll,
  THRESHOLD,
} from "./helpers";

/** Execute a zero-delay proposal calling the multisig with `data`, signed by `signers`. */
async function executeSelf(
  multisig: ConsortiumMultisig,
  signers: readonly HardhatEthersSigner[],
  data: string,
): Promise<{ p: Proposal; hash: string; tx: ReturnType<ConsortiumMultisig["execute"]> }> {
  const p = await selfDraft(multisig, data);
  const sigs = await signAll(multisig, signers, p);
  return { p, hash: await multisig.proposalHash(p), tx: multisig.execute(p, sigs) };
}

/**
 * A setGuardian(s0) proposal queued on lane 1 by s0, s1, s2 (epoch 0); then s0 rotated out for
 * others[0] by s2, s3, s4 on lane 0 (epoch 1). The stale entry has matured by then.
 */
async function queuedThenRotated(): Promise<
  MultisigFixture & { pending: Proposal; hash: string; stale: Awaited<ReturnType<ConsortiumMultisig["queuedOf"]>> }
> {
  const f = await multisigFixture();
  const { multisig, signers, others } = f;
  const [s0, s1, s2, s3, s4] = signers;
  const pending = await selfDraft(multisig, multisig.interface.encodeFunctionData("setGuardian", [s0.address]), {
    lane: 1n,
  });
  const hash = await multisig.proposalHash(pending);
  await queueWith(multisig, [s0, s1, s2], pending);
  const stale = await multisig.queuedOf(hash);
  const rotate = multisig.interface.encodeFunctionData("rotateSigner", [s0.address, others[0].address]);
  await enact(multisig, [s2, s3, s4], await selfDraft(multisig, rotate));
  return { ...f, pending, hash, stale };
}

describe("ConsortiumMultisig", function () {
  describe("signer changes", function () {
    it("addSigner waits the sensitive delay, then emits SignerAdded and ThresholdChanged under epoch 1", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, others } = f;
      const newcomer = others[0];
      const p = await selfDraft(multisig, multisig.interface.encodeFunctionData("addSigner", [newcomer.address, 4]));
      await expect(multisig.execute(p, await signAll(multisig, signers, p)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotQueued")
        .withArgs(await multisig.proposalHash(p), SENSITIVE_DELAY);
      const tx = enact(multisig, signers.slice(0, 3), p);
      await expect(tx).to.emit(multisig, "SignerAdded").withArgs(newcomer.address, 1);
      await expect(tx).to.emit(multisig, "ThresholdChanged").withArgs(4, 1);
      expect(await multisig.signers()).to.deep.equal([[...signers, newcomer].map((s) => s.address), 4n, 1n]);

      const next = await pokeDraft(f);
      const hash = await multisig.proposalHash(next);
      await expect(multisig.execute(next, await signAll(multisig, signers.slice(0, 3), next)))
        .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
        .withArgs(hash, 3, 4);
      await expect(multisig.execute(next, await signAll(multisig, [newcomer, ...signers.slice(0, 3)], next))).to.emit(
        multisig,
        "Executed",
      );
    });

    it("removeSigner emits SignerRemoved and ThresholdChanged; the last signer takes the freed slot", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      const [s0, s1, s2, s3, s4] = signers;
      const p = await selfDraft(multisig, multisig.interface.encodeFunctionData("removeSigner", [s1.address, 2]));
      const tx = enact(multisig, [s0, s1, s2], p);
      await expect(tx).to.emit(multisig, "SignerRemoved").withArgs(s1.address, 1);
      await expect(tx).to.emit(multisig, "ThresholdChanged").withArgs(2, 1);
      expect(await multisig.signers()).to.deep.equal([[s0, s4, s2, s3].map((s) => s.address), 2n, 1n]);

      const next = await pokeDraft(f);
      await expect(multisig.execute(next, await signAll(multisig, [s3, s1], next)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(s1.address);
      await expect(multisig.connect(s1).approve(await multisig.proposalHash(next)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(s1.address);
      await expect(multisig.execute(next, await signAll(multisig, [s3, s4], next))).to.emit(multisig, "Executed");
    });

    it("rotateSigner swaps the key in place (threshold kept); the old key cannot sign the very next proposal", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, others } = f;
      const [old, fresh] = [signers[2], others[0]];
      const p = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("rotateSigner", [old.address, fresh.address]),
      );
      const tx = enact(multisig, signers.slice(0, 3), p);
      await expect(tx).to.emit(multisig, "SignerRemoved").withArgs(old.address, 1);
      await expect(tx).to.emit(multisig, "SignerAdded").withArgs(fresh.address, 1);
      await expect(tx).not.to.emit(multisig, "ThresholdChanged");
      const expected = signers.map((s) => s.address);
      expected[2] = fresh.address;
      expect(await multisig.signers()).to.deep.equal([expected, BigInt(THRESHOLD), 1n]);

      const next = await pokeDraft(f);
      await expect(multisig.execute(next, await signAll(multisig, [signers[0], old, signers[1]], next)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(old.address);
      await expect(multisig.execute(next, await signAll(multisig, [signers[0], fresh, signers[1]], next)))
        .to.emit(multisig, "Executed")
        .withArgs(await multisig.proposalHash(next), 0n, 1n);
    });

    it("changeThreshold bumps the epoch (ThresholdChanged(threshold, 1)): approvals given before it no longer count", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      const pending = await pokeDraft(f, { lane: 1n });
      const hash = await multisig.proposalHash(pending);
      await multisig.connect(signers[0]).approve(hash);
      await multisig.connect(signers[1]).approve(hash);
      const p = await selfDraft(multisig, multisig.interface.encodeFunctionData("changeThreshold", [2]));
      const tx = enact(multisig, signers.slice(0, 3), p);
      await expect(tx).to.emit(multisig, "ThresholdChanged").withArgs(2, 1);
      expect(await multisigEvents(multisig, tx)).to.deep.equal([
        ["ThresholdChanged", 2n, 1n],
        ["Executed", await multisig.proposalHash(p), 0n, 0n],
      ]);
      expect(await multisig.signers()).to.deep.equal([signers.map((s) => s.address), 2n, 1n]);
      expect(await multisig.approvalsOf(hash)).to.deep.equal([]);
      await expect(multisig.execute(pending, await signAll(multisig, [signers[4]], pending)))
        .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
        .withArgs(hash, 1, 2);
      // Approving again counts under the new epoch.
      await expect(multisig.connect(signers[0]).approve(hash))
        .to.emit(multisig, "Approved")
        .withArgs(hash, signers[0].address, 1);
      await expect(multisig.execute(pending, await signAll(multisig, [signers[4]], pending)))
        .to.emit(multisig, "Executed")
        .withArgs(hash, 1n, 0n);
    });

    it("a signer change bumps the epoch: on-chain approvals given before it no longer count", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, others } = f;
      const pending = await pokeDraft(f, { lane: 1n });
      const hash = await multisig.proposalHash(pending);
      await multisig.connect(signers[0]).approve(hash);
      await multisig.connect(signers[1]).approve(hash);
      expect(await multisig.approvalsOf(hash)).to.deep.equal([signers[0].address, signers[1].address]);

      const rotate = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("rotateSigner", [signers[4].address, others[0].address]),
      );
      await enact(multisig, signers.slice(0, 3), rotate);
      expect(await multisig.approvalsOf(hash)).to.deep.equal([]);
      await expect(multisig.execute(pending, await signAll(multisig, [signers[2]], pending)))
        .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
        .withArgs(hash, 1, THRESHOLD);
      // Approving again is possible under the new epoch.
      await expect(multisig.connect(signers[0]).approve(hash))
        .to.emit(multisig, "Approved")
        .withArgs(hash, signers[0].address, 1);
      await multisig.connect(others[0]).approve(hash);
      await expect(multisig.execute(pending, await signAll(multisig, [signers[2]], pending))).to.emit(
        multisig,
        "Executed",
      );
    });

    it("every signer or threshold change voids earlier queue entries: MultisigSignerSetChanged(hash, 0, 1)", async function () {
      const { multisig, signers, others, guardian } = await loadFixture(multisigFixture);
      const [s0, s1, s2, , s4] = signers;
      const i = multisig.interface;
      const changes = [
        i.encodeFunctionData("addSigner", [others[0].address, THRESHOLD]),
        i.encodeFunctionData("removeSigner", [s4.address, THRESHOLD]),
        i.encodeFunctionData("rotateSigner", [s4.address, others[0].address]),
        i.encodeFunctionData("changeThreshold", [2]),
        i.encodeFunctionData("changeThreshold", [THRESHOLD]), // even to the same threshold
      ];
      for (const change of changes) {
        await loadFixture(multisigFixture); // a fresh chain for each change
        const pending = await selfDraft(multisig, i.encodeFunctionData("setGuardian", [s0.address]), { lane: 1n });
        const hash = await multisig.proposalHash(pending);
        const executableAt = await queueWith(multisig, [s0, s1, s2], pending);
        const entry = await multisig.queuedOf(hash);
        expect(entry).to.deep.equal([executableAt - BigInt(SENSITIVE_DELAY), executableAt, 0n]);
        await enact(multisig, [s0, s1, s2], await selfDraft(multisig, change));
        expect((await multisig.signers())[2]).to.equal(1n);
        expect(await time.latest()).to.be.greaterThan(executableAt);
        await expect(multisig.execute(pending, "0x"))
          .to.be.revertedWithCustomError(multisig, "MultisigSignerSetChanged")
          .withArgs(hash, 0, 1);
        // The stale entry stays (queuedOf still reports it), but it is dead.
        expect(await multisig.queuedOf(hash)).to.deep.equal(entry);
        expect(await multisig.nonceOf(1n)).to.equal(0n);
        expect((await multisig.guardian())[0]).to.equal(guardian.address);
      }
    });

    it("the current signers queue a stale proposal again: a new Queued and executableAt under epoch 1, then it executes", async function () {
      const { multisig, signers, others, guardian, pending, hash } = await loadFixture(queuedThenRotated);
      const [s0, s1, s2] = signers;
      await expect(multisig.execute(pending, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigSignerSetChanged")
        .withArgs(hash, 0, 1);
      const sigs = await signAll(multisig, [others[0], s1, s2], pending);
      const queuedAt = BigInt(await time.latest()) + 10n;
      const executableAt = queuedAt + BigInt(SENSITIVE_DELAY);
      await time.setNextBlockTimestamp(queuedAt);
      await expect(multisig.queue(pending, sigs)).to.emit(multisig, "Queued").withArgs(hash, 1n, 0n, executableAt);
      expect(await multisig.queuedOf(hash)).to.deep.equal([queuedAt, executableAt, 1n]);
      await expect(multisig.queue(pending, sigs))
        .to.be.revertedWithCustomError(multisig, "MultisigAlreadyQueued")
        .withArgs(hash, executableAt);
      await expect(multisig.execute(pending, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigTimelocked")
        .withArgs(hash, executableAt);
      await time.setNextBlockTimestamp(executableAt);
      const tx = multisig.execute(pending, "0x");
      await expect(tx).to.emit(multisig, "Executed").withArgs(hash, 1n, 0n);
      await expect(tx).to.emit(multisig, "GuardianChanged").withArgs(guardian.address, s0.address);
      expect(await multisig.queuedOf(hash)).to.deep.equal([0n, 0n, 0n]);
    });

    it("a rotated-out signer cannot re-queue a stale proposal: MultisigNotSigner(old signer)", async function () {
      const { multisig, signers, pending, hash, stale } = await loadFixture(queuedThenRotated);
      const [s0, s1, s2] = signers;
      for (const order of [
        [s0, s1, s2],
        [s1, s2, s0],
      ]) {
        await expect(multisig.queue(pending, await signAll(multisig, order, pending)))
          .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
          .withArgs(s0.address);
      }
      await expect(multisig.connect(s0).approve(hash))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(s0.address);
      // The signers who remain are not enough on their own.
      await expect(multisig.queue(pending, await signAll(multisig, [s1, s2], pending)))
        .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
        .withArgs(hash, 2, THRESHOLD);
      expect(await multisig.queuedOf(hash)).to.deep.equal(stale);
    });
  });

  describe("invalid signer changes", function () {
    it("fail as MultisigCallFailed(hash, reason) and change nothing", async function () {
      const { multisig, signers, others, address, outsider } = await loadFixture(instantMultisig);
      const [s0, s1] = signers;
      const fresh = others[0].address;
      const i = multisig.interface;
      const cases: { data: string; error: string; args: unknown[] }[] = [
        {
          data: i.encodeFunctionData("addSigner", [ethers.ZeroAddress, 3]),
          error: "MultisigInvalidSigner",
          args: [ethers.ZeroAddress],
        },
        {
          data: i.encodeFunctionData("addSigner", [s0.address, 3]),
          error: "MultisigInvalidSigner",
          args: [s0.address],
        },
        { data: i.encodeFunctionData("addSigner", [address, 3]), error: "MultisigInvalidSigner", args: [address] },
        { data: i.encodeFunctionData("addSigner", [fresh, 0]), error: "MultisigInvalidThreshold", args: [0, 6] },
        { data: i.encodeFunctionData("addSigner", [fresh, 7]), error: "MultisigInvalidThreshold", args: [7, 6] },
        {
          data: i.encodeFunctionData("removeSigner", [outsider.address, 3]),
          error: "MultisigNotSigner",
          args: [outsider.address],
        },
        {
          data: i.encodeFunctionData("removeSigner", [s0.address, 5]),
          error: "MultisigInvalidThreshold",
          args: [5, 4],
        },
        {
          data: i.encodeFunctionData("removeSigner", [s0.address, 0]),
          error: "MultisigInvalidThreshold",
          args: [0, 4],
        },
        {
          data: i.encodeFunctionData("rotateSigner", [outsider.address, fresh]),
          error: "MultisigNotSigner",
          args: [outsider.address],
        },
        {
          data: i.encodeFunctionData("rotateSigner", [s0.address, s1.address]),
          error: "MultisigInvalidSigner",
          args: [s1.address],
        },
        {
          data: i.encodeFunctionData("rotateSigner", [s0.address, s0.address]),
          error: "MultisigInvalidSigner",
          args: [s0.address],
        },
        {
          data: i.encodeFunctionData("rotateSigner", [s0.address, ethers.ZeroAddress]),
          error: "MultisigInvalidSigner",
          args: [ethers.ZeroAddress],
        },
        {
          data: i.encodeFunctionData("rotateSigner", [s0.address, address]),
          error: "MultisigInvalidSigner",
          args: [address],
        },
        { data: i.encodeFunctionData("changeThreshold", [0]), error: "MultisigInvalidThreshold", args: [0, 5] },
        { data: i.encodeFunctionData("changeThreshold", [6]), error: "MultisigInvalidThreshold", args: [6, 5] },
      ];
      const before = await multisig.signers();
      for (const { data, error, args } of cases) {
        const { hash, tx } = await executeSelf(multisig, signers.slice(0, 3), data);
        await expect(tx)
          .to.be.revertedWithCustomError(multisig, "MultisigCallFailed")
          .withArgs(hash, i.encodeErrorResult(error, args));
      }
      expect(await multisig.signers()).to.deep.equal(before);
      expect(await multisig.nonceOf(0n)).to.equal(0n);
    });

    it("addSigner beyond 64 signers fails with MultisigTooManySigners(65, 64)", async function () {
      const [s0] = (await loadFixture(instantMultisig)).signers;
      const owners = [
        s0.address,
        ...Array.from({ length: MAX_SIGNERS - 1 }, () => ethers.Wallet.createRandom().address),
      ];
      const m = await (
        await ethers.getContractFactory("ConsortiumMultisig")
      ).deploy(owners, 1, 0, 0, ethers.ZeroAddress, []);
      const data = m.interface.encodeFunctionData("addSigner", [ethers.Wallet.createRandom().address, 1]);
      const { hash, tx } = await executeSelf(m, [s0], data);
      await expect(tx)
        .to.be.revertedWithCustomError(m, "MultisigCallFailed")
        .withArgs(hash, m.interface.encodeErrorResult("MultisigTooManySigners", [MAX_SIGNERS + 1, MAX_SIGNERS]));
      // Making room first works: remove one, then add one.
      await (
        await executeSelf(m, [s0], m.interface.encodeFunctionData("removeSigner", [owners[63], 1]))
      ).tx;
      const added = await executeSelf(m, [s0], data);
      await expect(added.tx).to.emit(m, "SignerAdded");
      expect((await m.signers())[0]).to.have.length(MAX_SIGNERS);
    });

    it("the last signer cannot be removed (MultisigInvalidThreshold(threshold, 0))", async function () {
      const [s0] = (await loadFixture(instantMultisig)).signers;
      const m = await (
        await ethers.getContractFactory("ConsortiumMultisig")
      ).deploy([s0.address], 1, 0, 0, s0.address, []);
      const { hash, tx } = await executeSelf(m, [s0], m.interface.encodeFunctionData("removeSigner", [s0.address, 1]));
      await expect(tx)
        .to.be.revertedWithCustomError(m, "MultisigCallFailed")
        .withArgs(hash, m.interface.encodeErrorResult("MultisigInvalidThreshold", [1, 0]));
    });
  });
});
