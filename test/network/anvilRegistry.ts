/**
 * The consortium's registry and token deployed with viem (`deployConsortium` of
 * @clearhouse/contracts/deploy, zero fees) on a Besu-like Anvil, and a client of its owner (Anvil's
 * account 0) for governance writes such as allowNode: for tests whose chain must be reachable over
 * HTTP (a CLI child process, the Besu-like front).
 */
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployConsortium } from "../../packages/contracts/src/deploy";
import { createClearhouse, type Clearhouse, type Deployment } from "../../packages/sdk/src";
import { ANVIL_KEYS, type BesuLikeAnvil } from "../helpers/besuAnvil";

export interface AnvilRegistry {
  deployment: Deployment;
  /** The registry's owner, writing through the Anvil directly. */
  owner: Clearhouse;
}

/** Deploy registry and token (no settlement layer) on `anvil`, owned by Anvil's account 0. */
export async function deployRegistryOnAnvil(anvil: BesuLikeAnvil): Promise<AnvilRegistry> {
  const account = privateKeyToAccount(ANVIL_KEYS[0]);
  const transport = http(anvil.url, { retryCount: 0 });
  const deployment = await deployConsortium(
    {
      publicClient: createPublicClient({ chain: anvil.chain, transport, pollingInterval: 100 }),
      walletClient: createWalletClient({ chain: anvil.chain, transport, account }),
      fees: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
    },
    { network: "besu-like", token: { name: "Test Euro", symbol: "tEUR", decimals: 2 }, settlement: false },
  );
  const owner = createClearhouse({ rpcUrl: anvil.url, deployment, account, pollingInterval: 100 });
  return { deployment, owner };
}
