pragma circom 2.1.5;

include "../kyc_tier.circom";

// Credential trees of depth up to 20 (about a million customers), like kyc_membership.
component main {public [scope, message, minTier]} = KycTier(20);
