pragma circom 2.1.5;

include "../private_netting.circom";

// 256 payment slots (32 bottom nodes of 8) per proof, 4 counterparty buckets (decision 034).
component main = PrivateNetting(32);
