/**
 * bench/settlement: settling N payments among four banks through Clearhouse against one on-chain
 * SettlementToken.transfer per payment, for N = 100, 1,000 and 10,000.
 *
 *   npx hardhat run bench/settlement.ts
 *
 * Each bank pays the other three (amounts €1–€1,000, deterministic); banks are admitted with a
 * single-transfer limit of 10^15 and a daily outflow of 10^16 minor units and hold 10^12 each, so
 * none is short and nothing is deferred. One-time set-up (deployment, admission, minting, enrolment
 * in the ledger, the allowance to the netting engine) is excluded; every measurement starts from
 * the same chain state (evm_snapshot / evm_revert).
 *   (a) Clearhouse, through the SDK as settlementDay does: 4 × submitBatch, 3 acknowledgements per
 *       batch, openCycle, 4 × declare, closeCycle. Gas is the sum of every receipt's gasUsed; wall
 *       time runs from building the 4 batches (records → Merkle tree + header) to the closeCycle
 *       receipt. Anchoring gas (submitBatch) is split into intrinsic (21,000 + calldata) and
 *       execution: the execution part must not depend on N, calldata varies by a few zero bytes.
 *       A discarded N = 100 run warms up the JIT first. At the largest N, one transaction of each
 *       kind is traced (debug_traceTransaction) to show where the gas goes, by opcode.
 *   (b) Per payment: one SettlementToken.transfer each, sent for real for N = 100 and 1,000; for
 *       N = 10,000 the first 1,000 are sent and the total is extrapolated linearly from their mean.
 *   (c) SettlementLedger.verifyInclusion (a view) of a payment in an anchored 10,000-payment batch:
 *       eth_estimateGas of a transaction calling it, for the deepest leaf, and the proof length.
 * Prints tables and writes bench/results/settlement.json.
 */
import hre from "hardhat";
import { writeResult } from "./results";
import { custom, encodeFunctionData, type Address, type Hex } from "viem";
import { createClearhouse, type Clearhouse } from "../src/client";
import type { WriteResult } from "../src/context";
import { renderTable } from "../src/format/table";
import { settlementLedgerAbi } from "../src/generated/abis";
import { leiWithCheckDigits } from "../src/registry/identifiers";
import { Role } from "../src/registry/roles";
import { buildBatch, type Batch } from "../src/settlement/batch";
import { accountHash, type PaymentRecord } from "../src/settlement/record";
import { UNLIMITED } from "../src/validate";
import { deployConsortium } from "../scripts/lib/deployConsortium";
import { account, participant } from "../scripts/demo/participants";

const SIZES = [100, 1_000, 10_000];
const BANK_KEYS = ["alpine", "baltic", "celtic", "danube"] as const;
/** Per-payment transfers actually sent per N; above it the total is extrapolated from their mean. */
const MEASURED_TRANSFERS = 1_000;
const PROOF_BATCH = 10_000;
const SINGLE_LIMIT = 10n ** 15n;
const DAILY_LIMIT = 10n ** 16n;
const BALANCE = 10n ** 12n;
const VALUE_DATE = "2026-11-23";
const TARGET_ANCHOR_GAS = 100_000n;
const TARGET_RATIO = 1_000;

interface Anchoring {
  gasUsed: bigint;
  calldata: bigint;
  execution: bigint;
}

interface ClearhouseRun {
  n: number;
  buildMs: number;
  wallMs: number;
  submit: Anchoring[];
  acknowledge: bigint[];
  openCycle: bigint;
  declare: bigint[];
  closeCycle: bigint;
  total: bigint;
  /** One transaction of each kind, for the breakdown. */
  hashes: { submitBatch: Hex; acknowledge: Hex; openCycle: Hex; firstDeclare: Hex; declare: Hex; closeCycle: Hex };
  transactions: number;
  settledNet: bigint;
}

