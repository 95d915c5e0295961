/**
 * The SDK's actions by group, split into those that only read the chain and those that need the
 * client's account (they send a transaction or sign), and the binding of every action to one
 * context: `(ctx, p) => r` becomes `(p) => r`. Both `createClearhouse` and `clearhouseActions`
 * expose exactly this table.
 */
import type { ClearhouseContext } from "./context";
import * as registryActions from "./registry/actions";
import * as registryReads from "./registry/reads";
import * as wallets from "./registry/wallets";
import * as tokenActions from "./token/actions";
import * as tokenReads from "./token/reads";
import * as tokenPreflight from "./token/preflight";
import { signPermit } from "./token/permit";
import * as governanceActions from "./governance/actions";
import * as governanceReads from "./governance/reads";
import { listProposals } from "./governance/history";
import * as ledger from "./settlement/ledger";
import { submitBatch } from "./settlement/submit";
import * as ledgerBanks from "./settlement/ledgerBanks";
import * as disputes from "./settlement/dispute";
import * as netting from "./settlement/netting";
import * as traced from "./settlement/traced";
import * as batchSettlement from "./settlement/batchSettlement";
import * as close from "./settlement/close";
import * as settlementAdmin from "./settlement/admin";
import { pendingBatches } from "./settlement/pending";
import { reconcile } from "./settlement/reconcile";
import * as zkOnChain from "./zk/onchain";
import * as regulatorKeys from "./zk/regulatorKeys";
import * as escrow from "./payments/escrow";
import * as submission from "./payments/submission";
import * as offlineActions from "./offline/actions";
import * as offlineBulk from "./offline/bulkActions";
import * as offlineReads from "./offline/reads";
import * as offlineOutcomes from "./offline/outcomes";
import * as accounts from "./accounts/keys";
import * as treeHashActions from "./settlement/treeHashActions";

/** Actions that only read: they work on any client (a public client, or a wallet client). */
const readActions = {
  registry: {
    getMember: registryReads.getMember,
    listMembers: registryReads.listMembers,
    checkTransaction: registryReads.checkTransaction,
    isNodeAllowed: registryReads.isNodeAllowed,
    getRegistryOwner: registryReads.getRegistryOwner,
    getWallet: wallets.getWallet,
    getTier: wallets.getTier,
    listTiers: wallets.listTiers,
    checkHolder: wallets.checkHolder,
  },
  token: {
    getTokenInfo: tokenReads.getTokenInfo,
    getBalance: tokenReads.getBalance,
    getAllowance: tokenReads.getAllowance,
    getOutflowToday: tokenReads.getOutflowToday,
    getIssuance: tokenReads.getIssuance,
    checkTransfer: tokenPreflight.checkTransfer,
  },
  governance: {
    buildProposal: governanceActions.buildProposal,
    buildCancel: governanceActions.buildCancel,
    getGovernance: governanceReads.getGovernance,
    getProposalStatus: governanceReads.getProposalStatus,
    listProposals,
  },
  settlement: {
    getBatchId: ledger.getBatchId,
    getBatch: ledger.getBatch,
    getAnchor: ledger.getAnchor,
    onChainHeader: ledger.onChainHeader,
    anchoredHeader: ledger.anchoredHeader,
    anchoredBatch: ledger.anchoredBatch,
    headerDigest: ledger.headerDigest,
    getTreeHash: treeHashActions.getTreeHash,
    verifyInclusionOnChain: ledger.verifyInclusionOnChain,
    verifyRecordOnChain: ledger.verifyRecordOnChain,
    isBarred: ledgerBanks.isBarred,
    getLedgerBank: ledgerBanks.getLedgerBank,
    ledgerIndexOf: ledgerBanks.ledgerIndexOf,
    freeIndexes: ledgerBanks.freeIndexes,
    planClose: close.planClose,
    pendingBatches,
    getCycle: netting.getCycle,
    getCredit: netting.getCredit,
    isBatchSettled: netting.isBatchSettled,
    getBatchSettlement: batchSettlement.getBatchSettlement,
    reconcile,
  },
  zk: {
    getCircuit: zkOnChain.getCircuit,
    verifyOnChain: zkOnChain.verifyOnChain,
    isNullifierSpent: zkOnChain.isNullifierSpent,
    getRegulatorKey: regulatorKeys.getRegulatorKey,
    getTracePolicy: regulatorKeys.getTracePolicy,
  },
  accounts: {
    memberKeys: accounts.memberKeys,
    accountOfKey: accounts.accountOfKey,
    predictMemberAccount: accounts.predictMemberAccount,
  },
  payments: {
    bindingOf: escrow.bindingOf,
    getAgreement: escrow.getAgreement,
    checkAttestations: submission.checkAttestations,
  },
  offline: {
    getAllowance: offlineReads.getAllowance,
    getBankBook: offlineReads.getBankBook,
    getBulkBatch: offlineReads.getBulkBatch,
    getVoucherStatus: offlineReads.getVoucherStatus,
    getCredit: offlineReads.getCredit,
    findBulkEvidence: offlineBulk.findBulkEvidence,
    getFrozenDevices: offlineOutcomes.getFrozenDevices,
    isDeviceFrozen: offlineOutcomes.isDeviceFrozen,
    getRequiredGuarantee: offlineOutcomes.getRequiredGuarantee,
    getRedemptionOutcome: offlineOutcomes.getRedemptionOutcome,
    getReleaseOutcome: offlineOutcomes.getReleaseOutcome,
  },
};

