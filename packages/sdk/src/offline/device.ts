/**
 * The payer's device, with no network: it holds one bank-signed certificate and signs vouchers
 * with serials 1, 2, … count. The next serial is counted up BEFORE the voucher leaves the device
 * (a caller persists the returned state first), so a crash never makes it sign a serial twice.
 */
import { getAddress, type Address } from "viem";
import { DevicePaymentError } from "./errors";
import { allowanceIdOf, voucherTypedData, type SignedAllowance, type SignedVoucher, type Voucher } from "./typedData";

/** An EIP-712 signer: a viem LocalAccount, or anything with the same `signTypedData`. */
export interface TypedDataSigner {
  address: Address;
  signTypedData: (typed: ReturnType<typeof voucherTypedData>) => Promise<`0x${string}`>;
}

/** What the device keeps. */
export interface DeviceState {
  allowance: SignedAllowance;
  /** The serial the next voucher takes (1 on a fresh certificate). */
  nextSerial: number;
  /** Total of the vouchers signed so far (minor units). */
  spent: bigint;
}

/** A fresh device state for a certificate. */
export function newDeviceState(allowance: SignedAllowance): DeviceState {
  return { allowance, nextSerial: 1, spent: 0n };
}

export interface PayOfflineParameters {
  payee: Address;
  amount: bigint;
  /** Unix seconds, the device's clock. */
  now: bigint;
  /** The voucher's expiry (default and maximum: the certificate's). */
  expiry?: bigint;
}

/**
 * Sign the next voucher. Refuses (DevicePaymentError) when the serials are used up, the amount is
 * above the cap or not positive, the certificate has expired, or `device` is not its key.
 * @returns the state to persist first, then the voucher to hand over
 */
export async function payOffline(
  state: DeviceState,
  device: TypedDataSigner,
  p: PayOfflineParameters,
): Promise<{ state: DeviceState; voucher: SignedVoucher }> {
  const { cert } = state.allowance;
  if (getAddress(device.address) !== getAddress(cert.device))
    throw new DevicePaymentError(
      "wrong-key",
      `the key ${device.address} is not the certificate's device ${cert.device}`,
    );
  if (state.nextSerial > cert.count)
    throw new DevicePaymentError("exhausted", `all ${cert.count} vouchers of the certificate are signed`);
  if (p.amount <= 0n) throw new DevicePaymentError("bad-amount", "the amount must be positive");
  if (p.amount > cert.cap)
    throw new DevicePaymentError("over-cap", `${p.amount} is above the per-voucher cap of ${cert.cap}`);
  if (p.now > cert.expiry) throw new DevicePaymentError("expired", `the certificate expired at ${cert.expiry}`);
  const expiry = p.expiry === undefined || p.expiry > cert.expiry ? cert.expiry : p.expiry;
  const voucher = await signVoucher(state.allowance, device, { ...p, serial: state.nextSerial, expiry });
  return { state: { ...state, nextSerial: state.nextSerial + 1, spent: state.spent + p.amount }, voucher };
}

/**
 * Sign a voucher with a serial chosen by the caller: what a tampered device does. The vault pays
 * a second voucher of one serial from the bank's guarantee and freezes the device; tests and the
 * demo use this to show it. Never use it in a wallet.
 */
export async function signVoucherWithSerial(
  allowance: SignedAllowance,
  device: TypedDataSigner,
  p: { payee: Address; amount: bigint; serial: number; expiry?: bigint },
): Promise<SignedVoucher> {
  return signVoucher(allowance, device, { ...p, expiry: p.expiry ?? allowance.cert.expiry });
}

/** Sign the voucher of `serial` with the certificate's device key. */
async function signVoucher(
  allowance: SignedAllowance,
  device: TypedDataSigner,
  p: { payee: Address; amount: bigint; serial: number; expiry: bigint },
): Promise<SignedVoucher> {
  const { cert, chainId, vault } = allowance;
  const voucher: Voucher = {
    allowanceId: allowanceIdOf({ chainId, vault }, cert),
    device: cert.device,
    payee: getAddress(p.payee),
    amount: p.amount,
    serial: p.serial,
    expiry: p.expiry,
  };
  const signature = await device.signTypedData(voucherTypedData({ chainId, vault }, voucher));
  return { chainId, vault, voucher, signature };
}
