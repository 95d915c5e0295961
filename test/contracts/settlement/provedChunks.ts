/**
 * Real `private_netting_256` proofs for the contract tests: `proveChunk` proves a chunk from
 * (bucket, amount) pairs with the shipped ceremony artifacts, and the MAX_PROVED_CHUNKS bound's 48
 * proofs are kept in fixtures/max-proved-chunks.json (proving them takes ~4 minutes here): they are
 * real proofs for the committed zkey, and a changed verification key makes the test fail with the
 * command that proves them again (`npm run fixtures:max-chunks`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { keccak256, stringToHex } from "viem";
import { ARTIFACT_DIR } from "../../../packages/zk/src/artifacts";
import { vkHashOf, type VerificationKey } from "../../../packages/sdk/src/zk/vk";
import { asProof, type ProvedChunk } from "./chunks";

export const CIRCUIT = "private_netting_256";
export const VERIFIER = "PrivateNetting256Verifier";
export const DIR = join(ARTIFACT_DIR, CIRCUIT);
export const SLOTS = 256;
/** Creditors of `deployWide` (its 16 banks but the debtor). */
export const WIDE_CREDITORS = 15;
export const MAX_CHUNKS_FIXTURE = join(__dirname, "fixtures", "max-proved-chunks.json");

/** Payments of one chunk: (bucket, amount) pairs, at most 256, amounts below 2^64. */
export type Payments = ReadonlyArray<readonly [bucket: number, amount: bigint]>;

/**
 * Prove a chunk of `payments` owed by the bank with ledger index `bank` to the banks with ledger
 * indexes `indexes[positions[k]]` (bucket k; an unused bucket is position 0, amount 0). `salt`
 * makes the payment digests (and so the root) differ between chunks.
 */
export async function proveChunk(
  bank: number,
  indexes: readonly number[],
  positions: readonly number[],
  payments: Payments,
  salt: number,
): Promise<ProvedChunk> {
  const used = payments.length;
  const pad = <T>(xs: T[], fill: T): T[] => [...xs, ...new Array<T>(SLOTS - xs.length).fill(fill)];
  const total: ProvedChunk["amounts"] = [0n, 0n, 0n, 0n];
  for (const [k, amount] of payments) total[k] += amount;
  const buckets = total.map((t, k) => (t === 0n ? 0 : positions[k])) as ProvedChunk["buckets"];
  const input: snarkjs.CircuitSignals = {
    digest: pad(
      payments.map((_, i) => BigInt(keccak256(stringToHex(`payment ${salt}/${i}`))) >> 8n),
      0n,
    ),
    amount: pad(
      payments.map(([, a]) => a),
      0n,
    ),
    used: pad(new Array<bigint>(used).fill(1n), 0n),
    bucket: pad(
      payments.map(([k]) => BigInt(k)),
      0n,
    ),
    counterparty: buckets.map((p) => BigInt(indexes[p])),
    total,
    bankIndex: BigInt(bank),
  };
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(
    input,
    join(DIR, `${CIRCUIT}.wasm`),
    join(DIR, `${CIRCUIT}.zkey`),
  );
  const calldata = JSON.parse(`[${await snarkjs.groth16.exportSolidityCallData(proof, publicSignals)}]`) as [
    string[],
    string[][],
    string[],
    string[],
  ];
  const [a, b, c, signals] = calldata;
  // The engine builds the same two words from the ledger indexes and the bucket amounts.
  const word = (k: number) => (total[k] << 16n) | BigInt(indexes[buckets[k]]);
  if (
    BigInt(signals[1]) !== ((BigInt(bank) << 176n) | (word(0) << 88n) | word(1)) ||
    BigInt(signals[2]) !== ((word(2) << 88n) | word(3))
  )
    throw new Error(`chunk ${salt}: the proof's public words are not the ones the engine builds`);
  return {
    root: BigInt(signals[0]),
    buckets,
    amounts: total,
    proof: asProof([...a, ...b.flat(), ...c].map(BigInt)),
  };
}

/** The MAX_PROVED_CHUNKS test's chunks: chunk i owes buckets 0–3 to positions 4i … 4i+3, 256 payments each. */
export const maxChunkPlan = (i: number) => ({
  positions: [0, 1, 2, 3].map((k) => 4 * i + k),
  payments: Array.from({ length: SLOTS }, (_, s) => [s % 4, BigInt(1_000 + s)] as const) as Payments,
  salt: 100 + i,
});

interface MaxChunksFile {
  vkHash: string;
  max: number;
  chunks: { root: string; buckets: number[]; amounts: string[]; proof: string[] }[];
}

const committedVkHash = () =>
  vkHashOf(JSON.parse(readFileSync(join(DIR, "verification_key.json"), "utf8")) as VerificationKey);

/** The fixture's `max` chunks (roots ascending), or an error naming how to prove them again. */
export function maxChunksFixture(max: number): ProvedChunk[] {
  const again = "prove them again with `npm run fixtures:max-chunks`";
  if (!existsSync(MAX_CHUNKS_FIXTURE)) throw new Error(`${MAX_CHUNKS_FIXTURE} is missing: ${again}`);
  const f = JSON.parse(readFileSync(MAX_CHUNKS_FIXTURE, "utf8")) as MaxChunksFile;
  if (f.vkHash !== committedVkHash())
    throw new Error(`${MAX_CHUNKS_FIXTURE} was proved for another verification key: ${again}`);
  if (f.max !== max) throw new Error(`${MAX_CHUNKS_FIXTURE} holds ${f.max} chunks, the bound is ${max}: ${again}`);
  return f.chunks.map((c) => ({
    root: BigInt(c.root),
    buckets: c.buckets as ProvedChunk["buckets"],
    amounts: c.amounts.map(BigInt) as ProvedChunk["amounts"],
    proof: asProof(c.proof.map(BigInt)),
  }));
}

/** Prove the `max` chunks of the plan (indexes: position p is held by ledger index `all[p]`); the fixture's content. */
export async function proveMaxChunks(
  max: number,
  all: readonly number[],
  onProgress?: (done: number) => void,
): Promise<MaxChunksFile> {
  const proved: ProvedChunk[] = [];
  for (let i = 0; i < max; i++) {
    const { positions, payments, salt } = maxChunkPlan(i);
    proved.push(await proveChunk(0, all, positions, payments, salt));
    onProgress?.(i + 1);
  }
  proved.sort((x, y) => (x.root < y.root ? -1 : 1));
  return {
    vkHash: committedVkHash(),
    max,
    chunks: proved.map((c) => ({
      root: c.root.toString(),
      buckets: [...c.buckets],
      amounts: c.amounts.map(String),
      proof: c.proof.map(String),
    })),
  };
}

/**
 * The ledger index holding each of the plan's positions in `deployWide` (its creditors enrol with
 * indexes 1 … 15, position p is creditor p mod 15); the test checks it against the ledger.
 */
export const maxChunksIndexes = (max: number): number[] =>
  Array.from({ length: max * 4 }, (_, p) => 1 + (p % WIDE_CREDITORS));
