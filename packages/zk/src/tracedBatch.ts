/**
 * Traced private batches (issue 23, decision 041; docs/spec/traced-batch.md): private/2 batches
 * (privateBatch.ts) cut into chunks of 32 slots, each proved by `private_traced_32`, which also
 * shows that every slot's ciphertext for the regulator encrypts that slot's payment when its amount
 * is at or above the trace threshold, and zeros otherwise.
 *
 *   chunk      4 groups of 8 slots, at most 4 creditors: root = Poseidon4(group hashes)
 *   batch      header.root = keccak256(chunk roots ascending); header.totalsCommitment =
 *              keccak256(abi.encode(TRACED_CHUNKS_TAG, counterparties, totals))
 *   cipher     per chunk an ephemeral scalar e, E = e·Base8, S = e·regulatorKey; slot i's
 *              ciphertext = PoseidonEncrypt(plaintext_i, S, nonce i), 7 field elements
 *   binding    r = keccak256(CHALLENGE_TAG ‖ root ‖ E ‖ regulatorKey ‖ threshold ‖ ciphertexts) mod p;
 *              evaluation = Σ_j v_j·r^(j+1) over the 224 ciphertext elements, slot-major
 */
import { concat, encodeAbiParameters, keccak256, stringToHex, toHex, type Address, type Hex } from "viem";
import { poseidon4 } from "poseidon-lite/poseidon4";
import { Base8, mulPointEscalar, subOrder, type Point } from "@zk-kit/baby-jubjub";
import { poseidonEncrypt } from "@zk-kit/poseidon-cipher";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { FIELD_MODULUS } from "@clearhouse/sdk/zk";
import { encodeRecord, type PaymentRecord } from "@clearhouse/sdk/settlement";
import {
  GROUP_SLOTS,
  buildChunkedBatch,
  type BuildPrivateBatchOptions,
  type ChunkLayout,
  type PrivateBatchV2,
  type PrivateChunkV2,
} from "./privateBatch";

/** keccak256("clearhouse.batch.private/3"): the totals-commitment tag of a traced batch. */
export const TRACED_CHUNKS_TAG: Hex = keccak256(stringToHex("clearhouse.batch.private/3"));
/** keccak256("clearhouse.trace.challenge/1"): the first word the challenge hashes. */
export const TRACE_CHALLENGE_TAG: Hex = keccak256(stringToHex("clearhouse.trace.challenge/1"));
/** Groups of 8 slots per traced chunk. */
export const TRACED_CHUNK_GROUPS = 4;
/** Payment slots per traced chunk, and per `private_traced_32` proof. */
export const TRACED_CHUNK_SLOTS = GROUP_SLOTS * TRACED_CHUNK_GROUPS;
/** Field elements of one slot's ciphertext (4 plaintext elements, padded to 6, plus the tag). */
export const CIPHERTEXT_LENGTH = 7;

/** What the consortium's governance set (VerifierRegistry.tracePolicy): the key to encrypt to and the threshold. */
export interface TracePolicy {
  /** The regulator key's epoch (1, 2, …). */
  epoch: number;
  /** The regulator's Baby Jubjub public key. */
  key: readonly [bigint, bigint];
  /** Amounts (minor units) at or above it are traced. */
  threshold: bigint;
}

/** keccak256(abi.encode(TRACED_CHUNKS_TAG, counterparties, totals)). */
export function tracedChunksCommitmentOf(counterparties: readonly Address[], totals: readonly bigint[]): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address[]" }, { type: "uint256[]" }],
      [TRACED_CHUNKS_TAG, counterparties, totals],
    ),
  );
}

/** A traced chunk's root from its 4 group hashes: Poseidon4. */
export function tracedChunkRootOf(groups: readonly bigint[]): bigint {
  if (groups.length !== TRACED_CHUNK_GROUPS)
    throw new InvalidArgumentError("groups", `must be ${TRACED_CHUNK_GROUPS} hashes`);
  return poseidon4([...groups]);
}

/** The layout of a traced (private/3) batch. */
export const TRACED_LAYOUT: ChunkLayout = {
  groups: TRACED_CHUNK_GROUPS,
  root: tracedChunkRootOf,
  commitment: tracedChunksCommitmentOf,
  mode: "private/3",
  circuit: "private_traced_32",
};

/**
 * Build a traced private batch: the same grouping as `buildPrivateBatch` (by creditor, groups of
 * 8, at most 4 creditors a chunk), 4 groups a chunk. Nothing here depends on the regulator's key:
 * the ciphertexts are made when the chunks are proved, under the key current then.
 */
export function buildTracedBatch(records: readonly PaymentRecord[], o: BuildPrivateBatchOptions): PrivateBatchV2 {
  return buildChunkedBatch(records, o, TRACED_LAYOUT);
}

/** The four plaintext elements of a slot: (paymentIdHash, debtorAccountHash, creditorAccountHash, amount) or zeros. */
export function tracePlaintext(record: PaymentRecord | undefined, threshold: bigint): bigint[] {
  if (record === undefined || record.amount < threshold) return [0n, 0n, 0n, 0n];
  const w = encodeRecord(record);
  return [w[0], w[6], w[7], w[3]];
}

/** A chunk's ciphertexts under `policy`, with the ephemeral key that lets the regulator derive the shared key. */
export interface TracedCiphertexts {
  ephemeralSecret: bigint;
  ephemeralKey: [bigint, bigint];
  /** One per slot, 7 elements each, slot order. */
  ciphertexts: bigint[][];
}

/** A uniform scalar in [1, l − 1] (l = Baby Jubjub's prime subgroup order). */
export function randomEphemeralSecret(): bigint {
  for (;;) {
    const bytes = new Uint8Array(32);
    globalThis.crypto.getRandomValues(bytes);
    const x = BigInt(toHex(bytes)) >> 4n; // 252 bits: below 2·l, so a few tries at most
    if (x > 0n && x < subOrder) return x;
  }
}

/** Encrypt every slot of `chunk` for the regulator of `policy`, with a fresh (or the given) ephemeral scalar. */
export function encryptTracedChunk(
  chunk: PrivateChunkV2,
  policy: TracePolicy,
  ephemeralSecret: bigint = randomEphemeralSecret(),
): TracedCiphertexts {
  if (chunk.slots.length !== TRACED_CHUNK_SLOTS)
    throw new InvalidArgumentError(
      "chunk",
      `has ${chunk.slots.length} slots, a traced chunk has ${TRACED_CHUNK_SLOTS}`,
    );
  if (ephemeralSecret <= 0n || ephemeralSecret >= subOrder)
    throw new InvalidArgumentError("ephemeralSecret", "must be in [1, l − 1] (l: Baby Jubjub's subgroup order)");
  const key: Point<bigint> = [policy.key[0], policy.key[1]];
  const shared = mulPointEscalar(key, ephemeralSecret);
  const [ex, ey] = mulPointEscalar(Base8, ephemeralSecret);
  const ciphertexts = chunk.slots.map((s, i) =>
    poseidonEncrypt(tracePlaintext(s.used ? s.record : undefined, policy.threshold), shared, BigInt(i)).map(BigInt),
  );
  return { ephemeralSecret, ephemeralKey: [ex, ey], ciphertexts };
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
  const words = [root, ephemeralKey[0], ephemeralKey[1], policy.key[0], policy.key[1], policy.threshold];
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
