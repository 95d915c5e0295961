/**
 * `npm run bench:zk` — the zk layer's figures in one run:
 *
 *   per shipped circuit: constraints, proving time (median of 5 after a warm-up), off-chain verify
 *   time (median of 5), on-chain verification gas (a transaction calling the exported verifier, and
 *   one through VerifierRegistry), with Semaphore v4 beside them: its circuit's structure rebuilt
 *   from circomlib (bench/zk/semaphore_v4_peer.circom) is compiled and proven in the same run, and
 *   its published on-chain figure is quoted;
 *   batch_netting scaling: 16 / 32 / 64 payments per chunk — constraints, proving time and ceremony
 *   time (from the ceremony journals of `npm run ceremony` and the scaling runs, see docs/zk.md).
 *
 * Targets (issue 7): on-chain verification ≤ 250,000 gas for each circuit; a kyc_membership proof
 * in under 2 s on this machine. private_netting_256's figures come from `npm run bench:private`.
 *
 * `BENCH_ZK_CIRCUITS=kyc_membership,kyc_tier npm run bench:zk` measures only those circuits (no peer,
 * no scaling) and writes bench/results/zk-<circuits>.json, leaving zk.json as it is. The peer's setup is a single-party zkey from the local phase-1 file
 * (timing only); without build/ceremony the peer's proving time is skipped and says so.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import * as snarkjs from "snarkjs";
import { toHex, type Address } from "viem";
import { renderTable } from "../packages/sdk/src/format/table";
import { encodeRecord, type PaymentRecord } from "../packages/sdk/src/settlement/record";
import { CIRCUITS, CIRCUIT_IDS, type CircuitId } from "../packages/sdk/src/zk/circuits";
import { TRANSCRIPT_PATH, artifactPaths } from "../packages/zk/src/artifacts";
import { PACKAGE_ROOT } from "../packages/zk/src/artifacts";
import { buildPrivateChunks } from "../packages/zk/src/chunk";
import { amountInputs, kycInputs, kycTierInputs, nettingInputs, type CircuitInputs } from "../packages/zk/src/inputs";
import { identityCommitment, KycTree, tierCommitment } from "../packages/zk/src/kyc";
import { prove, releaseProver, verify, verificationKey } from "../packages/zk/src/prover";
import { toCalldata, type ProofBundle } from "../packages/sdk/src/zk/proof";
import { vkHashOf } from "../packages/sdk/src/zk/vk";
import { compileCircuit } from "../scripts/lib/circom";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { buildTracedBatch } from "../packages/zk/src/tracedBatch";
import { privateTracedInputs } from "../packages/zk/src/tracedInputs";
import { writeResult } from "./results";

const RUNS = 5;
const TARGET_GAS = 250_000;
const TARGET_KYC_SECONDS = 2;
/** Published: Semaphore v4 `validateProof` on chain (the issue's anchor; includes its own checks). */
const SEMAPHORE_V4_VALIDATE_GAS = 289_000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const secondsOf = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
};
const fmt = (n: number): string => n.toLocaleString("en");

function records(n: number, debtor: Address, creditors: readonly Address[]): PaymentRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    paymentId: `BENCH-${i + 1}`,
    debtorBank: debtor,
    creditorBank: creditors[i % creditors.length],
    amount: BigInt(10_000 + 97 * i),
    currency: "EUR",
    valueDate: "2026-11-23",
    endToEndId: `E2E-${i + 1}`,
    debtorAccountHash: toHex(BigInt(i + 1), { size: 32 }),
    creditorAccountHash: toHex(BigInt(i + 100_001), { size: 32 }),
  }));
}

const BANK: Address = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const CREDITORS: Address[] = [
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
  "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
];

/** Raw batch_netting inputs for a chunk of any size (the SDK builds the shipped 16-slot one). */
function nettingInputsOfSize(size: number): CircuitInputs {
  const rs = records(size, BANK, CREDITORS);
  const totals = CREDITORS.map((c) => rs.filter((r) => r.creditorBank === c).reduce((s, r) => s + r.amount, 0n));
  return {
    records: rs.map((r) => encodeRecord(r).map(String)),
    bucket: rs.map((r) => String(CREDITORS.indexOf(r.creditorBank))),
    counterparty: CREDITORS.map((c) => String(BigInt(c))),
    total: totals.map(String),
    bank: String(BigInt(BANK)),
  };
}

