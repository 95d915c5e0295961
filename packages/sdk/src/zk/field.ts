/** The BN254 scalar field that Circom circuits and Poseidon work in. */
import { bytesToHex } from "viem";
import { InvalidArgumentError } from "../errors/base";

export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * A uniformly random field element from 31 random bytes (below 2^248 < p), from the Web Crypto
 * CSPRNG (`globalThis.crypto`, in Node 20 and every browser).
 */
export function randomFieldElement(): bigint {
  return BigInt(bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(31))));
}

/** Parse a field element from a bigint, a safe integer, or a decimal/0x-hex string. */
export function toField(value: unknown, name: string): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) v = BigInt(value);
  else
    throw new InvalidArgumentError(
      name,
      `${JSON.stringify(typeof value === "bigint" ? String(value) : value)} is not an integer`,
    );
  if (v < 0n || v >= FIELD_MODULUS) throw new InvalidArgumentError(name, "is not below the BN254 field modulus");
  return v;
}
