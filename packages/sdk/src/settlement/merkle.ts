/**
 * The Merkle tree of a standard settlement batch: byte-for-byte the tree of OpenZeppelin's
 * `StandardMerkleTree.of(records.map(encodeRecord), RECORD_LEAF_TYPES)` — the same leaves
 * (keccak256(keccak256(abi.encode(values)))), sorted the same way, in the same flat layout, so the
 * same root and the same proofs, which OpenZeppelin's `MerkleProof.verify` (sorted-pair hashing)
 * accepts on chain — built several times faster: each record's eight words are written straight
 * into one reused 256-byte buffer (no BigInt, no hex strings) and every node lives in one flat byte
 * array.
 *
 * Layout (OpenZeppelin's): for n leaves sorted ascending, node k of the 2n − 1 nodes has children
 * 2k + 1 and 2k + 2; the i-th smallest leaf is node 2n − 2 − i; a parent is the keccak256 of its
 * two children, the smaller first.
 *
 * Every function takes an optional `treeHash` (decision 046): `"sm3"` builds the same tree with
 * SM3 in place of keccak256 for the leaf's two hashes and for the nodes (./treeHash.ts).
 */
import { poseidon8 } from "poseidon-lite/poseidon8";
import { bytesToHex, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";
import { keccakInto } from "./keccak";
import { daysSinceEpoch, encodeRecord, MAX_AMOUNT, type PaymentRecord } from "./record";
import { DEFAULT_TREE_HASH, hashIntoOf, type HashInto, type TreeHash } from "./treeHash";

/** Options of `buildBatchTree`. */
export interface BuildBatchTreeOptions {
  /** Called with the hashes done so far and the total (2n − 1), at least every 1 % and at the end. */
  onProgress?(done: number, total: number): void;
  /** The hash of leaves and nodes (default keccak256: StandardMerkleTree). */
  treeHash?: TreeHash;
}

/** A Merkle tree over a batch's records (OpenZeppelin StandardMerkleTree compatible). */
export interface BatchTree {
  /** The root, as anchored on chain. */
  readonly root: Hex;
  /** The hash of its leaves and nodes. */
  readonly treeHash: TreeHash;
  /** Number of records (leaves). */
  readonly size: number;
  /** The leaf hash of the record at `index` (input order). */
  leafHash(index: number): Hex;
  /** The proof of the record at `index` (input order), leaf to root, for `MerkleProof.verify`. */
  proof(index: number): Hex[];
  /** The input index of the record with this payment id, or −1. */
  indexOf(paymentId: string): number;
}

const WORDS = 8;
const LEAF_INPUT = WORDS * 32;
/** Hex digit values by char code (−1: not a hex digit). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX["0123456789abcdef".charCodeAt(i)] = i;
  HEX["0123456789ABCDEF".charCodeAt(i)] = i;
}

/** Parse `0x` + 2·length hex digits into `out[offset…]`; false if malformed. */
function hexInto(hex: unknown, out: Uint8Array, offset: number, length: number): boolean {
  if (typeof hex !== "string" || hex.length !== 2 + 2 * length || hex.charCodeAt(0) !== 48) return false;
  if ((hex.charCodeAt(1) | 0x20) !== 120) return false;
  for (let i = 0, c = 2; i < length; i++, c += 2) {
    const a = hex.charCodeAt(c);
    const b = hex.charCodeAt(c + 1);
    const hi = a < 128 ? HEX[a] : -1;
    const lo = b < 128 ? HEX[b] : -1;
    if (hi < 0 || lo < 0) return false;
    out[offset + i] = (hi << 4) | lo;
  }
  return true;
}

const utf8 = new TextEncoder();
const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

/**
 * Writes a record's leaf input — abi.encode(RECORD_LEAF_TYPES, encodeRecord(r)), eight 32-byte
 * big-endian words — into one reused buffer, without BigInt arithmetic beyond the amount and
 * without hex strings. Caches the few banks and value dates a batch repeats. The tests pin it to
 * `encodeRecord` + OpenZeppelin's encoder.
 */
class Encoder {
  private readonly words = new Uint8Array(LEAF_INPUT); // padding bytes are never written: stay zero
  private readonly hash = new Uint8Array(32);
  private text = new Uint8Array(128);
  private readonly addresses = new Map<unknown, Uint8Array>();
  private readonly days = new Map<unknown, number>();
  /** The record being encoded, for error messages (`records[3]`). */
  private where = "record";

  /** `treeHash`: the leaf's two hashes (the words' own hashes stay keccak256). */
  constructor(private readonly treeHash: HashInto = keccakInto) {}

  private fail(field: string, problem: string): never {
    throw new InvalidArgumentError(`${this.where}.${field}`, problem);
  }

  /** keccak256(utf8(text)) >> 8 into the word at `offset`. */
  private hashText(text: unknown, offset: number, field: string): void {
    if (typeof text !== "string") this.fail(field, "is not a string");
    if (this.text.length < 3 * text.length) this.text = new Uint8Array(3 * text.length);
    const { written } = utf8.encodeInto(text, this.text);
    keccakInto(this.text, 0, written, this.hash, 0);
    this.words.set(this.hash.subarray(0, 31), offset + 1);
  }

  /** A 32-byte hex hash >> 8 into the word at `offset`: a zero byte, then its first 31 bytes. */
  private hash248(value: unknown, offset: number, field: string): void {
    if (!hexInto(value, this.hash, 0, 32)) this.fail(field, "must be a 32-byte hex hash");
    this.words.set(this.hash.subarray(0, 31), offset + 1);
  }

  /** An address, left-padded, into the word at `offset`. */
  private address(value: unknown, offset: number, field: string): void {
    let bytes = this.addresses.get(value);
    if (bytes === undefined) {
      bytes = new Uint8Array(20);
      if (!hexInto(value, bytes, 0, 20)) this.fail(field, `${show(value)} is not an address`);
      this.addresses.set(value, bytes);
    }
    this.words.set(bytes, offset + 12);
  }

  private encode(r: PaymentRecord): Uint8Array {
    const w = this.words;
    this.hashText(r.paymentId, 0, "paymentId");
    this.address(r.debtorBank, 32, "debtorBank");
    this.address(r.creditorBank, 64, "creditorBank");
    const amount: unknown = r.amount;
    if (typeof amount !== "bigint" || amount < 0n || amount > MAX_AMOUNT) {
      this.fail("amount", `${show(amount)} is not a bigint that fits uint64`);
    }
    const hi = Number(amount >> 32n);
    const lo = Number(amount & 0xffffffffn);
    w[120] = hi >>> 24;
    w[121] = hi >>> 16;
    w[122] = hi >>> 8;
    w[123] = hi;
    w[124] = lo >>> 24;
    w[125] = lo >>> 16;
    w[126] = lo >>> 8;
    w[127] = lo;
    const currency: unknown = r.currency;
    if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) {
      this.fail("currency", `${show(currency)} is not an ISO 4217 code`);
    }
    let days = this.days.get(r.valueDate);
    if (days === undefined) {
      days = typeof r.valueDate === "string" ? daysSinceEpoch(r.valueDate) : -1;
      if (days < 0) this.fail("valueDate", `${show(r.valueDate)} is not a YYYY-MM-DD date`);
      this.days.set(r.valueDate, days);
    }
    // currency (3 ASCII bytes) << 32 | days: bytes 25…27 and 28…31 of word 4.
    w[153] = currency.charCodeAt(0);
    w[154] = currency.charCodeAt(1);
    w[155] = currency.charCodeAt(2);
    w[156] = days >>> 24;
    w[157] = days >>> 16;
    w[158] = days >>> 8;
    w[159] = days;
    this.hashText(r.endToEndId, 160, "endToEndId");
    this.hash248(r.debtorAccountHash, 192, "debtorAccountHash");
    this.hash248(r.creditorAccountHash, 224, "creditorAccountHash");
    return w;
  }

  /** The standard leaf hash of a record, H(H(leaf input)) (H keccak256 or SM3), into `out[offset…]`. */
  leaf(r: PaymentRecord, where: string, out: Uint8Array, offset: number): void {
    this.where = where;
    this.treeHash(this.encode(r), 0, LEAF_INPUT, this.hash, 0);
    this.treeHash(this.hash, 0, 32, out, offset);
  }

  /**
   * The first `length` (≤ 31) bytes of keccak256(paymentId) of the record last passed to `leaf`,
   * into `out[offset…]`: a compact key for finding duplicate payment ids without keeping the ids.
   */
  paymentIdHash(out: Uint8Array, offset: number, length: number): void {
    out.set(this.words.subarray(1, 1 + length), offset);
  }
}

