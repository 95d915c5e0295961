import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { SettlementLedger } from "../../../typechain-types";
import {
  admitBank,
  deploySettlement,
  makeBatch,
  mined,
  passWindows,
  SANCTION_CODE,
  Status,
  submit,
  type Batch,
  type SettlementFixture,
} from "./helpers";

const REASON = 3;
const DISPUTE_TYPES = {
  Dispute: [
    { name: "batchId", type: "bytes32" },
    { name: "reasonCode", type: "uint16" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The ledger's EIP-712 domain. */
async function domainOf(ledger: SettlementLedger) {
  return {
    name: "Clearhouse SettlementLedger",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await ledger.getAddress(),
  };
}

/** `signer`'s EIP-712 signature of a dispute of `batchId`. */
async function signDispute(
  ledger: SettlementLedger,
  signer: Pick<HardhatEthersSigner, "signTypedData">,
  batchId: string,
  reasonCode: number,
  deadline: bigint,
): Promise<string> {
  return signer.signTypedData(await domainOf(ledger), DISPUTE_TYPES, { batchId, reasonCode, deadline });
}

interface Anchored extends SettlementFixture {
  batch: Batch;
  id: string;
  deadline: bigint;
}

/** Bank 0 (A) anchored a batch paying bank 1 (B) 1 cent and bank 2 some more. */
async function anchored(): Promise<Anchored> {
  const f = await deploySettlement();
  const [a, b, c] = f.banks;
  const batch = await makeBatch(f.ledger, "one cent", [
    [b.address, 1n],
    [c.address, 500n],
  ]);
  const id = await submit(f.ledger, a, batch);
  return { ...f, batch, id, deadline: batch.header.closesAt };
}

describe("SettlementLedger: a barred counterparty's silence (finding) and signed disputes", function () {
  it("the finding: B suspended for the whole window cannot send a dispute and the batch becomes final", async function () {
    const f = await loadFixture(anchored);
    const { ledger, registry, banks, batch } = f;
    await mined(registry.suspendMember(banks[1].address));
    // Besu's account permissioning drops every transaction of a suspended sender: B's dispute
    // never reaches the ledger, whatever the ledger would say of it.
    const data = ledger.interface.encodeFunctionData("dispute", [f.id, batch.header, REASON]);
    expect(
      await registry.transactionAllowed(banks[1].address, await ledger.getAddress(), 0, 0, 100_000, data),
    ).to.equal(false);
    await passWindows(batch);
    expect(await ledger.statusOf(f.id, batch.header)).to.equal(Status.Final);
  });

  it("fixed: B's signed dispute, relayed by the operator, stops the batch (Disputed after the window)", async function () {
    const f = await loadFixture(anchored);
    const { ledger, registry, banks, batch, operator, id, deadline } = f;
    await mined(registry.suspendMember(banks[1].address));
    const signature = await signDispute(ledger, banks[1], id, REASON, deadline);
    await expect(
      ledger.connect(operator).disputeBySignature(id, batch.header, REASON, banks[1].address, deadline, signature),
    )
      .to.emit(ledger, "BatchDisputed")
      .withArgs(id, banks[1].address, REASON);
    // The signature is spent with the dispute: a replay finds the batch Disputed.
    await expect(
      ledger.connect(operator).disputeBySignature(id, batch.header, REASON, banks[1].address, deadline, signature),
    )
      .to.be.revertedWithCustomError(ledger, "LedgerWrongStatus")
      .withArgs(id, Status.Disputed);
    await passWindows(batch);
    expect(await ledger.statusOf(id, batch.header)).to.equal(Status.Disputed);
  });

  it("disputeDigest is the EIP-712 hash of Dispute(batchId, reasonCode, deadline) in the ledger's domain", async function () {
    const { ledger, id, deadline } = await loadFixture(anchored);
    const expected = ethers.TypedDataEncoder.hash(await domainOf(ledger), DISPUTE_TYPES, {
      batchId: id,
      reasonCode: REASON,
      deadline,
    });
    expect(await ledger.disputeDigest(id, REASON, deadline)).to.equal(expected);
    const [, name, version, chainId, verifyingContract] = await ledger.eip712Domain();
    expect([name, version, chainId, verifyingContract]).to.deep.equal(Object.values(await domainOf(ledger)));
  });

  it("refuses an expired deadline, another signer's or a tampered signature, reason 0 and a paused ledger", async function () {
    const f = await loadFixture(anchored);
    const { ledger, banks, batch, id, operator } = f;
    const late = BigInt(await time.latest());
    const expired = await signDispute(ledger, banks[1], id, REASON, late);
    await expect(ledger.disputeBySignature(id, batch.header, REASON, banks[1].address, late, expired))
      .to.be.revertedWithCustomError(ledger, "LedgerSignatureExpired")
      .withArgs(late);
    const byC = await signDispute(ledger, banks[2], id, REASON, f.deadline);
    await expect(ledger.disputeBySignature(id, batch.header, REASON, banks[1].address, f.deadline, byC))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidSignature")
      .withArgs(banks[1].address);
    const byB = await signDispute(ledger, banks[1], id, REASON, f.deadline);
    await expect(ledger.disputeBySignature(id, batch.header, REASON + 1, banks[1].address, f.deadline, byB))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidSignature")
      .withArgs(banks[1].address);
    await expect(ledger.disputeBySignature(id, batch.header, REASON, banks[1].address, f.deadline + 1n, byB))
      .to.be.revertedWithCustomError(ledger, "LedgerInvalidSignature")
      .withArgs(banks[1].address);
    const zero = await signDispute(ledger, banks[1], id, 0, f.deadline);
    await expect(
      ledger.disputeBySignature(id, batch.header, 0, banks[1].address, f.deadline, zero),
    ).to.be.revertedWithCustomError(ledger, "LedgerInvalidReason");
    await mined(ledger.pause());
    await expect(
      ledger.connect(operator).disputeBySignature(id, batch.header, REASON, banks[1].address, f.deadline, byB),
    ).to.be.revertedWithCustomError(ledger, "EnforcedPause");
  });

  it("refuses a sanctioned or removed signer, a non-counterparty, an acknowledged one and a closed window", async function () {
    const f = await loadFixture(anchored);
    const { ledger, registry, banks, batch, id } = f;
    const deadline = batch.header.closesAt + 3_600n; // past the window: the window's own error shows
    const relay = async (signer: HardhatEthersSigner) =>
      ledger.disputeBySignature(
        id,
        batch.header,
        REASON,
        signer.address,
        deadline,
        await signDispute(ledger, signer, id, REASON, deadline),
      );
    await expect(relay(banks[3]))
      .to.be.revertedWithCustomError(ledger, "LedgerNotCounterparty")
      .withArgs(id, banks[3].address);
    await mined(ledger.connect(banks[2]).acknowledge(id, batch.header));
    await expect(relay(banks[2]))
      .to.be.revertedWithCustomError(ledger, "LedgerAlreadyAnswered")
      .withArgs(id, banks[2].address);
    await mined(registry.addSanction(banks[1].address, SANCTION_CODE));
    await expect(relay(banks[1]))
      .to.be.revertedWithCustomError(registry, "RegistryAccountSanctioned")
      .withArgs(banks[1].address, SANCTION_CODE);
    await mined(registry.removeSanction(banks[1].address, SANCTION_CODE));
    const removed = await mined(registry.removeMember(banks[1].address));
    await expect(relay(banks[1]))
      .to.be.revertedWithCustomError(registry, "RegistryMemberRemoved")
      .withArgs(banks[1].address, removed.blockNumber);
    await mined(registry.admitMember(banks[1].address, 4, ethers.id("corp"), "Now corporate", 1n, 1n));
    await expect(relay(banks[1]))
      .to.be.revertedWithCustomError(registry, "RegistryMissingRole")
      .withArgs(banks[1].address, 2);
    await mined(registry.setRoles(banks[1].address, 2));
    await passWindows(batch);
    await expect(relay(banks[1]))
      .to.be.revertedWithCustomError(ledger, "LedgerWindowClosed")
      .withArgs(id, batch.header.closesAt);
  });

  it("accepts an ERC-1271 (contract wallet) bank's signature", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const key = ethers.Wallet.createRandom();
    const wallet = await (await ethers.getContractFactory("MockERC1271Signer")).deploy(key.address);
    const walletAddress = await wallet.getAddress();
    await admitBank(f, walletAddress, "Wallet Bank");
    await network.provider.request({ method: "hardhat_impersonateAccount", params: [walletAddress] });
    await setBalance(walletAddress, ethers.parseEther("1"));
    await mined(ledger.connect(await ethers.getSigner(walletAddress)).enroll());
    const batch = await makeBatch(ledger, "to wallet", [[walletAddress, 10n]]);
    const id = await submit(ledger, banks[0], batch);
    const deadline = batch.header.closesAt;
    const signature = await signDispute(ledger, key, id, REASON, deadline);
    await expect(ledger.disputeBySignature(id, batch.header, REASON, walletAddress, deadline, signature))
      .to.emit(ledger, "BatchDisputed")
      .withArgs(id, walletAddress, REASON);
  });
});

describe("SettlementLedger: verifyRecord (inclusion by the record's fields)", function () {
  it("an internal node passes verifyInclusion as a leaf (finding); verifyRecord takes only records", async function () {
    const f = await loadFixture(deploySettlement);
    const { ledger, banks } = f;
    const types = ["uint256", "address", "address", "uint64", "uint256", "uint256", "uint256", "uint256"];
    const values = Array.from({ length: 4 }, (_, i) => [
      BigInt(ethers.id(`payment ${i}`)) >> 8n,
      banks[0].address,
      banks[1].address,
      20_000n + BigInt(i),
      1_000n * BigInt(i + 1),
      BigInt(i),
      BigInt(ethers.id(`ref ${i}`)),
      0n,
    ]);
    const tree = StandardMerkleTree.of(values, types);
    const batch = await makeBatch(ledger, "four", [[banks[1].address, 10_000n]], {
      root: tree.root,
      entryCount: 4n,
    });
    const id = await submit(ledger, banks[0], batch);
    for (const [i, v] of tree.entries()) {
      const words = v.map((x) => BigInt(x as string | bigint));
      expect(await ledger.verifyRecord(id, batch.header, words, tree.getProof(i))).to.equal(true);
      const tampered = [...words];
      tampered[4] += 1n;
      expect(await ledger.verifyRecord(id, batch.header, tampered, tree.getProof(i))).to.equal(false);
    }
    // Tree of 4 leaves: tree[0] root, tree[1], tree[2] internal nodes, tree[3..6] leaves.
    const dump = tree.dump().tree;
    const internal = dump[1];
    const sibling = dump[2];
    expect(await ledger.verifyInclusion(id, batch.header, internal, [sibling])).to.equal(true);
    // The internal node's two children as a "record" (the nearest a forger gets): not a leaf.
    const children = [BigInt(dump[3]), BigInt(dump[4]), 0n, 0n, 0n, 0n, 0n, 0n];
    expect(await ledger.verifyRecord(id, batch.header, children, [sibling])).to.equal(false);
    expect(await ledger.leafOf(children)).not.to.equal(internal);
    const other = { ...batch.header, root: ethers.id("forged") };
    await expect(ledger.verifyRecord(id, other, children, [sibling])).to.be.revertedWithCustomError(
      ledger,
      "LedgerHeaderMismatch",
    );
  });
});
