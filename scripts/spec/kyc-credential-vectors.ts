/**
 * Writes docs/spec/vectors/kyc-credential.json, the test vectors of docs/spec/kyc-credential.md:
 * three tier credentials (secret, tier → commitment), the 3-leaf lean-imt tree over them (root and
 * every leaf's padded path), nullifiers for a text scope, and the public signals of a kyc_tier proof.
 * Computed with the SDK; test/zk/kycCredentialSpec.test.ts checks the file against the SDK and
 * against an implementation written from the spec alone.
 *
 *   npx ts-node -r tsconfig-paths/register scripts/spec/kyc-credential-vectors.ts && npx prettier --write docs/spec/vectors/kyc-credential.json
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, stringToHex, toHex } from "viem";
import { identityCommitment, KycTree, nullifierOf, tierCommitment } from "../../packages/zk/src/kyc";

export const VECTORS_JSON = join(__dirname, "..", "..", "docs", "spec", "vectors", "kyc-credential.json");

/** Three customers' secrets (any field elements; real ones are random) and tiers. */
export const CREDENTIALS = [
  { secret: 0x0a11cen, tier: 1 },
  { secret: 0x0b0bn, tier: 2 },
  { secret: 0x1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8n, tier: 255 },
];
/** The scope as text, encoded as the CLI does: keccak256(utf8(text)) >> 8. */
export const SCOPE_TEXT = "escrow-42";
export const MESSAGE = 0x2an;
/** The proof vector: credential 1 (tier 2) proves minTier 2. */
export const PROVER = 1;
export const MIN_TIER = 2;

const h = (x: bigint): string => toHex(x, { size: 32 });

export function computeVectors() {
  const commitments = CREDENTIALS.map((c) => tierCommitment(c.secret, c.tier));
  const tree = new KycTree(commitments);
  const scope = BigInt(keccak256(stringToHex(SCOPE_TEXT))) >> 8n;
  const nullifiers = CREDENTIALS.map((c) => nullifierOf(c.secret, scope));
  return {
    credentials: CREDENTIALS.map((c, i) => ({
      secret: h(c.secret),
      tier: c.tier,
      commitment: h(commitments[i]),
      membershipCommitment: h(identityCommitment(c.secret)),
    })),
    tree: {
      size: tree.size,
      root: h(tree.root),
      paths: commitments.map((c) => {
        const p = tree.path(c);
        return { depth: p.depth, index: p.index, siblings: p.siblings.slice(0, p.depth).map(h) };
      }),
    },
    scope: { text: SCOPE_TEXT, field: h(scope) },
    nullifiers: nullifiers.map(h),
    proof: {
      credential: PROVER,
      minTier: MIN_TIER,
      message: h(MESSAGE),
      publicSignals: [tree.root, nullifiers[PROVER], scope, MESSAGE, BigInt(MIN_TIER)].map((x) => x.toString()),
    },
  };
}

if (require.main === module) {
  writeFileSync(VECTORS_JSON, JSON.stringify(computeVectors(), null, 2) + "\n");
  console.log(`wrote ${VECTORS_JSON}`);
}
