/**
 * `npm run bench:private` — what private mode costs beside standard mode, in one run on one chain
 * (issue 21, decision 034). One bank (Baltic) owes N payments to three banks; for N = 1,000 and
 * 10,000, from the same chain state (bench/settlementSetup.ts, evm_snapshot / evm_revert):
 *
 *   standard  buildBatch → submitBatch + declareBatch: 2 transactions;
 *   v1        private mode's first design: chunks of 16 payments, each proved (batch_netting_16),
 *             anchored and declared on its own (declareProvedBatch): 2 transactions a chunk;
 *   v2        buildPrivateBatch → one private_netting_256 proof per 256-slot chunk → submitBatch +
 *             declareProvedChunks: 2 transactions.
 *
 * Gas is the sum of the receipts' gasUsed (exact); the acknowledgement window is passed in time, not
 * acknowledged; the cycle close that follows costs the same in every mode (it nets totals) and is
 * left out. Proving is timed per design: wall seconds and the process's CPU seconds
 * (process.cpuUsage, which counts snarkjs's worker threads), one proof after another. v1 at 10,000
 * payments (625 proofs, ~40 CPU-minutes) is not run: its gas and proving are extrapolated from the
 * measured 1,000-payment run (each chunk's transactions cost the same but for calldata bytes), and
 * the table says so. Also measured: `VerifierRegistry.verify` of one proof of each circuit
 * (eth_estimateGas of a transaction). Prints a table and writes bench/results/private-mode.json.
 */
import { cpus } from "node:os";
import { encodeFunctionData, stringToHex, type Address } from "viem";
import { verifierRegistryAbi } from "../packages/contracts/src/abis";
import { renderTable } from "../packages/sdk/src/format/table";
import { buildBatch } from "../packages/sdk/src/settlement/batch";
import { accountHash, type PaymentRecord } from "../packages/sdk/src/settlement/record";
import { toCalldata, type ProofCalldata } from "../packages/sdk/src/zk/proof";
import { buildPrivateChunks } from "../packages/zk/src/chunk";
import { nettingInputs } from "../packages/zk/src/inputs";
import { buildPrivateBatch } from "../packages/zk/src/privateBatch";
import { provePrivateBatch } from "../packages/zk/src/privateProve";
import { privateNettingInputs } from "../packages/zk/src/privateInputs";
import { prove, releaseProver } from "../packages/zk/src/prover";
import { writeResult } from "./results";
import { fmt, sum, VALUE_DATE } from "./settlementReport";
import { send, setupBenchChain } from "./settlementSetup";

const SIZES = [1_000, 10_000];
/** v1 is measured up to this many payments and extrapolated above. */
const V1_MEASURED = 1_000;
const TARGET_GAS_RATIO = 5;
const TARGET_TX_FRACTION = 10;
const TARGET_PAYMENTS_PER_CPU_SECOND = 25;
const TARGET_VERIFY_GAS = 250_000;

