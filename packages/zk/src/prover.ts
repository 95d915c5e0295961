/**
 * Proving and verifying with snarkjs (Groth16, BN254) from the committed ceremony artifacts, and
 * the calldata form the on-chain verifiers take.
 */
import { existsSync, readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import { WitnessCalculatorBuilder, type WitnessCalculator } from "circom_runtime";
import { ClearhouseError } from "@clearhouse/sdk/errors";
import { circuitSpec, type CircuitId } from "@clearhouse/sdk/zk";
import { checkBundle, type Groth16Proof, type ProofBundle } from "@clearhouse/sdk/zk";
import type { VerificationKey } from "@clearhouse/sdk/zk";
import { artifactPaths } from "./artifacts";
import { validateInputs, type CircuitInputs } from "./inputs";

/** The artifacts of a circuit are not there (the ceremony was not run or not committed). */
export class ZkArtifactsMissingError extends ClearhouseError {
  override name = "ZkArtifactsMissingError";
  constructor(
    readonly circuit: CircuitId,
    readonly path: string,
  ) {
    super(`The ${circuit} circuit's artifact ${path} is missing.`, {
      category: "input",
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
      category: "input",
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
 * Each circuit's witness calculator, built once from its wasm: WebAssembly compilation of the
 * circuit (~0.5 CPU-s for private_netting_256) is paid once per process, not once per proof. A
 * calculator is one wasm instance whose memory holds the witness being computed, and
 * `calculateWTNSBin` awaits between computing and reading it: concurrent proofs of one circuit
 * would read each other's witness, so its witnesses are computed one at a time (`turns`).
 */
const calculators = new Map<CircuitId, Promise<WitnessCalculator>>();
const turns = new Map<CircuitId, Promise<unknown>>();

/** The witness of `signals` (snarkjs .wtns bytes), after any other witness of `circuit` in progress. */
function witnessOf(circuit: CircuitId, signals: CircuitInputs): Promise<Uint8Array> {
  const previous = turns.get(circuit) ?? Promise.resolve();
  const mine = previous
    .catch(() => undefined)
    .then(async () => (await calculatorOf(circuit)).calculateWTNSBin(signals, true));
  turns.set(circuit, mine);
  return mine;
}

function calculatorOf(circuit: CircuitId): Promise<WitnessCalculator> {
  let wc = calculators.get(circuit);
  if (!wc) {
    wc = WitnessCalculatorBuilder(readFileSync(artifact(circuit, "wasm")));
    calculators.set(circuit, wc);
    wc.catch(() => calculators.delete(circuit));
  }
  return wc;
}

/**
 * Prove: validate the inputs (errors name the wrong input), compute the witness (with the
 * circuit's cached witness calculator) and a Groth16 proof. Call `releaseProver()` when done so the
 * process can exit.
 */
export async function prove(circuit: CircuitId, inputs: CircuitInputs | unknown): Promise<ProofBundle> {
  circuitSpec(circuit);
  const signals = validateInputs(circuit, inputs);
  const zkey = artifact(circuit, "zkey");
  artifact(circuit, "wasm");
  let wtns: Uint8Array;
  try {
    wtns = await witnessOf(circuit, signals);
  } catch (error) {
    throw new ZkWitnessError(circuit, error);
  }
  const result = (await snarkjs.groth16.prove(zkey, wtns)) as unknown as {
    proof: Groth16Proof;
    publicSignals: string[];
  };
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

/** Stop snarkjs's curve worker threads (they keep a process alive). Safe to call repeatedly. */
export async function releaseProver(): Promise<void> {
  // ffjavascript caches the curve in globalThis.curve_bn128 and clears it in terminate().
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128;
  if (curve) await curve.terminate();
}
