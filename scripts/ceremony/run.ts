/**
 * `npm run ceremony`: the members' trusted setup, offline, resumable.
 *
 *   phase 1  powers of tau (BN254, 2^power): new, one contribution per member, a public beacon,
 *            verify, prepare phase 2;
 *   phase 2  per circuit: compile (circom 2, --O2), groth16 setup, one contribution per member,
 *            the beacon, `zkey verify` against the r1cs and the phase-1 file, export the
 *            verification key and the Solidity verifier;
 *   install  copy wasm, final zkey, verification key to circuits/build/<id>/, the verifier to
 *            contracts/zk/, and write circuits/build/transcript.json (every contribution hash).
 *
 * Each step shows its progress and time; the journal (build/ceremony/journal.json) lets a rerun
 * skip finished steps, so an interrupted ceremony resumes where it stopped. The raw ptau stays in
 * build/ceremony and is never committed. CeremonyOptions:
 *   --power N        powers of tau (default 14: 16,384 constraints)
 *   --members a,b,c  contributors, in order (default operator,bank-a,bank-b,bank-c)
 *   --circuits x,y   circuits/main/<x>.circom to set up (default: the shipped circuits)
 *   --beacon HEX     public beacon (production: a block hash fixed before the ceremony starts)
 *   --work DIR       working directory (default build/ceremony)
 *   --no-install     keep the results in the working directory (scaling runs)
 *   --add            add the circuits to the existing transcript instead of writing a new one; the
 *                    other circuits' entries stay as they are. If this run's phase 1 is not the
 *                    transcript's, each added circuit's entry records its own (./transcript.ts).
 *                    How kyc_tier was added: --power 13 --circuits kyc_tier --add
 *                    --work packages/zk/build/ceremony-13 (docs/zk.md, decision 038)
 *   --transcript F   the transcript to write (or, with --add, to extend); default
 *                    circuits/build/transcript.json, or <work>/transcript.json with --no-install
 *   --fresh          discard the journal and start over
 *
 * The contributions here run in one process, one after another, with fresh random entropy that is
 * never stored. In production each member runs its contribution on its own machine with the same
 * snarkjs commands (docs/zk.md) and passes the file on; the transcript and `zkey verify` are the
 * same.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { writeJsonAtomic } from "../../packages/sdk/src/node/fileio";
import { CIRCUITS, CIRCUIT_IDS, type CircuitId } from "../../packages/sdk/src/zk/circuits";
import { PACKAGE_ROOT, TRANSCRIPT_PATH, artifactPaths } from "../../packages/zk/src/artifacts";
import { circuitSources, fileHash, nodeModulePath } from "../../packages/zk/src/sources";
import { Journal } from "./journal";
import { mergeTranscript, type Transcript } from "./transcript";
import { BEACON_ITERATIONS_EXP, ceremonySteps, contractName, ptauPath, type CeremonyOptions } from "./steps";

/** Where a circuit's Solidity verifier lives in this repository (contracts/zk/<Contract>.sol). */
export function verifierSourcePath(id: CircuitId): string {
  return join(__dirname, "..", "..", "contracts", "zk", `${CIRCUITS[id].contract}.sol`);
}

