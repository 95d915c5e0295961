/**
 * Chaum–Pedersen proof that two points share a discrete logarithm (docs/spec/regulator-keys.md §5):
 * an official holding share s_i shows that D = s_i·E for the S = s_i·Base8 committed to at the split,
 * without revealing s_i. Non-interactive by Fiat–Shamir with Poseidon over BN254.
 */
import { keccak256, stringToHex } from "viem";
import { poseidon12 } from "poseidon-lite/poseidon12";
import { add, BASE8, BASE_FIELD, modL, mul, randomScalar, SUBGROUP_ORDER, type Point, type RandomBytes } from "./curve";

/** The first hash input: keccak256("clearhouse.regulator-dleq/1") mod p. */
export const DLEQ_DOMAIN: bigint = BigInt(keccak256(stringToHex("clearhouse.regulator-dleq/1"))) % BASE_FIELD;

/** (c, z): challenge and response, both in [0, l). */
export interface DleqProof {
  challenge: bigint;
  response: bigint;
}

/** What a proof is about: official `index` claims log_Base8(S) = log_E(D). */
export interface DleqStatement {
  index: number;
  commitment: Point;
  ephemeral: Point;
  point: Point;
}

/**
 * c = Poseidon12(DLEQ_DOMAIN, index, S.x, S.y, E.x, E.y, D.x, D.y, A.x, A.y, B.x, B.y) mod l, with
 * A = w·Base8 and B = w·E the prover's nonce commitments.
 */
export function dleqChallenge(st: DleqStatement, a: Point, b: Point): bigint {
  const h = poseidon12([DLEQ_DOMAIN, BigInt(st.index), ...st.commitment, ...st.ephemeral, ...st.point, ...a, ...b]);
  return h % SUBGROUP_ORDER;
}

/**
 * Prove D = s·E for S = s·Base8: w uniform in [1, l−1] (or `nonce`, for test vectors only — a nonce
 * used twice reveals s), c as above, z = (w − c·s) mod l.
 */
export function proveDleq(
  secret: bigint,
  st: DleqStatement,
  opts: { rng?: RandomBytes; nonce?: bigint } = {},
): DleqProof {
  const w = opts.nonce ?? randomScalar(opts.rng);
  const challenge = dleqChallenge(st, mul(BASE8, w), mul(st.ephemeral, w));
  return { challenge, response: modL(w - challenge * secret) };
}

/**
 * Whether `proof` shows log_Base8(S) = log_E(D): recompute A' = z·Base8 + c·S and
 * B' = z·E + c·D and check c = challenge(A', B'). The points are assumed checked (in the subgroup).
 */
export function verifyDleq(st: DleqStatement, proof: DleqProof): boolean {
  const { challenge: c, response: z } = proof;
  if (typeof c !== "bigint" || typeof z !== "bigint") return false;
  if (c < 0n || c >= SUBGROUP_ORDER || z < 0n || z >= SUBGROUP_ORDER) return false;
  const a = add(mul(BASE8, z), mul(st.commitment, c));
  const b = add(mul(st.ephemeral, z), mul(st.point, c));
  return dleqChallenge(st, a, b) === c;
}
