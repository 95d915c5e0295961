export * from "./base";
export * from "./revert";
export { findError } from "./walk";
export {
  revertCatalog,
  minorUnits,
  type AmountFormat,
  type RevertName,
  type RevertArgs,
  type RevertCatalog,
  type RevertExplanation,
} from "./catalog";
export { short, grouped } from "./format";
