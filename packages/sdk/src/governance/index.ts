export * from "./actions";
export * from "./reads";
export * from "./files";
export * from "./typedData";
export * from "./describe";
export * from "./calls";
export * from "./history";
