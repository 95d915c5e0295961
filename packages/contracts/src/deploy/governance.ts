/** Handing a freshly deployed consortium over to its multisig. */
import type { Address } from "viem";
import type { Deployment } from "../deployment";
import { CONTRACTS, GOVERNED_CONTRACTS, addressOf } from "../manifest";
import { handBeaconOver } from "./accounts";
import { DeployStepError, read, write, type DeployClients } from "./transactions";

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

/**
 * Hand every governed contract (the manifest's) over to the multisig: the deployer offers
 * ownership (`transferOwnership`) and the multisig accepts it (`claimOwnership`, which anyone may
 * call). From then on every admin action is a governance proposal. Idempotent: a contract the
 * multisig already owns is skipped, so a retry after a crash finishes the job.
 * @throws DeployStepError when the deployment has no multisig, or naming the step that failed.
 */
export async function handOverToGovernance(
  c: DeployClients,
  deployment: Deployment,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const multisig = addressOf(deployment, "ConsortiumMultisig");
  if (!multisig) throw new DeployStepError("handing over to governance", "the deployment has no ConsortiumMultisig");
  for (const name of GOVERNED_CONTRACTS) {
    const address = addressOf(deployment, name);
    if (!address) continue;
    const abi = CONTRACTS[name].abi;
    const owner = await read<Address>(c, `reading ${name}'s owner`, { address, abi, functionName: "owner", args: [] });
    if (same(owner, multisig)) {
      log(`  ${name} already owned by governance`);
      continue;
    }
    const pending = await read<Address>(c, `reading ${name}'s pending owner`, {
      address,
      abi,
      functionName: "pendingOwner",
      args: [],
    });
    if (!same(pending, multisig))
      await write(c, `offering ${name} to the multisig`, {
        address,
        abi,
        functionName: "transferOwnership",
        args: [multisig],
      });
    await write(c, `the multisig claiming ${name}`, {
      address: multisig,
      abi: CONTRACTS.ConsortiumMultisig.abi,
      functionName: "claimOwnership",
      args: [address],
    });
    log(`  ${name} is now owned by the multisig ${multisig}`);
  }
  await handBeaconOver(c, deployment, multisig, log);
}

/** A member the deployer admits before the hand-over (the LEI already hashed). */
export interface FoundingMember {
  account: Address;
  name: string;
  roles: number;
  leiHash: `0x${string}`;
  maxSingleTransfer: bigint;
  maxDailyOutflow: bigint;
}

/**
 * Admit `members` with the deployer (the registry's owner until the hand-over); members already
 * admitted are skipped, so a retry finishes the job.
 */
export async function admitFoundingMembers(
  c: DeployClients,
  deployment: Deployment,
  members: readonly FoundingMember[],
  log: (member: FoundingMember, admitted: boolean) => void = () => undefined,
): Promise<void> {
  const address = deployment.contracts.ConsortiumRegistry.proxy;
  const abi = CONTRACTS.ConsortiumRegistry.abi;
  for (const m of members) {
    const current = await read<{ status: number }>(c, `reading ${m.name}'s membership`, {
      address,
      abi,
      functionName: "memberOf",
      args: [m.account],
    });
    if (current.status !== 0) {
      log(m, false);
      continue;
    }
    await write(c, `admitting ${m.name}`, {
      address,
      abi,
      functionName: "admitMember",
      args: [m.account, m.roles, m.leiHash, m.name, m.maxSingleTransfer, m.maxDailyOutflow],
    });
    log(m, true);
  }
}
