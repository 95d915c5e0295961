/**
 * Private mode v2 (decision 034): building a batch's chunks for `private_netting_256` — grouping,
 * the slot encoding, the roots and the header — and the input checks before proving.
 */
import { expect } from "chai";
import { concat, encodeAbiParameters, keccak256, toHex, type Address } from "viem";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { encodeRecord } from "../../packages/sdk/src/settlement";
import {
  CHUNK_SLOTS,
  GROUP_SLOTS,
  buildPrivateBatch,
  packedOf,
  privateBatchRoot,
  privateChunksCommitmentOf,
} from "../../packages/zk/src/privateBatch";
import { checkPrivateNetting, privateNettingInputs } from "../../packages/zk/src/privateInputs";
import { privateInclusionProof, verifyPrivateInclusion } from "../../packages/zk/src/privateInclusion";
import { payments } from "../sdk/settlementFixture";

const BANK: Address = "0x1000000000000000000000000000000000000001";
const CREDITORS: Address[] = [2, 3, 4, 5, 6].map((n) => `0x${String(n).repeat(40)}` as Address);
const INDEX = new Map<string, number>([
  [BANK.toLowerCase(), 3],
  ...CREDITORS.map((c, i) => [c, 10 + i] as [string, number]),
]);
const indexOf = (b: Address) => INDEX.get(b.toLowerCase()) ?? -1;

/** `n` payments from BANK, to the creditors in turn (creditor i % `creditors`), amounts 100 + i. */
function batchOf(n: number, creditors = 5) {
  const to: [Address, bigint][] = [];
  for (let i = 0; i < n; i++) to.push([CREDITORS[i % creditors], 100n + BigInt(i)]);
  return buildPrivateBatch(payments(BANK, to, "pv2"), { submitter: BANK, key: `pv2-${n}`, indexOf });
}