/** Payment slots a proof of the circuit covers (netting circuits). */
const SLOTS: Partial<Record<CircuitId, number>> = {
  batch_netting_16: 16,
  private_netting_256: 256,
  private_traced_32: 32,
};
/** On-chain verification targets: 250k (issue 7), 300k for a traced chunk (issue 23). */
const targetGas = (id: CircuitId) => (id === "private_traced_32" ? 300_000 : TARGET_GAS);

function inputsFor(id: CircuitId): CircuitInputs | undefined {
  if (id === "private_netting_256") return undefined; // bench:private
  if (id === "private_traced_32") {
    // 32 payments to 4 creditors, every 4th at or above the threshold, one chunk
    const rs = records(32, BANK, CREDITORS).map((r, i) => (i % 4 === 0 ? { ...r, amount: r.amount + 5_000_000n } : r));
    const indexOf = (a: Address) => (a === BANK ? 1 : 2 + CREDITORS.indexOf(a));
    const [chunk] = buildTracedBatch(rs.slice(0, 8 * 4), { submitter: BANK, key: "bench-traced", indexOf }).chunks;
    const [x, y] = mulPointEscalar(Base8, 0xbe4c4n);
    return privateTracedInputs(chunk, { epoch: 1, key: { x, y }, threshold: 5_000_000n }).inputs;
  }
  if (id === "kyc_tier") {
    // 1,024 customers of tiers 1..3; customer 517 (tier 2) proves tier ≥ 2
    const credentials = Array.from({ length: 1024 }, (_, i) => ({ secret: BigInt(1_000 + i), tier: 1 + (i % 3) }));
    const tree = new KycTree(credentials.map((c) => tierCommitment(c.secret, c.tier)));
    const { secret, tier } = credentials[517];
    const path = tree.path(tierCommitment(secret, tier));
    return kycTierInputs({ secret, tier, path, scope: 42n, message: 7n, minTier: 2 });
  }
  if (id === "kyc_membership") {
    const secrets = Array.from({ length: 1024 }, (_, i) => BigInt(1_000 + i));
    const tree = new KycTree(secrets.map(identityCommitment));
    const secret = secrets[517];
    return kycInputs({ secret, path: tree.path(identityCommitment(secret)), scope: 42n, message: 7n });
  }
  if (id === "amount_limit")
    return amountInputs({ amount: 250_000n, blinding: 987_654_321n, limit: 1_000_000n, message: 7n });
  const [chunk] = buildPrivateChunks(records(16, BANK, CREDITORS), { submitter: BANK, keyPrefix: "bench" });
  return nettingInputs(chunk);
}

interface Timing {
  proveSeconds: number;
  proveRuns: number[];
  warmupSeconds: number;
}

async function timeProving(run: () => Promise<unknown>, runs = RUNS): Promise<Timing> {
  const warmupSeconds = await secondsOf(run);
  const proveRuns: number[] = [];
  for (let i = 0; i < runs; i++) proveRuns.push(await secondsOf(run));
  return { proveSeconds: median(proveRuns), proveRuns, warmupSeconds };
}

async function onChainGas(id: CircuitId, bundle: ProofBundle) {
  const { ethers, upgrades } = hre;
  const [owner] = await ethers.getSigners();
  const verifier = await (await ethers.getContractFactory(CIRCUITS[id].contract)).deploy();
  await verifier.waitForDeployment();
  const registry = await upgrades.deployProxy(await ethers.getContractFactory("VerifierRegistry"), [owner.address], {
    kind: "uups",
  });
  await registry.waitForDeployment();
  const key = ethers.encodeBytes32String(id);
  await (
    await registry.getFunction("registerCircuit")(
      key,
      await verifier.getAddress(),
      CIRCUITS[id].publicSignals.length,
      vkHashOf(verificationKey(id)),
      ethers.ZeroHash,
    )
  ).wait();
  const c = toCalldata(bundle);
  const p = c.proof;
  const direct = await verifier.getFunction("verifyProof").estimateGas(
    [p[0], p[1]],
    [
      [p[2], p[3]],
      [p[4], p[5]],
    ],
    [p[6], p[7]],
    c.publicSignals,
  );
  const viaRegistry = await registry.getFunction("verify").estimateGas(key, [...p], c.publicSignals);
  const ok = (await verifier.getFunction("verifyProof")(
    [p[0], p[1]],
    [
      [p[2], p[3]],
      [p[4], p[5]],
    ],
    [p[6], p[7]],
    c.publicSignals,
  )) as boolean;
  if (!ok) throw new Error(`${id}: the on-chain verifier rejected a valid proof`);
  return { verifierTx: Number(direct), registryTx: Number(viaRegistry) };
}

