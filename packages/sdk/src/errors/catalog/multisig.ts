/** Messages of the ConsortiumMultisig's errors (signers, thresholds, timelocks, proposals). */
import type { Hex } from "viem";
import type { consortiumMultisigAbi } from "@clearhouse/contracts";
import { isoSeconds as when, short } from "../format";
import type { AmountFormat, CatalogPart, OwnErrorName } from "./types";

/** Says why the call a proposal ran reverted, from its raw revert data (`MultisigCallFailed`). */
export type ExplainInnerRevert = (data: Hex, f: AmountFormat) => string;

/**
 * The multisig's own errors. `MultisigCallFailed` carries the revert data of the call the proposal
 * made, which can be any contract's error: the catalogue's index passes `explainInner`, which
 * explains it with the whole catalogue (so this part need not import the index).
 */
export function multisigErrors(
  explainInner: ExplainInnerRevert,
): CatalogPart<OwnErrorName<typeof consortiumMultisigAbi>> {
  return {
    MultisigOnlySelf: ([caller]) => ({
      message: `${short(caller)} called a governance function directly`,
      hint: "Signer, delay and guardian changes are proposals the multisig executes on itself.",
    }),
    MultisigNotSigner: ([account]) => ({
      message: `${short(account)} is not a current signer`,
      hint: "Check the key, or whether this signer was rotated out (`gov status` lists the signers).",
    }),
    MultisigNotGuardian: ([caller]) => ({
      message: `${short(caller)} is not the guardian`,
      hint: "Only the guardian set by governance may pause everything at once.",
    }),
    MultisigInvalidSigner: ([signer]) => ({
      message: `${short(signer)} cannot be added as a signer (zero, the multisig itself, or already a signer)`,
      hint: "Use a new, non-zero address.",
    }),
    MultisigInvalidThreshold: ([threshold, count]) => ({
      message: `threshold ${threshold} is not between 1 and the ${count} signers`,
      hint: "Choose a threshold M with 1 ≤ M ≤ N.",
    }),
    MultisigTooManySigners: ([count, max]) => ({
      message: `${count} signers exceed the maximum of ${max}`,
      hint: "Remove a signer first.",
    }),
    MultisigDuplicateSigner: ([signer]) => ({
      message: `${short(signer)} signed twice`,
      hint: "Give each signer's signature once (order does not matter).",
    }),
    MultisigInvalidSignature: ([offset]) => ({
      message: `the signature at byte ${offset} is malformed or invalid`,
      hint: "Re-sign the proposal file; signatures are 65-byte r‖s‖v entries (or ERC-1271 entries).",
    }),
    MultisigThresholdNotMet: ([hash, approvals, threshold]) => ({
      message: `proposal ${short(hash)} has ${approvals} of the ${threshold} approvals it needs`,
      hint: "Collect more signatures (`gov sign`) or on-chain approvals (`gov approve`).",
    }),
    MultisigStaleNonce: ([lane, expected, nonce]) => ({
      message: `lane ${lane} expects nonce ${expected}, the proposal has ${nonce}`,
      hint: "It was executed or cancelled already, or an earlier proposal in its lane is pending; rebuild it.",
    }),
    MultisigAlreadyQueued: ([hash, at]) => ({
      message: `proposal ${short(hash)} is already queued, executable at ${when(at)}`,
      hint: "Execute it once the timelock has elapsed.",
    }),
    MultisigNotQueued: ([hash, delay]) => ({
      message: `proposal ${short(hash)} has a ${delay}-second timelock and was not queued`,
      hint: "Queue it first (`gov queue`), then execute after the delay.",
    }),
    MultisigNothingToQueue: ([hash]) => ({
      message: `proposal ${short(hash)} has no timelock, so there is nothing to queue`,
      hint: "Execute it directly with its signatures.",
    }),
    MultisigTimelocked: ([hash, at]) => ({
      message: `proposal ${short(hash)} is timelocked until ${when(at)}`,
      hint: "Wait for the timelock to elapse, then execute.",
    }),
    MultisigExpired: ([hash, expiry]) => ({
      message: `proposal ${short(hash)} expired at ${when(expiry)}`,
      hint: "Build a new proposal with a later expiry (and cancel the lane's nonce if it is stuck).",
    }),
    MultisigCallFailed: ([hash, reason], f) => ({
      message: `proposal ${short(hash)} ran, but its call failed: ${explainInner(reason, f)}`,
      hint: "Nothing changed; fix the proposal's call and propose again.",
    }),
    MultisigInvalidDelay: ([delay, max]) => ({
      message: `delay ${delay} s exceeds the maximum of ${max} s`,
      hint: "Use a delay of at most 30 days.",
    }),
    MultisigAlreadyApproved: ([hash, signer]) => ({
      message: `${short(signer)} already approved ${short(hash)} on-chain`,
      hint: "Nothing to do.",
    }),
    MultisigNotAContract: ([target]) => ({
      message: `${short(target)} holds no contract code`,
      hint: "Check the address: calls with data and the guardian's pausables must be contracts.",
    }),
    MultisigSignerSetChanged: ([hash, queuedEpoch, epoch]) => ({
      message: `proposal ${short(hash)} was queued by signer set #${queuedEpoch}, but the signers or threshold changed since (now #${epoch})`,
      hint: "Collect signatures from the current signers and queue it again.",
    }),
    InvalidShortString: () => ({ message: "invalid EIP-712 short string", hint: "Deployment-time error." }),
    StringTooLong: ([str]) => ({ message: `string "${str}" is too long`, hint: "Deployment-time error." }),
  };
}
