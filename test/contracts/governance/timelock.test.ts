/** ConsortiumMultisig: queueing, timelocks, notBefore/expiry, and the per-call delay policy. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  DAY,
  pokeDraft,
  enact,
  HOUR,
  MIN_DELAY,
  multisigFixture,
  queueWith,
  SELECTOR,
  SENSITIVE_DELAY,
  selfDraft,
  signAll,
  THRESHOLD,
  timelockedMultisig,
} from "./helpers";

describe("ConsortiumMultisig", function () {
  describe("timelock", function () {
    it("refuses to execute a call with a non-zero delay directly: MultisigNotQueued(hash, delay)", async function () {
      const f = await loadFixture(timelockedMultisig);
      const p = await pokeDraft(f);
      await expect(f.multisig.execute(p, await signAll(f.multisig, f.signers, p)))
        .to.be.revertedWithCustomError(f.multisig, "MultisigNotQueued")
        .withArgs(await f.multisig.proposalHash(p), MIN_DELAY);
    });

    it("queues at threshold (Queued), refuses early execution (MultisigTimelocked) and executes at executableAt", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers, target } = f;
      const p = await pokeDraft(f, { lane: 4n });
      const hash = await multisig.proposalHash(p);
      await expect(multisig.queue(p, await signAll(multisig, signers.slice(0, 2), p)))
        .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
        .withArgs(hash, 2, THRESHOLD);

      const queuedAt = (await time.latest()) + 10;
      const executableAt = queuedAt + MIN_DELAY;
      await time.setNextBlockTimestamp(queuedAt);
      await expect(multisig.queue(p, await signAll(multisig, signers.slice(2), p)))
        .to.emit(multisig, "Queued")
        .withArgs(hash, 4n, 0n, executableAt);
      expect(await multisig.queuedOf(hash)).to.deep.equal([BigInt(queuedAt), BigInt(executableAt), 0n]);
      expect(await multisig.nonceOf(4n)).to.equal(0n, "queueing does not consume the nonce");

      await expect(multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigTimelocked")
        .withArgs(hash, executableAt);
      await time.setNextBlockTimestamp(executableAt - 1);
      await expect(multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigTimelocked")
        .withArgs(hash, executableAt);

      await time.setNextBlockTimestamp(executableAt);
      // Once queued, the signatures argument is ignored (here: garbage).
      await expect(multisig.execute(p, "0xdeadbeef")).to.emit(multisig, "Executed").withArgs(hash, 4n, 0n);
      expect(await target.pokes()).to.equal(1n);
      expect(await multisig.queuedOf(hash)).to.deep.equal([0n, 0n, 0n]);
      expect(await multisig.nonceOf(4n)).to.equal(1n);
    });

    it("queues on on-chain approvals alone", async function () {
      const f = await loadFixture(timelockedMultisig);
      const p = await pokeDraft(f);
      const hash = await f.multisig.proposalHash(p);
      for (const s of f.signers.slice(0, THRESHOLD)) await f.multisig.connect(s).approve(hash);
      await expect(f.multisig.queue(p, "0x")).to.emit(f.multisig, "Queued");
    });

    it("waits until notBefore when it is later than now + delay", async function () {
      const f = await loadFixture(timelockedMultisig);
      const notBefore = BigInt(await time.latest()) + 5n * BigInt(DAY);
      const p = await pokeDraft(f, { notBefore });
      const hash = await f.multisig.proposalHash(p);
      await expect(f.multisig.queue(p, await signAll(f.multisig, f.signers.slice(0, 3), p)))
        .to.emit(f.multisig, "Queued")
        .withArgs(hash, 0n, 0n, notBefore);
      await time.increaseTo(notBefore - 10n);
      await expect(f.multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(f.multisig, "MultisigTimelocked")
        .withArgs(hash, notBefore);
      await time.setNextBlockTimestamp(notBefore);
      await expect(f.multisig.execute(p, "0x")).to.emit(f.multisig, "Executed").withArgs(hash, 0n, 0n);
    });

    it("a notBefore earlier than now + delay does not shorten the delay", async function () {
      const f = await loadFixture(timelockedMultisig);
      const now = await time.latest();
      const p = await pokeDraft(f, { notBefore: BigInt(now + 60) });
      await time.setNextBlockTimestamp(now + 10);
      await expect(f.multisig.queue(p, await signAll(f.multisig, f.signers.slice(0, 3), p)))
        .to.emit(f.multisig, "Queued")
        .withArgs(await f.multisig.proposalHash(p), 0n, 0n, now + 10 + MIN_DELAY);
    });

    it("a zero-delay proposal with a future notBefore is MultisigTimelocked(hash, notBefore) until then", async function () {
      const f = await loadFixture(multisigFixture);
      const notBefore = BigInt(await time.latest()) + BigInt(HOUR);
      const p = await pokeDraft(f, { notBefore });
      const hash = await f.multisig.proposalHash(p);
      const sigs = await signAll(f.multisig, f.signers.slice(0, 3), p);
      await expect(f.multisig.execute(p, sigs))
        .to.be.revertedWithCustomError(f.multisig, "MultisigTimelocked")
        .withArgs(hash, notBefore);
      await time.setNextBlockTimestamp(notBefore);
      await expect(f.multisig.execute(p, sigs)).to.emit(f.multisig, "Executed").withArgs(hash, 0n, 0n);
    });

    it("refuses an expired proposal with MultisigExpired(hash, expiry) at queue and at execute", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers } = f;
      const now = BigInt(await time.latest());
      const stale = await pokeDraft(f, { expiry: now - 1n });
      await expect(multisig.queue(stale, await signAll(multisig, signers, stale)))
        .to.be.revertedWithCustomError(multisig, "MultisigExpired")
        .withArgs(await multisig.proposalHash(stale), now - 1n);

      const expiry = now + BigInt(3 * HOUR);
      const p = await pokeDraft(f, { expiry });
      const hash = await multisig.proposalHash(p);
      await queueWith(multisig, signers.slice(0, 3), p);
      await time.setNextBlockTimestamp(expiry + 1n);
      await expect(multisig.execute(p, "0x"))
        .to.be.revertedWithCustomError(multisig, "MultisigExpired")
        .withArgs(hash, expiry);
    });

    it("executes at exactly expiry", async function () {
      const f = await loadFixture(timelockedMultisig);
      const expiry = BigInt(await time.latest()) + BigInt(2 * HOUR);
      const p = await pokeDraft(f, { expiry });
      await queueWith(f.multisig, f.signers.slice(0, 3), p);
      await time.setNextBlockTimestamp(expiry);
      await expect(f.multisig.execute(p, "0x")).to.emit(f.multisig, "Executed");
    });

    it("refuses expiry <= notBefore with MultisigExpired(hash, expiry) at queue and at execute", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers } = f;
      const notBefore = BigInt(await time.latest()) + BigInt(DAY);
      for (const expiry of [notBefore, notBefore - 1n]) {
        const p = await pokeDraft(f, { notBefore, expiry });
        const sigs = await signAll(multisig, signers, p);
        const hash = await multisig.proposalHash(p);
        await expect(multisig.queue(p, sigs))
          .to.be.revertedWithCustomError(multisig, "MultisigExpired")
          .withArgs(hash, expiry);
        await expect(multisig.execute(p, sigs))
          .to.be.revertedWithCustomError(multisig, "MultisigExpired")
          .withArgs(hash, expiry);
      }
    });

    it("refuses to queue a proposal that would mature after its expiry with MultisigExpired(hash, expiry)", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers } = f;
      const setGuardian = multisig.interface.encodeFunctionData("setGuardian", [signers[0].address]);
      // executableAt = max(queuedAt + delay, notBefore) must not be after expiry; times relative to queuedAt.
      const cases = [
        { data: undefined, notBefore: 0n, expiresIn: 600n }, // matures after an hour, expires after 10 minutes
        { data: undefined, notBefore: 0n, expiresIn: BigInt(MIN_DELAY) - 1n }, // expires one second too early
        { data: undefined, notBefore: 60n, expiresIn: 600n }, // an early notBefore does not help
        { data: setGuardian, notBefore: 0n, expiresIn: BigInt(MIN_DELAY) }, // enough for a call, not for a sensitive one
      ];
      for (const { data, notBefore, expiresIn } of cases) {
        const queuedAt = BigInt(await time.latest()) + 10n;
        const fields = { notBefore: notBefore === 0n ? 0n : queuedAt + notBefore, expiry: queuedAt + expiresIn };
        const p = data ? await selfDraft(multisig, data, fields) : await pokeDraft(f, fields);
        const hash = await multisig.proposalHash(p);
        const sigs = await signAll(multisig, signers.slice(0, 3), p);
        await time.setNextBlockTimestamp(queuedAt);
        await expect(multisig.queue(p, sigs))
          .to.be.revertedWithCustomError(multisig, "MultisigExpired")
          .withArgs(hash, p.expiry);
        expect(await multisig.queuedOf(hash)).to.deep.equal([0n, 0n, 0n]);
      }
      expect(await multisig.nonceOf(0n)).to.equal(0n);
    });

    it("queues a proposal that matures exactly at its expiry (now + delay = expiry), and it executes then", async function () {
      const f = await loadFixture(timelockedMultisig);
      const queuedAt = BigInt(await time.latest()) + 10n;
      const expiry = queuedAt + BigInt(MIN_DELAY);
      const p = await pokeDraft(f, { expiry });
      const hash = await f.multisig.proposalHash(p);
      const sigs = await signAll(f.multisig, f.signers.slice(0, 3), p);
      await time.setNextBlockTimestamp(queuedAt);
      await expect(f.multisig.queue(p, sigs)).to.emit(f.multisig, "Queued").withArgs(hash, 0n, 0n, expiry);
      await time.setNextBlockTimestamp(expiry);
      await expect(f.multisig.execute(p, "0x")).to.emit(f.multisig, "Executed").withArgs(hash, 0n, 0n);
    });

    it("refuses to queue twice with MultisigAlreadyQueued(hash, executableAt)", async function () {
      const f = await loadFixture(timelockedMultisig);
      const p = await pokeDraft(f);
      const executableAt = await queueWith(f.multisig, f.signers.slice(0, 3), p);
      await expect(f.multisig.queue(p, await signAll(f.multisig, f.signers.slice(2), p)))
        .to.be.revertedWithCustomError(f.multisig, "MultisigAlreadyQueued")
        .withArgs(await f.multisig.proposalHash(p), executableAt);
    });

    it("refuses to queue a zero-delay proposal with MultisigNothingToQueue(hash)", async function () {
      const f = await loadFixture(multisigFixture);
      const p = await pokeDraft(f);
      await expect(f.multisig.queue(p, await signAll(f.multisig, f.signers, p)))
        .to.be.revertedWithCustomError(f.multisig, "MultisigNothingToQueue")
        .withArgs(await f.multisig.proposalHash(p));
    });
  });

  describe("delay policy", function () {
    it("sensitive selectors default to sensitiveDelay; others to the minimum", async function () {
      const { multisig, address, target, outsider } = await loadFixture(timelockedMultisig);
      const targetAddress = await target.getAddress();
      const anyContract = [
        ["upgradeToAndCall(address,bytes)", SELECTOR.upgradeToAndCall],
        ["upgradeTo(address)", SELECTOR.upgradeTo], // pre-OpenZeppelin-5 UUPS
        ["transferOwnership(address)", SELECTOR.transferOwnership],
        ["renounceOwnership()", SELECTOR.renounceOwnership],
      ] as const;
      for (const [signature, selector] of anyContract) {
        expect(ethers.id(signature).slice(0, 10)).to.equal(selector, signature);
        for (const anywhere of [address, targetAddress, outsider.address]) {
          expect(await multisig.delayOf(anywhere, selector)).to.equal(SENSITIVE_DELAY, signature);
        }
      }
      for (const anywhere of [address, targetAddress, outsider.address]) {
        expect(await multisig.delayOf(anywhere, SELECTOR.none)).to.equal(MIN_DELAY);
      }
      const selfOnly = [
        "addSigner",
        "removeSigner",
        "rotateSigner",
        "changeThreshold",
        "setDelay",
        "setDefaultDelays",
        "setGuardian",
        "setPausables",
      ] as const;
      for (const name of selfOnly) {
        const selector = multisig.interface.getFunction(name).selector;
        expect(await multisig.delayOf(address, selector)).to.equal(SENSITIVE_DELAY, name);
        // The same selector on any other contract is an ordinary call.
        expect(await multisig.delayOf(targetAddress, selector)).to.equal(MIN_DELAY, name);
      }
      for (const name of ["claimOwnership", "cancel", "queue", "approve", "pauseAll"] as const) {
        expect(await multisig.delayOf(address, multisig.interface.getFunction(name).selector)).to.equal(
          MIN_DELAY,
          name,
        );
      }
      // Ordinary calls on other contracts stay at the minimum.
      for (const name of ["poke", "refuse", "arm"] as const) {
        expect(await multisig.delayOf(targetAddress, target.interface.getFunction(name).selector)).to.equal(
          MIN_DELAY,
          name,
        );
      }
      expect(await multisig.defaultDelays()).to.deep.equal([BigInt(MIN_DELAY), BigInt(SENSITIVE_DELAY)]);
    });

    it("the global minimum wins over a lower sensitive default", async function () {
      const { signers } = await loadFixture(multisigFixture);
      const m = await (
        await ethers.getContractFactory("ConsortiumMultisig")
      ).deploy(
        signers.map((s) => s.address),
        THRESHOLD,
        2 * HOUR,
        HOUR,
        ethers.ZeroAddress,
        [],
      );
      expect(await m.delayOf(signers[0].address, SELECTOR.upgradeToAndCall)).to.equal(2 * HOUR);
    });

    it("setDelay through a (sensitive) proposal sets and clears a per-(target, selector) delay", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, target } = f;
      const targetAddress = await target.getAddress();
      const poke = target.interface.getFunction("poke").selector;
      const set = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("setDelay", [targetAddress, poke, 6 * HOUR, true]),
      );
      await expect(multisig.execute(set, await signAll(multisig, signers, set)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotQueued")
        .withArgs(await multisig.proposalHash(set), SENSITIVE_DELAY);
      await expect(enact(multisig, signers.slice(0, 3), set))
        .to.emit(multisig, "DelaySet")
        .withArgs(targetAddress, poke, 6 * HOUR, true);
      expect(await multisig.delayOf(targetAddress, poke)).to.equal(6 * HOUR);
      expect(await multisig.delayOf(targetAddress, target.interface.getFunction("refuse").selector)).to.equal(0);

      const p = await pokeDraft(f);
      await expect(multisig.execute(p, await signAll(multisig, signers, p)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotQueued")
        .withArgs(await multisig.proposalHash(p), 6 * HOUR);

      const clear = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("setDelay", [targetAddress, poke, 5 * HOUR, false]),
      );
      await expect(enact(multisig, signers.slice(0, 3), clear))
        .to.emit(multisig, "DelaySet")
        .withArgs(targetAddress, poke, 0, false);
      expect(await multisig.delayOf(targetAddress, poke)).to.equal(0);
    });

    it("a configured delay below the global minimum is raised to it", async function () {
      const f = await loadFixture(timelockedMultisig);
      const { multisig, signers, target } = f;
      const targetAddress = await target.getAddress();
      const poke = target.interface.getFunction("poke").selector;
      const set = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("setDelay", [targetAddress, poke, 60, true]),
      );
      await expect(enact(multisig, signers.slice(0, 3), set))
        .to.emit(multisig, "DelaySet")
        .withArgs(targetAddress, poke, 60, true);
      expect(await multisig.delayOf(targetAddress, poke)).to.equal(MIN_DELAY);
    });

    it("a configured delay overrides the sensitive default, downwards too", async function () {
      const { multisig, signers, address } = await loadFixture(multisigFixture);
      const addSigner = multisig.interface.getFunction("addSigner").selector;
      const set = await selfDraft(
        multisig,
        multisig.interface.encodeFunctionData("setDelay", [address, addSigner, 0, true]),
      );
      await enact(multisig, signers.slice(0, 3), set);
      expect(await multisig.delayOf(address, addSigner)).to.equal(0);
    });

    it("setDefaultDelays through a proposal emits DefaultDelaysSet and changes delayOf", async function () {
      const { multisig, signers, address, outsider } = await loadFixture(timelockedMultisig);
      const data = multisig.interface.encodeFunctionData("setDefaultDelays", [2 * HOUR, 3 * DAY]);
      await expect(enact(multisig, signers.slice(0, 3), await selfDraft(multisig, data)))
        .to.emit(multisig, "DefaultDelaysSet")
        .withArgs(2 * HOUR, 3 * DAY);
      expect(await multisig.defaultDelays()).to.deep.equal([BigInt(2 * HOUR), BigInt(3 * DAY)]);
      expect(await multisig.delayOf(outsider.address, SELECTOR.none)).to.equal(2 * HOUR);
      expect(await multisig.delayOf(address, multisig.interface.getFunction("setGuardian").selector)).to.equal(3 * DAY);
    });

    it("setDelay/setDefaultDelays above 30 days fail as MultisigCallFailed(hash, MultisigInvalidDelay)", async function () {
      const { multisig, signers, outsider } = await loadFixture(timelockedMultisig);
      const tooLong = 30 * DAY + 1;
      for (const data of [
        multisig.interface.encodeFunctionData("setDelay", [outsider.address, SELECTOR.none, tooLong, true]),
        multisig.interface.encodeFunctionData("setDefaultDelays", [HOUR, tooLong]),
      ]) {
        const p = await selfDraft(multisig, data);
        await expect(enact(multisig, signers.slice(0, 3), p))
          .to.be.revertedWithCustomError(multisig, "MultisigCallFailed")
          .withArgs(
            await multisig.proposalHash(p),
            multisig.interface.encodeErrorResult("MultisigInvalidDelay", [tooLong, 30 * DAY]),
          );
      }
    });

    it("self-only functions called directly revert with MultisigOnlySelf(caller)", async function () {
      const { multisig, signers, guardian, outsider } = await loadFixture(multisigFixture);
      const calls = [
        (c: typeof outsider) => multisig.connect(c).addSigner(outsider.address, 3),
        (c: typeof outsider) => multisig.connect(c).removeSigner(signers[0].address, 3),
        (c: typeof outsider) => multisig.connect(c).rotateSigner(signers[0].address, outsider.address),
        (c: typeof outsider) => multisig.connect(c).changeThreshold(1),
        (c: typeof outsider) => multisig.connect(c).setDelay(outsider.address, SELECTOR.none, 0, true),
        (c: typeof outsider) => multisig.connect(c).setDefaultDelays(0, 0),
        (c: typeof outsider) => multisig.connect(c).setGuardian(c.address),
        (c: typeof outsider) => multisig.connect(c).setPausables([outsider.address]),
      ];
      for (const caller of [signers[0], guardian, outsider]) {
        for (const call of calls) {
          await expect(call(caller))
            .to.be.revertedWithCustomError(multisig, "MultisigOnlySelf")
            .withArgs(caller.address);
        }
      }
    });
  });
});