/** Hashes records into leaves with one reused buffer (see `buildBatchTree`); for streaming builders. */
export interface LeafEncoder {
  /** The record's standard leaf hash into `out[offset … offset + 32)`; `where` names it in errors. */
  leaf(record: PaymentRecord, where: string, out: Uint8Array, offset: number): void;
  /** The first `length` (≤ 31) bytes of keccak256(paymentId) of the record last hashed. */
  paymentIdHash(out: Uint8Array, offset: number, length: number): void;
}

/** A new `LeafEncoder` (not shared between concurrent builders: it reuses its buffers). */
export function createLeafEncoder(treeHash: TreeHash = DEFAULT_TREE_HASH): LeafEncoder {
  return new Encoder(hashIntoOf(treeHash));
}

/** 32-byte nodes `a` and `b` of `nodes`: negative, zero or positive as a <, =, > b (as uint256). */
function compareNodes(nodes: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 32; i++) {
    const d = nodes[a + i] - nodes[b + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** H(nodes `a` and `b` of `src`, the smaller first) into `dst[at…]` (one reused buffer). */
const pair = new Uint8Array(64);
function hashPair(src: Uint8Array, a: number, b: number, dst: Uint8Array, at: number, hash: HashInto): void {
  if (compareNodes(src, a, b) > 0) [a, b] = [b, a];
  for (let i = 0; i < 32; i++) {
    pair[i] = src[a + i];
    pair[32 + i] = src[b + i];
  }
  hash(pair, 0, 64, dst, at);
}

/** Report progress at least every 1 % and at the end. */
function progress(total: number, onProgress: BuildBatchTreeOptions["onProgress"]): (done: number) => void {
  if (!onProgress) return () => {};
  const step = Math.max(1, Math.floor(total / 100));
  let next = step;
  return (done) => {
    if (done >= next || done === total) {
      onProgress(done, total);
      next = done + step;
    }
  };
}

/**
 * Lay out and hash the tree over `leaves` (n × 32 bytes, input order). Returns the 2n − 1 nodes
 * and, per input index, its node index.
 */
function buildNodes(
  leaves: Uint8Array,
  n: number,
  report: (done: number) => void,
  doneBefore: number,
  hash: HashInto,
): { nodes: Uint8Array; nodeOf: Uint32Array } {
  // Sort input indexes by leaf, ties in input order (OpenZeppelin sorts stably).
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const prefix = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const o = 32 * i;
    prefix[i] = ((leaves[o] << 24) | (leaves[o + 1] << 16) | (leaves[o + 2] << 8) | leaves[o + 3]) >>> 0;
  }
  order.sort((a, b) => prefix[a] - prefix[b] || compareNodes(leaves, 32 * a, 32 * b) || a - b);
  const count = 2 * n - 1;
  const nodes = new Uint8Array(32 * count);
  const nodeOf = new Uint32Array(n);
  for (let s = 0; s < n; s++) {
    const node = count - 1 - s;
    const i = order[s];
    nodeOf[i] = node;
    nodes.set(leaves.subarray(32 * i, 32 * i + 32), 32 * node);
  }
  for (let k = n - 2, done = doneBefore; k >= 0; k--) {
    hashPair(nodes, 32 * (2 * k + 1), 32 * (2 * k + 2), nodes, 32 * k, hash);
    report(++done);
  }
  return { nodes, nodeOf };
}

class FlatBatchTree implements BatchTree {
  readonly root: Hex;

  constructor(
    private readonly nodes: Uint8Array,
    private readonly nodeOf: Uint32Array,
    private readonly ids: Map<string, number>,
    readonly treeHash: TreeHash,
  ) {
    this.root = bytesToHex(nodes.subarray(0, 32));
  }

  get size(): number {
    return this.nodeOf.length;
  }

  private node(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.nodeOf.length) {
      throw new InvalidArgumentError("index", `${index} is outside 0 … ${this.nodeOf.length - 1}`);
    }
    return this.nodeOf[index];
  }

  leafHash(index: number): Hex {
    const k = this.node(index);
    return bytesToHex(this.nodes.subarray(32 * k, 32 * k + 32));
  }

  proof(index: number): Hex[] {
    const proof: Hex[] = [];
    for (let k = this.node(index); k > 0; k = (k - 1) >> 1) {
      const sibling = k % 2 === 1 ? k + 1 : k - 1;
      proof.push(bytesToHex(this.nodes.subarray(32 * sibling, 32 * sibling + 32)));
    }
    return proof;
  }

  indexOf(paymentId: string): number {
    return this.ids.get(paymentId) ?? -1;
  }
}

