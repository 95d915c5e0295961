/**
 * Proving a private-mode v2 batch: one `private_netting_256` proof per chunk, returned in the form
 * `settlement.declareProvedChunks` takes (docs/spec/private-batch.md, decision 034).
 */
import type { ProvedChunkInput } from "@clearhouse/sdk/settlement";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { toCalldata } from "@clearhouse/sdk/zk";
import type { PrivateBatchV2, PrivateChunkV2 } from "./privateBatch";
import { privateNettingInputs } from "./privateInputs";
import { prove } from "./prover";

export interface ProvePrivateBatchOptions {
  /** Called after each chunk's proof: chunks done, chunks in all, that proof's milliseconds. */
  onProgress?: (done: number, total: number, ms: number) => void;
}

/** A chunk and its flattened proof in the form the engine's chunked declarations take. */
export function provedChunkOf(chunk: PrivateChunkV2, proof: readonly bigint[]): ProvedChunkInput {
  const [a, b, c, d] = chunk.amounts;
  const [p0, p1, p2, p3] = chunk.buckets;
  const [q0, q1, q2, q3, q4, q5, q6, q7] = proof;
  return {
    root: chunk.root,
    buckets: [p0, p1, p2, p3],
    amounts: [a, b, c, d],
    proof: [q0, q1, q2, q3, q4, q5, q6, q7],
  };
}

/**
 * Prove every chunk of `batch`, in its order (roots ascending), one after another. Each proof's
 * public signals are checked against [root, word0, word1] rebuilt from the chunk before it is
 * returned, so a chunk whose ledger indexes do not match its inputs fails here, not on chain.
 */
export async function provePrivateBatch(
  batch: PrivateBatchV2,
  o: ProvePrivateBatchOptions = {},
): Promise<ProvedChunkInput[]> {
  const out: ProvedChunkInput[] = [];
  for (const [i, chunk] of batch.chunks.entries()) {
    const started = Date.now();
    const { inputs, publicSignals } = privateNettingInputs(chunk);
    const calldata = toCalldata(await prove("private_netting_256", inputs));
    if (calldata.publicSignals.some((s, k) => s !== publicSignals[k]))
      throw new InvalidArgumentError(
        `chunks[${i}]`,
        "proved to public signals other than its root and bucket words: rebuild the batch",
      );
    out.push(provedChunkOf(chunk, calldata.proof));
    o.onProgress?.(i + 1, batch.chunks.length, Date.now() - started);
  }
  return out;
}
