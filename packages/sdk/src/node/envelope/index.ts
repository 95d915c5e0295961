export * from "./errors";
export * from "./envelope";
export * from "./keys";
export * from "./hsmKey";
export * from "./batchFiles";
