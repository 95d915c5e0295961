/** Messages of the ConditionalEscrow's errors (agreements, milestones, attestations, disputes). */
import type { conditionalEscrowAbi } from "@clearhouse/contracts";
import { ATTESTATION_KINDS } from "../../payments/terms";
import { AGREEMENT_STATUS, MILESTONE_STATUS } from "../../statusNames";
import { isoSeconds as when, short } from "../format";
import type { CatalogPart, OwnErrorName } from "./types";

/** The escrow's own errors. */
export const escrowErrors: CatalogPart<OwnErrorName<typeof conditionalEscrowAbi>> = {
  EscrowInvalidTerms: ([field]) => ({
    message: `the agreement's ${field} is invalid`,
    hint: "Check the terms (docs/payments.md lists every rule); nothing was locked.",
  }),
  EscrowUnknownAgreement: ([id]) => ({ message: `there is no agreement ${id}`, hint: "Check the agreement id." }),
  EscrowUnknownMilestone: ([id, m]) => ({
    message: `agreement ${id} has no milestone ${m}`,
    hint: "Milestones are numbered from 0 (`pay status` lists them).",
  }),
  EscrowAgreementNotActive: ([id, status]) => ({
    message: `agreement ${id} is ${AGREEMENT_STATUS[status] ?? status}`,
    hint: "A closed or cancelled agreement has nothing left to move.",
  }),
  EscrowMilestoneNotPending: ([id, m, status]) => ({
    message: `milestone ${m} of agreement ${id} is already ${MILESTONE_STATUS[status] ?? status}`,
    hint: "Only a pending milestone can be attested, released, refunded or disputed.",
  }),
  EscrowConditionNotMet: ([id, m]) => ({
    message: `the condition of milestone ${m} of agreement ${id} does not hold yet`,
    hint: "`pay status` shows which attestations, dates or proofs are still missing.",
  }),
  EscrowDeadlineNotReached: ([id, m, deadline]) => ({
    message: `milestone ${m} of agreement ${id} can be refunded only after its deadline ${when(deadline)}`,
    hint: "Wait for the deadline, or dispute the milestone, or cancel with the payee's consent.",
  }),
  EscrowNotAttestor: ([id, account]) => ({
    message: `${short(account)} is not an attestor of agreement ${id}`,
    hint: "Only the attestors named in the agreement can attest.",
  }),
  EscrowAttestorNotBound: ([id, m, kind, account]) => ({
    message: `${short(account)} may not attest "${ATTESTATION_KINDS[kind] ?? kind}" for milestone ${m} of agreement ${id}`,
    hint: "Each attestation condition names its own attestors (`pay status` lists them): ask one of those to attest.",
  }),
  EscrowInvalidSignature: ([id, signer]) => ({
    message: `the attestation signature of ${short(signer)} for agreement ${id} is invalid`,
    hint: "It was signed for another agreement, milestone, kind, evidence, deadline, chain or escrow: sign again.",
  }),
  EscrowAttestationExpired: ([id, signer, deadline]) => ({
    message: `${short(signer)}'s signed attestation for agreement ${id} expired at ${when(deadline)}`,
    hint: "Ask the attestor to sign it again (`pay attest … --out`, --valid-for sets how long it stays valid).",
  }),
  EscrowInvalidConsentExpiry: ([expiresAt, latest]) => ({
    message: `a cancel consent cannot expire at ${when(expiresAt)}: it must be after now and no later than ${when(latest)}`,
    hint: "Consents count for at most 30 days (`pay cancel --valid-for 7d`).",
  }),
  EscrowNoCancelConsent: ([id, account]) => ({
    message: `${short(account)} has no live cancel consent on agreement ${id}`,
    hint: "Only a consent given and not yet expired can be revoked.",
  }),
  EscrowNotParty: ([id, account]) => ({
    message: `${short(account)} is neither the payer nor a payee of a pending milestone of agreement ${id}`,
    hint: "Only the parties can dispute a milestone or consent to cancel.",
  }),
  EscrowNotArbiter: ([id, account]) => ({
    message: `${short(account)} is not the arbiter of agreement ${id}`,
    hint: "Only the arbiter named in the agreement resolves disputes.",
  }),
  EscrowNotDisputed: ([id, m, status]) => ({
    message: `milestone ${m} of agreement ${id} is ${MILESTONE_STATUS[status] ?? status}, not disputed`,
    hint: "The arbiter resolves only disputed milestones.",
  }),
  EscrowInvalidSplit: ([bps]) => ({
    message: `a split of ${bps} basis points is above 10,000`,
    hint: "Give the payee's share in basis points (0–10,000).",
  }),
  EscrowNotProofCondition: ([id, m, c]) => ({
    message: `condition ${c} of milestone ${m} of agreement ${id} is not a proof condition`,
    hint: "Check the condition index (`pay status`).",
  }),
  EscrowProofMismatch: ([id, m, signal]) => ({
    message: `public signal ${signal} of the proof does not match milestone ${m} of agreement ${id} (or the signal count is wrong)`,
    hint: "Prove with the condition's root/commitment/limit (kyc_tier: minTier = the condition's minimum tier) and with message (and scope) = bindingOf(agreement, milestone).",
  }),
  EscrowDisputeOpen: ([id, m]) => ({
    message: `milestone ${m} of agreement ${id} is disputed`,
    hint: "The arbiter must resolve it before the agreement can be cancelled.",
  }),
  EscrowNoVerifierRegistry: () => ({
    message: "the escrow has no verifier registry, so proof conditions cannot be checked",
    hint: "Ask governance to set it (setVerifierRegistry).",
  }),
  EscrowInvalidAddress: ([a]) => ({ message: `${short(a)} is not a contract`, hint: "Check the address." }),
  EscrowOwnershipCannotBeRenounced: () => ({
    message: "the escrow cannot be left without an owner",
    hint: "Transfer ownership to a new governance contract instead.",
  }),
};
