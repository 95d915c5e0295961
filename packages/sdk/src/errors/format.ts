/** Small formatters shared by error messages and CLI output. */

/** `0xAbCd…1234` for addresses and hashes; anything short is returned as is. */
export function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex;
}

/** Group a bigint amount with thin separators: 1234567 → "1,234,567". */
export function grouped(value: bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A unix time in seconds as ISO 8601 without milliseconds: "2026-11-23T08:00:00Z". */
export function isoSeconds(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}
