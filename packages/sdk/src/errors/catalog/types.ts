/**
 * The types every part of the revert catalogue shares, and the default amount format. The parts
 * (one per contract, plus `shared.ts` for errors several contracts declare) import this module,
 * never the index that assembles them.
 */
import type { Abi, ContractErrorArgs, ContractErrorName } from "viem";
import type { clearhouseErrorsAbi } from "@clearhouse/contracts";
import { grouped } from "../format";

type ErrorsAbi = typeof clearhouseErrorsAbi;
/** Name of every custom error a Clearhouse contract can revert with. */
export type RevertName = ContractErrorName<ErrorsAbi>;
/** Decoded arguments of the custom error `N`. */
export type RevertArgs<N extends RevertName> = ContractErrorArgs<ErrorsAbi, N>;

export interface RevertExplanation {
  /** What went wrong, with the values that explain it. */
  message: string;
  /** What to do about it. */
  hint: string;
  /**
   * `input` when the refusal means the caller used the wrong credentials (a key its account
   * does not authorize, a revoked key): found by the simulation, nothing sent, CLI exit 2.
   * Default `refused` (exit 3).
   */
  category?: "input";
}

/** How amounts are shown: with the token's decimals and symbol when the caller knows them. */
export interface AmountFormat {
  amount(value: bigint): string;
}

/** Minor units, grouped: "60,000,000 minor units". */
export const minorUnits: AmountFormat = { amount: (v) => `${grouped(v)} minor units` };

/** Explains one custom error from its decoded arguments. */
export type Explain<N extends RevertName> = (args: RevertArgs<N>, f: AmountFormat) => RevertExplanation;

/** Entries for the custom errors `N`: one explanation each, typed by its arguments. */
export type CatalogPart<N extends RevertName> = { [K in N]: Explain<K> };

/** The whole catalogue: an entry for every custom error of every Clearhouse contract. */
export type RevertCatalog = CatalogPart<RevertName>;

type Names<N extends RevertName> = N;

/**
 * Errors several contracts declare (OpenZeppelin's upgrade, ownership, pause, reentrancy and
 * SafeERC20 errors), described once in `shared.ts`. A name here that no contract has fails the build.
 */
export type SharedErrorName = Names<
  | "AddressEmptyCode"
  | "ERC1967InvalidImplementation"
  | "ERC1967NonPayable"
  | "FailedCall"
  | "InvalidInitialization"
  | "NotInitializing"
  | "OwnableInvalidOwner"
  | "OwnableUnauthorizedAccount"
  | "UUPSUnauthorizedCallContext"
  | "UUPSUnsupportedProxiableUUID"
  | "EnforcedPause"
  | "ExpectedPause"
  | "ReentrancyGuardReentrantCall"
  | "SafeERC20FailedOperation"
>;

/**
 * The custom errors of the contract whose ABI is `ContractAbi` that its part of the catalogue
 * describes: all of them except the shared ones and `Elsewhere` (errors of another contract it
 * re-declares, e.g. the ledger's `Registry…` errors). A new error in the contract is a new
 * required entry in its part.
 */
export type OwnErrorName<ContractAbi extends Abi, Elsewhere extends string = never> = Exclude<
  Extract<ContractErrorName<ContractAbi>, RevertName>,
  SharedErrorName | Elsewhere
>;
