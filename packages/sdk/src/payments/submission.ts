/**
 * Submitting attestations signed offline, idempotently. The escrow keeps one attestation per
 * attestor, kind and milestone (a bit in `agreementOf`'s `attestedBy`, and one `Attested` event
 * naming the evidence); a second submission of it changes nothing yet costs a transaction. So
 * `checkAttestations` reads what the escrow already recorded, and `submitMissingAttestations`
 * sends only the rest — nothing at all when everything is there — and refuses, before sending
 * anything, an attestation the escrow recorded with other evidence.
 */
import { isAddressEqual, type Address, type Hex } from "viem";
import {
  readContract,
  rpc,
  simulateContract,
  writeContract,
  type ClearhouseContext,
  type WriteResult,
} from "../context";
import { queryLogs } from "../logs";
import { deployedSince } from "../contracts";
import { ClearhouseError, InvalidArgumentError } from "../errors/base";
import { AttestationExpiredError, type SignedAttestation } from "./attestation";
import { escrow } from "./escrow";
import { ATTESTATION_KINDS, type AttestationKindName } from "./terms";
import { attestationKindIndex } from "./onChainTerms";
import { requireSm2Signer } from "../crypto/sm2Signers";
import { sm2PublicKeyOf } from "../crypto/sm2";

/** Where the escrow recorded an attestor's attestation of a kind for a milestone (its `Attested` event). */
export interface AttestationRecord {
  agreementId: bigint;
  milestone: number;
  attestor: Address;
  kind: AttestationKindName;
  /** The evidence the recorded attestation names. */
  evidenceHash: Hex;
  blockNumber: bigint;
  transactionHash: Hex;
}

/**
 * What the escrow holds for one signed attestation: nothing yet (`pending`); the same attestation
 * (`recorded`; `record` is missing only when the node no longer serves the event's logs); or the
 * same attestor's attestation of that kind with other evidence (`conflict`: the escrow would ignore
 * this one).
 */
export type AttestationCheck =
  | { attestation: SignedAttestation; status: "pending" }
  | { attestation: SignedAttestation; status: "recorded"; record?: AttestationRecord }
  | { attestation: SignedAttestation; status: "conflict"; record: AttestationRecord };

/** The escrow recorded an attestor's attestation of a kind with other evidence than the one submitted. */
export class AttestationConflictError extends ClearhouseError {
  override name = "AttestationConflictError";
  constructor(readonly conflicts: readonly Extract<AttestationCheck, { status: "conflict" }>[]) {
    const line = ({ attestation: a, record: r }: (typeof conflicts)[number]) =>
      `${a.signer} already attested "${a.kind}" for milestone ${a.milestone} of agreement ${a.agreementId} with evidence ${r.evidenceHash} (block ${r.blockNumber}, tx ${r.transactionHash}), not ${a.evidenceHash}`;
    const [first, ...rest] = conflicts;
    super(`${line(first)}; nothing was sent.`, {
      category: "refused",
      hint: "The escrow keeps one attestation per attestor and kind, and would ignore this one. Check which evidence is right; if the recorded attestation is wrong, dispute the milestone (`clearhouse pay dispute`).",
      metaMessages: rest.map(line),
    });
  }
}

/** Refuse an attestation signed for another escrow or chain than the context's deployment. */
function requireThisEscrow(ctx: ClearhouseContext, attestations: readonly SignedAttestation[]): void {
  if (attestations.length === 0) throw new InvalidArgumentError("attestations", "is empty");
  const address = escrow(ctx).address;
  for (const a of attestations) {
    if (!isAddressEqual(a.escrow, address) || a.chainId !== ctx.deployment.chainId) {
      throw new InvalidArgumentError(
        "attestations",
        `${a.signer}'s attestation is for escrow ${a.escrow} on chain ${a.chainId}, not this deployment`,
      );
    }
  }
}

/** What the escrow keeps one of: an attestor's attestation of a kind for a milestone. */
const slotOf = (agreementId: bigint, milestone: number | bigint, kind: string, attestor: Address): string =>
  `${agreementId}/${milestone}/${kind}/${attestor.toLowerCase()}`;
const slotKey = (a: SignedAttestation): string => slotOf(a.agreementId, a.milestone, a.kind, a.signer);
const sameEvidence = (x: Hex, y: Hex): boolean => x.toLowerCase() === y.toLowerCase();

/**
 * The `Attested` events of one agreement for the slots of `wanted`, newest first in pages a node's
 * log-range limit accepts, stopping once each is found (the escrow emits one per slot).
 */
