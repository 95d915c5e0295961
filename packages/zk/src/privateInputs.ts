/**
 * Inputs of `private_netting_256` from a chunk of a private batch (privateBatch.ts), checked
 * before proving: the slots must be what the chunk's root and words say, so a wrong chunk fails
 * with an error naming what is wrong instead of an opaque witness failure.
 */
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { bucketWords, toField } from "@clearhouse/sdk/zk";
import type { CircuitInputs, SignalValue } from "./signals";
import {
  CHUNK_BUCKETS,
  CHUNK_GROUPS,
  CHUNK_SLOTS,
  GROUP_SLOTS,
  PRIVATE_V2_LAYOUT,
  chunkRootOf,
  groupHash,
  packedOf,
  type ChunkLayout,
  type PrivateChunkV2,
  type PrivateSlot,
} from "./privateBatch";

const dec = (x: bigint | number): string => x.toString();

/**
 * Check a chunk before proving, for any layout: its slot and bucket counts, unused slots (0, 0),
 * every used slot's bucket and packed value (and `usedSlot`'s own checks), the bucket sums and the
 * root. Each refusal names what is wrong.
 */
export function checkChunk(
  chunk: PrivateChunkV2,
  layout: Pick<ChunkLayout, "groups" | "root" | "circuit">,
  usedSlot: (slot: PrivateSlot, i: number) => void = () => undefined,
): void {
  const { slots, buckets, amounts, counterpartyIndexes: cps, bankIndex } = chunk;
  const size = layout.groups * GROUP_SLOTS;
  if (slots.length !== size) throw new InvalidArgumentError("slots", `must be ${size} (${layout.circuit})`);
  if (buckets.length !== CHUNK_BUCKETS || amounts.length !== CHUNK_BUCKETS || cps.length !== CHUNK_BUCKETS)
    throw new InvalidArgumentError("buckets", `a chunk has ${CHUNK_BUCKETS} buckets`);
  const sums = new Array<bigint>(CHUNK_BUCKETS).fill(0n);
  slots.forEach((s, i) => {
    if (!s.used) {
      if (s.digest !== 0n || s.packed !== 0n || s.amount !== 0n)
        throw new InvalidArgumentError(`slots[${i}]`, "is unused but not (0, 0)");
      return;
    }
    if (s.bucket < 0 || s.bucket >= CHUNK_BUCKETS) throw new InvalidArgumentError(`slots[${i}].bucket`, "is not 0–3");
    usedSlot(s, i);
    if (s.packed !== packedOf(bankIndex, cps[s.bucket], s.amount))
      throw new InvalidArgumentError(`slots[${i}].packed`, "is not bankIndex·2^80 + creditorIndex·2^64 + amount");
    sums[s.bucket] += s.amount;
  });
  sums.forEach((sum, k) => {
    if (sum !== amounts[k])
      throw new InvalidArgumentError(`amounts[${k}]`, `is ${amounts[k]}, the slots sum to ${sum}`);
  });
  const groups: bigint[] = [];
  for (let g = 0; g < layout.groups; g++) groups.push(groupHash(slots.slice(g * GROUP_SLOTS, (g + 1) * GROUP_SLOTS)));
  if (layout.root(groups) !== chunk.root)
    throw new InvalidArgumentError("root", "the slots do not lead to the chunk's root");
}

/** The circuit's inputs for `chunk`, and the public signals a proof of them has: [root, word0, word1]. */
export function privateNettingInputs(chunk: PrivateChunkV2): { inputs: CircuitInputs; publicSignals: bigint[] } {
  checkChunk(chunk, PRIVATE_V2_LAYOUT);
  const { slots, amounts, counterpartyIndexes: cps, bankIndex, root } = chunk;
  return {
    inputs: {
      digest: slots.map((s) => dec(s.digest)),
      amount: slots.map((s) => dec(s.amount)),
      used: slots.map((s) => (s.used ? "1" : "0")),
      bucket: slots.map((s) => dec(s.bucket)),
      counterparty: cps.map(dec),
      total: amounts.map(dec),
      bankIndex: dec(bankIndex),
    },
    publicSignals: [root, ...bucketWords(bankIndex, cps, amounts)],
  };
}

const NAMES = ["digest", "amount", "used", "bucket", "counterparty", "total", "bankIndex"] as const;

function values(raw: CircuitInputs, name: string, length: number): bigint[] {
  const v: SignalValue | undefined = raw[name];
  if (!Array.isArray(v) || v.length !== length)
    throw new InvalidArgumentError(name, `must be an array of ${length} values`);
  return v.map((x, i) => toField(x, `${name}[${i}]`));
}

/**
 * Raw `private_netting_256` inputs (an input.json) checked as the circuit would check them, each
 * refusal naming the input; an optional `root` entry is compared with the root they lead to.
 */
export function checkPrivateNetting(raw: CircuitInputs): CircuitInputs {
  const { root: expected, ...signals } = raw;
  for (const k of Object.keys(signals))
    if (!(NAMES as readonly string[]).includes(k))
      throw new InvalidArgumentError(k, `is not an input of this circuit (inputs: ${NAMES.join(", ")})`);
  const digest = values(signals, "digest", CHUNK_SLOTS);
  const amount = values(signals, "amount", CHUNK_SLOTS);
  const used = values(signals, "used", CHUNK_SLOTS);
  const bucket = values(signals, "bucket", CHUNK_SLOTS);
  const cps = values(signals, "counterparty", CHUNK_BUCKETS);
  const totals = values(signals, "total", CHUNK_BUCKETS);
  if (!("bankIndex" in signals)) throw new InvalidArgumentError("bankIndex", "is missing");
  const bankIndex = toField(signals.bankIndex, "bankIndex");
  if (bankIndex >= 1n << 16n) throw new InvalidArgumentError("bankIndex", "does not fit 16 bits");
  cps.forEach((c, k) => {
    if (c >= 1n << 16n) throw new InvalidArgumentError(`counterparty[${k}]`, "does not fit 16 bits");
  });
  const sums = new Array<bigint>(CHUNK_BUCKETS).fill(0n);
  const slots = digest.map((d, i) => {
    if (used[i] > 1n) throw new InvalidArgumentError(`used[${i}]`, "must be 0 or 1");
    if (bucket[i] >= BigInt(CHUNK_BUCKETS)) throw new InvalidArgumentError(`bucket[${i}]`, "must be 0–3");
    if (amount[i] >= 1n << 64n) throw new InvalidArgumentError(`amount[${i}]`, "does not fit 64 bits");
    if (used[i] === 0n && (d !== 0n || amount[i] !== 0n))
      throw new InvalidArgumentError(`used[${i}]`, "is 0 but the slot's digest or amount is not");
    sums[Number(bucket[i])] += amount[i];
    const packed = used[i] === 1n ? packedOf(Number(bankIndex), Number(cps[Number(bucket[i])]), amount[i]) : 0n;
    return { digest: d, packed };
  });
  totals.forEach((t, k) => {
    if (t !== sums[k])
      throw new InvalidArgumentError(`total[${k}]`, `is ${t}, bucket ${k}'s amounts sum to ${sums[k]}`);
  });
  if (expected !== undefined) {
    const groups: bigint[] = [];
    for (let g = 0; g < CHUNK_GROUPS; g++) groups.push(groupHash(slots.slice(g * GROUP_SLOTS, (g + 1) * GROUP_SLOTS)));
    if (chunkRootOf(groups) !== toField(expected, "root"))
      throw new InvalidArgumentError("root", "the inputs do not lead to this root");
  }
  return signals;
}
