/**
 * getBatchSettlement and the pacs.002 it feeds (issue 18), against the in-process chain: a held
 * bank's obligations carried into the next cycles stay ACCP while they wait and become ACSC (TxSts
 * and GrpSts) once a close settles them; a write-off is RJCT.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { nettingEngineAbi } from "../../packages/contracts/src";
import { buildPacs002, pacs002StatusesOf, parsePacs002, type Batch } from "../../packages/sdk/src/settlement";
import { ACK_WINDOW, BANK_NAMES, dayOfBatches, settlementFixture, type SettlementFixture } from "./settlementFixture";

async function anchorDay(f: SettlementFixture, batches: Record<string, Batch>): Promise<void> {
  for (const name of BANK_NAMES) {
    await f.bank[name].settlement.submitBatch({ key: batches[name].key, header: batches[name].header });
  }
  await hre.network.provider.send("evm_increaseTime", [ACK_WINDOW + 3_600]);
  await hre.network.provider.send("evm_mine");
}

const presented = (f: SettlementFixture, batches: Record<string, Batch>) =>
  BANK_NAMES.map((name) => ({ bank: f.addr[name], key: batches[name].key, header: batches[name].header }));

/** Alpine's pacs.002 now, read back: [GrpSts, [paymentId, TxSts][]]. */
async function alpineReport(f: SettlementFixture, batch: Batch): Promise<[string | undefined, string[][]]> {
  const settlement = await f.operator.settlement.getBatchSettlement({ batchId: batch.batchId });
  const { status, statuses, reasons } = pacs002StatusesOf(batch.records, settlement);
  const xml = buildPacs002({
    originalMessageId: "ALPN-20250314-0001",
    batchId: batch.batchId,
    status,
    statuses,
    reasons,
    records: batch.records,
  });
  const report = parsePacs002(xml);
  return [
    report.groupStatus,
    report.transactions.map((t) => [t.originalTxId ?? t.originalUetr ?? "", t.status, t.reason ?? ""]),
  ];
}

