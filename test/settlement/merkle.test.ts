import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { bytesToHex, getAddress, keccak256, stringToHex, toHex, type Address, type Hex } from "viem";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import {
  buildBatchTree,
  leafOf,
  leavesOf,
  poseidonLeaf,
  rootOfLeaves,
  verifyInclusion,
} from "../../packages/sdk/src/settlement/merkle";
import {
  encodeRecord,
  MAX_AMOUNT,
  RECORD_LEAF_TYPES,
  type PaymentRecord,
} from "../../packages/sdk/src/settlement/record";
import type { MerkleProofHarness } from "../../typechain-types";

const TYPES = [...RECORD_LEAF_TYPES];
const BANKS: Address[] = [1, 2, 3, 4, 5].map((i) => getAddress(keccak256(toHex(`bank-${i}`)).slice(0, 42)));
const BN254 = 21888242871839275222246405745257275088548364400416922968509481422612552275617n;

/** A deterministic record per index. */
function record(i: number): PaymentRecord {
  return {
    paymentId: `PAY-${i}`,
    debtorBank: BANKS[i % 2],
    creditorBank: BANKS[2 + (i % 3)],
    amount: (BigInt(i) * 7_919n + 1n) * 1_000_003n,
    currency: "EUR",
    valueDate: `2026-11-${String(1 + (i % 28)).padStart(2, "0")}`,
    endToEndId: `E2E-${i}`,
    debtorAccountHash: keccak256(stringToHex(`DE00 debtor ${i}`)),
    creditorAccountHash: keccak256(stringToHex(`FR00 creditor ${i}`)),
  };
}
const records = (n: number): PaymentRecord[] => Array.from({ length: n }, (_, i) => record(i));

/** The record as OpenZeppelin's encoder takes it: encodeRecord's words, addresses as hex. */
function ozValue(r: PaymentRecord): (bigint | string)[] {
  const w = encodeRecord(r);
  return [w[0], toHex(w[1], { size: 20 }), toHex(w[2], { size: 20 }), w[3], w[4], w[5], w[6], w[7]];
}
const ozTree = (rs: readonly PaymentRecord[]) => StandardMerkleTree.of(rs.map(ozValue), TYPES);

/** Flip the last bit of a 32-byte hex value. */
const flip = (h: Hex): Hex => `${h.slice(0, 65)}${(parseInt(h.slice(65), 16) ^ 1).toString(16)}` as Hex;

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(bytesToHex(b)));
const printable = (max: number) =>
  fc.string({
    minLength: 1,
    maxLength: max,
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  });
const arbRecord: fc.Arbitrary<PaymentRecord> = fc.record({
  paymentId: printable(35),
  debtorBank: address,
  creditorBank: address,
  amount: fc.bigInt({ min: 1n, max: MAX_AMOUNT }),
  currency: fc.stringMatching(/^[A-Z]{3}$/),
  valueDate: fc
    .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  // Any text (multi-byte UTF-8, over one keccak block): the encoding hashes whatever it is given.
  endToEndId: fc.oneof(printable(35), fc.string({ minLength: 1, maxLength: 80, unit: "binary" })),
  debtorAccountHash: hex32,
  creditorAccountHash: hex32,
});
/** 1–64 records with distinct payment ids, the size drawn uniformly (fast-check favours small arrays). */
const arbBatch = fc
  .integer({ min: 1, max: 64 })
  .chain((n) => fc.uniqueArray(arbRecord, { minLength: n, maxLength: n, selector: (r) => r.paymentId }));

