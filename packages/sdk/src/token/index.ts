export * from "./actions";
export * from "./reads";
export * from "./permit";
export * from "./preflight";
