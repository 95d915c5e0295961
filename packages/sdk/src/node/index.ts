/**
 * @clearhouse/sdk/node: the SDK's file helpers for Node (deployment, batch, governance,
 * attestation and consortium files, agreement templates, the shipped ISO 20022 schemas, atomic
 * writes, the chain audit, keys held in an HSM through PKCS#11).
 * The root entry `@clearhouse/sdk` stays free of `node:` modules so it runs in a browser.
 */
export * from "./fileio";
export * from "./deployment";
export * from "./batchFile";
export * from "./batchStreamFile";
export * from "./batchStreamVerify";
export * from "./jsonFile";
export * from "./attestationFile";
export * from "./consortiumFile";
export * from "./templates";
export * from "./iso20022Schemas";
export * from "./isoMessageFile";
export * from "./isoMessageThreaded";
export * from "./audit";
export * from "./packageRoot";
export * from "./consortiumDeploy";
export * from "./networkKit";
export * from "./permissionsFile";
export * from "./permissionsSync";
export * from "./staticNodesFile";
export * from "./pkcs11";
export * from "./sm2KeyFile";
export * from "./sm2Signer";
export * from "./envelope";
