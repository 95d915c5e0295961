/**
 * SM3 batch trees (decision 046, docs/spec/batch-encoding.md §10): the vectors in
 * docs/spec/vectors/sm3-tree.json checked three ways — the SDK computes them from the spec's
 * pacs.008 payments; an implementation of the spec written here with sm-crypto-v2's SM3 alone (no
 * SDK tree code) computes the same leaves, trees and roots; `SM3MerkleVerifier` on chain accepts
 * the proof and computes the same leaves. Also: the WebAssembly SM3 equals sm-crypto-v2's, SM3 and
 * keccak256 trees of one batch differ, and a batch file records its tree hash.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ethers } from "hardhat";
import { sm3 } from "sm-crypto-v2";
import {
  buildBatch,
  buildBatchTree,
  fastSm3Ready,
  leafOf,
  parseTreeHash,
  sm3Into,
  verifyBatchFile,
  verifyInclusion,
  type PaymentRecord,
} from "../../packages/sdk/src/settlement";
import { sm3IntoJs } from "../../packages/sdk/src/settlement/treeHash";
import { readBatchFile, writeBatchFile, writeBatchStream, verifyBatchFileStream } from "../../packages/sdk/src/node";
import { BatchFileError } from "../../packages/sdk/src/settlement/batchFile";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { computeSm3Vectors, SM3_VECTORS_JSON, specRecords } from "../../scripts/spec/sm3-tree-vectors";
import type { SM3MerkleVerifier } from "../../typechain-types";

interface Sm3Vectors {
  payments: { paymentId: string; words: string[]; leaf: string }[];
  tree4: { root: string; tree: string[] };
  tree3: { payments: number; root: string; tree: string[] };
  proof: { payment: string; index: number; leaf: string; proof: string[] };
}
const vectors = JSON.parse(readFileSync(SM3_VECTORS_JSON, "utf8")) as Sm3Vectors;

// ------------------------------------------------------------ the spec, implemented minimally
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/^0x/, ""), "hex"));
const H = (data: Uint8Array): string => sm3(data);
const specLeaf = (words: string[]): string => `0x${H(bytes(H(bytes(words.join("")))))}`;
function specTree(leaves: string[]): string[] {
  const sorted = [...leaves].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const n = sorted.length;
  const t: string[] = new Array<string>(2 * n - 1);
  sorted.forEach((leaf, i) => (t[2 * n - 2 - i] = leaf));
  for (let k = n - 2; k >= 0; k--) {
    const [a, b] = [t[2 * k + 1], t[2 * k + 2]];
    const [lo, hi] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
    t[k] = `0x${H(bytes(lo.slice(2) + hi.slice(2)))}`;
  }
  return t;
}

describe("settlement: SM3 batch trees (spec vectors, decision 046)", function () {
  let records: PaymentRecord[];
  before(() => {
    records = specRecords();
  });

  it("the vectors file is what the generator computes now", function () {
    expect(JSON.parse(JSON.stringify(computeSm3Vectors()))).to.deep.equal(vectors);
  });

  it("an implementation of the spec with sm-crypto-v2 alone gives the same leaves, trees and roots", function () {
    const leaves = vectors.payments.map((p) => specLeaf(p.words));
    expect(leaves).to.deep.equal(vectors.payments.map((p) => p.leaf));
    expect(specTree(leaves)).to.deep.equal(vectors.tree4.tree);
    expect(specTree(leaves)[0]).to.equal(vectors.tree4.root);
    expect(specTree(leaves.slice(0, 3))).to.deep.equal(vectors.tree3.tree);
    // The proof folds with sorted-pair SM3 to the root.
    let node = vectors.proof.leaf;
    for (const sibling of vectors.proof.proof) {
      const [lo, hi] = BigInt(node) < BigInt(sibling) ? [node, sibling] : [sibling, node];
      node = `0x${H(bytes(lo.slice(2) + hi.slice(2)))}`;
    }
    expect(node).to.equal(vectors.tree4.root);
  });

  it("the SDK builds the vectors from the records, and verifies the proof (and refuses a wrong one)", function () {
    const tree = buildBatchTree(records, { treeHash: "sm3" });
    expect(tree.treeHash).to.equal("sm3");
    expect(tree.root).to.equal(vectors.tree4.root);
    records.forEach((r, i) => expect(leafOf(r, "sm3")).to.equal(vectors.payments[i].leaf));
    const proof = tree.proof(vectors.proof.index) as `0x${string}`[];
    expect(proof).to.deep.equal(vectors.proof.proof);
    expect(verifyInclusion(tree.root, records[0], proof, "sm3")).to.equal(true);
    expect(verifyInclusion(tree.root, records[1], proof, "sm3")).to.equal(false);
    // The keccak256 rule over the same proof is another function: it fails.
    expect(verifyInclusion(tree.root, records[0], proof)).to.equal(false);
    expect(buildBatchTree(records).root).to.not.equal(tree.root);
  });

  it("WebAssembly SM3 equals sm-crypto-v2's at every padding boundary", async function () {
    await fastSm3Ready();
    for (const length of [0, 1, 32, 55, 56, 63, 64, 65, 119, 128, 256, 1000]) {
      const data = ethers.randomBytes(length);
      const a = new Uint8Array(32);
      const b = new Uint8Array(32);
      sm3Into(data, 0, length, a, 0);
      sm3IntoJs(data, 0, length, b, 0);
      expect(Buffer.from(a).toString("hex"), `length ${length}`).to.equal(Buffer.from(b).toString("hex"));
    }
    const abc = new Uint8Array(32);
    sm3Into(new TextEncoder().encode("abc"), 0, 3, abc, 0);
    expect(Buffer.from(abc).toString("hex")).to.equal(
      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
    );
  });

  it("refuses an unknown tree hash with a typed error", function () {
    expect(() => parseTreeHash("sha256")).to.throw(InvalidArgumentError, /"sha256" is not a tree hash/);
    expect(parseTreeHash(undefined)).to.equal("keccak256");
    expect(() =>
      buildBatch(records, { submitter: records[0].debtorBank, key: "K", treeHash: "blake3" as "sm3" }),
    ).to.throw(InvalidArgumentError, /not a tree hash/);
  });

  describe("batch files", function () {
    const dir = mkdtempSync(join(tmpdir(), "sm3-tree-"));

    it("a clearhouse.batch/1 file records treeHash sm3 and verifies with it; keccak files have no member", function () {
      const batch = buildBatch(records, { submitter: records[0].debtorBank, key: "SM3-1", treeHash: "sm3" });
      expect(batch.treeHash).to.equal("sm3");
      expect(batch.header.root).to.equal(vectors.tree4.root);
      const path = join(dir, "v1.json");
      writeBatchFile(path, batch);
      expect(readFileSync(path, "utf8")).to.contain('"treeHash": "sm3"');
      const file = readBatchFile(path);
      expect(file.treeHash).to.equal("sm3");
      expect(verifyBatchFile(file, batch.header).ok).to.equal(true);
      // Dropping the member makes it a keccak file: its stored leaves no longer hash to the root.
      const keccakPath = join(dir, "v1-no-member.json");
      writeFileSync(keccakPath, readFileSync(path, "utf8").replace(/ {2}"treeHash": "sm3",\n/, ""));
      const result = verifyBatchFile(readBatchFile(keccakPath), batch.header);
      expect(result.ok).to.equal(false);
      expect(result.problems.join("\n")).to.contain("the recomputed root");
      const plain = buildBatch(records, { submitter: records[0].debtorBank, key: "K-1" });
      expect(plain.treeHash).to.equal(undefined);
      writeBatchFile(join(dir, "plain.json"), plain);
      expect(readFileSync(join(dir, "plain.json"), "utf8")).to.not.contain("treeHash");
    });

    it("a clearhouse.batch/2 file records treeHash sm3 in its sealed header line and verifies streaming", async function () {
      const path = join(dir, "v2.batch");
      const { batch } = await writeBatchStream(path, records, {
        submitter: records[0].debtorBank,
        key: "SM3-2",
        treeHash: "sm3",
      });
      expect(batch.header.root).to.equal(vectors.tree4.root);
      const head = readFileSync(path, "utf8").split("\n")[0];
      expect(head).to.contain('"treeHash":"sm3"');
      const verified = await verifyBatchFileStream(path, batch.header, { payment: records[0].paymentId });
      expect(verified?.ok).to.equal(true);
      expect(verified?.inclusion?.proof).to.deep.equal(vectors.proof.proof);
      expect(readBatchFile(path).treeHash).to.equal("sm3");
    });

    it("refuses a file naming an unknown tree hash", function () {
      const batch = buildBatch(records, { submitter: records[0].debtorBank, key: "SM3-3", treeHash: "sm3" });
      const path = join(dir, "bad.json");
      writeBatchFile(path, batch);
      writeFileSync(path, readFileSync(path, "utf8").replace('"treeHash": "sm3"', '"treeHash": "md5"'));
      expect(() => readBatchFile(path)).to.throw(BatchFileError, /treeHash "md5" is not "keccak256" or "sm3"/);
    });
  });

  describe("on chain: SM3MerkleVerifier", function () {
    let verifier: SM3MerkleVerifier;
    before(async () => {
      verifier = await (await ethers.getContractFactory("SM3MerkleVerifier")).deploy();
    });

    it("computes the vectors' leaves and accepts the vectors' proof", async function () {
      for (const p of vectors.payments) {
        expect(await verifier.leafOf(p.words.map((w) => BigInt(`0x${w}`)) as never)).to.equal(p.leaf);
      }
      const { proof, leaf } = vectors.proof;
      expect(await verifier.verify(proof, vectors.tree4.root, leaf)).to.equal(true);
      const words = vectors.payments[0].words.map((w) => BigInt(`0x${w}`));
      expect(await verifier.verifyRecord(proof, vectors.tree4.root, words as never)).to.equal(true);
    });

    it("refuses another leaf, a changed sibling, a short proof and another root", async function () {
      const { proof, leaf } = vectors.proof;
      const root = vectors.tree4.root;
      expect(await verifier.verify(proof, root, vectors.payments[1].leaf)).to.equal(false);
      const changed = [...proof];
      changed[0] = `0x${(BigInt(changed[0]) ^ 1n).toString(16).padStart(64, "0")}`;
      expect(await verifier.verify(changed, root, leaf)).to.equal(false);
      expect(await verifier.verify(proof.slice(1), root, leaf)).to.equal(false);
      expect(await verifier.verify(proof, vectors.tree3.root, leaf)).to.equal(false);
      const words = vectors.payments[1].words.map((w) => BigInt(`0x${w}`));
      expect(await verifier.verifyRecord(proof, root, words as never)).to.equal(false);
    });

    it("agrees with the SDK on random batches of 1–40 payments, every proof", async function () {
      for (const n of [1, 2, 5, 17, 40]) {
        const rs = Array.from({ length: n }, (_, i) => ({
          ...records[i % records.length],
          paymentId: `RND-${n}-${i}`,
          endToEndId: `E2E-${i}`,
        }));
        const tree = buildBatchTree(rs, { treeHash: "sm3" });
        for (const i of [0, n - 1, Math.floor(n / 2)]) {
          expect(await verifier.verify(tree.proof(i), tree.root, tree.leafHash(i)), `n ${n} i ${i}`).to.equal(true);
        }
      }
    });
  });
});
