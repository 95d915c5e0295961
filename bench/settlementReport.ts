/**
 * bench/settlement's configuration, measurement types and report: the tables it prints and the JSON
 * it writes to bench/results/settlement.json (see bench/settlement.ts for what is measured).
 */
import hre from "hardhat";
import { renderTable } from "../packages/sdk/src/format/table";
import { BREAKDOWN_ROWS, type Breakdown } from "./gasTrace";
import { writeResult } from "./results";

export const SIZES = [100, 1_000, 10_000];
export const BANK_KEYS = ["alpine", "baltic", "celtic", "danube"] as const;
/** Per-payment transfers actually sent per N; above it the total is extrapolated from their mean. */
export const MEASURED_TRANSFERS = 1_000;
export const PROOF_BATCH = 10_000;
export const SINGLE_LIMIT = 10n ** 15n;
export const DAILY_LIMIT = 10n ** 16n;
export const BALANCE = 10n ** 12n;
export const VALUE_DATE = "2026-11-23";
export const TARGET_ANCHOR_GAS = 100_000n;
export const TARGET_RATIO = 1_000;

export interface Anchoring {
  gasUsed: bigint;
  calldata: bigint;
  execution: bigint;
}

export interface ClearhouseRun {
  n: number;
  buildMs: number;
  wallMs: number;
  submit: Anchoring[];
  /** closeCycleWith(4 batches, openNext = true). */
  close: bigint;
  /** The routine: 4 × submitBatch + the close. */
  total: bigint;
  /** Optional: 12 acknowledgements (not in `total`). */
  acknowledge: bigint[];
  transactions: number;
  settledNet: bigint;
}

/** The on-chain declaration path, for comparison: each bank declares, then closeCycle, then openCycle. */
export interface DeclarePathRun {
  declare: bigint[];
  closeCycle: bigint;
  openCycle: bigint;
  /** 4 × submitBatch + 4 × declare + closeCycle + openCycle. */
  total: bigint;
}

export interface PerPaymentRun {
  n: number;
  sent: number;
  sentGas: bigint;
  meanGas: number;
  total: bigint;
  extrapolated: boolean;
  wallMs: number;
}

export interface ProofRun {
  batchPayments: number;
  index: number;
  proofLength: number;
  minProofLength: number;
  estimateGas: bigint;
  verified: boolean;
  anchoring: Anchoring;
}

export const sum = (xs: readonly bigint[]) => xs.reduce((s, x) => s + x, 0n);
export const fmt = (v: bigint | number) => v.toLocaleString("en");

/** Everything one run of the benchmark measured. */
export interface SettlementMeasurements {
  runs: ClearhouseRun[];
  perPayment: PerPaymentRun[];
  declarePath: { run: DeclarePathRun };
  proofRun: ProofRun;
  proof2500?: { index: number; proofLength: number; estimateGas: bigint; verified: boolean };
  breakdowns: [string, Breakdown][];
  /** One-time set-up gas, not counted (enrolment and allowances). */
  setupGas: bigint;
}

