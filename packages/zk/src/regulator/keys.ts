/**
 * The regulator's key pair and ECDH with a bank's ephemeral key (docs/spec/regulator-keys.md §1–§2):
 * secret s uniform in [1, l−1], public P = s·Base8; a bank encrypting a chunk publishes E = e·Base8
 * and uses K = e·P; the regulator computes the same K = s·E.
 */
import { BASE8, checkScalar, checkSubgroupPoint, mul, randomScalar, type Point, type RandomBytes } from "./curve";

export interface RegulatorKeyPair {
  /** s, in [1, l−1]. */
  secret: bigint;
  /** P = s·Base8. */
  public: Point;
}

/** A fresh regulator key: s uniform in [1, l−1] (rejection sampling over 251-bit draws), P = s·Base8. */
export function generateRegulatorKey(rng?: RandomBytes): RegulatorKeyPair {
  const secret = randomScalar(rng);
  return { secret, public: mul(BASE8, secret) };
}

/** P = s·Base8 (throws InvalidArgumentError unless s is in [1, l−1]). */
export function regulatorPublicKey(secret: bigint): Point {
  return mul(BASE8, checkScalar(secret, "secret"));
}

/**
 * The shared key K = s·E of a chunk whose bank published the ephemeral key E. E is checked first:
 * on the curve, in the prime-order subgroup, not the identity (InvalidCurvePointError otherwise),
 * so a malformed E cannot make the regulator reveal anything about s.
 */
export function sharedKey(secret: bigint, ephemeral: Point): Point {
  const e = checkSubgroupPoint(ephemeral, "ephemeral key E");
  return mul(e, checkScalar(secret, "secret"));
}

/** The bank's side: K = e·P for its ephemeral scalar e and the regulator's public key P. */
export function encryptionKey(ephemeralSecret: bigint, regulatorPublic: Point): Point {
  const p = checkSubgroupPoint(regulatorPublic, "regulator public key P");
  return mul(p, checkScalar(ephemeralSecret, "ephemeral secret e"));
}

/** The bank's fresh ephemeral key for one chunk: e uniform in [1, l−1], E = e·Base8 (published). */
export function generateEphemeralKey(rng?: RandomBytes): { secret: bigint; public: Point } {
  return generateRegulatorKey(rng);
}
