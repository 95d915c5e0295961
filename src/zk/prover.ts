/**
 * Proving and verifying with snarkjs (Groth16, BN254) from the committed ceremony artifacts, and
 * the calldata form the on-chain verifiers take.
 */
import { existsSync, readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import { ClearhouseError, InvalidArgumentError } from "../errors/base";
import { artifactPaths, circuitSpec, type CircuitId } from "./circuits";
import { validateInputs, type CircuitInputs } from "./inputs";
import type { VerificationKey } from "./vk";

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

/** The artifacts of a circuit are not there (the ceremony was not run or not committed). */
export class ZkArtifactsMissingError extends ClearhouseError {
  override name = "ZkArtifactsMissingError";
  constructor(
    readonly circuit: CircuitId,
    readonly path: string,
  ) {
    super(`The ${circuit} circuit's artifact ${path} is missing.`, {
      hint: "Run `npm run ceremony` to produce circuits/build/, or restore it from git.",
    });
  }
}

/** The circuit refused the inputs (a constraint does not hold) although they passed validation. */
export class ZkWitnessError extends ClearhouseError {
  override name = "ZkWitnessError";
  constructor(
    readonly circuit: CircuitId,
    cause: unknown,
  ) {
    super(`The ${circuit} circuit refused the inputs: a constraint does not hold.`, {
      hint: "Check the inputs against the circuit's README line (circuits/README.md).",
      details: cause instanceof Error ? cause.message.split("\n")[0] : String(cause),
      cause,
    });
  }
}

function artifact(circuit: CircuitId, kind: "wasm" | "zkey" | "verificationKey"): string {
  const path = artifactPaths(circuit)[kind];
  if (!existsSync(path)) throw new ZkArtifactsMissingError(circuit, path);
  return path;
}

const vkCache = new Map<CircuitId, VerificationKey>();

/** The circuit's verification key (circuits/build/<id>/verification_key.json). */
export function verificationKey(circuit: CircuitId): VerificationKey {
  let vk = vkCache.get(circuit);
  if (!vk) {
    vk = JSON.parse(readFileSync(artifact(circuit, "verificationKey"), "utf8")) as VerificationKey;
    vkCache.set(circuit, vk);
  }
  return vk;
}

/**
 * Prove: validate the inputs (errors name the wrong input), compute the witness and a Groth16
 * proof. Call `releaseProver()` when done so the process can exit.
 */
export async function prove(circuit: CircuitId, inputs: CircuitInputs | unknown): Promise<ProofBundle> {
  circuitSpec(circuit);
  const signals = validateInputs(circuit, inputs);
  const wasm = artifact(circuit, "wasm");
  const zkey = artifact(circuit, "zkey");
  let result: { proof: Groth16Proof; publicSignals: string[] };
  try {
    result = (await snarkjs.groth16.fullProve(
      signals as snarkjs.CircuitSignals,
      wasm,
      zkey,
    )) as unknown as typeof result;
  } catch (error) {
    throw new ZkWitnessError(circuit, error);
  }
  return { format: "clearhouse.proof/1", circuit, proof: result.proof, publicSignals: result.publicSignals };
}

/** Verify a proof off-chain against the committed verification key. */
export async function verify(bundle: ProofBundle): Promise<boolean> {
  const checked = checkBundle(bundle);
  return snarkjs.groth16.verify(
    verificationKey(checked.circuit),
    checked.publicSignals,
    checked.proof as snarkjs.Groth16Proof,
  );
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

/** Stop snarkjs's curve worker threads (they keep a process alive). Safe to call repeatedly. */
export async function releaseProver(): Promise<void> {
  // ffjavascript caches the curve in globalThis.curve_bn128 and clears it in terminate().
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128;
  if (curve) await curve.terminate();
}