interface ModeRun {
  mode: "standard" | "v1 (16 a proof)" | "v2 (256 a proof)";
  n: number;
  gas: bigint;
  transactions: number;
  proofs: number;
  proveWallSeconds: number;
  proveCpuSeconds: number;
  extrapolated: boolean;
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

async function main(): Promise<void> {
  console.log(`private mode benchmark on ${cpus().length} cores (one proof at a time)\n`);
  const chain = await setupBenchChain();
  const { operator, banks, bankAddress, passWindow, fresh } = chain;
  const debtor = 1; // Baltic
  const creditors = [0, 2, 3].map((i) => bankAddress[i]);
  const bank = banks[debtor];
  const indexes = new Map<string, number>();
  for (const a of bankAddress) indexes.set(a.toLowerCase(), (await operator.settlement.ledgerIndexOf({ bank: a }))!);
  const indexOf = (a: Address) => indexes.get(a.toLowerCase())!;

  const payments = (n: number, tag: string): PaymentRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      paymentId: `${tag}-${i}`,
      debtorBank: bankAddress[debtor],
      creditorBank: creditors[i % 3],
      amount: BigInt(100 + ((i * 7_919 + 13) % 99_901)), // €1.00 … €1,000.00
      currency: "EUR",
      valueDate: VALUE_DATE,
      endToEndId: `E2E-${tag}-${i}`,
      debtorAccountHash: accountHash(`BENCHD${String(i % 64).padStart(12, "0")}`),
      creditorAccountHash: accountHash(`BENCHC${String((7 * i) % 64).padStart(12, "0")}`),
    }));

  async function standard(n: number): Promise<ModeRun> {
    await fresh();
    const batch = buildBatch(payments(n, `S${n}`), { submitter: bankAddress[debtor], key: `std-${n}` });
    const submitted = await bank.settlement.submitBatch({ key: batch.key, header: batch.header });
    await passWindow();
    const declared = await bank.settlement.declareBatch({ key: batch.key, header: batch.header });
    const gas = (submitted.tx?.gasUsed ?? 0n) + declared.gasUsed;
    return {
      mode: "standard",
      n,
      gas,
      transactions: 2,
      proofs: 0,
      proveWallSeconds: 0,
      proveCpuSeconds: 0,
      extrapolated: false,
    };
  }

  const v1Runs = new Map<number, ModeRun>();
  async function v1(n: number): Promise<ModeRun> {
    const chunks = buildPrivateChunks(payments(n, `V1-${n}`), { submitter: bankAddress[debtor], keyPrefix: `v1-${n}` });
    if (n > V1_MEASURED) {
      const m = v1Runs.get(V1_MEASURED)!;
      const perProof = (x: number) => (x * chunks.length) / m.proofs;
      return {
        ...m,
        n,
        gas: (m.gas * BigInt(chunks.length)) / BigInt(m.proofs),
        transactions: 2 * chunks.length,
        proofs: chunks.length,
        proveWallSeconds: perProof(m.proveWallSeconds),
        proveCpuSeconds: perProof(m.proveCpuSeconds),
        extrapolated: true,
      };
    }
    await fresh();
    let wall = 0;
    let cpu = 0;
    const proofs = [];
    for (const [i, chunk] of chunks.entries()) {
      const [t, c] = [performance.now(), process.cpuUsage()];
      proofs.push(toCalldata(await prove("batch_netting_16", nettingInputs(chunk))).proof);
      [wall, cpu] = [wall + (performance.now() - t) / 1000, cpu + cpuSeconds(c)];
      process.stdout.write(`  v1, N = ${fmt(n)}: ${i + 1}/${chunks.length} chunks proved\r`);
    }
    // Proving took minutes of wall time: a fresh block, so the SDK stamps window ends from the chain's
    // present (evm_revert keeps Hardhat's clock offset; an idle automine chain's head is stale).
    await send("evm_mine");
    const gas: bigint[] = [];
    for (const chunk of chunks)
      gas.push((await bank.settlement.submitBatch({ key: chunk.key, header: chunk.header })).tx?.gasUsed ?? 0n);
    await passWindow();
    for (const [i, chunk] of chunks.entries()) {
      const [q0, q1, q2, q3, q4, q5, q6, q7] = proofs[i];
      const proof = [q0, q1, q2, q3, q4, q5, q6, q7] as const;
      gas.push((await bank.settlement.declareProvedBatch({ key: chunk.key, header: chunk.header, proof })).gasUsed);
    }
    const run: ModeRun = {
      mode: "v1 (16 a proof)",
      n,
      gas: sum(gas),
      transactions: gas.length,
      proofs: chunks.length,
      proveWallSeconds: wall,
      proveCpuSeconds: cpu,
      extrapolated: false,
    };
    v1Runs.set(n, run);
    return run;
  }

  async function v2(n: number): Promise<ModeRun> {
    await fresh();
    const batch = buildPrivateBatch(payments(n, `V2-${n}`), {
      submitter: bankAddress[debtor],
      key: `v2-${n}`,
      indexOf,
    });
    const [t, c] = [performance.now(), process.cpuUsage()];
    const chunks = await provePrivateBatch(batch, {
      onProgress: (done, total) => process.stdout.write(`  v2, N = ${fmt(n)}: ${done}/${total} chunks proved\r`),
    });
    const [wall, cpu] = [(performance.now() - t) / 1000, cpuSeconds(c)];
    await send("evm_mine"); // a fresh head for the window stamp, as in v1
    const submitted = await bank.settlement.submitBatch({ key: batch.key, header: batch.header });
    await passWindow();
    const declared = await bank.settlement.declareProvedChunks({ key: batch.key, header: batch.header, chunks });
    return {
      mode: "v2 (256 a proof)",
      n,
      gas: (submitted.tx?.gasUsed ?? 0n) + declared.gasUsed,
      transactions: 2,
      proofs: chunks.length,
      proveWallSeconds: wall,
      proveCpuSeconds: cpu,
      extrapolated: false,
    };
  }

  /** eth_estimateGas of VerifierRegistry.verify for one proof of each private-mode circuit. */
  async function registryGas() {
    const registry = chain.deployment.contracts.VerifierRegistry!.proxy;
    const estimate = (circuit: string, { proof, publicSignals }: ProofCalldata) =>
      operator.context.publicClient.estimateGas({
        account: bankAddress[debtor],
        to: registry,
        data: encodeFunctionData({
          abi: verifierRegistryAbi,
          functionName: "verify",
          args: [stringToHex(circuit, { size: 32 }), proof, publicSignals],
        }),
      });
    const [v1chunk] = buildPrivateChunks(payments(16, "R1"), { submitter: bankAddress[debtor], keyPrefix: "r1" });
    const p1 = toCalldata(await prove("batch_netting_16", nettingInputs(v1chunk)));
    const b2 = buildPrivateBatch(payments(256, "R2"), { submitter: bankAddress[debtor], key: "r2", indexOf });
    const p2 = toCalldata(await prove("private_netting_256", privateNettingInputs(b2.chunks[0]).inputs));
    return {
      batch_netting_16: await estimate("batch_netting_16", p1),
      private_netting_256: await estimate("private_netting_256", p2),
    };
  }

  const runs: ModeRun[] = [];
  try {
    for (const n of SIZES) {
      runs.push(await standard(n));
      runs.push(await v1(n));
      runs.push(await v2(n));
      process.stdout.write(`\r${" ".repeat(60)}\r`);
    }
    const verifyGas = await registryGas();
    report(runs, verifyGas);
  } finally {
    await releaseProver();
  }
}

