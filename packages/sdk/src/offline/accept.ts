/**
 * The payee's side, with no network at all: check a voucher against its certificate alone and
 * keep what was accepted (serials seen per allowance) so that a replay is refused.
 */
import { getAddress, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { VoucherRefusedError, type OfflineRefusal } from "./errors";
import {
  allowanceIdOf,
  allowanceTypedData,
  MAX_CERT_EXPIRY,
  MAX_VOUCHER_CAP,
  MAX_VOUCHER_COUNT,
  voucherDigestOf,
  voucherTypedData,
  type OfflineDomain,
  type SignedAllowance,
  type SignedVoucher,
} from "./typedData";

/** What the payee's wallet knows without a network (refreshed when it was last online). */
export interface OfflineContext extends OfflineDomain {
  /** The payee's own address (vouchers must name it). */
  payee: Address;
  /** The consortium's member banks, whose signatures are trusted on certificates. */
  banks: readonly Address[];
  /** Device keys known frozen at the last sync (optional). */
  frozenDevices?: readonly Address[];
  /** The wallet's clock, unix seconds. */
  now: bigint;
}

/** A voucher the payee accepted. */
export interface AcceptedVoucher {
  allowance: SignedAllowance;
  voucher: SignedVoucher;
  allowanceId: Hex;
  digest: Hex;
  /** Unix seconds, the payee's clock. */
  acceptedAt: bigint;
}

/** The payee's record of accepted vouchers (what `offline accept` keeps in its file). */
export interface PayeeBook {
  payee: Address;
  accepted: AcceptedVoucher[];
}

const refuse = (reason: OfflineRefusal, detail: string, digest?: Hex): never => {
  throw new VoucherRefusedError(reason, detail, digest);
};

const same = (a: Address, b: Address) => getAddress(a) === getAddress(b);

/** The address that signed, or undefined when the signature is malformed. */
async function recovered(recover: () => Promise<Address>): Promise<Address | undefined> {
  try {
    return await recover();
  } catch {
    return undefined;
  }
}

/**
 * Every offline check, in the spec's order; throws VoucherRefusedError naming the first failed
 * rule. `seenSerials` are the serials of this allowance the payee already accepted.
 * @returns the allowance id and the voucher's digest
 */
export async function checkVoucher(
  allowance: SignedAllowance,
  payment: SignedVoucher,
  seenSerials: ReadonlySet<number>,
  ctx: OfflineContext,
): Promise<{ allowanceId: Hex; digest: Hex }> {
  const { cert } = allowance;
  const v = payment.voucher;
  for (const o of [allowance, payment]) {
    if (o.chainId !== ctx.chainId) refuse("wrong-chain", `signed for chain ${o.chainId}, this is chain ${ctx.chainId}`);
    if (!same(o.vault, ctx.vault)) refuse("wrong-vault", `signed for vault ${o.vault}, not ${ctx.vault}`);
  }
  if (cert.cap < 1n || cert.cap > MAX_VOUCHER_CAP || cert.count < 1 || cert.count > MAX_VOUCHER_COUNT)
    refuse("bad-certificate", `cap ${cert.cap} or count ${cert.count} is outside what the vault takes`);
  if (cert.expiry > MAX_CERT_EXPIRY) refuse("bad-certificate", `expiry ${cert.expiry} is not below 2^40`);
  if (!ctx.banks.some((b) => same(b, cert.bank)))
    refuse("unknown-bank", `${cert.bank} is not a member bank of the consortium`);
  const allowanceId = allowanceIdOf(ctx, cert);
  const bankSigner = await recovered(() =>
    recoverTypedDataAddress({ ...allowanceTypedData(ctx, cert), signature: allowance.bankSignature }),
  );
  if (!bankSigner || !same(bankSigner, cert.bank))
    refuse("bad-bank-signature", `the certificate is not signed by its bank ${cert.bank}`);
  if (ctx.now > cert.expiry) refuse("certificate-expired", `the certificate expired at ${cert.expiry}`);
  if (v.allowanceId !== allowanceId) refuse("wrong-allowance", "the voucher names another certificate");
  if (!same(v.device, cert.device))
    refuse("wrong-device", `the voucher names device ${v.device}, not the certificate's`);
  const digest = voucherDigestOf(ctx, v);
  const deviceSigner = await recovered(() =>
    recoverTypedDataAddress({ ...voucherTypedData(ctx, v), signature: payment.signature }),
  );
  if (!deviceSigner || !same(deviceSigner, cert.device))
    refuse("bad-device-signature", `the voucher is not signed by device ${cert.device}`, digest);
  if (ctx.frozenDevices?.some((d) => same(d, cert.device)))
    refuse("frozen-device", `device ${cert.device} was frozen after a double spend`, digest);
  if (!same(v.payee, ctx.payee)) refuse("wrong-payee", `the voucher pays ${v.payee}, not ${ctx.payee}`, digest);
  if (v.amount <= 0n || v.amount > cert.cap)
    refuse("bad-amount", `amount ${v.amount} is not within 1…${cert.cap} (the per-voucher cap)`, digest);
  if (!Number.isInteger(v.serial) || v.serial < 1 || v.serial > cert.count)
    refuse("bad-serial", `serial ${v.serial} is not within 1…${cert.count}`, digest);
  if (seenSerials.has(v.serial))
    refuse("serial-seen", `serial ${v.serial} of this certificate was accepted before`, digest);
  if (ctx.now > v.expiry) refuse("voucher-expired", `the voucher expired at ${v.expiry}`, digest);
  if (v.expiry > cert.expiry) refuse("outlives-certificate", "the voucher expires after its certificate", digest);
  return { allowanceId, digest };
}

/** The serials of `allowanceId` the book holds. */
export function seenSerialsOf(book: PayeeBook, allowanceId: Hex): Set<number> {
  return new Set(book.accepted.filter((a) => a.allowanceId === allowanceId).map((a) => a.voucher.voucher.serial));
}

/**
 * Accept a voucher offline: check it (`checkVoucher`, with the book's serials) and return the book
 * with it added. The book given is not changed.
 */
export async function acceptVoucher(
  book: PayeeBook,
  allowance: SignedAllowance,
  payment: SignedVoucher,
  ctx: OfflineContext,
): Promise<{ book: PayeeBook; accepted: AcceptedVoucher }> {
  if (!same(book.payee, ctx.payee)) refuse("wrong-payee", `the book belongs to ${book.payee}, not ${ctx.payee}`);
  const id = allowanceIdOf(ctx, allowance.cert);
  const { allowanceId, digest } = await checkVoucher(allowance, payment, seenSerialsOf(book, id), ctx);
  const accepted: AcceptedVoucher = { allowance, voucher: payment, allowanceId, digest, acceptedAt: ctx.now };
  return { book: { ...book, accepted: [...book.accepted, accepted] }, accepted };
}
