/** SDK for VerifierRegistry: registered circuits, on-chain verification, spent nullifiers. */
import { stringToHex, type Address, type Hex } from "viem";
import { readContract, type ClearhouseContext } from "../context";
import { contractOf } from "../contracts";
import { circuitSpec, type CircuitId } from "./circuits";
import { checkBundle, toCalldata, type ProofBundle } from "./proof";

const registry = (ctx: ClearhouseContext) => contractOf(ctx, "VerifierRegistry");

/** A circuit id as VerifierRegistry keys it: its name as bytes32. */
export function circuitKey(circuit: CircuitId): Hex {
  return stringToHex(circuitSpec(circuit).id, { size: 32 });
}

export interface RegisteredCircuit {
  /** The version (1 for the first registration of the name, then one more per registration). */
  version: number;
  verifier: Address;
  publicInputs: number;
  retired: boolean;
  vkHash: Hex;
  transcriptHash: Hex;
}

export interface GetCircuitParameters {
  circuit: CircuitId;
  /** Default: the current version. */
  version?: number;
}
export type GetCircuitReturnType = RegisteredCircuit;

/**
 * What governance registered for a circuit: its current version, or the given `version` (every
 * version stays readable; a retired one is never accepted again).
 */
export async function getCircuit(ctx: ClearhouseContext, p: GetCircuitParameters): Promise<GetCircuitReturnType> {
  const id = circuitKey(p.circuit);
  const version =
    p.version ?? (await readContract(ctx, { ...registry(ctx), functionName: "circuitVersion", args: [id] }));
  const c =
    p.version === undefined
      ? await readContract(ctx, { ...registry(ctx), functionName: "circuitOf", args: [id] })
      : await readContract(ctx, { ...registry(ctx), functionName: "circuitAt", args: [id, p.version] });
  return {
    version,
    verifier: c.verifier,
    publicInputs: c.publicInputs,
    retired: c.retired,
    vkHash: c.vkHash,
    transcriptHash: c.transcriptHash,
  };
}

export interface VerifyOnChainParameters {
  proof: ProofBundle;
}
export type VerifyOnChainReturnType = boolean;

/** Verify a proof with the circuit's registered on-chain verifier (a view call, no gas spent). */
export async function verifyOnChain(
  ctx: ClearhouseContext,
  p: VerifyOnChainParameters,
): Promise<VerifyOnChainReturnType> {
  const bundle = checkBundle(p.proof);
  const { proof, publicSignals } = toCalldata(bundle);
  return readContract(ctx, {
    ...registry(ctx),
    functionName: "verify",
    args: [circuitKey(bundle.circuit), proof, publicSignals],
  });
}

export interface IsNullifierSpentParameters {
  circuit: CircuitId;
  nullifier: bigint;
}
export type IsNullifierSpentReturnType = boolean;

/** Whether a nullifier of a circuit was spent. */
export async function isNullifierSpent(
  ctx: ClearhouseContext,
  p: IsNullifierSpentParameters,
): Promise<IsNullifierSpentReturnType> {
  return readContract(ctx, { ...registry(ctx), functionName: "isSpent", args: [circuitKey(p.circuit), p.nullifier] });
}
