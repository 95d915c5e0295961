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
import { Encoder, hexInto } from "./leafEncoder";
import { encodeRecord, type PaymentRecord } from "./record";
import { DEFAULT_TREE_HASH, hashIntoOf, type HashInto, type TreeHash } from "./treeHash";

export { createLeafEncoder, type LeafEncoder } from "./leafEncoder";

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
