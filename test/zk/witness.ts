/**
 * Witness computation straight from the committed wasm (no SDK validation in between), so a test
 * can feed a circuit inputs that break one constraint and see the circuit itself refuse them.
 */
import * as snarkjs from "snarkjs";
import { type CircuitId } from "../../packages/sdk/src/zk/circuits";
import { artifactPaths } from "../../packages/zk/src/artifacts";
import type { CircuitInputs } from "../../packages/zk/src/inputs";

/** The full witness (index 0 is the constant 1, then outputs, then public inputs, then the rest). */
export async function witness(circuit: CircuitId, inputs: CircuitInputs): Promise<bigint[]> {
  const file = { type: "mem" as const }; // fastfile in-memory file: nothing on disk, no fd to leak
  await snarkjs.wtns.calculate(inputs as snarkjs.CircuitSignals, artifactPaths(circuit).wasm, file);
  return ((await snarkjs.wtns.exportJson(file as unknown as string)) as unknown as (bigint | string)[]).map((v) =>
    BigInt(v),
  );
}

/** The circuit's outputs (the first `n` witness values after the constant). */
export async function outputs(circuit: CircuitId, inputs: CircuitInputs, n: number): Promise<bigint[]> {
  return (await witness(circuit, inputs)).slice(1, 1 + n);
}

/**
 * Resolves to the witness error's message, or fails the test if the circuit accepted the inputs.
 * circom's witness calculator prints the failed assertion itself; that print is kept out of the
 * test output and returned instead.
 */
export async function refused(circuit: CircuitId, inputs: CircuitInputs): Promise<string> {
  const printed: string[] = [];
  const { log, error: err } = console;
  console.log = console.error = (...args: unknown[]) => void printed.push(args.join(" "));
  try {
    await witness(circuit, inputs);
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)} ${printed.join(" ")}`;
  } finally {
    console.log = log;
    console.error = err;
  }
  throw new Error(`${circuit} accepted inputs that break a constraint`);
}
