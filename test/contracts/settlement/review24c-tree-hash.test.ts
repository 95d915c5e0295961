/**
 * Review 24c (attacker review of decision 046): the ledger's SM3 tree hash, each finding's scenario
 * with the behaviour after its fix or the rule documented for it (docs/crypto.md).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { buildBatchTree } from "../../../packages/sdk/src/settlement";
import { makeBatch, Status } from "./helpers";

import { payments, TreeHash, withVerifier, words } from "./treeHashFixture";

describe("review24c: SettlementLedger tree hash (attacker findings)", function () {
  it("the status bit never leaks: a Disputed SM3 batch reads Disputed in anchorOf and statusOf", async function () {
    const { ledger, banks, verifier } = await loadFixture(withVerifier);
    await ledger.setTreeHash(TreeHash.SM3, verifier);
    const rs = payments(banks[0].address, banks[1].address, "D");
    const tree = buildBatchTree(rs, { treeHash: "sm3" });
    const batch = await makeBatch(ledger, "d", [[banks[1].address, 406n]], { root: tree.root, entryCount: 4n });
    await (await ledger.connect(banks[0]).submitBatch(batch.key, batch.header)).wait();
    const id = await ledger.batchIdOf(banks[0].address, batch.key);
    expect((await ledger.anchorOf(id))[1]).to.equal(Status.Submitted);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Submitted);
    await (await ledger.connect(banks[1]).dispute(id, batch.header, 3)).wait();
    expect((await ledger.anchorOf(id))[1]).to.equal(Status.Disputed);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Disputed);
    expect(await ledger.treeHashOf(id)).to.equal(TreeHash.SM3);
  });

  // F3 (documented in docs/crypto.md and the NatSpec): switching back to SM3 names the verifier again.
  it("setTreeHash(SM3, 0) is refused even after a verifier was set: name it again", async function () {
    const { ledger, verifier } = await loadFixture(withVerifier);
    await ledger.setTreeHash(TreeHash.SM3, verifier);
    await ledger.setTreeHash(TreeHash.Keccak256, ethers.ZeroAddress);
    await expect(ledger.setTreeHash(TreeHash.SM3, ethers.ZeroAddress))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidTreeVerifier")
      .withArgs(ethers.ZeroAddress);
    await expect(ledger.setTreeHash(TreeHash.SM3, verifier)).to.emit(ledger, "TreeHashSet");
    expect(await ledger.treeHash()).to.equal(TreeHash.SM3);
  });

  // F1 (documented residual, docs/crypto.md): the ledger records its setting at submission; a batch
  // that lands right after a switch is recorded under the new hash, which treeHashOf (and the
  // BatchTreeHash event the audit's batch-file check reads) reports. The SDK's submitBatch refuses a
  // mismatch before sending (test/cli/natcrypto.test.ts).
  it("a batch landing after a switch is recorded under the new hash, and says so", async function () {
    const { ledger, banks, verifier } = await loadFixture(withVerifier);
    const rs = payments(banks[0].address, banks[1].address, "R");
    const tree = buildBatchTree(rs); // built while the ledger anchors keccak256 trees
    const batch = await makeBatch(ledger, "r", [[banks[1].address, 406n]], { root: tree.root, entryCount: 4n });
    await ledger.setTreeHash(TreeHash.SM3, verifier);
    const id = await ledger.batchIdOf(banks[0].address, batch.key);
    await expect(ledger.connect(banks[0]).submitBatch(batch.key, batch.header))
      .to.emit(ledger, "BatchTreeHash")
      .withArgs(id, TreeHash.SM3);
    expect(await ledger.treeHashOf(id)).to.equal(TreeHash.SM3);
    expect(await ledger.verifyRecord(id, batch.header, words(rs[0]), tree.proof(0))).to.equal(false);
  });
});
