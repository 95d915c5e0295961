/** Messages of the NettingEngine's errors (cycles, declarations, closes, the credit facility). */
import type { nettingEngineAbi } from "@clearhouse/contracts";
import { BATCH_STATUS } from "../../statusNames";
import { short } from "../format";
import { circuitLabel } from "./verifierRegistry";
import type { CatalogPart, OwnErrorName } from "./types";

/** The netting engine's own errors. */
export const nettingErrors: CatalogPart<OwnErrorName<typeof nettingEngineAbi>> = {
  NettingNoOpenCycle: ([id]) => ({
    message: `cycle ${id} is not the open cycle`,
    hint: "Check `cycle status`; the operator opens the next cycle.",
  }),
  NettingCycleStillOpen: ([id]) => ({
    message: `cycle ${id} is still open`,
    hint: "Close it before opening the next.",
  }),
  NettingTotalsMismatch: ([id, expected, given]) => ({
    message: `the per-counterparty totals given for batch ${short(id)} hash to ${short(given)}, the header commits to ${short(expected)}`,
    hint: "Declare the totals from the anchored batch file.",
  }),
  NettingGrossMismatch: ([id, header, sum], f) => ({
    message: `batch ${short(id)}'s totals sum to ${f.amount(sum)}, its header says ${f.amount(header)}`,
    hint: "Rebuild the batch file.",
  }),
  NettingInvalidObligation: ([debtor, creditor]) => ({
    message: `an obligation from ${short(debtor)} to ${short(creditor)} is invalid (self, zero address or zero amount)`,
    hint: "Check the batch's counterparties.",
  }),
  NettingPendingNotPresented: ([id, pending, presented]) => ({
    message: `the close of cycle ${id} presented ${presented} of its ${pending} pending batches (declared on chain or carried in)`,
    hint: "Close with the SDK's closeCycle, which presents every pending batch (see pendingBatches).",
  }),
  NettingBatchRepeated: ([id]) => ({
    message: `batch ${short(id)} was presented twice in one close`,
    hint: "Present each batch once.",
  }),
  NettingNotPending: ([id, status]) => ({
    message: `batch ${short(id)} was presented as pending but the ledger has it ${BATCH_STATUS[status] ?? status}`,
    hint: "Present pending batches with their anchored header (pendingBatches gives it).",
  }),
  NettingInvalidDeferralLimit: ([limit]) => ({
    message: `${limit} is not a valid limit of consecutive deferrals (1 to 255)`,
    hint: "Propose a limit from 1 to 255.",
  }),
  NettingRescueTooMuch: ([token, available, amount]) => ({
    message: `the engine can give back at most ${available} of token ${short(token)}, not ${amount} (the credit pool is never rescued)`,
    hint: "Rescue at most the amount shown.",
  }),
  NettingIndexReused: ([index, released, holder]) => ({
    message: `ledger index ${index} belongs to ${short(holder)} now; ${short(released)} held it before it was released`,
    hint: "Governance writes off what is still pending with the released bank (writeOff), then close again.",
  }),
  NettingNothingPending: ([id, batch]) => ({
    message: `batch ${short(batch)} is not pending in cycle ${id}`,
    hint: "Check the cycle's pending batches (pendingBatches).",
  }),
  NettingTooManyEntries: ([batch, entries, max]) => ({
    message: `batch ${short(batch)} has ${entries} counterparty entries; at most ${max} may enter a cycle`,
    hint: "Build the batch with one total per counterparty (buildBatch does), or split it.",
  }),
  NettingNotClosing: ([id]) => ({
    message: `no close in several transactions is under way for cycle ${id}`,
    hint: "Begin it with beginClose (the SDK's closeCycle does this when one transaction is too big).",
  }),
  NettingMustHold: ([id, bank]) => ({
    message: `${short(bank)} is inactive but the close of cycle ${id} does not hold it`,
    hint: "Begin the close again holding it (closeCycle restarts by itself).",
  }),
  NettingNotCovered: ([id, bank, need, capacity], f) => ({
    message: `${short(bank)} must pay in ${f.amount(need)} at the close of cycle ${id} but can pay only ${f.amount(capacity)}`,
    hint: "Its capacity changed since the close was planned: begin it again holding it (closeCycle restarts by itself).",
  }),
  NettingCreditUncovered: ([pool, unused], f) => ({
    message: `the credit pool (${f.amount(pool)}) would not cover the unused credit lines (${f.amount(unused)})`,
    hint: "Fund the pool first, or lower credit lines.",
  }),
  NettingRepayTooMuch: ([bank, amount, used], f) => ({
    message: `${short(bank)} repays ${f.amount(amount)} but used only ${f.amount(used)}`,
    hint: "Repay at most the credit used.",
  }),
  NettingLengthMismatch: ([a, b]) => ({
    message: `${a} counterparties but ${b} totals`,
    hint: "Declare the totals from the batch file, one per counterparty.",
  }),
  NettingCounterpartiesMismatch: ([id, headerMask, declared]) => ({
    message: `the creditors declared for batch ${short(id)} (mask 0x${declared.toString(16)}) are not its anchored counterparties (mask 0x${headerMask.toString(16)})`,
    hint: "Declare exactly the counterparties of the anchored batch file.",
  }),
  NettingPoolTooSmall: ([pool, amount], f) => ({
    message: `the credit pool holds ${f.amount(pool)}; ${f.amount(amount)} cannot be withdrawn`,
    hint: "Withdraw at most what the pool holds beyond the unused credit lines.",
  }),
  NettingZeroAmount: () => ({ message: "the amount is zero", hint: "Use a positive amount." }),
  NettingTooManyCounterparties: ([given, max]) => ({
    message: `a private-mode chunk has ${given} counterparties; a proof covers at most ${max}`,
    hint: "Build the chunks with buildPrivateChunks, which splits by counterparty.",
  }),
  NettingNoVerifierRegistry: () => ({
    message: "the netting engine has no VerifierRegistry, so private-mode batches cannot be declared",
    hint: "Ask governance to set it (setVerifierRegistry).",
  }),
  NettingChunkCount: ([given, max]) => ({
    message: `a private batch declared with proofs has ${given} chunks; 1 to ${max} are accepted in one transaction`,
    hint: "Split the payments into batches of at most that many chunks.",
  }),
  NettingCircuitUnusable: ([id, inputs, retired]) => ({
    message: retired
      ? `the registry's current version of circuit ${circuitLabel(id)} is retired`
      : `circuit ${circuitLabel(id)} is registered with ${inputs} public signals; the engine builds 3`,
    hint: "Ask governance to register the live private_netting_256 verifier of the ceremony.",
  }),
  NettingChunkRootsUnordered: ([chunk, previous, root]) => ({
    message: `chunk ${chunk}'s root ${root} is not above the previous chunk's root ${previous}: roots must be strictly ascending (no chunk counted twice)`,
    hint: "Sort the chunks by root and drop duplicates.",
  }),
  NettingChunkRootsMismatch: ([header, chunks]) => ({
    message: `the chunks' roots hash to ${short(chunks)}, the anchored header's root is ${short(header)}`,
    hint: "Declare exactly the chunks the batch was anchored with, in ascending root order.",
  }),
  NettingChunkBucketInvalid: ([chunk, bucket, position, amount]) => ({
    message: `chunk ${chunk}, bucket ${bucket} is invalid: counterparty position ${position}, amount ${amount} (the position must name a declared counterparty, the amount be below 2^72, an unused bucket be position 0 with amount 0)`,
    hint: "Rebuild the chunks from the batch's payments.",
  }),
  NettingChunkTotalsMismatch: ([position, proved, declared]) => ({
    message: `the chunks' amounts to counterparty ${position} sum to ${proved}, the declaration says ${declared}`,
    hint: "Declare the totals the chunks prove.",
  }),
  NettingChunkProofInvalid: ([id, chunk]) => ({
    message: `chunk ${chunk}'s proof does not verify under circuit ${circuitLabel(id)}`,
    hint: "Prove the chunk again from its payments (the proof binds its root, buckets and bank).",
  }),
  NettingTraceRequired: ([epoch]) => ({
    message: `traceability is on (regulator key epoch ${epoch}): every batch must be declared traced, standard and untraced private declarations are refused`,
    hint: "Anchor the batch's payments with the private/3 commitment (buildTracedBatch), prove it with proveTracedBatch under getTracePolicy(), and declare it with declareTracedChunks.",
  }),
  NettingTraceOff: () => ({
    message: "no regulator key is registered, so a traced batch has nobody to be traced for",
    hint: "Declare the batch untraced (buildPrivateBatch, declareProvedChunks), or have governance register the regulator's key first (rotateRegulatorKey).",
  }),
  NettingTraceEphemeralInvalid: ([chunk]) => ({
    message: `chunk ${chunk}'s ephemeral key is the identity (0, 1): its ciphertexts would be readable by anyone`,
    hint: "Prove the chunk again with a fresh ephemeral scalar in [1, l − 1] (proveTracedBatch draws one).",
  }),
  NettingTraceEphemeralReused: ([chunk, earlier]) => ({
    message: `chunk ${chunk} has the ephemeral key of chunk ${earlier}: the two would share one key stream and leak their plaintexts' difference`,
    hint: "Prove every chunk with its own fresh ephemeral scalar (proveTracedBatch draws one per chunk; do not pass the same ephemeralSecret twice).",
  }),
  NettingTraceCiphertextNotInField: ([index, value]) => ({
    message: `ciphertext element ${index} of a traced chunk is ${value}, not below the BN254 field modulus`,
    hint: "Send the ciphertexts exactly as proveTracedBatch returned them (field elements below p).",
  }),
  NettingUnknownFunction: ([selector]) => ({
    message: `the netting engine has no function with selector ${selector}`,
    hint: "Check the ABI against the deployment (an older engine, or another contract's address).",
  }),
  NettingInvalidAddress: ([a]) => ({
    message: `${short(a)} is not a valid address here`,
    hint: "Check the deployment.",
  }),
  NettingOwnershipCannotBeRenounced: () => ({
    message: "the netting engine's ownership cannot be renounced",
    hint: "Transfer it to the new governance instead.",
  }),
};
