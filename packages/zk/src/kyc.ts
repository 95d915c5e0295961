/**
 * KYC credentials. A customer keeps a random `secret`; the identity commitment Poseidon(secret) is
 * what a bank puts in its KYC credential tree (a lean incremental Merkle tree with Poseidon(2),
 * @zk-kit/lean-imt, as Semaphore v4 uses). A `kyc_membership` proof shows the commitment is in a
 * tree with a given root and exposes nullifier = Poseidon(secret, scope). A tier credential's leaf
 * is Poseidon(secret, tier) instead (`tierCommitment`), proven with `kyc_tier`
 * (docs/spec/kyc-credential.md); both kinds of leaf live in the same kind of tree.
 */
import { LeanIMT } from "@zk-kit/lean-imt";
import { poseidon1 } from "poseidon-lite/poseidon1";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { KYC_MAX_DEPTH, kycTier } from "@clearhouse/sdk/zk";
import { toField } from "@clearhouse/sdk/zk";

/** Poseidon(secret): the leaf a bank enrolls for its customer. */
export function identityCommitment(secret: bigint): bigint {
  return poseidon1([toField(secret, "secret")]);
}

/** Poseidon(secret, tier): the leaf a bank enrolls for a tier credential (tier 1..255). */
export function tierCommitment(secret: bigint, tier: number): bigint {
  return poseidon2([toField(secret, "secret"), BigInt(kycTier(tier, "tier"))]);
}

/** Poseidon(secret, scope): one per credential and scope. */
export function nullifierOf(secret: bigint, scope: bigint): bigint {
  return poseidon2([toField(secret, "secret"), toField(scope, "scope")]);
}

/** A Merkle path in the form the circuit takes (siblings padded with 0 to the maximum depth). */
export interface KycPath {
  root: bigint;
  leaf: bigint;
  /** Number of real siblings (hashes on the path). */
  depth: number;
  /** Bit i: the node at level i is a right child (lean-imt packs only the real levels). */
  index: number;
  siblings: bigint[];
}

const hash = (a: bigint, b: bigint): bigint => poseidon2([a, b]);

/** A bank's KYC credential tree. */
export class KycTree {
  private readonly tree: LeanIMT<bigint>;

  constructor(commitments: readonly bigint[] = []) {
    commitments.forEach((c, i) => toField(c, `commitments[${i}]`));
    this.tree = new LeanIMT<bigint>(hash, [...commitments]);
    this.checkDepth();
  }

  get root(): bigint {
    return this.tree.root ?? 0n;
  }

  get size(): number {
    return this.tree.size;
  }

  get commitments(): bigint[] {
    return [...this.tree.leaves];
  }

  /** Enroll a customer's identity commitment; returns its index. Refuses duplicates. */
  add(commitment: bigint): number {
    const c = toField(commitment, "commitment");
    if (this.tree.has(c)) throw new InvalidArgumentError("commitment", `0x${c.toString(16)} is already in the tree`);
    this.tree.insert(c);
    this.checkDepth();
    return this.tree.size - 1;
  }

  /** The path of a commitment, padded for the circuit. */
  path(commitment: bigint): KycPath {
    const index = this.tree.indexOf(toField(commitment, "commitment"));
    if (index < 0) {
      throw new InvalidArgumentError(
        "commitment",
        `0x${commitment.toString(16)} is not in this KYC tree`,
        "Ask the bank that issued the credential for its current tree.",
      );
    }
    const p = this.tree.generateProof(index);
    const siblings = [...p.siblings, ...new Array<bigint>(KYC_MAX_DEPTH - p.siblings.length).fill(0n)];
    return { root: p.root, leaf: p.leaf, depth: p.siblings.length, index: p.index, siblings };
  }

  private checkDepth(): void {
    if (this.tree.depth > KYC_MAX_DEPTH) {
      throw new InvalidArgumentError(
        "commitments",
        `make a tree deeper than ${KYC_MAX_DEPTH} levels (over 2^20 customers)`,
      );
    }
  }
}

/** The root a path leads to (lean-imt rule: bit i of index says left or right at level i). */
export function rootOfPath(leaf: bigint, depth: number, index: number, siblings: readonly bigint[]): bigint {
  let node = leaf;
  for (let i = 0; i < depth; i++) node = (index >> i) & 1 ? hash(siblings[i], node) : hash(node, siblings[i]);
  return node;
}
