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
import type { ClearhouseContext } from "./context";
import { parseDeployment, type Deployment } from "./deployment";
import { InvalidArgumentError } from "./errors/base";
import * as registryActions from "./registry/actions";
import * as registryReads from "./registry/reads";
import * as tokenActions from "./token/actions";
import * as tokenReads from "./token/reads";
import * as tokenPermit from "./token/permit";
import * as tokenPreflight from "./token/preflight";
import * as governanceActions from "./governance/actions";
import * as governanceReads from "./governance/reads";
import * as ledgerActions from "./settlement/ledger";
import { submitBatch } from "./settlement/submit";
import * as ledgerBanks from "./settlement/ledgerBanks";
import * as disputeActions from "./settlement/dispute";
import * as nettingActions from "./settlement/netting";
import * as closeActions from "./settlement/close";
import { pendingBatches } from "./settlement/pending";
import { reconcile } from "./settlement/reconcile";
import * as zkOnChain from "./zk/onchain";
import * as escrowActions from "./payments/escrow";

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

/** Drop the leading context argument of an action: `(ctx, p) => r` becomes `(p) => r`. */
type Bound<T> = {
  [K in keyof T]: T[K] extends (ctx: ClearhouseContext, ...rest: infer A) => infer R ? (...rest: A) => R : never;
};

function bind<T extends Record<string, unknown>>(ctx: ClearhouseContext, actions: T): Bound<T> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(actions)) {
    if (typeof fn === "function") out[name] = (...rest: unknown[]) => fn(ctx, ...rest);
  }
  return out as Bound<T>;
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
  if (typeof p.deployment === "string")
    throw new InvalidArgumentError(
      "deployment",
      `is a path (${p.deployment}): pass the deployment object`,
      "In Node, read the file with loadDeployment(path) from @clearhouse/sdk/node.",
    );
  const deployment = parseDeployment(p.deployment);
  const transport = p.transport ?? http(p.rpcUrl);
  const chain = chainOf(deployment, p.rpcUrl);
  const context: ClearhouseContext = {
    publicClient: createPublicClient({ chain, transport, pollingInterval: p.pollingInterval ?? 1000 }),
    walletClient: p.account ? createWalletClient({ chain, transport, account: p.account }) : undefined,
    deployment,
    rpcUrl: p.rpcUrl,
  };
  return {
    context,
    deployment,
    registry: bind(context, { ...registryActions, ...registryReads }),
    token: bind(context, { ...tokenActions, ...tokenReads, ...tokenPermit, ...tokenPreflight }),
    governance: bind(context, {
      buildProposal: governanceActions.buildProposal,
      buildCancel: governanceActions.buildCancel,
      approveOnChain: governanceActions.approveOnChain,
      queueProposal: governanceActions.queueProposal,
      executeProposal: governanceActions.executeProposal,
      pauseAll: governanceActions.pauseAll,
      claimOwnership: governanceActions.claimOwnership,
      getGovernance: governanceReads.getGovernance,
      getProposalStatus: governanceReads.getProposalStatus,
    }),
    settlement: bind(context, {
      enroll: ledgerActions.enroll,
      submitBatch,
      acknowledgeBatch: ledgerActions.acknowledgeBatch,
      disputeBatch: ledgerActions.disputeBatch,
      resolveDispute: ledgerActions.resolveDispute,
      getBatchId: ledgerActions.getBatchId,
      getBatch: ledgerActions.getBatch,
      onChainHeader: ledgerActions.onChainHeader,
      anchoredHeader: ledgerActions.anchoredHeader,
      anchoredBatch: ledgerActions.anchoredBatch,
      headerDigest: ledgerActions.headerDigest,
      verifyInclusionOnChain: ledgerActions.verifyInclusionOnChain,
      verifyRecordOnChain: ledgerActions.verifyRecordOnChain,
      signDispute: disputeActions.signDispute,
      disputeBySignature: disputeActions.disputeBySignature,
      releaseBank: ledgerBanks.releaseBank,
      setBarred: ledgerBanks.setBarred,
      isBarred: ledgerBanks.isBarred,
      getLedgerBank: ledgerBanks.getLedgerBank,
      ledgerIndexOf: ledgerBanks.ledgerIndexOf,
      freeIndexes: ledgerBanks.freeIndexes,
      openCycle: nettingActions.openCycle,
      declareBatch: nettingActions.declareBatch,
      declareProvedBatch: nettingActions.declareProvedBatch,
      closeCycle: closeActions.closeCycle,
      closeCycleWith: closeActions.closeCycleWith,
      planClose: closeActions.planClose,
      pendingBatches,
      setCreditLine: nettingActions.setCreditLine,
      fundCreditPool: nettingActions.fundCreditPool,
      repayCredit: nettingActions.repayCredit,
      getCycle: nettingActions.getCycle,
      getCredit: nettingActions.getCredit,
      isBatchSettled: nettingActions.isBatchSettled,
      reconcile,
    }),
    zk: bind(context, { ...zkOnChain }),
    payments: bind(context, {
      createAgreement: escrowActions.createAgreement,
      attest: escrowActions.attest,
      submitAttestations: escrowActions.submitAttestations,
      submitProof: escrowActions.submitProof,
      bindingOf: escrowActions.bindingOf,
      release: escrowActions.release,
      refund: escrowActions.refund,
      dispute: escrowActions.dispute,
      resolveDispute: escrowActions.resolveDispute,
      cancelAgreement: escrowActions.cancelAgreement,
      revokeCancel: escrowActions.revokeCancel,
      getAgreement: escrowActions.getAgreement,
    }),
    /** The same client signing as another account. */
    as(account: Account | Address) {
      return createClearhouse({ ...p, deployment, account });
    },
  };
}

export type Clearhouse = ReturnType<typeof createClearhouse>;