/** The Semaphore v4 peer: constraints always; proving time when a local phase-1 file exists. */
async function semaphorePeer() {
  const out = mkdtempSync(join(tmpdir(), "semaphore-peer-"));
  compileCircuit("bench/zk/semaphore_v4_peer.circom", out, { wasm: true });
  const r1cs = join(out, "semaphore_v4_peer.r1cs");
  const constraints = (await snarkjs.r1cs.info(r1cs)).nConstraints;
  const ptau = join(PACKAGE_ROOT, "build", "ceremony", "phase1", "pot14_final.ptau");
  if (!existsSync(ptau))
    return {
      constraints,
      timing: undefined,
      note: "no build/ceremony phase-1 file: run `npm run ceremony` to time the peer",
    };
  const zkey = join(out, "peer.zkey");
  await snarkjs.zKey.newZKey(r1cs, ptau, zkey);
  const input = {
    secret: "123456789",
    depth: "20",
    indices: Array.from({ length: 20 }, (_, i) => String(i % 2)),
    siblings: Array.from({ length: 20 }, (_, i) => String(1000 + i)),
    message: "7",
    scope: "42",
  };
  const wasm = join(out, "semaphore_v4_peer_js", "semaphore_v4_peer.wasm");
  const timing = await timeProving(() => snarkjs.groth16.fullProve(input, wasm, zkey));
  return { constraints, timing, note: "single-party zkey from the local 2^14 phase-1 file (timing only)" };
}

interface Journal {
  steps: Record<string, { seconds: number }>;
}
/** Ceremony seconds for a circuit from a journal: phase 1 (shared) and the circuit's phase 2. */
function ceremonySeconds(journalPath: string, id: string) {
  if (!existsSync(journalPath)) return undefined;
  const j = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
  const sum = (pred: (k: string) => boolean) =>
    Object.entries(j.steps)
      .filter(([k]) => pred(k))
      .reduce((s, [, v]) => s + v.seconds, 0);
  const phase1 = sum((k) => k.startsWith("phase1/"));
  const prepare = j.steps["phase1/prepare"]?.seconds ?? 0;
  const phase2 = sum((k) => k.startsWith(`${id}/`) && !k.endsWith("/compile"));
  if (!j.steps[`${id}/verify`]) return undefined;
  return { phase1, prepare, phase2, total: phase1 + phase2 };
}

async function scaling() {
  const rows = [];
  const transcript = JSON.parse(readFileSync(TRANSCRIPT_PATH, "utf8")) as {
    circuits: Record<string, { constraints: number }>;
  };
  for (const [size, power, dir] of [
    [16, 14, join(PACKAGE_ROOT, "build", "ceremony")],
    [32, 15, join(PACKAGE_ROOT, "build", "scaling-15")],
    [64, 16, join(PACKAGE_ROOT, "build", "scaling-16")],
  ] as const) {
    const id = `batch_netting_${size}`;
    let constraints = transcript.circuits[id]?.constraints;
    const work = join(dir, "circuits", id);
    const wasm = size === 16 ? artifactPaths("batch_netting_16").wasm : join(work, `${id}.wasm`);
    const zkey = size === 16 ? artifactPaths("batch_netting_16").zkey : join(work, `${id}_final.zkey`);
    if (constraints === undefined) {
      const out = mkdtempSync(join(tmpdir(), `${id}-`));
      compileCircuit(`circuits/main/${id}.circom`, out);
      constraints = (await snarkjs.r1cs.info(join(out, `${id}.r1cs`))).nConstraints;
    }
    let timing: Timing | undefined;
    if (existsSync(wasm) && existsSync(zkey)) {
      const input = nettingInputsOfSize(size);
      timing = await timeProving(() => snarkjs.groth16.fullProve(input, wasm, zkey), 3);
    }
    const ceremony = ceremonySeconds(join(dir, "journal.json"), id);
    rows.push({ size, power, constraints, timing, ceremony });
    console.log(
      `  batch_netting_${size}: ${fmt(constraints)} constraints${timing ? `, prove ${timing.proveSeconds.toFixed(2)} s` : ", not proven (no zkey)"}`,
    );
  }
  return rows;
}

