pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "./lib/binary_merkle_root.circom";

// KYC tier. A customer proves that their identity commitment Poseidon(secret, tier) is a leaf of
// the consortium's (or a bank's) KYC credential tree (lean-imt, Poseidon, depth <= MAX_DEPTH) and
// that the tier it carries is at least `minTier`, without saying which leaf, which tier, or which
// bank. Tiers: 1..255, higher = better identified. nullifier = Poseidon(secret, scope), so one
// credential acts once per scope; `message` (e.g. an escrow agreement id) is bound to the proof.
// The leaf form differs from kyc_membership's Poseidon(secret): a tier credential is a new leaf.
// Public signals, in order: root, nullifier, scope, message, minTier.
template KycTier(MAX_DEPTH) {
    signal input secret;
    signal input tier;
    signal input depth;
    signal input index;
    signal input siblings[MAX_DEPTH];
    signal input scope;
    signal input message;
    signal input minTier;

    signal output root;
    signal output nullifier;

    // Both tiers are 8-bit numbers before they are compared (LessThan(n) needs inputs < 2^n).
    _ <== Num2Bits(8)(tier);
    _ <== Num2Bits(8)(minTier);
    signal atLeast <== GreaterEqThan(8)([tier, minTier]);
    atLeast === 1;

    signal identity <== Poseidon(2)([secret, tier]);
    root <== BinaryMerkleRoot(MAX_DEPTH)(identity, depth, index, siblings);
    nullifier <== Poseidon(2)([secret, scope]);

    // Bind message and scope into the proof (a constraint on each, as kyc_membership does).
    signal messageSquare <== message * message;
    signal scopeSquare <== scope * scope;
}