/**
 * Build the Merkle tree of a batch: the same root and proofs as OpenZeppelin's
 * `StandardMerkleTree.of(records.map(encodeRecord), RECORD_LEAF_TYPES)`, much faster. Records
 * should be validated (`validateRecord`); the fields the encoding reads are checked here too.
 * Duplicate payment ids are refused, naming both positions.
 */
export function buildBatchTree(records: readonly PaymentRecord[], opts: BuildBatchTreeOptions = {}): BatchTree {
  const n = records.length;
  if (n === 0) throw new InvalidArgumentError("records", "is empty: a tree needs at least one record");
  const total = 2 * n - 1;
  const report = progress(total, opts.onProgress);
  const ids = new Map<string, number>();
  const treeHash = opts.treeHash ?? DEFAULT_TREE_HASH;
  const hash = hashIntoOf(treeHash);
  const encoder = new Encoder(hash);
  const leaves = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const first = ids.get(r.paymentId);
    if (first !== undefined) {
      throw new InvalidArgumentError(
        `records[${i}].paymentId`,
        `${JSON.stringify(r.paymentId)} is also the payment id of records[${first}]`,
        "A payment id appears once per batch: remove the duplicate or give it its own id.",
      );
    }
    ids.set(r.paymentId, i);
    encoder.leaf(r, `records[${i}]`, leaves, 32 * i);
    report(i + 1);
  }
  const { nodes, nodeOf } = buildNodes(leaves, n, report, n, hash);
  return new FlatBatchTree(nodes, nodeOf, ids, treeHash);
}