function parseArgs(argv: string[]): CeremonyOptions {
  const o: CeremonyOptions = {
    power: 14,
    members: ["operator", "bank-a", "bank-b", "bank-c"],
    circuits: [...CIRCUIT_IDS],
    beacon: "0000000000000000000000000000000000000000000000000000000000000000",
    work: join(PACKAGE_ROOT, "build", "ceremony"),
    install: true,
    fresh: false,
    add: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--power") o.power = Number(value());
    else if (flag === "--members") o.members = value().split(",").filter(Boolean);
    else if (flag === "--circuits") o.circuits = value().split(",").filter(Boolean);
    else if (flag === "--beacon") o.beacon = value().replace(/^0x/, "");
    else if (flag === "--work") o.work = resolve(value());
    else if (flag === "--no-install") o.install = false;
    else if (flag === "--fresh") o.fresh = true;
    else if (flag === "--add") o.add = true;
    else if (flag === "--transcript") o.transcript = resolve(value());
    else throw new Error(`unknown option ${flag} (see the header of scripts/ceremony/run.ts)`);
  }
  if (!Number.isInteger(o.power) || o.power < 8 || o.power > 20)
    throw new Error("--power must be an integer from 8 to 20");
  if (o.members.length === 0 || new Set(o.members).size !== o.members.length)
    throw new Error("--members must be distinct names");
  if (!/^[0-9a-fA-F]{64}$/.test(o.beacon)) throw new Error("--beacon must be 32 bytes of hex");
  for (const c of o.circuits) {
    if (!/^[a-z0-9_]+$/.test(c) || !existsSync(join(PACKAGE_ROOT, "circuits", "main", `${c}.circom`))) {
      throw new Error(`--circuits: circuits/main/${c}.circom does not exist`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const w = o.work;
  const transcriptPath = o.transcript ?? (o.install ? TRANSCRIPT_PATH : join(w, "transcript.json"));
  // checked before any step: a long run must not end with nothing to add to
  if (o.add && !existsSync(transcriptPath))
    throw new Error(`--add: there is no transcript ${transcriptPath} to add to`);
  mkdirSync(w, { recursive: true });
  const journal = new Journal(
    join(w, "journal.json"),
    { ...o, work: relative(PACKAGE_ROOT, o.work), fresh: undefined, add: undefined, transcript: undefined },
    o.fresh,
  );
  const ptau = (n: string) => ptauPath(o, n);
  const steps = ceremonySteps(o);

  const total = steps.length;
  console.log(
    `Ceremony: 2^${o.power} powers of tau, ${o.members.length} members (${o.members.join(", ")}), ` +
      `circuits ${o.circuits.join(", ")}; ${total} steps; work dir ${relative(PACKAGE_ROOT, w)}`,
  );
  const started = Date.now();
  for (const [i, step] of steps.entries()) await journal.run(step, i + 1, total);

  // ---------------------------------------------------------------- transcript + install
  const rec = (id: string) => journal.record(id)!;
  const transcript: Transcript = {
    format: "clearhouse.ceremony-transcript/1",
    curve: "bn128",
    power: o.power,
    members: o.members,
    beacon: { hash: o.beacon, iterationsExp: BEACON_ITERATIONS_EXP },
    tools: { snarkjs: pkgVersion("snarkjs"), circom2: pkgVersion("circom2"), circomlib: pkgVersion("circomlib") },
    phase1: {
      contributions: o.members.map((m) => ({
        member: m,
        hash: String(rec(`phase1/contribute/${m}`).info.contributionHash),
      })),
      beacon: String(rec("phase1/beacon").info.contributionHash),
      finalPtauSha256: rec("phase1/prepare").outputs[ptau("final")],
      seconds: round(
        [
          "phase1/new",
          ...o.members.map((m) => `phase1/contribute/${m}`),
          "phase1/beacon",
          "phase1/verify",
          "phase1/prepare",
        ]
          .map((s) => rec(s).seconds)
          .reduce((a, b) => a + b, 0),
      ),
      prepareSeconds: round(rec("phase1/prepare").seconds),
    },
    circuits: Object.fromEntries(
      o.circuits.map((id) => {
        const dir = join(w, "circuits", id);
        const compile = rec(`${id}/compile`).info;
        const phase2 = [
          `${id}/setup`,
          ...o.members.map((m) => `${id}/contribute/${m}`),
          `${id}/beacon`,
          `${id}/verify`,
        ];
        return [
          id,
          {
            sources: circuitSources(join("circuits", "main", `${id}.circom`)),
            sourceHash: compile.sourceHash,
            constraints: compile.constraints,
            publicInputs: compile.publicInputs,
            contract: contractName(id),
            contributions: o.members.map((m) => ({
              member: m,
              hash: rec(`${id}/contribute/${m}`).info.contributionHash,
            })),
            beacon: rec(`${id}/beacon`).info.contributionHash,
            vkHash: rec(`${id}/verify`).info.vkHash,
            sha256: {
              r1cs: fileHash(join(dir, `${id}.r1cs`)),
              wasm: fileHash(join(dir, `${id}.wasm`)),
              zkey: fileHash(join(dir, `${id}_final.zkey`)),
              verificationKey: fileHash(join(dir, "verification_key.json")),
              verifier: fileHash(join(dir, `${contractName(id)}.sol`)),
            },
            seconds: {
              compile: round(rec(`${id}/compile`).seconds),
              phase2: round(phase2.map((s) => rec(s).seconds).reduce((a, b) => a + b, 0)),
            },
          },
        ];
      }),
    ),
  };
  const written = o.add
    ? mergeTranscript(JSON.parse(readFileSync(transcriptPath, "utf8")) as Transcript, transcript)
    : transcript;
  if (o.install) {
    for (const id of o.circuits) {
      const dir = join(w, "circuits", id);
      const to = artifactPaths(id as CircuitId);
      mkdirSync(join(to.wasm, ".."), { recursive: true });
      const verifier = verifierSourcePath(id as CircuitId);
      mkdirSync(join(verifier, ".."), { recursive: true });
      copyFileSync(join(dir, `${id}.wasm`), to.wasm);
      copyFileSync(join(dir, `${id}_final.zkey`), to.zkey);
      copyFileSync(join(dir, "verification_key.json"), to.verificationKey);
      copyFileSync(join(dir, `${contractName(id)}.sol`), verifier);
    }
  }
  writeJsonAtomic(transcriptPath, written);
  console.log(
    `\nCeremony complete in ${round((Date.now() - started) / 1000)} s this run; transcript ${relative(PACKAGE_ROOT, transcriptPath)}` +
      (o.install ? "; artifacts in circuits/build/, verifiers in contracts/zk/" : ""),
  );
}

function pkgVersion(name: string): string {
  return (JSON.parse(readFileSync(nodeModulePath(join(name, "package.json")) ?? name, "utf8")) as { version: string })
    .version;
}
const round = (x: number): number => Math.round(x * 10) / 10;

main()
  .catch((error: unknown) => {
    console.error(`\nceremony failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error("Rerun the same command to resume from the last finished step.");
    process.exitCode = 1;
  })
  .finally(() => {
    const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128;
    void curve?.terminate();
  });
