/**
 * The leaf of a standard batch tree: a record's eight words (abi.encode(RECORD_LEAF_TYPES,
 * encodeRecord(r))) written straight into one reused 256-byte buffer (no BigInt, no hex strings),
 * hashed twice with the tree's hash (keccak256 or SM3, ./treeHash.ts). Internal to the settlement
 * module's tree code (./merkle.ts) and its streaming builders.
 */
import { InvalidArgumentError } from "../errors/base";
import { keccakInto } from "./keccak";
import { daysSinceEpoch, MAX_AMOUNT, type PaymentRecord } from "./record";
import { DEFAULT_TREE_HASH, hashIntoOf, type HashInto, type TreeHash } from "./treeHash";

const WORDS = 8;
export const LEAF_INPUT = WORDS * 32;
/** Hex digit values by char code (−1: not a hex digit). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX["0123456789abcdef".charCodeAt(i)] = i;
  HEX["0123456789ABCDEF".charCodeAt(i)] = i;
}

/** Parse `0x` + 2·length hex digits into `out[offset…]`; false if malformed. */
export function hexInto(hex: unknown, out: Uint8Array, offset: number, length: number): boolean {
  if (typeof hex !== "string" || hex.length !== 2 + 2 * length || hex.charCodeAt(0) !== 48) return false;
  if ((hex.charCodeAt(1) | 0x20) !== 120) return false;
  for (let i = 0, c = 2; i < length; i++, c += 2) {
    const a = hex.charCodeAt(c);
    const b = hex.charCodeAt(c + 1);
    const hi = a < 128 ? HEX[a] : -1;
    const lo = b < 128 ? HEX[b] : -1;
    if (hi < 0 || lo < 0) return false;
    out[offset + i] = (hi << 4) | lo;
  }
  return true;
}

const utf8 = new TextEncoder();
const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

/**
 * Writes a record's leaf input — abi.encode(RECORD_LEAF_TYPES, encodeRecord(r)), eight 32-byte
 * big-endian words — into one reused buffer, without BigInt arithmetic beyond the amount and
 * without hex strings. Caches the few banks and value dates a batch repeats. The tests pin it to
 * `encodeRecord` + OpenZeppelin's encoder.
 */
export class Encoder {
  private readonly words = new Uint8Array(LEAF_INPUT); // padding bytes are never written: stay zero
  private readonly hash = new Uint8Array(32);
  private text = new Uint8Array(128);
  private readonly addresses = new Map<unknown, Uint8Array>();
  private readonly days = new Map<unknown, number>();
  /** The record being encoded, for error messages (`records[3]`). */
  private where = "record";

  /** `treeHash`: the leaf's two hashes (the words' own hashes stay keccak256). */
  constructor(private readonly treeHash: HashInto = keccakInto) {}

  private fail(field: string, problem: string): never {
    throw new InvalidArgumentError(`${this.where}.${field}`, problem);
  }

  /** keccak256(utf8(text)) >> 8 into the word at `offset`. */
  private hashText(text: unknown, offset: number, field: string): void {
    if (typeof text !== "string") this.fail(field, "is not a string");
    if (this.text.length < 3 * text.length) this.text = new Uint8Array(3 * text.length);
    const { written } = utf8.encodeInto(text, this.text);
    keccakInto(this.text, 0, written, this.hash, 0);
    this.words.set(this.hash.subarray(0, 31), offset + 1);
  }

  /** A 32-byte hex hash >> 8 into the word at `offset`: a zero byte, then its first 31 bytes. */
  private hash248(value: unknown, offset: number, field: string): void {
    if (!hexInto(value, this.hash, 0, 32)) this.fail(field, "must be a 32-byte hex hash");
    this.words.set(this.hash.subarray(0, 31), offset + 1);
  }

  /** An address, left-padded, into the word at `offset`. */
  private address(value: unknown, offset: number, field: string): void {
    let bytes = this.addresses.get(value);
    if (bytes === undefined) {
      bytes = new Uint8Array(20);
      if (!hexInto(value, bytes, 0, 20)) this.fail(field, `${show(value)} is not an address`);
      this.addresses.set(value, bytes);
    }
    this.words.set(bytes, offset + 12);
  }

  private encode(r: PaymentRecord): Uint8Array {
    const w = this.words;
    this.hashText(r.paymentId, 0, "paymentId");
    this.address(r.debtorBank, 32, "debtorBank");
    this.address(r.creditorBank, 64, "creditorBank");
    const amount: unknown = r.amount;
    if (typeof amount !== "bigint" || amount < 0n || amount > MAX_AMOUNT) {
      this.fail("amount", `${show(amount)} is not a bigint that fits uint64`);
    }
    const hi = Number(amount >> 32n);
    const lo = Number(amount & 0xffffffffn);
    w[120] = hi >>> 24;
    w[121] = hi >>> 16;
    w[122] = hi >>> 8;
    w[123] = hi;
    w[124] = lo >>> 24;
    w[125] = lo >>> 16;
    w[126] = lo >>> 8;
    w[127] = lo;
    const currency: unknown = r.currency;
    if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) {
      this.fail("currency", `${show(currency)} is not an ISO 4217 code`);
    }
    let days = this.days.get(r.valueDate);
    if (days === undefined) {
      days = typeof r.valueDate === "string" ? daysSinceEpoch(r.valueDate) : -1;
      if (days < 0) this.fail("valueDate", `${show(r.valueDate)} is not a YYYY-MM-DD date`);
      this.days.set(r.valueDate, days);
    }
    // currency (3 ASCII bytes) << 32 | days: bytes 25…27 and 28…31 of word 4.
    w[153] = currency.charCodeAt(0);
    w[154] = currency.charCodeAt(1);
    w[155] = currency.charCodeAt(2);
    w[156] = days >>> 24;
    w[157] = days >>> 16;
    w[158] = days >>> 8;
    w[159] = days;
    this.hashText(r.endToEndId, 160, "endToEndId");
    this.hash248(r.debtorAccountHash, 192, "debtorAccountHash");
    this.hash248(r.creditorAccountHash, 224, "creditorAccountHash");
    return w;
  }

  /** The standard leaf hash of a record, H(H(leaf input)) (H keccak256 or SM3), into `out[offset…]`. */
  leaf(r: PaymentRecord, where: string, out: Uint8Array, offset: number): void {
    this.where = where;
    this.treeHash(this.encode(r), 0, LEAF_INPUT, this.hash, 0);
    this.treeHash(this.hash, 0, 32, out, offset);
  }

  /**
   * The first `length` (≤ 31) bytes of keccak256(paymentId) of the record last passed to `leaf`,
   * into `out[offset…]`: a compact key for finding duplicate payment ids without keeping the ids.
   */
  paymentIdHash(out: Uint8Array, offset: number, length: number): void {
    out.set(this.words.subarray(1, 1 + length), offset);
  }
}

/** Hashes records into leaves with one reused buffer (see `buildBatchTree`); for streaming builders. */
export interface LeafEncoder {
  /** The record's standard leaf hash into `out[offset … offset + 32)`; `where` names it in errors. */
  leaf(record: PaymentRecord, where: string, out: Uint8Array, offset: number): void;
  /** The first `length` (≤ 31) bytes of keccak256(paymentId) of the record last hashed. */
  paymentIdHash(out: Uint8Array, offset: number, length: number): void;
}

/** A new `LeafEncoder` (not shared between concurrent builders: it reuses its buffers). */
export function createLeafEncoder(treeHash: TreeHash = DEFAULT_TREE_HASH): LeafEncoder {
  return new Encoder(hashIntoOf(treeHash));
}
