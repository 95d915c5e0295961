export * from "./collect";
export * from "./checks";
export * from "./report";
