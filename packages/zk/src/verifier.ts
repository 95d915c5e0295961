/** The audit's proof verifier: snarkjs against the verification keys committed with the circuits. */
import type { ProofVerifier } from "@clearhouse/sdk/audit";
import { CIRCUIT_IDS, type CircuitId } from "@clearhouse/sdk/zk";
import type { VerificationKey } from "@clearhouse/sdk/zk";
import { verificationKey, verify } from "./prover";

/** Off-chain verification of a proof given in the verifier's calldata order. */
export async function verifyCalldataProof(
  circuit: CircuitId,
  p: readonly bigint[],
  signals: readonly bigint[],
): Promise<boolean> {
  const s = (x: bigint) => x.toString();
  return verify({
    format: "clearhouse.proof/1",
    circuit,
    proof: {
      pi_a: [s(p[0]), s(p[1]), "1"],
      pi_b: [
        [s(p[3]), s(p[2])],
        [s(p[5]), s(p[4])],
        ["1", "0"],
      ],
      pi_c: [s(p[6]), s(p[7]), "1"],
      protocol: "groth16",
      curve: "bn128",
    },
    publicSignals: signals.map(s),
  });
}

/**
 * A `ProofVerifier` for `auditSnapshot`/`auditChain`: every circuit whose artifacts are present,
 * verified off-chain with snarkjs. Call `releaseProver()` when done (snarkjs keeps worker threads).
 */
export function proofVerifier(): ProofVerifier {
  const keys: Partial<Record<CircuitId, VerificationKey>> = {};
  for (const id of CIRCUIT_IDS) {
    try {
      keys[id] = verificationKey(id);
    } catch {
      // artifacts missing: the proof check reports nothing for this circuit
    }
  }
  return { verifyProof: verifyCalldataProof, verificationKeys: keys };
}
