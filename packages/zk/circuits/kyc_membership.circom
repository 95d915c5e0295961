pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";
include "./lib/binary_merkle_root.circom";

// KYC membership. A customer proves that their identity commitment Poseidon(secret) is a leaf of
// a bank's KYC credential tree (lean-imt, Poseidon, depth <= MAX_DEPTH) without saying which leaf
// or which bank, and exposes nullifier = Poseidon(secret, scope) so one credential acts once per
// scope. `message` (e.g. an escrow agreement id) is bound to the proof so it cannot be replayed
// for another purpose.
// Public signals, in order: root, nullifier, scope, message.
template KycMembership(MAX_DEPTH) {
    signal input secret;
    signal input depth;
    signal input index;
    signal input siblings[MAX_DEPTH];
    signal input scope;
    signal input message;

    signal output root;
    signal output nullifier;

    signal identity <== Poseidon(1)([secret]);
    root <== BinaryMerkleRoot(MAX_DEPTH)(identity, depth, index, siblings);
    nullifier <== Poseidon(2)([secret, scope]);

    // Bind message and scope into the proof (a constraint on each, as Semaphore does).
    signal messageSquare <== message * message;
    signal scopeSquare <== scope * scope;
}
