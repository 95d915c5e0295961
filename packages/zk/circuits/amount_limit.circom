pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// Amount under a limit. Knowledge of (amount, blinding) with commitment = Poseidon(amount,
// blinding), 0 < amount <= limit, amount and limit range-checked to 64 bits. `message` binds the
// proof to its use (e.g. an escrow agreement id).
// Public signals, in order: commitment, limit, message.
template AmountLimit() {
    signal input amount;
    signal input blinding;
    signal input limit;
    signal input message;

    signal output commitment;

    _ <== Num2Bits(64)(amount);
    _ <== Num2Bits(64)(limit);
    signal isZero <== IsZero()(amount);
    isZero === 0;
    signal withinLimit <== LessEqThan(64)([amount, limit]);
    withinLimit === 1;

    commitment <== Poseidon(2)([amount, blinding]);

    signal messageSquare <== message * message;
}
