export * from "./base";
export * from "./revert";
export {
  revertCatalog,
  minorUnits,
  type AmountFormat,
  type RevertName,
  type RevertArgs,
  type RevertExplanation,
} from "./catalog";
export { short, grouped } from "./format";
