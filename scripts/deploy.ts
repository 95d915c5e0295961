/**
 * Deploy the consortium's registry, settlement token and governance multisig to any network:
 *   npx hardhat run scripts/deploy.ts --network localhost
 *   CLEARHOUSE_RPC_URL=https://besu.example:8545 CLEARHOUSE_PRIVATE_KEY=0x… npx hardhat run scripts/deploy.ts --network remote
 * Token identity from CLEARHOUSE_TOKEN_NAME / _SYMBOL / _DECIMALS (default "Clearhouse Euro", chEUR, 2).
 * Governance from the JSON file CLEARHOUSE_GOVERNANCE (see config/governance.example.json):
 * the multisig is deployed and given ownership of the registry and token. Without it, ownership
 * stays with the deployer (for a bootstrap that admits members first). Writes deployments/<network>.json.
 */
import { existsSync, readFileSync } from "node:fs";
import hre from "hardhat";
import { getAddress, isAddress, type Address } from "viem";
import {
  deployConsortium,
  deploymentPath,
  handOverToGovernance,
  writeDeployment,
  type GovernanceOptions,
} from "./lib/deployConsortium";

/** Read and validate the governance file, naming the field that is wrong. */
function loadGovernance(path: string): GovernanceOptions {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`CLEARHOUSE_GOVERNANCE=${path}: cannot read it as JSON (${(e as Error).message}).`);
  }
  const fail = (field: string, problem: string): never => {
    throw new Error(`${path}: ${field} ${problem} (see config/governance.example.json).`);
  };
  const signers = raw.signers;
  if (!Array.isArray(signers) || signers.length === 0) fail("signers", "must be a non-empty list of addresses");
  const list = (signers as unknown[]).map((s, i) =>
    typeof s === "string" && isAddress(s) ? getAddress(s) : fail(`signers[${i}]`, "is not an address"),
  );
  if (new Set(list).size !== list.length) fail("signers", "contains a duplicate");
  const int = (field: string, min: number, max: number): number => {
    const v = raw[field];
    return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
      ? v
      : fail(field, `must be an integer from ${min} to ${max}`);
  };
  const guardian = raw.guardian;
  if (typeof guardian !== "string" || !isAddress(guardian)) fail("guardian", "is not an address");
  return {
    signers: list as Address[],
    threshold: int("threshold", 1, list.length),
    minDelay: int("minDelay", 0, 30 * 86_400),
    sensitiveDelay: int("sensitiveDelay", 0, 30 * 86_400),
    guardian: getAddress(guardian as string),
  };
}

async function main(): Promise<void> {
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
  const ephemeralNetwork = hre.network.name === "hardhat";
  const overwrite = ephemeralNetwork || process.env.CLEARHOUSE_REDEPLOY === "1";
  if (!overwrite && existsSync(deploymentPath(hre.network.name))) {
    throw new Error(
      `${deploymentPath(hre.network.name)} already exists: a consortium is deployed on "${hre.network.name}". ` +
        "Set CLEARHOUSE_REDEPLOY=1 to deploy a new one (the old contracts stay on chain).",
    );
  }
  console.log(`Deploying Clearhouse to "${hre.network.name}"`);
  const log = (line: string) => console.log(line);
  const deployment = await deployConsortium({ token, governance, log });
  const path = writeDeployment(deployment, overwrite);
  if (governance) {
    console.log("handing ownership to the multisig…");
    await handOverToGovernance(deployment, log);
  } else {
    console.log("no CLEARHOUSE_GOVERNANCE file: the deployer keeps ownership until it hands over.");
  }
  console.log(`chain ${deployment.chainId}, block ${deployment.blockNumber}: wrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  process.exitCode = 1;
});
