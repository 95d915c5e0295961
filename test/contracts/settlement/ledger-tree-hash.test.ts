/**
 * SettlementLedger's tree hash (decision 046): the governed ledger-wide setting, recorded per batch
 * in its anchor word at submission, and inclusion checks with the batch's own hash — SM3 batches
 * through `SM3MerkleVerifier`, keccak256 batches through OpenZeppelin's MerkleProof as before.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { buildBatchTree } from "../../../packages/sdk/src/settlement";
import { makeBatch, mined, Status, submit } from "./helpers";

import { payments, TreeHash, withVerifier, words } from "./treeHashFixture";

describe("SettlementLedger: tree hash (keccak256 | SM3, decision 046)", function () {
  it("defaults to keccak256: no BatchTreeHash event, treeHashOf Keccak256, keccak proofs verify", async function () {
    const f = await loadFixture(withVerifier);
    const { ledger, banks } = f;
    expect(await ledger.treeHash()).to.equal(TreeHash.Keccak256);
    const rs = payments(banks[0].address, banks[1].address, "K");
    const tree = buildBatchTree(rs);
    const batch = await makeBatch(ledger, "k", [[banks[1].address, 406n]], { root: tree.root, entryCount: 4n });
    const tx = ledger.connect(banks[0]).submitBatch(batch.key, batch.header);
    await expect(tx).to.not.emit(ledger, "BatchTreeHash");
    const id = await ledger.batchIdOf(banks[0].address, batch.key);
    expect(await ledger.treeHashOf(id)).to.equal(TreeHash.Keccak256);
    expect(await ledger.verifyRecord(id, batch.header, words(rs[2]), tree.proof(2))).to.equal(true);
  });

  it("governance sets SM3 with a verifier; SM3 batches are recorded, verified with SM3, and keep their hash", async function () {
    const f = await loadFixture(withVerifier);
    const { ledger, banks, operator, verifier } = f;
    await expect(ledger.setTreeHash(TreeHash.SM3, verifier))
      .to.emit(ledger, "TreeHashSet")
      .withArgs(TreeHash.SM3, verifier);
    expect(await ledger.treeHash()).to.equal(TreeHash.SM3);

    const rs = payments(banks[0].address, banks[1].address, "S");
    const tree = buildBatchTree(rs, { treeHash: "sm3" });
    const batch = await makeBatch(ledger, "s", [[banks[1].address, 406n]], { root: tree.root, entryCount: 4n });
    const id = await ledger.batchIdOf(banks[0].address, batch.key);
    await expect(ledger.connect(banks[0]).submitBatch(batch.key, batch.header))
      .to.emit(ledger, "BatchTreeHash")
      .withArgs(id, TreeHash.SM3);
    expect(await ledger.treeHashOf(id)).to.equal(TreeHash.SM3);
    const [, stored] = await ledger.anchorOf(id);
    expect(stored).to.equal(Status.Submitted);
    for (let i = 0; i < rs.length; i++) {
      expect(await ledger.verifyRecord(id, batch.header, words(rs[i]), tree.proof(i))).to.equal(true);
      expect(await ledger.verifyInclusion(id, batch.header, tree.leafHash(i), tree.proof(i))).to.equal(true);
    }
    const tampered = words(rs[0]);
    tampered[3] += 1n;
    expect(await ledger.verifyRecord(id, batch.header, tampered, tree.proof(0))).to.equal(false);
    // The keccak tree of the same records is not this batch's tree.
    const keccakTree = buildBatchTree(rs);
    expect(await ledger.verifyInclusion(id, batch.header, keccakTree.leafHash(0), keccakTree.proof(0))).to.equal(false);

    // A retry is a no-op, without a second event.
    await expect(ledger.connect(banks[0]).submitBatch(batch.key, batch.header)).to.not.emit(ledger, "BatchTreeHash");

    // Status changes keep the tree flag: disputed, then the dispute dismissed (Final).
    await mined(ledger.connect(banks[1]).dispute(id, batch.header, 3));
    expect((await ledger.anchorOf(id))[1]).to.equal(Status.Disputed);
    expect(await ledger.treeHashOf(id)).to.equal(TreeHash.SM3);
    await mined(ledger.connect(operator).resolveDispute(id, false));
    expect((await ledger.anchorOf(id))[1]).to.equal(Status.Final);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Final);
    expect(await ledger.treeHashOf(id)).to.equal(TreeHash.SM3);
    expect(await ledger.verifyRecord(id, batch.header, words(rs[1]), tree.proof(1))).to.equal(true);

    // Back to keccak256 (zero keeps the verifier): new batches are keccak, the SM3 batch still verifies.
    await expect(ledger.setTreeHash(TreeHash.Keccak256, ethers.ZeroAddress))
      .to.emit(ledger, "TreeHashSet")
      .withArgs(TreeHash.Keccak256, ethers.ZeroAddress);
    const later = await makeBatch(ledger, "k2", [[banks[1].address, 5n]]);
    const laterId = await submit(ledger, banks[0], later);
    expect(await ledger.treeHashOf(laterId)).to.equal(TreeHash.Keccak256);
    expect(await ledger.verifyRecord(id, batch.header, words(rs[3]), tree.proof(3))).to.equal(true);
  });

  it("refuses SM3 without a verifier contract, a non-contract verifier, and a non-owner", async function () {
    const f = await loadFixture(withVerifier);
    const { ledger, banks } = f;
    await expect(ledger.setTreeHash(TreeHash.SM3, ethers.ZeroAddress))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidTreeVerifier")
      .withArgs(ethers.ZeroAddress);
    await expect(ledger.setTreeHash(TreeHash.SM3, banks[2].address))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidTreeVerifier")
      .withArgs(banks[2].address);
    await expect(ledger.setTreeHash(TreeHash.Keccak256, banks[2].address))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidTreeVerifier")
      .withArgs(banks[2].address);
    await expect(ledger.connect(banks[0]).setTreeHash(TreeHash.SM3, f.verifier))
      .to.be.revertedWithCustomError(ledger, "OwnableUnauthorizedAccount")
      .withArgs(banks[0].address);
    await expect(ledger.setTreeHash(2, f.verifier)).to.be.reverted; // not a TreeHash: ABI decoding refuses it
    expect(await ledger.treeHash()).to.equal(TreeHash.Keccak256);
  });

  it("treeHashOf an unknown batch reverts LedgerUnknownBatch", async function () {
    const { ledger } = await loadFixture(withVerifier);
    const unknown = ethers.id("nothing");
    await expect(ledger.treeHashOf(unknown))
      .to.be.revertedWithCustomError(ledger, "LedgerUnknownBatch")
      .withArgs(unknown);
  });
});
