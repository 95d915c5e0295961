pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/mux1.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// Root of a lean incremental Merkle tree (@zk-kit/lean-imt with Poseidon(2)) from a leaf and its
// proof. A lean-imt proof has one sibling per level that has one, so its length `depth` is at most
// MAX_DEPTH: siblings past it are ignored (pad them with 0) and bit i of `index` says whether the
// node at level i is a right child. The root is the node reached after `depth` hashes. A `depth`
// above MAX_DEPTH gives root 0, which no tree has. Same construction as Semaphore v4.
template BinaryMerkleRoot(MAX_DEPTH) {
    signal input leaf;
    signal input depth;
    signal input index;
    signal input siblings[MAX_DEPTH];

    signal output out;

    signal nodes[MAX_DEPTH + 1];
    nodes[0] <== leaf;

    signal roots[MAX_DEPTH];
    var root = 0;

    signal indices[MAX_DEPTH] <== Num2Bits(MAX_DEPTH)(index);

    for (var i = 0; i < MAX_DEPTH; i++) {
        var isDepth = IsEqual()([depth, i]);
        roots[i] <== isDepth * nodes[i];
        root += roots[i];

        var c[2][2] = [[nodes[i], siblings[i]], [siblings[i], nodes[i]]];
        var childNodes[2] = MultiMux1(2)(c, indices[i]);
        nodes[i + 1] <== Poseidon(2)(childNodes);
    }

    var isDepth = IsEqual()([depth, MAX_DEPTH]);
    out <== root + isDepth * nodes[MAX_DEPTH];
}

// Root of a complete binary tree of Poseidon(2) over 2^LEVELS leaves (level by level, left to right).
template CompleteMerkleRoot(LEVELS) {
    var N = 1 << LEVELS;
    signal input leaves[N];
    signal output out;

    component hashers[N - 1];
    var width = N;
    var offset = 0; // where the current level starts among the hashers
    signal nodes[2 * N - 1];
    for (var i = 0; i < N; i++) nodes[i] <== leaves[i];
    var written = N;
    var readFrom = 0;
    for (var level = 0; level < LEVELS; level++) {
        for (var j = 0; j < width / 2; j++) {
            hashers[offset + j] = Poseidon(2);
            hashers[offset + j].inputs[0] <== nodes[readFrom + 2 * j];
            hashers[offset + j].inputs[1] <== nodes[readFrom + 2 * j + 1];
            nodes[written + j] <== hashers[offset + j].out;
        }
        readFrom += width;
        written += width / 2;
        offset += width / 2;
        width = width / 2;
    }
    out <== nodes[2 * N - 2];
}
