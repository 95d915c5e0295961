/**
 * Deploy a consortium from its file's content (what `clearhouse deploy` and `npm run deploy` with
 * CLEARHOUSE_CONSORTIUM run): the contracts with the file's token, acknowledgement window and
 * multisig, then its members admitted by the deployer, then ownership handed to the multisig.
 */
import {
  DeployStepError,
  reasonOf,
  admitFoundingMembers,
  applyCryptoMode,
  deployConsortium,
  handOverToGovernance,
  type DeployClients,
  type ZkKeys,
} from "@clearhouse/contracts/deploy";
import type { Deployment } from "@clearhouse/contracts";

/** What a failed deployment step throws, and the one-line reason of any failure (for front ends). */
export { DeployStepError, reasonOf } from "@clearhouse/contracts/deploy";
import { feeOverrides } from "../fees";
import { leiHash } from "../registry/identifiers";
import type { Consortium } from "./consortiumFile";

export interface DeployFromConsortiumOptions {
  /** The network name the deployment file records. */
  network: string;
  /** The verifier keys (`verifierKeys()` of @clearhouse/zk). */
  zk: ZkKeys;
  /** `consortium <label>: …` is the first log line (usually the file's path). */
  label?: string;
  log?: (line: string) => void;
  /**
   * Called as soon as the contracts exist, again once the members are admitted and when ownership
   * is with the multisig (`setup` says which), so an interrupted run leaves a file to resume from.
   */
  save?: (deployment: Deployment) => void;
  /** A deployment whose setup did not complete: admit the members and hand over, deploy nothing. */
  resume?: Deployment;
  /** Zero fees: true always, false never, undefined when the latest block's base fee is 0 (as the SDK's `freeGas`). */
  freeGas?: boolean;
}

/**
 * Deploy `consortium` from `clients`' account: contracts, founding members, hand-over. Members
 * already admitted and contracts already owned by the multisig are skipped. Unless `clients.fees`
 * says otherwise, every transaction names zero fees on a free-gas chain (latest block's
 * `baseFeePerGas` 0), as the SDK's writes do.
 * @throws DeployStepError (from @clearhouse/contracts/deploy) naming the step that failed.
 */
export async function deployFromConsortium(
  given: DeployClients,
  consortium: Consortium,
  options: DeployFromConsortiumOptions,
): Promise<Deployment> {
  const clients: DeployClients = { ...given, fees: given.fees ?? (await deployFees(given, options.freeGas)) };
  const log = options.log ?? (() => undefined);
  const { token, governance, settlement, members } = consortium;
  log(`consortium ${options.label ?? ""}: ${token.symbol} (${token.currency}), ${members.length} members`);
  let deployment: Deployment;
  if (options.resume) {
    deployment = options.resume;
    log(`resuming the setup of ${deployment.network} (chain ${deployment.chainId}): ${deployment.setup ?? "complete"}`);
  } else {
    deployment = {
      ...(await deployConsortium(clients, {
        network: options.network,
        token,
        settlement,
        governance,
        zk: options.zk,
        log,
      })),
      setup: "contracts",
    };
    options.save?.(deployment);
  }
  if (deployment.setup === "contracts" && deployment.crypto?.mode !== consortium.crypto) {
    // While the deployer owns the ledger: the tree hash and the SM3 verifier (decision 046).
    deployment = await applyCryptoMode(clients, deployment, consortium.crypto, log);
    options.save?.(deployment);
  }
  log(`admitting ${members.length} members…`);
  const founding = members.map((m) => ({
    account: m.address,
    name: m.name,
    roles: m.roles,
    leiHash: leiHash(m.lei),
    maxSingleTransfer: m.maxSingleTransfer,
    maxDailyOutflow: m.maxDailyOutflow,
  }));
  await admitFoundingMembers(clients, deployment, founding, (m, admitted) => {
    const member = members.find((x) => x.address === m.account)!;
    log(
      admitted
        ? `  admitted ${m.name} (${m.account}) as ${member.roleNames.join("|")}`
        : `  ${m.name} (${m.account}) already in the registry`,
    );
  });
  deployment = { ...deployment, setup: "members" };
  options.save?.(deployment);
  log("handing ownership to the multisig…");
  await handOverToGovernance(clients, deployment, log);
  deployment = { ...deployment, setup: "complete" };
  options.save?.(deployment);
  return deployment;
}

/** Zero fees on a free-gas chain (see the SDK's `feeOverrides`), read once for the whole deployment. */
async function deployFees(clients: DeployClients, freeGas?: boolean): Promise<NonNullable<DeployClients["fees"]>> {
  try {
    return await feeOverrides(clients.publicClient, freeGas);
  } catch (e) {
    throw new DeployStepError("reading the chain's fees", reasonOf(e), { cause: e });
  }
}