async function attestedEvents(
  ctx: ClearhouseContext,
  agreementId: bigint,
  wanted: readonly SignedAttestation[],
): Promise<Map<string, AttestationRecord>> {
  const e = escrow(ctx);
  const keys = new Set(wanted.map(slotKey));
  const milestones = [...new Set(wanted.map((a) => BigInt(a.milestone)))];
  const attestors = [...new Set(wanted.map((a) => a.signer))];
  const first = deployedSince(ctx, "ConditionalEscrow");
  const out = new Map<string, AttestationRecord>();
  // Newest first, in pages of at most maxLogRange blocks; stop once every slot is found (a slot
  // is attested once, so which page finds it does not matter).
  type Args = { agreementId?: bigint; milestone?: bigint; kind?: number; attestor?: Address };
  const keyOf = (a: Args) => slotOf(a.agreementId!, a.milestone!, ATTESTATION_KINDS[a.kind!]!, a.attestor!);
  const allFound = (found: readonly { args: Args }[]) => {
    const seen = new Set(found.map((log) => keyOf(log.args)));
    return [...keys].every((k) => seen.has(k));
  };
  const logs = await queryLogs(
    ctx,
    "getLogs(Attested)",
    first,
    (range) =>
      ctx.publicClient.getContractEvents({
        ...e,
        eventName: "Attested",
        args: { agreementId, milestone: milestones, attestor: attestors },
        ...range,
      }),
    { newestFirst: true, enough: allFound },
  );
  for (const log of logs) {
    const a = log.args as Required<typeof log.args>;
    const kind = ATTESTATION_KINDS[a.kind];
    const key = slotOf(a.agreementId, a.milestone, kind, a.attestor);
    if (!keys.has(key) || out.has(key)) continue;
    out.set(key, {
      agreementId: a.agreementId,
      milestone: Number(a.milestone),
      attestor: a.attestor,
      kind,
      evidenceHash: a.evidenceHash,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    });
  }
  return out;
}

export interface CheckAttestationsParameters {
  /** Signed attestations, of any agreements, milestones and kinds (all for this deployment's escrow). */
  attestations: SignedAttestation[];
}
/** One check per attestation, in the order given. */
export type CheckAttestationsReturnType = AttestationCheck[];

/**
 * What the escrow already recorded of each attestation: one `agreementOf` read per agreement, and
 * for those recorded, the `Attested` event that says with which evidence, in which block and
 * transaction. Sends nothing; an unknown agreement is refused (`EscrowUnknownAgreement`).
 */
export async function checkAttestations(
  ctx: ClearhouseContext,
  p: CheckAttestationsParameters,
): Promise<CheckAttestationsReturnType> {
  requireThisEscrow(ctx, p.attestations);
  const e = escrow(ctx);
  const out: AttestationCheck[] = p.attestations.map((attestation) => ({ attestation, status: "pending" }));
  for (const agreementId of new Set(p.attestations.map((a) => a.agreementId))) {
    const view = await readContract(ctx, { ...e, functionName: "agreementOf", args: [agreementId] });
    const recorded = out.filter(({ attestation: a }) => {
      if (a.agreementId !== agreementId) return false;
      const index = view.attestors.findIndex((x) => isAddressEqual(x, a.signer));
      const bits = view.milestones[a.milestone]?.attestedBy[attestationKindIndex(a.kind)] ?? 0;
      return index >= 0 && ((bits >> index) & 1) === 1;
    });
    if (recorded.length === 0) continue;
    const events = await attestedEvents(
      ctx,
      agreementId,
      recorded.map((c) => c.attestation),
    );
    for (const check of recorded) {
      const a = check.attestation;
      const record = events.get(slotKey(a));
      out[out.indexOf(check)] =
        record && !sameEvidence(record.evidenceHash, a.evidenceHash)
          ? { attestation: a, status: "conflict", record }
          : { attestation: a, status: "recorded", record };
    }
  }
  return out;
}

/** The escrow call that records a group of attestations of one milestone, kind and evidence. */
function submitCall(ctx: ClearhouseContext, group: readonly SignedAttestation[]) {
  const [first] = group;
  return {
    ...escrow(ctx),
    functionName: "submitAttestations" as const,
    args: [
      first.agreementId,
      BigInt(first.milestone),
      attestationKindIndex(first.kind),
      first.evidenceHash,
      group.map((a) => ({ signer: a.signer, deadline: a.deadline, signature: a.signature })),
    ] as const,
  };
}

/**
 * Refuse, before sending, an attestation whose deadline the chain's time has passed, or an SM2
 * one whose key is not the key of the SM2Signer it names (Sm2SignerMismatchError).
 */
async function requireUnexpired(ctx: ClearhouseContext, attestations: readonly SignedAttestation[]): Promise<void> {
  for (const a of attestations)
    if (a.publicKey !== undefined) await requireSm2Signer(ctx, a.signer, sm2PublicKeyOf(a.publicKey));
  const block = await rpc(ctx, "getBlock", () => ctx.publicClient.getBlock());
  // The next block is at least a second later than the latest one.
  const expired = attestations.find((a) => a.deadline <= block.timestamp);
  if (expired) throw new AttestationExpiredError(expired.signer, expired.deadline, block.timestamp);
}

export interface SubmitAttestationsParameters {
  attestations: SignedAttestation[];
}
export type SubmitAttestationsReturnType = WriteResult;

/**
 * Submit attestations signed offline (all for the same agreement, milestone, kind and evidence) in
 * one transaction, as given: it does not look at what the escrow already recorded (see
 * `submitMissingAttestations`). Refuses, before sending, one whose deadline the chain's time has
 * passed (AttestationExpiredError).
 */
