export * from "./terms";
export * from "./attestation";
export * from "./escrow";
export * from "./submission";
