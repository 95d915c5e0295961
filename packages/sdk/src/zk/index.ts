export * from "./circuits";
export * from "./field";
export * from "./vk";
export * from "./proof";
export * from "./onchain";
export * from "./regulatorKeys";
export * from "./privateWords";
export * from "./kycTier";
