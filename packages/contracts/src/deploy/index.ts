/**
 * @clearhouse/contracts/deploy (Node only: it reads the compiled contracts the package ships):
 * deploy a consortium with viem, admit its founding members and hand it over to its multisig.
 */
export {
  deployConsortium,
  abiHashOf,
  defaultTiers,
  DEFAULT_OFFLINE,
  type OfflineOptions,
  type DeployConsortiumOptions,
  type TierOption,
  type GovernanceOptions,
  type VerifierContract,
  type ZkKeys,
} from "./consortium";
export { handOverToGovernance, admitFoundingMembers, type FoundingMember } from "./governance";
export { applyCryptoMode } from "./crypto";
export { DeployStepError, reasonOf, type DeployClients } from "./transactions";
export { loadArtifact, ContractArtifactError, artifactsDir, type ShippedArtifact } from "./artifacts";
export { findPackageRoot } from "./packageRoot";
