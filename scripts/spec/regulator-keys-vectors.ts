/**
 * Writes docs/spec/vectors/regulator-keys.json, the test vectors of docs/spec/regulator-keys.md: a
 * regulator key and a chunk's ephemeral key (fixed scalars), their shared key, two encrypted slots
 * (one traced, one zero) with the cipher's initial state, a 2-of-3 split with fixed coefficient,
 * officials 1 and 3's partial decryptions with fixed DLEQ nonces, their combination, and the files.
 * Computed with packages/zk/src/regulator; test/zk/regulatorKeysSpec.test.ts checks the file
 * against the code and against an implementation written from the spec alone.
 *
 *   npx ts-node -r tsconfig-paths/register scripts/spec/regulator-keys-vectors.ts && npx prettier --write docs/spec/vectors/regulator-keys.json
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { poseidonPerm } from "@zk-kit/poseidon-cipher";
import { toHex } from "viem";
import {
  BASE8,
  BASE_FIELD,
  combinePartials,
  DLEQ_DOMAIN,
  encryptionKey,
  encryptSlot,
  lagrangeAtZero,
  mul,
  partialDecrypt,
  partialFileToJson,
  randomScalar,
  regulatorKeyToJson,
  regulatorPublicKey,
  regulatorShareToJson,
  sharedKey,
  splitRegulatorKey,
  SUBGROUP_ORDER,
  ZERO_SLOT,
  type Point,
} from "../../packages/zk/src/regulator";

export const VECTORS_JSON = join(__dirname, "..", "..", "docs", "spec", "vectors", "regulator-keys.json");

/** Fixed scalars in [1, l−1] (real ones are drawn at random). */
export const SCALARS = {
  regulatorSecret: 0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcden,
  ephemeralSecret: 0x02468ace13579bdf02468ace13579bdf02468ace13579bdf02468ace13579bn,
  /** a_1 of the 2-of-3 split: f(x) = s + a_1·x. */
  splitCoefficient: 0x0fedcba9876543210fedcba9876543210fedcba9876543210fedcba98765432n,
  /** The DLEQ nonces w of officials 1 and 3. */
  dleqNonces: { 1: 0x0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0an, 3: 0x0c0c0c0cn } as Record<
    number,
    bigint
  >,
};
/** The traced slot (index 0) of the vector chunk; slot 1 is the zero plaintext. */
export const SLOT = {
  paymentIdHash: 0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80n,
  debtorAccountHash: 0x0d0d0d0dn,
  creditorAccountHash: 0x0c0c0c0cn,
  amount: 1_250_000_00n,
};

const h = (x: bigint): string => toHex(x, { size: 32 });
const pt = (p: Point) => ({ x: h(p[0]), y: h(p[1]) });

/** 32 bytes that are a big-endian number. */
const block = (x: bigint) => Buffer.from(x.toString(16).padStart(64, "0"), "hex");

export function computeVectors(): Record<string, unknown> {
  const s = SCALARS.regulatorSecret;
  const P = regulatorPublicKey(s);
  const e = SCALARS.ephemeralSecret;
  const E = mul(BASE8, e);
  const K = encryptionKey(e, P);
  if (sharedKey(s, E).some((c, i) => c !== K[i])) throw new Error("ECDH vectors disagree");
  const TWO_128 = 2n ** 128n;
  const slots = [SLOT, ZERO_SLOT].map((plaintext, nonce) => ({
    nonce,
    plaintext: [
      plaintext.paymentIdHash,
      plaintext.debtorAccountHash,
      plaintext.creditorAccountHash,
      plaintext.amount,
    ].map(h),
    initialState: [0n, K[0], K[1], (BigInt(nonce) + 4n * TWO_128) % BASE_FIELD].map(h),
    ciphertext: encryptSlot(plaintext, K, nonce).map(h),
  }));
  // rejection sampling: the first block masks to a value ≥ l and is redrawn, the second is kept
  const drawn = [0xffn << 248n, (0xe0n << 248n) + s];
  let t = 0;
  const sampled = randomScalar(() => block(drawn[t++]));
  const split = splitRegulatorKey(s, 2, 3, { coefficients: [SCALARS.splitCoefficient] });
  const officials = [1, 3];
  const partials = officials.map((i) => partialDecrypt(split.shares[i - 1], E, { nonce: SCALARS.dleqNonces[i] }));
  const dleq = partials.map((p) => {
    const w = SCALARS.dleqNonces[p.index];
    return {
      index: p.index,
      nonce: h(w),
      A: pt(mul(BASE8, w)),
      B: pt(mul(E, w)),
      challenge: h(p.proof.challenge),
      response: h(p.proof.response),
    };
  });
  return {
    parameters: {
      p: BASE_FIELD.toString(),
      l: SUBGROUP_ORDER.toString(),
      base8: pt(BASE8),
      dleqDomain: h(DLEQ_DOMAIN),
      poseidonPermutation: { input: [0n, 1n, 2n, 3n].map(h), output: poseidonPerm([0n, 1n, 2n, 3n]).map(h) },
    },
    sampling: { blocks: drawn.map(h), scalar: h(sampled) },
    regulator: { secret: h(s), public: pt(P) },
    chunk: { ephemeralSecret: h(e), ephemeral: pt(E), sharedKey: pt(K), slots },
    threshold: {
      k: 2,
      n: 3,
      coefficients: [h(s), h(SCALARS.splitCoefficient)],
      shares: split.shares.map((sh) => ({
        index: sh.index,
        value: h(sh.value),
        commitment: pt(split.public.commitments[sh.index - 1].point),
      })),
      partials: partials.map((p) => ({ index: p.index, point: pt(p.point) })),
      dleq,
      lagrange: { indexes: officials, coefficients: lagrangeAtZero(officials).map(h) },
      combined: pt(combinePartials(partials, split.public.commitments, 2)),
    },
    files: {
      key: regulatorKeyToJson({ epoch: 7, secret: s, public: P }),
      share: regulatorShareToJson({ ...split.shares[0], epoch: 7 }),
      partial: partialFileToJson({
        epoch: 7,
        index: 1,
        items: [{ ephemeral: E, point: partials[0].point, proof: partials[0].proof }],
      }),
    },
  };
}

if (require.main === module) writeFileSync(VECTORS_JSON, JSON.stringify(computeVectors(), null, 2) + "\n");
