/**
 * The SDK as a viem client extension: `client.extend(clearhouseActions(deployment))` adds the
 * Clearhouse actions under one `clearhouse` namespace, grouped as `createClearhouse`'s
 * (`clearhouse.registry`, `.token`, `.governance`, `.settlement`, `.zk`, `.payments`). One
 * namespace, because viem's own clients already have a `token` namespace (ERC-20 actions) that a
 * top-level `token` group would be merged into.
 */
import {
  publicActions,
  walletActions,
  type Account,
  type Chain,
  type Client,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { bindClearhouseActions, type ClearhouseActions, type ClearhouseReadActions } from "./actionTable";
import type { ClearhouseContext, ClearhouseSettings } from "./context";
import { parseDeployment, type Deployment } from "./deployment";
import { InvalidArgumentError } from "./errors/base";

/** The deployment, validated; a path (a common mistake in Node) is refused with what to do. */
export function deploymentOf(deployment: Deployment): Deployment {
  if (typeof deployment === "string") {
    throw new InvalidArgumentError(
      "deployment",
      `is a path (${deployment}): pass the deployment object`,
      "In Node, read the file with loadDeployment(path) from @clearhouse/sdk/node.",
    );
  }
  return parseDeployment(deployment);
}

/**
 * What `clearhouseActions` adds to a client: every action on a client with an account, the reads
 * only (by type) on one without.
 */
export type ClearhouseClientActions<account extends Account | undefined = Account | undefined> = {
  clearhouse: [account] extends [Account] ? ClearhouseActions : ClearhouseReadActions;
};

/**
 * The context the SDK's plain actions take (`action(ctx, params)`), built from any viem client
 * with a transport: reads go through viem's public actions on that client (a wallet client needs no
 * `publicActions` of its own), writes through its wallet actions when the client has an account.
 *
 * @example
 * const ctx = clearhouseContext(walletClient, deployment);
 * const pending = await pendingBatches(ctx, { cycleId: 3n });
 */
export function clearhouseContext(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  deployment: Deployment,
  settings?: ClearhouseSettings,
): ClearhouseContext {
  const parsed = deploymentOf(deployment);
  const reader = plainClient(client, undefined);
  const publicClient = { ...reader, ...publicActions(reader) } as PublicClient<Transport, Chain | undefined>;
  let walletClient: WalletClient<Transport, Chain | undefined, Account> | undefined;
  if (client.account) {
    const signer = plainClient(client, client.account);
    walletClient = { ...signer, ...walletActions(signer) } as WalletClient<Transport, Chain | undefined, Account>;
  }
  const url = (client.transport as { url?: unknown }).url;
  const rpcUrl = typeof url === "string" ? url : undefined;
  return { publicClient, walletClient, deployment: parsed, rpcUrl, ...(settings ? { settings } : {}) };
}

/**
 * `client`'s configuration and transport (`request`) with `account`, and none of its actions:
 * viem's public (or wallet) actions on it then call each other, not whatever the client was
 * extended with. Reads get no account, so they send no `from` (as a public client's would not).
 * `extend` and `scope` are left out: the SDK never extends these clients again.
 */
function plainClient<account extends Account | undefined>(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  account: account,
): Client<Transport, Chain | undefined, account> {
  const config = Object.entries(client).filter(([, value]) => typeof value !== "function");
  return { ...Object.fromEntries(config), request: client.request, account } as Client<
    Transport,
    Chain | undefined,
    account
  >;
}

/**
 * The Clearhouse actions as a viem client extension, for `deployment` (validated once, here).
 * On a public client (no account) the read actions; on a wallet client with an account every
 * action, signing with that account. Each action is `(params) => result` with the same parameter
 * and return types as the plain action (`TransferParameters` → `TransferReturnType`, …).
 *
 * @example
 * const client = createPublicClient({ chain: chainOf(deployment), transport: http(url) })
 *   .extend(clearhouseActions(deployment));
 * const balance = await client.clearhouse.token.getBalance({ account: bankA });
 *
 * const wallet = createWalletClient({ chain: chainOf(deployment), transport: http(url), account })
 *   .extend(clearhouseActions(deployment));
 * await wallet.clearhouse.token.transfer({ to: bankB, amount: 125_000n }); // 1,250.00
 */
export function clearhouseActions(deployment: Deployment) {
  const parsed = deploymentOf(deployment);
  return <
    transport extends Transport = Transport,
    chain extends Chain | undefined = Chain | undefined,
    account extends Account | undefined = Account | undefined,
  >(
    client: Client<transport, chain, account>,
  ): ClearhouseClientActions<account> => ({
    clearhouse: bindClearhouseActions(clearhouseContext(client, parsed)),
  });
}