interface PerPaymentRun {
  n: number;
  sent: number;
  sentGas: bigint;
  meanGas: number;
  total: bigint;
  extrapolated: boolean;
  wallMs: number;
}

interface ProofRun {
  batchPayments: number;
  index: number;
  proofLength: number;
  minProofLength: number;
  estimateGas: bigint;
  verified: boolean;
  anchoring: Anchoring;
}

const sum = (xs: readonly bigint[]) => xs.reduce((s, x) => s + x, 0n);
const fmt = (v: bigint | number) => v.toLocaleString("en");
const send = async (method: string, params: unknown[] = []): Promise<unknown> =>
  hre.network.provider.send(method, params);

/** Gas of a transaction's calldata (EIP-2028: 4 per zero byte, 16 per other byte). */
function calldataGas(input: Hex): bigint {
  let gas = 0n;
  for (let i = 2; i < input.length; i += 2) gas += input.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
}

/** Where a transaction's execution gas goes, by opcode, from debug_traceTransaction. */
interface Breakdown {
  sstore: number;
  sload: number;
  log: number;
  calls: number;
  keccak: number;
  other: number;
  /** Across the categories: gas spent inside other contracts (registry, ledger…, depth ≥ 3). */
  otherContracts: number;
  execution: number;
  /** 21,000 + calldata. */
  intrinsic: number;
  gasUsed: number;
  /** gasUsed − intrinsic − execution: a refund if negative (0 when the trace accounts for all). */
  unattributed: number;
}

const BREAKDOWN_ROWS: [keyof Breakdown, string][] = [
  ["sstore", "SSTORE (storage writes)"],
  ["sload", "SLOAD (storage reads)"],
  ["log", "LOG (events)"],
  ["calls", "CALL/STATICCALL/DELEGATECALL (account access, proxy)"],
  ["keccak", "KECCAK256"],
  ["other", "other opcodes (calldata, memory, arithmetic, jumps)"],
  ["execution", "execution (sum of the above)"],
  ["otherContracts", "  of which inside other contracts (registry, ledger)"],
  ["intrinsic", "intrinsic (21,000 + calldata)"],
  ["unattributed", "refund / unattributed"],
  ["gasUsed", "gasUsed"],
];

/**
 * Each step's own gas: the drop to the next step of the same frame, less what the callee frames
 * in between used (so a CALL counts only its own cost); a frame's last step counts its gasCost.
 */
function exclusiveGas(logs: readonly StructLog[]): number[] {
  const own = new Array<number>(logs.length).fill(0);
  const calls: number[] = [];
  for (let i = 0; i < logs.length; i++) {
    const next = logs[i + 1];
    if (next === undefined || next.depth < logs[i].depth) own[i] = logs[i].gasCost;
    else if (next.depth === logs[i].depth) own[i] = logs[i].gas - next.gas;
    else calls.push(i);
  }
  for (const i of calls.reverse()) {
    let k = i + 1;
    let inner = 0;
    for (; k < logs.length && logs[k].depth > logs[i].depth; k++) inner += own[k];
    own[i] = k < logs.length ? logs[i].gas - logs[k].gas - inner : logs[i].gasCost;
  }
  return own;
}

async function breakdownOf(hash: Hex, input: Hex, gasUsed: bigint): Promise<Breakdown> {
  const trace = (await send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStack: true, disableStorage: true },
  ])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const own = exclusiveGas(logs);
  const intrinsic = 21_000 + Number(calldataGas(input));
  const b: Breakdown = {
    sstore: 0,
    sload: 0,
    log: 0,
    calls: 0,
    keccak: 0,
    other: 0,
    otherContracts: 0,
    execution: 0,
    intrinsic,
    gasUsed: Number(gasUsed),
    unattributed: 0,
  };
  for (const [i, step] of logs.entries()) {
    const op = step.op;
    const key: keyof Breakdown =
      op === "SSTORE"
        ? "sstore"
        : op === "SLOAD"
          ? "sload"
          : op.startsWith("LOG")
            ? "log"
            : op === "CALL" || op === "STATICCALL" || op === "DELEGATECALL"
              ? "calls"
              : op === "KECCAK256" || op === "SHA3"
                ? "keccak"
                : "other";
    b[key] += own[i];
    b.execution += own[i];
    if (step.depth >= 3) b.otherContracts += own[i];
  }
  b.unattributed = b.gasUsed - intrinsic - b.execution;
  return b;
}

