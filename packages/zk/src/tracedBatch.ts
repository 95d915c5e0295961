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
import { encodeAbiParameters, keccak256, stringToHex, type Address, type Hex } from "viem";
import { poseidon4 } from "poseidon-lite/poseidon4";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { policyKey, type TracePolicy } from "@clearhouse/sdk/zk";
import { encodeRecord, type PaymentRecord } from "@clearhouse/sdk/settlement";
import { BASE8, checkScalar, mul, randomScalar } from "./regulator/curve";
import { ZERO_SLOT, encryptSlot, type SlotPlaintext } from "./regulator/decrypt";
import { encryptionKey } from "./regulator/keys";
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
/** Groups of 8 slots per traced chunk. */
export const TRACED_CHUNK_GROUPS = 4;
/** Payment slots per traced chunk, and per `private_traced_32` proof. */
export const TRACED_CHUNK_SLOTS = GROUP_SLOTS * TRACED_CHUNK_GROUPS;
/** Field elements of one slot's ciphertext (4 plaintext elements, padded to 6, plus the tag). */
export const CIPHERTEXT_LENGTH = 7;

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

/** A slot's plaintext: its payment's (paymentIdHash, debtorAccountHash, creditorAccountHash, amount) when traced, else zeros. */
export function tracePlaintext(record: PaymentRecord | undefined, threshold: bigint): SlotPlaintext {
  if (record === undefined || record.amount < threshold) return { ...ZERO_SLOT };
  const w = encodeRecord(record);
  return { paymentIdHash: w[0], debtorAccountHash: w[6], creditorAccountHash: w[7], amount: w[3] };
}

/** A chunk's ciphertexts under `policy`, with the ephemeral key that lets the regulator derive the shared key. */
export interface TracedCiphertexts {
  ephemeralSecret: bigint;
  ephemeralKey: [bigint, bigint];
  /** One per slot, 7 elements each, slot order. */
  ciphertexts: bigint[][];
}

/** Encrypt every slot of `chunk` for the regulator of `policy`, with a fresh (or the given) ephemeral scalar. */
export function encryptTracedChunk(
  chunk: PrivateChunkV2,
  policy: TracePolicy,
  ephemeralSecret: bigint = randomScalar(),
): TracedCiphertexts {
  if (chunk.slots.length !== TRACED_CHUNK_SLOTS)
    throw new InvalidArgumentError(
      "chunk",
      `has ${chunk.slots.length} slots, a traced chunk has ${TRACED_CHUNK_SLOTS}`,
    );
  const shared = encryptionKey(checkScalar(ephemeralSecret, "ephemeralSecret"), policyKey(policy));
  const [ex, ey] = mul(BASE8, ephemeralSecret);
  const ciphertexts = chunk.slots.map((s, i) =>
    encryptSlot(tracePlaintext(s.used ? s.record : undefined, policy.threshold), shared, i),
  );
  return { ephemeralSecret, ephemeralKey: [ex, ey], ciphertexts };
}
