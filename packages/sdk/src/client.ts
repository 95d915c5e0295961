import {
  createPublicClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  type Account,
  type Address,
  type Chain,
  type Transport,
} from "viem";
import { clearhouseContext, deploymentOf } from "./actions";
import { bindClearhouseActions } from "./actionTable";
import type { ClearhouseContext, ClearhouseSettings } from "./context";
import type { Deployment } from "./deployment";
import { InvalidArgumentError } from "./errors/base";
import { requireLogRange } from "./logs";
import { requireAddress } from "./validate";

export interface CreateClearhouseParameters {
  /** JSON-RPC URL of a consortium node. Exactly one of `rpcUrl` / `rpcUrls` / `transport`. */
  rpcUrl?: string;
  /**
   * Several nodes' JSON-RPC URLs: each request goes to the first, and to the next when one does
   * not answer (viem's `fallback` transport, in the order given).
   */
  rpcUrls?: readonly string[];
  /** Any viem transport (e.g. `custom(hre.network.provider)` in tests). */
  transport?: Transport;
  /** Signer for writes: a viem Account (local key) or the address of an unlocked node account. */
  account?: Account | Address;
  /**
   * The member account `account` is a key of (decision 045): writes go through the account's
   * `execute`, so the contracts see the member, not the key. Omit for a member that is its key.
   */
  memberAccount?: Address;
  /**
   * The deployment (validated here). In Node, read a file with `loadDeployment(path)` from
   * `@clearhouse/sdk/node`; in a browser, fetch the JSON and pass it.
   */
  deployment: Deployment;
  /** How often to poll for receipts, in ms (default 1000; an automining dev chain can use 10). */
  pollingInterval?: number;
  /**
   * Zero gas fees on every write: true always, false never; by default when the chain's latest
   * block has `baseFeePerGas` 0 (a Besu free-gas network), detected once per client.
   */
  freeGas?: boolean;
  /** Blocks to wait after the one a write is mined in (default 0: QBFT blocks are final). */
  confirmations?: number;
  /** Most blocks one `eth_getLogs` may span; longer queries are split (default 5,000). */
  maxLogRange?: bigint | number;
  /**
   * Milliseconds without a receipt after which a write looks whether its transaction was dropped
   * (default: 5 block periods, between 2 s and 60 s); see `TransactionDroppedError`.
   */
  dropTimeout?: number;
  /** Milliseconds a write waits for its receipt in all (default 180,000). */
  receiptTimeout?: number;
}

/** The transport of `rpcUrl`, `rpcUrls` or `transport` (exactly one), and the URLs it names. */
function transportOf(p: CreateClearhouseParameters): { transport: Transport; urls: string[] } {
  const given = [p.rpcUrl, p.rpcUrls, p.transport].filter((x) => x !== undefined).length;
  if (given !== 1) throw new InvalidArgumentError("rpcUrl", "pass exactly one of `rpcUrl`, `rpcUrls` or `transport`");
  if (p.transport) return { transport: p.transport, urls: [] };
  if (p.rpcUrl !== undefined) return { transport: http(p.rpcUrl), urls: [p.rpcUrl] };
  const urls = [...p.rpcUrls!];
  if (urls.length === 0) throw new InvalidArgumentError("rpcUrls", "is empty: give at least one node URL");
  if (urls.length === 1) return { transport: http(urls[0]), urls };
  // Each node gets one try; the fallback moves on to the next when it does not answer.
  return {
    transport: fallback(
      urls.map((url) => http(url, { retryCount: 0 })),
      { rank: false },
    ),
    urls,
  };
}

/** The settings given, checked. */
function settingsOf(p: CreateClearhouseParameters): ClearhouseSettings {
  const settings: ClearhouseSettings = {};
  if (p.freeGas !== undefined) settings.freeGas = p.freeGas;
  if (p.confirmations !== undefined) {
    if (!Number.isSafeInteger(p.confirmations) || p.confirmations < 0)
      throw new InvalidArgumentError(
        "confirmations",
        `is ${p.confirmations}: give a whole number of blocks, 0 or more`,
      );
    settings.confirmations = p.confirmations;
  }
  if (p.maxLogRange !== undefined) settings.maxLogRange = requireLogRange(p.maxLogRange);
  for (const name of ["dropTimeout", "receiptTimeout"] as const) {
    const ms = p[name];
    if (ms === undefined) continue;
    if (!Number.isSafeInteger(ms) || ms < 100)
      throw new InvalidArgumentError(name, `is ${ms}: give a whole number of milliseconds, 100 or more`);
    settings[name] = ms;
  }
  return settings;
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
  const { transport, urls } = transportOf(p);
  const settings = settingsOf(p);
  const deployment = deploymentOf(p.deployment);
  const chain = chainOf(deployment, urls[0]);
  const pollingInterval = p.pollingInterval ?? 1000;
  const client = p.account
    ? createWalletClient({ chain, transport, account: p.account, pollingInterval })
    : createPublicClient({ chain, transport, pollingInterval });
  const context: ClearhouseContext = clearhouseContext(client, deployment, settings);
  if (urls.length > 1) context.rpcUrl = urls.join(", ");
  if (p.memberAccount !== undefined) context.memberAccount = requireAddress("memberAccount", p.memberAccount);
  return {
    context,
    deployment,
    ...bindClearhouseActions(context),
    /** The same client signing as another account (a key of `memberAccount` when given). */
    as(account: Account | Address, memberAccount?: Address) {
      return createClearhouse({ ...p, deployment, account, memberAccount });
    },
  };
}

export type Clearhouse = ReturnType<typeof createClearhouse>;