async function main(): Promise<void> {
  const deployment = await deployConsortium({ token: { name: "Bench Euro", symbol: "bEUR", decimals: 2 } });
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const owner = createClearhouse({ transport, deployment, account: account(0), pollingInterval: 10 });
  const as = (key: string): Clearhouse => owner.as(account(participant(key).index));
  const operator = as("operator");
  const banks = BANK_KEYS.map(as);
  const bankAddress: Address[] = BANK_KEYS.map((k) => account(participant(k).index).address);
  const clientOf = new Map(bankAddress.map((a, i) => [a, banks[i]]));
  const engine = deployment.contracts.NettingEngine!.proxy;
  const ledger = deployment.contracts.SettlementLedger!.proxy;

  // ------------------------------------------------------------------ one-time set-up (not measured)
  for (const key of ["operator", ...BANK_KEYS]) {
    const p = participant(key);
    await owner.registry.admitMember({
      account: account(p.index).address,
      roles: key === "operator" ? Role.OPERATOR : Role.MEMBER_BANK,
      lei: leiWithCheckDigits(p.lei),
      name: p.name,
      maxSingleTransfer: key === "operator" ? UNLIMITED : SINGLE_LIMIT,
      maxDailyOutflow: key === "operator" ? UNLIMITED : DAILY_LIMIT,
    });
  }
  let setupGas = 0n;
  for (const [i, bank] of banks.entries()) {
    await operator.token.mint({ bank: bankAddress[i], amount: BALANCE });
    const enrolled = await bank.settlement.enroll();
    setupGas += enrolled.tx?.gasUsed ?? 0n;
    setupGas += (await bank.token.approve({ spender: engine, amount: 2n ** 255n })).gasUsed;
  }
  let snapshot = (await send("evm_snapshot")) as string;
  const fresh = async () => {
    if ((await send("evm_revert", [snapshot])) !== true) throw new Error("evm_revert failed");
    snapshot = (await send("evm_snapshot")) as string;
  };

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
    const header = await operator.settlement.onChainHeader(batch.header);
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
  async function clearhouseRun(n: number): Promise<{ run: ClearhouseRun; batches: Batch[] }> {
    await fresh();
    const records = payments(n, `P${n}`);
    const perBank = bankAddress.map((b) => records.filter((r) => r.debtorBank === b));
    const started = performance.now();
    const batches = perBank.map((rs, b) =>
      buildBatch(rs, { submitter: bankAddress[b], key: `bench-${n}-${BANK_KEYS[b]}`, metadata: { payments: n } }),
    );
    const buildMs = performance.now() - started;
    const submitted: WriteResult[] = [];
    for (const [b, batch] of batches.entries()) submitted.push(await anchor(banks[b], batch));
    const acks: WriteResult[] = [];
    for (const [b, batch] of batches.entries()) {
      for (const other of banks.filter((_, o) => o !== b)) {
        acks.push(await other.settlement.acknowledgeBatch({ batchId: batch.batchId }));
      }
    }
    const { cycleId, tx: opened } = await operator.settlement.openCycle();
    const declared: WriteResult[] = [];
    for (const [b, batch] of batches.entries()) {
      declared.push(await banks[b].settlement.declareBatch({ key: batch.key, header: batch.header, cycleId }));
    }
    const closed = await operator.settlement.closeCycle({ cycleId });
    const wallMs = performance.now() - started;

    // Checks (not timed): the cycle settled everything, nothing was deferred.
    const cycle = await operator.settlement.getCycle({ cycleId });
    const next = await operator.settlement.getCycle({ cycleId: cycleId + 1n });
    if (cycle.status !== "Closed" || cycle.batchCount !== 4) throw new Error(`cycle ${cycleId} did not settle`);
    if (next.positions.length !== 0) throw new Error(`cycle ${cycleId} deferred obligations: a bank was short`);
    if (sum(cycle.positions.map((p) => p.net)) !== 0n)
      throw new Error(`cycle ${cycleId}: net positions do not sum to 0`);
    const acknowledge = acks.map((r) => r.gasUsed);
    const declare = declared.map((r) => r.gasUsed);
    const submit = await Promise.all(submitted.map((tx) => anchoringOf(tx.hash, tx.gasUsed)));
    const gas = [...submit.map((s) => s.gasUsed), ...acknowledge, opened.gasUsed, ...declare, closed.gasUsed];
    return {
      batches,
      run: {
        n,
        buildMs,
        wallMs,
        submit,
        acknowledge,
        openCycle: opened.gasUsed,
        declare,
        closeCycle: closed.gasUsed,
        total: sum(gas),
        transactions: gas.length,
        hashes: {
          submitBatch: submitted[0].hash,
          acknowledge: acks[0].hash,
          openCycle: opened.hash,
          firstDeclare: declared[0].hash,
          declare: declared[1].hash,
          closeCycle: closed.hash,
        },
        settledNet: sum(cycle.positions.map((p) => (p.net > 0n ? p.net : 0n))),
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
    const { run, batches } = await clearhouseRun(n);
    runs.push(run);
    if (n !== SIZES[SIZES.length - 1]) continue;
    proof2500 = await proofGas(batches[0]);
    // Traced before the next evm_revert drops these transactions.
    const h = run.hashes;
    breakdowns = [
      ["submitBatch", await traced(h.submitBatch)],
      ["acknowledge", await traced(h.acknowledge)],
      ["openCycle", await traced(h.openCycle)],
      ["declare (1st)", await traced(h.firstDeclare)],
      ["declare (2nd)", await traced(h.declare)],
      ["closeCycle", await traced(h.closeCycle)],
    ];
  }

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

  // ------------------------------------------------------------------ report
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
  console.log(`\nClearhouse gas by step (${runs[0].transactions} transactions per run)\n`);
  console.log(
    renderTable(runs, [
      { header: "N", value: (r) => fmt(r.n), align: "right" },
      { header: "4 × submitBatch", value: (r) => share(sum(r.submit.map((s) => s.gasUsed)), r), align: "right" },
      { header: "12 × acknowledge", value: (r) => share(sum(r.acknowledge), r), align: "right" },
      { header: "openCycle", value: (r) => share(r.openCycle, r), align: "right" },
      { header: "4 × declare", value: (r) => share(sum(r.declare), r), align: "right" },
      { header: "closeCycle", value: (r) => share(r.closeCycle, r), align: "right" },
      { header: "build batches ms", value: (r) => fmt(Math.round(r.buildMs)), align: "right" },
      {
        header: "per-payment mean gas",
        value: (r) => fmt(Math.round(perPayment[runs.indexOf(r)].meanGas)),
        align: "right",
      },
    ]),
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
    ["12 × acknowledge", sum(last.run.acknowledge)],
    ["openCycle", last.run.openCycle],
    ["4 × declare", sum(last.run.declare)],
    ["closeCycle", last.run.closeCycle],
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
      flow: "4 × submitBatch + 12 × acknowledge + openCycle + 4 × declare + closeCycle (SDK, like settlementDay)",
      wallTime: "from building the 4 batches (buildBatch) to the closeCycle receipt",
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
        acknowledge: run.acknowledge.map(Number),
        openCycle: Number(run.openCycle),
        declare: run.declare.map(Number),
        closeCycle: Number(run.closeCycle),
        netSettledMinorUnits: run.settledNet.toString(),
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

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
