/**
 * Writes docs/spec/vectors/traced-batch.json, the test vectors of docs/spec/traced-batch.md: the
 * Poseidon permutation, a regulator key, one traced chunk of three payments (two of them at or above
 * the threshold) with its root, ephemeral key, shared key, every slot's plaintext and ciphertext, the
 * challenge, the evaluation and the circuit's public signals. Every secret is fixed, so the file is
 * reproducible. test/zk/tracedBatchSpec.test.ts checks it against the code and against an
 * implementation written from the spec alone.
 *
 *   npx ts-node --transpile-only scripts/spec/traced-batch-vectors.ts && npx prettier --write docs/spec/vectors/traced-batch.json
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { poseidonPerm } from "@zk-kit/poseidon-cipher";
import { accountHash, encodeRecord, type PaymentRecord } from "../../packages/sdk/src/settlement";
import { policyKey, type TracePolicy } from "../../packages/sdk/src/zk";
import { buildTracedBatch, tracePlaintext } from "../../packages/zk/src/tracedBatch";
import { privateTracedInputs } from "../../packages/zk/src/tracedInputs";

export const VECTORS_JSON = join(__dirname, "..", "..", "docs", "spec", "vectors", "traced-batch.json");

const BANK: Address = "0x1000000000000000000000000000000000000001";
const ALPHA: Address = "0x2222222222222222222222222222222222222222";
const BETA: Address = "0x3333333333333333333333333333333333333333";
const INDEX: Record<string, number> = { [BANK]: 3, [ALPHA]: 7, [BETA]: 9 };

export const REGULATOR_SECRET = 0x5eed0001n;
export const EPHEMERAL_SECRET = 0xe0e0e0e0n;
export const THRESHOLD = 5_000_000n;

function record(n: number, creditor: Address, amount: bigint): PaymentRecord {
  return {
    paymentId: `TRACE-${n}`,
    debtorBank: BANK,
    creditorBank: creditor,
    amount,
    currency: "EUR",
    valueDate: "2026-12-01",
    endToEndId: `E2E-TRACE-${n}`,
    debtorAccountHash: accountHash(`DE89370400440532013000-${n}`),
    creditorAccountHash: accountHash(`FR7630006000011234567890189-${n}`),
  };
}

const s = (x: bigint) => x.toString();

/** The vectors' batch, policy and chunk witness (every ciphertext, not only the ones in the file). */
export function vectorWitness() {
  const records = [record(1, ALPHA, 12_345n), record(2, ALPHA, 7_500_000n), record(3, BETA, 5_000_000n)];
  const batch = buildTracedBatch(records, { submitter: BANK, key: "traced-vectors", indexOf: (b) => INDEX[b] });
  const chunk = batch.chunks[0];
  const [kx, ky] = mulPointEscalar(Base8, REGULATOR_SECRET);
  const policy: TracePolicy = { epoch: 1, key: { x: kx, y: ky }, threshold: THRESHOLD };
  return { records, batch, chunk, policy, w: privateTracedInputs(chunk, policy, EPHEMERAL_SECRET) };
}

export function computeVectors() {
  const { records, batch, chunk, policy, w } = vectorWitness();
  const [kx, ky] = policyKey(policy);
  const shared = mulPointEscalar([kx, ky], EPHEMERAL_SECRET);
  const used = chunk.slots.map((x, i) => ({ x, i })).filter(({ x }) => x.used);
  return {
    permutation: { input: ["0", "1", "2", "3"], output: poseidonPerm([0n, 1n, 2n, 3n]).map(s) },
    regulator: { secret: s(REGULATOR_SECRET), publicKey: [s(kx), s(ky)], epoch: 1 },
    threshold: s(THRESHOLD),
    records: records.map((r) => ({
      ...r,
      amount: s(r.amount),
      words: encodeRecord(r).map(s),
      ledgerIndex: { debtor: INDEX[BANK], creditor: INDEX[r.creditorBank] },
    })),
    chunk: {
      root: s(chunk.root),
      header: { root: batch.header.root, totalsCommitment: batch.header.totalsCommitment },
      usedSlots: used.map(({ i }) => i),
      buckets: chunk.buckets,
      amounts: chunk.amounts.map(s),
    },
    ephemeral: { secret: s(EPHEMERAL_SECRET), publicKey: w.ephemeralKey.map(s), sharedKey: shared.map(s) },
    slots: [...used.map(({ i }) => i), 31].map((i) => ({
      index: i,
      plaintext: Object.values(tracePlaintext(chunk.slots[i].used ? chunk.slots[i].record : undefined, THRESHOLD)).map(
        s,
      ),
      ciphertext: w.ciphertexts[i].map(s),
    })),
    challenge: s(w.challenge),
    evaluation: s(w.evaluation),
    publicSignals: w.publicSignals.map(s),
  };
}

if (require.main === module) {
  writeFileSync(VECTORS_JSON, JSON.stringify(computeVectors(), null, 2) + "\n");
  console.log(`wrote ${VECTORS_JSON}`);
}
