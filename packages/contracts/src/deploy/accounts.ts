/**
 * Member accounts (decision 045): the MemberAccount implementation, the UpgradeableBeacon every
 * account follows (owned by governance) and the MemberAccountFactory that creates accounts.
 */
import type { Address } from "viem";
import type { Deployment, MemberAccountsDeployment } from "../deployment";
import { loadArtifact } from "./artifacts";
import { deploy, read, write, type DeployClients } from "./transactions";

/**
 * Deploy the implementation, the beacon (owned by `owner`: the multisig when it exists, else the
 * deployer until `handOverToGovernance`) and the factory binding accounts to `registry`.
 * `abiHash` is the MemberAccount ABI's hash the deployment file records.
 */
export async function deployMemberAccounts(
  c: DeployClients,
  registry: Address,
  owner: Address,
  abiHash: `0x${string}`,
  log: (line: string) => void,
): Promise<MemberAccountsDeployment> {
  log("deploying member accounts (implementation, beacon, factory)…");
  const implementation = await deploy(c, "deploying MemberAccount's implementation", loadArtifact("MemberAccount"), []);
  const beacon = await deploy(c, "deploying the member accounts' beacon", loadArtifact("UpgradeableBeacon"), [
    implementation.address,
    owner,
  ]);
  const factory = await deploy(c, "deploying MemberAccountFactory", loadArtifact("MemberAccountFactory"), [
    beacon.address,
    registry,
  ]);
  await write(c, "letting the factory's accounts bind keys in the registry", {
    address: registry,
    abi: loadArtifact("ConsortiumRegistry").abi,
    functionName: "setAccountFactory",
    args: [factory.address],
  });
  log(
    `  MemberAccountFactory at ${factory.address} (beacon ${beacon.address}, owned by ${owner}); its accounts bind keys`,
  );
  return {
    factory: factory.address,
    beacon: beacon.address,
    implementation: implementation.address,
    abiHash,
    blockNumber: factory.blockNumber,
  };
}

/** Give the accounts' beacon to `multisig` (one step: the beacon is Ownable). Idempotent. */
export async function handBeaconOver(
  c: DeployClients,
  deployment: Deployment,
  multisig: Address,
  log: (line: string) => void,
): Promise<void> {
  const accounts = deployment.contracts.MemberAccounts;
  if (!accounts) return;
  const owner = await read<Address>(c, "reading the member accounts' beacon owner", {
    address: accounts.beacon,
    abi: loadArtifact("UpgradeableBeacon").abi,
    functionName: "owner",
    args: [],
  });
  if (owner.toLowerCase() === multisig.toLowerCase()) {
    log("  member accounts' beacon already owned by governance");
    return;
  }
  await write(c, "giving the member accounts' beacon to the multisig", {
    address: accounts.beacon,
    abi: loadArtifact("UpgradeableBeacon").abi,
    functionName: "transferOwnership",
    args: [multisig],
  });
  log(`  member accounts' beacon is now owned by the multisig ${multisig}`);
}
