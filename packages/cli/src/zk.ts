import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { keccak256, stringToHex, toHex } from "viem";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { CIRCUITS, CIRCUIT_IDS, circuitSpec, type CircuitId } from "@clearhouse/sdk/zk";
import { toField } from "@clearhouse/sdk/zk";
import { validateInputs } from "@clearhouse/zk";
import { checkBundle, namedSignals, prove, releaseProver, verify, type ProofBundle } from "@clearhouse/zk";
import { UsageError } from "./exit";
import type { CliIo, GlobalOptions } from "./options";
import { print, toJson } from "./output";

function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`Cannot read ${what} from ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** A scope or message: a field element, or any other text hashed to one (keccak256 >> 8). */
export function fieldFromText(name: string, value: string): bigint {
  if (/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(value)) return toField(value, name);
  return BigInt(keccak256(stringToHex(value))) >> 8n;
}

export async function proveAndWrite(
  io: CliIo,
  g: GlobalOptions,
  circuit: CircuitId,
  inputs: unknown,
  out: string,
  snarkjsDir?: string,
) {
  validateInputs(circuit, inputs); // bad input fails here, before any "proving" line
  if (!g.json) io.err(`proving ${circuit} …`);
  const started = Date.now();
  try {
    const bundle = await prove(circuit, inputs);
    writeFileAtomic(out, toJson(bundle) + "\n");
    if (snarkjsDir) {
      mkdirSync(snarkjsDir, { recursive: true });
      writeFileAtomic(join(snarkjsDir, "proof.json"), JSON.stringify(bundle.proof, null, 1) + "\n");
      writeFileAtomic(join(snarkjsDir, "public.json"), JSON.stringify(bundle.publicSignals, null, 1) + "\n");
    }
    const seconds = (Date.now() - started) / 1000;
    const signals = namedSignals(bundle);
    print(
      io,
      g,
      `${circuit} proof written to ${out} (${seconds.toFixed(1)} s)\n` +
        Object.entries(signals)
          .map(([k, v]) => `  ${k.padEnd(12)} ${toHex(v, { size: 32 })}`)
          .join("\n"),
      { circuit, file: out, seconds, publicSignals: signals },
    );
  } finally {
    await releaseProver();
  }
}

/** A proof from a clearhouse.proof/1 file, or from snarkjs proof.json + public.json with its circuit. */
export function readBundle(
  file: string | undefined,
  o: { proof?: string; public?: string; circuit?: string },
): ProofBundle {
  if (file) return checkBundle(readJsonFile(file, "a proof"));
  if (!o.proof || !o.public || !o.circuit) {
    throw new UsageError(
      "Give a proof file, or --circuit with --proof proof.json --public public.json (snarkjs files).",
    );
  }
  return checkBundle({
    format: "clearhouse.proof/1",
    circuit: circuitSpec(o.circuit).id,
    proof: readJsonFile(o.proof, "a snarkjs proof"),
    publicSignals: readJsonFile(o.public, "snarkjs public signals"),
  });
}

export function zkCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const zk = new Command("zk").description("zero-knowledge proofs: prove and verify with the ceremony's artifacts");
  zk.command("circuits")
    .description("list the circuits, their public signals and what they prove")
    .addHelpText("after", "\nExample:\n  clearhouse --json zk circuits")
    .action(() => {
      const rows = CIRCUIT_IDS.map((id) => CIRCUITS[id]);
      print(
        io,
        globals(),
        rows.map((c) => `${c.id}\n  public: ${c.publicSignals.join(", ")}\n  proves: ${c.proves}`).join("\n"),
        rows,
      );
    });
  zk.command("prove")
    .description("prove a circuit from an input file (snarkjs input.json form, validated first)")
    .argument("<circuit>", `one of ${CIRCUIT_IDS.join(", ")}`)
    .requiredOption("--input <file>", "circuit inputs as JSON")
    .requiredOption("--out <file>", "where to write the proof (clearhouse.proof/1)")
    .option("--snarkjs-dir <dir>", "also write proof.json and public.json for the snarkjs CLI")
    .addHelpText("after", "\nExample:\n  clearhouse zk prove amount_limit --input amount.json --out amount.proof.json")
    .action(async (circuit: string, o: { input: string; out: string; snarkjsDir?: string }) => {
      const id = circuitSpec(circuit).id;
      await proveAndWrite(io, globals(), id, readJsonFile(o.input, "circuit inputs"), o.out, o.snarkjsDir);
    });
  zk.command("verify")
    .description("verify a proof off-chain against the committed verification key")
    .argument("[proof-file]", "a clearhouse.proof/1 file")
    .option("--circuit <id>", "with --proof/--public: the circuit of snarkjs files")
    .option("--proof <file>", "snarkjs proof.json")
    .option("--public <file>", "snarkjs public.json")
    .addHelpText("after", "\nExample:\n  clearhouse zk verify amount.proof.json")
    .action(async (file: string | undefined, o: { circuit?: string; proof?: string; public?: string }) => {
      const g = globals();
      const bundle = readBundle(file, o);
      let valid: boolean;
      try {
        valid = await verify(bundle);
      } finally {
        await releaseProver();
      }
      print(io, g, valid ? `valid ${bundle.circuit} proof` : `INVALID ${bundle.circuit} proof`, {
        circuit: bundle.circuit,
        valid,
        publicSignals: namedSignals(bundle),
      });
      if (!valid)
        throw new UsageError("The proof does not verify.", "It was made for other public signals, or altered.", true);
    });
  return zk;
}
