/**
 * bench/settlement: settling N payments among four banks through Clearhouse against one on-chain
 * SettlementToken.transfer per payment, for N = 100, 1,000 and 10,000.
 *
 *   npx hardhat run bench/settlement.ts
 *
 * Each bank pays the other three (amounts €1–€1,000, deterministic); banks are admitted with a
 * single-transfer limit of 10^15 and a daily outflow of 10^16 minor units and hold 10^12 each, so
 * none is short and nothing is deferred. One-time set-up (deployment, admission, minting, enrolment
 * in the ledger, an unlimited allowance to the netting engine, one earlier-day transfer per bank so
 * its daily outflow record exists) is excluded; every measurement starts from the same chain state
 * (evm_snapshot / evm_revert), early on a fresh UTC day.
 *   (a) Clearhouse's daily routine, through the SDK as settlementDay does: 4 × submitBatch, the
 *       acknowledgement window passes without a dispute (silent finality), then one
 *       closeCycleWith(the 4 batches, openNext) — the operator presents the final batches, the engine
 *       nets and settles them and opens the next day's cycle. Gas is the sum of the receipts'
 *       gasUsed; wall time runs from building the 4 batches (records → Merkle tree + header) to the
 *       close receipt. Reported beside it, not in the routine: the 12 optional acknowledgements
 *       (counterparties that confirm early) and, at the largest N, the on-chain declaration path
 *       (4 × declare + closeCycle + openCycle). Anchoring gas (submitBatch) is split into intrinsic (21,000 + calldata) and
 *       execution: the execution part must not depend on N, calldata varies by a few zero bytes.
 *       A discarded N = 100 run warms up the JIT first. At the largest N, one transaction of each
 *       kind is traced (debug_traceTransaction) to show where the gas goes, by opcode.
 *   (b) Per payment: one SettlementToken.transfer each, sent for real for N = 100 and 1,000; for
 *       N = 10,000 the first 1,000 are sent and the total is extrapolated linearly from their mean.
 *   (c) SettlementLedger.verifyInclusion (a view) of a payment in an anchored 10,000-payment batch:
 *       eth_estimateGas of a transaction calling it, for the deepest leaf, and the proof length.
 * Prints tables and writes bench/results/settlement.json.
 */
import { breakdownOf, calldataGas, type Breakdown } from "./gasTrace";
import {
  BANK_KEYS,
  fmt,
  MEASURED_TRANSFERS,
  PROOF_BATCH,
  reportSettlement,
  SIZES,
  sum,
  VALUE_DATE,
  type Anchoring,
  type ClearhouseRun,
  type DeclarePathRun,
  type PerPaymentRun,
  type ProofRun,
} from "./settlementReport";
import { encodeFunctionData, type Hex } from "viem";
import type { Clearhouse } from "../packages/sdk/src/client";
import type { WriteResult } from "../packages/sdk/src/context";
import { settlementLedgerAbi } from "../packages/contracts/src/abis";
import { buildBatch, type Batch } from "../packages/sdk/src/settlement/batch";
import { accountHash, type PaymentRecord } from "../packages/sdk/src/settlement/record";
import { setupBenchChain } from "./settlementSetup";