/** Print the tables and targets, and write bench/results/settlement.json. */
export function reportSettlement(m: SettlementMeasurements): void {
  const { runs, perPayment, declarePath, proofRun, proof2500, breakdowns, setupGas } = m;
  const rows = runs.map((run, i) => ({
    run,
    pp: perPayment[i],
    ratio: Number(perPayment[i].total) / Number(run.total),
  }));
  const anchorText = (a: readonly Anchoring[]) => {
    const gas = a.map((x) => x.gasUsed);
    const lo = gas.reduce((m, x) => (x < m ? x : m));
    const hi = gas.reduce((m, x) => (x > m ? x : m));
    return lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`;
  };
  const basis = (pp: PerPaymentRun) =>
    pp.extrapolated ? `extrapolated from ${fmt(pp.sent)} measured` : `${fmt(pp.sent)} measured`;
  console.log(`\nSettling N payments among 4 banks: Clearhouse (batches + one netting cycle) vs one transfer each\n`);
  console.log(
    renderTable(rows, [
      { header: "N", value: ({ run }) => fmt(run.n), align: "right" },
      { header: "Clearhouse gas", value: ({ run }) => fmt(run.total), align: "right" },
      { header: "Clearhouse wall s", value: ({ run }) => (run.wallMs / 1000).toFixed(2), align: "right" },
      { header: "per-payment gas", value: ({ pp }) => `${pp.extrapolated ? "≈" : ""}${fmt(pp.total)}`, align: "right" },
      { header: "(per-payment basis)", value: ({ pp }) => basis(pp) },
      { header: "ratio", value: ({ ratio }) => `${ratio.toFixed(1)}×`, align: "right" },
      { header: "anchoring gas per batch", value: ({ run }) => anchorText(run.submit), align: "right" },
    ]),
  );

  const share = (part: bigint, run: ClearhouseRun) =>
    `${fmt(part)} (${((100 * Number(part)) / Number(run.total)).toFixed(0)}%)`;
  console.log(`\nClearhouse gas by step (routine: ${runs[0].transactions} transactions per day)\n`);
  console.log(
    renderTable(rows, [
      { header: "N", value: ({ run }) => fmt(run.n), align: "right" },
      {
        header: "4 × submitBatch",
        value: ({ run }) => share(sum(run.submit.map((s) => s.gasUsed)), run),
        align: "right",
      },
      { header: "closeCycleWith (nets 4, opens next)", value: ({ run }) => share(run.close, run), align: "right" },
      { header: "optional: 12 × acknowledge", value: ({ run }) => fmt(sum(run.acknowledge)), align: "right" },
      {
        header: "ratio with acknowledgements",
        value: ({ run, pp }) => `${(Number(pp.total) / Number(run.total + sum(run.acknowledge))).toFixed(1)}×`,
        align: "right",
      },
      { header: "build batches ms", value: ({ run }) => fmt(Math.round(run.buildMs)), align: "right" },
      { header: "per-payment mean gas", value: ({ pp }) => fmt(Math.round(pp.meanGas)), align: "right" },
    ]),
  );
  const dp = declarePath.run;
  const lastPp = perPayment[perPayment.length - 1];
  console.log(
    `\nOn-chain declaration path at N = ${fmt(SIZES[SIZES.length - 1])} (each bank declares; for private-mode chunks and ` +
      `banks that declare themselves): 4 × submitBatch + 4 × declare ${fmt(sum(dp.declare))} + closeCycle ` +
      `${fmt(dp.closeCycle)} + openCycle ${fmt(dp.openCycle)} = ${fmt(dp.total)} gas, ratio ` +
      `${(Number(lastPp.total) / Number(dp.total)).toFixed(1)}×.`,
  );

  console.log(`\nWhere the gas goes at N = ${fmt(runs[runs.length - 1].n)} (debug_traceTransaction, one of each)\n`);
  console.log(
    renderTable(BREAKDOWN_ROWS, [
      { header: "gas by opcode", value: ([, label]) => label },
      ...breakdowns.map(([name, b]) => ({
        header: name,
        value: ([key]: [keyof Breakdown, string]) => fmt(b[key]),
        align: "right" as const,
      })),
    ]),
  );

  const allAnchors = [...runs.flatMap((r) => r.submit), proofRun.anchoring];
  const executions = new Set(allAnchors.map((a) => a.execution));
  const maxAnchor = allAnchors.reduce((m, a) => (a.gasUsed > m ? a.gasUsed : m), 0n);
  const minAnchor = allAnchors.reduce((m, a) => (a.gasUsed < m ? a.gasUsed : m), maxAnchor);
  const execution = allAnchors[0].execution;
  const calldataLo = allAnchors.reduce((m, a) => (a.calldata < m ? a.calldata : m), allAnchors[0].calldata);
  const calldataHi = allAnchors.reduce((m, a) => (a.calldata > m ? a.calldata : m), 0n);
  const anchorConstant = executions.size === 1;
  const anchorMet = anchorConstant && maxAnchor <= TARGET_ANCHOR_GAS;
  console.log(
    `\nAnchoring (submitBatch) gas per batch, all ${allAnchors.length} batches (25 to 10,000 payments each): ` +
      `${fmt(minAnchor)}–${fmt(maxAnchor)} = 21,000 intrinsic + calldata ${fmt(calldataLo)}–${fmt(calldataHi)} ` +
      `(only the number of zero bytes in root, totals and digests differs) + execution ` +
      `${anchorConstant ? `${fmt(execution)}, identical for every batch and N` : `VARYING: ${[...executions].map(fmt).join(", ")}`}.`,
  );
  console.log(
    `Inclusion proof on-chain (SettlementLedger.verifyInclusion, eth_estimateGas of a transaction): ` +
      `${fmt(proofRun.estimateGas)} gas for the deepest leaf of a ${fmt(PROOF_BATCH)}-payment batch ` +
      `(proof of ${proofRun.proofLength} hashes; ${proofRun.minProofLength}–${proofRun.proofLength} over its leaves; ` +
      `verified: ${proofRun.verified})` +
      (proof2500
        ? `; ${fmt(proof2500.estimateGas)} gas for a 2,500-payment batch of N = 10,000 (${proof2500.proofLength} hashes).`
        : "."),
  );
  console.log(
    `One-time set-up per bank, not counted: enroll + approve the engine, ${fmt(setupGas)} gas for the 4 banks.`,
  );

  const last = rows[rows.length - 1];
  const ratioMet = last.ratio >= TARGET_RATIO;
  const parts: [string, bigint][] = [
    ["4 × submitBatch", sum(last.run.submit.map((s) => s.gasUsed))],
    ["closeCycleWith", last.run.close],
  ];
  const [bigPart, bigGas] = parts.reduce((m, p) => (p[1] > m[1] ? p : m));
  const anchorTrace = breakdowns.find(([name]) => name === "submitBatch")?.[1];
  const anchorParts = anchorTrace
    ? BREAKDOWN_ROWS.filter(([k]) => ["sstore", "sload", "log", "calls", "keccak", "other"].includes(k))
        .map(([k, label]) => ({ label: label.replace(/ \(.*\)$/, ""), gas: anchorTrace[k] }))
        .sort((a, b) => b.gas - a.gas)
    : [];
  console.log(
    `\nTarget (anchoring gas per batch constant in N and ≤ ${fmt(TARGET_ANCHOR_GAS)}): ${anchorMet ? "met" : "NOT met"}; ` +
      `execution part ${anchorConstant ? "identical" : "varies"}, largest batch ${fmt(maxAnchor)} gas` +
      (maxAnchor > TARGET_ANCHOR_GAS
        ? ` (${fmt(maxAnchor - TARGET_ANCHOR_GAS)} over, ${((100 * Number(maxAnchor - TARGET_ANCHOR_GAS)) / Number(TARGET_ANCHOR_GAS)).toFixed(1)}%): ` +
          `21,000 intrinsic + ${fmt(calldataHi)} calldata + ${fmt(execution)} execution, of which ` +
          anchorParts.map((p) => `${p.label} ${fmt(p.gas)}`).join(", ") +
          (anchorTrace ? `; ${fmt(anchorTrace.otherContracts)} inside the registry call.` : ".")
        : "."),
  );
  const needed = Number(last.pp.total) / TARGET_RATIO;
  const meanTransfer = Number(last.pp.sentGas) / last.pp.sent;
  // Clearhouse gas does not grow with N: the ratio reaches the target at N = target × gas / per-transfer gas.
  const breakEvenN = Math.ceil((TARGET_RATIO * Number(last.run.total)) / meanTransfer);
  console.log(
    `Target (ratio ≥ ${fmt(TARGET_RATIO)}× at N = ${fmt(last.run.n)}): ${ratioMet ? "met" : "NOT met"}; ` +
      `ratio ${last.ratio.toFixed(1)}×` +
      (ratioMet
        ? "."
        : ` (${(TARGET_RATIO / last.ratio).toFixed(2)}× short: Clearhouse would need ≤ ${fmt(Math.floor(needed))} gas, ` +
          `it used ${fmt(last.run.total)}; largest part ${bigPart}, ${fmt(bigGas)} gas).`) +
      ` The ratio grows linearly with N (Clearhouse gas is flat): ${fmt(TARGET_RATIO)}× at N ≈ ${fmt(breakEvenN)}.`,
  );

  const anchoringJson = (a: Anchoring) => ({
    gasUsed: Number(a.gasUsed),
    intrinsic: 21_000,
    calldata: Number(a.calldata),
    execution: Number(a.execution),
  });
  writeResult("settlement", {
    benchmark: "settlement",
    date: new Date().toISOString(),
    network: `hardhat ${hre.config.networks.hardhat.hardfork}`,
    banks: BANK_KEYS.length,
    setup: {
      limits: { maxSingleTransfer: SINGLE_LIMIT.toString(), maxDailyOutflow: DAILY_LIMIT.toString() },
      balancePerBank: BALANCE.toString(),
      amounts: "100 … 100,000 minor units (€1–€1,000), deterministic; each bank pays the other three",
      oneTimeGasNotCounted: { what: "4 × enroll + 4 × approve(engine)", gas: Number(setupGas) },
    },
    clearhouse: {
      flow: "daily routine: 4 × submitBatch, the acknowledgement window passes (silent finality), closeCycleWith(4 batches, openNext) (SDK, like settlementDay)",
      optional: "12 × acknowledge (counterparties confirming early), measured on the same batches, not in the routine",
      wallTime: "building the 4 batches + anchoring them + the close (the window's wait excluded)",
    },
    perPayment: {
      flow: "one SettlementToken.transfer per payment (SDK token.transfer), sum of gasUsed",
      measuredUpTo: MEASURED_TRANSFERS,
    },
    rows: rows.map(({ run, pp, ratio }) => ({
      n: run.n,
      clearhouse: {
        gas: Number(run.total),
        wallSeconds: Number((run.wallMs / 1000).toFixed(3)),
        buildBatchesMs: Math.round(run.buildMs),
        transactions: run.transactions,
        submitBatch: run.submit.map(anchoringJson),
        closeCycleWith: Number(run.close),
        netSettledMinorUnits: run.settledNet.toString(),
        optionalAcknowledgements: run.acknowledge.map(Number),
        gasWithAcknowledgements: Number(run.total + sum(run.acknowledge)),
      },
      perPayment: {
        gas: Number(pp.total),
        basis: pp.extrapolated ? `extrapolated from ${fmt(pp.sent)} measured` : "measured",
        transfersSent: pp.sent,
        measuredGas: Number(pp.sentGas),
        meanGasPerTransfer: Number(pp.meanGas.toFixed(1)),
        wallSeconds: Number((pp.wallMs / 1000).toFixed(3)),
      },
      ratio: Number(ratio.toFixed(1)),
      ratioWithAcknowledgements: Number((Number(pp.total) / Number(run.total + sum(run.acknowledge))).toFixed(1)),
      anchoringGasPerBatch: run.submit.map((s) => Number(s.gasUsed)),
    })),
    anchoring: {
      batches: allAnchors.length,
      minGas: Number(minAnchor),
      maxGas: Number(maxAnchor),
      executionGas: [...executions].map(Number),
      calldataGas: [Number(calldataLo), Number(calldataHi)],
      singleBatchOf10000: anchoringJson(proofRun.anchoring),
    },
    onChainDeclarationPath: {
      n: SIZES[SIZES.length - 1],
      flow: "4 × submitBatch + 4 × declare + closeCycle + openCycle",
      declare: dp.declare.map(Number),
      closeCycle: Number(dp.closeCycle),
      openCycle: Number(dp.openCycle),
      gas: Number(dp.total),
      ratio: Number((Number(lastPp.total) / Number(dp.total)).toFixed(1)),
    },
    gasBreakdownAtN10000: {
      method:
        "debug_traceTransaction: each opcode's own gas (a call's without its callee); one transaction of each kind",
      transactions: Object.fromEntries(breakdowns),
    },
    inclusionProof: {
      call: "SettlementLedger.verifyInclusion (view), eth_estimateGas of a transaction calling it",
      batchPayments: proofRun.batchPayments,
      leafIndex: proofRun.index,
      proofLength: proofRun.proofLength,
      proofLengthRange: [proofRun.minProofLength, proofRun.proofLength],
      estimateGas: Number(proofRun.estimateGas),
      verified: proofRun.verified,
      ...(proof2500
        ? {
            batchOf2500AtN10000: {
              proofLength: proof2500.proofLength,
              estimateGas: Number(proof2500.estimateGas),
              verified: proof2500.verified,
            },
          }
        : {}),
    },
    targets: [
      {
        rule: `anchoring gas per batch constant in N (execution part identical) and <= ${TARGET_ANCHOR_GAS}`,
        met: anchorMet,
        constant: anchorConstant,
        maxGas: Number(maxAnchor),
        over: Number(maxAnchor > TARGET_ANCHOR_GAS ? maxAnchor - TARGET_ANCHOR_GAS : 0n),
      },
      {
        rule: `ratio (per-payment / Clearhouse) >= ${TARGET_RATIO} at N = ${last.run.n}`,
        met: ratioMet,
        ratio: Number(last.ratio.toFixed(1)),
        clearhouseGasNeeded: Math.floor(needed),
        largestPart: { step: bigPart, gas: Number(bigGas) },
        nForTarget: breakEvenN,
      },
    ],
  });
}
