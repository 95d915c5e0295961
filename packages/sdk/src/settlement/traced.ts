/**
 * Traced private batches (private/3, issue 23, decision 041; docs/spec/traced-batch.md): the
 * declaration that carries, per payment slot, a ciphertext for the regulator.
 */
import { privateChunksAbi } from "@clearhouse/contracts";
import { writeContract, type ClearhouseContext, type WriteResult } from "../context";
import { InvalidArgumentError } from "../errors/base";
import type { BatchHeaderFields } from "./ledger";
import { ENGINE_ERRORS, chunkDeclarationArgs, type ProvedChunkInput } from "./netting";
import { engine } from "./pending";

/** Ciphertext elements of a traced chunk: 32 slots × 7. */
export const TRACED_CIPHERTEXT_ELEMENTS = 224;

/**
 * One chunk of a traced (private/3) batch as the engine takes it: a `ProvedChunkInput` whose proof
 * is a `private_traced_32` proof, with the ephemeral key and the 32 slots' ciphertexts for the
 * regulator.
 */
export interface TracedChunkInput extends ProvedChunkInput {
  /** E = e·Base8, from which the regulator derives the chunk's shared key. */
  ephemeral: readonly [bigint, bigint];
  /** The 224 ciphertext elements, slot-major (7 a slot). */
  ciphertexts: readonly bigint[];
}

export interface DeclareTracedChunksParameters {
  /** The batch key (as anchored). */
  key: string;
  header: BatchHeaderFields;
  /** Every chunk of the batch, roots ascending (`proveTracedBatch` in @clearhouse/zk). */
  chunks: readonly TracedChunkInput[];
  /** Default: the current cycle. */
  cycleId?: bigint;
}

export type DeclareTracedChunksReturnType = WriteResult;

/**
 * Declare a final traced private batch into a cycle: every chunk's buckets, ephemeral key,
 * ciphertexts and `private_traced_32` proof in one transaction, at the engine's address
 * (`IPrivateChunks.declareTracedChunks`). Prove the chunks under the registry's current trace policy
 * (`getTracePolicy`) just before: a rotated key or changed threshold makes the proofs fail.
 */
export async function declareTracedChunks(
  ctx: ClearhouseContext,
  p: DeclareTracedChunksParameters,
): Promise<DeclareTracedChunksReturnType> {
  p.chunks.forEach((c, i) => {
    if (c.ciphertexts.length !== TRACED_CIPHERTEXT_ELEMENTS)
      throw new InvalidArgumentError(
        `chunks[${i}].ciphertexts`,
        `has ${c.ciphertexts.length} elements, a traced chunk has ${TRACED_CIPHERTEXT_ELEMENTS} (32 slots × 7)`,
      );
  });
  const [cycleId, key, header, counterparties, totals] = await chunkDeclarationArgs(ctx, "declareTracedChunks", p);
  return writeContract(ctx, {
    address: engine(ctx).address,
    abi: [...privateChunksAbi, ...ENGINE_ERRORS],
    functionName: "declareTracedChunks",
    args: [
      cycleId,
      key,
      header,
      counterparties,
      totals,
      p.chunks.map((c) => ({
        root: c.root,
        buckets: c.buckets,
        amounts: c.amounts,
        ephemeral: c.ephemeral,
        ciphertexts: [...c.ciphertexts] as unknown as readonly bigint[] & { length: 224 },
        proof: c.proof,
      })),
    ],
  });
}
