/**
 * The ceremony's steps (phase 1 for the powers of tau, phase 2 per circuit), each with the files
 * it produces, for the resumable journal (./journal.ts) that scripts/ceremony/run.ts drives.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { circuitSources, fileHash, nodeModulePath, sourceHash, sourcePath } from "../../packages/zk/src/sources";
import { vkHashOf, type VerificationKey } from "../../packages/sdk/src/zk/vk";
import { CIRCUITS, type CircuitId } from "../../packages/sdk/src/zk/circuits";
import { PACKAGE_ROOT } from "../../packages/zk/src/artifacts";
import { compileCircuit } from "../lib/circom";
import type { Step } from "./journal";

export interface CeremonyOptions {
  power: number;
  members: string[];
  circuits: string[];
  beacon: string;
  work: string;
  install: boolean;
  fresh: boolean;
  /** Add the circuits to an existing transcript (./transcript.ts). */
  add: boolean;
  /** The transcript to write or extend, when not the default. */
  transcript?: string;
}

export const BEACON_ITERATIONS_EXP = 10;

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const pascal = (id: string): string =>
  id
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
export const contractName = (id: string): string => `${pascal(id)}Verifier`;

/**
 * The Solidity template a circuit's verifier is exported with: snarkjs's Groth16 template, or for a
 * circuit with `batchVerify` in the SDK's table the same template with `verifyBatch` added
 * (packages/zk/circuits/verifier_groth16_batch.sol.ejs, decision 036).
 */
export function verifierTemplate(id: string): string {
  if (CIRCUITS[id as CircuitId]?.batchVerify) return join(PACKAGE_ROOT, "circuits", "verifier_groth16_batch.sol.ejs");
  return nodeModulePath("snarkjs/templates/verifier_groth16.sol.ejs") ?? "snarkjs/templates/verifier_groth16.sol.ejs";
}

const templateName = (path: string): string =>
  path.endsWith("verifier_groth16_batch.sol.ejs")
    ? "snarkjs groth16 template with verifyBatch, packages/zk/circuits/verifier_groth16_batch.sol.ejs"
    : "snarkjs groth16 template";
/** snarkjs reports through a logger; keep its warnings and errors, drop the chatter. */
export const logger = {
  log: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  // `powersoftau verify` runs before `prepare phase2` and says the file is not prepared yet: expected.
  warn: (m: string) => (/phase2 precalculated|preparephase2/.test(m) ? undefined : console.warn(`\n  snarkjs: ${m}`)),
  error: (m: string) => console.error(`\n  snarkjs: ${m}`),
};

/** A phase-1 file of the ceremony's working directory ("0000", "0001"…, "beacon", "final"). */
export const ptauPath = (o: CeremonyOptions, n: string): string => join(o.work, "phase1", `pot${o.power}_${n}.ptau`);