/** Actions that need the client's account: they send a transaction or sign with it. */
const accountActions = {
  registry: {
    admitMember: registryActions.admitMember,
    setRoles: registryActions.setRoles,
    setLimits: registryActions.setLimits,
    suspendMember: registryActions.suspendMember,
    reinstateMember: registryActions.reinstateMember,
    removeMember: registryActions.removeMember,
    addSanction: registryActions.addSanction,
    removeSanction: registryActions.removeSanction,
    allowNode: registryActions.allowNode,
    removeNode: registryActions.removeNode,
    setTier: wallets.setTier,
    openWallet: wallets.openWallet,
    setWalletTier: wallets.setWalletTier,
    closeWallet: wallets.closeWallet,
  },
  token: {
    mint: tokenActions.mint,
    mintBeyondCeiling: tokenActions.mintBeyondCeiling,
    setIssuanceCeiling: tokenActions.setIssuanceCeiling,
    burn: tokenActions.burn,
    transfer: tokenActions.transfer,
    approve: tokenActions.approve,
    transferFrom: tokenActions.transferFrom,
    signPermit,
    submitPermit: tokenActions.submitPermit,
    setGuardian: tokenActions.setGuardian,
    pause: tokenActions.pause,
    unpause: tokenActions.unpause,
  },
  governance: {
    approveOnChain: governanceActions.approveOnChain,
    queueProposal: governanceActions.queueProposal,
    executeProposal: governanceActions.executeProposal,
    pauseAll: governanceActions.pauseAll,
    claimOwnership: governanceActions.claimOwnership,
  },
  settlement: {
    enroll: ledger.enroll,
    submitBatch,
    acknowledgeBatch: ledger.acknowledgeBatch,
    disputeBatch: ledger.disputeBatch,
    resolveDispute: ledger.resolveDispute,
    signDispute: disputes.signDispute,
    disputeBySignature: disputes.disputeBySignature,
    releaseBank: ledgerBanks.releaseBank,
    setBarred: ledgerBanks.setBarred,
    openCycle: netting.openCycle,
    declareBatch: netting.declareBatch,
    declareProvedBatch: netting.declareProvedBatch,
    declareProvedChunks: netting.declareProvedChunks,
    declareTracedChunks: traced.declareTracedChunks,
    closeCycle: close.closeCycle,
    closeCycleWith: close.closeCycleWith,
    setCreditLine: netting.setCreditLine,
    fundCreditPool: netting.fundCreditPool,
    repayCredit: netting.repayCredit,
    setAckWindow: settlementAdmin.setAckWindow,
    setMaxConsecutiveDeferrals: settlementAdmin.setMaxConsecutiveDeferrals,
    writeOff: settlementAdmin.writeOff,
  },
  zk: {
    rotateRegulatorKey: regulatorKeys.rotateRegulatorKey,
    setTraceThreshold: regulatorKeys.setTraceThreshold,
  },
  accounts: {
    createMemberAccount: accounts.createMemberAccount,
    authorizeKey: accounts.authorizeKey,
    revokeKey: accounts.revokeKey,
    resetKeys: accounts.resetKeys,
  },
  payments: {
    createAgreement: escrow.createAgreement,
    attest: escrow.attest,
    submitAttestations: submission.submitAttestations,
    submitMissingAttestations: submission.submitMissingAttestations,
    submitProof: escrow.submitProof,
    release: escrow.release,
    refund: escrow.refund,
    dispute: escrow.dispute,
    resolveDispute: escrow.resolveDispute,
    cancelAgreement: escrow.cancelAgreement,
    revokeCancel: escrow.revokeCancel,
  },
  offline: {
    anchorAllowance: offlineActions.anchorAllowance,
    redeemVoucher: offlineActions.redeemVoucher,
    redeemUnfunded: offlineActions.redeemUnfunded,
    postGuarantee: offlineActions.postGuarantee,
    withdrawGuarantee: offlineActions.withdrawGuarantee,
    payDebts: offlineActions.payDebts,
    claimCredit: offlineActions.claimCredit,
    releaseAllowance: offlineActions.releaseAllowance,
    claimBulk: offlineBulk.claimBulk,
    disputeClaim: offlineBulk.disputeClaim,
    settleBulk: offlineBulk.settleBulk,
    redeemDoubleSpent: offlineBulk.redeemDoubleSpent,
  },
};

/** An action with its context bound: `(ctx, p) => r` becomes `(p) => r`, parameters and result kept. */
export type BoundAction<F> = F extends (ctx: ClearhouseContext, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;

type BoundGroup<G> = { [K in keyof G]: BoundAction<G[K]> };

/** The action groups: the same names as `createClearhouse`'s. */
export type ClearhouseGroup = keyof typeof readActions;

/** The actions that only read, by group (what a client without an account gets). */
export type ClearhouseReadActions = {
  [K in ClearhouseGroup]: BoundGroup<(typeof readActions)[K]>;
};

/** Every action, by group: the reads and those that need the client's account. */
export type ClearhouseActions = {
  [K in ClearhouseGroup]: BoundGroup<(typeof readActions)[K] & (typeof accountActions)[K]>;
};

function bindGroup(ctx: ClearhouseContext, group: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, action] of Object.entries(group)) {
    if (typeof action !== "function") throw new TypeError(`action table: ${name} is not a function`);
    out[name] = (...args: unknown[]) => action(ctx, ...args);
  }
  return out;
}

/**
 * Every action of the table bound to `ctx`. The actions that need an account are bound too: on a
 * context without a wallet client they throw MissingAccountError before anything is sent.
 */
export function bindClearhouseActions(ctx: ClearhouseContext): ClearhouseActions {
  const groups = Object.keys(readActions) as ClearhouseGroup[];
  return Object.fromEntries(
    groups.map((group) => [group, bindGroup(ctx, { ...readActions[group], ...accountActions[group] })]),
  ) as ClearhouseActions;
}
