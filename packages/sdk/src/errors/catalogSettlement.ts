import type { AmountFormat, RevertArgs, RevertExplanation, RevertName } from "./catalog";
import { BATCH_STATUS, MEMBER_STATUS } from "../statusNames";
import { short, isoSeconds } from "./format";

type SettlementName = Extract<RevertName, `Ledger${string}` | `Netting${string}` | "SafeERC20FailedOperation">;

const when = isoSeconds;

/** Messages of the settlement layer's errors (merged into `revertCatalog`). */
export const settlementCatalog: {
  [N in SettlementName]: (args: RevertArgs<N>, f: AmountFormat) => RevertExplanation;
} = {
  LedgerBatchConflict: ([id, anchored, submitted]) => ({
    message: `batch ${short(id)} was anchored with digest ${short(anchored)}; this submission's digest is ${short(submitted)}`,
    hint: "Use a new key, or resubmit the original batch file.",
  }),
  LedgerUnknownBatch: ([id]) => ({
    message: `no batch ${short(id)} is anchored`,
    hint: "Check the batch id (or key and bank).",
  }),
  LedgerInvalidHeader: ([field]) => ({
    message: `the batch header's ${field} is invalid`,
    hint: "Rebuild the batch file; an empty batch cannot be anchored.",
  }),
  LedgerInvalidCounterparties: ([mask, count]) => ({
    message: `counterparty mask 0x${mask.toString(16)} is empty, names an index beyond the ${count} handed out, or the submitter`,
    hint: "Every counterparty must have enrolled in the ledger (`batch enroll`).",
  }),
  LedgerNotEnrolled: ([bank]) => ({
    message: `${short(bank)} is not enrolled in the ledger`,
    hint: "Enroll it first.",
  }),
  LedgerAlreadyEnrolled: ([bank, index]) => ({
    message: `${short(bank)} is already enrolled (index ${index})`,
    hint: "Nothing to do.",
  }),
  LedgerTooManyBanks: () => ({
    message: "all 256 bank indexes of the ledger are held and none is released",
    hint: "An operator frees a removed bank's index with `batch release <bank>` (after governance removes it); the index is reusable 30 days 15 minutes later.",
  }),
  LedgerIndexInQuarantine: ([index, availableAt]) => ({
    message: `all 256 bank indexes are taken; released index ${index} is free from ${when(BigInt(availableAt))}`,
    hint: "Enroll again after that time (the quarantine lets every batch open at the release close first).",
  }),
  LedgerBankReleased: ([bank, index]) => ({
    message: `${short(bank)} left the consortium and its index ${index} was released`,
    hint: "A released bank cannot enroll, anchor or answer again under this address; a re-admitted institution enrolls with a new address.",
  }),
  LedgerBankNotRemoved: ([bank, status]) => ({
    message: `${short(bank)} is ${MEMBER_STATUS[status] ?? status} in the registry, not Removed`,
    hint: "Only a removed bank's index is released: governance removes it first (`member remove`).",
  }),
  LedgerCounterpartyReleased: ([mask, free]) => ({
    message: `counterparty mask 0x${mask.toString(16)} names released indexes (0x${(mask & free).toString(16)}): banks that left the consortium`,
    hint: "Remove the payments to those banks from the batch and build it again.",
  }),
  LedgerBankBarred: ([bank]) => ({
    message: `${short(bank)} is barred from anchoring new batches (repeated deferrals in netting)`,
    hint: "Settle or fund the deferred obligations, then ask governance to lift the bar; retries of batches already anchored still succeed.",
  }),
  LedgerUnauthorizedBarring: ([caller]) => ({
    message: `${short(caller)} may not bar banks: only the netting engine and governance may`,
    hint: "Send it as a governance proposal (`gov propose`).",
  }),
  LedgerSignatureExpired: ([deadline]) => ({
    message: `the signed dispute expired at ${when(deadline)}`,
    hint: "Have the counterparty sign again with a later deadline (at most the batch's window end is useful).",
  }),
  LedgerInvalidSignature: ([signer]) => ({
    message: `the dispute's signature is not ${short(signer)}'s over this batch, reason and deadline`,
    hint: "Sign with the counterparty's own key (`batch dispute --sign-only`) and relay the batch id, reason and deadline it signed, unchanged.",
  }),
  LedgerNotCounterparty: ([id, account]) => ({
    message: `${short(account)} is not a counterparty of batch ${short(id)}`,
    hint: "Only banks that receive payments in the batch acknowledge or dispute it.",
  }),
  LedgerAlreadyAnswered: ([id, account]) => ({
    message: `${short(account)} already acknowledged batch ${short(id)}`,
    hint: "Nothing to do.",
  }),
  LedgerWindowClosed: ([id, closedAt]) => ({
    message: `the acknowledgement window of batch ${short(id)} closed at ${when(closedAt)}`,
    hint: "The batch is final; raise any disagreement with the operator off-chain.",
  }),
  LedgerWrongStatus: ([id, status]) => ({
    message: `batch ${short(id)} is ${BATCH_STATUS[status] ?? status}`,
    hint: "Wait until it is final (acknowledged, or its window passed), or resolve its dispute.",
  }),
  LedgerAlreadyNetted: ([id]) => ({
    message: `batch ${short(id)} was already netted`,
    hint: "A batch settles once; nothing to do (`batch status` names the cycle that netted it).",
  }),
  LedgerInvalidWindowEnd: ([closesAt, earliest, latest]) => ({
    message: `the batch's window end ${when(BigInt(closesAt))} is outside ${when(earliest)} … ${when(latest)} (now + the acknowledgement window, plus at most 15 minutes)`,
    hint: "Submit again without a window end: the SDK stamps a fresh one from the chain's clock.",
  }),
  LedgerNotNettingEngine: ([caller]) => ({
    message: `${short(caller)} is not the netting engine; only it nets batches`,
    hint: "Batches are netted by declaring them into a cycle (`cycle declare`) or when the operator closes one.",
  }),
  LedgerInvalidEngine: ([engine]) => ({
    message: `${short(engine)} holds no contract`,
    hint: "Pass the NettingEngine's proxy address.",
  }),
  LedgerHeaderMismatch: ([id, anchored, given]) => ({
    message: `the header given for batch ${short(id)} has digest ${short(given)}, the anchored one ${short(anchored)}`,
    hint: "Use the batch file that was anchored, unedited.",
  }),
  LedgerInvalidWindow: ([w]) => ({
    message: `an acknowledgement window of ${w} s is outside 60 s … 30 days`,
    hint: "Choose another window.",
  }),
  LedgerInvalidReason: () => ({
    message: "dispute reason code 0 is reserved",
    hint: "Use a reason code from 1 upwards.",
  }),
  LedgerInvalidRegistry: ([r]) => ({ message: `${short(r)} holds no contract`, hint: "Pass the registry proxy." }),
  LedgerOwnershipCannotBeRenounced: () => ({
    message: "the ledger's ownership cannot be renounced",
    hint: "Transfer it to the new governance instead.",
  }),
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
  SafeERC20FailedOperation: ([token]) => ({
    message: `a token transfer through ${short(token)} failed`,
    hint: "Check balances and allowances.",
  }),
};
