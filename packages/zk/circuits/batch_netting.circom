pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "./lib/binary_merkle_root.circom";

// Private batch netting for one chunk of 2^LEVELS payment slots. Each slot holds a payment record
// in its canonical encoding (src/settlement/record.ts: paymentIdHash, debtorBank, creditorBank,
// amount, currencyAndDate, endToEndHash, debtorAccountHash, creditorAccountHash); unused slots hold
// the all-zero record. The chunk root is the complete Poseidon(2) tree over the slots' leaves
// Poseidon(record) - the root the bank anchors in SettlementLedger. The circuit proves that
//   - every amount is below 2^64;
//   - every payment with a non-zero amount is owed by `bank` (the submitting bank);
//   - every payment's creditor is the counterparty of the bucket it is assigned to;
//   - the amounts of each bucket sum to that bucket's declared total.
// Each bucket is output as one field element: total * 2^160 + counterparty (counterparty < 2^160,
// total < 2^70), so K buckets cost K public inputs, not 2K.
// Public signals, in order: root, packed[K], bank.
template BatchNetting(LEVELS, K) {
    var N = 1 << LEVELS;
    signal input records[N][8];
    signal input bucket[N];
    signal input counterparty[K];
    signal input total[K];
    signal input bank;

    signal output root;
    signal output packed[K];

    signal leaves[N];
    signal sel[N][K];
    signal pick[N][K];
    signal contribution[N][K];
    signal creditorOf[N];
    var sums[K];
    for (var k = 0; k < K; k++) sums[k] = 0;

    for (var i = 0; i < N; i++) {
        leaves[i] <== Poseidon(8)(records[i]);
        _ <== Num2Bits(64)(records[i][3]);

        var one = 0;
        var chosen = 0;
        for (var k = 0; k < K; k++) {
            sel[i][k] <== IsEqual()([bucket[i], k]);
            one += sel[i][k];
            pick[i][k] <== sel[i][k] * counterparty[k];
            chosen += pick[i][k];
            contribution[i][k] <== sel[i][k] * records[i][3];
            sums[k] += contribution[i][k];
        }
        one === 1; // the bucket index is one of 0..K-1
        creditorOf[i] <== chosen;
        (creditorOf[i] - records[i][2]) * records[i][3] === 0;
        (records[i][1] - bank) * records[i][3] === 0;
    }

    for (var k = 0; k < K; k++) {
        sums[k] === total[k];
        _ <== Num2Bits(160)(counterparty[k]);
        packed[k] <== total[k] * (1 << 160) + counterparty[k];
    }

    root <== CompleteMerkleRoot(LEVELS)(leaves);
}
