/**
 * k-of-n threshold decryption of the regulator's key (docs/spec/regulator-keys.md §4–§5): Shamir's
 * secret sharing of s over Z_l; official i publishes S_i = s_i·Base8 at the split, and for a chunk's
 * ephemeral key E contributes D_i = s_i·E with a DLEQ proof; any k valid partials give
 * K = Σ λ_i·D_i = s·E (λ_i the Lagrange coefficients at 0), and no fewer reveal anything of K.
 */
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import {
  add,
  BASE8,
  checkScalar,
  checkSubgroupPoint,
  IDENTITY,
  invL,
  modL,
  mul,
  pointEquals,
  randomScalar,
  type Point,
  type RandomBytes,
} from "./curve";
import { proveDleq, verifyDleq, type DleqProof } from "./dleq";
import {
  DuplicatePartialError,
  InvalidCurvePointError,
  MixedEphemeralError,
  PartialDecryptionInvalidError,
  TooFewPartialsError,
  UnknownOfficialError,
} from "./errors";

/** The most officials a key can be split among (indexes 1..255). */
export const MAX_OFFICIALS = 255;

/** Official `index`'s public commitment S_i = s_i·Base8. */
export interface ShareCommitment {
  index: number;
  point: Point;
}

/** What every official and the combiner know of a split key. */
export interface ThresholdPublic {
  /** Threshold: partials needed to decrypt. */
  k: number;
  /** Officials holding a share. */
  n: number;
  /** The regulator's public key P = s·Base8 (what banks encrypt to). */
  public: Point;
  /** S_1..S_n, in index order. */
  commitments: ShareCommitment[];
}

/** One official's share: s_i = f(i), and the split's public part. */
export interface RegulatorShare extends ThresholdPublic {
  index: number;
  value: bigint;
}

/** One official's contribution to decrypting the chunk whose ephemeral key is E. */
export interface PartialDecryption {
  index: number;
  ephemeral: Point;
  /** D_i = s_i·E. */
  point: Point;
  proof: DleqProof;
}

function officials(k: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 2 || n > MAX_OFFICIALS)
    throw new InvalidArgumentError("n", `${n} is not a number of officials in [2, ${MAX_OFFICIALS}]`);
  if (!Number.isSafeInteger(k) || k < 2 || k > n)
    throw new InvalidArgumentError(
      "k",
      `${k} is not a threshold in [2, n = ${n}]`,
      "A threshold of 1 would give every official the whole key: hand out copies of the key file instead.",
    );
}

/** f(x) = Σ coefficients[j]·x^j mod l (Horner). */
function evaluate(coefficients: readonly bigint[], x: bigint): bigint {
  let y = 0n;
  for (let j = coefficients.length - 1; j >= 0; j--) y = modL(y * x + coefficients[j]);
  return y;
}

/**
 * Split s into n shares, any k of which decrypt: f(x) = s + a_1·x + … + a_{k−1}·x^{k−1} mod l with
 * a_j uniform in [1, l−1] (or `coefficients`, for test vectors only), s_i = f(i) for i = 1..n,
 * S_i = s_i·Base8.
 */
export function splitRegulatorKey(
  secret: bigint,
  k: number,
  n: number,
  opts: { rng?: RandomBytes; coefficients?: readonly bigint[] } = {},
): { public: ThresholdPublic; shares: RegulatorShare[] } {
  checkScalar(secret, "secret");
  officials(k, n);
  if (opts.coefficients && opts.coefficients.length !== k - 1)
    throw new InvalidArgumentError("coefficients", `are ${opts.coefficients.length}, not k − 1 = ${k - 1}`);
  for (;;) {
    const a = opts.coefficients
      ? opts.coefficients.map((c, j) => checkScalar(c, `coefficients[${j}]`))
      : Array.from({ length: k - 1 }, () => randomScalar(opts.rng));
    const values = Array.from({ length: n }, (_, i) => evaluate([secret, ...a], BigInt(i + 1)));
    // a share of 0 (probability n/l) would be refused by its own file: draw again
    if (values.includes(0n)) {
      if (opts.coefficients) throw new InvalidArgumentError("coefficients", "give a share equal to 0");
      continue;
    }
    const pub: ThresholdPublic = {
      k,
      n,
      public: mul(BASE8, secret),
      commitments: values.map((v, i) => ({ index: i + 1, point: mul(BASE8, v) })),
    };
    return { public: pub, shares: values.map((value, i) => ({ ...pub, index: i + 1, value })) };
  }
}

/** λ_i = Π_{j ∈ indexes, j ≠ i} j / (j − i) mod l: the Lagrange coefficient at 0 of each index. */
export function lagrangeAtZero(indexes: readonly number[]): bigint[] {
  return indexes.map((i) =>
    indexes.reduce((acc, j) => (j === i ? acc : modL(acc * BigInt(j) * invL(BigInt(j - i)))), 1n),
  );
}

/** Σ λ_i·points_i over the given indexes: the polynomial's value at 0, "in the exponent". */
export function interpolateAtZero(points: readonly { index: number; point: Point }[]): Point {
  const lambdas = lagrangeAtZero(points.map((p) => p.index));
  return points.reduce((acc, p, t) => add(acc, mul(p.point, lambdas[t])), IDENTITY);
}

