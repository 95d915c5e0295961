/** Verification keys: their hash as registered in VerifierRegistry. */
import { keccak256, stringToHex, type Hex } from "viem";

/** A snarkjs Groth16 verification key (verification_key.json). */
export interface VerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  [field: string]: unknown;
}

/**
 * keccak256 of the key as compact JSON with keys in the order snarkjs writes them. This is the
 * `vkHash` registered on chain next to the verifier; an auditor recomputes it from the committed
 * verification_key.json with `JSON.stringify(JSON.parse(file))`.
 */
export function vkHashOf(vk: VerificationKey): Hex {
  return keccak256(stringToHex(JSON.stringify(vk)));
}
