pragma circom 2.1.5;

// Benchmark peer: the structure of Semaphore v4's circuit (semaphore-protocol/semaphore,
// packages/circuits/src/semaphore.circom) rebuilt from circomlib parts, so its constraint count and
// proving time can be measured in the same run as kyc_membership. Per its documentation, Semaphore
// v4 derives the identity from a Baby Jubjub secret scalar (checked below the subgroup order),
// commits Poseidon(Ax, Ay), proves membership in a lean-imt of depth <= MAX_DEPTH with the path's
// direction bits as inputs, outputs nullifier Poseidon(scope, secret) and squares the message.
include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/mux1.circom";
include "circomlib/circuits/poseidon.circom";

template PeerMerkleRoot(MAX_DEPTH) {
    signal input leaf, depth, indices[MAX_DEPTH], siblings[MAX_DEPTH];
    signal output out;
    signal nodes[MAX_DEPTH + 1];
    signal roots[MAX_DEPTH];
    nodes[0] <== leaf;
    var root = 0;
    for (var i = 0; i < MAX_DEPTH; i++) {
        var isDepth = IsEqual()([depth, i]);
        roots[i] <== isDepth * nodes[i];
        root += roots[i];
        var c[2][2] = [[nodes[i], siblings[i]], [siblings[i], nodes[i]]];
        var children[2] = MultiMux1(2)(c, indices[i]);
        nodes[i + 1] <== Poseidon(2)(children);
    }
    var isMax = IsEqual()([depth, MAX_DEPTH]);
    out <== root + isMax * nodes[MAX_DEPTH];
}

template SemaphoreV4Peer(MAX_DEPTH) {
    signal input secret, depth, indices[MAX_DEPTH], siblings[MAX_DEPTH], message, scope;
    signal output merkleRoot, nullifier;

    var l = 2736030358979909402780800718157159386076813972158567259200215660948447373041;
    signal below <== LessThan(251)([secret, l]);
    below === 1;

    var Ax, Ay;
    (Ax, Ay) = BabyPbk()(secret);
    var commitment = Poseidon(2)([Ax, Ay]);
    merkleRoot <== PeerMerkleRoot(MAX_DEPTH)(commitment, depth, indices, siblings);
    nullifier <== Poseidon(2)([scope, secret]);
    signal messageSquare <== message * message;
}

component main {public [message, scope]} = SemaphoreV4Peer(20);
