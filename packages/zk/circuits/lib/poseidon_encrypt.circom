pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";

// The Poseidon cipher (Dmitry Khovratovich's "Encryption with Poseidon", the scheme of
// @zk-kit/poseidon-cipher and Zeto) for a message of 4 field elements, padded with two zeros:
//   state = (0, key.x, key.y, nonce + 4 * 2^128)
//   state = perm(state); c[0..2] = state[1..3] + m[0..2]; state[1..3] = c[0..2]
//   state = perm(state); c[3..5] = state[1..3] + (m[3], 0, 0); state[1..3] = c[3..5]
//   state = perm(state); c[6] = state[1]                      (the authentication tag)
// perm is the width-4 Poseidon permutation (circomlib's PoseidonEx(3, 4), initial state first).
// The caller keeps nonce < 2^128 (here it is a constant slot index).
template PoseidonEncrypt4() {
    signal input message[4];
    signal input key[2];
    signal input nonce;
    signal output ciphertext[7];

    var two128 = 2 ** 128;
    var padded[6] = [message[0], message[1], message[2], message[3], 0, 0];

    component perm[3];
    perm[0] = PoseidonEx(3, 4);
    perm[0].initialState <== 0;
    perm[0].inputs[0] <== key[0];
    perm[0].inputs[1] <== key[1];
    perm[0].inputs[2] <== nonce + 4 * two128;
    for (var b = 0; b < 2; b++) {
        for (var j = 0; j < 3; j++) ciphertext[3 * b + j] <== perm[b].out[j + 1] + padded[3 * b + j];
        perm[b + 1] = PoseidonEx(3, 4);
        perm[b + 1].initialState <== perm[b].out[0];
        for (var j = 0; j < 3; j++) perm[b + 1].inputs[j] <== ciphertext[3 * b + j];
    }
    ciphertext[6] <== perm[2].out[1];
}