export async function submitAttestations(
  ctx: ClearhouseContext,
  p: SubmitAttestationsParameters,
): Promise<SubmitAttestationsReturnType> {
  requireThisEscrow(ctx, p.attestations);
  const [first, ...rest] = p.attestations;
  for (const a of rest) {
    if (
      a.agreementId !== first.agreementId ||
      a.milestone !== first.milestone ||
      a.kind !== first.kind ||
      !sameEvidence(a.evidenceHash, first.evidenceHash)
    ) {
      throw new InvalidArgumentError(
        "attestations",
        "must all attest the same agreement, milestone, kind and evidence",
      );
    }
  }
  await requireUnexpired(ctx, p.attestations);
  return writeContract(ctx, submitCall(ctx, p.attestations));
}

/** A transaction `submitMissingAttestations` sent. */
export interface SentAttestations {
  /** Positions of its attestations in the input. */
  indexes: number[];
  attestations: SignedAttestation[];
  tx: WriteResult;
}
/** An attestation `submitMissingAttestations` did not send. */
export type SkippedAttestation =
  /** The escrow already holds it (`record`: where, unless the node no longer serves that log). */
  | { index: number; attestation: SignedAttestation; reason: "recorded"; record?: AttestationRecord }
  /** The input holds it twice: only the one at `duplicateOf` (the latest deadline) is sent. */
  | { index: number; attestation: SignedAttestation; reason: "duplicate"; duplicateOf: number };

export interface SubmitMissingAttestationsParameters {
  /** Signed attestations, of any agreements, milestones and kinds, e.g. every file of a folder. */
  attestations: SignedAttestation[];
}
export interface SubmitMissingAttestationsReturnType {
  /** One transaction per milestone, kind and evidence with something missing (empty: nothing sent). */
  sent: SentAttestations[];
  skipped: SkippedAttestation[];
}

/**
 * Submit what the escrow has not yet recorded of `attestations`, one transaction per milestone,
 * kind and evidence: submitting the same set again sends nothing. Before sending anything it
 * refuses an attestation recorded with other evidence (AttestationConflictError), two different
 * attestations of one attestor, kind and milestone in the input (InvalidArgumentError), an expired
 * one among those to send (AttestationExpiredError), and any transaction the escrow would refuse
 * (ContractRevertError, from a simulation of each).
 */
export async function submitMissingAttestations(
  ctx: ClearhouseContext,
  p: SubmitMissingAttestationsParameters,
): Promise<SubmitMissingAttestationsReturnType> {
  const checks = await checkAttestations(ctx, p);
  const conflicts = checks.filter((c) => c.status === "conflict");
  if (conflicts.length > 0) throw new AttestationConflictError(conflicts);
  const skipped: SkippedAttestation[] = [];
  const chosen = new Map<string, number>(); // slot → index of the attestation to send
  for (const [index, check] of checks.entries()) {
    const a = check.attestation;
    if (check.status === "recorded") {
      skipped.push({ index, attestation: a, reason: "recorded", record: check.record });
      continue;
    }
    const prior = chosen.get(slotKey(a));
    if (prior === undefined) {
      chosen.set(slotKey(a), index);
      continue;
    }
    const b = p.attestations[prior];
    if (!sameEvidence(a.evidenceHash, b.evidenceHash))
      throw new InvalidArgumentError(
        "attestations",
        `hold two attestations by ${a.signer} of "${a.kind}" for milestone ${a.milestone} of agreement ${a.agreementId} with different evidence (${b.evidenceHash} and ${a.evidenceHash}); the escrow records only one`,
        "Submit only the one with the right evidence.",
      );
    const keep = a.deadline > b.deadline ? index : prior;
    const drop = keep === index ? prior : index;
    chosen.set(slotKey(a), keep);
    skipped.push({ index: drop, attestation: p.attestations[drop], reason: "duplicate", duplicateOf: keep });
  }
  const groups = new Map<string, number[]>();
  for (const index of [...chosen.values()].sort((x, y) => x - y)) {
    const a = p.attestations[index];
    const key = `${a.agreementId}/${a.milestone}/${a.kind}/${a.evidenceHash.toLowerCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), index]);
  }
  const sent: SentAttestations[] = [];
  if (groups.size > 0) {
    // Everything to send must pass before anything is sent: deadlines, then the escrow's own checks.
    await requireUnexpired(
      ctx,
      [...chosen.values()].map((i) => p.attestations[i]),
    );
    const calls = [...groups.values()].map((indexes) => {
      const attestations = indexes.map((i) => p.attestations[i]);
      return { indexes, attestations, call: submitCall(ctx, attestations) };
    });
    for (const { call } of calls) await simulateContract(ctx, call);
    for (const { indexes, attestations, call } of calls)
      sent.push({ indexes, attestations, tx: await writeContract(ctx, call) });
  }
  return { sent, skipped: skipped.sort((x, y) => x.index - y.index) };
}
