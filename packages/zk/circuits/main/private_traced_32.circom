pragma circom 2.1.5;

include "../private_traced.circom";

// 32 payment slots (4 groups of 8) per proof, 4 counterparty buckets, a ciphertext per slot for the
// regulator (decision 041).
component main {public [regulatorKey, threshold, challenge]} = PrivateTraced(4);