describe("settlement/merkle: BatchTree (StandardMerkleTree-compatible)", () => {
  let harness: MerkleProofHarness;

  before(async () => {
    harness = await ethers.deployContract("MerkleProofHarness");
  });

  for (const n of [1, 2, 3, 4, 5, 7, 8, 100, 1_000]) {
    it(`has StandardMerkleTree's root, leaves and proofs for ${n} record(s)`, async () => {
      const rs = records(n);
      const tree = buildBatchTree(rs);
      const oz = ozTree(rs);
      expect(tree.root).to.equal(oz.root);
      expect(tree.size).to.equal(n);
      const onChain: Promise<boolean>[] = [];
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i);
        expect(tree.leafHash(i)).to.equal(oz.leafHash(ozValue(rs[i])));
        expect(proof).to.deep.equal(oz.getProof(i));
        expect(verifyInclusion(tree.root, rs[i], proof)).to.equal(true);
        expect(StandardMerkleTree.verify(tree.root, TYPES, ozValue(rs[i]), proof)).to.equal(true);
        if (n <= 100 || i % 10 === 0) onChain.push(harness.verify(proof, tree.root, tree.leafHash(i)));
      }
      expect(await Promise.all(onChain)).to.deep.equal(onChain.map(() => true));
    });
  }

  it("matches StandardMerkleTree on random batches (property, 100 runs, 1–64 records)", () => {
    fc.assert(
      fc.property(arbBatch, (rs) => {
        const tree = buildBatchTree(rs);
        const oz = ozTree(rs);
        expect(tree.root).to.equal(oz.root);
        rs.forEach((r, i) => {
          const proof = tree.proof(i);
          expect(proof).to.deep.equal(oz.getProof(i));
          expect(verifyInclusion(tree.root, r, proof)).to.equal(true);
          expect(StandardMerkleTree.verify(tree.root, TYPES, ozValue(r), proof)).to.equal(true);
        });
      }),
      { numRuns: 100 },
    );
  });

  it("proofs of random batches verify on-chain with MerkleProof.verify and verifyCalldata (30 runs)", async () => {
    await fc.assert(
      fc.asyncProperty(arbBatch, async (rs) => {
        const tree = buildBatchTree(rs);
        for (let i = 0; i < rs.length; i++) {
          const [leaf, proof] = [tree.leafHash(i), tree.proof(i)];
          expect(await harness.verify(proof, tree.root, leaf)).to.equal(true);
          expect(await harness.verifyCalldata(proof, tree.root, leaf)).to.equal(true);
        }
        expect(await harness.leafOf([...encodeRecord(rs[0])])).to.equal(tree.leafHash(0));
      }),
      { numRuns: 30 },
    );
  });

  it("rejects a tampered leaf, proof or root (ours, OpenZeppelin's JS and on-chain)", async () => {
    const rs = records(13);
    const tree = buildBatchTree(rs);
    const i = 6;
    const proof = tree.proof(i);
    const leaf = tree.leafHash(i);
    const edited = { ...rs[i], amount: rs[i].amount + 1n };
    const cases: { name: string; record: PaymentRecord; leaf: Hex; proof: Hex[]; root: Hex }[] = [
      { name: "leaf", record: edited, leaf: leafOf(edited), proof, root: tree.root },
      {
        name: "proof element",
        record: rs[i],
        leaf,
        proof: [proof[0], flip(proof[1]), ...proof.slice(2)],
        root: tree.root,
      },
      { name: "short proof", record: rs[i], leaf, proof: proof.slice(0, -1), root: tree.root },
      { name: "other leaf's proof", record: rs[i], leaf, proof: tree.proof(i + 1), root: tree.root },
      { name: "root", record: rs[i], leaf, proof, root: flip(tree.root) },
    ];
    for (const c of cases) {
      expect(verifyInclusion(c.root, c.record, c.proof), c.name).to.equal(false);
      expect(StandardMerkleTree.verify(c.root, TYPES, ozValue(c.record), c.proof), c.name).to.equal(false);
      expect(await harness.verify(c.proof, c.root, c.leaf), c.name).to.equal(false);
    }
    expect(() => verifyInclusion("0x1234", rs[i], proof)).to.throw(InvalidArgumentError, "root");
    expect(() => verifyInclusion(tree.root, rs[i], ["0xzz" as Hex])).to.throw(InvalidArgumentError, "proof[0]");
  });

  it("refuses duplicate payment ids, naming both positions", () => {
    const rs = records(5);
    rs[3] = { ...rs[3], paymentId: rs[1].paymentId };
    expect(() => buildBatchTree(rs))
      .to.throw(InvalidArgumentError)
      .with.property("message")
      .that.matches(/records\[3\]\.paymentId.*"PAY-1".*records\[1\]/);
  });

  it("refuses an empty batch and records whose fields cannot be encoded", () => {
    expect(() => buildBatchTree([])).to.throw(InvalidArgumentError, "empty");
    const bad: [keyof PaymentRecord, unknown, string][] = [
      ["amount", MAX_AMOUNT + 1n, "records[2].amount"],
      ["amount", -1n, "records[2].amount"],
      ["debtorBank", "0x1234", "records[2].debtorBank"],
      ["currency", "eur", "records[2].currency"],
      ["valueDate", "2026-02-30", "records[2].valueDate"],
      ["creditorAccountHash", "0x12", "records[2].creditorAccountHash"],
    ];
    for (const [field, value, where] of bad) {
      const rs = records(4);
      rs[2] = { ...rs[2], [field]: value };
      expect(() => buildBatchTree(rs), `${field} ${String(value)}`).to.throw(InvalidArgumentError, where);
    }
  });

  it("indexes records by payment id and position", () => {
    const rs = records(10);
    const tree = buildBatchTree(rs);
    expect(tree.indexOf("PAY-7")).to.equal(7);
    expect(tree.indexOf("nope")).to.equal(-1);
    expect(() => tree.proof(10)).to.throw(InvalidArgumentError, "index");
    expect(() => tree.leafHash(-1)).to.throw(InvalidArgumentError, "index");
    expect(leavesOf(rs)).to.deep.equal(rs.map((_, i) => tree.leafHash(i)));
    expect(rootOfLeaves([...leavesOf(rs)].reverse())).to.equal(tree.root);
    expect(buildBatchTree(records(1)).proof(0)).to.deep.equal([]);
  });

  it("reports progress at least every 5 % and ends at the total", () => {
    for (const n of [1, 2, 37, 1_000]) {
      const calls: [number, number][] = [];
      buildBatchTree(records(n), { onProgress: (done, total) => calls.push([done, total]) });
      const total = 2 * n - 1;
      expect(calls.at(-1), `n=${n}`).to.deep.equal([total, total]);
      let last = 0;
      for (const [done, t] of calls) {
        expect(t).to.equal(total);
        expect(done).to.be.greaterThan(last);
        expect(done - last).to.be.at.most(Math.max(1, Math.ceil(total * 0.05)));
        last = done;
      }
    }
  });

  it("leafOf equals the on-chain leaf of the encoded record (texts around keccak's 136-byte block too)", async () => {
    const texts = [135, 136, 137, 272].map((n) => ({ ...record(n), endToEndId: "x".repeat(n) }));
    for (const r of [record(0), ...texts]) {
      expect(leafOf(r)).to.equal(await harness.leafOf([...encodeRecord(r)]));
      expect(leafOf(r)).to.equal(StandardMerkleTree.of([ozValue(r)], TYPES).root);
    }
  });

  it("poseidonLeaf is poseidon8 over the same eight words, a BN254 field element", () => {
    const r = record(4);
    const leaf = poseidonLeaf(r);
    expect(leaf).to.equal(poseidon8([...encodeRecord(r)]));
    expect(leaf < BN254).to.equal(true);
    expect(poseidonLeaf({ ...r, amount: r.amount + 1n })).to.not.equal(leaf);
  });
});
