export * from "./collect";
export * from "./check";
export * from "./checks";
export * from "./report";
