/**
 * One payment slot of a private chunk, encrypted for the regulator with the Poseidon cipher
 * (@zk-kit/poseidon-cipher, docs/spec/regulator-keys.md §3): plaintext [paymentIdHash,
 * debtorAccountHash, creditorAccountHash, amount] (4 field elements, all zero for a slot below the
 * trace threshold or unused), key K = e·P = s·E, nonce = the slot's index in the chunk, ciphertext
 * 7 field elements (6 of padded message, 1 authentication tag).
 */
import { poseidonDecrypt, poseidonEncrypt } from "@zk-kit/poseidon-cipher";
import { inCurve } from "@zk-kit/baby-jubjub";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { BASE_FIELD, type Point } from "./curve";
import { InvalidCurvePointError, SlotDecryptionError } from "./errors";

/** Field elements in a slot's plaintext. */
export const SLOT_PLAINTEXT_LENGTH = 4;
/** Field elements in a slot's ciphertext: the plaintext padded to 6, plus the tag. */
export const SLOT_CIPHERTEXT_LENGTH = 7;
/** Nonces are below 2^128 (the cipher puts length·2^128 above them in one field element). */
export const MAX_NONCE = 2n ** 128n - 1n;

/** What the regulator learns of one payment (all zero for a slot it may not see). */
export interface SlotPlaintext {
  paymentIdHash: bigint;
  debtorAccountHash: bigint;
  creditorAccountHash: bigint;
  amount: bigint;
}

/** The plaintext of a slot below the trace threshold, or unused. */
export const ZERO_SLOT: Readonly<SlotPlaintext> = Object.freeze({
  paymentIdHash: 0n,
  debtorAccountHash: 0n,
  creditorAccountHash: 0n,
  amount: 0n,
});

/** Whether a decrypted slot is the zero plaintext (below the threshold, or no payment). */
export function isZeroSlot(p: SlotPlaintext): boolean {
  return p.paymentIdHash === 0n && p.debtorAccountHash === 0n && p.creditorAccountHash === 0n && p.amount === 0n;
}

function field(v: unknown, what: string): bigint {
  if (typeof v !== "bigint" || v < 0n || v >= BASE_FIELD)
    throw new InvalidArgumentError(what, "is not a field element (an integer in [0, p), p the BN254 modulus)");
  return v;
}

function nonceOf(nonce: bigint | number): bigint {
  const n = typeof nonce === "number" && Number.isSafeInteger(nonce) ? BigInt(nonce) : nonce;
  if (typeof n !== "bigint" || n < 0n || n > MAX_NONCE)
    throw new InvalidArgumentError("nonce", "is not an integer in [0, 2^128) (the slot's index in its chunk)");
  return n;
}

function keyOf(key: Point): Point {
  if (!Array.isArray(key) || key.length !== 2) throw new InvalidCurvePointError("shared key K", "it is not (x, y)");
  const k: Point = [field(key[0], "K.x"), field(key[1], "K.y")];
  if (!inCurve(k)) throw new InvalidCurvePointError("shared key K", "it is not on the curve");
  return k;
}

/** Encrypt a slot's plaintext under K with nonce = the slot's index: 7 field elements. */
export function encryptSlot(plaintext: SlotPlaintext, key: Point, nonce: bigint | number): bigint[] {
  const message = [
    field(plaintext.paymentIdHash, "paymentIdHash"),
    field(plaintext.debtorAccountHash, "debtorAccountHash"),
    field(plaintext.creditorAccountHash, "creditorAccountHash"),
    field(plaintext.amount, "amount"),
  ];
  return poseidonEncrypt(message, keyOf(key), nonceOf(nonce));
}

/**
 * Decrypt a slot's 7-element ciphertext under K with nonce = the slot's index. A tag or padding
 * that does not match (wrong key, wrong nonce, tampered ciphertext) throws SlotDecryptionError; a
 * malformed ciphertext (length, elements outside the field) InvalidArgumentError.
 */
export function decryptSlot(ciphertext: readonly bigint[], key: Point, nonce: bigint | number): SlotPlaintext {
  if (!Array.isArray(ciphertext) || ciphertext.length !== SLOT_CIPHERTEXT_LENGTH)
    throw new InvalidArgumentError("ciphertext", `is not ${SLOT_CIPHERTEXT_LENGTH} field elements`);
  const c = ciphertext.map((x, i) => field(x, `ciphertext[${i}]`));
  const n = nonceOf(nonce);
  const k = keyOf(key);
  let m: bigint[];
  try {
    m = poseidonDecrypt(c, k, n, SLOT_PLAINTEXT_LENGTH);
  } catch (e) {
    throw new SlotDecryptionError(n, e);
  }
  return { paymentIdHash: m[0], debtorAccountHash: m[1], creditorAccountHash: m[2], amount: m[3] };
}
