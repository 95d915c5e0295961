export * from "./terms";
export * from "./onChainTerms";
export * from "./attestation";
export * from "./escrow";
export * from "./submission";
