/**
 * The worked test vectors of docs/spec/batch-header.md, computed here and checked against the doc
 * (every `name = value` line of its ```vectors blocks) and against the ledger itself, so the spec
 * stays true. `SPEC_PRINT=1` prints the computed values.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySettlement, totalsCommitment } from "./helpers";

const coder = ethers.AbiCoder.defaultAbiCoder();
const HEADER_TYPE = "tuple(bytes32,uint32,uint128,bytes32,bytes32,uint256,uint40)";
/** Hardhat's well-known account #0 key (public test key, never used outside test chains). */
const SIGNER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SUBMITTER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const CP1 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const CP2 = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

const header = {
  root: ethers.id("root"),
  entryCount: 2n,
  grossTotal: 1_000_000n,
  totalsCommitment: totalsCommitment([CP1, CP2], [400_000n, 600_000n]),
  metadataDigest: ethers.id("metadata"),
  counterpartyMask: (1n << 255n) | (1n << 1n),
  closesAt: 1_767_225_600n, // 2026-01-01T00:00:00Z
};
const tuple = (h: typeof header) => [
  [h.root, h.entryCount, h.grossTotal, h.totalsCommitment, h.metadataDigest, h.counterpartyMask, h.closesAt],
];
const record = [
  BigInt(ethers.id("PAY-0001")) >> 8n,
  BigInt(SUBMITTER),
  BigInt(CP1),
  400_000n,
  (((0x45n << 16n) | (0x55n << 8n) | 0x52n) << 32n) | 20_454n, // "EUR", 2026-01-01
  BigInt(ethers.id("E2E-0001")) >> 8n,
  BigInt(ethers.id("IBAN:DE89370400440532013000")) >> 8n, // accountHash (docs/spec/batch-encoding.md)
  BigInt(ethers.id("IBAN:FR1420041010050500013M02606")) >> 8n,
];
const domain = {
  name: "Clearhouse SettlementLedger",
  version: "1",
  chainId: 31337n,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
};
const DISPUTE_TYPES = {
  Dispute: [
    { name: "batchId", type: "bytes32" },
    { name: "reasonCode", type: "uint16" },
    { name: "deadline", type: "uint256" },
  ],
};

function vectors(): Record<string, string> {
  const encoded = coder.encode([HEADER_TYPE], tuple(header));
  const digest = ethers.keccak256(encoded);
  const small = { ...header, counterpartyMask: 0b110n };
  const smallAsUint32 = coder.encode(["tuple(bytes32,uint32,uint128,bytes32,bytes32,uint32,uint40)"], tuple(small));
  const batchId = ethers.keccak256(
    coder.encode(["address", "bytes32"], [SUBMITTER, ethers.encodeBytes32String("2026-01-01-A")]),
  );
  const dispute = { batchId, reasonCode: 2, deadline: header.closesAt };
  const wallet = new ethers.Wallet(SIGNER_KEY);
  return {
    "header.totalsCommitment": header.totalsCommitment,
    "header.encoded": encoded,
    "header.digest": digest,
    "header.digest(mask 0b110)": ethers.keccak256(coder.encode([HEADER_TYPE], tuple(small))),
    "header.digest(mask 0b110, uint32 layout)": ethers.keccak256(smallAsUint32),
    "anchor.submitted": ethers.toBeHex((BigInt(digest) & ~0xffn) | 1n, 32),
    "record.encoded": coder.encode(["uint256[8]"], [record]),
    "record.leaf": ethers.keccak256(ethers.keccak256(coder.encode(["uint256[8]"], [record]))),
    "dispute.batchId": batchId,
    "dispute.typeHash": ethers.id("Dispute(bytes32 batchId,uint16 reasonCode,uint256 deadline)"),
    "dispute.domainSeparator": ethers.TypedDataEncoder.hashDomain(domain),
    "dispute.structHash": ethers.TypedDataEncoder.from(DISPUTE_TYPES).hash(dispute),
    "dispute.digest": ethers.TypedDataEncoder.hash(domain, DISPUTE_TYPES, dispute),
    "dispute.signer": wallet.address,
    "dispute.signature": wallet.signingKey.sign(ethers.TypedDataEncoder.hash(domain, DISPUTE_TYPES, dispute))
      .serialized,
  };
}

/** `name = value` lines of the doc's ```vectors blocks. */
function documented(): Map<string, string> {
  const doc = readFileSync(join(__dirname, "..", "..", "..", "docs", "spec", "batch-header.md"), "utf8");
  const out = new Map<string, string>();
  for (const block of doc.matchAll(/```vectors\n([\s\S]*?)```/g)) {
    let last = "";
    for (const line of block[1].split("\n")) {
      const m = /^(\S.*?) = (0x[0-9a-fA-F]*)$/.exec(line.trim());
      if (m) out.set((last = m[1]), m[2]);
      else if (last && /^[0-9a-fA-F]+$/.test(line.trim())) out.set(last, out.get(last)! + line.trim());
    }
  }
  return out;
}

describe("docs/spec/batch-header.md: worked test vectors", function () {
  it("every vector in the doc is the value computed here", function () {
    const computed = vectors();
    if (process.env.SPEC_PRINT) for (const [k, v] of Object.entries(computed)) console.log(`${k} = ${v}`);
    const doc = documented();
    for (const [name, value] of Object.entries(computed)) expect(doc.get(name), name).to.equal(value);
    expect([...doc.keys()].sort()).to.deep.equal(Object.keys(computed).sort());
    expect(computed["header.digest(mask 0b110)"]).to.equal(computed["header.digest(mask 0b110, uint32 layout)"]);
  });

  it("the ledger computes the same digest, leaf and dispute type hash", async function () {
    const { ledger } = await loadFixture(deploySettlement);
    const computed = vectors();
    expect(await ledger.digestOf(header)).to.equal(computed["header.digest"]);
    expect(await ledger.leafOf(record)).to.equal(computed["record.leaf"]);
    // The same typed data under the deployed ledger's own domain.
    const { chainId } = await ethers.provider.getNetwork();
    const own = { ...domain, chainId, verifyingContract: await ledger.getAddress() };
    const dispute = { batchId: computed["dispute.batchId"], reasonCode: 2, deadline: header.closesAt };
    expect(await ledger.disputeDigest(dispute.batchId, 2, dispute.deadline)).to.equal(
      ethers.TypedDataEncoder.hash(own, DISPUTE_TYPES, dispute),
    );
    expect(ethers.recoverAddress(computed["dispute.digest"], computed["dispute.signature"])).to.equal(
      computed["dispute.signer"],
    );
  });
});