async function main() {
  console.log(`zk benchmark on ${cpus().length} cores, ${RUNS} proofs per circuit after a warm-up\n`);
  const transcript = JSON.parse(readFileSync(TRANSCRIPT_PATH, "utf8")) as {
    power: number;
    circuits: Record<string, { constraints: number; publicInputs: number }>;
  };
  const only = process.env.BENCH_ZK_CIRCUITS?.split(",").filter(Boolean);
  for (const id of only ?? []) if (!CIRCUIT_IDS.includes(id as CircuitId)) throw new Error(`BENCH_ZK_CIRCUITS: ${id}?`);
  const circuits = [];
  for (const id of only ? (only as CircuitId[]) : CIRCUIT_IDS) {
    const input = inputsFor(id);
    if (!input) continue;
    let bundle: ProofBundle | undefined;
    const timing = await timeProving(async () => {
      bundle = await prove(id, input);
    });
    const verifyRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) verifyRuns.push(await secondsOf(() => verify(bundle!)));
    const gas = await onChainGas(id, bundle!);
    circuits.push({
      id,
      constraints: transcript.circuits[id].constraints,
      publicInputs: transcript.circuits[id].publicInputs,
      ...timing,
      verifySeconds: median(verifyRuns),
      gas,
    });
    console.log(`  ${id}: prove ${timing.proveSeconds.toFixed(2)} s, verify on chain ${fmt(gas.verifierTx)} gas`);
  }
  if (only) {
    await releaseProver();
    for (const c of circuits)
      console.log(
        `  ${c.id}: ${fmt(c.constraints)} constraints${SLOTS[c.id] ? ` (${fmt(Math.round(c.constraints / SLOTS[c.id]!))} a slot)` : ""}, ${c.publicInputs} public, prove ${c.proveSeconds.toFixed(2)} s, verify ${(c.verifySeconds * 1000).toFixed(0)} ms, verifier tx ${fmt(c.gas.verifierTx)} gas (target ${fmt(targetGas(c.id))}), via registry ${fmt(c.gas.registryTx)}`,
      );
    tracedBesideNetting(circuits);
    writeResult(`zk-${only.join("-")}`, {
      benchmark: "zk",
      date: new Date().toISOString(),
      machine: { cores: cpus().length, node: process.version },
      runs: RUNS,
      circuits,
    });
    return;
  }
  const peer = await semaphorePeer();
  console.log(
    `  Semaphore v4 peer: ${fmt(peer.constraints)} constraints${peer.timing ? `, prove ${peer.timing.proveSeconds.toFixed(2)} s` : ""}`,
  );
  console.log("\nbatch_netting scaling");
  const scale = await scaling();
  await releaseProver();

  console.log("\nPer circuit (proving and verifying: snarkjs 0.7.6 in Node; gas: eth_estimateGas of a transaction)\n");
  type Row = {
    name: string;
    constraints: string;
    pub: string;
    prove: string;
    verify: string;
    gas: string;
    registry: string;
  };
  const rows: Row[] = circuits.map((c) => ({
    name: c.id,
    constraints: fmt(c.constraints),
    pub: String(c.publicInputs),
    prove: c.proveSeconds.toFixed(2),
    verify: (c.verifySeconds * 1000).toFixed(0),
    gas: fmt(c.gas.verifierTx),
    registry: fmt(c.gas.registryTx),
  }));
  rows.push({
    name: "Semaphore v4 (peer, same run)",
    constraints: fmt(peer.constraints),
    pub: "4",
    prove: peer.timing ? peer.timing.proveSeconds.toFixed(2) : "—",
    verify: "—",
    gas: `(published validateProof ≈ ${fmt(SEMAPHORE_V4_VALIDATE_GAS)})`,
    registry: "—",
  });
  console.log(
    renderTable(rows, [
      { header: "circuit", value: (r) => r.name },
      { header: "constraints", value: (r) => r.constraints, align: "right" },
      { header: "public", value: (r) => r.pub, align: "right" },
      { header: "prove s (median)", value: (r) => r.prove, align: "right" },
      { header: "verify ms", value: (r) => r.verify, align: "right" },
      { header: "verifier tx gas", value: (r) => r.gas, align: "right" },
      { header: "via registry gas", value: (r) => r.registry, align: "right" },
    ]),
  );
  console.log(
    "\nbatch_netting per chunk size (ceremony = phase 1 at the power it needs + the circuit's phase 2, 4 members + beacon)\n",
  );
  console.log(
    renderTable(scale, [
      { header: "payments/chunk", value: (r) => String(r.size), align: "right" },
      { header: "constraints", value: (r) => fmt(r.constraints), align: "right" },
      { header: "per payment", value: (r) => fmt(Math.round(r.constraints / r.size)), align: "right" },
      { header: "powers of tau", value: (r) => `2^${r.power}`, align: "right" },
      { header: "prove s", value: (r) => (r.timing ? r.timing.proveSeconds.toFixed(2) : "—"), align: "right" },
      {
        header: "prove ms/payment",
        value: (r) => (r.timing ? ((1000 * r.timing.proveSeconds) / r.size).toFixed(0) : "—"),
        align: "right",
      },
      { header: "ceremony s", value: (r) => (r.ceremony ? r.ceremony.total.toFixed(0) : "not run"), align: "right" },
      {
        header: "of which prepare phase 2",
        value: (r) => (r.ceremony ? r.ceremony.prepare.toFixed(0) : "—"),
        align: "right",
      },
    ]),
  );
  const kyc = circuits.find((c) => c.id === "kyc_membership")!;
  const worstGas = Math.max(...circuits.filter((c) => c.id !== "private_traced_32").map((c) => c.gas.verifierTx));
  const traced = circuits.find((c) => c.id === "private_traced_32");
  tracedBesideNetting(circuits);
  const targets = [
    {
      rule: `on-chain verification <= ${fmt(TARGET_GAS)} gas for each circuit but private_traced_32`,
      met: worstGas <= TARGET_GAS,
      worst: worstGas,
    },
    ...(traced
      ? [
          {
            rule: "on-chain verification of a private_traced_32 chunk <= 300,000 gas",
            met: traced.gas.verifierTx <= 300_000,
            gas: traced.gas.verifierTx,
          },
        ]
      : []),
    {
      rule: `kyc_membership proof < ${TARGET_KYC_SECONDS} s`,
      met: kyc.proveSeconds < TARGET_KYC_SECONDS,
      seconds: kyc.proveSeconds,
    },
    {
      rule: "kyc_membership has fewer constraints than Semaphore v4 at depth 20",
      met: kyc.constraints < peer.constraints,
      ours: kyc.constraints,
      peer: peer.constraints,
    },
  ];
  console.log("");
  for (const t of targets)
    console.log(
      `Target: ${t.rule}: ${t.met ? "met" : "NOT met"} (${JSON.stringify({ ...t, rule: undefined, met: undefined })})`,
    );
  if (peer.timing)
    console.log(
      `kyc_membership / Semaphore v4 peer proving time: ${(kyc.proveSeconds / peer.timing.proveSeconds).toFixed(2)}×`,
    );
  writeResult("zk", {
    benchmark: "zk",
    date: new Date().toISOString(),
    machine: { cores: cpus().length, node: process.version },
    runs: RUNS,
    ceremonyPower: transcript.power,
    circuits,
    semaphoreV4: { peer, publishedValidateProofGas: SEMAPHORE_V4_VALIDATE_GAS },
    scaling: scale,
    targets,
  });
}

