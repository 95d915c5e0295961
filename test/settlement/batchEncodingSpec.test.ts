/**
 * docs/spec/batch-encoding.md's vectors (docs/spec/vectors/batch-encoding.json), checked twice:
 * (a) the SDK computes them from samples/iso20022/pacs008-spec-vectors.xml, and (b) a minimal
 * implementation written from the spec alone — plain keccak-256, no SDK encoder or Merkle code —
 * computes the same words, leaves, tree, root, totals commitment and metadata digest.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { keccak_256 } from "@noble/hashes/sha3";
import {
  accountHash,
  buildBatch,
  canonicalJson,
  encodeRecord,
  importPacs008,
  leafOf,
  otherAccountHash,
  rootOfLeaves,
  NO_ACCOUNT_HASH,
  type BatchMetadata,
} from "../../packages/sdk/src/settlement";
import { computeVectors, VECTORS_JSON, VECTORS_XML } from "../../scripts/spec/batch-encoding-vectors";

interface Vectors {
  pacs008: { file: string; banks: Record<string, `0x${string}`> };
  accountHashes: { kind: "IBAN" | "OTHR" | "none"; text?: string; preimage?: string; hash: string }[];
  payments: { snippet: string; record: Record<string, string>; words: string[]; leaf: string }[];
  batch: {
    submitter: `0x${string}`;
    root: string;
    sortedLeaves: string[];
    tree: string[];
    entryCount: number;
    grossTotal: string;
    counterparties: string[];
    totals: string[];
    totalsCommitment: string;
    metadata: BatchMetadata;
    canonicalMetadata: string;
    metadataDigest: string;
  };
  smallerTrees: { payments: number; root: string; tree: string[] }[];
}

const vectors = JSON.parse(readFileSync(VECTORS_JSON, "utf8")) as Vectors;
const xml = readFileSync(VECTORS_XML, "utf8");

// ---------------------------------------------------------------- the spec, implemented minimally
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ""), "hex"));
const keccak = (b: Uint8Array): Uint8Array => keccak_256(b);
/** §3: a 256-bit hash as a word: a zero byte, then the hash's first 31 bytes (hash >> 8). */
const word248 = (hash: Uint8Array): string => `00${hex(hash.subarray(0, 31))}`;
const uintWord = (v: bigint): string => v.toString(16).padStart(64, "0");
/** §2: the account hash. */
const account = (kind: string, text?: string): Uint8Array =>
  kind === "none" ? new Uint8Array(32) : keccak(utf8(`${kind === "IBAN" ? "IBAN:" : "OTHR:"}${text!}`));

/** §3: the eight words of a record, from its fields. */
function specWords(r: Record<string, string>): string[] {
  const days = Date.UTC(+r.valueDate.slice(0, 4), +r.valueDate.slice(5, 7) - 1, +r.valueDate.slice(8, 10)) / 86400e3;
  const currency = [...r.currency].reduce((acc, c) => (acc << 8n) | BigInt(c.charCodeAt(0)), 0n);
  return [
    word248(keccak(utf8(r.paymentId))),
    uintWord(BigInt(r.debtorBank)),
    uintWord(BigInt(r.creditorBank)),
    uintWord(BigInt(r.amount)),
    uintWord((currency << 32n) | BigInt(days)),
    word248(keccak(utf8(r.endToEndId))),
    word248(bytes(r.debtorAccountHash)),
    word248(bytes(r.creditorAccountHash)),
  ];
}

/** §4: leaf = keccak256(keccak256(word0 ‖ … ‖ word7)). */
const specLeaf = (words: readonly string[]): string => `0x${hex(keccak(keccak(bytes(words.join("")))))}`;

/** §5: the tree: sorted leaves at the end of a 2n − 1 array, parents hash their sorted children. */
function specTree(leaves: readonly string[]): string[] {
  const sorted = [...leaves].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const n = sorted.length;
  const t: string[] = new Array<string>(2 * n - 1);
  sorted.forEach((leaf, i) => (t[2 * n - 2 - i] = leaf));
  for (let k = n - 2; k >= 0; k--) {
    const [a, b] = [t[2 * k + 1], t[2 * k + 2]].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    t[k] = `0x${hex(keccak(bytes(a.slice(2) + b.slice(2))))}`;
  }
  return t;
}

/** §6: keccak256(abi.encode(address[] counterparties, uint256[] totals)), encoded by hand. */
function specTotalsCommitment(counterparties: readonly string[], totals: readonly string[]): string {
  const n = counterparties.length;
  const words = [
    uintWord(64n),
    uintWord(BigInt(64 + 32 * (n + 1))),
    uintWord(BigInt(n)),
    ...counterparties.map((c) => uintWord(BigInt(c))),
    uintWord(BigInt(n)),
    ...totals.map((t) => uintWord(BigInt(t))),
  ];
  return `0x${hex(keccak(bytes(words.join(""))))}`;
}

