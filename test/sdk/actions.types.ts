/**
 * Type-level tests, checked by `npx tsc --noEmit` (part of `npm run lint`); nothing here runs.
 * - Every action of the table, as `clearhouseActions` and `createClearhouse` expose it, takes its
 *   module's exported `XParameters` and resolves to its `XReturnType` (122 actions).
 * - `client.extend(clearhouseActions(d))` infers the read actions on a client without an account
 *   and every action on one with an account; amounts are bigint at the type level.
 */
import { createPublicClient, createWalletClient, http, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  accounts,
  clearhouseActions,
  createClearhouse,
  governance,
  offline,
  payments,
  registry,
  settlement,
  token,
  zk,
  type Clearhouse,
  type ClearhouseActions,
  type ClearhouseReadActions,
  type Deployment,
} from "../../packages/sdk/src";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

/** Whether action `name` of `group` takes exactly `P` and resolves to exactly `R`. */
type Action<
  G extends keyof ClearhouseActions,
  K extends keyof ClearhouseActions[G],
  P extends readonly unknown[],
  R,
> = ClearhouseActions[G][K] extends (...args: infer A) => Promise<infer Result>
  ? Equal<A, P> extends true
    ? Equal<Result, R>
    : false
  : false;

/** One entry per action: parameters and result as the module exports them. */
export type EveryAction = [
  // registry
  Expect<Action<"registry", "getMember", [registry.GetMemberParameters], registry.GetMemberReturnType>>,
  Expect<Action<"registry", "listMembers", [], registry.ListMembersReturnType>>,
  Expect<
    Action<"registry", "checkTransaction", [registry.CheckTransactionParameters], registry.CheckTransactionReturnType>
  >,
  Expect<Action<"registry", "isNodeAllowed", [registry.IsNodeAllowedParameters], registry.IsNodeAllowedReturnType>>,
  Expect<Action<"registry", "getRegistryOwner", [], registry.GetRegistryOwnerReturnType>>,
  Expect<Action<"registry", "admitMember", [registry.AdmitMemberParameters], registry.AdmitMemberReturnType>>,
  Expect<Action<"registry", "setRoles", [registry.SetRolesParameters], registry.SetRolesReturnType>>,
  Expect<Action<"registry", "setLimits", [registry.SetLimitsParameters], registry.SetLimitsReturnType>>,
  Expect<Action<"registry", "suspendMember", [registry.SuspendMemberParameters], registry.SuspendMemberReturnType>>,
  Expect<
    Action<"registry", "reinstateMember", [registry.ReinstateMemberParameters], registry.ReinstateMemberReturnType>
  >,
  Expect<Action<"registry", "removeMember", [registry.RemoveMemberParameters], registry.RemoveMemberReturnType>>,
  Expect<Action<"registry", "addSanction", [registry.AddSanctionParameters], registry.AddSanctionReturnType>>,
  Expect<Action<"registry", "removeSanction", [registry.RemoveSanctionParameters], registry.RemoveSanctionReturnType>>,
  Expect<Action<"registry", "allowNode", [registry.AllowNodeParameters], registry.AllowNodeReturnType>>,
  Expect<Action<"registry", "removeNode", [registry.RemoveNodeParameters], registry.RemoveNodeReturnType>>,
  Expect<Action<"registry", "getWallet", [registry.GetWalletParameters], registry.GetWalletReturnType>>,
  Expect<Action<"registry", "getTier", [registry.GetTierParameters], registry.GetTierReturnType>>,
  Expect<Action<"registry", "listTiers", [], registry.ListTiersReturnType>>,
  Expect<Action<"registry", "checkHolder", [registry.CheckHolderParameters], registry.CheckHolderReturnType>>,
  Expect<Action<"registry", "setTier", [registry.SetTierParameters], registry.SetTierReturnType>>,
  Expect<Action<"registry", "openWallet", [registry.OpenWalletParameters], registry.OpenWalletReturnType>>,
  Expect<Action<"registry", "setWalletTier", [registry.SetWalletTierParameters], registry.SetWalletTierReturnType>>,
  Expect<Action<"registry", "closeWallet", [registry.CloseWalletParameters], registry.CloseWalletReturnType>>,
  // token
  Expect<Action<"token", "getTokenInfo", [], token.GetTokenInfoReturnType>>,
  Expect<Action<"token", "getBalance", [token.GetBalanceParameters], token.GetBalanceReturnType>>,
  Expect<Action<"token", "getAllowance", [token.GetAllowanceParameters], token.GetAllowanceReturnType>>,
  Expect<Action<"token", "getOutflowToday", [token.GetOutflowTodayParameters], token.GetOutflowTodayReturnType>>,
  Expect<Action<"token", "getIssuance", [], token.GetIssuanceReturnType>>,
  Expect<Action<"token", "checkTransfer", [token.CheckTransferParameters], token.CheckTransferReturnType>>,
  Expect<Action<"token", "mint", [token.MintParameters], token.MintReturnType>>,
  Expect<Action<"token", "mintBeyondCeiling", [token.MintBeyondCeilingParameters], token.MintBeyondCeilingReturnType>>,
  Expect<
    Action<"token", "setIssuanceCeiling", [token.SetIssuanceCeilingParameters], token.SetIssuanceCeilingReturnType>
  >,
  Expect<Action<"token", "burn", [token.BurnParameters], token.BurnReturnType>>,
  Expect<Action<"token", "transfer", [token.TransferParameters], token.TransferReturnType>>,
  Expect<Action<"token", "approve", [token.ApproveParameters], token.ApproveReturnType>>,
  Expect<Action<"token", "transferFrom", [token.TransferFromParameters], token.TransferFromReturnType>>,
  Expect<Action<"token", "signPermit", [token.SignPermitParameters], token.SignPermitReturnType>>,
  Expect<Action<"token", "submitPermit", [token.SubmitPermitParameters], token.SubmitPermitReturnType>>,
  Expect<Action<"token", "setGuardian", [token.SetGuardianParameters], token.SetGuardianReturnType>>,
  Expect<Action<"token", "pause", [], token.PauseReturnType>>,
  Expect<Action<"token", "unpause", [], token.UnpauseReturnType>>,
  // governance
  Expect<
    Action<"governance", "buildProposal", [governance.BuildProposalParameters], governance.BuildProposalReturnType>
  >,
  Expect<Action<"governance", "buildCancel", [governance.BuildCancelParameters], governance.BuildCancelReturnType>>,
  Expect<Action<"governance", "getGovernance", [], governance.GetGovernanceReturnType>>,
  Expect<
    Action<
      "governance",
      "getProposalStatus",
      [governance.GetProposalStatusParameters],
      governance.GetProposalStatusReturnType
    >
  >,
  Expect<
    Action<"governance", "listProposals", [governance.ListProposalsParameters?], governance.ListProposalsReturnType>
  >,
  Expect<
    Action<"governance", "approveOnChain", [governance.ApproveOnChainParameters], governance.ApproveOnChainReturnType>
  >,
  Expect<
    Action<"governance", "queueProposal", [governance.QueueProposalParameters], governance.QueueProposalReturnType>
  >,
  Expect<
    Action<
      "governance",
      "executeProposal",
      [governance.ExecuteProposalParameters],
      governance.ExecuteProposalReturnType
    >
  >,
  Expect<Action<"governance", "pauseAll", [], governance.PauseAllReturnType>>,
  Expect<
    Action<"governance", "claimOwnership", [governance.ClaimOwnershipParameters], governance.ClaimOwnershipReturnType>
  >,
  // settlement
  Expect<Action<"settlement", "getBatchId", [settlement.GetBatchIdParameters], settlement.GetBatchIdReturnType>>,
  Expect<Action<"settlement", "getBatch", [settlement.GetBatchParameters], settlement.GetBatchReturnType>>,
  Expect<Action<"settlement", "getAnchor", [settlement.GetAnchorParameters], settlement.GetAnchorReturnType>>,
  Expect<Action<"settlement", "onChainHeader", settlement.OnChainHeaderParameters, settlement.OnChainHeaderReturnType>>,
  Expect<
    Action<"settlement", "anchoredHeader", settlement.AnchoredHeaderParameters, settlement.AnchoredHeaderReturnType>
  >,
  Expect<
    Action<"settlement", "anchoredBatch", [settlement.AnchoredBatchParameters], settlement.AnchoredBatchReturnType>
  >,
  Expect<Action<"settlement", "headerDigest", [settlement.HeaderDigestParameters], settlement.HeaderDigestReturnType>>,
  Expect<Action<"settlement", "getTreeHash", [settlement.GetTreeHashParameters?], settlement.GetTreeHashReturnType>>,
  Expect<
    Action<
      "settlement",
      "verifyInclusionOnChain",
      [settlement.VerifyInclusionOnChainParameters],
      settlement.VerifyInclusionOnChainReturnType
    >
  >,
  Expect<
    Action<
      "settlement",
      "verifyRecordOnChain",
      [settlement.VerifyRecordOnChainParameters],
      settlement.VerifyRecordOnChainReturnType
    >
  >,
  Expect<Action<"settlement", "isBarred", [settlement.IsBarredParameters], settlement.IsBarredReturnType>>,
  Expect<
    Action<"settlement", "getLedgerBank", [settlement.GetLedgerBankParameters], settlement.GetLedgerBankReturnType>
  >,
  Expect<
    Action<"settlement", "ledgerIndexOf", [settlement.LedgerIndexOfParameters], settlement.LedgerIndexOfReturnType>
  >,
  Expect<Action<"settlement", "freeIndexes", [], settlement.FreeIndexesReturnType>>,
  Expect<Action<"settlement", "planClose", [settlement.PlanCloseParameters], settlement.PlanCloseReturnType>>,
  Expect<
    Action<"settlement", "pendingBatches", [settlement.PendingBatchesParameters], settlement.PendingBatchesReturnType>
  >,
  Expect<Action<"settlement", "getCycle", [settlement.GetCycleParameters?], settlement.GetCycleReturnType>>,
  Expect<Action<"settlement", "getCredit", [settlement.GetCreditParameters], settlement.GetCreditReturnType>>,
  Expect<
    Action<"settlement", "isBatchSettled", [settlement.IsBatchSettledParameters], settlement.IsBatchSettledReturnType>
  >,
  Expect<
    Action<
      "settlement",
      "getBatchSettlement",
      [settlement.GetBatchSettlementParameters],
      settlement.GetBatchSettlementReturnType
    >
  >,
  Expect<Action<"settlement", "reconcile", [settlement.ReconcileParameters], settlement.ReconcileReturnType>>,
  Expect<Action<"settlement", "enroll", [], settlement.EnrollReturnType>>,
  Expect<Action<"settlement", "submitBatch", [settlement.SubmitBatchParameters], settlement.SubmitBatchReturnType>>,
  Expect<
    Action<
      "settlement",
      "acknowledgeBatch",
      [settlement.AcknowledgeBatchParameters],
      settlement.AcknowledgeBatchReturnType
    >
  >,
  Expect<Action<"settlement", "disputeBatch", [settlement.DisputeBatchParameters], settlement.DisputeBatchReturnType>>,
  Expect<
    Action<"settlement", "resolveDispute", [settlement.ResolveDisputeParameters], settlement.ResolveDisputeReturnType>
  >,
  Expect<Action<"settlement", "signDispute", [settlement.SignDisputeParameters], settlement.SignDisputeReturnType>>,
  Expect<
    Action<
      "settlement",
      "disputeBySignature",
      [settlement.DisputeBySignatureParameters],
      settlement.DisputeBySignatureReturnType
    >
  >,
  Expect<Action<"settlement", "releaseBank", [settlement.ReleaseBankParameters], settlement.ReleaseBankReturnType>>,
  Expect<Action<"settlement", "setBarred", [settlement.SetBarredParameters], settlement.SetBarredReturnType>>,
  Expect<Action<"settlement", "openCycle", [], settlement.OpenCycleReturnType>>,
  Expect<Action<"settlement", "declareBatch", [settlement.DeclareBatchParameters], settlement.DeclareBatchReturnType>>,
  Expect<
    Action<
      "settlement",
      "declareProvedBatch",
      [settlement.DeclareProvedBatchParameters],
      settlement.DeclareProvedBatchReturnType
    >
  >,
  Expect<
    Action<
      "settlement",
      "declareProvedChunks",
      [settlement.DeclareProvedChunksParameters],
      settlement.DeclareProvedChunksReturnType
    >
  >,
  Expect<
    Action<
      "settlement",
      "declareTracedChunks",
      [settlement.DeclareTracedChunksParameters],
      settlement.DeclareTracedChunksReturnType
    >
  >,
  Expect<Action<"settlement", "closeCycle", [settlement.CloseCycleParameters?], settlement.CloseCycleReturnType>>,
  Expect<
    Action<"settlement", "closeCycleWith", [settlement.CloseCycleWithParameters], settlement.CloseCycleWithReturnType>
  >,
  Expect<
    Action<"settlement", "setCreditLine", [settlement.SetCreditLineParameters], settlement.SetCreditLineReturnType>
  >,
  Expect<
    Action<"settlement", "fundCreditPool", [settlement.FundCreditPoolParameters], settlement.FundCreditPoolReturnType>
  >,
  Expect<Action<"settlement", "repayCredit", [settlement.RepayCreditParameters], settlement.RepayCreditReturnType>>,
  Expect<Action<"settlement", "setAckWindow", [settlement.SetAckWindowParameters], settlement.SetAckWindowReturnType>>,
  Expect<
    Action<
      "settlement",
      "setMaxConsecutiveDeferrals",
      [settlement.SetMaxConsecutiveDeferralsParameters],
      settlement.SetMaxConsecutiveDeferralsReturnType
    >
  >,
  Expect<Action<"settlement", "writeOff", [settlement.WriteOffParameters], settlement.WriteOffReturnType>>,
  // zk
  Expect<Action<"zk", "getCircuit", [zk.GetCircuitParameters], zk.GetCircuitReturnType>>,
  Expect<Action<"zk", "verifyOnChain", [zk.VerifyOnChainParameters], zk.VerifyOnChainReturnType>>,
  Expect<Action<"zk", "isNullifierSpent", [zk.IsNullifierSpentParameters], zk.IsNullifierSpentReturnType>>,
  Expect<Action<"zk", "getRegulatorKey", [p?: zk.GetRegulatorKeyParameters], zk.GetRegulatorKeyReturnType>>,
  Expect<Action<"zk", "getTracePolicy", [], zk.GetTracePolicyReturnType>>,
  Expect<Action<"zk", "rotateRegulatorKey", [zk.RotateRegulatorKeyParameters], zk.RotateRegulatorKeyReturnType>>,
  Expect<Action<"zk", "setTraceThreshold", [zk.SetTraceThresholdParameters], zk.SetTraceThresholdReturnType>>,
  // accounts
  Expect<Action<"accounts", "memberKeys", [accounts.MemberKeysParameters], accounts.MemberKeysReturnType>>,
  Expect<Action<"accounts", "accountOfKey", [accounts.AccountOfKeyParameters], accounts.AccountOfKeyReturnType>>,
  Expect<
    Action<
      "accounts",
      "predictMemberAccount",
      [accounts.PredictMemberAccountParameters],
      accounts.PredictMemberAccountReturnType
    >
  >,
  Expect<
    Action<
      "accounts",
      "createMemberAccount",
      [accounts.CreateMemberAccountParameters],
      accounts.CreateMemberAccountReturnType
    >
  >,
  Expect<Action<"accounts", "authorizeKey", [accounts.AuthorizeKeyParameters], accounts.AuthorizeKeyReturnType>>,
  Expect<Action<"accounts", "revokeKey", [accounts.RevokeKeyParameters], accounts.RevokeKeyReturnType>>,
  Expect<Action<"accounts", "resetKeys", [accounts.ResetKeysParameters], accounts.ResetKeysReturnType>>,
  // payments
  Expect<Action<"payments", "bindingOf", [payments.BindingOfParameters], payments.BindingOfReturnType>>,
  Expect<Action<"payments", "getAgreement", [payments.GetAgreementParameters], payments.GetAgreementReturnType>>,
  Expect<
    Action<
      "payments",
      "checkAttestations",
      [payments.CheckAttestationsParameters],
      payments.CheckAttestationsReturnType
    >
  >,
  Expect<
    Action<"payments", "createAgreement", [payments.CreateAgreementParameters], payments.CreateAgreementReturnType>
  >,
  Expect<Action<"payments", "attest", [payments.AttestParameters], payments.AttestReturnType>>,
  Expect<
    Action<
      "payments",
      "submitAttestations",
      [payments.SubmitAttestationsParameters],
      payments.SubmitAttestationsReturnType
    >
  >,
  Expect<
    Action<
      "payments",
      "submitMissingAttestations",
      [payments.SubmitMissingAttestationsParameters],
      payments.SubmitMissingAttestationsReturnType
    >
  >,
  Expect<Action<"payments", "submitProof", [payments.SubmitProofParameters], payments.SubmitProofReturnType>>,
  Expect<Action<"payments", "release", [payments.ReleaseParameters], payments.ReleaseReturnType>>,
  Expect<Action<"payments", "refund", [payments.RefundParameters], payments.RefundReturnType>>,
  Expect<Action<"payments", "dispute", [payments.DisputeParameters], payments.DisputeReturnType>>,
  Expect<Action<"payments", "resolveDispute", [payments.ResolveDisputeParameters], payments.ResolveDisputeReturnType>>,
  Expect<
    Action<"payments", "cancelAgreement", [payments.CancelAgreementParameters], payments.CancelAgreementReturnType>
  >,
  Expect<Action<"payments", "revokeCancel", [payments.RevokeCancelParameters], payments.RevokeCancelReturnType>>,
  // offline
  Expect<Action<"offline", "getAllowance", [offline.GetAllowanceParameters], offline.GetAllowanceReturnType>>,
  Expect<Action<"offline", "getBankBook", [offline.GetBankBookParameters], offline.GetBankBookReturnType>>,
  Expect<Action<"offline", "getBulkBatch", [offline.GetBulkBatchParameters], offline.GetBulkBatchReturnType>>,
  Expect<
    Action<"offline", "getVoucherStatus", [offline.GetVoucherStatusParameters], offline.GetVoucherStatusReturnType>
  >,
  Expect<
    Action<"offline", "findBulkEvidence", [offline.FindBulkEvidenceParameters], offline.FindBulkEvidenceReturnType>
  >,
  Expect<Action<"offline", "getCredit", [offline.GetCreditParameters], offline.GetCreditReturnType>>,
  Expect<
    Action<"offline", "getFrozenDevices", [offline.GetFrozenDevicesParameters?], offline.GetFrozenDevicesReturnType>
  >,
  Expect<Action<"offline", "isDeviceFrozen", [offline.IsDeviceFrozenParameters], offline.IsDeviceFrozenReturnType>>,
  Expect<
    Action<
      "offline",
      "getRequiredGuarantee",
      [offline.GetRequiredGuaranteeParameters],
      offline.GetRequiredGuaranteeReturnType
    >
  >,
  Expect<
    Action<
      "offline",
      "getRedemptionOutcome",
      [offline.GetRedemptionOutcomeParameters],
      offline.GetRedemptionOutcomeReturnType
    >
  >,
  Expect<
    Action<"offline", "getReleaseOutcome", [offline.GetReleaseOutcomeParameters], offline.GetReleaseOutcomeReturnType>
  >,
  Expect<Action<"offline", "anchorAllowance", [offline.AnchorAllowanceParameters], offline.AnchorAllowanceReturnType>>,
  Expect<Action<"offline", "redeemVoucher", [offline.RedeemVoucherParameters], offline.RedeemVoucherReturnType>>,
  Expect<Action<"offline", "redeemUnfunded", [offline.RedeemUnfundedParameters], offline.RedeemUnfundedReturnType>>,
  Expect<Action<"offline", "postGuarantee", [offline.PostGuaranteeParameters], offline.PostGuaranteeReturnType>>,
  Expect<
    Action<"offline", "withdrawGuarantee", [offline.WithdrawGuaranteeParameters], offline.WithdrawGuaranteeReturnType>
  >,
  Expect<Action<"offline", "payDebts", [offline.PayDebtsParameters], offline.PayDebtsReturnType>>,
  Expect<Action<"offline", "claimCredit", [], offline.ClaimCreditReturnType>>,
  Expect<
    Action<"offline", "releaseAllowance", [offline.ReleaseAllowanceParameters], offline.ReleaseAllowanceReturnType>
  >,
  Expect<Action<"offline", "claimBulk", [offline.ClaimBulkParameters], offline.ClaimBulkReturnType>>,
  Expect<Action<"offline", "disputeClaim", [offline.DisputeClaimParameters], offline.DisputeClaimReturnType>>,
  Expect<Action<"offline", "settleBulk", [offline.SettleBulkParameters], offline.SettleBulkReturnType>>,
  Expect<
    Action<"offline", "redeemDoubleSpent", [offline.RedeemDoubleSpentParameters], offline.RedeemDoubleSpentReturnType>
  >,
];

