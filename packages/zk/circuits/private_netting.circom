pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// Private batch netting, second design (decision 034): one proof for a chunk of 8 * GROUPS payment
// slots, GROUPS = 16 or 32. Each slot is a pair (digest, packed):
//   digest = Poseidon(record), the payment's eight-field record (the first design's leaf), computed
//            by the bank off-circuit: it binds and hides the record's other fields;
//   packed = bankIndex * 2^80 + creditorIndex * 2^64 + amount   (ledger indexes, amount < 2^64);
// an unused slot is (0, 0). A bottom node is Poseidon(16) over the 8 pairs of its slots (the bank
// puts one creditor's payments in a node, so a creditor's inclusion path shows only its own
// payments); the chunk root is Poseidon(16) over the 16 bottom nodes, or Poseidon(2) of two such
// nodes for 32. The circuit proves that
//   - every amount is below 2^64, and an unused slot is (0, 0);
//   - every used slot is owed by `bankIndex` and its creditor is the counterparty of its bucket;
//   - the amounts of each of the K = 4 buckets sum to that bucket's total (< 2^72).
// Public signals: root, then two words carrying the bank and the four buckets
//   word0 = bankIndex * 2^176 + bucket0 * 2^88 + bucket1,   word1 = bucket2 * 2^88 + bucket3,
//   bucket = total * 2^16 + counterpartyIndex.
template PrivateNetting(GROUPS) {
    var K = 4;
    var N = 8 * GROUPS;
    signal input digest[N];
    signal input amount[N];
    signal input used[N];
    signal input bucket[N];
    signal input counterparty[K];
    signal input total[K];
    signal input bankIndex;

    signal output root;
    signal output word[2];

    signal sel[N][K];
    signal pick[N][K];
    signal contribution[N][K];
    signal owed[N];
    signal packed[N];
    var sums[K];
    for (var k = 0; k < K; k++) sums[k] = 0;

    _ <== Num2Bits(16)(bankIndex);
    for (var i = 0; i < N; i++) {
        used[i] * (used[i] - 1) === 0;
        amount[i] * (1 - used[i]) === 0;
        digest[i] * (1 - used[i]) === 0;
        _ <== Num2Bits(64)(amount[i]);
        var one = 0;
        var creditor = 0;
        for (var k = 0; k < K; k++) {
            sel[i][k] <== IsEqual()([bucket[i], k]);
            one += sel[i][k];
            pick[i][k] <== sel[i][k] * counterparty[k];
            creditor += pick[i][k];
            contribution[i][k] <== sel[i][k] * amount[i];
            sums[k] += contribution[i][k];
        }
        one === 1; // the bucket is one of 0..K-1
        owed[i] <== used[i] * (bankIndex * (1 << 16) + creditor);
        packed[i] <== owed[i] * (1 << 64) + amount[i];
    }

    signal bottom[GROUPS];
    for (var g = 0; g < GROUPS; g++) {
        var pairs[16];
        for (var j = 0; j < 8; j++) {
            pairs[2 * j] = digest[8 * g + j];
            pairs[2 * j + 1] = packed[8 * g + j];
        }
        bottom[g] <== Poseidon(16)(pairs);
    }
    if (GROUPS == 16) {
        root <== Poseidon(16)(bottom);
    } else {
        assert(GROUPS == 32);
        signal halves[2];
        for (var h = 0; h < 2; h++) {
            var nodes[16];
            for (var j = 0; j < 16; j++) nodes[j] = bottom[16 * h + j];
            halves[h] <== Poseidon(16)(nodes);
        }
        root <== Poseidon(2)(halves);
    }

    signal bucketWord[K];
    for (var k = 0; k < K; k++) {
        sums[k] === total[k];
        _ <== Num2Bits(16)(counterparty[k]);
        _ <== Num2Bits(72)(total[k]);
        bucketWord[k] <== total[k] * (1 << 16) + counterparty[k];
    }
    word[0] <== bankIndex * (1 << 176) + bucketWord[0] * (1 << 88) + bucketWord[1];
    word[1] <== bucketWord[2] * (1 << 88) + bucketWord[3];
}
