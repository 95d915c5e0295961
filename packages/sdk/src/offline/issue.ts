/** The bank's side: sign an allowance certificate (offline; anchoring it is `anchorAllowance`). */
import { getAddress } from "viem";
import { InvalidArgumentError } from "../errors/base";
import {
  allowanceTypedData,
  MAX_CERT_EXPIRY,
  MAX_VOUCHER_CAP,
  MAX_VOUCHER_COUNT,
  type AllowanceCert,
  type OfflineDomain,
  type SignedAllowance,
} from "./typedData";

/** An EIP-712 signer for certificates (a viem LocalAccount, or an HSM-backed account). */
export interface CertificateSigner {
  address: `0x${string}`;
  signTypedData: (typed: ReturnType<typeof allowanceTypedData>) => Promise<`0x${string}`>;
}

/**
 * The wallet's consent to a certificate: its signature over the same typed data (what lets the bank
 * send the anchoring; the wallet sending it itself needs none).
 */
export async function signAllowanceConsent(
  wallet: CertificateSigner,
  domain: OfflineDomain,
  cert: AllowanceCert,
): Promise<`0x${string}`> {
  if (getAddress(wallet.address) !== getAddress(cert.wallet))
    throw new InvalidArgumentError("cert.wallet", `is ${cert.wallet}, but the signing key is ${wallet.address}`);
  return wallet.signTypedData(allowanceTypedData(domain, cert));
}

/** Check a certificate's fields and sign it with the bank's key (which must be `cert.bank`). */
export async function signAllowance(
  bank: CertificateSigner,
  domain: OfflineDomain,
  cert: AllowanceCert,
): Promise<SignedAllowance> {
  if (getAddress(bank.address) !== getAddress(cert.bank))
    throw new InvalidArgumentError("cert.bank", `is ${cert.bank}, but the signing key is ${bank.address}`);
  if (cert.cap < 1n || cert.cap > MAX_VOUCHER_CAP)
    throw new InvalidArgumentError("cert.cap", `must be within 1…${MAX_VOUCHER_CAP}`);
  if (!Number.isInteger(cert.count) || cert.count < 1 || cert.count > MAX_VOUCHER_COUNT)
    throw new InvalidArgumentError("cert.count", `must be within 1…${MAX_VOUCHER_COUNT}`);
  if (cert.expiry > MAX_CERT_EXPIRY) throw new InvalidArgumentError("cert.expiry", "must be below 2^40");
  const bankSignature = await bank.signTypedData(allowanceTypedData(domain, cert));
  return { ...domain, cert, bankSignature };
}
