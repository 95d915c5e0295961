/**
 * Groth16 proofs as Clearhouse files carry them, and the calldata form the on-chain verifiers take.
 * Pure (no snarkjs): proving and off-chain verification are in `@clearhouse/zk`.
 */
import { InvalidArgumentError } from "../errors/base";
import { circuitSpec, type CircuitId } from "./circuits";

/** A Groth16 proof as snarkjs writes it (proof.json). */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** A proof with its circuit and public signals: the file `clearhouse zk prove` writes. */
export interface ProofBundle {
  format: "clearhouse.proof/1";
  circuit: CircuitId;
  proof: Groth16Proof;
  /** Decimal strings, snarkjs order (public.json). */
  publicSignals: string[];
}

/** What an on-chain verifier (and VerifierRegistry) takes. */
export interface ProofCalldata {
  /** [a0, a1, b00, b01, b10, b11, c0, c1], b's coordinates swapped as the verifier expects. */
  proof: readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  publicSignals: bigint[];
}

/** The calldata a verifier takes (same order as snarkjs `exportSolidityCallData`). */
export function toCalldata(bundle: ProofBundle): ProofCalldata {
  const { proof, publicSignals } = checkBundle(bundle);
  const n = (s: string) => BigInt(s);
  return {
    proof: [
      n(proof.pi_a[0]),
      n(proof.pi_a[1]),
      n(proof.pi_b[0][1]),
      n(proof.pi_b[0][0]),
      n(proof.pi_b[1][1]),
      n(proof.pi_b[1][0]),
      n(proof.pi_c[0]),
      n(proof.pi_c[1]),
    ],
    publicSignals: publicSignals.map(n),
  };
}

/** Validate a proof bundle read from a file (or built by hand). */
export function checkBundle(value: unknown): ProofBundle {
  if (typeof value !== "object" || value === null) throw new InvalidArgumentError("proof", "is not a JSON object");
  const b = value as Partial<ProofBundle>;
  if (b.format !== "clearhouse.proof/1") throw new InvalidArgumentError("proof.format", `must be "clearhouse.proof/1"`);
  const spec = circuitSpec(String(b.circuit));
  const isNum = (x: unknown): x is string => typeof x === "string" && /^[0-9]+$/.test(x);
  const p = b.proof;
  const ok =
    p !== undefined &&
    Array.isArray(p.pi_a) &&
    p.pi_a.length >= 2 &&
    p.pi_a.every(isNum) &&
    Array.isArray(p.pi_b) &&
    p.pi_b.length >= 2 &&
    p.pi_b.every((row) => Array.isArray(row) && row.length >= 2 && row.every(isNum)) &&
    Array.isArray(p.pi_c) &&
    p.pi_c.length >= 2 &&
    p.pi_c.every(isNum);
  if (!ok)
    throw new InvalidArgumentError("proof.proof", "is not a Groth16 proof (pi_a, pi_b, pi_c of decimal strings)");
  if (!Array.isArray(b.publicSignals) || !b.publicSignals.every(isNum)) {
    throw new InvalidArgumentError("proof.publicSignals", "must be an array of decimal strings");
  }
  if (b.publicSignals.length !== spec.publicSignals.length) {
    throw new InvalidArgumentError(
      "proof.publicSignals",
      `has ${b.publicSignals.length} values; ${spec.id} has ${spec.publicSignals.length} (${spec.publicSignals.join(", ")})`,
    );
  }
  return b as ProofBundle;
}

/** The public signals by name. */
export function namedSignals(bundle: ProofBundle): Record<string, bigint> {
  const spec = circuitSpec(bundle.circuit);
  return Object.fromEntries(spec.publicSignals.map((name, i) => [name, BigInt(bundle.publicSignals[i])]));
}
