/**
 * The circuits on their own: valid inputs give the expected outputs, and each broken constraint is
 * refused by the circuit itself (inputs fed to the wasm directly, bypassing the SDK's checks).
 */
import { expect } from "chai";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { buildPrivateChunks, chunkRoot } from "../../packages/zk/src/chunk";
import { nettingInputs, type CircuitInputs, type SignalValue } from "../../packages/zk/src/inputs";
import { identityCommitment, KycTree, nullifierOf } from "../../packages/zk/src/kyc";
import { encodeRecord } from "../../packages/sdk/src/settlement/record";
import { BANK, CPS, sampleRecords } from "./proofs";
import { outputs, refused } from "./witness";

const clone = (x: CircuitInputs): CircuitInputs => JSON.parse(JSON.stringify(x)) as CircuitInputs;
const at = (v: SignalValue, ...path: number[]): SignalValue[] => {
  let node = v as SignalValue[];
  for (const i of path) node = node[i] as SignalValue[];
  return node;
};

describe("circuits", function () {
  this.timeout(120_000);

  describe("kyc_membership", () => {
    const secrets = [11n, 22n, 33n, 44n, 55n];
    const tree = new KycTree(secrets.map(identityCommitment));
    const input = (secret: bigint, scope = 7n, message = 99n): CircuitInputs => {
      const p = tree.path(identityCommitment(secret));
      return {
        secret: String(secret),
        depth: String(p.depth),
        index: String(p.index),
        siblings: p.siblings.map(String),
        scope: String(scope),
        message: String(message),
      };
    };

    it("outputs the tree's root and Poseidon(secret, scope) for every member", async () => {
      for (const s of secrets) {
        const [root, nullifier] = await outputs("kyc_membership", input(s), 2);
        expect(root).to.equal(tree.root);
        expect(nullifier).to.equal(nullifierOf(s, 7n));
      }
    });

    it("a wrong path (sibling changed, index flipped, other secret) leads to another root", async () => {
      const bad = clone(input(33n));
      (bad.siblings as string[])[0] = "12345";
      expect((await outputs("kyc_membership", bad, 1))[0]).to.not.equal(tree.root);
      const flipped = clone(input(33n));
      flipped.index = String(Number(flipped.index) ^ 1);
      expect((await outputs("kyc_membership", flipped, 1))[0]).to.not.equal(tree.root);
      const stranger = { ...input(33n), secret: "34" };
      expect((await outputs("kyc_membership", stranger, 1))[0]).to.not.equal(tree.root);
    });

    it("a depth above 20 gives root 0, which no tree has", async () => {
      expect((await outputs("kyc_membership", { ...input(11n), depth: "21" }, 1))[0]).to.equal(0n);
    });

    it("an index wider than 20 bits is refused", async () => {
      await refused("kyc_membership", { ...input(11n), index: String(1 << 20) });
    });

    it("the nullifier changes with the scope, not with the message", async () => {
      const [, n1] = await outputs("kyc_membership", input(22n, 1n, 5n), 2);
      const [, n2] = await outputs("kyc_membership", input(22n, 1n, 6n), 2);
      const [, n3] = await outputs("kyc_membership", input(22n, 2n, 5n), 2);
      expect(n1).to.equal(n2);
      expect(n1).to.not.equal(n3);
    });
  });

  describe("amount_limit", () => {
    const input = (amount: bigint, limit: bigint): CircuitInputs => ({
      amount: String(amount),
      blinding: "424242",
      limit: String(limit),
      message: "1",
    });

    it("outputs Poseidon(amount, blinding) for 0 < amount ≤ limit (both ends)", async () => {
      for (const [a, l] of [
        [1n, 1n],
        [500n, 1000n],
        [1000n, 1000n],
        [(1n << 64n) - 1n, (1n << 64n) - 1n],
      ]) {
        expect((await outputs("amount_limit", input(a, l), 1))[0]).to.equal(poseidon2([a, 424242n]));
      }
    });

    it("refuses an amount over the limit", async () => {
      await refused("amount_limit", input(1001n, 1000n));
    });

    it("refuses an amount of 0", async () => {
      await refused("amount_limit", input(0n, 1000n));
    });

    it("refuses an amount or a limit that overflows 64 bits", async () => {
      await refused("amount_limit", input(1n << 64n, (1n << 64n) - 1n));
      await refused("amount_limit", input(5n, 1n << 64n));
    });

    it("refuses a 'negative' amount (p − 1 wraps to a huge field element)", async () => {
      const p = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
      await refused("amount_limit", input(p - 1n, 1000n));
    });
  });

  describe("batch_netting_16", () => {
    const chunk = buildPrivateChunks(sampleRecords(16), { submitter: BANK, keyPrefix: "t" })[0];
    const good = nettingInputs(chunk);

    it("outputs the chunk root and the packed totals; the bank is the public input", async () => {
      const out = await outputs("batch_netting_16", good, 5);
      expect(out[0]).to.equal(BigInt(chunk.header.root));
      expect(out[0]).to.equal(chunkRoot(chunk.records.map(encodeRecord)));
      chunk.header.counterparties.forEach((cp, k) => {
        expect(out[1 + k]).to.equal((chunk.header.totals[k] << 160n) | BigInt(cp));
      });
      expect(out[4]).to.equal(0n); // unused bucket
    });

    it("a partly filled chunk (zero-record padding) proves its totals", async () => {
      const small = buildPrivateChunks(sampleRecords(5), { submitter: BANK, keyPrefix: "s" })[0];
      const out = await outputs("batch_netting_16", nettingInputs(small), 5);
      expect(out[0]).to.equal(BigInt(small.header.root));
    });

    it("refuses totals off by one", async () => {
      const bad = clone(good);
      (bad.total as string[])[1] = String(BigInt((bad.total as string[])[1]) + 1n);
      await refused("batch_netting_16", bad);
      const low = clone(good);
      (low.total as string[])[0] = String(BigInt((low.total as string[])[0]) - 1n);
      await refused("batch_netting_16", low);
    });

    it("refuses a payment whose debtor is not the submitting bank", async () => {
      const bad = clone(good);
      at(bad.records, 3)[1] = String(BigInt(CPS[0]));
      await refused("batch_netting_16", bad);
    });

    it("refuses a payment put in the bucket of another creditor", async () => {
      const bad = clone(good);
      const b = bad.bucket as string[];
      b[0] = String((Number(b[0]) + 1) % 3);
      await refused("batch_netting_16", bad);
    });

    it("refuses a bucket index outside 0–3", async () => {
      const bad = clone(good);
      (bad.bucket as string[])[0] = "4";
      await refused("batch_netting_16", bad);
    });

    it("refuses an amount that overflows 64 bits, even with totals that match", async () => {
      const bad = clone(good);
      const bump = 1n << 64n;
      const rec = at(bad.records, 0);
      rec[3] = String(BigInt(rec[3] as string) + bump);
      const k = Number((bad.bucket as string[])[0]);
      (bad.total as string[])[k] = String(BigInt((bad.total as string[])[k]) + bump);
      await refused("batch_netting_16", bad);
    });

    it("refuses a counterparty that is not an address (over 160 bits)", async () => {
      const bad = clone(good);
      (bad.counterparty as string[])[3] = String(1n << 160n);
      await refused("batch_netting_16", bad);
    });

    it("a changed record changes the root (so it no longer matches the anchored one)", async () => {
      const bad = clone(good);
      at(bad.records, 7)[5] = "1";
      expect((await outputs("batch_netting_16", bad, 1))[0]).to.not.equal(BigInt(chunk.header.root));
    });
  });
});