async function main(): Promise<void> {
  const { owner, operator, banks, bankAddress, ledger, setupGas, passWindow, fresh } = await setupBenchChain();
  const clientOf = new Map(bankAddress.map((a, i) => [a, banks[i]]));

  // Deterministic account hashes: 16 accounts per bank.
  const accounts: Hex[][] = bankAddress.map((_, b) =>
    Array.from({ length: 16 }, (_, k) => accountHash(`BENCH${b}${String(k).padStart(12, "0")}`)),
  );
  /** N payments in arrival order: bank i % 4 pays each of the other three in turn. */
  const payments = (n: number, tag: string, onlyFirstBank = false): PaymentRecord[] =>
    Array.from({ length: n }, (_, i) => {
      const d = onlyFirstBank ? 0 : i % 4;
      const c = onlyFirstBank ? 1 + (i % 3) : (d + 1 + (Math.floor(i / 4) % 3)) % 4;
      return {
        paymentId: `${tag}-${i}`,
        debtorBank: bankAddress[d],
        creditorBank: bankAddress[c],
        amount: BigInt(100 + ((i * 7_919 + 13) % 99_901)), // €1.00 … €1,000.00
        currency: "EUR",
        valueDate: VALUE_DATE,
        endToEndId: `E2E-${tag}-${i}`,
        debtorAccountHash: accounts[d][i % 16],
        creditorAccountHash: accounts[c][(7 * i) % 16],
      };
    });

  const traced = async (hash: Hex): Promise<Breakdown> => {
    const pc = owner.context.publicClient;
    const [tx, receipt] = await Promise.all([pc.getTransaction({ hash }), pc.getTransactionReceipt({ hash })]);
    return breakdownOf(hash, tx.input, receipt.gasUsed);
  };
  const anchoringOf = async (hash: Hex, gasUsed: bigint): Promise<Anchoring> => {
    const tx = await owner.context.publicClient.getTransaction({ hash });
    const calldata = calldataGas(tx.input);
    return { gasUsed, calldata, execution: gasUsed - 21_000n - calldata };
  };
  const anchor = async (bank: Clearhouse, batch: Batch): Promise<WriteResult> => {
    const r = await bank.settlement.submitBatch({ key: batch.key, header: batch.header });
    if (!r.created || !r.tx) throw new Error(`batch ${batch.batchId} was not created`);
    return r.tx;
  };
  /** estimateGas of verifyInclusion for the leaf with the longest proof in `batch`. */
  const proofGas = async (batch: Batch) => {
    const lengths = Array.from({ length: batch.records.length }, (_, i) => batch.tree.proof(i).length);
    const index = lengths.indexOf(Math.max(...lengths));
    const header = await operator.settlement.anchoredHeader(batch.batchId, batch.header);
    const leaf = batch.tree.leafHash(index);
    const proof = batch.tree.proof(index);
    // A view: viem's estimateContractGas takes only state-changing functions, so estimate the raw call.
    const estimateGas = await operator.context.publicClient.estimateGas({
      account: bankAddress[1],
      to: ledger,
      data: encodeFunctionData({
        abi: settlementLedgerAbi,
        functionName: "verifyInclusion",
        args: [batch.batchId, header, leaf, proof],
      }),
    });
    const verified = await operator.settlement.verifyInclusionOnChain({ batchId: batch.batchId, header, leaf, proof });
    return { index, proofLength: proof.length, minProofLength: Math.min(...lengths), estimateGas, verified };
  };

  // ------------------------------------------------------------------ (a) Clearhouse
  const buildDay = (n: number) => {
    const records = payments(n, `P${n}`);
    const perBank = bankAddress.map((b) => records.filter((r) => r.debtorBank === b));
    return perBank.map((rs, b) =>
      buildBatch(rs, { submitter: bankAddress[b], key: `bench-${n}-${BANK_KEYS[b]}`, metadata: { payments: n } }),
    );
  };
  /** One routine at N payments; with `trace`, its transactions' gas by opcode (traced before any revert). */
  async function clearhouseRun(
    n: number,
    trace = false,
  ): Promise<{ run: ClearhouseRun; batches: Batch[]; traces: [string, Breakdown][] }> {
    await fresh();
    const started = performance.now();
    const batches = buildDay(n);
    const buildMs = performance.now() - started;
    const submitted: WriteResult[] = [];
    for (const [b, batch] of batches.entries()) submitted.push(await anchor(banks[b], batch));
    const routineMs = performance.now() - started;
    const { cycleId } = await operator.settlement.getCycle();
    await passWindow();
    const closeStarted = performance.now();
    const closed = await operator.settlement.closeCycleWith({
      cycleId,
      batches: batches.map((batch, b) => ({ bank: bankAddress[b], key: batch.key, header: batch.header })),
      openNext: true,
    });
    const wallMs = routineMs + performance.now() - closeStarted;
    const submit = await Promise.all(submitted.map((tx) => anchoringOf(tx.hash, tx.gasUsed)));

    // Checks (not timed): the cycle settled everything, nothing was deferred, the next one is open.
    const cycle = await operator.settlement.getCycle({ cycleId });
    const next = await operator.settlement.getCycle({ cycleId: cycleId + 1n });
    if (cycle.status !== "Closed" || cycle.batchCount !== 4) throw new Error(`cycle ${cycleId} did not settle`);
    if (next.status !== "Open" || next.positions.length !== 0)
      throw new Error(`cycle ${cycleId + 1n}: not open, or obligations were deferred into it`);
    if (sum(cycle.positions.map((p) => p.net)) !== 0n)
      throw new Error(`cycle ${cycleId}: net positions do not sum to 0`);

    const traces: [string, Breakdown][] = trace
      ? [
          ["submitBatch", await traced(submitted[0].hash)],
          ["closeCycleWith", await traced(closed.hash)],
        ]
      : [];

    // The optional acknowledgements, on the same batches from the same state (not in the routine).
    await fresh();
    for (const [b, batch] of batches.entries()) await anchor(banks[b], batch);
    const acks: WriteResult[] = [];
    for (const [b, batch] of batches.entries()) {
      for (const other of banks.filter((_, o) => o !== b)) {
        acks.push(await other.settlement.acknowledgeBatch({ batchId: batch.batchId }));
      }
    }
    if (trace) traces.push(["acknowledge", await traced(acks[0].hash)]);
    return {
      batches,
      traces,
      run: {
        n,
        buildMs,
        wallMs,
        submit,
        close: closed.gasUsed,
        total: sum(submit.map((a) => a.gasUsed)) + closed.gasUsed,
        acknowledge: acks.map((r) => r.gasUsed),
        transactions: submit.length + 1,
        settledNet: sum(cycle.positions.map((p) => (p.net > 0n ? p.net : 0n))),
      },
    };
  }

  /** The on-chain declaration path at N payments: each bank declares its batch, then closeCycle and openCycle. */
  async function declarePathRun(n: number): Promise<{ run: DeclarePathRun; traces: [string, Breakdown][] }> {
    await fresh();
    const batches = buildDay(n);
    let anchoring = 0n;
    for (const [b, batch] of batches.entries()) anchoring += (await anchor(banks[b], batch)).gasUsed;
    const { cycleId } = await operator.settlement.getCycle();
    await passWindow();
    const declared: WriteResult[] = [];
    for (const [b, batch] of batches.entries()) {
      declared.push(await banks[b].settlement.declareBatch({ key: batch.key, header: batch.header, cycleId }));
    }
    const closed = await operator.settlement.closeCycle({ cycleId });
    const { tx: opened } = await operator.settlement.openCycle();
    const declare = declared.map((r) => r.gasUsed);
    const traces: [string, Breakdown][] = [
      ["declare", await traced(declared[1].hash)],
      ["closeCycle", await traced(closed.hash)],
    ];
    return {
      traces,
      run: {
        declare,
        closeCycle: closed.gasUsed,
        openCycle: opened.gasUsed,
        total: anchoring + sum(declare) + closed.gasUsed + opened.gasUsed,
      },
    };
  }

  process.stdout.write(`  Clearhouse, warm-up run (N = ${fmt(SIZES[0])}, discarded)…\r`);
  await clearhouseRun(SIZES[0]);
  const runs: ClearhouseRun[] = [];
  let proof2500: Awaited<ReturnType<typeof proofGas>> | undefined;
  let breakdowns: [string, Breakdown][] = [];
  for (const n of SIZES) {
    process.stdout.write(`  Clearhouse, N = ${fmt(n)}…${" ".repeat(30)}\r`);
    const last = n === SIZES[SIZES.length - 1];
    const { run, batches, traces } = await clearhouseRun(n, last);
    runs.push(run);
    if (!last) continue;
    breakdowns = traces;
    // proofGas needs the batches anchored: they are (the acknowledgement run re-anchored them).
    proof2500 = await proofGas(batches[0]);
  }
  process.stdout.write(`  on-chain declaration path, N = ${fmt(SIZES[SIZES.length - 1])}…\r`);
  const declarePath = await declarePathRun(SIZES[SIZES.length - 1]);
  breakdowns.push(...declarePath.traces.map(([name, b]): [string, Breakdown] => [`${name} (on-chain path)`, b]));

  // ------------------------------------------------------------------ (c) inclusion proof, 10,000-payment batch
  await fresh();
  const big = buildBatch(payments(PROOF_BATCH, "BIG", true), { submitter: bankAddress[0], key: "bench-proof-batch" });
  const bigTx = await anchor(banks[0], big);
  const proofRun: ProofRun = {
    batchPayments: PROOF_BATCH,
    ...(await proofGas(big)),
    anchoring: await anchoringOf(bigTx.hash, bigTx.gasUsed),
  };

  // ------------------------------------------------------------------ (b) one transfer per payment
  async function perPaymentRun(n: number): Promise<PerPaymentRun> {
    await fresh();
    const toSend = payments(n, `P${n}`).slice(0, Math.min(n, MEASURED_TRANSFERS));
    let sentGas = 0n;
    const started = performance.now();
    for (const [i, r] of toSend.entries()) {
      sentGas += (await clientOf.get(r.debtorBank)!.token.transfer({ to: r.creditorBank, amount: r.amount })).gasUsed;
      if ((i + 1) % 100 === 0) process.stdout.write(`  per-payment, N = ${fmt(n)}: ${i + 1}/${toSend.length} sent\r`);
    }
    const wallMs = performance.now() - started;
    const extrapolated = toSend.length < n;
    const meanGas = Number(sentGas) / toSend.length;
    // Linear extrapolation from the measured mean (rounded to whole gas).
    const total = extrapolated ? (sentGas * BigInt(n) + BigInt(toSend.length) / 2n) / BigInt(toSend.length) : sentGas;
    return { n, sent: toSend.length, sentGas, meanGas, total, extrapolated, wallMs };
  }
  const perPayment: PerPaymentRun[] = [];
  for (const n of SIZES) perPayment.push(await perPaymentRun(n));
  process.stdout.write(`\r${" ".repeat(70)}\r`);

  reportSettlement({ runs, perPayment, declarePath, proofRun, proof2500, breakdowns, setupGas });
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
