export * from "./sm2";
export * from "./sm2Signers";
