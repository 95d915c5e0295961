/** Why a payee's wallet refuses a voucher offline (each reason also refused on chain). */
import type { Hex } from "viem";
import { ClearhouseError } from "../errors/base";

/**
 * The reasons a voucher is refused offline, in the order the checks run
 * (docs/spec/offline-vouchers.md §4).
 */
export const OFFLINE_REFUSALS = [
  "wrong-chain",
  "wrong-vault",
  "bad-certificate",
  "unknown-bank",
  "bad-bank-signature",
  "certificate-expired",
  "wrong-allowance",
  "wrong-device",
  "bad-device-signature",
  "frozen-device",
  "wrong-payee",
  "bad-amount",
  "bad-serial",
  "serial-seen",
  "voucher-expired",
  "outlives-certificate",
] as const;

export type OfflineRefusal = (typeof OFFLINE_REFUSALS)[number];

/** A voucher the payee must not accept: `reason` says which rule, the message what to do. */
export class VoucherRefusedError extends ClearhouseError {
  override name = "VoucherRefusedError";
  constructor(
    readonly reason: OfflineRefusal,
    detail: string,
    readonly voucherDigest?: Hex,
  ) {
    super(`voucher refused (${reason}): ${detail}`, {
      category: "input",
      hint: "Do not hand over the goods: ask the payer for a valid voucher or another means of payment.",
    });
  }
}

/** The payer's device cannot sign this payment (`reason` says why). */
export class DevicePaymentError extends ClearhouseError {
  override name = "DevicePaymentError";
  constructor(
    readonly reason: "exhausted" | "over-cap" | "expired" | "wrong-key" | "bad-amount",
    detail: string,
  ) {
    super(`the device cannot pay: ${detail}`, {
      category: "input",
      hint:
        reason === "exhausted" || reason === "expired"
          ? "Reconnect and ask the bank for a new allowance."
          : "Pay at most the certificate's cap per voucher, with the certificate's device key.",
    });
  }
}