describe("getBatchSettlement and pacs.002 statuses through deferrals (issue 18)", function () {
  it("keeps a payment to a held bank ACCP through two deferrals and makes it ACSC once settled", async function () {
    const f = await loadFixture(settlementFixture);
    const engine = f.deployment.contracts.NettingEngine!.proxy;
    const batches = dayOfBatches(f, "status-1");
    const alpine = batches.alpine;
    const toCeltic = alpine.records.filter((r) => r.creditorBank === f.addr.celtic).map((r) => r.paymentId);
    expect(toCeltic).to.deep.equal(["ALPN-TX-0002"]);
    const ids = alpine.records.map((r) => r.paymentId);
    const statusesWith = (celtic: string, others: string) =>
      ids.map((id) => [id, toCeltic.includes(id) ? celtic : others, ""]);

    // Before any cycle: nothing declared, everything ACCP.
    const { cycleId } = await f.operator.settlement.openCycle();
    await anchorDay(f, batches);
    expect(await f.operator.settlement.getBatchSettlement({ batchId: alpine.batchId })).to.deep.equal({
      batchId: alpine.batchId,
      creditors: [],
      settled: [],
      pending: [],
      writtenOff: [],
    });
    expect(await alpineReport(f, alpine)).to.deep.equal(["ACCP", statusesWith("ACCP", "ACCP")]);

    // Cycle 1: Celtic cannot pay and is held; Alpine's entry to Celtic is carried.
    await f.bank.celtic.token.approve({ spender: engine, amount: 0n });
    const first = await f.operator.settlement.closeCycle({ cycleId, batches: presented(f, batches), openNext: true });
    expect(first.held).to.deep.equal([f.addr.celtic]);
    const afterFirst = await f.operator.settlement.getBatchSettlement({ batchId: alpine.batchId });
    expect(afterFirst).to.deep.include({
      declaredIn: cycleId,
      pending: [f.addr.celtic],
      pendingIn: cycleId + 1n,
      writtenOff: [],
    });
    expect([...afterFirst.settled].sort()).to.deep.equal([f.addr.baltic, f.addr.danube].sort());
    expect(await alpineReport(f, alpine)).to.deep.equal(["ACCP", statusesWith("ACCP", "ACSC")]);
    const celtic = await f.operator.settlement.getBatchSettlement({ batchId: batches.celtic.batchId });
    expect(celtic.settled).to.deep.equal([]); // a held debtor carries every entry
    expect(await f.operator.settlement.isBatchSettled({ batchId: alpine.batchId })).to.equal(false);

    // Cycle 2: still held; the entry is carried again (not settled because cycle 2 closed).
    const second = await f.operator.settlement.closeCycle({ cycleId: cycleId + 1n, openNext: true });
    expect(second.held).to.deep.equal([f.addr.celtic]);
    expect(await f.operator.settlement.getBatchSettlement({ batchId: alpine.batchId })).to.deep.include({
      pending: [f.addr.celtic],
      pendingIn: cycleId + 2n,
    });
    expect(await alpineReport(f, alpine)).to.deep.equal(["ACCP", statusesWith("ACCP", "ACSC")]);
    expect(await f.operator.settlement.isBatchSettled({ batchId: alpine.batchId })).to.equal(false);

    // Cycle 3: Celtic pays; everything settles: ACSC for every payment and the group.
    await f.bank.celtic.token.approve({ spender: engine, amount: 2n ** 255n });
    const third = await f.operator.settlement.closeCycle({ cycleId: cycleId + 2n });
    expect(third.held).to.deep.equal([]);
    const settled = await f.operator.settlement.getBatchSettlement({ batchId: alpine.batchId });
    expect(settled).to.deep.include({ declaredIn: cycleId, pending: [], writtenOff: [] });
    expect(settled).not.to.have.property("pendingIn");
    expect([...settled.settled].sort()).to.deep.equal([...settled.creditors].sort());
    expect(await alpineReport(f, alpine)).to.deep.equal(["ACSC", statusesWith("ACSC", "ACSC")]);
    for (const name of BANK_NAMES) {
      expect(await f.operator.settlement.isBatchSettled({ batchId: batches[name].batchId }), name).to.equal(true);
    }
  });

  it("reports a written-off entry RJCT with its cycle, the others ACSC, the group PART", async function () {
    const f = await loadFixture(settlementFixture);
    const engine = f.deployment.contracts.NettingEngine!.proxy;
    const batches = dayOfBatches(f, "status-2");
    const alpine = batches.alpine;
    const { cycleId } = await f.operator.settlement.openCycle();
    await anchorDay(f, batches);
    await f.bank.celtic.token.approve({ spender: engine, amount: 0n });
    await f.operator.settlement.closeCycle({ cycleId, batches: presented(f, batches), openNext: true });
    // Governance (the engine's owner in this fixture) writes off what waits of Alpine's batch.
    const wallet = f.gov.context.walletClient!;
    const hash = await wallet.writeContract({
      address: engine,
      abi: nettingEngineAbi,
      functionName: "writeOff",
      args: [cycleId + 1n, alpine.batchId],
      account: wallet.account!,
      chain: wallet.chain,
    });
    await f.gov.context.publicClient.waitForTransactionReceipt({ hash });
    const s = await f.operator.settlement.getBatchSettlement({ batchId: alpine.batchId });
    expect(s).to.deep.include({ pending: [], writtenOff: [f.addr.celtic], writtenOffIn: cycleId + 1n });
    const [group, txs] = await alpineReport(f, alpine);
    expect(group).to.equal("PART");
    expect(txs.filter(([, status]) => status === "RJCT")).to.deep.equal([
      ["ALPN-TX-0002", "RJCT", `written off in cycle ${cycleId + 1n}`],
    ]);
    expect(txs.filter(([, status]) => status === "ACSC")).to.have.length(4);
    expect(await f.operator.settlement.isBatchSettled({ batchId: alpine.batchId })).to.equal(false);
    expect(s.settled).not.to.include(f.addr.celtic);
  });
});
