/** SDK for ConditionalEscrow: create (funded by permit when needed), attest (offline ones: submission.ts), prove, release, refund, dispute, resolve, cancel (and revoke), read. */
import { parseEventLogs, toHex, type Address, type Hex } from "viem";
import { accountAddress, readContract, rpc, writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { contractOf, type DeployedContract } from "../contracts";
import { InvalidArgumentError } from "../errors/base";
import { conditionalEscrowAbi, settlementTokenAbi } from "@clearhouse/contracts";
import { requireSmallInt } from "../validate";
import { signPermit } from "../token/permit";
import { circuitNameOf } from "../zk/circuits";
import { checkBundle, toCalldata, type ProofBundle } from "../zk/proof";
import { ATTESTATION_KINDS, type AgreementSpec, type AttestationKindName } from "./terms";
import { attestationKindIndex, toOnChainTerms } from "./onChainTerms";

/** The escrow proxy's address and ABI, or ContractNotDeployedError if the deployment has none. */
export function escrow(ctx: ClearhouseContext): DeployedContract<"ConditionalEscrow"> {
  return contractOf(ctx, "ConditionalEscrow");
}

/** A milestone's or condition's ordinal (a number, from 0), as the contract's uint256. */
const requireIndex = (name: string, v: unknown): bigint => BigInt(requireSmallInt(name, v, 0, Number.MAX_SAFE_INTEGER));

export interface CreateAgreementParameters {
  /** The agreement (`parseAgreementSpec` of a terms file, or built in code). */
  spec: AgreementSpec;
}
export interface CreateAgreementReturnType {
  agreementId: bigint;
  /** What the payer locked, in minor units. */
  total: bigint;
  tx: WriteResult;
}

/**
 * Create and fund an agreement with the settlement token: the caller is the payer. Without enough
 * allowance the escrow is funded with an EIP-2612 permit in the same transaction.
 */
export async function createAgreement(
  ctx: ClearhouseContext,
  p: CreateAgreementParameters,
): Promise<CreateAgreementReturnType> {
  const payer = accountAddress(ctx, "createAgreement");
  const token = ctx.deployment.contracts.SettlementToken.proxy;
  const terms = toOnChainTerms(p.spec, token);
  const total = terms.milestones.reduce((s, m) => s + m.amount, 0n);
  const e = escrow(ctx);
  const allowance = await readContract(ctx, {
    address: token,
    abi: settlementTokenAbi,
    functionName: "allowance",
    args: [payer, e.address],
  });
  let tx: WriteResult;
  if (allowance >= total) {
    tx = await writeContract(ctx, { ...e, functionName: "createAgreement", args: [terms] });
  } else {
    const block = await rpc(ctx, "getBlock", () => ctx.publicClient.getBlock());
    const permit = await signPermit(ctx, { spender: e.address, value: total, deadline: block.timestamp + 3_600n });
    const { v, r, s } = permit.signature;
    tx = await writeContract(ctx, {
      ...e,
      functionName: "createAgreementWithPermit",
      args: [terms, permit.deadline, v, r, s],
    });
  }
  const receipt = await rpc(ctx, "getTransactionReceipt", () =>
    ctx.publicClient.getTransactionReceipt({ hash: tx.hash }),
  );
  const [created] = parseEventLogs({ abi: conditionalEscrowAbi, eventName: "AgreementCreated", logs: receipt.logs });
  return { agreementId: created.args.agreementId, total, tx };
}

export interface AttestParameters {
  agreementId: bigint;
  /** The milestone's ordinal, from 0. */
  milestone: number;
  kind: AttestationKindName;
  evidenceHash: Hex;
}
export type AttestReturnType = WriteResult;

/** Attest on chain (the caller must be an active member and an attestor the milestone names for `kind`). */
export async function attest(ctx: ClearhouseContext, p: AttestParameters): Promise<AttestReturnType> {
  return writeContract(ctx, {
    ...escrow(ctx),
    functionName: "attest",
    args: [p.agreementId, requireIndex("milestone", p.milestone), attestationKindIndex(p.kind), p.evidenceHash],
  });
}

export interface BindingOfParameters {
  agreementId: bigint;
  /** The milestone's ordinal, from 0. */
  milestone: number;
}
export type BindingOfReturnType = bigint;

/** The value a proof's message (and kyc scope) must have for a milestone. */
export async function bindingOf(ctx: ClearhouseContext, p: BindingOfParameters): Promise<BindingOfReturnType> {
  return readContract(ctx, {
    ...escrow(ctx),
    functionName: "bindingOf",
    args: [p.agreementId, requireIndex("milestone", p.milestone)],
  });
}

export interface SubmitProofParameters {
  agreementId: bigint;
  /** The milestone's ordinal, from 0. */
  milestone: number;
  /** The condition's ordinal within the milestone, from 0. */
  condition: number;
  proof: ProofBundle;
}
export type SubmitProofReturnType = WriteResult;

/** Satisfy a proof condition. */
export async function submitProof(ctx: ClearhouseContext, p: SubmitProofParameters): Promise<SubmitProofReturnType> {
  const { proof, publicSignals } = toCalldata(checkBundle(p.proof));
  return writeContract(ctx, {
    ...escrow(ctx),
    functionName: "submitProof",
    args: [
      p.agreementId,
      requireIndex("milestone", p.milestone),
      requireIndex("condition", p.condition),
      proof,
      publicSignals,
    ],
  });
}

/** A milestone of an agreement. */
export interface MilestoneParameters {
  agreementId: bigint;
  /** The milestone's ordinal, from 0. */
  milestone: number;
}
export type ReleaseParameters = MilestoneParameters;
export type ReleaseReturnType = WriteResult;
export type RefundParameters = MilestoneParameters;
export type RefundReturnType = WriteResult;

const milestoneCall =
  (functionName: "release" | "refund") =>
  (ctx: ClearhouseContext, p: MilestoneParameters): Promise<WriteResult> =>
    writeContract(ctx, { ...escrow(ctx), functionName, args: [p.agreementId, requireIndex("milestone", p.milestone)] });

/** Pay a milestone to its payee once its condition holds (anyone). */
export const release: (ctx: ClearhouseContext, p: ReleaseParameters) => Promise<ReleaseReturnType> =
  milestoneCall("release");
/** Refund a milestone to the payer after its deadline (anyone). */
export const refund: (ctx: ClearhouseContext, p: RefundParameters) => Promise<RefundReturnType> =
  milestoneCall("refund");

export interface DisputeParameters {
  agreementId: bigint;
  /** The milestone's ordinal, from 0. */
  milestone: number;
  /** 32 bytes naming the reason (e.g. the hash of a document). */
  reason: Hex;
}
export type DisputeReturnType = WriteResult;

/** Dispute a pending milestone (payer or payee); `reason` is hashed unless it is 32 bytes of hex. */
export async function dispute(ctx: ClearhouseContext, p: DisputeParameters): Promise<DisputeReturnType> {
  return writeContract(ctx, {
    ...escrow(ctx),
    functionName: "dispute",
    args: [p.agreementId, requireIndex("milestone", p.milestone), p.reason],
  });
}

export interface ResolveDisputeParameters {
  agreementId: bigint;
  /** The milestone's ordinal, from 0. */
  milestone: number;
  /** Basis points (0 … 10,000) of the milestone paid to the payee; the rest goes back to the payer. */
  payeeBps: number;
}
export type ResolveDisputeReturnType = WriteResult;

/** Resolve a disputed milestone: `payeeBps` basis points to the payee, the rest to the payer (the arbiter). */
export async function resolveDispute(
  ctx: ClearhouseContext,
  p: ResolveDisputeParameters,
): Promise<ResolveDisputeReturnType> {
  if (!Number.isInteger(p.payeeBps) || p.payeeBps < 0 || p.payeeBps > 10_000)
    throw new InvalidArgumentError("payeeBps", "must be 0–10,000");
  return writeContract(ctx, {
    ...escrow(ctx),
    functionName: "resolve",
    args: [p.agreementId, requireIndex("milestone", p.milestone), p.payeeBps],
  });
}

/** The longest a cancel consent may count (the escrow's MAX_CONSENT_LIFETIME): 30 days. */
export const MAX_CONSENT_LIFETIME = 30n * 86_400n;
/** How long a cancel consent counts unless told: 7 days. */
export const DEFAULT_CONSENT_LIFETIME = 7n * 86_400n;

export interface CancelAgreementParameters {
  agreementId: bigint;
  /** Seconds the consent counts (default 7 days, at most 30 days less a minute). */
  validFor?: bigint;
}
/** The transaction and when the consent stops counting (unix seconds). */
export type CancelAgreementReturnType = WriteResult & { expiresAt: bigint };

/**
 * Consent to cancel (payer or a payee with a pending milestone) for `validFor` seconds from the
 * chain's time (default 7 days, at most 30). Once the payer and the payee of every pending milestone
 * whose condition does not hold consented, those milestones go back to the payer; the others stay
 * releasable to their payees.
 */
export async function cancelAgreement(
  ctx: ClearhouseContext,
  p: CancelAgreementParameters,
): Promise<CancelAgreementReturnType> {
  const validFor = p.validFor ?? DEFAULT_CONSENT_LIFETIME;
  if (validFor < 1n || validFor > MAX_CONSENT_LIFETIME - 60n)
    throw new InvalidArgumentError(
      "validFor",
      `${validFor} s is not between 1 s and 30 days less a minute`,
      "A consent counts for at most 30 days from the block that records it.",
    );
  const block = await rpc(ctx, "getBlock", () => ctx.publicClient.getBlock());
  const expiresAt = block.timestamp + validFor;
  const tx = await writeContract(ctx, { ...escrow(ctx), functionName: "cancel", args: [p.agreementId, expiresAt] });
  return { ...tx, expiresAt };
}

export interface RevokeCancelParameters {
  agreementId: bigint;
}
export type RevokeCancelReturnType = WriteResult;

/** Withdraw the caller's live cancel consent. */
export async function revokeCancel(ctx: ClearhouseContext, p: RevokeCancelParameters): Promise<RevokeCancelReturnType> {
  return writeContract(ctx, { ...escrow(ctx), functionName: "revokeCancel", args: [p.agreementId] });
}

import { AGREEMENT_STATUS, MILESTONE_STATUS } from "../statusNames";
export { AGREEMENT_STATUS, MILESTONE_STATUS };

export interface ConditionInfo {
  description: string;
  met: boolean;
  /** Attestation conditions: who may attest it and how many must. */
  attestors?: Address[];
  threshold?: number;
}
export interface MilestoneInfo {
  index: number;
  payee: Address;
  amount: bigint;
  deadline: bigint;
  status: (typeof MILESTONE_STATUS)[number];
  combine: "all" | "any";
  conditions: ConditionInfo[];
  releasable: boolean;
}
export interface AgreementInfo {
  agreementId: bigint;
  payer: Address;
  arbiter: Address;
  status: (typeof AGREEMENT_STATUS)[number];
  reference: Hex;
  total: bigint;
  released: bigint;
  refunded: bigint;
  locked: bigint;
  attestors: Address[];
  milestones: MilestoneInfo[];
}

export interface GetAgreementParameters {
  agreementId: bigint;
}
export type GetAgreementReturnType = AgreementInfo;

/** An agreement's full state, with each condition described and whether it holds. */
export async function getAgreement(ctx: ClearhouseContext, p: GetAgreementParameters): Promise<GetAgreementReturnType> {
  const v = await readContract(ctx, { ...escrow(ctx), functionName: "agreementOf", args: [p.agreementId] });
  const block = await rpc(ctx, "getBlock", () => ctx.publicClient.getBlock());
  const popcount = (x: number) => x.toString(2).replace(/0/g, "").length;
  return {
    agreementId: p.agreementId,
    payer: v.payer,
    arbiter: v.arbiter,
    status: AGREEMENT_STATUS[v.status],
    reference: v.ref,
    total: v.total,
    released: v.released,
    refunded: v.refunded,
    locked: v.total - v.released - v.refunded,
    attestors: [...v.attestors],
    milestones: v.milestones.map((m, index) => ({
      index,
      payee: m.payee,
      amount: m.amount,
      deadline: m.deadline,
      status: MILESTONE_STATUS[m.status],
      combine: m.combine === 0 ? "all" : "any",
      releasable: m.status === 0 && m.conditionHolds,
      conditions: m.conditions.map((c, i) => {
        if (c.kind === 0) {
          const n = popcount(m.attestedBy[c.attestation] & c.attestorMask);
          const attestors = v.attestors.filter((_, k) => (c.attestorMask >> k) & 1);
          const who = attestors.map((a) => `${a.slice(0, 8)}…`).join(", ");
          return {
            description: `${ATTESTATION_KINDS[c.attestation]} attested by ${n} of ${c.threshold} needed (by ${who})`,
            met: n >= c.threshold,
            attestors,
            threshold: c.threshold,
          };
        }
        if (c.kind === 1) {
          return {
            description: `not before ${new Date(Number(c.notBefore) * 1000).toISOString()}`,
            met: block.timestamp >= c.notBefore,
          };
        }
        const circuit = circuitNameOf(c.circuitId);
        return {
          description: `${circuit} proof (${circuit === "kyc_tier" ? `tier ≥ ${c.limit}, ` : ""}${toHex(c.expected, { size: 32 }).slice(0, 12)}…)`,
          met: (m.provenMask & (1 << i)) !== 0,
        };
      }),
    })),
  };
}
