pragma circom 2.1.5;

include "../amount_limit.circom";

component main {public [limit, message]} = AmountLimit();
