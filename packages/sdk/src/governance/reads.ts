import { getAddress, parseAbiItem, type Address, type Hex } from "viem";
import { readContract, rpc, type ClearhouseContext } from "../context";
import { queryLogs } from "../logs";
import { consortiumMultisigAbi } from "@clearhouse/contracts";
import { checkFileTarget, multisigAddress } from "./actions";
import { combineSignatures, parseGovernanceFile, proposalOf, type GovernanceFile, type SignatureFile } from "./files";

const multisig = (ctx: ClearhouseContext) => ({ address: multisigAddress(ctx), abi: consortiumMultisigAbi });

/** The multisig's configuration. */
export interface GovernanceInfo {
  address: Address;
  signers: Address[];
  threshold: number;
  epoch: number;
  minDelay: number;
  sensitiveDelay: number;
  guardian: Address;
  pausables: Address[];
}

export type GetGovernanceReturnType = GovernanceInfo;

/** Signers, threshold, delays, guardian and the contracts it pauses. */
export async function getGovernance(ctx: ClearhouseContext): Promise<GetGovernanceReturnType> {
  const m = multisig(ctx);
  const [[signers, threshold, epoch], [minDelay, sensitiveDelay], [guardian, pausables]] = await Promise.all([
    readContract(ctx, { ...m, functionName: "signers", args: [] }),
    readContract(ctx, { ...m, functionName: "defaultDelays", args: [] }),
    readContract(ctx, { ...m, functionName: "guardian", args: [] }),
  ]);
  return {
    address: m.address,
    signers: [...signers],
    threshold,
    epoch,
    minDelay,
    sensitiveDelay,
    guardian,
    pausables: [...pausables],
  };
}

/** Where a proposal stands. */
export type ProposalState =
  | "collecting" // fewer approvals than the threshold
  | "ready-to-queue" // enough approvals, has a timelock, not queued yet
  | "queued" // timelock running
  | "executable" // can be executed now
  | "waiting-for-lane" // an earlier nonce of its lane is still open
  | "not-before" // enough approvals and no timelock, but its notBefore time has not come
  | "expired"
  | "signer-set-changed" // queued by an earlier signer set: must be approved and queued again
  | "executed"
  | "cancelled";

export interface ProposalStatus {
  hash: Hex;
  kind: "Proposal" | "Cancel";
  state: ProposalState;
  lane: bigint;
  nonce: bigint;
  laneNonce: bigint;
  threshold: number;
  /** Distinct current signers approving, from the given signature files and on-chain approvals. */
  approvers: Address[];
  /** Signature files whose signer is not a current signer (e.g. rotated out). */
  notSigners: Address[];
  delay: number;
  queuedAt: bigint;
  executableAt: bigint;
  expiry: bigint;
  now: bigint;
}

const executedEvent = parseAbiItem("event Executed(bytes32 indexed proposalHash, uint64 indexed lane, uint64 nonce)");

export interface GetProposalStatusParameters {
  file: GovernanceFile;
  /** Signature files collected offline (any order); on-chain approvals count too. */
  signatures?: readonly SignatureFile[];
}
export type GetProposalStatusReturnType = ProposalStatus;

/** The state of a proposal or cancel file, counting the given signature files and on-chain approvals. */
export async function getProposalStatus(
  ctx: ClearhouseContext,
  p: GetProposalStatusParameters,
): Promise<GetProposalStatusReturnType> {
  const file = parseGovernanceFile(p.file);
  checkFileTarget(ctx, file);
  const m = multisig(ctx);
  const td = file.typedData;
  const lane = BigInt(td.message.lane);
  const nonce = BigInt(td.message.nonce);
  const { signers: offline } = await combineSignatures(file, p.signatures ?? []);
  const [gov, laneNonce, onChain, [queuedAt, executableAt, queuedEpoch], block] = await Promise.all([
    getGovernance(ctx),
    readContract(ctx, { ...m, functionName: "nonceOf", args: [lane] }),
    readContract(ctx, { ...m, functionName: "approvalsOf", args: [file.hash] }),
    readContract(ctx, { ...m, functionName: "queuedOf", args: [file.hash] }),
    rpc(ctx, "eth_getBlockByNumber", () => ctx.publicClient.getBlock()),
  ]);
  const current = new Set(gov.signers.map((s) => getAddress(s)));
  const approvers = [...new Set([...offline, ...onChain].map((a) => getAddress(a)))].filter((a) => current.has(a));
  const notSigners = offline.filter((a) => !current.has(getAddress(a)));
  let delay = 0;
  let expiry = 0n;
  let notBefore = 0n;
  if (td.primaryType === "Proposal") {
    const proposal = proposalOf(file);
    expiry = proposal.expiry;
    notBefore = proposal.notBefore;
    // The delay depends on the calldata, not only the selector (an OPERATOR grant waits longer).
    delay = await readContract(ctx, { ...m, functionName: "delayOfCall", args: [proposal.target, proposal.data] });
  }
  const now = block.timestamp;
  let state: ProposalState;
  if (laneNonce > nonce) {
    state = "cancelled";
    if (td.primaryType === "Proposal") {
      const since = BigInt(ctx.deployment.contracts.ConsortiumMultisig?.blockNumber ?? 0);
      const logs = await queryLogs(
        ctx,
        "getLogs(Executed)",
        since,
        (range) =>
          ctx.publicClient.getLogs({
            address: m.address,
            event: executedEvent,
            args: { proposalHash: file.hash },
            ...range,
          }),
        { newestFirst: true, enough: (found) => found.length > 0 },
      );
      if (logs.length > 0) state = "executed";
    }
  } else if (laneNonce < nonce) state = "waiting-for-lane";
  else if (td.primaryType === "Proposal" && now > expiry) state = "expired";
  else if (executableAt !== 0n && queuedEpoch !== gov.epoch) state = "signer-set-changed";
  else if (executableAt !== 0n) state = now >= executableAt ? "executable" : "queued";
  else if (approvers.length < gov.threshold) state = "collecting";
  else if (delay !== 0) state = "ready-to-queue";
  else state = now < notBefore ? "not-before" : "executable";
  return {
    hash: file.hash,
    kind: td.primaryType,
    state,
    lane,
    nonce,
    laneNonce,
    threshold: gov.threshold,
    approvers,
    notSigners,
    delay,
    queuedAt,
    executableAt,
    expiry,
    now,
  };
}
