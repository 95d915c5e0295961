/**
 * ISO 20022 ExternalStatusReason1Code values the importer gives a refused payment (ISO external
 * code sets; the pacs.002 `StsRsnInf/Rsn/Cd`), and the error that carries one.
 */
import { Iso20022Error } from "./xml";

/** The reason codes the importer uses, with their ISO names. */
export const STATUS_REASONS = Object.freeze({
  AC01: "IncorrectAccountNumber",
  AM01: "ZeroAmount",
  AM02: "NotAllowedAmount",
  AM03: "NotAllowedCurrency",
  AM05: "Duplication",
  AGNT: "IncorrectAgent",
  DT01: "InvalidDate",
  FF01: "InvalidFileFormat",
  RC01: "BankIdentifierIncorrect",
});
export type StatusReasonCode = keyof typeof STATUS_REASONS;

/** An Iso20022Error about one payment, with the status reason code a pacs.002 reports it with. */
export class IsoPaymentError extends Iso20022Error {
  override name = "IsoPaymentError";
  constructor(
    file: string,
    element: string,
    reason: string,
    readonly statusReason: StatusReasonCode,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(file, element, reason, options);
  }
}

/**
 * The status reason of a payment's refusal: the code an IsoPaymentError carries, else one derived
 * from the element refused — an account (AC01), an agent or party institution (RC01), the amount
 * or its currency (AM02, AM03), a date (DT01), anything else (missing or malformed) FF01.
 */
export function statusReasonOf(error: Iso20022Error): StatusReasonCode {
  if (error instanceof IsoPaymentError) return error.statusReason;
  const element = error.element;
  if (/Acct(\/|$)/.test(element)) return "AC01";
  if (/(Agt|\/Dbtr|\/Cdtr)(\/|$)/.test(element)) return "RC01";
  if (/Amt\/@Ccy$/.test(element)) return "AM03";
  if (/Amt$/.test(element)) return "AM02";
  if (/Dt$/.test(element)) return "DT01";
  return "FF01";
}
