/**
 * The ledger's tree hash (decision 046): the governed setting new batches are anchored with, and
 * the hash a given batch was anchored with (kept in its anchor word).
 */
import type { Hex } from "viem";
import { readContract, type ClearhouseContext } from "../context";
import { ledger } from "./ledger";
import type { TreeHash } from "./treeHash";

export interface GetTreeHashParameters {
  /** Also the tree hash of this anchored batch (reverts LedgerUnknownBatch for an unknown one). */
  batchId?: Hex;
}

export interface GetTreeHashReturnType {
  /** The tree hash of batches submitted from now on. */
  ledger: TreeHash;
  /** The tree hash `batchId` was anchored with, when one was given. */
  batch?: TreeHash;
}

const NAMES: readonly TreeHash[] = ["keccak256", "sm3"];

/** The ledger's tree hash, and a batch's when `batchId` is given. */
export async function getTreeHash(
  ctx: ClearhouseContext,
  params: GetTreeHashParameters = {},
): Promise<GetTreeHashReturnType> {
  const current = await readContract(ctx, { ...ledger(ctx), functionName: "treeHash", args: [] });
  if (params.batchId === undefined) return { ledger: NAMES[Number(current)] };
  const batch = await readContract(ctx, { ...ledger(ctx), functionName: "treeHashOf", args: [params.batchId] });
  return { ledger: NAMES[Number(current)], batch: NAMES[Number(batch)] };
}