/** Every step, in order: phase 1, then compile + phase 2 for each circuit. */
export function ceremonySteps(o: CeremonyOptions): Step[] {
  const w = o.work;
  const ptau = (n: string) => ptauPath(o, n);
  const steps: Step[] = [];

  // ---------------------------------------------------------------- phase 1
  steps.push({
    id: "phase1/new",
    title: `phase 1: new powers of tau, BN254, 2^${o.power}`,
    outputs: [ptau("0000")],
    run: async (tmp) => {
      const curve = await (
        snarkjs as unknown as { curves: { getCurveFromName(n: string): Promise<unknown> } }
      ).curves.getCurveFromName("bn128");
      await snarkjs.powersOfTau.newAccumulator(curve, o.power, tmp(ptau("0000")), logger);
    },
  });
  steps.push(
    ...contributionChain(o, {
      id: "phase1",
      title: "phase 1",
      first: ptau("0000"),
      file: ptau,
      beaconFile: ptau("beacon"),
      contribute: (from, to, name, entropy) => snarkjs.powersOfTau.contribute(from, to, name, entropy, logger),
      beacon: (from, to) => snarkjs.powersOfTau.beacon(from, to, "beacon", o.beacon, BEACON_ITERATIONS_EXP, logger),
    }),
  );
  steps.push({
    id: "phase1/verify",
    title: "phase 1: verify every contribution",
    outputs: [join(w, "phase1", "verified.txt")],
    inputs: [ptau("beacon")],
    run: async (tmp) => {
      const verify = (snarkjs.powersOfTau as unknown as { verify(f: string, l: unknown): Promise<boolean> }).verify;
      if (!(await verify(ptau("beacon"), logger))) throw new Error("phase 1 transcript does not verify");
      writeFileSync(tmp(join(w, "phase1", "verified.txt")), `${fileHash(ptau("beacon"))} verified\n`);
    },
  });
  steps.push({
    id: "phase1/prepare",
    title: "phase 1: prepare phase 2 (the long step)",
    outputs: [ptau("final")],
    inputs: [ptau("beacon")],
    run: async (tmp) => {
      await snarkjs.powersOfTau.preparePhase2(ptau("beacon"), tmp(ptau("final")), logger);
    },
  });

  // ---------------------------------------------------------------- phase 2
  for (const id of o.circuits) {
    const dir = join(w, "circuits", id);
    const r1cs = join(dir, `${id}.r1cs`);
    const wasm = join(dir, `${id}.wasm`);
    const main = join("circuits", "main", `${id}.circom`);
    steps.push({
      id: `${id}/compile`,
      title: `${id}: compile (circom 2, --O2)`,
      outputs: [r1cs, wasm],
      // the circuit's sources: an edited circuit is compiled and set up again
      inputs: circuitSources(main).map(sourcePath),
      run: async (tmp) => {
        const out = join(dir, "compile.partial");
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        const compiled = compileCircuit(main, out, { wasm: true });
        copyFileSync(compiled.r1cs, tmp(r1cs));
        copyFileSync(compiled.wasm, tmp(wasm));
        rmSync(out, { recursive: true, force: true });
        const info = await snarkjs.r1cs.info(tmp(r1cs));
        return {
          sourceHash: sourceHash(main),
          constraints: info.nConstraints,
          publicInputs: info.nPubInputs + info.nOutputs,
        };
      },
    });
    const zkey = (n: string) => join(dir, `${id}_${n}.zkey`);
    steps.push({
      id: `${id}/setup`,
      title: `${id}: groth16 setup`,
      outputs: [zkey("0000")],
      inputs: [r1cs, ptau("final")],
      run: async (tmp) => {
        const result: unknown = await snarkjs.zKey.newZKey(r1cs, ptau("final"), tmp(zkey("0000")), logger);
        // snarkjs reports a circuit too big for the powers of tau (and other refusals) by returning -1.
        if (result === -1) {
          throw new Error(
            `${id}: groth16 setup refused (see the snarkjs message above); the powers of tau must exceed the circuit's constraints + public signals (use a larger --power)`,
          );
        }
      },
    });
    steps.push(
      ...contributionChain(o, {
        id,
        title: id,
        first: zkey("0000"),
        file: zkey,
        beaconFile: zkey("final"),
        contribute: (from, to, name, entropy) => snarkjs.zKey.contribute(from, to, name, entropy, logger),
        beacon: (from, to) => snarkjs.zKey.beacon(from, to, "beacon", o.beacon, BEACON_ITERATIONS_EXP, logger),
      }),
    );
    const vkey = join(dir, "verification_key.json");
    const verifier = join(dir, `${contractName(id)}.sol`);
    const template = verifierTemplate(id);
    steps.push({
      id: `${id}/verify`,
      title: `${id}: zkey verify (r1cs + phase 1 + every contribution) and export`,
      outputs: [vkey, verifier],
      inputs: [r1cs, ptau("final"), zkey("final"), template],
      run: async (tmp) => {
        if (!(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau("final"), zkey("final"), logger))) {
          throw new Error(`${id}: the final zkey does not verify against the r1cs and phase 1`);
        }
        const vk = (await snarkjs.zKey.exportVerificationKey(zkey("final"), logger)) as VerificationKey;
        writeFileSync(tmp(vkey), JSON.stringify(vk, null, 1) + "\n");
        const sol = (await snarkjs.zKey.exportSolidityVerifier(
          zkey("final"),
          { groth16: readFileSync(template, "utf8") },
          logger,
        )) as string;
        const named = sol.replace("contract Groth16Verifier", `contract ${contractName(id)}`);
        if (named === sol) throw new Error("snarkjs's verifier template changed: no `contract Groth16Verifier`");
        writeFileSync(
          tmp(verifier),
          `// Generated by scripts/ceremony/run.ts from circuits/main/${id}.circom (${templateName(template)}). Do not edit.\n` +
            named,
        );
        return { vkHash: vkHashOf(vk) };
      },
    });
  }

  return steps;
}

/**
 * One contribution step per member, then the beacon: each reads the file the previous step wrote
 * (`first`, then `file("0001")`, `file("0002")`…) and records its contribution hash.
 */
function contributionChain(
  o: CeremonyOptions,
  c: {
    id: string;
    title: string;
    first: string;
    file: (n: string) => string;
    beaconFile: string;
    contribute(from: string, to: string, name: string, entropy: string): Promise<unknown>;
    beacon(from: string, to: string): Promise<unknown>;
  },
): Step[] {
  const steps: Step[] = [];
  let last = c.first;
  o.members.forEach((member, i) => {
    const from = last;
    const to = c.file(String(i + 1).padStart(4, "0"));
    steps.push({
      id: `${c.id}/contribute/${member}`,
      title: `${c.title}: contribution ${i + 1}/${o.members.length} (${member})`,
      outputs: [to],
      inputs: [from],
      run: async (tmp) => {
        const hash = (await c.contribute(from, tmp(to), member, randomBytes(64).toString("hex"))) as Uint8Array;
        return { member, contributionHash: hex(hash) };
      },
    });
    last = to;
  });
  const from = last;
  steps.push({
    id: `${c.id}/beacon`,
    title: `${c.title}: beacon`,
    outputs: [c.beaconFile],
    inputs: [from],
    run: async (tmp) => ({ contributionHash: hex((await c.beacon(from, tmp(c.beaconFile))) as Uint8Array) }),
  });
  return steps;
}