/**
 * The standard leaf hash of a record: keccak256(keccak256(abi.encode(RECORD_LEAF_TYPES, encodeRecord(r)))),
 * or with `"sm3"` SM3(SM3(…)) of the same 256 bytes.
 */
export function leafOf(record: PaymentRecord, treeHash: TreeHash = DEFAULT_TREE_HASH): Hex {
  const out = new Uint8Array(32);
  new Encoder(hashIntoOf(treeHash)).leaf(record, "record", out, 0);
  return bytesToHex(out);
}

/** The leaf hashes of many records, in their order (as `leafOf`, sharing one encoder). */
export function leavesOf(records: readonly PaymentRecord[], treeHash: TreeHash = DEFAULT_TREE_HASH): Hex[] {
  const encoder = new Encoder(hashIntoOf(treeHash));
  const out = new Uint8Array(32);
  return records.map((r, i) => {
    encoder.leaf(r, `records[${i}]`, out, 0);
    return bytesToHex(out);
  });
}

/** The root of the standard tree over given leaf hashes (any order; sorted as StandardMerkleTree does). */
export function rootOfLeaves(leafHashes: readonly Hex[], treeHash: TreeHash = DEFAULT_TREE_HASH): Hex {
  const n = leafHashes.length;
  if (n === 0) throw new InvalidArgumentError("leaves", "is empty");
  const leaves = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) {
    if (!hexInto(leafHashes[i], leaves, 32 * i, 32))
      throw new InvalidArgumentError(`leaves[${i}]`, "is not a 32-byte hash");
  }
  return bytesToHex(buildNodes(leaves, n, () => {}, 0, hashIntoOf(treeHash)).nodes.subarray(0, 32));
}

