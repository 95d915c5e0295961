/**
 * docs/spec/private-batch.md's vectors (docs/spec/vectors/private-batch.json), checked twice: (a)
 * the SDK computes them again, and (b) an implementation written from the spec alone — poseidon-lite
 * and keccak, no SDK chunk code — computes the same slots, groups, chunk root, words and header.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { concat, encodeAbiParameters, keccak256, stringToHex, toHex, type Address, type Hex } from "viem";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { poseidon16 } from "poseidon-lite/poseidon16";
import { computeVectors, VECTORS_JSON } from "../../scripts/spec/private-batch-vectors";

interface Vectors {
  tag: Hex;
  ledgerIndexes: Record<string, number>;
  submitter: Address;
  payments: { creditorBank: Address; amount: string; words: string[] }[];
  slots: { digest: string; packed: string; bucket: number; used: boolean }[];
  emptyGroupHash: string;
  groupHashes: string[];
  chunk: { root: string; amounts: string[]; counterpartyIndexes: number[]; bankIndex: number; publicSignals: string[] };
  header: { root: Hex; totals: string[]; counterparties: Address[]; totalsCommitment: Hex; grossTotal: string };
}

const vectors = JSON.parse(readFileSync(VECTORS_JSON, "utf8")) as Vectors;

describe("docs/spec/private-batch.md vectors", () => {
  it("are what the SDK computes", () => {
    expect(JSON.parse(JSON.stringify(computeVectors()))).to.deep.equal(vectors);
  });

  it("follow from the spec alone: slots, groups, chunk root, words, header", () => {
    const v = vectors;
    const bank = BigInt(v.ledgerIndexes[v.submitter.toLowerCase()]);
    expect(v.tag).to.equal(keccak256(stringToHex("clearhouse.batch.private/2")));
    // §2 slots, §3 groups of one creditor: 9 payments to the first creditor fill groups 0 and 1,
    // the second creditor's 2 payments start group 2
    const slots: { digest: bigint; packed: bigint }[] = [];
    const byCreditor = [v.payments.slice(0, 9), v.payments.slice(9)];
    for (const mine of byCreditor) {
      for (let i = 0; i < mine.length; i += 8) {
        const group = mine.slice(i, i + 8);
        for (const p of group) {
          const creditor = BigInt(v.ledgerIndexes[p.creditorBank.toLowerCase()]);
          slots.push({
            digest: poseidon8(p.words.map(BigInt)),
            packed: bank * 2n ** 80n + creditor * 2n ** 64n + BigInt(p.amount),
          });
        }
        for (let j = group.length; j < 8; j++) slots.push({ digest: 0n, packed: 0n });
      }
    }
    expect(slots.map((s) => [String(s.digest), String(s.packed)])).to.deep.equal(
      v.slots.map((s) => [s.digest, s.packed]),
    );
    const groupOf = (s: typeof slots) => poseidon16(s.flatMap((x) => [x.digest, x.packed]));
    const groups = [0, 1, 2].map((g) => groupOf(slots.slice(8 * g, 8 * g + 8)));
    expect(groups.map(String)).to.deep.equal(v.groupHashes);
    const empty = groupOf(Array.from({ length: 8 }, () => ({ digest: 0n, packed: 0n })));
    expect(String(empty)).to.equal(v.emptyGroupHash);
    const all = [...groups, ...new Array<bigint>(29).fill(empty)];
    const root = poseidon2([poseidon16(all.slice(0, 16)), poseidon16(all.slice(16))]);
    expect(String(root)).to.equal(v.chunk.root);
    // §4 words (unused buckets: position 0, total 0)
    const bucket = (k: number) => BigInt(v.chunk.amounts[k]) * 2n ** 16n + BigInt(v.chunk.counterpartyIndexes[k]);
    const word0 = bank * 2n ** 176n + bucket(0) * 2n ** 88n + bucket(1);
    const word1 = bucket(2) * 2n ** 88n + bucket(3);
    expect([root, word0, word1].map(String)).to.deep.equal(v.chunk.publicSignals);
    // §6 header
    expect(v.header.root).to.equal(keccak256(concat([toHex(root, { size: 32 })])));
    expect(v.header.totalsCommitment).to.equal(
      keccak256(
        encodeAbiParameters(
          [{ type: "bytes32" }, { type: "address[]" }, { type: "uint256[]" }],
          [v.tag, v.header.counterparties, v.header.totals.map(BigInt)],
        ),
      ),
    );
    expect(BigInt(v.header.grossTotal)).to.equal(v.payments.reduce((a, p) => a + BigInt(p.amount), 0n));
  });
});