/** The table has no action this file does not check (a new action must be added above). */
type Checked = { [G in keyof ClearhouseActions]: keyof ClearhouseActions[G] };
export type NothingUnchecked = Expect<
  Equal<
    Checked,
    {
      registry:
        | "getMember"
        | "listMembers"
        | "checkTransaction"
        | "isNodeAllowed"
        | "getRegistryOwner"
        | "admitMember"
        | "setRoles"
        | "setLimits"
        | "suspendMember"
        | "reinstateMember"
        | "removeMember"
        | "addSanction"
        | "removeSanction"
        | "allowNode"
        | "removeNode"
        | "getWallet"
        | "getTier"
        | "listTiers"
        | "checkHolder"
        | "setTier"
        | "openWallet"
        | "setWalletTier"
        | "closeWallet";
      token:
        | "getTokenInfo"
        | "getBalance"
        | "getAllowance"
        | "getOutflowToday"
        | "getIssuance"
        | "checkTransfer"
        | "mint"
        | "mintBeyondCeiling"
        | "setIssuanceCeiling"
        | "burn"
        | "transfer"
        | "approve"
        | "transferFrom"
        | "signPermit"
        | "submitPermit"
        | "setGuardian"
        | "pause"
        | "unpause";
      governance:
        | "buildProposal"
        | "buildCancel"
        | "getGovernance"
        | "getProposalStatus"
        | "listProposals"
        | "approveOnChain"
        | "queueProposal"
        | "executeProposal"
        | "pauseAll"
        | "claimOwnership";
      settlement:
        | "getBatchId"
        | "getBatch"
        | "getAnchor"
        | "onChainHeader"
        | "anchoredHeader"
        | "anchoredBatch"
        | "headerDigest"
        | "getTreeHash"
        | "verifyInclusionOnChain"
        | "verifyRecordOnChain"
        | "isBarred"
        | "getLedgerBank"
        | "ledgerIndexOf"
        | "freeIndexes"
        | "planClose"
        | "pendingBatches"
        | "getCycle"
        | "getCredit"
        | "isBatchSettled"
        | "getBatchSettlement"
        | "reconcile"
        | "enroll"
        | "submitBatch"
        | "acknowledgeBatch"
        | "disputeBatch"
        | "resolveDispute"
        | "signDispute"
        | "disputeBySignature"
        | "releaseBank"
        | "setBarred"
        | "openCycle"
        | "declareBatch"
        | "declareProvedBatch"
        | "declareProvedChunks"
        | "declareTracedChunks"
        | "closeCycle"
        | "closeCycleWith"
        | "setCreditLine"
        | "fundCreditPool"
        | "repayCredit"
        | "setAckWindow"
        | "setMaxConsecutiveDeferrals"
        | "writeOff";
      zk:
        | "getCircuit"
        | "verifyOnChain"
        | "isNullifierSpent"
        | "getRegulatorKey"
        | "getTracePolicy"
        | "rotateRegulatorKey"
        | "setTraceThreshold";
      accounts:
        | "memberKeys"
        | "accountOfKey"
        | "predictMemberAccount"
        | "createMemberAccount"
        | "authorizeKey"
        | "revokeKey"
        | "resetKeys";
      payments:
        | "bindingOf"
        | "getAgreement"
        | "checkAttestations"
        | "createAgreement"
        | "attest"
        | "submitAttestations"
        | "submitMissingAttestations"
        | "submitProof"
        | "release"
        | "refund"
        | "dispute"
        | "resolveDispute"
        | "cancelAgreement"
        | "revokeCancel";
      offline:
        | "getAllowance"
        | "getBankBook"
        | "getBulkBatch"
        | "getVoucherStatus"
        | "getCredit"
        | "findBulkEvidence"
        | "getFrozenDevices"
        | "isDeviceFrozen"
        | "getRequiredGuarantee"
        | "getRedemptionOutcome"
        | "getReleaseOutcome"
        | "anchorAllowance"
        | "redeemVoucher"
        | "redeemUnfunded"
        | "postGuarantee"
        | "withdrawGuarantee"
        | "payDebts"
        | "claimCredit"
        | "releaseAllowance"
        | "claimBulk"
        | "disputeClaim"
        | "settleBulk"
        | "redeemDoubleSpent";
    }
  >
