/**
 * Private mode v2 for the contract tests: batches declared with `declareProvedChunks` (one proof per
 * chunk, IPrivateChunks at the engine's address), their header and commitment, and a proof made of
 * valid curve points that every Groth16 verifier checks in full and rejects.
 */
import { ethers } from "hardhat";
import type { IPrivateChunks, NettingEngine, SettlementLedger } from "../../../typechain-types";
import { makeBatch, type Batch } from "./helpers";
import type { TracedChunkInput } from "../../../packages/sdk/src/settlement/traced";

const coder = ethers.AbiCoder.defaultAbiCoder();

/** keccak256("clearhouse.batch.private/2"), NettingEngine.PRIVATE_CHUNKS_TAG. */
export const PRIVATE_CHUNKS_TAG = ethers.id("clearhouse.batch.private/2");
/** bytes32("private_netting_256"), PrivateProofs.PRIVATE_NETTING_CIRCUIT. */
export const PRIVATE_NETTING = ethers.encodeBytes32String("private_netting_256");

type Four<T> = [T, T, T, T];
/** A flattened Groth16 proof [a0, a1, b00, b01, b10, b11, c0, c1]. */
export type Proof = [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

/** IPrivateChunks.ProvedChunk. */
export interface ProvedChunk {
  root: bigint;
  buckets: Four<number>;
  amounts: Four<bigint>;
  proof: Proof;
}

/** `proof` as a Proof (exactly 8 words). */
export function asProof(proof: readonly bigint[]): Proof {
  if (proof.length !== 8) throw new Error(`a flattened proof has 8 words, not ${proof.length}`);
  return [...proof] as Proof;
}

/**
 * A flattened proof [a0, a1, b00, b01, b10, b11, c0, c1] of curve generators: a = c = G1's, b =
 * G2's (in the verifier's coordinate order). The points are valid, so a verifier runs its full
 * pairing check (the gas of a real verification) and answers false.
 */
export const CURVE_POINTS_PROOF: Readonly<Proof> = [
  1n,
  2n,
  11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  10857046999023057135944570762232829481370756359578518086990519993285655852781n,
  4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  8495653923123431417604973247489272438418190587263600148770280649306958101930n,
  1n,
  2n,
];

/** keccak256(abi.encode(PRIVATE_CHUNKS_TAG, counterparties, totals)). */
export const chunksCommitment = (counterparties: readonly string[], totals: readonly bigint[]): string =>
  ethers.keccak256(coder.encode(["bytes32", "address[]", "uint256[]"], [PRIVATE_CHUNKS_TAG, counterparties, totals]));

/** keccak256(abi.encodePacked(roots)): a v2 batch's header root. */
export const chunksRoot = (chunks: readonly ProvedChunk[]): string =>
  ethers.keccak256(
    ethers.solidityPacked(
      chunks.map(() => "uint256"),
      chunks.map((c) => c.root),
    ),
  );

/** The per-position sums of the chunks' bucket amounts over `n` counterparties. */
export function totalsOf(n: number, chunks: readonly ProvedChunk[]): bigint[] {
  const totals = new Array<bigint>(n).fill(0n);
  for (const c of chunks) c.buckets.forEach((p, k) => (totals[p] += c.amounts[k]));
  return totals;
}

/** A chunk with root `root`, buckets at `positions` holding `amounts` (padded: position 0, amount 0). */
export function chunk(
  root: bigint,
  positions: readonly number[],
  amounts: readonly bigint[],
  proof: readonly bigint[] = CURVE_POINTS_PROOF,
): ProvedChunk {
  const buckets = [...positions, 0, 0, 0, 0].slice(0, 4) as Four<number>;
  const padded = [...amounts, 0n, 0n, 0n, 0n].slice(0, 4) as Four<bigint>;
  return { root, buckets, amounts: padded, proof: asProof(proof) };
}

/**
 * A v2 batch: header root over the chunks' roots, totals their per-position sums (unless given),
 * the totals commitment tagged v2, gross total, entry count and mask to match.
 */
export async function makeChunkedBatch(
  ledger: SettlementLedger,
  label: string,
  counterparties: readonly string[],
  chunks: readonly ProvedChunk[],
  totals: readonly bigint[] = totalsOf(counterparties.length, chunks),
): Promise<Batch> {
  const payments = counterparties.map((c, i) => [c, totals[i]] as const);
  const batch = await makeBatch(ledger, label, payments, {
    root: chunksRoot(chunks),
    entryCount: BigInt(chunks.length * 4),
    totalsCommitment: chunksCommitment(counterparties, totals),
  });
  return batch;
}

/** IPrivateChunks at the engine's address (the engine's fallback runs it in PrivateProofs). */
export async function chunksAt(engine: NettingEngine): Promise<IPrivateChunks> {
  return ethers.getContractAt("IPrivateChunks", await engine.getAddress());
}

/** IPrivateChunks.TracedChunk arguments from the SDK's chunks (mutable copies, so a test may tamper with them). */
export const tracedArgs = (cs: readonly TracedChunkInput[]) =>
  cs.map((c) => ({
    root: c.root,
    buckets: [...c.buckets] as [number, number, number, number],
    amounts: [...c.amounts] as [bigint, bigint, bigint, bigint],
    ephemeral: [...c.ephemeral] as [bigint, bigint],
    ciphertexts: [...c.ciphertexts],
    proof: asProof(c.proof),
  }));
