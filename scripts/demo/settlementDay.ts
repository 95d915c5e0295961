/**
 * The demo's settlement day: four banks import a day of pacs.008 payments (10,000 in all), anchor
 * them as batches, acknowledge each other's, declare them into a netting cycle; one bank is short
 * of liquidity and is deferred (gridlock resolution); the next cycle settles it on an intraday
 * credit line. Reconciliation checks every figure against the records.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "viem";
import {
  buildBatch,
  buildPacs002,
  pacs002StatusesOf,
  fromMinorUnits,
  importPacs008,
  renderTable,
  verifyBatchFile,
  type Batch,
  type Clearhouse,
} from "../../packages/sdk/src";
import { readBatchFile, writeBatchFile } from "../../packages/sdk/src/node";
import { generatePacs008 } from "../iso/generate-pacs008";
import { EUR } from "./participants";

const BICS = { alpine: "ALPNCHZZXXX", baltic: "BALTLV22XXX", celtic: "CELTIE2DXXX", danube: "DANUATWWXXX" } as const;
type BankKey = keyof typeof BICS;
const BANKS = Object.keys(BICS) as BankKey[];

export interface SettlementDayContext {
  as: (key: string) => Clearhouse;
  addr: (key: string) => Address;
  log: (line: string) => void;
  valueDate: string;
}

export interface SettlementDayResult {
  /** The banks' batch files (the auditor checks them against the anchored roots). */
  batchFiles: string[];
  payments: number;
  gas: bigint;
  settled: bigint;
}

