/**
 * Exact decimal amounts for ISO 20022 import: parsing `DecimalNumber` / `ActiveCurrencyAndAmount`
 * text without floats, and converting to the currency's minor units from the ISO 4217 table.
 */
import { InvalidArgumentError } from "../../errors/base";
import { ISO4217_MINOR_UNITS } from "./currencies";

/** A non-negative decimal as integer units of 10^-scale. */
export interface Decimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^\+?(?=\.?\d)(\d*)(?:\.(\d*))?$/;
export const ZERO: Decimal = Object.freeze({ units: 0n, scale: 0 });

/** The decimal of `text` (at most 18 digits, no sign but "+", no exponent), or undefined. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m || m[1].length + (m[2] ?? "").length > 18) return undefined;
  return { units: BigInt(`${m[1]}${m[2] ?? ""}` || "0"), scale: (m[2] ?? "").length };
}

/** `d` as integer units of 10^-scale (scale ≥ d.scale). */
export const rescale = (d: Decimal, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale);

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function sameDecimal(a: Decimal, b: Decimal): boolean {
  const scale = Math.max(a.scale, b.scale);
  return rescale(a, scale) === rescale(b, scale);
}

/** The decimal written out ("1001600.50" for 100160050 at scale 2). */
export function formatDecimal(d: Decimal): string {
  const digits = d.units.toString().padStart(d.scale + 1, "0");
  return d.scale ? `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}` : digits;
}

/**
 * The minor-unit table an import uses: ISO 4217 (`ISO4217_MINOR_UNITS`) with `overrides` merged
 * over it (e.g. a currency newer than the shipped table). Each override must map a three-letter
 * code to 0–5 digits.
 */
export function currencyTable(overrides: Record<string, number> = {}): Readonly<Record<string, number>> {
  for (const [code, d] of Object.entries(overrides)) {
    if (!/^[A-Z]{3}$/.test(code) || !Number.isInteger(d) || d < 0 || d > 5) {
      throw new InvalidArgumentError(`currencyDecimals.${code}`, "must map an ISO 4217 code to 0–5 decimals");
    }
  }
  return Object.freeze({ ...ISO4217_MINOR_UNITS, ...overrides });
}