/** §7: canonical JSON (keys sorted at every depth, no whitespace). */
function specCanonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(specCanonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${specCanonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

// ---------------------------------------------------------------- the checks
describe("docs/spec/batch-encoding.md vectors", () => {
  it("the vectors file is what the generator computes now (not stale)", () => {
    expect(JSON.parse(JSON.stringify(computeVectors()))).to.deep.equal(vectors);
    expect(vectors.payments.length).to.be.at.least(3);
    for (const p of vectors.payments) expect(xml).to.include(p.snippet);
  });

  it("(a) the SDK imports the pacs.008 into the records, words, leaves, root and header of the vectors", () => {
    const { records } = importPacs008(xml, { banks: vectors.pacs008.banks });
    expect(records.map((r) => ({ ...r, amount: r.amount.toString() }))).to.deep.equal(
      vectors.payments.map((p) => p.record),
    );
    records.forEach((r, i) => {
      expect(encodeRecord(r).map(uintWord), `payment ${i}`).to.deep.equal(vectors.payments[i].words);
      expect(leafOf(r), `payment ${i}`).to.equal(vectors.payments[i].leaf);
    });
    const batch = buildBatch(records, {
      submitter: vectors.batch.submitter,
      key: "2026-01-02-A",
      metadata: vectors.batch.metadata,
    });
    expect(batch.header).to.deep.include({
      root: vectors.batch.root,
      entryCount: vectors.batch.entryCount,
      grossTotal: BigInt(vectors.batch.grossTotal),
      totalsCommitment: vectors.batch.totalsCommitment,
      metadataDigest: vectors.batch.metadataDigest,
      counterparties: vectors.batch.counterparties,
    });
    expect(batch.header.totals.map(String)).to.deep.equal(vectors.batch.totals);
    expect(canonicalJson(vectors.batch.metadata)).to.equal(vectors.batch.canonicalMetadata);
    for (const t of vectors.smallerTrees) {
      expect(rootOfLeaves(vectors.payments.slice(0, t.payments).map((p) => p.leaf as `0x${string}`))).to.equal(t.root);
    }
    const [iban, other, none] = vectors.accountHashes;
    expect(accountHash(iban.text!)).to.equal(iban.hash);
    expect(otherAccountHash(other.text!)).to.equal(other.hash);
    expect(NO_ACCOUNT_HASH).to.equal(none.hash);
  });

  it("(b) an implementation of the spec alone computes the same words, leaves, tree and root", () => {
    for (const a of vectors.accountHashes) {
      expect(`0x${hex(account(a.kind, a.text))}`, a.kind).to.equal(a.hash);
      if (a.preimage) expect(`0x${hex(utf8(`${a.kind}:${a.text!}`))}`).to.equal(a.preimage);
    }
    // The same text as IBAN and as Othr/Id: different hashes (domain separation).
    expect(vectors.accountHashes[0].text).to.equal(vectors.accountHashes[1].text);
    expect(vectors.accountHashes[0].hash).not.to.equal(vectors.accountHashes[1].hash);
    for (const [i, p] of vectors.payments.entries()) {
      expect(specWords(p.record), `payment ${i} words`).to.deep.equal(p.words);
      expect(specLeaf(p.words), `payment ${i} leaf`).to.equal(p.leaf);
    }
    const leaves = vectors.payments.map((p) => p.leaf);
    const tree = specTree(leaves);
    expect(tree).to.deep.equal(vectors.batch.tree);
    expect(tree[0]).to.equal(vectors.batch.root);
    expect([...leaves].sort()).to.deep.equal(vectors.batch.sortedLeaves);
    for (const t of vectors.smallerTrees) {
      const small = specTree(leaves.slice(0, t.payments));
      expect(small, `${t.payments} payments`).to.deep.equal(t.tree);
      expect(small[0]).to.equal(t.root);
    }
    // Counterparties ascending by address (as numbers), totals per counterparty.
    const byCreditor = new Map<string, bigint>();
    for (const p of vectors.payments) {
      const c = p.record.creditorBank;
      byCreditor.set(c, (byCreditor.get(c) ?? 0n) + BigInt(p.record.amount));
    }
    const counterparties = [...byCreditor.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(counterparties).to.deep.equal(vectors.batch.counterparties);
    expect(counterparties.map((c) => byCreditor.get(c)!.toString())).to.deep.equal(vectors.batch.totals);
    expect(specTotalsCommitment(counterparties, vectors.batch.totals)).to.equal(vectors.batch.totalsCommitment);
    expect(specCanonical(vectors.batch.metadata)).to.equal(vectors.batch.canonicalMetadata);
    expect(`0x${hex(keccak(utf8(vectors.batch.canonicalMetadata)))}`).to.equal(vectors.batch.metadataDigest);
  });
});