export async function settlementDay(c: SettlementDayContext): Promise<SettlementDayResult> {
  const money = (v: bigint) => `€${fromMinorUnits(v, 2)}`;
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-day-"));
  // The batch files stay until the demo ends (its audit step reads them), then go.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const bicMap = Object.fromEntries(BANKS.map((b) => [BICS[b], c.addr(b)])) as Record<string, Address>;
  let gas = 0n;
  const track = async <T extends { gasUsed: bigint }>(p: Promise<T>) => {
    const r = await p;
    gas += r.gasUsed;
    return r;
  };

  c.log("banks enroll in the settlement ledger and let the netting engine pull their net debits");
  for (const bank of BANKS) {
    const enrolled = await c.as(bank).settlement.enroll();
    if (enrolled.tx) gas += enrolled.tx.gasUsed;
    await track(
      c.as(bank).token.approve({ spender: c.as(bank).deployment.contracts.NettingEngine!.proxy, amount: 2n ** 255n }),
    );
  }

  c.log("each bank imports its pacs.008 file and builds a batch (2,500 payments each)");
  const batches = new Map<BankKey, Batch>();
  for (const [i, bank] of BANKS.entries()) {
    const xml = generatePacs008({
      debtorBic: BICS[bank],
      creditorBics: BANKS.filter((b) => b !== bank).map((b) => BICS[b]),
      count: 2_500,
      seed: 2026 + i,
      valueDate: c.valueDate,
      maxAmount: bank === "celtic" ? 50_000 : 1_000, // Celtic has a heavy outgoing day
    });
    const started = Date.now();
    const { records, messageId } = importPacs008(xml, { file: `${bank}.xml`, banks: bicMap });
    const batch = buildBatch(records, {
      submitter: c.addr(bank),
      key: `${c.valueDate}-${bank}`,
      metadata: { messageId },
    });
    writeBatchFile(join(dir, `${bank}.json`), batch);
    batches.set(bank, batch);
    c.log(
      `  ${bank.padEnd(6)} ${records.length} payments, gross ${money(batch.header.grossTotal)}, root ${batch.header.root.slice(0, 10)}… (${Date.now() - started} ms)`,
    );
  }

  c.log("each bank anchors its batch: one transaction, the same gas whatever the number of payments");
  for (const bank of BANKS) {
    const b = batches.get(bank)!;
    const r = await c.as(bank).settlement.submitBatch({ key: b.key, header: b.header });
    gas += r.tx?.gasUsed ?? 0n;
    c.log(`  ${bank.padEnd(6)} batch ${r.batchId.slice(0, 10)}… anchored, gas ${r.tx?.gasUsed}`);
  }
  const retry = await c
    .as("alpine")
    .settlement.submitBatch({ key: batches.get("alpine")!.key, header: batches.get("alpine")!.header });
  c.log(`  a retry of Alpine's submission (as after a timeout): created=${retry.created}, nothing sent`);

  c.log("counterparties acknowledge each batch (it becomes final at once)");
  for (const bank of BANKS) {
    const b = batches.get(bank)!;
    for (const other of BANKS.filter((o) => o !== bank))
      await track(c.as(other).settlement.acknowledgeBatch({ batchId: b.batchId }));
  }

  const operator = c.as("operator");
  const { cycleId, tx: opened } = await operator.settlement.openCycle();
  gas += opened.gasUsed;
  const declaring = BANKS.slice(0, 2);
  const presented = BANKS.slice(2);
  c.log(
    `cycle ${cycleId} open; ${declaring.join(" and ")} declare their batches' per-counterparty totals on chain, ` +
      `${presented.join(" and ")} hand theirs to the operator, who presents them at the close`,
  );
  for (const bank of declaring)
    await track(c.as(bank).settlement.declareBatch({ key: batches.get(bank)!.key, header: batches.get(bank)!.header }));

  const closed = await track(
    operator.settlement.closeCycleWith({
      cycleId,
      batches: presented.map((bank) => ({
        bank: c.addr(bank),
        key: batches.get(bank)!.key,
        header: batches.get(bank)!.header,
      })),
    }),
  );
  const cycle1 = await operator.settlement.getCycle({ cycleId });
  c.log(`cycle ${cycleId} closed (gas ${closed.gasUsed}): net positions`);
  await positionsTable(c, operator, cycleId);
  const next = await operator.settlement.getCycle({ cycleId: cycleId + 1n });
  const deferred = next.positions.flatMap((p) => Object.values(p.owes)).reduce((s, v) => s + v, 0n);
  const held = cycle1.positions.filter((p) => p.held).length;
  c.log(
    `  gridlock: Celtic could not cover its net debit and is held (${held} bank): ${money(deferred)} of obligations ` +
      `to and from it wait in cycle ${cycleId + 1n}, ${next.pending} batch(es) carried by reference`,
  );
  const report1 = await operator.settlement.reconcile({
    cycleId,
    batches: BANKS.map((b) => ({ batchId: batches.get(b)!.batchId, records: batches.get(b)!.records })),
  });
  c.log(
    `  reconciliation of cycle ${cycleId}: ${report1.ok ? "every figure matches the records" : `${report1.mismatches.length} MISMATCHES`} (${report1.pairs} bank pairs, ${report1.batches} batches)`,
  );

  // The line covers all of Celtic's deferred debit, rounded up to €100,000 (it pays part in cash).
  const line = ((deferred + EUR(100_000) - 1n) / EUR(100_000)) * EUR(100_000);
  c.log(`the operator funds the credit pool and grants Celtic an intraday credit line of ${money(line)}`);
  const engine = operator.deployment.contracts.NettingEngine!.proxy;
  await track(operator.token.mint({ bank: c.addr("operator"), amount: line }));
  await track(operator.token.approve({ spender: engine, amount: line }));
  await track(operator.settlement.fundCreditPool({ amount: line }));
  await track(operator.settlement.setCreditLine({ bank: c.addr("celtic"), limit: line }));
  const { cycleId: cycle2 } = await operator.settlement.openCycle();
  await track(operator.settlement.closeCycle({ cycleId: cycle2 }));
  c.log(`cycle ${cycle2} (the carried batches, presented again by the SDK) closed:`);
  await positionsTable(c, operator, cycle2);
  const credit = await operator.settlement.getCredit({ bank: c.addr("celtic") });
  c.log(`  Celtic drew ${money(credit.used)} of its credit line; it repays during the day`);
  const report2 = await operator.settlement.reconcile({ cycleId: cycle2, batches: [] });
  c.log(`  reconciliation of cycle ${cycle2}: ${report2.ok ? "matches" : `${report2.mismatches.length} MISMATCHES`}`);

  c.log("an auditor checks one payment and an edited file");
  const alpine = batches.get("alpine")!;
  const index = 1_234;
  const header = await operator.settlement.anchoredHeader(alpine.batchId, alpine.header);
  const onChain = await operator.settlement.verifyInclusionOnChain({
    batchId: alpine.batchId,
    header,
    leaf: alpine.tree.leafHash(index),
    proof: alpine.tree.proof(index),
  });
  c.log(
    `  payment ${alpine.records[index].paymentId} is in Alpine's anchored batch (checked by the ledger contract): ${onChain}`,
  );
  const edited = readBatchFile(join(dir, "alpine.json"));
  edited.records[42] = { ...edited.records[42], amount: edited.records[42].amount + 100n };
  const check = verifyBatchFile(edited, alpine.header);
  c.log(
    `  the file with one amount changed fails: ${check.mismatches.map((m) => `${m.paymentId}: ${m.problem}`).join("; ")}`,
  );
  // Each payment's status follows its obligation: ACSC once settled (decision 023 carries, issue 18).
  const settlement = await operator.settlement.getBatchSettlement({ batchId: alpine.batchId });
  const { status, statuses, reasons } = pacs002StatusesOf(alpine.records, settlement);
  const pacs002 = buildPacs002({
    originalMessageId: String(alpine.metadata.messageId),
    batchId: alpine.batchId,
    status,
    statuses,
    reasons,
    records: alpine.records,
  });
  c.log(`  pacs.002 ${status} status report for Alpine's batch: ${pacs002.length.toLocaleString("en")} bytes`);

  const settledVolume = [cycle1, await operator.settlement.getCycle({ cycleId: cycle2 })]
    .flatMap((cy) => cy.positions)
    .reduce((s, p) => s + (p.net > 0n ? p.net : 0n), 0n);
  return {
    batchFiles: BANKS.map((b) => join(dir, `${b}.json`)),
    payments: BANKS.length * 2_500,
    gas,
    settled: settledVolume,
  };
}

async function positionsTable(c: SettlementDayContext, ch: Clearhouse, cycleId: bigint): Promise<void> {
  const info = await ch.settlement.getCycle({ cycleId });
  const names = new Map(["operator", ...BANKS].map((k) => [c.addr(k), k]));
  const rows = info.positions.map((p) => ({
    bank: names.get(p.bank) ?? p.bank,
    owes: Object.values(p.owes).reduce((s, v) => s + v, 0n),
    net: p.net,
    held: p.held,
  }));
  const table = renderTable(rows, [
    { header: "bank", value: (r) => r.bank },
    { header: "owes (gross)", value: (r) => fromMinorUnits(r.owes, 2), align: "right" },
    {
      header: "net position",
      value: (r) => (r.held ? "held" : (r.net > 0n ? "+" : "") + fromMinorUnits(r.net, 2)),
      align: "right",
    },
  ]);
  for (const line of table.split("\n")) c.log(`    ${line}`);
}
