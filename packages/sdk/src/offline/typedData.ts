/**
 * The offline payment objects and their EIP-712 encoding (docs/spec/offline-vouchers.md).
 *
 *   domain  { name: "Clearhouse Offline", version: "1", chainId, verifyingContract: vault }
 *   AllowanceCert(address wallet,address device,address bank,uint128 cap,uint16 count,uint64 expiry,uint64 nonce)
 *   Voucher(bytes32 allowanceId,address device,address payee,uint128 amount,uint16 serial,uint64 expiry)
 *
 * A certificate's id is its EIP-712 digest; the bank signs that digest. A voucher is signed by the
 * certificate's device key. Everything here works with no network.
 */
import { hashTypedData, type Address, type Hex } from "viem";

/** Serials are bits of one word on chain: a certificate allows at most 64 vouchers. */
export const MAX_VOUCHER_COUNT = 64;
/** A voucher's cap is stored in 96 bits. */
export const MAX_VOUCHER_CAP = (1n << 96n) - 1n;
/** Expiries are below 2^40 (the vault adds the grace in 64 bits). */
export const MAX_CERT_EXPIRY = (1n << 40n) - 1n;

/** Where a certificate or voucher is valid: one chain, one vault. */
export interface OfflineDomain {
  chainId: number;
  vault: Address;
}

/** An allowance certificate (what the bank signs). Amounts in the token's minor units. */
export interface AllowanceCert {
  wallet: Address;
  device: Address;
  bank: Address;
  cap: bigint;
  count: number;
  /** Unix seconds: no voucher is accepted offline after it. */
  expiry: bigint;
  nonce: bigint;
}

/** A voucher (what the device signs). */
export interface Voucher {
  allowanceId: Hex;
  device: Address;
  payee: Address;
  amount: bigint;
  serial: number;
  /** Unix seconds; at most the certificate's expiry. */
  expiry: bigint;
}

/** A certificate with its bank's signature, bound to its domain: what a payer's device carries. */
export interface SignedAllowance extends OfflineDomain {
  cert: AllowanceCert;
  bankSignature: Hex;
}

/** A voucher with the device's signature, bound to its domain: what the payee receives. */
export interface SignedVoucher extends OfflineDomain {
  voucher: Voucher;
  signature: Hex;
}

export const OFFLINE_TYPES = {
  AllowanceCert: [
    { name: "wallet", type: "address" },
    { name: "device", type: "address" },
    { name: "bank", type: "address" },
    { name: "cap", type: "uint128" },
    { name: "count", type: "uint16" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "uint64" },
  ],
  Voucher: [
    { name: "allowanceId", type: "bytes32" },
    { name: "device", type: "address" },
    { name: "payee", type: "address" },
    { name: "amount", type: "uint128" },
    { name: "serial", type: "uint16" },
    { name: "expiry", type: "uint64" },
  ],
} as const;

/** The EIP-712 domain of a vault. */
export function offlineDomain(d: OfflineDomain) {
  return { name: "Clearhouse Offline", version: "1", chainId: d.chainId, verifyingContract: d.vault } as const;
}

/** The typed data of a certificate, as any EIP-712 signer takes it. */
export function allowanceTypedData(d: OfflineDomain, cert: AllowanceCert) {
  return {
    domain: offlineDomain(d),
    types: { AllowanceCert: OFFLINE_TYPES.AllowanceCert },
    primaryType: "AllowanceCert" as const,
    message: { ...cert },
  };
}

/** The typed data of a voucher, as any EIP-712 signer takes it. */
export function voucherTypedData(d: OfflineDomain, voucher: Voucher) {
  return {
    domain: offlineDomain(d),
    types: { Voucher: OFFLINE_TYPES.Voucher },
    primaryType: "Voucher" as const,
    message: { ...voucher },
  };
}

/** A certificate's id: its EIP-712 digest (what the bank signs and the vault keys it by). */
export function allowanceIdOf(d: OfflineDomain, cert: AllowanceCert): Hex {
  return hashTypedData(allowanceTypedData(d, cert));
}

/** A voucher's EIP-712 digest (what the device signs and the vault records). */
export function voucherDigestOf(d: OfflineDomain, voucher: Voucher): Hex {
  return hashTypedData(voucherTypedData(d, voucher));
}
