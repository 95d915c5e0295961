pragma circom 2.1.5;

include "../kyc_membership.circom";

// Credential trees of depth up to 20 (about a million customers per bank).
component main {public [scope, message]} = KycMembership(20);
