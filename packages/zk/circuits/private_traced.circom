pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/escalarmulany.circom";
include "circomlib/circuits/escalarmulfix.circom";
include "lib/poseidon_encrypt.circom";

// Private batch netting with traceability (issue 23, decision 041): private_netting (decision 034)
// for a chunk of 8 * GROUPS payment slots, where every slot also carries a ciphertext for the
// regulator, and the proof shows the ciphertexts encrypt exactly the chunk's payments.
//
// A slot holds its payment's eight record words (batch-encoding §3; all zero when unused). The
// circuit computes digest = used ? Poseidon(words) : 0 and packed = used ? bankIndex * 2^80 +
// creditorIndex * 2^64 + amount : 0, with amount = words[3] < 2^64, and builds the chunk root from
// the (digest, packed) pairs as private_netting does: Poseidon(16) over each group of 8 slots, then
// Poseidon(GROUPS) over the groups. Buckets and words are private_netting's.
//
// Traceability. The bank picks an ephemeral scalar e for the chunk; E = e * Base8 is an output and
// the shared key is S = e * regulatorKey (ECDH on Baby Jubjub; regulatorKey is a PUBLIC INPUT, so a
// rotated key needs no new circuit). Slot i's plaintext is
//   (paymentIdHash, debtorAccountHash, creditorAccountHash, amount) = (words[0], words[6], words[7], words[3])
// when the slot is used and amount >= threshold (a public input below 2^64), else (0, 0, 0, 0),
// and its ciphertext is PoseidonEncrypt4(plaintext, S, nonce = i): 7 field elements. Nobody without
// the regulator's key can tell a traced slot from a zero one.
//
// Binding the published ciphertexts. The ciphertexts are not public signals (7 per slot would cost
// ~6,300 gas each to verify). Instead the verifier (the settlement engine) derives a challenge r
// from keccak256 of the published ciphertexts, E, the root and the policy, passes r in, and checks
// the output evaluation = sum over the 7 * N ciphertext elements v_j (slot-major) of v_j * r^(j+1)
// against the same sum over what was published. Every ciphertext is fixed by the anchored root, E
// and the public inputs before r is known, so published ciphertexts that differ from the proven
// ones pass with probability at most 7N / p (Schwartz-Zippel).
//
// Public signals: root, word0, word1, ephemeralKey[2], evaluation, regulatorKey[2], threshold, challenge.
template PrivateTraced(GROUPS) {
    var K = 4;
    var N = 8 * GROUPS;
    var C = 7;
    signal input words[N][8];
    signal input used[N];
    signal input bucket[N];
    signal input counterparty[K];
    signal input total[K];
    signal input bankIndex;
    signal input ephemeralSecret;
    signal input regulatorKey[2];
    signal input threshold;
    signal input challenge;

    signal output root;
    signal output word[2];
    signal output ephemeralKey[2];
    signal output evaluation;

    // ------------------------------------------------------------ the shared key
    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    signal eBits[253] <== Num2Bits(253)(ephemeralSecret);
    ephemeralKey <== EscalarMulFix(253, BASE8)(eBits);
    signal shared[2] <== EscalarMulAny(253)(eBits, regulatorKey);

    // ------------------------------------------------------------ slots
    _ <== Num2Bits(16)(bankIndex);
    _ <== Num2Bits(64)(threshold);
    signal digest[N];
    signal hashed[N];
    signal sel[N][K];
    signal pick[N][K];
    signal contribution[N][K];
    signal owed[N];
    signal packed[N];
    signal large[N];
    signal traced[N];
    signal plain[N][4];
    signal ciphertext[N][C];
    var sums[K];
    for (var k = 0; k < K; k++) sums[k] = 0;

    for (var i = 0; i < N; i++) {
        used[i] * (used[i] - 1) === 0;
        words[i][3] * (1 - used[i]) === 0; // an unused slot has no amount
        _ <== Num2Bits(64)(words[i][3]);
        hashed[i] <== Poseidon(8)(words[i]);
        digest[i] <== used[i] * hashed[i];
        var one = 0;
        var creditor = 0;
        for (var k = 0; k < K; k++) {
            sel[i][k] <== IsEqual()([bucket[i], k]);
            one += sel[i][k];
            pick[i][k] <== sel[i][k] * counterparty[k];
            creditor += pick[i][k];
            contribution[i][k] <== sel[i][k] * words[i][3];
            sums[k] += contribution[i][k];
        }
        one === 1; // the bucket is one of 0..K-1
        owed[i] <== used[i] * (bankIndex * (1 << 16) + creditor);
        packed[i] <== owed[i] * (1 << 64) + words[i][3];

        large[i] <== GreaterEqThan(64)([words[i][3], threshold]);
        traced[i] <== used[i] * large[i];
        plain[i][0] <== traced[i] * words[i][0];
        plain[i][1] <== traced[i] * words[i][6];
        plain[i][2] <== traced[i] * words[i][7];
        plain[i][3] <== traced[i] * words[i][3];
        ciphertext[i] <== PoseidonEncrypt4()(plain[i], shared, i);
    }

    // ------------------------------------------------------------ the chunk root
    signal bottom[GROUPS];
    for (var g = 0; g < GROUPS; g++) {
        var pairs[16];
        for (var j = 0; j < 8; j++) {
            pairs[2 * j] = digest[8 * g + j];
            pairs[2 * j + 1] = packed[8 * g + j];
        }
        bottom[g] <== Poseidon(16)(pairs);
    }
    root <== Poseidon(GROUPS)(bottom);

    // ------------------------------------------------------------ buckets
    signal bucketWord[K];
    for (var k = 0; k < K; k++) {
        sums[k] === total[k];
        _ <== Num2Bits(16)(counterparty[k]);
        _ <== Num2Bits(72)(total[k]);
        bucketWord[k] <== total[k] * (1 << 16) + counterparty[k];
    }
    word[0] <== bankIndex * (1 << 176) + bucketWord[0] * (1 << 88) + bucketWord[1];
    word[1] <== bucketWord[2] * (1 << 88) + bucketWord[3];

    // ------------------------------------------------------------ the ciphertexts' evaluation at r
    signal acc[N * C + 1];
    acc[N * C] <== 0;
    for (var j = N * C - 1; j >= 0; j--) {
        acc[j] <== (acc[j + 1] + ciphertext[j \ C][j % C]) * challenge;
    }
    evaluation <== acc[0];
}
