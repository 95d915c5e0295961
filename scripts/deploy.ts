/**
 * Deploy the consortium's registry, settlement token and governance multisig to any network, with
 * `deployConsortium` of @clearhouse/contracts/deploy (viem) through the selected Hardhat network:
 *   npx hardhat run scripts/deploy.ts --network localhost   (the node at CLEARHOUSE_RPC_URL, else 127.0.0.1:8545)
 *   CLEARHOUSE_RPC_URL=https://besu.example:8545 CLEARHOUSE_PRIVATE_KEY=0x… npx hardhat run scripts/deploy.ts --network remote
 * Token identity from CLEARHOUSE_TOKEN_NAME / _SYMBOL / _DECIMALS (default "Clearhouse Euro", chEUR, 2).
 * Governance from the JSON file CLEARHOUSE_GOVERNANCE (see config/governance.example.json):
 * the multisig is deployed and given ownership of the registry and token. Without it, ownership
 * stays with the deployer (for a bootstrap that admits members first). Writes deployments/<network>.json.
 *
 * Or everything from one consortium file (YAML or JSON, see config/consortium.example.yaml), as
 * `clearhouse deploy <file>` runs it: CLEARHOUSE_CONSORTIUM=<file> takes the token, governance and
 * acknowledgement window from the file, admits its members with the deployer, then hands ownership
 * to the multisig (the CLEARHOUSE_TOKEN_* and CLEARHOUSE_GOVERNANCE variables are then ignored).
 */
import { existsSync, readFileSync } from "node:fs";
import hre from "hardhat";
import { createPublicClient, createWalletClient, custom, type Address } from "viem";
import type { Deployment } from "../packages/contracts/src/deployment";
import {
  deployConsortium,
  handOverToGovernance,
  type DeployClients,
  type GovernanceOptions,
} from "../packages/contracts/src/deploy";
import { parseGovernance, readConsortiumFile } from "../packages/sdk/src/node/consortiumFile";
import { deployFromConsortium } from "../packages/sdk/src/node/consortiumDeploy";
import { verifierKeys } from "../packages/zk/src/verifierKeys";
import { deploymentPath, writeDeployment } from "./lib/deployConsortium";

/** viem clients over the selected Hardhat network, sending from its first account. */
export async function hardhatClients(): Promise<DeployClients> {
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const [deployer] = (await hre.network.provider.request({ method: "eth_accounts" })) as Address[];
  if (!deployer) {
    throw new Error(`Network "${hre.network.name}" has no account to deploy with: set CLEARHOUSE_PRIVATE_KEY.`);
  }
  const pollingInterval = hre.network.name === "hardhat" ? 10 : 250;
  return {
    walletClient: createWalletClient({ account: deployer, transport }),
    publicClient: createPublicClient({ transport, pollingInterval }),
  };
}

/** Read and validate the governance file, naming the field that is wrong. */
function loadGovernance(path: string): GovernanceOptions {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`CLEARHOUSE_GOVERNANCE=${path}: cannot read it as JSON (${(e as Error).message}).`);
  }
  return parseGovernance(raw, (field, problem) => {
    throw new Error(`${path}: ${field} ${problem} (see config/governance.example.json).`);
  });
}

/**
 * Deploy a consortium from its file: the contracts (with the file's token, acknowledgement window
 * and multisig), then the members admitted by the deployer, then ownership handed to the multisig.
 * `save` is called as soon as the contracts exist, so an interrupted run leaves the deployment file.
 */
export async function deployFromConsortiumFile(
  path: string,
  options: { log?: (line: string) => void; save?: (deployment: Deployment) => void } = {},
): Promise<Deployment> {
  return deployFromConsortium(await hardhatClients(), readConsortiumFile(path), {
    network: hre.network.name,
    zk: verifierKeys(),
    label: path,
    log: options.log,
    save: options.save,
  });
}

async function main(): Promise<void> {
  const consortiumPath = process.env.CLEARHOUSE_CONSORTIUM;
  if (consortiumPath) return mainFromConsortiumFile(consortiumPath);
  const decimals = Number(process.env.CLEARHOUSE_TOKEN_DECIMALS ?? "2");
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) {
    throw new Error(
      `CLEARHOUSE_TOKEN_DECIMALS must be an integer from 0 to 18, got "${process.env.CLEARHOUSE_TOKEN_DECIMALS}".`,
    );
  }
  const token = {
    name: process.env.CLEARHOUSE_TOKEN_NAME ?? "Clearhouse Euro",
    symbol: process.env.CLEARHOUSE_TOKEN_SYMBOL ?? "chEUR",
    decimals,
    currency: process.env.CLEARHOUSE_TOKEN_CURRENCY ?? "EUR",
  };
  if (!/^[A-Z]{3}$/.test(token.currency)) {
    throw new Error(`CLEARHOUSE_TOKEN_CURRENCY must be an ISO 4217 code like EUR, got "${token.currency}".`);
  }
  const governancePath = process.env.CLEARHOUSE_GOVERNANCE;
  const governance = governancePath ? loadGovernance(governancePath) : undefined;
  const overwrite = overwriteAllowed();
  console.log(`Deploying Clearhouse to "${hre.network.name}"`);
  const log = (line: string) => console.log(line);
  const clients = await hardhatClients();
  const deployment = await deployConsortium(clients, {
    network: hre.network.name,
    token,
    governance,
    zk: verifierKeys(),
    log,
  });
  const path = writeDeployment(deployment, overwrite);
  if (governance) {
    console.log("handing ownership to the multisig…");
    await handOverToGovernance(clients, deployment, log);
  } else {
    console.log("no CLEARHOUSE_GOVERNANCE file: the deployer keeps ownership until it hands over.");
  }
  console.log(`chain ${deployment.chainId}, block ${deployment.blockNumber}: wrote ${path}`);
}

/** Whether this run may replace the network's deployment file (refused for a persistent network). */
function overwriteAllowed(): boolean {
  const overwrite = hre.network.name === "hardhat" || process.env.CLEARHOUSE_REDEPLOY === "1";
  if (!overwrite && existsSync(deploymentPath(hre.network.name))) {
    throw new Error(
      `${deploymentPath(hre.network.name)} already exists: a consortium is deployed on "${hre.network.name}". ` +
        "Set CLEARHOUSE_REDEPLOY=1 to deploy a new one (the old contracts stay on chain).",
    );
  }
  return overwrite;
}

async function mainFromConsortiumFile(path: string): Promise<void> {
  const overwrite = overwriteAllowed();
  const ignored = ["CLEARHOUSE_GOVERNANCE", "CLEARHOUSE_TOKEN_NAME", "CLEARHOUSE_TOKEN_SYMBOL"]
    .concat(["CLEARHOUSE_TOKEN_DECIMALS", "CLEARHOUSE_TOKEN_CURRENCY"])
    .filter((name) => process.env[name] !== undefined);
  if (ignored.length) console.log(`CLEARHOUSE_CONSORTIUM is set: ignoring ${ignored.join(", ")}`);
  console.log(`Deploying Clearhouse to "${hre.network.name}"`);
  let written = "";
  const deployment = await deployFromConsortiumFile(path, {
    log: (line) => console.log(line),
    save: (d) => (written = writeDeployment(d, overwrite)),
  });
  console.log(`chain ${deployment.chainId}, block ${deployment.blockNumber}: wrote ${written}`);
}

// Run only as a script (`hardhat run` forks it); tests import deployFromConsortiumFile.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`deploy failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    process.exitCode = 1;
  });
}