/**
 * The root of the standard tree over `n` leaf hashes packed in `leaves` (32 bytes each, any
 * order), without hex strings: what `rootOfLeaves` computes, for streaming builders and readers.
 * `onProgress` counts the n − 1 pair hashes.
 */
export function rootOfLeafBytes(
  leaves: Uint8Array,
  n: number,
  onProgress?: (done: number, total: number) => void,
  treeHash: TreeHash = DEFAULT_TREE_HASH,
): Hex {
  if (n < 1) throw new InvalidArgumentError("leaves", "is empty");
  if (leaves.length < 32 * n) throw new InvalidArgumentError("leaves", `holds fewer than ${n} hashes`);
  const report = progress(Math.max(1, n - 1), onProgress);
  return bytesToHex(buildNodes(leaves, n, report, 0, hashIntoOf(treeHash)).nodes.subarray(0, 32));
}

/**
 * The proof of the leaf at `index` among `n` leaf hashes packed in `leaves` (input order), leaf to
 * root, as `BatchTree.proof` gives it: for readers that hold leaves, not records.
 */
export function proofOfLeafBytes(
  leaves: Uint8Array,
  n: number,
  index: number,
  treeHash: TreeHash = DEFAULT_TREE_HASH,
): Hex[] {
  if (n < 1) throw new InvalidArgumentError("leaves", "is empty");
  if (leaves.length < 32 * n) throw new InvalidArgumentError("leaves", `holds fewer than ${n} hashes`);
  const { nodes, nodeOf } = buildNodes(leaves, n, () => {}, 0, hashIntoOf(treeHash));
  return new FlatBatchTree(nodes, nodeOf, new Map(), treeHash).proof(index);
}

/**
 * Whether `proof` proves `record` under `root`: recompute its leaf and fold the proof with
 * sorted-pair keccak256, as OpenZeppelin's `MerkleProof.verify` does (with `"sm3"`: sorted-pair SM3,
 * as `SM3MerkleProof.verify`). Malformed hex is refused.
 */
export function verifyInclusion(
  root: Hex,
  record: PaymentRecord,
  proof: readonly Hex[],
  treeHash: TreeHash = DEFAULT_TREE_HASH,
): boolean {
  const buf = new Uint8Array(96);
  const hash = hashIntoOf(treeHash);
  if (!hexInto(root, buf, 64, 32)) throw new InvalidArgumentError("root", "is not a 32-byte hash");
  new Encoder(hash).leaf(record, "record", buf, 0);
  for (let i = 0; i < proof.length; i++) {
    if (!hexInto(proof[i], buf, 32, 32)) throw new InvalidArgumentError(`proof[${i}]`, "is not a 32-byte hash");
    hashPair(buf, 0, 32, buf, 0, hash);
  }
  return compareNodes(buf, 0, 64) === 0;
}

/**
 * The Poseidon leaf of a record for a private-mode batch: poseidon8 (poseidon-lite, BN254) over the
 * same eight values as the keccak leaf. Slow by design of the library: about 1 ms per leaf here,
 * so 100k leaves are over a minute before any tree hashing (a 2^16-leaf Poseidon tree took ~30 s).
 * Building and proving Poseidon trees is the zk layer's job, not this module's.
 */
export function poseidonLeaf(record: PaymentRecord): bigint {
  return poseidon8([...encodeRecord(record)]);
}
