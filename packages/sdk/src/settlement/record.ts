/**
 * A payment record: what a member bank keeps off-chain for each payment of a settlement batch,
 * and its canonical encoding — eight integers, each below 2^253 so they are also elements of the
 * BN254 field. The same eight values make the keccak leaf of a standard batch (abi-encoded as
 * `RECORD_LEAF_TYPES`, hashed as OpenZeppelin's StandardMerkleTree does) and the Poseidon leaf of
 * a private-mode batch (Poseidon over the same eight values), so one record yields both.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { keccakText } from "./keccak";
import { InvalidArgumentError } from "../errors/base";

/** One payment between two member banks. Amounts are integers in the currency's minor unit. */
export interface PaymentRecord {
  /**
   * The bank's unique id of the payment: 1–35 printable ASCII characters, or a UETR (36
   * characters, lower-case UUIDv4). From pacs.008: TxId, else UETR, else EndToEndId (decision 026).
   */
  paymentId: string;
  debtorBank: Address;
  creditorBank: Address;
  /** Minor units (cents for EUR), 1 ≤ amount < 2^64. */
  amount: bigint;
  /** ISO 4217 code, three upper-case letters. */
  currency: string;
  /** Interbank settlement date, YYYY-MM-DD. */
  valueDate: string;
  /** End-to-end reference chosen by the originator (1–35 characters). */
  endToEndId: string;
  /**
   * Hash of the debtor's account (`accountHash` of an IBAN, `otherAccountHash` of another
   * identifier, `NO_ACCOUNT_HASH` when none is given); the chain never sees the account.
   */
  debtorAccountHash: Hex;
  /** Hash of the creditor's account, as `debtorAccountHash`. */
  creditorAccountHash: Hex;
}

/** Solidity types of the encoded record, in order (the leaf encoding of a standard batch). */
export const RECORD_LEAF_TYPES = [
  "uint256", // paymentIdHash: keccak256(paymentId) >> 8
  "address", // debtorBank
  "address", // creditorBank
  "uint64", // amount
  "uint256", // currencyAndDate: currency (3 ASCII bytes) << 32 | days since 1970-01-01
  "uint256", // endToEndHash: keccak256(endToEndId) >> 8
  "uint256", // debtorAccountHash >> 8
  "uint256", // creditorAccountHash >> 8
] as const;

/** The encoded record: eight integers, each < 2^253 (valid BN254 field elements). */
export type EncodedRecord = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

export const MAX_AMOUNT = (1n << 64n) - 1n;
const MAX_TEXT = 35;
const DAY_MS = 86_400_000;

/** The ISO 20022 UETR (UUIDv4Identifier) pattern: a payment id of 36 characters. */
export const UETR_PATTERN = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/;

/** Drop the low byte of a 256-bit hash: 248 bits fit the BN254 field with room to spare. */
const to248 = (hash: Hex): bigint => BigInt(hash) >> 8n;

