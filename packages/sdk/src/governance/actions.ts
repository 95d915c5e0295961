import { encodeFunctionData, type Abi, type Address, type Hex } from "viem";
import { readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { contractOf } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { UINT64_MAX, requireAddress, requireAmount, requireBytes32 } from "../validate";
import {
  PROPOSAL_FORMAT,
  combineSignatures,
  parseGovernanceFile,
  proposalOf,
  type GovernanceFile,
  type SignatureFile,
} from "./files";
import { cancelTypes, multisigDomain, proposalTypes } from "./typedData";
import { decodeCall } from "./describe";
import { requireSm2Signer } from "../crypto/sm2Signers";
import { sm2PublicKeyOf } from "../crypto/sm2";

/** The multisig's address, or a ContractNotDeployedError when this deployment has no governance yet. */
export function multisigAddress(ctx: ClearhouseContext): Address {
  return contractOf(ctx, "ConsortiumMultisig").address;
}

const multisig = (ctx: ClearhouseContext) => contractOf(ctx, "ConsortiumMultisig");

const DAY = 86_400n;

async function chainTime(ctx: ClearhouseContext): Promise<bigint> {
  return (await rpc(ctx, "eth_getBlockByNumber", () => ctx.publicClient.getBlock())).timestamp;
}

/**
 * A call for a proposal: calldata (e.g. from `encodeGovernedCall`), or a function of an ABI with its
 * arguments. With `contract` (or an ABI) the file describes the call for its reviewers, decoded
 * from the calldata; raw calldata alone gets no description.
 */
export type ProposalCall =
  | { data: Hex; contract?: string; functionName?: string; args?: readonly unknown[] }
  | { abi: Abi; functionName: string; args: readonly unknown[]; contract?: string };

const shown = (a: unknown) => (typeof a === "bigint" ? a.toString() : JSON.stringify(a));

/**
 * The reviewers' description of `data`: decoded from the calldata itself, so it always equals what
 * `checkCallDescription` decodes when a signer loads the file; the given name and arguments only
 * for a call outside the Clearhouse ABIs.
 */
function describeCall(data: Hex, target: Address, c: ProposalCall): GovernanceFile["call"] {
  if (!("abi" in c) && c.contract === undefined) return undefined;
  const contract = c.contract ?? target;
  const decoded = decodeCall(data);
  if (decoded) return { contract, ...decoded };
  if (c.functionName === undefined) return undefined;
  return { contract, functionName: c.functionName, args: (c.args ?? []).map(shown) };
}

export interface BuildProposalParameters {
  target: Address;
  call: ProposalCall;
  /** Native value in wei sent with the call (default 0n). */
  value?: bigint;
  /** Nonce lane (uint64, default 0n). Unrelated proposals go in different lanes so they never block each other. */
  lane?: bigint;
  /** uint64. Default: the lane's next nonce, read from the chain. */
  nonce?: bigint;
  /** Earliest execution, unix seconds (default 0n: as soon as the timelock allows). */
  notBefore?: bigint;
  /** Latest execution, unix seconds (default: 7 days from the chain's current time). */
  expiry?: bigint;
  description: string;
}
export type BuildProposalReturnType = GovernanceFile;

/**
 * Build a proposal file: the EIP-712 typed data signers sign offline, its digest, and the decoded
 * call for reviewers. The digest is cross-checked against the contract's own `proposalHash`.
 */
export async function buildProposal(
  ctx: ClearhouseContext,
  p: BuildProposalParameters,
): Promise<BuildProposalReturnType> {
  const target = requireAddress("target", p.target);
  const lane = requireAmount("lane", p.lane ?? 0n, { max: UINT64_MAX, typeName: "uint64" });
  let data: Hex;
  if ("data" in p.call) data = p.call.data;
  else {
    try {
      data = encodeFunctionData({ abi: p.call.abi, functionName: p.call.functionName, args: p.call.args });
    } catch (e) {
      throw new InvalidArgumentError(
        "call",
        `cannot encode ${p.call.functionName}: ${(e as Error).message.split("\n")[0]}`,
      );
    }
  }
  const call = describeCall(data, target, p.call);
  const address = multisigAddress(ctx);
  const nonce =
    p.nonce === undefined
      ? await readContract(ctx, { ...multisig(ctx), functionName: "nonceOf", args: [lane] })
      : requireAmount("nonce", p.nonce, { max: UINT64_MAX, typeName: "uint64" });
  const notBefore = requireAmount("notBefore", p.notBefore ?? 0n, { max: UINT64_MAX, typeName: "uint64" });
  const expiry =
    p.expiry === undefined
      ? (await chainTime(ctx)) + 7n * DAY
      : requireAmount("expiry", p.expiry, { max: UINT64_MAX, typeName: "uint64" });
  if (expiry <= notBefore) throw new InvalidArgumentError("expiry", "must be after notBefore");
  const value = requireAmount("value", p.value ?? 0n);
  const proposal = { target, value, data, lane, nonce, notBefore, expiry };
  const hash = await readContract(ctx, { ...multisig(ctx), functionName: "proposalHash", args: [proposal] });
  const file: GovernanceFile = {
    format: PROPOSAL_FORMAT,
    description: p.description,
    hash,
    typedData: {
      domain: multisigDomain(ctx.deployment.chainId, address),
      types: proposalTypes,
      primaryType: "Proposal",
      message: {
        target,
        value: value.toString(),
        data,
        lane: lane.toString(),
        nonce: nonce.toString(),
        notBefore: notBefore.toString(),
        expiry: expiry.toString(),
      },
    },
    call,
    units: { symbol: ctx.deployment.token.symbol, decimals: ctx.deployment.token.decimals },
    createdAt: new Date().toISOString(),
  };
  return parseGovernanceFile(file); // re-derives the digest locally: it must equal the contract's
}

export interface BuildCancelParameters {
  /** The lane (uint64) whose nonce the cancel burns. */
  lane: bigint;
  /** uint64. Default: the lane's next nonce, read from the chain. */
  nonce?: bigint;
  description?: string;
}
export type BuildCancelReturnType = GovernanceFile;

/** Build a cancel file that, once signed by the threshold, burns `lane`'s next nonce. */
export async function buildCancel(ctx: ClearhouseContext, p: BuildCancelParameters): Promise<BuildCancelReturnType> {
  const lane = requireAmount("lane", p.lane, { max: UINT64_MAX, typeName: "uint64" });
  const nonce =
    p.nonce === undefined
      ? await readContract(ctx, { ...multisig(ctx), functionName: "nonceOf", args: [lane] })
      : requireAmount("nonce", p.nonce, { max: UINT64_MAX, typeName: "uint64" });
  const hash = await readContract(ctx, { ...multisig(ctx), functionName: "cancelHash", args: [lane, nonce] });
  return parseGovernanceFile({
    format: PROPOSAL_FORMAT,
    description: p.description ?? `Cancel lane ${lane} nonce ${nonce}`,
    hash,
    typedData: {
      domain: multisigDomain(ctx.deployment.chainId, multisigAddress(ctx)),
      types: cancelTypes,
      primaryType: "Cancel",
      message: { lane: lane.toString(), nonce: nonce.toString() },
    },
    createdAt: new Date().toISOString(),
  });
}

export interface ApproveOnChainParameters {
  /** The proposal's (or cancel's) EIP-712 digest, as in its file. */
  hash: Hex;
}
export type ApproveOnChainReturnType = WriteResult;

/** Record the signing account's approval of a proposal (or cancel) on-chain. */
export async function approveOnChain(
  ctx: ClearhouseContext,
  p: ApproveOnChainParameters,
): Promise<ApproveOnChainReturnType> {
  return writeContract(ctx, { ...multisig(ctx), functionName: "approve", args: [requireBytes32("hash", p.hash)] });
}

/** Refuse a file built for another chain or multisig than this deployment's. */
export function checkFileTarget(ctx: ClearhouseContext, file: GovernanceFile): void {
  const { chainId, verifyingContract } = file.typedData.domain;
  if (chainId !== ctx.deployment.chainId || verifyingContract.toLowerCase() !== multisigAddress(ctx).toLowerCase()) {
    throw new InvalidArgumentError(
      "proposal",
      `is for multisig ${verifyingContract} on chain ${chainId}, not this deployment's`,
      "Use the deployment file of the network the proposal was built for.",
    );
  }
}

export interface SubmitParameters {
  file: GovernanceFile;
  /** Signature files (any order); on-chain approvals count too. */
  signatures?: readonly SignatureFile[];
}
export type QueueProposalParameters = SubmitParameters;
export type QueueProposalReturnType = WriteResult;
export type ExecuteProposalParameters = SubmitParameters;
export type ExecuteProposalReturnType = WriteResult;

/**
 * The multisig's signature blob, after checking that every SM2 signature's key is the key of the
 * SM2Signer it names (Sm2SignerMismatchError before anything is sent).
 */
async function signatureBlob(ctx: ClearhouseContext, file: GovernanceFile, signatures: readonly SignatureFile[]) {
  const { blob } = await combineSignatures(file, signatures);
  for (const sig of signatures)
    if (sig.scheme === "sm2" && sig.publicKey) await requireSm2Signer(ctx, sig.signer, sm2PublicKeyOf(sig.publicKey));
  return blob;
}

/** Queue a proposal whose approvals reach the threshold; its timelock starts now. */
export async function queueProposal(
  ctx: ClearhouseContext,
  p: QueueProposalParameters,
): Promise<QueueProposalReturnType> {
  const file = parseGovernanceFile(p.file);
  checkFileTarget(ctx, file);
  const blob = await signatureBlob(ctx, file, p.signatures ?? []);
  return writeContract(ctx, { ...multisig(ctx), functionName: "queue", args: [proposalOf(file), blob] });
}

/**
 * Execute a proposal (queued and matured, or with a zero delay and enough approvals), or submit a
 * signed cancel file.
 */
export async function executeProposal(
  ctx: ClearhouseContext,
  p: ExecuteProposalParameters,
): Promise<ExecuteProposalReturnType> {
  const file = parseGovernanceFile(p.file);
  checkFileTarget(ctx, file);
  const blob = await signatureBlob(ctx, file, p.signatures ?? []);
  const td = file.typedData;
  if (td.primaryType === "Cancel") {
    return writeContract(ctx, {
      ...multisig(ctx),
      functionName: "cancel",
      args: [BigInt(td.message.lane), BigInt(td.message.nonce), blob],
    });
  }
  const proposal = proposalOf(file);
  return writeContract(ctx, { ...multisig(ctx), functionName: "execute", args: [proposal, blob] });
}

export type PauseAllReturnType = WriteResult;

/** The guardian pauses every governed contract at once. */
export async function pauseAll(ctx: ClearhouseContext): Promise<PauseAllReturnType> {
  return writeContract(ctx, { ...multisig(ctx), functionName: "pauseAll", args: [] });
}

export interface ClaimOwnershipParameters {
  /** The contract whose owner offered ownership to the multisig. */
  target: Address;
}
export type ClaimOwnershipReturnType = WriteResult;

/** Complete a handover: the multisig accepts ownership that `target`'s owner offered it. */
export async function claimOwnership(
  ctx: ClearhouseContext,
  p: ClaimOwnershipParameters,
): Promise<ClaimOwnershipReturnType> {
  return writeContract(ctx, {
    ...multisig(ctx),
    functionName: "claimOwnership",
    args: [requireAddress("target", p.target)],
  });
}
