/**
 * @clearhouse/zk: proving (snarkjs, Groth16 over BN254) with the circuits' committed ceremony
 * artifacts, which this package ships and locates itself; the inputs each circuit takes; KYC
 * credentials; and the audit's off-chain proof verifier. Node only.
 */
export * from "@clearhouse/sdk/zk";
export * from "./artifacts";
export * from "./kyc";
export * from "./kycTier";
export * from "./chunk";
export * from "./inputs";
export * from "./prover";
export * from "./credentials";
export * from "./sources";
export * from "./verifier";
export * from "./verifierKeys";
export * from "./privateBatch";
export * from "./privateInputs";
export * from "./privateInclusion";
export * from "./privateProve";
export * from "./tracedBatch";
export * from "./tracedInputs";
export * from "./tracedProve";
export * from "./regulator";