function report(runs: ModeRun[], verifyGas: Record<string, bigint>): void {
  const std = (n: number) => runs.find((r) => r.mode === "standard" && r.n === n)!;
  const v1of = (n: number) => runs.find((r) => r.mode.startsWith("v1") && r.n === n)!;
  const perPayment = (r: ModeRun) => Number(r.gas) / r.n;
  console.log(
    "Per mode (gas: receipts' gasUsed, anchoring + declaration; proving: one proof at a time; * extrapolated from the 1,000-payment run)\n",
  );
  console.log(
    renderTable(runs, [
      { header: "payments", value: (r) => fmt(r.n), align: "right" },
      { header: "mode", value: (r) => r.mode + (r.extrapolated ? " *" : "") },
      { header: "gas", value: (r) => fmt(r.gas), align: "right" },
      { header: "gas/payment", value: (r) => fmt(Math.round(perPayment(r))), align: "right" },
      { header: "÷ standard", value: (r) => `${(perPayment(r) / perPayment(std(r.n))).toFixed(2)}×`, align: "right" },
      { header: "transactions", value: (r) => fmt(r.transactions), align: "right" },
      { header: "proofs", value: (r) => fmt(r.proofs), align: "right" },
      { header: "prove wall s", value: (r) => (r.proofs ? r.proveWallSeconds.toFixed(1) : "—"), align: "right" },
      { header: "prove CPU s", value: (r) => (r.proofs ? r.proveCpuSeconds.toFixed(1) : "—"), align: "right" },
      {
        header: "payments/CPU-s",
        value: (r) => (r.proofs ? (r.n / r.proveCpuSeconds).toFixed(1) : "—"),
        align: "right",
      },
    ]),
  );
  console.log(
    `\nVerifierRegistry.verify, one proof (eth_estimateGas): batch_netting_16 ${fmt(verifyGas.batch_netting_16)}, private_netting_256 ${fmt(verifyGas.private_netting_256)}`,
  );
  const v2runs = runs.filter((r) => r.mode.startsWith("v2"));
  const targets = [
    ...v2runs.map((r) => ({
      rule: `v2 gas per payment <= ${TARGET_GAS_RATIO}x standard at ${fmt(r.n)} payments`,
      value: Number((perPayment(r) / perPayment(std(r.n))).toFixed(2)),
      met: perPayment(r) <= TARGET_GAS_RATIO * perPayment(std(r.n)),
    })),
    ...v2runs.map((r) => ({
      rule: `v2 transactions <= 1/${TARGET_TX_FRACTION} of v1's at ${fmt(r.n)} payments`,
      value: r.transactions / v1of(r.n).transactions,
      met: r.transactions * TARGET_TX_FRACTION <= v1of(r.n).transactions,
    })),
    ...v2runs.map((r) => ({
      rule: `v2 proves >= ${TARGET_PAYMENTS_PER_CPU_SECOND} payments per CPU-second at ${fmt(r.n)} payments`,
      value: Number((r.n / r.proveCpuSeconds).toFixed(1)),
      met: r.n / r.proveCpuSeconds >= TARGET_PAYMENTS_PER_CPU_SECOND,
    })),
    {
      rule: `private_netting_256 verification through the registry <= ${fmt(TARGET_VERIFY_GAS)} gas`,
      value: Number(verifyGas.private_netting_256),
      met: verifyGas.private_netting_256 <= BigInt(TARGET_VERIFY_GAS),
    },
  ];
  console.log("");
  for (const t of targets) console.log(`Target: ${t.rule}: ${t.met ? "met" : "NOT met"} (${t.value})`);
  writeResult("private-mode", {
    benchmark: "private-mode",
    date: new Date().toISOString(),
    machine: { cores: cpus().length, node: process.version },
    runs: runs.map((r) => ({ ...r, gas: r.gas.toString(), gasPerPayment: Math.round(perPayment(r)) })),
    verifyGas: Object.fromEntries(Object.entries(verifyGas).map(([k, v]) => [k, v.toString()])),
    targets,
  });
}

main().catch(async (error: unknown) => {
  await releaseProver();
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
