/**
 * Deploy the consortium's registry and settlement token to any network:
 *   npx hardhat run scripts/deploy.ts --network localhost
 *   CLEARHOUSE_RPC_URL=https://besu.example:8545 CLEARHOUSE_PRIVATE_KEY=0x… npx hardhat run scripts/deploy.ts --network remote
 * Token identity from CLEARHOUSE_TOKEN_NAME / _SYMBOL / _DECIMALS (default "Clearhouse Euro", chEUR, 2).
 * Writes deployments/<network>.json.
 */
import hre from "hardhat";
import { deployConsortium, writeDeployment } from "./lib/deployConsortium";

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
  };
  console.log(`Deploying Clearhouse to "${hre.network.name}"`);
  const deployment = await deployConsortium({ token, log: (line) => console.log(line) });
  const ephemeral = hre.network.name === "hardhat";
  const path = writeDeployment(deployment, ephemeral || process.env.CLEARHOUSE_REDEPLOY === "1");
  console.log(`chain ${deployment.chainId}, block ${deployment.blockNumber}: wrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  process.exitCode = 1;
});
