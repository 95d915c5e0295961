/**
 * A deployment's contracts by name: `contractOf(ctx, "NettingEngine")` is the engine's address and
 * its `as const` ABI, or one typed error naming what to deploy when the deployment lacks it.
 */
import type { Address } from "viem";
import {
  CONTRACTS,
  deployedContract,
  type ContractAbi,
  type ContractName,
  type Deployment,
} from "@clearhouse/contracts";
import { ContractNotDeployedError } from "./errors/base";

/** What to do when a contract is missing: which layer of the deployment brings it. */
const MISSING_HINT: Record<ContractName, string> = {
  ConsortiumRegistry: "The deployment file is incomplete: load the consortium's full deployments/<network>.json.",
  SettlementToken: "The deployment file is incomplete: load the consortium's full deployments/<network>.json.",
  SettlementLedger: "Deploy the settlement layer first (`clearhouse deploy` deploys it).",
  NettingEngine: "Deploy the settlement layer first (`clearhouse deploy` deploys it).",
  VerifierRegistry: "Deploy the settlement layer with the zk layer first (`clearhouse deploy` deploys both).",
  ConditionalEscrow: "Deploy the payments layer first (`clearhouse deploy` deploys it with the zk layer).",
  OfflineVault: "Deploy the offline layer first (`clearhouse deploy` deploys it with the payments layer).",
  ConsortiumMultisig: "Deploy governance first (`clearhouse deploy` deploys it and hands ownership over).",
};

/** A contract of the deployment: where to call it and its ABI (typed by name, for viem). */
export interface DeployedContract<N extends ContractName> {
  address: Address;
  abi: ContractAbi<N>;
}

/**
 * Contract `name` of the context's deployment (its proxy when proxied).
 * @throws ContractNotDeployedError when the deployment has no such contract.
 */
export function contractOf<N extends ContractName>(ctx: { deployment: Deployment }, name: N): DeployedContract<N> {
  const deployed = deployedContract(ctx.deployment, name);
  if (!deployed) throw new ContractNotDeployedError(name, MISSING_HINT[name]);
  return { address: deployed.address, abi: CONTRACTS[name].abi };
}

/** The block from which to scan contract `name`'s events (the block it was deployed in). */
export function deployedSince(ctx: { deployment: Deployment }, name: ContractName): bigint {
  const deployed = deployedContract(ctx.deployment, name);
  if (!deployed) throw new ContractNotDeployedError(name, MISSING_HINT[name]);
  return BigInt(deployed.blockNumber);
}
