/**
 * The contract manifest: one entry per Clearhouse contract saying what it is called (its name and
 * the short name the CLI uses), its ABI, where a `Deployment` keeps its address, whether it sits
 * behind a UUPS proxy, whether governance owns it after the hand-over, whether the audit collects
 * its events, and its Hardhat artifact. Everything that used to list the contracts by hand (the
 * ABI generator, the audit, the proposal decoder, `gov propose --target`, the deployment) reads
 * this table instead.
 */
import type { Abi, Address } from "viem";
import {
  conditionalEscrowAbi,
  consortiumMultisigAbi,
  consortiumRegistryAbi,
  nettingEngineAbi,
  offlineVaultAbi,
  settlementLedgerAbi,
  settlementTokenAbi,
  verifierRegistryAbi,
} from "./abis";
import { CONTRACT_ARTIFACTS } from "./artifactPaths";
import type { Deployment } from "./deployment";

/** What the manifest says about one contract. */
export interface ContractSpec<N extends string = string, A extends Abi = Abi> {
  name: N;
  abi: A;
  /** What the CLI calls it (`gov propose --target ledger`). */
  shortName: string;
  /**
   * Where a `Deployment` keeps its address: `proxy` = `contracts[name].proxy` (an ERC-1967 proxy),
   * `address` = `contracts[name].address` (a plain contract).
   */
  location: "proxy" | "address";
  /** Deployed behind a UUPS (ERC-1967) proxy and upgraded by governance. */
  upgradeable: boolean;
  /** Owned (Ownable2Step) by the multisig once the deployer hands over. */
  governed: boolean;
  /** The audit collects its events. */
  audited: boolean;
  /** Its Hardhat artifact, relative to `artifacts/`. */
  artifact: string;
}

const spec = <const N extends string, const A extends Abi>(s: ContractSpec<N, A>): ContractSpec<N, A> => s;

const proxied = { location: "proxy", upgradeable: true, governed: true, audited: true } as const;

/** Every Clearhouse contract, keyed by name (the key of `Deployment["contracts"]`). */
export const CONTRACTS = {
  ConsortiumRegistry: spec({
    name: "ConsortiumRegistry",
    abi: consortiumRegistryAbi,
    shortName: "registry",
    ...proxied,
    artifact: CONTRACT_ARTIFACTS.ConsortiumRegistry,
  }),
  SettlementToken: spec({
    name: "SettlementToken",
    abi: settlementTokenAbi,
    shortName: "token",
    ...proxied,
    artifact: CONTRACT_ARTIFACTS.SettlementToken,
  }),
  SettlementLedger: spec({
    name: "SettlementLedger",
    abi: settlementLedgerAbi,
    shortName: "ledger",
    ...proxied,
    artifact: CONTRACT_ARTIFACTS.SettlementLedger,
  }),
  NettingEngine: spec({
    name: "NettingEngine",
    abi: nettingEngineAbi,
    shortName: "engine",
    ...proxied,
    artifact: CONTRACT_ARTIFACTS.NettingEngine,
  }),
  VerifierRegistry: spec({
    name: "VerifierRegistry",
    abi: verifierRegistryAbi,
    shortName: "verifiers",
    ...proxied,
    artifact: CONTRACT_ARTIFACTS.VerifierRegistry,
  }),
  ConditionalEscrow: spec({
    name: "ConditionalEscrow",
    abi: conditionalEscrowAbi,
    shortName: "escrow",
    ...proxied,
    artifact: CONTRACT_ARTIFACTS.ConditionalEscrow,
  }),
  OfflineVault: spec({
    name: "OfflineVault",
    abi: offlineVaultAbi,
    shortName: "offline",
    ...proxied,
    artifact: CONTRACT_ARTIFACTS.OfflineVault,
  }),
  // Replaced, never upgraded (decision 006); it governs itself (signer and timelock changes are
  // proposals whose target is the multisig).
  ConsortiumMultisig: spec({
    name: "ConsortiumMultisig",
    abi: consortiumMultisigAbi,
    shortName: "multisig",
    location: "address",
    upgradeable: false,
    governed: false,
    audited: true,
    artifact: CONTRACT_ARTIFACTS.ConsortiumMultisig,
  }),
} as const;

/** The name of a Clearhouse contract. */
export type ContractName = keyof typeof CONTRACTS;
/** The `as const` ABI of contract `N`. */
export type ContractAbi<N extends ContractName> = (typeof CONTRACTS)[N]["abi"];

/** Every contract name, in manifest order. */
export const CONTRACT_NAMES = Object.keys(CONTRACTS) as ContractName[];

/** The manifest entries matching `filter` (default: all), in manifest order. */
export function contractSpecs(filter: (c: ContractSpec) => boolean = () => true): ContractSpec[] {
  return CONTRACT_NAMES.map((n): ContractSpec => CONTRACTS[n]).filter(filter);
}

/** The contracts the multisig owns after the hand-over. */
export const GOVERNED_CONTRACTS: readonly ContractName[] = CONTRACT_NAMES.filter((n) => CONTRACTS[n].governed);
/** The contracts whose events the audit collects. */
export const AUDITED_CONTRACTS: readonly ContractName[] = CONTRACT_NAMES.filter((n) => CONTRACTS[n].audited);
/** The contracts deployed behind a UUPS proxy (what an upgrade-safety check validates). */
export const UPGRADEABLE_CONTRACTS: readonly ContractName[] = CONTRACT_NAMES.filter((n) => CONTRACTS[n].upgradeable);
/**
 * What a governance proposal may target by name: every governed contract and the multisig itself
 * (its signer, guardian and timelock changes).
 */
export const PROPOSAL_TARGETS: readonly ContractName[] = CONTRACT_NAMES.filter(
  (n) => CONTRACTS[n].governed || n === "ConsortiumMultisig",
);

/** The manifest entry whose short name (`registry`, `ledger`, …) is `shortName`, if any. */
export function contractByShortName(shortName: string): ContractSpec<ContractName> | undefined {
  const name = CONTRACT_NAMES.find((n) => CONTRACTS[n].shortName === shortName);
  return name === undefined ? undefined : CONTRACTS[name];
}

/** Where and since which block contract `name` lives in `deployment`, or undefined when it was not deployed. */
export function deployedContract(
  deployment: Deployment,
  name: ContractName,
): { address: Address; blockNumber: number } | undefined {
  const entry = deployment.contracts[name];
  if (entry === undefined) return undefined;
  return "proxy" in entry
    ? { address: entry.proxy, blockNumber: entry.blockNumber }
    : { address: entry.address, blockNumber: entry.blockNumber };
}

/** The address of contract `name` in `deployment` (its proxy when proxied), or undefined when absent. */
export function addressOf(deployment: Deployment, name: ContractName): Address | undefined {
  return deployedContract(deployment, name)?.address;
}
