/** How a package finds the files it ships: one implementation, in @clearhouse/contracts/deploy. */
export { findPackageRoot } from "@clearhouse/contracts/deploy";
