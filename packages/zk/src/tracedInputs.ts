/**
 * Inputs of `private_traced_32` from a traced chunk (tracedBatch.ts) and its ciphertexts, checked
 * before proving, with the public signals a proof of them has:
 * [root, word0, word1, E.x, E.y, evaluation, key.x, key.y, threshold, challenge].
 */
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { bucketWords, policyKey, toField, traceChallenge, traceEvaluation, type TracePolicy } from "@clearhouse/sdk/zk";
import { InvalidCurvePointError } from "./regulator/errors";
import { checkScalar, checkSubgroupPoint } from "./regulator/curve";
import { encodeRecord } from "@clearhouse/sdk/settlement";
import type { CircuitInputs } from "./signals";
import { CHUNK_BUCKETS, type PrivateChunkV2 } from "./privateBatch";
import { checkChunk } from "./privateInputs";
import { TRACED_CHUNK_SLOTS, TRACED_LAYOUT, encryptTracedChunk, type TracedCiphertexts } from "./tracedBatch";

const dec = (x: bigint | number): string => x.toString();
const ZERO_WORDS = ["0", "0", "0", "0", "0", "0", "0", "0"];

/** Everything one chunk's proof and its declaration need. */
export interface TracedChunkWitness extends TracedCiphertexts {
  inputs: CircuitInputs;
  publicSignals: bigint[];
  challenge: bigint;
  evaluation: bigint;
}

/**
 * The circuit's inputs for `chunk` under `policy`: encrypts the slots (a fresh ephemeral scalar
 * unless one is given), derives the challenge from what will be published, and checks the slots
 * against the chunk's root and amounts so a wrong chunk fails here, naming what is wrong.
 */
export function privateTracedInputs(
  chunk: PrivateChunkV2,
  policy: TracePolicy,
  ephemeralSecret?: bigint,
): TracedChunkWitness {
  if (policy.threshold < 0n || policy.threshold >= 1n << 64n)
    throw new InvalidArgumentError("policy.threshold", "must be below 2^64");
  checkChunk(chunk, TRACED_LAYOUT, (s, i) => {
    if (s.record === undefined)
      throw new InvalidArgumentError(`slots[${i}].record`, "is missing: a traced slot needs its payment");
    if (s.record.amount !== s.amount)
      throw new InvalidArgumentError(`slots[${i}].amount`, "is not its record's amount");
  });
  const { slots, amounts, counterpartyIndexes: cps, bankIndex } = chunk;

  const sealed = encryptTracedChunk(chunk, policy, ephemeralSecret);
  const challenge = traceChallenge(chunk.root, sealed.ephemeralKey, policy, sealed.ciphertexts);
  const evaluation = traceEvaluation(sealed.ciphertexts, challenge);
  return {
    ...sealed,
    challenge,
    evaluation,
    inputs: {
      words: slots.map((s) => (s.used && s.record ? encodeRecord(s.record).map(dec) : ZERO_WORDS)),
      used: slots.map((s) => (s.used ? "1" : "0")),
      bucket: slots.map((s) => dec(s.bucket)),
      counterparty: cps.map(dec),
      total: amounts.map(dec),
      bankIndex: dec(bankIndex),
      ephemeralSecret: dec(sealed.ephemeralSecret),
      regulatorKey: policyKey(policy).map(dec),
      threshold: dec(policy.threshold),
      challenge: dec(challenge),
    },
    publicSignals: [
      chunk.root,
      ...bucketWords(bankIndex, cps, amounts),
      ...sealed.ephemeralKey,
      evaluation,
      ...policyKey(policy),
      policy.threshold,
      challenge,
    ],
  };
}

const TRACED_INPUT_NAMES = [
  "words",
  "used",
  "bucket",
  "counterparty",
  "total",
  "bankIndex",
  "ephemeralSecret",
  "regulatorKey",
  "threshold",
  "challenge",
] as const;

function values(raw: CircuitInputs, name: string, length: number): bigint[] {
  const v = raw[name];
  if (!Array.isArray(v) || v.length !== length)
    throw new InvalidArgumentError(name, `must be an array of ${length} values`);
  return v.map((x, i) => toField(x, `${name}[${i}]`));
}

function scalar(raw: CircuitInputs, name: string): bigint {
  if (!(name in raw)) throw new InvalidArgumentError(name, "is missing");
  return toField(raw[name], name);
}

/**
 * Raw `private_traced_32` inputs (an input.json) checked as the circuit would check them, each
 * refusal naming the input. (Whether the ciphertexts match what is published is the challenge's
 * business: the engine derives it, see docs/spec/traced-batch.md.)
 */
export function checkPrivateTraced(raw: CircuitInputs): CircuitInputs {
  for (const k of Object.keys(raw))
    if (!(TRACED_INPUT_NAMES as readonly string[]).includes(k))
      throw new InvalidArgumentError(k, `is not an input of this circuit (inputs: ${TRACED_INPUT_NAMES.join(", ")})`);
  const rows = raw.words;
  if (!Array.isArray(rows) || rows.length !== TRACED_CHUNK_SLOTS)
    throw new InvalidArgumentError("words", `must be ${TRACED_CHUNK_SLOTS} rows of 8 record words`);
  const amount = rows.map((row, i) => {
    if (!Array.isArray(row) || row.length !== 8)
      throw new InvalidArgumentError(`words[${i}]`, "must be 8 record words");
    row.forEach((w, j) => toField(w, `words[${i}][${j}]`));
    const a = toField(row[3], `words[${i}][3]`);
    if (a >= 1n << 64n) throw new InvalidArgumentError(`words[${i}][3]`, "(the amount) does not fit 64 bits");
    return a;
  });
  const used = values(raw, "used", TRACED_CHUNK_SLOTS);
  const bucket = values(raw, "bucket", TRACED_CHUNK_SLOTS);
  const cps = values(raw, "counterparty", CHUNK_BUCKETS);
  const totals = values(raw, "total", CHUNK_BUCKETS);
  if (scalar(raw, "bankIndex") >= 1n << 16n) throw new InvalidArgumentError("bankIndex", "does not fit 16 bits");
  cps.forEach((c, k) => {
    if (c >= 1n << 16n) throw new InvalidArgumentError(`counterparty[${k}]`, "does not fit 16 bits");
  });
  const sums = new Array<bigint>(CHUNK_BUCKETS).fill(0n);
  amount.forEach((a, i) => {
    if (used[i] > 1n) throw new InvalidArgumentError(`used[${i}]`, "must be 0 or 1");
    if (bucket[i] >= BigInt(CHUNK_BUCKETS)) throw new InvalidArgumentError(`bucket[${i}]`, "must be 0–3");
    if (used[i] === 0n && a !== 0n) throw new InvalidArgumentError(`used[${i}]`, "is 0 but the slot has an amount");
    sums[Number(bucket[i])] += a;
  });
  totals.forEach((t, k) => {
    if (t !== sums[k])
      throw new InvalidArgumentError(`total[${k}]`, `is ${t}, bucket ${k}'s amounts sum to ${sums[k]}`);
  });
  checkScalar(scalar(raw, "ephemeralSecret"), "ephemeralSecret");
  try {
    checkSubgroupPoint(values(raw, "regulatorKey", 2), "regulatorKey");
  } catch (error) {
    if (error instanceof InvalidCurvePointError) throw new InvalidArgumentError("regulatorKey", error.message);
    throw error;
  }
  if (scalar(raw, "threshold") >= 1n << 64n) throw new InvalidArgumentError("threshold", "does not fit 64 bits");
  scalar(raw, "challenge");
  return raw;
}
