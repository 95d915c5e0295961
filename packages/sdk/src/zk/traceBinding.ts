/**
 * The binding of a traced chunk's published ciphertexts to its proof (docs/spec/traced-batch.md §5,
 * decision 041): the challenge the engine derives from what is published, and the evaluation of the
 * ciphertext elements at it. The same computation as contracts/settlement/TraceBinding.sol.
 */
import { concat, keccak256, stringToHex, toHex, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";
import { FIELD_MODULUS } from "./field";
import type { TracePolicy } from "./regulatorKeys";

/** keccak256("clearhouse.trace.challenge/1"): the first word the challenge hashes. */
export const TRACE_CHALLENGE_TAG: Hex = keccak256(stringToHex("clearhouse.trace.challenge/1"));

/**
 * The regulator's key of a trace policy (`getTracePolicy`), refusing a policy without one
 * (traceability off: there is nobody to encrypt to).
 */
export function policyKey(policy: TracePolicy): [bigint, bigint] {
  if (policy.key === null)
    throw new InvalidArgumentError(
      "policy.key",
      "is null: no regulator key is registered (traceability is off); declare with declareProvedChunks",
    );
  return [policy.key.x, policy.key.y];
}

/**
 * The challenge r the settlement engine derives from what is published:
 * keccak256(TRACE_CHALLENGE_TAG ‖ root ‖ E.x ‖ E.y ‖ key.x ‖ key.y ‖ threshold ‖ c[0][0] ‖ … ‖ c[31][6])
 * (32-byte big-endian words) mod p.
 */
export function traceChallenge(
  root: bigint,
  ephemeralKey: readonly [bigint, bigint],
  policy: TracePolicy,
  ciphertexts: readonly (readonly bigint[])[],
): bigint {
  const words = [root, ephemeralKey[0], ephemeralKey[1], ...policyKey(policy), policy.threshold];
  for (const c of ciphertexts) words.push(...c);
  const h = keccak256(concat([TRACE_CHALLENGE_TAG, ...words.map((w) => toHex(w, { size: 32 }))]));
  return BigInt(h) % FIELD_MODULUS;
}

/** Σ_j v_j·r^(j+1) mod p over the ciphertext elements v, slot-major (what the circuit outputs). */
export function traceEvaluation(ciphertexts: readonly (readonly bigint[])[], r: bigint): bigint {
  const flat = ciphertexts.flat();
  let acc = 0n;
  for (let j = flat.length - 1; j >= 0; j--) acc = ((acc + flat[j]) * r) % FIELD_MODULUS;
  return acc;
}
