/** How the audit compares event arguments: addresses and hashes case-insensitively, amounts as bigint. */
export const key = (a: unknown): string => String(a).toLowerCase();
export const bi = (v: unknown): bigint => BigInt(v as bigint);
