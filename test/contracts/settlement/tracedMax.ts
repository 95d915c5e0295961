/**
 * The MAX_TRACED_CHUNKS bound of `declareTracedChunks` with real `private_traced_32` proofs: a fixed
 * batch of MAX_TRACED_CHUNKS full chunks (32 payments each, 4 distinct creditors each) from bank 0
 * to 4·MAX_TRACED_CHUNKS creditors (`deployTracedBound`), under a fixed regulator key and
 * threshold. Proving it takes 10–26 s a chunk, so the proofs are made ahead of time
 * (`npm run fixtures:max-traced-chunks`) and kept in fixtures/max-traced-chunks.json with each
 * chunk's ephemeral scalar: the test rebuilds the chunks, their ciphertexts and challenge from the
 * plan and those scalars (the calldata is ~193 KB, the file ~24 KB). A changed verification key,
 * plan or encryption makes the test fail with the command that proves them again.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Address, Hex } from "viem";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import type { TracePolicy } from "../../../packages/sdk/src/zk";
import { toCalldata } from "../../../packages/sdk/src/zk/proof";
import { vkHashOf, type VerificationKey } from "../../../packages/sdk/src/zk/vk";
import type { TracedChunkInput } from "../../../packages/sdk/src/settlement/traced";
import { ARTIFACT_DIR } from "../../../packages/zk/src/artifacts";
import type { PrivateBatchV2 } from "../../../packages/zk/src/privateBatch";
import { provedChunkOf } from "../../../packages/zk/src/privateProve";
import { prove } from "../../../packages/zk/src/prover";
import { randomScalar } from "../../../packages/zk/src/regulator/curve";
import { buildTracedBatch, TRACED_CHUNK_SLOTS } from "../../../packages/zk/src/tracedBatch";
import { privateTracedInputs } from "../../../packages/zk/src/tracedInputs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { payments } from "../../sdk/settlementFixture";
import { deploySettlement, extraBanks, mined, type SettlementFixture } from "./helpers";

export const TRACED_CIRCUIT = "private_traced_32";
export const MAX_TRACED_FIXTURE = join(__dirname, "fixtures", "max-traced-chunks.json");
const AGAIN = "prove them again with `npm run fixtures:max-traced-chunks`";

/** The regulator's secret of the fixture (its key is secret·Base8, epoch 1 once registered). */
export const MAX_TRACED_SECRET = 0x5eed0f7aced2024n;
/** The trace threshold: every 4th payment (1,000 + i) is traced, the others (100 + i) are not. */
export const MAX_TRACED_THRESHOLD = 1_000n;
export const MAX_TRACED_KEY = "traced-bound";

/** The fixture's trace policy (epoch 1: the registry's first key). */
export function maxTracedPolicy(): TracePolicy {
  const [x, y] = mulPointEscalar(Base8, MAX_TRACED_SECRET);
  return { epoch: 1, key: { x, y }, threshold: MAX_TRACED_THRESHOLD };
}

/**
 * Bank `banks[0]`'s batch of `max` × 32 payments, 8 to each of `banks[1 … 4·max]` (ledger index i =
 * position i in `banks`): every chunk has 4 full groups of 8 for 4 distinct creditors, all 4
 * buckets used, 4·max counterparties — the most a declaration of `max` chunks can name.
 */
export function maxTracedBatch(banks: readonly Address[], max: number): PrivateBatchV2 {
  const creditors = banks.slice(1);
  if (creditors.length !== 4 * max) throw new Error(`the plan needs ${4 * max} creditors, not ${creditors.length}`);
  const to: [Address, bigint][] = [];
  for (const c of creditors)
    for (let k = 0; k < 8; k++) {
      const i = to.length;
      to.push([c, i % 4 === 0 ? MAX_TRACED_THRESHOLD + BigInt(i) : 100n + BigInt(i)]);
    }
  const index = new Map(banks.map((a, i) => [a.toLowerCase(), i]));
  const batch = buildTracedBatch(payments(banks[0], to, MAX_TRACED_KEY), {
    submitter: banks[0],
    key: MAX_TRACED_KEY,
    indexOf: (a) => index.get(a.toLowerCase()) ?? -1,
  });
  if (batch.chunks.length !== max || batch.chunks.some((c) => c.slots.some((s) => !s.used) || c.amounts.includes(0n)))
    throw new Error(`the plan makes ${batch.chunks.length} chunks, not ${max} full ones of ${TRACED_CHUNK_SLOTS}`);
  return batch;
}

/**
 * deploySettlement plus enough enrolled banks for `max` chunks of 4 distinct creditors (bank i at
 * ledger index i): the test's and the fixture script's banks, debtor first.
 */
