/**
 * Which hash a batch's Merkle tree uses (decision 046): `keccak256`, OpenZeppelin's
 * StandardMerkleTree (the default, and every batch before decision 046), or `sm3` (GB/T 32905),
 * the same tree with SM3 in place of keccak256 for the leaf's two hashes and for every node. The
 * record's eight words are the same under both (their account and id hashes stay keccak256: they
 * are the record's encoding, not the tree's).
 *
 * SM3 runs on hash-wasm's WebAssembly SM3 once loaded (as `keccak.ts` does for keccak256), and on
 * sm-crypto-v2's JavaScript SM3 until then; the two compute the same function (the tests compare
 * them), so which one ran never changes a result.
 */
import { createSM3, type IHasher } from "hash-wasm";
import { sm3 } from "sm-crypto-v2";
import { InvalidArgumentError } from "../errors/base";
import { keccakInto } from "./keccak";

/** The hash of a batch tree's leaves and nodes. */
export type TreeHash = "keccak256" | "sm3";
/** Every `TreeHash`; the first is the default (absent from a batch file = keccak256). */
export const TREE_HASHES: readonly TreeHash[] = ["keccak256", "sm3"];
/** The tree hash of a batch that names none (every file written before decision 046). */
export const DEFAULT_TREE_HASH: TreeHash = "keccak256";

/** A hash into a buffer: `src[offset … offset + length)` → `dst[at … at + 32)`. */
export type HashInto = (src: Uint8Array, offset: number, length: number, dst: Uint8Array, at: number) => void;

let wasm: IHasher | undefined;
let loading: Promise<boolean> | undefined;

/** Start loading the WebAssembly SM3 (once); resolves true when it serves calls. Never rejects. */
export function fastSm3Ready(): Promise<boolean> {
  loading ??= createSM3().then(
    (hasher) => {
      wasm = hasher;
      return true;
    },
    () => false,
  );
  return loading;
}

const HEX_DIGITS = /^[0-9a-f]{64}$/;

/** sm-crypto-v2's SM3 alone (the reference), for the tests that compare the two. */
export function sm3IntoJs(src: Uint8Array, offset: number, length: number, dst: Uint8Array, at: number): void {
  const hex = sm3(src.subarray(offset, offset + length));
  if (!HEX_DIGITS.test(hex)) throw new Error(`sm-crypto-v2 returned ${hex.length} characters for an SM3 digest`);
  for (let i = 0; i < 32; i++) dst[at + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

/** SM3 (GB/T 32905) of `src[offset … offset + length)` into `dst[at … at + 32)`. */
export function sm3Into(src: Uint8Array, offset: number, length: number, dst: Uint8Array, at: number): void {
  if (wasm) {
    wasm.init();
    wasm.update(src.subarray(offset, offset + length));
    dst.set(wasm.digest("binary"), at);
    return;
  }
  if (!loading) void fastSm3Ready();
  sm3IntoJs(src, offset, length, dst, at);
}

/** The hash function of a tree hash. */
export function hashIntoOf(treeHash: TreeHash): HashInto {
  return treeHash === "sm3" ? sm3Into : keccakInto;
}

/**
 * Parse a tree hash named by a user, a file or a setting; `undefined` is the default (keccak256).
 * Anything else is refused, naming where it came from.
 */
export function parseTreeHash(value: unknown, where = "treeHash"): TreeHash {
  if (value === undefined) return DEFAULT_TREE_HASH;
  if (typeof value === "string" && (TREE_HASHES as readonly string[]).includes(value)) return value as TreeHash;
  throw new InvalidArgumentError(
    where,
    `${JSON.stringify(value)} is not a tree hash (expected ${TREE_HASHES.map((h) => `"${h}"`).join(" or ")})`,
    "A batch tree is hashed with keccak256 (the default) or sm3.",
  );
}

/** The on-chain `TreeHash` enum value (ISettlementLedger: Keccak256 0, SM3 1). */
export function treeHashCode(treeHash: TreeHash): 0 | 1 {
  return treeHash === "sm3" ? 1 : 0;
}
