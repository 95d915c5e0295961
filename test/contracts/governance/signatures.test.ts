/** ConsortiumMultisig: signature blobs (ECDSA and ERC-1271), replay protection and on-chain approvals. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  contractEntry,
  contractSignerMultisig,
  domainOf,
  pokeDraft,
  highS,
  multisigFixture,
  type MultisigFixture,
  type Proposal,
  signAll,
  signProposal,
  THRESHOLD,
} from "./helpers";

describe("ConsortiumMultisig", function () {
  describe("signatures", function () {
    it("executes with exactly threshold signatures: Executed(hash, lane, nonce), the call made", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, target, address } = f;
      const p = await pokeDraft(f);
      const hash = await multisig.proposalHash(p);
      const tx = multisig.execute(p, await signAll(multisig, signers.slice(0, THRESHOLD), p));
      await expect(tx).to.emit(multisig, "Executed").withArgs(hash, 0n, 0n);
      await expect(tx).to.emit(target, "Poked").withArgs(address, 0n, 1n);
      expect(await multisig.nonceOf(0n)).to.equal(1n);
      expect(await target.pokes()).to.equal(1n);
    });

    it("accepts the signatures in any order, and more than the threshold", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      const p0 = await pokeDraft(f);
      await expect(multisig.execute(p0, await signAll(multisig, [signers[4], signers[2], signers[0]], p0))).to.emit(
        multisig,
        "Executed",
      );
      const p1 = await pokeDraft(f);
      await expect(multisig.execute(p1, await signAll(multisig, [...signers].reverse(), p1)))
        .to.emit(multisig, "Executed")
        .withArgs(await multisig.proposalHash(p1), 0n, 1n);
    });

    it("refuses fewer signatures than the threshold with MultisigThresholdNotMet(hash, count, 3)", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      const p = await pokeDraft(f);
      const hash = await multisig.proposalHash(p);
      for (const count of [0, 1, 2]) {
        await expect(multisig.execute(p, await signAll(multisig, signers.slice(0, count), p)))
          .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
          .withArgs(hash, count, THRESHOLD);
      }
      expect(await multisig.nonceOf(0n)).to.equal(0n);
    });

    it("refuses a signer appearing twice with MultisigDuplicateSigner(signer)", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers } = f;
      const p = await pokeDraft(f);
      await expect(multisig.execute(p, await signAll(multisig, [signers[1], signers[0], signers[1]], p)))
        .to.be.revertedWithCustomError(multisig, "MultisigDuplicateSigner")
        .withArgs(signers[1].address);
      // Even with enough distinct signers besides the duplicate.
      await expect(multisig.execute(p, await signAll(multisig, [...signers, signers[4]], p)))
        .to.be.revertedWithCustomError(multisig, "MultisigDuplicateSigner")
        .withArgs(signers[4].address);
    });

    it("refuses a non-signer's signature with MultisigNotSigner(its address)", async function () {
      const f = await loadFixture(multisigFixture);
      const { multisig, signers, outsider } = f;
      const p = await pokeDraft(f);
      await expect(multisig.execute(p, await signAll(multisig, [signers[0], outsider, signers[1], signers[2]], p)))
        .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
        .withArgs(outsider.address);
    });

    describe("replay", function () {
      /** Signatures of `signed` submitted for `p`: refused as the unrelated address they recover to. */
      async function expectReplayRefused(f: MultisigFixture, p: Proposal, signatures: string[]): Promise<void> {
        const hash = await f.multisig.proposalHash(p);
        const recovered = ethers.recoverAddress(hash, signatures[0]);
        expect(f.signers.map((s) => s.address)).not.to.include(recovered);
        await expect(f.multisig.execute(p, ethers.concat(signatures)))
          .to.be.revertedWithCustomError(f.multisig, "MultisigNotSigner")
          .withArgs(recovered);
      }

      it("a signature for another chain id recovers to another address", async function () {
        const f = await loadFixture(multisigFixture);
        const p = await pokeDraft(f);
        const domain = await domainOf(f.multisig, { chainId: f.chainId + 1n });
        const sigs = await Promise.all(f.signers.slice(0, 3).map((s) => signProposal(f.multisig, s, p, domain)));
        await expectReplayRefused(f, p, sigs);
      });

      it("a signature for another multisig (same signers) recovers to another address", async function () {
        const f = await loadFixture(multisigFixture);
        const other = await (
          await ethers.getContractFactory("ConsortiumMultisig")
        ).deploy(
          f.signers.map((s) => s.address),
          THRESHOLD,
          0,
          0,
          ethers.ZeroAddress,
          [],
        );
        const p = await pokeDraft(f);
        const sigs = await Promise.all(f.signers.slice(0, 3).map((s) => signProposal(other, s, p)));
        await expectReplayRefused(f, p, sigs);
        // Control: on the contract they were made for, they execute.
        await expect(other.execute(p, ethers.concat(sigs))).to.emit(other, "Executed");
      });

      it("a signature for another lane or another nonce recovers to another address", async function () {
        const f = await loadFixture(multisigFixture);
        const { multisig, signers } = f;
        const p = await pokeDraft(f);
        const onLane1 = { ...p, lane: 1n };
        await expectReplayRefused(
          f,
          p,
          await Promise.all(signers.slice(0, 3).map((s) => signProposal(multisig, s, onLane1))),
        );
        const sigs = await Promise.all(signers.slice(0, 3).map((s) => signProposal(multisig, s, p)));
        await multisig.execute(p, ethers.concat(sigs));
        await expectReplayRefused(f, { ...p, nonce: 1n }, sigs);
      });
    });

    describe("malformed blobs", function () {
      it("refuses a blob shorter than one entry with MultisigInvalidSignature(0)", async function () {
        const f = await loadFixture(multisigFixture);
        const p = await pokeDraft(f);
        const sig = await signProposal(f.multisig, f.signers[0], p);
        for (const blob of ["0x00", ethers.dataSlice(sig, 0, 64)]) {
          await expect(f.multisig.execute(p, blob))
            .to.be.revertedWithCustomError(f.multisig, "MultisigInvalidSignature")
            .withArgs(0);
        }
      });

      it("refuses a length that is not a whole number of entries at the trailing entry's offset", async function () {
        const f = await loadFixture(multisigFixture);
        const p = await pokeDraft(f);
        const three = await signAll(f.multisig, f.signers.slice(0, 3), p);
        await expect(f.multisig.execute(p, ethers.concat([three, "0x" + "11".repeat(10)])))
          .to.be.revertedWithCustomError(f.multisig, "MultisigInvalidSignature")
          .withArgs(195);
        const two = ethers.dataSlice(three, 0, 130);
        await expect(f.multisig.execute(p, ethers.concat([two, ethers.dataSlice(three, 130, 194)])))
          .to.be.revertedWithCustomError(f.multisig, "MultisigInvalidSignature")
          .withArgs(130);
      });

      it("refuses a v other than 27/28 (or 0) and a zero r at the entry's offset", async function () {
        const f = await loadFixture(multisigFixture);
        const p = await pokeDraft(f);
        const [a, b, c] = await Promise.all(f.signers.slice(0, 3).map((s) => signProposal(f.multisig, s, p)));
        const withV = (sig: string, v: number): string =>
          ethers.concat([ethers.dataSlice(sig, 0, 64), ethers.toBeHex(v, 1)]);
        for (const v of [1, 26, 29, 255]) {
          await expect(f.multisig.execute(p, ethers.concat([a, withV(b, v), c])))
            .to.be.revertedWithCustomError(f.multisig, "MultisigInvalidSignature")
            .withArgs(65);
        }
        const zeroR = ethers.concat([ethers.ZeroHash, ethers.dataSlice(c, 32)]);
        await expect(f.multisig.execute(p, ethers.concat([a, b, zeroR])))
          .to.be.revertedWithCustomError(f.multisig, "MultisigInvalidSignature")
          .withArgs(130);
      });

      it("refuses the high-s (malleable) twin of a valid signature with MultisigInvalidSignature(offset)", async function () {
        const f = await loadFixture(multisigFixture);
        const { multisig, signers } = f;
        const p = await pokeDraft(f);
        const [a, b, c] = await Promise.all(signers.slice(0, 3).map((s) => signProposal(multisig, s, p)));
        const twin = highS(c);
        // The twin is a valid secp256k1 signature of the same digest by the same key (the ecrecover
        // precompile, which does not check s, recovers it)...
        const input = ethers.concat([
          await multisig.proposalHash(p),
          ethers.zeroPadValue(ethers.dataSlice(twin, 64), 32),
          ethers.dataSlice(twin, 0, 64),
        ]);
        const recovered = await ethers.provider.call({ to: ethers.toBeHex(1, 20), data: input });
        expect(ethers.getAddress(ethers.dataSlice(recovered, 12))).to.equal(signers[2].address);
        // ...which OpenZeppelin's ECDSA refuses.
        await expect(multisig.execute(p, ethers.concat([a, b, twin])))
          .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
          .withArgs(130);
        await expect(multisig.execute(p, ethers.concat([a, b, c]))).to.emit(multisig, "Executed");
      });
    });

    describe("ERC-1271 contract signers", function () {
      it("accepts an entry r = wallet, s = length, v = 0 followed by its signature, in any position", async function () {
        const f = await loadFixture(contractSignerMultisig);
        const { multisig, signers, wallet } = f;
        const walletAddress = await wallet.getAddress();
        const p = await pokeDraft(f);
        const entry = contractEntry(walletAddress, await signProposal(multisig, signers[4], p));
        const [a, b] = await Promise.all(signers.slice(0, 2).map((s) => signProposal(multisig, s, p)));
        await expect(multisig.execute(p, ethers.concat([a, entry, b])))
          .to.emit(multisig, "Executed")
          .withArgs(await multisig.proposalHash(p), 0n, 0n);
        // The wallet's entry last, after an on-chain approval.
        const p1 = await pokeDraft(f);
        await multisig.connect(signers[3]).approve(await multisig.proposalHash(p1));
        const entry1 = contractEntry(walletAddress, await signProposal(multisig, signers[4], p1));
        await expect(
          multisig.execute(p1, ethers.concat([await signProposal(multisig, signers[0], p1), entry1])),
        ).to.emit(multisig, "Executed");
      });

      it("refuses the entry with MultisigInvalidSignature(offset) when isValidSignature says no", async function () {
        const f = await loadFixture(contractSignerMultisig);
        const { multisig, signers, wallet } = f;
        const p = await pokeDraft(f);
        const [a, b] = await Promise.all(signers.slice(0, 2).map((s) => signProposal(multisig, s, p)));
        const good = contractEntry(await wallet.getAddress(), await signProposal(multisig, signers[4], p));
        // Signed by the wrong key.
        const wrongKey = contractEntry(await wallet.getAddress(), await signProposal(multisig, signers[0], p));
        await expect(multisig.execute(p, ethers.concat([a, b, wrongKey])))
          .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
          .withArgs(130);
        // Right key, but the wallet has been switched off.
        await expect(wallet.connect(signers[4]).setAccepting(false)).to.emit(wallet, "AcceptingSet").withArgs(false);
        await expect(multisig.execute(p, ethers.concat([a, good, b])))
          .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
          .withArgs(65);
      });

      it("refuses an entry whose length runs past the blob, naming an EOA, or repeated", async function () {
        const f = await loadFixture(contractSignerMultisig);
        const { multisig, signers, wallet } = f;
        const walletAddress = await wallet.getAddress();
        const p = await pokeDraft(f);
        const [a, b] = await Promise.all(signers.slice(0, 2).map((s) => signProposal(multisig, s, p)));
        const inner = await signProposal(multisig, signers[4], p);
        const entry = contractEntry(walletAddress, inner);
        const truncated = ethers.dataSlice(entry, 0, ethers.dataLength(entry) - 1);
        await expect(multisig.execute(p, ethers.concat([a, b, truncated])))
          .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
          .withArgs(130);
        // A contract entry naming an EOA signer: its (empty) ERC-1271 answer is not the magic value.
        const eoaEntry = contractEntry(signers[0].address, await signProposal(multisig, signers[0], p));
        await expect(multisig.execute(p, ethers.concat([eoaEntry, a, b])))
          .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
          .withArgs(0);
        await expect(multisig.execute(p, ethers.concat([entry, a, entry])))
          .to.be.revertedWithCustomError(multisig, "MultisigDuplicateSigner")
          .withArgs(walletAddress);
      });

      it("requires the upper 96 bits of r to be zero (MultisigInvalidSignature(offset)); a second entry is a duplicate", async function () {
        const f = await loadFixture(contractSignerMultisig);
        const { multisig, signers, wallet } = f;
        const walletAddress = await wallet.getAddress();
        const p = await pokeDraft(f);
        const entry = contractEntry(walletAddress, await signProposal(multisig, signers[4], p));
        const two = await signAll(multisig, signers.slice(0, 2), p);
        // Any non-zero bit among the 12 upper bytes of r, from the highest to the lowest, is refused.
        for (const upper of [
          "0xdeadbeefdeadbeefdeadbeef",
          "0x800000000000000000000000",
          "0x000000000000000000000001",
        ]) {
          const dirty = ethers.concat([upper, ethers.dataSlice(entry, 12)]);
          await expect(multisig.execute(p, ethers.concat([two, dirty])))
            .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
            .withArgs(130);
          await expect(multisig.execute(p, ethers.concat([dirty, two])))
            .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
            .withArgs(0);
          // Checked before anything else about the entry: even after a clean entry of the same wallet.
          await expect(multisig.execute(p, ethers.concat([two, entry, dirty])))
            .to.be.revertedWithCustomError(multisig, "MultisigInvalidSignature")
            .withArgs(130 + ethers.dataLength(entry));
        }
        await expect(multisig.execute(p, ethers.concat([two, entry, entry])))
          .to.be.revertedWithCustomError(multisig, "MultisigDuplicateSigner")
          .withArgs(walletAddress);
        await expect(multisig.execute(p, ethers.concat([two, entry])))
          .to.emit(multisig, "Executed")
          .withArgs(await multisig.proposalHash(p), 0n, 0n);
      });

      it("refuses a valid ERC-1271 wallet that is not a signer with MultisigNotSigner(wallet)", async function () {
        const f = await loadFixture(contractSignerMultisig);
        const { multisig, signers, outsider } = f;
        const stranger = await (await ethers.getContractFactory("MockERC1271Signer")).deploy(outsider.address);
        const p = await pokeDraft(f);
        const entry = contractEntry(await stranger.getAddress(), await signProposal(multisig, outsider, p));
        await expect(multisig.execute(p, ethers.concat([await signAll(multisig, signers.slice(0, 2), p), entry])))
          .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
          .withArgs(await stranger.getAddress());
      });
    });

    describe("on-chain approvals", function () {
      it("approve emits Approved(hash, signer, epoch) and approvalsOf lists approvers in slot order", async function () {
        const { multisig, signers } = await loadFixture(multisigFixture);
        const hash = ethers.id("any proposal");
        await expect(multisig.connect(signers[3]).approve(hash))
          .to.emit(multisig, "Approved")
          .withArgs(hash, signers[3].address, 0);
        await multisig.connect(signers[1]).approve(hash);
        expect(await multisig.approvalsOf(hash)).to.deep.equal([signers[1].address, signers[3].address]);
        expect(await multisig.approvalsOf(ethers.id("another proposal"))).to.deep.equal([]);
      });

      it("refuses a non-signer with MultisigNotSigner and a second approval with MultisigAlreadyApproved", async function () {
        const { multisig, signers, outsider, guardian } = await loadFixture(multisigFixture);
        const hash = ethers.id("any proposal");
        for (const caller of [outsider, guardian]) {
          await expect(multisig.connect(caller).approve(hash))
            .to.be.revertedWithCustomError(multisig, "MultisigNotSigner")
            .withArgs(caller.address);
        }
        await multisig.connect(signers[0]).approve(hash);
        await expect(multisig.connect(signers[0]).approve(hash))
          .to.be.revertedWithCustomError(multisig, "MultisigAlreadyApproved")
          .withArgs(hash, signers[0].address);
        expect(await multisig.approvalsOf(hash)).to.deep.equal([signers[0].address]);
      });

      it("executes on approvals alone, and on approvals mixed with offline signatures", async function () {
        const f = await loadFixture(multisigFixture);
        const { multisig, signers } = f;
        const p0 = await pokeDraft(f);
        const h0 = await multisig.proposalHash(p0);
        for (const s of signers.slice(2)) await multisig.connect(s).approve(h0);
        await expect(multisig.execute(p0, "0x")).to.emit(multisig, "Executed").withArgs(h0, 0n, 0n);

        const p1 = await pokeDraft(f);
        const h1 = await multisig.proposalHash(p1);
        await multisig.connect(signers[4]).approve(h1);
        await expect(multisig.execute(p1, await signAll(multisig, [signers[1], signers[0]], p1)))
          .to.emit(multisig, "Executed")
          .withArgs(h1, 0n, 1n);
      });

      it("counts a signer who both approved and signed once", async function () {
        const f = await loadFixture(multisigFixture);
        const { multisig, signers } = f;
        const p = await pokeDraft(f);
        const hash = await multisig.proposalHash(p);
        await multisig.connect(signers[0]).approve(hash);
        await multisig.connect(signers[1]).approve(hash);
        await expect(multisig.execute(p, await signAll(multisig, [signers[0], signers[1]], p)))
          .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
          .withArgs(hash, 2, THRESHOLD);
        await expect(multisig.execute(p, await signAll(multisig, [signers[1]], p)))
          .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
          .withArgs(hash, 2, THRESHOLD);
        await expect(multisig.execute(p, await signAll(multisig, [signers[0], signers[2]], p))).to.emit(
          multisig,
          "Executed",
        );
      });

      it("approvals of one proposal do not count for another", async function () {
        const f = await loadFixture(multisigFixture);
        const { multisig, signers } = f;
        const p = await pokeDraft(f);
        const other = { ...p, value: 1n };
        for (const s of signers.slice(0, 3)) await multisig.connect(s).approve(await multisig.proposalHash(other));
        await expect(multisig.execute(p, "0x"))
          .to.be.revertedWithCustomError(multisig, "MultisigThresholdNotMet")
          .withArgs(await multisig.proposalHash(p), 0, THRESHOLD);
      });
    });
  });
});
