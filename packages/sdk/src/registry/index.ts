export * from "./actions";
export * from "./reads";
export * from "./roles";
export * from "./identifiers";
export * from "./wallets";