/**
 * Throw unless the commitments are S_1..S_n of one polynomial of degree < k whose value at 0 is P:
 * every S_i a subgroup point, the first k interpolate P and each further S_j. Catches a share file
 * whose commitments were edited or mixed with another split's.
 */
export function checkThresholdPublic(pub: ThresholdPublic): void {
  officials(pub.k, pub.n);
  checkSubgroupPoint(pub.public, "regulator public key P");
  if (pub.commitments.length !== pub.n || pub.commitments.some((c, t) => c.index !== t + 1))
    throw new InvalidArgumentError("commitments", `are not S_1..S_${pub.n} in index order`);
  pub.commitments.forEach((c) => checkSubgroupPoint(c.point, `share commitment S_${c.index}`));
  const base = pub.commitments.slice(0, pub.k);
  if (!pointEquals(interpolateAtZero(base), pub.public))
    throw new InvalidArgumentError("commitments", "do not interpolate the public key P (not this key's split)");
  const indexes = base.map((c) => c.index);
  for (const c of pub.commitments.slice(pub.k)) {
    // f(j) = Σ_i f(i)·Π_{m≠i} (j − m)/(i − m): S_j from the first k
    const expected = base.reduce((acc, b) => {
      const coefficient = indexes.reduce(
        (l, m) => (m === b.index ? l : modL(l * BigInt(c.index - m) * invL(BigInt(b.index - m)))),
        1n,
      );
      return add(acc, mul(b.point, coefficient));
    }, IDENTITY);
    if (!pointEquals(expected, c.point))
      throw new InvalidArgumentError("commitments", `S_${c.index} is not on the polynomial of S_1..S_${pub.k}`);
  }
}

/** Official `share.index`'s partial decryption of the chunk with ephemeral key E: D_i = s_i·E, proved. */
export function partialDecrypt(
  share: { index: number; value: bigint },
  ephemeral: Point,
  opts: { rng?: RandomBytes; nonce?: bigint } = {},
): PartialDecryption {
  const e = checkSubgroupPoint(ephemeral, "ephemeral key E");
  const s = checkScalar(share.value, "share");
  const point = mul(e, s);
  const statement = { index: share.index, commitment: mul(BASE8, s), ephemeral: e, point };
  return { index: share.index, ephemeral: e, point, proof: proveDleq(s, statement, opts) };
}

/**
 * Whether `partial` is a valid partial decryption for the official committed to as S_i: its D_i
 * and E are subgroup points and its proof shows log_Base8(S_i) = log_E(D_i). False, never a throw,
 * for anything wrong in the partial.
 */
export function verifyPartial(partial: PartialDecryption, commitment: Point): boolean {
  try {
    checkSubgroupPoint(partial.ephemeral, "ephemeral key E");
    return verifyChecked(partial, commitment);
  } catch (e) {
    if (e instanceof InvalidCurvePointError) return false;
    throw e;
  }
}

function verifyChecked(partial: PartialDecryption, commitment: Point): boolean {
  try {
    checkSubgroupPoint(partial.point, `partial decryption D_${partial.index}`);
  } catch (e) {
    if (e instanceof InvalidCurvePointError) return false;
    throw e;
  }
  return verifyDleq(
    { index: partial.index, commitment, ephemeral: partial.ephemeral, point: partial.point },
    partial.proof,
  );
}

/**
 * K = Σ λ_i·D_i = s·E from at least k partials of one ephemeral key E. Refused, before any
 * arithmetic: an index with no commitment (UnknownOfficialError), one given twice
 * (DuplicatePartialError), partials of different E (MixedEphemeralError), fewer than k
 * (TooFewPartialsError); then an invalid E (InvalidCurvePointError) and any partial whose proof
 * fails (PartialDecryptionInvalidError, naming the official). All valid partials given are used.
 */
export function combinePartials(
  partials: readonly PartialDecryption[],
  commitments: readonly ShareCommitment[],
  k: number,
  /** Named in the errors, when combining a batch (e.g. "ephemeral key #3"). */
  context?: string,
): Point {
  if (!Number.isSafeInteger(k) || k < 1) throw new InvalidArgumentError("k", `${k} is not a threshold ≥ 1`);
  const byIndex = new Map(commitments.map((c) => [c.index, c.point]));
  const seen = new Set<number>();
  for (const p of partials) {
    if (!byIndex.has(p.index)) throw new UnknownOfficialError(p.index, [...byIndex.keys()]);
    if (seen.has(p.index)) throw new DuplicatePartialError(p.index);
    seen.add(p.index);
    if (!pointEquals(p.ephemeral, partials[0].ephemeral)) throw new MixedEphemeralError(p.index);
  }
  if (partials.length < k) throw new TooFewPartialsError(partials.length, k, context);
  checkSubgroupPoint(partials[0].ephemeral, "ephemeral key E");
  for (const p of partials)
    if (!verifyChecked(p, byIndex.get(p.index)!)) throw new PartialDecryptionInvalidError(p.index, context);
  return interpolateAtZero(partials);
}
