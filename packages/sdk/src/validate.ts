import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "./errors/base";
import { ALL_ROLES } from "./registry/roles";

export const UINT16_MAX = (1n << 16n) - 1n;
export const UINT64_MAX = (1n << 64n) - 1n;
export const UINT128_MAX = (1n << 128n) - 1n;
export const UINT256_MAX = (1n << 256n) - 1n;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Whether `value` is 0x + 40 hex digits in one case only (so it carries no EIP-55 checksum). */
export function isUncheckedAddress(value: string): boolean {
  return /^0x([0-9a-f]{40}|[0-9A-F]{40})$/.test(value);
}

/**
 * A checksummed address, or an InvalidArgumentError naming `argument`. An address in mixed case
 * must carry a valid EIP-55 checksum (a one-character typo is caught, not admitted); one in a single
 * case carries none and is accepted (the CLI warns: `isUncheckedAddress`).
 */
export function requireAddress(argument: string, value: unknown, options: { allowZero?: boolean } = {}): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(value)} is not a 20-byte hex address`,
      "Use 0x + 40 hex digits.",
    );
  }
  if (!isUncheckedAddress(value) && !isAddress(value, { strict: true })) {
    throw new InvalidArgumentError(
      argument,
      `${value} has a wrong EIP-55 checksum: a character is probably mistyped`,
      "Copy the address again from its source; do not fix the case by hand.",
    );
  }
  if (!options.allowZero && value.toLowerCase() === ZERO_ADDRESS) {
    throw new InvalidArgumentError(argument, "the zero address is not allowed");
  }
  return getAddress(value);
}

/**
 * A non-negative integer amount in minor units that fits `max` (default uint256). Only a bigint is
 * accepted: a number (which could be 10.5 or an unsafe 2^53 + 1) or a string is refused, so money
 * is never a float and never silently parsed. Parse text with `toMinorUnits` first.
 */
export function requireAmount(
  argument: string,
  value: unknown,
  options: { max?: bigint; allowZero?: boolean; typeName?: string } = {},
): bigint {
  const max = options.max ?? UINT256_MAX;
  if (typeof value !== "bigint") {
    throw new InvalidArgumentError(
      argument,
      `${describe(value)} is not a bigint`,
      typeof value === "string"
        ? 'Amounts are integers in minor units: parse text with toMinorUnits ("10.50" → 1050n) or BigInt("1050").'
        : "Amounts are integers in minor units: pass a bigint (e.g. 1050n for 10.50).",
    );
  }
  if (value < 0n) throw new InvalidArgumentError(argument, `${value} is negative`);
  if (value === 0n && options.allowZero === false) throw new InvalidArgumentError(argument, "must be positive");
  if (value > max) {
    throw new InvalidArgumentError(argument, `${value} does not fit ${options.typeName ?? "uint256"} (max ${max})`);
  }
  return value;
}

/** A value as an error message shows it: a number as is, anything else as JSON, with its type. */
function describe(value: unknown): string {
  if (typeof value === "number") return `${value} (a number)`;
  if (typeof value === "string") return `${JSON.stringify(value)} (a string)`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // e.g. an object holding a bigint
  }
  return `${text ?? String(value)} (${value === null ? "null" : typeof value})`;
}

/** A 32-byte hex value. */
export function requireBytes32(argument: string, value: unknown, options: { allowZero?: boolean } = {}): Hex {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66) {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(value)} is not 32 bytes of hex`,
      "Use 0x + 64 hex digits.",
    );
  }
  if (!options.allowZero && /^0x0{64}$/.test(value)) throw new InvalidArgumentError(argument, "must not be zero");
  return value as Hex;
}

/** The UTF-8 length of `text` in bytes (Web API: no Node Buffer, so the core runs in a browser). */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A string whose UTF-8 length is within [min, max] bytes. */
export function requireText(argument: string, value: unknown, min: number, max: number): string {
  if (typeof value !== "string") throw new InvalidArgumentError(argument, "must be a string");
  const bytes = utf8Length(value);
  if (bytes < min || bytes > max) {
    throw new InvalidArgumentError(argument, `is ${bytes} bytes long; it must be ${min} to ${max} bytes`);
  }
  return value;
}

/** A non-empty roles bitmask using only the five defined role bits. */
export function requireRoles(argument: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || (value & ~ALL_ROLES) !== 0) {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(value)} is not a valid roles bitmask`,
      "Combine Role.OPERATOR, Role.MEMBER_BANK, Role.CORPORATE, Role.AUDITOR, Role.REGULATOR with |.",
    );
  }
  return value;
}

/** An integer in [min, max] that fits a small Solidity type (port, reason code, decimals). */
export function requireSmallInt(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(argument, `${JSON.stringify(value)} is not an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Parse a decimal amount written by a person into minor units with `decimals` digits: the one
 * amount parser of the CLI, the consortium file and the agreement templates.
 *
 * Accepted: digits, optionally a dot and at most `decimals` fraction digits ("1000", "1000.5",
 * "0.05"); the whole part may be grouped by thousands with one separator used throughout — a
 * comma, an underscore or a space — in well-formed groups of three ("1,000,000.00", "1_000",
 * "1 000.50"). Refused, naming `argument`: misplaced separators ("1,0,0.00", "1,000,00"), a comma
 * as the decimal mark ("1.000,00"), signs, exponents, a bare dot (".5", "5."), and more fraction
 * digits than the currency has (never a silent rounding). Spec: docs/spec/amounts.md.
 */
export function toMinorUnits(argument: string, value: string, decimals: number): bigint {
  const text = typeof value === "string" ? value.trim() : "";
  const match = AMOUNT.exec(text);
  const hint = `Write digits with at most ${decimals} decimal place${decimals === 1 ? "" : "s"} after a dot, e.g. ${decimals ? `"1,250.${"5".padEnd(decimals, "0")}"` : '"1,250"'}; group thousands by three or not at all.`;
  if (!match) {
    const why = /^\d{1,3}(?:\.\d{3})+,\d+$/.test(text)
      ? "uses a comma as the decimal mark"
      : /[,_ ]/.test(text) && /^[\d,_ .]+$/.test(text)
        ? "has thousands separators in the wrong places"
        : "is not a decimal amount";
    throw new InvalidArgumentError(argument, `${JSON.stringify(value)} ${why}`, hint);
  }
  const whole = match[1].replace(/[,_ ]/g, "");
  const fraction = match[3] ?? "";
  if (fraction.length > decimals) {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(value)} has more than ${decimals} decimal place${decimals === 1 ? "" : "s"}`,
      hint,
    );
  }
  return BigInt(whole + fraction.padEnd(decimals, "0"));
}

/** Whole part plain or grouped by threes with one separator (backreference), then ".digits". */
const AMOUNT = /^(\d+|\d{1,3}(?:([,_ ])\d{3})(?:\2\d{3})*)(?:\.(\d+))?$/;

/** Format minor units as a decimal string: (1000050n, 2) → "10,000.50". */
export function fromMinorUnits(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = decimals > 0 ? `.${digits.slice(-decimals)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** "No limit" for member limits: the largest uint128. */
export const UNLIMITED = UINT128_MAX;