export async function deployTracedBound(max: number): Promise<{ f: SettlementFixture; all: HardhatEthersSigner[] }> {
  const f = await deploySettlement();
  const extra = await extraBanks(f, 4 * max + 1 - f.banks.length);
  for (const bank of extra) await mined(f.ledger.connect(bank).enroll());
  return { f, all: [...f.banks, ...extra] };
}

interface MaxTracedFile {
  vkHash: string;
  max: number;
  /** deployTracedBound's banks (ledger index = position). */
  banks: string[];
  threshold: string;
  /** Roots ascending, as the batch orders its chunks. */
  chunks: { root: Hex; ephemeralSecret: Hex; challenge: Hex; proof: Hex }[];
}

const hex32 = (x: bigint): string => x.toString(16).padStart(64, "0");
const toHex = (x: bigint): Hex => `0x${x.toString(16)}`;
const words = (h: Hex): bigint[] =>
  Array.from({ length: 8 }, (_, k) => BigInt(`0x${h.slice(2 + 64 * k, 66 + 64 * k)}`));

const committedVkHash = () =>
  vkHashOf(
    JSON.parse(readFileSync(join(ARTIFACT_DIR, TRACED_CIRCUIT, "verification_key.json"), "utf8")) as VerificationKey,
  );

/** Prove every chunk of the plan, each with a fresh ephemeral scalar: the fixture's content. */
export async function proveMaxTraced(
  banks: readonly Address[],
  max: number,
  onProgress?: (done: number) => void,
): Promise<MaxTracedFile> {
  const batch = maxTracedBatch(banks, max);
  const policy = maxTracedPolicy();
  const chunks: MaxTracedFile["chunks"] = [];
  for (const chunk of batch.chunks) {
    const w = privateTracedInputs(chunk, policy, randomScalar());
    const calldata = toCalldata(await prove(TRACED_CIRCUIT, w.inputs));
    if (calldata.publicSignals.some((s, k) => s !== w.publicSignals[k]))
      throw new Error(`chunk ${chunks.length}: proved to public signals other than the ones rebuilt from it`);
    chunks.push({
      root: toHex(chunk.root),
      ephemeralSecret: toHex(w.ephemeralSecret),
      challenge: toHex(w.challenge),
      proof: `0x${calldata.proof.map(hex32).join("")}`,
    });
    onProgress?.(chunks.length);
  }
  return { vkHash: committedVkHash(), max, banks: [...banks], threshold: String(MAX_TRACED_THRESHOLD), chunks };
}

/**
 * The fixture's chunks as `declareTracedChunks` takes them (ciphertexts rebuilt from the plan and
 * each chunk's ephemeral scalar), with the batch; or an error naming how to prove them again.
 */
export function maxTracedFixture(
  banks: readonly Address[],
  max: number,
): { batch: PrivateBatchV2; chunks: TracedChunkInput[] } {
  if (!existsSync(MAX_TRACED_FIXTURE)) throw new Error(`${MAX_TRACED_FIXTURE} is missing: ${AGAIN}`);
  const f = JSON.parse(readFileSync(MAX_TRACED_FIXTURE, "utf8")) as MaxTracedFile;
  if (f.vkHash !== committedVkHash())
    throw new Error(`${MAX_TRACED_FIXTURE} was proved for another verification key: ${AGAIN}`);
  if (f.max !== max) throw new Error(`${MAX_TRACED_FIXTURE} holds ${f.max} chunks, the bound is ${max}: ${AGAIN}`);
  if (f.banks.join().toLowerCase() !== banks.join().toLowerCase() || f.threshold !== String(MAX_TRACED_THRESHOLD))
    throw new Error(`${MAX_TRACED_FIXTURE} was proved for other banks or another threshold: ${AGAIN}`);
  const batch = maxTracedBatch(banks, max);
  const policy = maxTracedPolicy();
  const chunks = batch.chunks.map((chunk, i) => {
    const c = f.chunks[i];
    if (BigInt(c.root) !== chunk.root)
      throw new Error(`${MAX_TRACED_FIXTURE}: chunk ${i}'s root has changed: ${AGAIN}`);
    const w = privateTracedInputs(chunk, policy, BigInt(c.ephemeralSecret));
    if (w.challenge !== BigInt(c.challenge))
      throw new Error(`${MAX_TRACED_FIXTURE}: chunk ${i}'s ciphertexts have changed: ${AGAIN}`);
    return { ...provedChunkOf(chunk, words(c.proof)), ephemeral: w.ephemeralKey, ciphertexts: w.ciphertexts.flat() };
  });
  return { batch, chunks };
}