/** private_traced_32 beside batch_netting_16, measured in the same run: per slot and per chunk. */
function tracedBesideNetting(
  circuits: readonly { id: CircuitId; constraints: number; proveSeconds: number; gas: { verifierTx: number } }[],
): void {
  const t = circuits.find((c) => c.id === "private_traced_32");
  const n = circuits.find((c) => c.id === "batch_netting_16");
  if (!t || !n) return;
  console.log("\nprivate_traced_32 beside batch_netting_16 (same run)\n");
  console.log(
    renderTable(
      [t, n].map((c) => ({ c, slots: SLOTS[c.id]! })),
      [
        { header: "circuit", value: (r) => r.c.id },
        { header: "slots", value: (r) => String(r.slots), align: "right" },
        { header: "constraints", value: (r) => fmt(r.c.constraints), align: "right" },
        { header: "a slot", value: (r) => fmt(Math.round(r.c.constraints / r.slots)), align: "right" },
        { header: "prove s a chunk", value: (r) => r.c.proveSeconds.toFixed(2), align: "right" },
        { header: "prove ms a slot", value: (r) => ((1000 * r.c.proveSeconds) / r.slots).toFixed(0), align: "right" },
        { header: "verify gas", value: (r) => fmt(r.c.gas.verifierTx), align: "right" },
      ],
    ),
  );
  console.log(
    `ratio traced / batch_netting_16: ${(t.proveSeconds / n.proveSeconds).toFixed(2)}× a chunk, ` +
      `${(t.proveSeconds / 32 / (n.proveSeconds / 16)).toFixed(2)}× a slot; ` +
      `${(t.constraints / 32 / (n.constraints / 16)).toFixed(2)}× the constraints a slot`,
  );
}

main().catch(async (error: unknown) => {
  await releaseProver();
  console.error(error);
  process.exitCode = 1;
});