>;

/** `createClearhouse` exposes the same table. */
export type SameAsCreateClearhouse = Expect<Equal<Clearhouse["token"], ClearhouseActions["token"]>>;

/** Never called: what `extend` infers, as a user writes it. */
export function inferredThroughExtend(deployment: Deployment) {
  const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  const reader = createPublicClient({ transport: http() }).extend(clearhouseActions(deployment));
  const writer = createWalletClient({ transport: http(), account }).extend(clearhouseActions(deployment));
  const noAccount = createWalletClient({ transport: http() }).extend(clearhouseActions(deployment));
  const checks: [
    Expect<Equal<typeof reader.clearhouse, ClearhouseReadActions>>,
    Expect<Equal<typeof writer.clearhouse, ClearhouseActions>>,
    Expect<Equal<typeof noAccount.clearhouse, ClearhouseReadActions>>,
    // viem's own actions are kept beside the namespace.
    Expect<Equal<Awaited<ReturnType<typeof reader.getChainId>>, number>>,
    // A bank's ledger index is one type everywhere: a number (the contracts' uint8).
    Expect<Equal<Awaited<ReturnType<typeof writer.clearhouse.settlement.getLedgerBank>>["index"], number>>,
    Expect<Equal<Awaited<ReturnType<typeof writer.clearhouse.settlement.enroll>>["index"], number>>,
    Expect<Equal<Awaited<ReturnType<typeof reader.clearhouse.settlement.freeIndexes>>[number]["index"], number>>,
  ] = [true, true, true, true, true, true, true];

  // @ts-expect-error a client without an account has no write action
  void reader.clearhouse.token.transfer({ to: zeroAddress, amount: 1n });
  // @ts-expect-error nor has a wallet client created without an account
  void noAccount.clearhouse.settlement.enroll();
  // @ts-expect-error an amount is a bigint, not a number
  void writer.clearhouse.token.transfer({ to: zeroAddress, amount: 10.5 });
  // @ts-expect-error nor text
  void writer.clearhouse.registry.setLimits({ account: zeroAddress, maxSingleTransfer: "5", maxDailyOutflow: 10n });

  const ch = createClearhouse({ transport: http(), deployment });
  // @ts-expect-error createClearhouse's groups have only the table's actions (no stray helpers)
  void ch.zk.circuitKey;
  return checks;
}
