/** Messages of the NettingEngine's errors (cycles, declarations, closes, the credit facility). */
import type { nettingEngineAbi } from "@clearhouse/contracts";
import { BATCH_STATUS } from "../../statusNames";
import { short } from "../format";
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
  NettingInvalidAddress: ([a]) => ({
    message: `${short(a)} is not a valid address here`,
    hint: "Check the deployment.",
  }),
  NettingOwnershipCannotBeRenounced: () => ({
    message: "the netting engine's ownership cannot be renounced",
    hint: "Transfer it to the new governance instead.",
  }),
};