describe("private mode v2: building chunks (decision 034)", function () {
  this.timeout(120_000);

  it("puts one creditor in a group of 8, at most 4 creditors and 256 slots in a chunk, roots ascending", () => {
    const b = batchOf(300);
    expect(b.header.entryCount).to.equal(300);
    expect(b.chunks.length).to.equal(2); // 5 creditors × 60 payments = 5 × 8 groups: 32 + 8 groups
    for (const c of b.chunks) {
      expect(c.slots).to.have.length(CHUNK_SLOTS);
      expect(new Set(c.records.map((r) => r.creditorBank)).size).to.be.at.most(4);
      for (let g = 0; g < CHUNK_SLOTS / GROUP_SLOTS; g++) {
        const used = c.slots.slice(g * GROUP_SLOTS, (g + 1) * GROUP_SLOTS).filter((s) => s.used);
        expect(new Set(used.map((s) => s.bucket)).size).to.be.at.most(1);
      }
    }
    expect(b.chunks[0].root < b.chunks[1].root).to.equal(true);
    expect(b.header.root).to.equal(keccak256(concat(b.chunks.map((c) => toHex(c.root, { size: 32 })))));
  });

  it("encodes a slot as (Poseidon8(record), bankIndex·2^80 + creditorIndex·2^64 + amount), unused as (0, 0)", () => {
    const b = batchOf(3, 3);
    const [chunk] = b.chunks;
    const first = chunk.slots.find((s) => s.used)!;
    const record = chunk.records[0];
    expect(first.digest).to.equal(poseidon8([...encodeRecord(record)]));
    expect(first.packed).to.equal((3n << 80n) + (BigInt(indexOf(record.creditorBank)) << 64n) + record.amount);
    expect(packedOf(3, 10, 5n)).to.equal((3n << 80n) + (10n << 64n) + 5n);
    expect(chunk.slots.filter((s) => !s.used).every((s) => s.digest === 0n && s.packed === 0n)).to.equal(true);
  });

  it("sums the buckets to the header's totals; the commitment carries the private/2 tag", () => {
    const b = batchOf(700);
    const sums = new Map<number, bigint>();
    for (const c of b.chunks) c.buckets.forEach((p, k) => sums.set(p, (sums.get(p) ?? 0n) + c.amounts[k]));
    expect(b.header.counterparties.map((_, p) => sums.get(p) ?? 0n)).to.deep.equal(b.header.totals);
    expect(b.header.totalsCommitment).to.equal(privateChunksCommitmentOf(b.header.counterparties, b.header.totals));
    expect(b.header.grossTotal).to.equal(b.header.totals.reduce((a, t) => a + t, 0n));
  });

  it("refuses a debtor other than the submitter, a second currency, a bank without a ledger index", () => {
    const mine = payments(BANK, [[CREDITORS[0], 5n]], "x");
    const other = payments(CREDITORS[1], [[CREDITORS[0], 5n]], "y");
    const opts = { submitter: BANK, key: "k", indexOf };
    expect(() => buildPrivateBatch([...mine, ...other], opts)).to.throw(/records\[1\]\.debtorBank/);
    expect(() => buildPrivateBatch([...mine, { ...mine[0], paymentId: "z", currency: "USD" }], opts)).to.throw(
      /records\[1\]\.currency/,
    );
    const stranger = payments(BANK, [["0x7777777777777777777777777777777777777777", 5n]], "s");
    expect(() => buildPrivateBatch(stranger, opts)).to.throw(/not a ledger index/);
    expect(() => buildPrivateBatch([], opts)).to.throw(/is empty/);
    expect(() => privateBatchRoot([2n, 1n])).to.throw(/strictly ascending/);
  });

  it("checks the inputs before proving: each refusal names the input", () => {
    const [chunk] = batchOf(20).chunks;
    const { inputs, publicSignals } = privateNettingInputs(chunk);
    expect(publicSignals[0]).to.equal(chunk.root);
    expect(checkPrivateNetting({ ...inputs, root: chunk.root.toString() })).to.deep.equal(inputs);
    const set = (name: string, i: number, v: string) => {
      const copy = structuredClone(inputs) as Record<string, string[]>;
      copy[name][i] = v;
      return copy;
    };
    expect(() => checkPrivateNetting(set("amount", 0, String(1n << 64n)))).to.throw(/amount\[0\].*64 bits/);
    expect(() => checkPrivateNetting(set("used", 0, "2"))).to.throw(/used\[0\].*0 or 1/);
    expect(() => checkPrivateNetting(set("bucket", 0, "4"))).to.throw(/bucket\[0\]/);
    expect(() => checkPrivateNetting(set("total", 0, "1"))).to.throw(/total\[0\].*sum to/);
    expect(() => checkPrivateNetting(set("digest", 255, "1"))).to.throw(/used\[255\].*is 0 but/);
    expect(() => checkPrivateNetting({ ...inputs, root: "1" })).to.throw(/root/);
    expect(() => checkPrivateNetting({ ...inputs, extra: "1" })).to.throw(/`extra`: is not an input/);
    expect(() => privateNettingInputs({ ...chunk, amounts: [1n, 0n, 0n, 0n] })).to.throw(/amounts\[0\]/);
    expect(() => privateNettingInputs({ ...chunk, root: 1n })).to.throw(/root/);
  });

  it("gives a creditor its payment's inclusion proof: only its own group's slots, up to the anchored root", () => {
    const b = batchOf(600);
    const record = b.chunks[1].records[40];
    const proof = privateInclusionProof(b, record.paymentId);
    const counterpartyMask = b.header.counterparties.reduce((m, c) => m | (1n << BigInt(indexOf(c))), 0n);
    const header = { root: b.header.root, totalsCommitment: b.header.totalsCommitment, counterpartyMask };
    const o = { record, bankIndex: 3, creditorIndex: indexOf(record.creditorBank), header };
    expect(verifyPrivateInclusion(proof, o)).to.equal(b.chunks[1].root);
    // review21 F1: the anchored commitment must be the v2-tagged one (else `declare` takes any totals),
    // and the creditor must be named by the header.
    const standard = keccak256(
      encodeAbiParameters([{ type: "address[]" }, { type: "uint256[]" }], [b.header.counterparties, b.header.totals]),
    );
    expect(() => verifyPrivateInclusion(proof, { ...o, header: { ...header, totalsCommitment: standard } })).to.throw(
      /totalsCommitment.*without its proofs/,
    );
    expect(() =>
      verifyPrivateInclusion(proof, {
        ...o,
        header: { ...header, counterpartyMask: counterpartyMask & ~(1n << BigInt(o.creditorIndex)) },
      }),
    ).to.throw(/counterpartyMask/);
    expect(() => verifyPrivateInclusion({ ...proof, totals: proof.totals.map((t) => t + 1n) }, o)).to.throw(
      /totalsCommitment/,
    );
    // the group shows only this creditor's payments
    const packedCreditor = (p: bigint) => (p >> 64n) & 0xffffn;
    for (const s of proof.groupSlots.filter((x) => x.packed !== 0n))
      expect(packedCreditor(s.packed)).to.equal(BigInt(o.creditorIndex));
    expect(() => verifyPrivateInclusion(proof, { ...o, record: { ...record, amount: record.amount + 1n } })).to.throw(
      /digest/,
    );
    expect(() => verifyPrivateInclusion(proof, { ...o, creditorIndex: o.creditorIndex + 1 })).to.throw(/owes/);
    expect(() => verifyPrivateInclusion({ ...proof, otherHalf: 1n }, o)).to.throw(/chunk's root/);
    const swapped = {
      ...proof,
      chunkRoots: [...proof.chunkRoots].reverse(),
      chunk: proof.chunkRoots.length - 1 - proof.chunk,
    };
    expect(() => verifyPrivateInclusion(swapped, o)).to.throw(/ascending/);
    expect(() => verifyPrivateInclusion(proof, { ...o, header: { ...header, root: `0x${"00".repeat(32)}` } })).to.throw(
      /anchored root/,
    );
    expect(() => privateInclusionProof(b, "nope")).to.throw(/not in this batch/);
  });
});
