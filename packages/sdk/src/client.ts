import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Address,
  type Chain,
  type Transport,
} from "viem";
import { clearhouseContext, deploymentOf } from "./actions";
import { bindClearhouseActions } from "./actionTable";
import type { ClearhouseContext } from "./context";
import type { Deployment } from "./deployment";
import { InvalidArgumentError } from "./errors/base";

export interface CreateClearhouseParameters {
  /** JSON-RPC URL of a consortium node. Exactly one of `rpcUrl` / `transport`. */
  rpcUrl?: string;
  /** Any viem transport (e.g. `custom(hre.network.provider)` in tests). */
  transport?: Transport;
  /** Signer for writes: a viem Account (local key) or the address of an unlocked node account. */
  account?: Account | Address;
  /**
   * The deployment (validated here). In Node, read a file with `loadDeployment(path)` from
   * `@clearhouse/sdk/node`; in a browser, fetch the JSON and pass it.
   */
  deployment: Deployment;
  /** How often to poll for receipts, in ms (default 1000; an automining dev chain can use 10). */
  pollingInterval?: number;
}

/** The chain a deployment lives on, for viem. */
export function chainOf(deployment: Deployment, rpcUrl = "http://127.0.0.1:8545"): Chain {
  return defineChain({
    id: deployment.chainId,
    name: deployment.network,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * A Clearhouse client: the SDK's actions bound to one chain, deployment and (optionally) signer.
 * The same actions, grouped the same way, as `client.extend(clearhouseActions(deployment)).clearhouse`
 * on a viem client of your own (see ./actions.ts).
 *
 * @example
 * const deployment = loadDeployment("deployments/localhost.json"); // from "@clearhouse/sdk/node"
 * const ch = createClearhouse({ rpcUrl: "http://127.0.0.1:8545", deployment, account });
 * await ch.token.transfer({ to: bankB, amount: 125_000n }); // 1,250.00
 * const verdict = await ch.registry.checkTransaction({ sender, target });
 */
export function createClearhouse(p: CreateClearhouseParameters) {
  if ((p.rpcUrl === undefined) === (p.transport === undefined)) {
    throw new InvalidArgumentError("rpcUrl", "pass exactly one of `rpcUrl` or `transport`");
  }
  const deployment = deploymentOf(p.deployment);
  const transport = p.transport ?? http(p.rpcUrl);
  const chain = chainOf(deployment, p.rpcUrl);
  const pollingInterval = p.pollingInterval ?? 1000;
  const client = p.account
    ? createWalletClient({ chain, transport, account: p.account, pollingInterval })
    : createPublicClient({ chain, transport, pollingInterval });
  const context: ClearhouseContext = clearhouseContext(client, deployment);
  return {
    context,
    deployment,
    ...bindClearhouseActions(context),
    /** The same client signing as another account. */
    as(account: Account | Address) {
      return createClearhouse({ ...p, deployment, account });
    },
  };
}

export type Clearhouse = ReturnType<typeof createClearhouse>;