function textField(field: string, value: unknown, where: string): string {
  if (typeof value !== "string" || value.length < 1 || value.length > MAX_TEXT || /[^\x20-\x7e]/.test(value)) {
    const uetr = field === "paymentId" ? " (or a UETR)" : "";
    throw new InvalidArgumentError(`${where}.${field}`, `must be 1–35 printable ASCII characters${uetr}`);
  }
  return value;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date, or -1 if it is not a real date. */
export function daysSinceEpoch(date: string): number {
  if (date === lastDate) return lastDays; // a batch repeats a few value dates
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return -1;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return -1;
  lastDate = date;
  lastDays = ms / DAY_MS;
  return lastDays;
}
let lastDate: string | undefined;
let lastDays = -1;

/** Bank addresses as written → checksummed (a batch names a few banks a million times). */
const checksummed = new Map<string, Address>();

/**
 * Validate a record (from JSON, an ISO 20022 import or code) and return it normalized (checksummed
 * addresses, bigint amount). Every problem names the record and the field.
 */
export function validateRecord(value: unknown, where = "record"): PaymentRecord {
  if (typeof value !== "object" || value === null) throw new InvalidArgumentError(where, "is not an object");
  const r = value as Record<string, unknown>;
  const address = (field: string): Address => {
    const v = r[field];
    const known = typeof v === "string" ? checksummed.get(v) : undefined;
    if (known !== undefined) return known;
    if (typeof v !== "string" || !isAddress(v, { strict: false })) {
      throw new InvalidArgumentError(`${where}.${field}`, `${JSON.stringify(v)} is not an address`);
    }
    if (checksummed.size >= 4096) checksummed.clear();
    const address = getAddress(v);
    checksummed.set(v, address);
    return address;
  };
  const hash = (field: string): Hex => {
    const v = r[field];
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) {
      throw new InvalidArgumentError(`${where}.${field}`, "must be a 32-byte hex hash");
    }
    return v.toLowerCase() as Hex;
  };
  let amount: bigint;
  const a = r.amount;
  if (typeof a === "bigint") amount = a;
  else if (typeof a === "string" && /^\d+$/.test(a)) amount = BigInt(a);
  else if (typeof a === "number" && Number.isSafeInteger(a)) amount = BigInt(a);
  else throw new InvalidArgumentError(`${where}.amount`, `${JSON.stringify(a)} is not an integer in minor units`);
  if (amount < 1n || amount > MAX_AMOUNT) {
    throw new InvalidArgumentError(`${where}.amount`, `${amount} is outside 1 … 2^64 − 1 minor units`);
  }
  const currency = r.currency;
  if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) {
    throw new InvalidArgumentError(`${where}.currency`, `${JSON.stringify(currency)} is not an ISO 4217 code`);
  }
  const valueDate = r.valueDate;
  if (typeof valueDate !== "string" || daysSinceEpoch(valueDate) < 0) {
    throw new InvalidArgumentError(`${where}.valueDate`, `${JSON.stringify(valueDate)} is not a YYYY-MM-DD date`);
  }
  const record: PaymentRecord = {
    paymentId:
      typeof r.paymentId === "string" && UETR_PATTERN.test(r.paymentId)
        ? r.paymentId
        : textField("paymentId", r.paymentId, where),
    debtorBank: address("debtorBank"),
    creditorBank: address("creditorBank"),
    amount,
    currency,
    valueDate,
    endToEndId: textField("endToEndId", r.endToEndId, where),
    debtorAccountHash: hash("debtorAccountHash"),
    creditorAccountHash: hash("creditorAccountHash"),
  };
  if (record.debtorBank === record.creditorBank) {
    throw new InvalidArgumentError(
      `${where}.creditorBank`,
      "equals the debtor bank: an intra-bank payment is not settled",
    );
  }
  return record;
}

/** The record's eight canonical integers (see RECORD_LEAF_TYPES). */
export function encodeRecord(r: PaymentRecord): EncodedRecord {
  const currencyCode =
    (BigInt(r.currency.charCodeAt(0)) << 16n) |
    (BigInt(r.currency.charCodeAt(1)) << 8n) |
    BigInt(r.currency.charCodeAt(2));
  return [
    to248(keccakText(r.paymentId)),
    BigInt(r.debtorBank),
    BigInt(r.creditorBank),
    r.amount,
    (currencyCode << 32n) | BigInt(daysSinceEpoch(r.valueDate)),
    to248(keccakText(r.endToEndId)),
    to248(r.debtorAccountHash),
    to248(r.creditorAccountHash),
  ];
}

/** Domain tag of an IBAN in `accountHash`. */
export const IBAN_ACCOUNT_TAG = "IBAN:";
/** Domain tag of another account identifier (ISO 20022 `Othr/Id`) in `otherAccountHash`. */
export const OTHER_ACCOUNT_TAG = "OTHR:";
/** The account hash of a payment whose pacs.008 names no account (decision 026): 32 zero bytes. */
export const NO_ACCOUNT_HASH: Hex = `0x${"0".repeat(64)}`;

/**
 * The account hash of an IBAN: keccak256 of the UTF-8 bytes of "IBAN:" followed by the IBAN
 * without whitespace, in upper case (docs/spec/batch-encoding.md). The IBAN is not checked here.
 */
export function accountHash(iban: string): Hex {
  return keccakText(IBAN_ACCOUNT_TAG + iban.replace(/\s+/g, "").toUpperCase());
}

/**
 * The account hash of another account identifier (ISO 20022 `Othr/Id`): keccak256 of the UTF-8
 * bytes of "OTHR:" followed by the identifier as given (case kept). The distinct tag keeps it
 * from ever equalling the hash of an IBAN of the same text.
 */
export function otherAccountHash(id: string): Hex {
  return keccakText(OTHER_ACCOUNT_TAG + id);
}
