/** ConsortiumMultisig: independent nonce lanes, stale nonces and threshold-approved cancels. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  DAY,
  pokeDraft,
  MIN_DELAY,
  multisigFixture,
  queueWith,
  signAll,
  signCancels,
  THRESHOLD,
  timelockedMultisig,
} from "./helpers";

describe("ConsortiumMultisig", function () {
  describe("lanes", function () {
    it("a queued proposal still timelocked in lane 1 does not block lane 2", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers } = f;
      const notBefore = BigInt(await time.latest()) + 10n * BigInt(DAY);
      const stuck = await pokeDraft(f, { lane: 1n, notBefore });
      await queueWith(multisig, signers.slice(0, 3), stuck);
      const free = await pokeDraft(f, { lane: 2n });
      const executableAt = await queueWith(multisig, signers.slice(2), free);
      await time.increaseTo(executableAt);
      await expect(multisig.execute(stuck, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigTimelocked")
        .withArgs(await multisig.proposalHash(stuck), notBefore);
      await expect(multisig.execute(free, "0x"))
        .to.emit(multisig, "Executed")
        .withArgs(await multisig.proposalHash(free), 2n, 0n);
      expect([await multisig.nonceOf(1n), await multisig.nonceOf(2n)]).to.deep.equal([0n, 1n]);
    });

    it("an expired proposal blocks only its lane, until its nonce is cancelled", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      const expiry = BigInt(await time.latest()) + 100n;
      const expired = await pokeDraft(f, { lane: 1n, expiry });
      await time.increaseTo(expiry + 1n);
      await expect(multisig.execute(expired, await signAll(multisig, signers, expired)))
        .to.be.revertedWithCustomError(multisig, "MultisigExpired")
        .withArgs(await multisig.proposalHash(expired), expiry);
      const other = await pokeDraft(f, { lane: 2n });
      await expect(multisig.execute(other, await signAll(multisig, signers.slice(0, 3), other))).to.emit(
        multisig,
        "Executed",
      );
      // Lane 1's next proposal must reuse nonce 0; after a cancel it takes nonce 1.
      await expect(multisig.execute(await pokeDraft(f, { lane: 1n, nonce: 1n }), "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(1n, 0n, 1n);
      await multisig.cancel(1n, 0n, await signCancels(multisig, signers.slice(0, 3), 1n, 0n));
      const next = await pokeDraft(f, { lane: 1n });
      expect(next.nonce).to.equal(1n);
      await expect(multisig.execute(next, await signAll(multisig, signers.slice(0, 3), next)))
        .to.emit(multisig, "Executed")
        .withArgs(await multisig.proposalHash(next), 1n, 1n);
    });

    it("refuses an out-of-order nonce with MultisigStaleNonce(lane, expected, nonce), at execute and queue", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers } = f;
      const ahead = await pokeDraft(f, { lane: 3n, nonce: 1n });
      const sigs = await signAll(multisig, signers, ahead);
      await expect(multisig.execute(ahead, sigs))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(3n, 0n, 1n);
      await expect(multisig.queue(ahead, sigs))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(3n, 0n, 1n);
    });

    it("an executed proposal cannot run again: MultisigStaleNonce(lane, nonce + 1, nonce)", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, target } = f;
      const p = await pokeDraft(f, { lane: 9n });
      const sigs = await signAll(multisig, signers.slice(0, 3), p);
      await multisig.execute(p, sigs);
      await expect(multisig.execute(p, sigs))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(9n, 1n, 0n);
      expect(await target.pokes()).to.equal(1n);
    });

    it("lanes count independently and the full uint64 lane range is usable", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      for (const lane of [0n, 2n ** 64n - 1n, 0n, 7n]) {
        const p = await pokeDraft(f, { lane });
        await multisig.execute(p, await signAll(multisig, signers.slice(0, 3), p));
      }
      expect(await multisig.nonceOf(0n)).to.equal(2n);
      expect(await multisig.nonceOf(2n ** 64n - 1n)).to.equal(1n);
      expect(await multisig.nonceOf(7n)).to.equal(1n);
      expect(await multisig.nonceOf(1n)).to.equal(0n);
    });
  });

  describe("cancel", function () {
    it("a threshold-approved cancel burns the nonce (Cancelled) and the queued proposal never executes", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers, outsider } = f;
      const p = await pokeDraft(f, { lane: 5n });
      const hash = await multisig.proposalHash(p);
      const executableAt = await queueWith(multisig, signers.slice(0, 3), p);
      const cancelHash = await multisig.cancelHash(5n, 0n);
      // No timelock on a cancel; anyone may submit it.
      await expect(multisig.connect(outsider).cancel(5n, 0n, await signCancels(multisig, signers.slice(1, 4), 5n, 0n)))
        .to.emit(multisig, "Cancelled")
        .withArgs(cancelHash, 5n, 0n);
      expect(await multisig.nonceOf(5n)).to.equal(1n);
      await time.increaseTo(executableAt + BigInt(MIN_DELAY));
      await expect(multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(5n, 1n, 0n);
      await expect(multisig.queue(p, await signAll(multisig, signers, p)))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(5n, 1n, 0n);
      // The dead queue entry is left behind (harmless: the nonce has moved past it).
      expect((await multisig.queuedOf(hash))[1]).to.equal(executableAt);
    });

    it("refuses a cancel below threshold with MultisigThresholdNotMet(cancelHash, count, 3)", async function () {
      const { multisig, signers } = await loadFixture(multisigFixture);
      const cancelHash = await multisig.cancelHash(0n, 0n);
      await expect(multisig.cancel(0n, 0n, await signCancels(multisig, signers.slice(0, 2), 0n, 0n)))
        .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
        .withArgs(cancelHash, 2, THRESHOLD);
      await expect(multisig.cancel(0n, 0n, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
        .withArgs(cancelHash, 0, THRESHOLD);
      expect(await multisig.nonceOf(0n)).to.equal(0n);
    });

    it("refuses a cancel of any nonce but the lane's next with MultisigStaleNonce", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      await expect(multisig.cancel(0n, 1n, await signCancels(multisig, signers, 0n, 1n)))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(0n, 0n, 1n);
      const p = await pokeDraft(f);
      await multisig.execute(p, await signAll(multisig, signers.slice(0, 3), p));
      await expect(multisig.cancel(0n, 0n, await signCancels(multisig, signers, 0n, 0n)))
        .to.be.revertedWithCustomError(multisig, "MultisigStaleNonce")
        .withArgs(0n, 1n, 0n);
    });

    it("cancels on on-chain approvals of cancelHash, alone or mixed with signatures", async function () {
      const { multisig, signers, outsider } = await loadFixture(multisigFixture);
      const h0 = await multisig.cancelHash(2n, 0n);
      for (const s of signers.slice(0, 3)) await multisig.connect(s).approve(h0);
      await expect(multisig.connect(outsider).cancel(2n, 0n, "0x"))
        .to.emit(multisig, "Cancelled")
        .withArgs(h0, 2n, 0n);
      const h1 = await multisig.cancelHash(2n, 1n);
      await multisig.connect(signers[4]).approve(h1);
      await expect(multisig.cancel(2n, 1n, await signCancels(multisig, [signers[3], signers[0]], 2n, 1n)))
        .to.emit(multisig, "Cancelled")
        .withArgs(h1, 2n, 1n);
      expect(await multisig.nonceOf(2n)).to.equal(2n);
    });

    it("neither proposal signatures nor another lane's cancel signatures can cancel", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      const p = await pokeDraft(f);
      const proposalSigs = await signAll(multisig, signers.slice(0, 3), p);
      const cancelHash = await multisig.cancelHash(0n, 0n);
      await expect(multisig.cancel(0n, 0n, proposalSigs))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(ethers.recoverAddress(cancelHash, ethers.dataSlice(proposalSigs, 0, 65)));
      const lane1 = await signCancels(multisig, signers.slice(0, 3), 1n, 0n);
      await expect(multisig.cancel(0n, 0n, lane1))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(ethers.recoverAddress(cancelHash, ethers.dataSlice(lane1, 0, 65)));
      // Nor can cancel signatures execute the proposal.
      const cancelSigs = await signCancels(multisig, signers.slice(0, 3), 0n, 0n);
      const hash = await multisig.proposalHash(p);
      await expect(multisig.execute(p, cancelSigs))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(ethers.recoverAddress(hash, ethers.dataSlice(cancelSigs, 0, 65)));
    });
  });
});
