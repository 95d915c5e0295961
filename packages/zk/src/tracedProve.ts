/**
 * Proving a traced (private/3) batch: one `private_traced_32` proof per chunk under the trace
 * policy current at proving time, returned with each chunk's ephemeral key and ciphertexts in the
 * form the engine's traced declaration takes (docs/spec/traced-batch.md, decision 041).
 */
import type { TracedChunkInput } from "@clearhouse/sdk/settlement";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { toCalldata, type TracePolicy } from "@clearhouse/sdk/zk";
import type { PrivateBatchV2 } from "./privateBatch";
import { provedChunkOf, type ProvePrivateBatchOptions } from "./privateProve";
import { prove } from "./prover";
import { TRACED_CHUNK_SLOTS } from "./tracedBatch";
import { privateTracedInputs } from "./tracedInputs";

/**
 * Prove every chunk of `batch` (built by `buildTracedBatch`) under `policy` (read it from the
 * VerifierRegistry just before: a chunk proved under a key that has since been rotated is refused
 * on chain), one after another, each with a fresh ephemeral scalar. Each proof's public signals are
 * checked against the ones rebuilt from the chunk and its ciphertexts before it is returned.
 */
export async function proveTracedBatch(
  batch: PrivateBatchV2,
  policy: TracePolicy,
  o: ProvePrivateBatchOptions = {},
): Promise<TracedChunkInput[]> {
  const out: TracedChunkInput[] = [];
  for (const [i, chunk] of batch.chunks.entries()) {
    if (chunk.slots.length !== TRACED_CHUNK_SLOTS)
      throw new InvalidArgumentError(`chunks[${i}]`, "is not a traced chunk: build the batch with buildTracedBatch");
    const started = Date.now();
    const w = privateTracedInputs(chunk, policy);
    const calldata = toCalldata(await prove("private_traced_32", w.inputs));
    if (calldata.publicSignals.some((s, k) => s !== w.publicSignals[k]))
      throw new InvalidArgumentError(
        `chunks[${i}]`,
        "proved to public signals other than the ones rebuilt from it: rebuild the batch",
      );
    out.push({ ...provedChunkOf(chunk, calldata.proof), ephemeral: w.ephemeralKey, ciphertexts: w.ciphertexts.flat() });
    o.onProgress?.(i + 1, batch.chunks.length, Date.now() - started);
  }
  return out;
}
