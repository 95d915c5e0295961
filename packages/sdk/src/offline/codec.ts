/**
 * JSON forms of the offline objects (what passes between devices, by QR code, NFC or a file):
 * integers as decimal strings, addresses checksummed, every field checked when read with the field
 * named in the error. Formats: clearhouse.offline-allowance/1, clearhouse.offline-voucher/1,
 * clearhouse.offline-device/1, clearhouse.offline-payee/1 (docs/spec/offline-vouchers.md §6).
 */
import { isHex, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";
import { requireAddress, requireBytes32, requireSmallInt, UINT64_MAX, UINT128_MAX } from "../validate";
import type { AcceptedVoucher, PayeeBook } from "./accept";
import type { DeviceState } from "./device";
import {
  MAX_CERT_EXPIRY,
  MAX_VOUCHER_CAP,
  MAX_VOUCHER_COUNT,
  type SignedAllowance,
  type SignedVoucher,
} from "./typedData";

export const ALLOWANCE_FORMAT = "clearhouse.offline-allowance/1";
export const VOUCHER_FORMAT = "clearhouse.offline-voucher/1";
export const DEVICE_FORMAT = "clearhouse.offline-device/1";
export const PAYEE_FORMAT = "clearhouse.offline-payee/1";

type Json = Record<string, unknown>;

function object(where: string, value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidArgumentError(where, "is not a JSON object");
  return value as Json;
}

function uint(where: string, value: unknown, max: bigint, min = 0n): bigint {
  if (typeof value !== "string" || !/^(0|[1-9]\d*)$/.test(value))
    throw new InvalidArgumentError(where, `${JSON.stringify(value)} is not a decimal integer string`);
  const n = BigInt(value);
  if (n < min || n > max) throw new InvalidArgumentError(where, `${value} is not within ${min}…${max}`);
  return n;
}

function signature(where: string, value: unknown): Hex {
  if (typeof value !== "string" || !isHex(value) || value.length !== 132)
    throw new InvalidArgumentError(where, "is not a 65-byte hex signature");
  return value;
}

function format(where: string, j: Json, expected: string): void {
  if (j.format !== expected) throw new InvalidArgumentError(`${where}.format`, `is not "${expected}"`);
}

function domainOf(where: string, j: Json) {
  return {
    chainId: requireSmallInt(`${where}.chainId`, j.chainId, 1, Number.MAX_SAFE_INTEGER),
    vault: requireAddress(`${where}.vault`, j.vault),
  };
}

/** The JSON of a signed certificate. */
export function allowanceToJson(a: SignedAllowance): Json {
  const c = a.cert;
  return {
    format: ALLOWANCE_FORMAT,
    chainId: a.chainId,
    vault: a.vault,
    cert: {
      wallet: c.wallet,
      device: c.device,
      bank: c.bank,
      cap: c.cap.toString(),
      count: c.count,
      expiry: c.expiry.toString(),
      nonce: c.nonce.toString(),
    },
    bankSignature: a.bankSignature,
  };
}

/** Read a signed certificate's JSON; throws InvalidArgumentError naming the bad field. */
export function allowanceFromJson(value: unknown, where = "allowance"): SignedAllowance {
  const j = object(where, value);
  format(where, j, ALLOWANCE_FORMAT);
  const c = object(`${where}.cert`, j.cert);
  return {
    ...domainOf(where, j),
    cert: {
      wallet: requireAddress(`${where}.cert.wallet`, c.wallet),
      device: requireAddress(`${where}.cert.device`, c.device),
      bank: requireAddress(`${where}.cert.bank`, c.bank),
      cap: uint(`${where}.cert.cap`, c.cap, MAX_VOUCHER_CAP, 1n),
      count: requireSmallInt(`${where}.cert.count`, c.count, 1, MAX_VOUCHER_COUNT),
      expiry: uint(`${where}.cert.expiry`, c.expiry, MAX_CERT_EXPIRY),
      nonce: uint(`${where}.cert.nonce`, c.nonce, UINT64_MAX),
    },
    bankSignature: signature(`${where}.bankSignature`, j.bankSignature),
  };
}

/** The JSON of a signed voucher. */
export function voucherToJson(s: SignedVoucher): Json {
  const v = s.voucher;
  return {
    format: VOUCHER_FORMAT,
    chainId: s.chainId,
    vault: s.vault,
    voucher: {
      allowanceId: v.allowanceId,
      device: v.device,
      payee: v.payee,
      amount: v.amount.toString(),
      serial: v.serial,
      expiry: v.expiry.toString(),
    },
    signature: s.signature,
  };
}

/** Read a signed voucher's JSON; throws InvalidArgumentError naming the bad field. */
export function voucherFromJson(value: unknown, where = "voucher"): SignedVoucher {
  const j = object(where, value);
  format(where, j, VOUCHER_FORMAT);
  const v = object(`${where}.voucher`, j.voucher);
  return {
    ...domainOf(where, j),
    voucher: {
      allowanceId: requireBytes32(`${where}.voucher.allowanceId`, v.allowanceId),
      device: requireAddress(`${where}.voucher.device`, v.device),
      payee: requireAddress(`${where}.voucher.payee`, v.payee),
      amount: uint(`${where}.voucher.amount`, v.amount, UINT128_MAX),
      serial: requireSmallInt(`${where}.voucher.serial`, v.serial, 0, 65_535),
      expiry: uint(`${where}.voucher.expiry`, v.expiry, UINT64_MAX),
    },
    signature: signature(`${where}.signature`, j.signature),
  };
}

/** The JSON of a device's state. */
export function deviceToJson(d: DeviceState): Json {
  return {
    format: DEVICE_FORMAT,
    allowance: allowanceToJson(d.allowance),
    nextSerial: d.nextSerial,
    spent: d.spent.toString(),
  };
}

/** Read a device's state. */
export function deviceFromJson(value: unknown, where = "device"): DeviceState {
  const j = object(where, value);
  format(where, j, DEVICE_FORMAT);
  return {
    allowance: allowanceFromJson(j.allowance, `${where}.allowance`),
    nextSerial: requireSmallInt(`${where}.nextSerial`, j.nextSerial, 1, MAX_VOUCHER_COUNT + 1),
    spent: uint(`${where}.spent`, j.spent, UINT128_MAX * 64n),
  };
}

/** The JSON of a payee's book. */
export function payeeBookToJson(b: PayeeBook): Json {
  return {
    format: PAYEE_FORMAT,
    payee: b.payee,
    accepted: b.accepted.map((a) => ({
      allowance: allowanceToJson(a.allowance),
      voucher: voucherToJson(a.voucher),
      allowanceId: a.allowanceId,
      digest: a.digest,
      acceptedAt: a.acceptedAt.toString(),
    })),
  };
}

/** Read a payee's book. */
export function payeeBookFromJson(value: unknown, where = "book"): PayeeBook {
  const j = object(where, value);
  format(where, j, PAYEE_FORMAT);
  if (!Array.isArray(j.accepted)) throw new InvalidArgumentError(`${where}.accepted`, "is not an array");
  return {
    payee: requireAddress(`${where}.payee`, j.payee),
    accepted: j.accepted.map((raw, i): AcceptedVoucher => {
      const at = `${where}.accepted[${i}]`;
      const a = object(at, raw);
      return {
        allowance: allowanceFromJson(a.allowance, `${at}.allowance`),
        voucher: voucherFromJson(a.voucher, `${at}.voucher`),
        allowanceId: requireBytes32(`${at}.allowanceId`, a.allowanceId),
        digest: requireBytes32(`${at}.digest`, a.digest),
        acceptedAt: uint(`${at}.acceptedAt`, a.acceptedAt, UINT64_MAX),
      };
    }),
  };
}
