/** Messages of the SettlementLedger's errors (enrolment, anchoring, acknowledgement, disputes). */
import type { settlementLedgerAbi } from "@clearhouse/contracts";
import { BATCH_STATUS, MEMBER_STATUS } from "../../statusNames";
import { isoSeconds as when, short } from "../format";
import type { CatalogPart, OwnErrorName } from "./types";

/** The ledger's own errors (the registry's errors it re-declares are described in registry.ts). */
export const ledgerErrors: CatalogPart<OwnErrorName<typeof settlementLedgerAbi, `Registry${string}`>> = {
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
  LedgerInvalidTreeVerifier: ([verifier]) => ({
    message: `${short(verifier)} holds no contract: the SM3 tree hash needs an SM3 Merkle verifier`,
    hint: "Deploy SM3MerkleVerifier and pass its address to setTreeHash (decision 046).",
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
};
