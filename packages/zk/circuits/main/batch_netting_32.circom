pragma circom 2.1.5;

include "../batch_netting.circom";

// 32 payment slots per chunk, 4 counterparty buckets.
component main {public [bank]} = BatchNetting(5, 4);
