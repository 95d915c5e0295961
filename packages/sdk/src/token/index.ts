export * from "./actions";
export * from "./reads";
export * from "./permit";
