/** Messages of the OfflineVault's errors (allowances, vouchers, bulk batches, guarantee funds). */
import type { offlineVaultAbi } from "@clearhouse/contracts";
import { isoSeconds as when, short } from "../format";
import type { CatalogPart, OwnErrorName } from "./types";

const ALLOWANCE_STATUS = ["none", "live", "unfunded", "released"] as const;
const BATCH_STATUS = ["none", "pending", "settled"] as const;

/** The offline vault's own errors. */
export const offlineErrors: CatalogPart<OwnErrorName<typeof offlineVaultAbi>> = {
  VaultInvalidAddress: ([account]) => ({
    message: `${short(account)} is not a usable address here`,
    hint: "Pass the registry's and the token's proxy addresses.",
  }),
  VaultInvalidParameter: ([what]) => ({
    message: `the vault parameter ${what} is out of range`,
    hint: "docs/offline.md lists the ranges (grace 1 h–365 d, dispute window 1 min–30 d, guarantee ≤ 50,000 bps).",
  }),
  VaultInvalidAllowance: ([what]) => ({
    message: `the allowance certificate is invalid: ${what}`,
    hint: "Check the certificate's fields (docs/spec/offline-vouchers.md §2).",
  }),
  VaultBadBankSignature: ([id, bank]) => ({
    message: `the certificate ${short(id)} does not carry a valid signature of its bank ${short(bank)}`,
    hint: "Have the bank sign the certificate in this vault's EIP-712 domain (chain id and vault address).",
  }),
  VaultBadDeviceSignature: ([digest, device]) => ({
    message: `voucher ${short(digest)} is not signed by the device ${short(device)}`,
    hint: "The voucher was altered, signed by another key or for another chain or vault: it cannot be redeemed.",
  }),
  VaultNotWalletOfBank: ([wallet, bank]) => ({
    message: `${short(wallet)} is not an open wallet of ${short(bank)}`,
    hint: "Allowances lock a customer wallet's funds, and bulk claims pay the claiming bank's own wallets.",
  }),
  VaultNotBank: ([caller, bank]) => ({
    message: `${short(caller)} may not act for this allowance (its bank is ${short(bank)})`,
    hint: "Anchoring is for the wallet or its bank; disputing a bulk claim for the allowance's bank or wallet.",
  }),
  VaultAllowanceExists: ([id, status]) => ({
    message: `allowance ${short(id)} exists already (${ALLOWANCE_STATUS[status] ?? status})`,
    hint: "An anchored or seen certificate is redeemed with `redeem`; issue a new certificate (another nonce) for new funds.",
  }),
  VaultUnknownAllowance: ([id]) => ({
    message: `no allowance ${short(id)} was anchored`,
    hint: "If the bank signed it without anchoring it, redeem with `redeemUnfunded` (the bank's guarantee pays).",
  }),
  VaultAllowanceExpired: ([id, expiry, deadline]) => ({
    message: `allowance ${short(id)} expired at ${when(expiry)}; its deadline was ${when(deadline)}`,
    hint: "A certificate must expire in the future to be anchored; vouchers are redeemable until expiry + grace.",
  }),
  VaultAllowanceReleased: ([id]) => ({
    message: `allowance ${short(id)} was released: its funds went back`,
    hint: "Only a double spend can still be proved against it (its payee is paid from the bank's guarantee).",
  }),
  VaultReleaseTooEarly: ([id, at]) => ({
    message: `allowance ${short(id)} can be released only after ${when(at)}`,
    hint: "Vouchers may still be redeemed until then (expiry + grace, and the last bulk claim's dispute window).",
  }),
  VaultDeviceFrozen: ([device]) => ({
    message: `device ${short(device)} is frozen after a double spend`,
    hint: "Issue the wallet a new device key.",
  }),
  VaultInvalidVoucher: ([id, serial, what]) => ({
    message: `voucher serial ${serial} of allowance ${short(id)} is invalid: ${what}`,
    hint: "It does not match its certificate (docs/spec/offline-vouchers.md §3): it cannot be redeemed.",
  }),
  VaultAlreadyRedeemed: ([id, serial]) => ({
    message: `voucher serial ${serial} of allowance ${short(id)} was redeemed already`,
    hint: "Nothing to do: it was paid once.",
  }),
  VaultSerialClaimedInBulk: ([id, serial]) => ({
    message: `serial ${serial} of allowance ${short(id)} was claimed in a bulk batch`,
    hint: "If this voucher differs from the claimed one, prove the double spend with `redeemDoubleSpent` once the batch's dispute window is over.",
  }),
  VaultSerialTaken: ([id, serial]) => ({
    message: `serial ${serial} of allowance ${short(id)} is already redeemed or claimed`,
    hint: "Leave that voucher out of the bulk claim and redeem it one by one (a different voucher is a provable double spend).",
  }),
  VaultAlreadyCompensated: ([id, serial, payee]) => ({
    message: `${short(payee)} was already compensated for serial ${serial} of allowance ${short(id)}`,
    hint: "Nothing to do: one compensation per serial and payee.",
  }),
  VaultNotCompensable: ([id, serial, payee]) => ({
    message: `${short(payee)} is owed no compensation for serial ${serial} of allowance ${short(id)}`,
    hint: "The serial's first payee, the payer's own wallet and its device are never compensated for a double spend.",
  }),
  VaultBadWalletSignature: ([id, wallet]) => ({
    message: `the wallet ${short(wallet)} did not consent to allowance ${short(id)}`,
    hint: "Have the wallet anchor it, or pass the wallet's signature over the certificate (signAllowanceConsent).",
  }),
  VaultNotADoubleSpend: ([id, serial]) => ({
    message: `serial ${serial} of allowance ${short(id)} was redeemed with this very voucher`,
    hint: "There is no double spend: the voucher was paid.",
  }),
  VaultInvalidBatch: ([what]) => ({
    message: `the bulk claim is invalid: ${what}`,
    hint: "A batch holds 1 to 2,048 vouchers; each claim lists one voucher per serial bit, in serial order.",
  }),
  VaultUnknownBatch: ([id]) => ({ message: `there is no bulk batch ${id}`, hint: "Check the batch id." }),
  VaultBatchNotPending: ([id, status]) => ({
    message: `bulk batch ${id} is ${BATCH_STATUS[status] ?? status}`,
    hint: "Only a pending batch can be disputed or settled.",
  }),
  VaultDisputeWindow: ([id, end]) => ({
    message: `bulk batch ${id}'s dispute window ends at ${when(end)}`,
    hint: "Dispute before the end; settle (or prove a double spend against it) after.",
  }),
  VaultClaimsMismatch: ([id]) => ({
    message: `the claim data do not match what bulk batch ${id} recorded`,
    hint: "Pass the batch's leaves in order and the claim exactly as claimed (the SDK rebuilds them from the BulkClaimed transaction).",
  }),
  VaultClaimDisputed: ([id, index]) => ({
    message: `claim ${index} of bulk batch ${id} was disputed`,
    hint: "Its vouchers are redeemed one by one.",
  }),
  VaultGuaranteeTooLow: ([bank, guarantee, required], f) => ({
    message: `${short(bank)}'s guarantee of ${f.amount(guarantee)} is below the ${f.amount(required)} its live allowances require`,
    hint: "Post more to the guarantee fund (`offline guarantee post`), or wait for allowances to be redeemed or released.",
  }),
  VaultBankInDebt: ([bank, debt], f) => ({
    message: `${short(bank)} owes ${f.amount(debt)} of double-spend compensations`,
    hint: "Post to the guarantee fund: queued compensations are paid first.",
  }),
  VaultNothingToClaim: ([payee]) => ({
    message: `nothing is credited to ${short(payee)}`,
    hint: "Compensations are credited when the bank's guarantee covers them (`offline status`).",
  }),
  VaultInvalidAmount: ([amount], f) => ({
    message: `${f.amount(amount)} is not a valid amount here`,
    hint: "Give a positive amount no larger than the guarantee.",
  }),
  VaultOwnershipCannotBeRenounced: () => ({
    message: "the vault's ownership cannot be renounced",
    hint: "Transfer it to a new governance instead.",
  }),
};
