import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { custom, type Address, type EIP1193Parameters, type Hex } from "viem";
import {
  ContractRevertError,
  InvalidArgumentError,
  buildBatch,
  leafOf,
  verifyBatchFile,
  verifyInclusion,
  STAMP_GRANULE,
  STAMP_MARGIN,
  stampWindowEnd,
  createClearhouse,
  type Batch,
  type Clearhouse,
  type OnChainHeader,
} from "../../packages/sdk/src";
import { readBatchFile } from "../../packages/sdk/src/node/batchFile";
import { writeBatchFile } from "../../packages/sdk/src/node/batchFile";
import { short } from "../../packages/sdk/src/errors/format";
import { settlementLedgerAbi } from "../../packages/contracts/src/abis";
import { blockNumber, rejectsWith } from "./fixture";
import {
  ACK_WINDOW,
  BANK_FUNDS,
  BANK_NAMES,
  dayOfBatches,
  paymentBatch,
  settlementFixture,
  smallSampleBatch,
  type BankName,
  type SettlementFixture,
} from "./settlementFixture";

const KEY = "2025-03-14-A";

/** Anchor `batch` as `bank` and check that it was created. */
async function submit(bank: Clearhouse, batch: Batch) {
  const r = await bank.settlement.submitBatch({ key: batch.key, header: batch.header });
  expect(r.created).to.equal(true);
  return r;
}

/**
 * A submission as a client that crashes after sending would leave it: alpine's raw submitBatch
 * transaction with `header`, sent without the SDK (no simulation, no receipt read). Its hash.
 */
async function sendAttempt(f: SettlementFixture, key: Hex, header: OnChainHeader): Promise<Hex> {
  const wallet = f.bank.alpine.context.walletClient!;
  return wallet.writeContract({
    address: f.deployment.contracts.SettlementLedger!.proxy,
    abi: settlementLedgerAbi,
    functionName: "submitBatch",
    args: [key, header],
    chain: wallet.chain,
    account: wallet.account,
  });
}

/** Every BatchSubmitted event of the ledger so far. */
async function batchSubmittedLogs(f: SettlementFixture) {
  const ledger = f.deployment.contracts.SettlementLedger!;
  return f.gov.context.publicClient.getContractEvents({
    address: ledger.proxy,
    abi: settlementLedgerAbi,
    eventName: "BatchSubmitted",
    fromBlock: BigInt(ledger.blockNumber),
  });
}

describe("SDK settlement (real Hardhat network)", () => {
  it("anchors a batch imported from pacs.008: created, Submitted, sequence 1", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    expect(batch.header.entryCount).to.equal(5);
    expect(batch.header.grossTotal).to.equal(100_160_050n); // CtrlSum 1001600.50
    expect(batch.header.counterparties).to.have.members([f.addr.baltic, f.addr.celtic, f.addr.danube]);
    const r = await submit(f.bank.alpine, batch);
    expect(r.batchId).to.equal(batch.batchId);
    expect(r.tx?.gasUsed).to.be.greaterThan(0n);
    expect(r.header.counterpartyMask).to.equal(0b1110n); // enrolled as alpine #0, baltic #1, celtic #2, danube #3
    expect(await f.operator.settlement.getBatchId({ submitter: f.addr.alpine, key: KEY })).to.equal(batch.batchId);
    const info = await f.operator.settlement.getBatch({ batchId: batch.batchId });
    expect(info).to.deep.include({ status: "Submitted", sequence: 1n, counterpartyMask: 0b1110n, ackMask: 0n });
    expect(info.digest).to.equal(await f.operator.settlement.headerDigest(r.header));
    // Stamped by the SDK from the chain's present just before sending (the latest block, the pending
    // one or the clock, whichever is latest): the window plus STAMP_MARGIN after it, rounded up to a
    // STAMP_GRANULE. That present is at most a few seconds before the block the batch landed in (on a
    // loaded machine more than 1 s, so the exact granule is not fixed: CI saw the one below).
    const round = (t: number) => Math.ceil(t / STAMP_GRANULE) * STAMP_GRANULE;
    expect(info.windowClosesAt % STAMP_GRANULE).to.equal(0);
    expect(info.windowClosesAt).to.be.within(
      round(info.submittedAt - 10 + ACK_WINDOW + STAMP_MARGIN),
      round(info.submittedAt + ACK_WINDOW + STAMP_MARGIN),
    );
    expect(info.header).to.deep.equal(r.header);
    const second = await submit(f.bank.alpine, smallSampleBatch(f, "2025-03-14-B"));
    expect((await f.operator.settlement.getBatch({ batchId: second.batchId })).sequence).to.equal(2n);
  });

  it("reads BatchSubmitted in pages of maxLogRange blocks, newest first, and stops once the batch is found", async () => {
    const f = await loadFixture(settlementFixture);
    const first = await submit(f.bank.alpine, smallSampleBatch(f));
    await hre.network.provider.request({ method: "hardhat_mine", params: ["0x20"] });
    const second = await submit(f.bank.alpine, smallSampleBatch(f, "2025-03-14-B"));
    const ranges: Array<[bigint, bigint]> = [];
    const recording = custom({
      request: ({ method, params }: EIP1193Parameters) => {
        if (method === "eth_getLogs") {
          const [q] = params as [{ fromBlock: Hex; toBlock: Hex }];
          ranges.push([BigInt(q.fromBlock), BigInt(q.toBlock)]);
        }
        return hre.network.provider.request({ method, params } as never);
      },
    });
    const ch = createClearhouse({ transport: recording, deployment: f.deployment, maxLogRange: 4 });
    const latest = await blockNumber();
    expect((await ch.settlement.getBatch({ batchId: second.batchId })).sequence).to.equal(2n);
    expect(ranges.length).to.be.greaterThan(0);
    for (const [from, to] of ranges) expect(to - from + 1n).to.be.at.most(4n);
    expect(ranges[0]![1]).to.equal(BigInt(latest)); // newest page first
    expect(ranges.at(-1)![0]).to.be.greaterThan(BigInt(latest) - 32n); // stopped before the mined blocks
    ranges.length = 0;
    expect((await ch.settlement.getBatch({ batchId: first.batchId })).sequence).to.equal(1n);
    expect(ranges.length).to.be.at.least(8); // 32 mined blocks in pages of 4 lie between it and the latest
  });

  it("is idempotent: a retry sends nothing; the same key for other content is a conflict naming both digests", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    const first = await submit(f.bank.alpine, batch);
    const before = await blockNumber();
    const retry = await f.bank.alpine.settlement.submitBatch({ key: KEY, header: batch.header });
    expect(retry).to.deep.include({ created: false, batchId: first.batchId });
    expect(retry.tx).to.equal(undefined);
    expect(await blockNumber()).to.equal(before);
    const other = buildBatch(batch.records.slice(0, 4), { submitter: f.addr.alpine, key: KEY });
    const error = await rejectsWith(
      f.bank.alpine.settlement.submitBatch({ key: KEY, header: other.header }),
      ContractRevertError,
    );
    expect(error.errorName).to.equal("LedgerBatchConflict");
    const info = await f.operator.settlement.getBatch({ batchId: batch.batchId });
    // The conflict is checked against the anchored window end: only the content differs.
    const submitted = await f.operator.settlement.headerDigest(
      await f.operator.settlement.onChainHeader(other.header, info.windowClosesAt),
    );
    const anchored = info.digest.slice(0, 64); // the ledger keeps the first 31 bytes
    expect(anchored).not.to.equal(submitted.slice(0, 64));
    expect(error.shortMessage).to.include(`with digest ${short(anchored)}`);
    expect(error.shortMessage).to.include(`this submission's digest is ${short(submitted)}`);
    expect(error.revert.args).to.deep.equal([batch.batchId, anchored, submitted]);
    expect(await blockNumber()).to.equal(before);
  });

  it("anchors once when a retry follows a submission whose receipt was lost", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    const header = await f.bank.alpine.settlement.onChainHeader(batch.header, await stampWindowEnd(f.gov.context));
    // The first attempt reaches the chain, then the client crashes before it reads the receipt.
    const lost = await sendAttempt(f, batch.key, header);
    const before = await blockNumber();
    const retry = await f.bank.alpine.settlement.submitBatch({ key: KEY, header: batch.header });
    expect(retry).to.deep.include({ created: false, batchId: batch.batchId });
    expect(await blockNumber()).to.equal(before);
    const logs = await batchSubmittedLogs(f);
    expect(logs.map((l) => [l.args.batchId, l.transactionHash])).to.deep.equal([[batch.batchId, lost]]);
  });

  it("anchors once when a retry races a submission still pending in the mempool (same stamp: a no-op)", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    // Within the same minute the SDK stamps the same window end: the retry sends the same header.
    const header = await f.bank.alpine.settlement.onChainHeader(batch.header, await stampWindowEnd(f.gov.context));
    const provider = hre.network.provider;
    await provider.send("evm_setAutomine", [false]);
    try {
      await sendAttempt(f, batch.key, header);
      // The retry simulates against the latest block (first attempt not mined yet), so it sends too.
      const retry = f.bank.alpine.settlement.submitBatch({ key: KEY, header: batch.header });
      let settled = false;
      retry.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (let i = 0; !settled; i++) {
        const pending = (await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: Hex[] };
        if (pending.transactions.length === 2) break;
        if (i > 500) throw new Error("the retry never reached the mempool");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await provider.send("evm_mine", []);
      const r = await retry;
      expect(r).to.deep.include({ batchId: batch.batchId, created: false });
      const receipt = await f.gov.context.publicClient.getTransactionReceipt({ hash: r.tx!.hash });
      expect(receipt.status).to.equal("success");
      expect(receipt.logs).to.deep.equal([]); // mined after the first attempt: a no-op
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    const logs = await batchSubmittedLogs(f);
    expect(logs.map((l) => l.args.batchId)).to.deep.equal([batch.batchId]);
    expect((await f.operator.settlement.getBatch({ batchId: batch.batchId })).sequence).to.equal(1n);
  });

  it("anchors once when a retry races a pending submission stamped otherwise: it waits for it, sends nothing", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    // The first attempt was stamped in an earlier minute (its window end differs from the retry's).
    const header = await f.bank.alpine.settlement.onChainHeader(
      batch.header,
      (await stampWindowEnd(f.gov.context)) + STAMP_GRANULE,
    );
    const provider = hre.network.provider;
    await provider.send("evm_setAutomine", [false]);
    let r;
    try {
      const first = await sendAttempt(f, batch.key, header);
      // The retry's transaction conflicts with the pending first attempt; it waits for the block.
      const retry = f.bank.alpine.settlement.submitBatch({ key: KEY, header: batch.header });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pending = (await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: Hex[] };
      expect(pending.transactions).to.deep.equal([first]);
      await provider.send("evm_mine", []);
      r = await retry;
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    expect(r).to.deep.include({ batchId: batch.batchId, created: false });
    expect(r.tx).to.equal(undefined);
    expect(r.header).to.deep.equal(header);
    const logs = await batchSubmittedLogs(f);
    expect(logs.map((l) => l.args.batchId)).to.deep.equal([batch.batchId]);
  });

  it("stamps from the chain's present, not from an old latest block, when the chain has been idle", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    // No block for ten minutes: the latest block's time is far behind the next block's.
    await hre.network.provider.send("evm_increaseTime", [600]);
    const r = await f.bank.alpine.settlement.submitBatch({ key: KEY, header: batch.header });
    expect(r.created).to.equal(true);
    const info = await f.operator.settlement.getBatch({ batchId: r.batchId });
    expect(info.windowClosesAt).to.be.at.least(info.submittedAt + ACK_WINDOW);
    expect(info.windowClosesAt).to.be.at.most(info.submittedAt + ACK_WINDOW + STAMP_MARGIN + STAMP_GRANULE);
  });

  it("becomes Final once every counterparty acknowledged; only counterparties may answer", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    const { batchId } = await submit(f.bank.alpine, batch);
    await f.bank.baltic.settlement.acknowledgeBatch({ batchId });
    expect(await f.operator.settlement.getBatch({ batchId })).to.deep.include({
      status: "Submitted",
      ackMask: 0b0010n,
    });
    await f.bank.celtic.settlement.acknowledgeBatch({ batchId });
    expect((await f.operator.settlement.getBatch({ batchId })).status).to.equal("Submitted");
    await f.bank.danube.settlement.acknowledgeBatch({ batchId });
    expect(await f.operator.settlement.getBatch({ batchId })).to.deep.include({ status: "Final", ackMask: 0b1110n });
    const twice = await rejectsWith(f.bank.baltic.settlement.acknowledgeBatch({ batchId }), ContractRevertError);
    expect(twice.errorName).to.equal("LedgerAlreadyAnswered");

    const other = await submit(f.bank.alpine, paymentBatch(f, "alpine", [[f.addr.baltic, 500n]], "2025-03-14-B"));
    for (const [who, address] of [
      [f.bank.celtic, f.addr.celtic],
      [f.bank.alpine, f.addr.alpine],
    ] as const) {
      const error = await rejectsWith(who.settlement.acknowledgeBatch({ batchId: other.batchId }), ContractRevertError);
      expect(error.errorName).to.equal("LedgerNotCounterparty");
      expect(error.shortMessage).to.include(`${short(address)} is not a counterparty of batch ${short(other.batchId)}`);
    }
  });

  it("refuses, before sending, a batch naming a counterparty that never enrolled", async () => {
    const f = await loadFixture(settlementFixture);
    const to: [Address, bigint][] = [
      [f.addr.baltic, 1_000n],
      [f.unenrolledAddress, 2_000n],
    ];
    const batch = paymentBatch(f, "alpine", to, KEY);
    const before = await blockNumber();
    const error = await rejectsWith(
      f.bank.alpine.settlement.submitBatch({ key: KEY, header: batch.header }),
      InvalidArgumentError,
    );
    expect(error.argument).to.equal("batch");
    expect(error.message).to.include(`counterparty ${f.unenrolledAddress} is not enrolled in the settlement ledger`);
    expect(await blockNumber()).to.equal(before);
    await f.unenrolled.settlement.enroll();
    expect((await f.bank.alpine.settlement.submitBatch({ key: KEY, header: batch.header })).created).to.equal(true);
  });

  it("disputes a batch; the operator upholds it (Rejected) or dismisses it (Final)", async () => {
    const f = await loadFixture(settlementFixture);
    const upheld = await submit(f.bank.alpine, smallSampleBatch(f, "2025-03-14-A"));
    const dismissed = await submit(f.bank.alpine, smallSampleBatch(f, "2025-03-14-B"));
    const before = await blockNumber();
    const zero = await rejectsWith(
      f.bank.baltic.settlement.disputeBatch({ batchId: upheld.batchId, reasonCode: 0 }),
      InvalidArgumentError,
    );
    expect(zero.argument).to.equal("reasonCode");
    expect(await blockNumber()).to.equal(before);
    await f.bank.baltic.settlement.disputeBatch({ batchId: upheld.batchId, reasonCode: 7 });
    expect((await f.operator.settlement.getBatch({ batchId: upheld.batchId })).status).to.equal("Disputed");
    const late = await rejectsWith(
      f.bank.celtic.settlement.acknowledgeBatch({ batchId: upheld.batchId }),
      ContractRevertError,
    );
    expect(late.errorName).to.equal("LedgerWrongStatus");
    expect(late.shortMessage).to.include("is Disputed");
    const notOperator = await rejectsWith(
      f.bank.danube.settlement.resolveDispute({ batchId: upheld.batchId, upheld: true }),
      ContractRevertError,
    );
    expect(notOperator.errorName).to.equal("RegistryMissingRole");
    await f.operator.settlement.resolveDispute({ batchId: upheld.batchId, upheld: true });
    expect((await f.operator.settlement.getBatch({ batchId: upheld.batchId })).status).to.equal("Rejected");
    const again = await rejectsWith(
      f.operator.settlement.resolveDispute({ batchId: upheld.batchId, upheld: false }),
      ContractRevertError,
    );
    expect(again.errorName).to.equal("LedgerWrongStatus");

    await f.bank.danube.settlement.disputeBatch({ batchId: dismissed.batchId, reasonCode: 65_535 });
    await f.operator.settlement.resolveDispute({ batchId: dismissed.batchId, upheld: false });
    expect((await f.operator.settlement.getBatch({ batchId: dismissed.batchId })).status).to.equal("Final");
  });

  it("nets a cycle: declare, close, positions sum to zero; reconciliation matches, then finds tampering", async () => {
    const f = await loadFixture(settlementFixture);
    const batches = dayOfBatches(f, KEY);
    for (const b of BANK_NAMES) await submit(f.bank[b], batches[b]);
    // Nobody answered: every batch is final when its window (stamped a little later) passes.
    await time.increase(ACK_WINDOW + STAMP_MARGIN + STAMP_GRANULE);
    expect((await f.operator.settlement.getBatch({ batchId: batches.danube.batchId })).status).to.equal("Final");
    const { cycleId } = await f.operator.settlement.openCycle();
    expect(cycleId).to.equal(1n);
    const declared = new Map<BankName, Hex>();
    for (const b of BANK_NAMES) {
      const tx = await f.bank[b].settlement.declareBatch({ key: batches[b].key, header: batches[b].header });
      declared.set(b, tx.hash);
    }
    const again = await rejectsWith(
      f.bank.danube.settlement.declareBatch({ key: batches.danube.key, header: batches.danube.header }),
      ContractRevertError,
    );
    expect(again.errorName).to.equal("LedgerAlreadyNetted");

    const owed = new Map<string, bigint>();
    const expectedNet = new Map<Address, bigint>();
    for (const r of BANK_NAMES.flatMap((b) => batches[b].records)) {
      const pair = `${r.debtorBank}>${r.creditorBank}`;
      owed.set(pair, (owed.get(pair) ?? 0n) + r.amount);
      expectedNet.set(r.debtorBank, (expectedNet.get(r.debtorBank) ?? 0n) - r.amount);
      expectedNet.set(r.creditorBank, (expectedNet.get(r.creditorBank) ?? 0n) + r.amount);
    }
    const open = await f.operator.settlement.getCycle();
    expect(open).to.deep.include({ cycleId: 1n, status: "Open", batchCount: 4 });
    for (const p of open.positions) {
      expect(p.net).to.equal(0n);
      for (const [creditor, amount] of Object.entries(p.owes))
        expect(owed.get(`${p.bank}>${creditor}`)).to.equal(amount);
    }
    expect(open.positions.reduce((n, p) => n + Object.keys(p.owes).length, 0)).to.equal(owed.size);

    await f.operator.settlement.closeCycle();
    const closed = await f.operator.settlement.getCycle({ cycleId });
    expect(closed.status).to.equal("Closed");
    expect(closed.positions).to.have.length(4);
    expect(closed.positions.reduce((s, p) => s + p.net, 0n)).to.equal(0n);
    for (const p of closed.positions) {
      expect(p.net, p.bank).to.equal(expectedNet.get(p.bank));
      expect(await f.operator.token.getBalance({ account: p.bank })).to.equal(BANK_FUNDS + p.net);
    }

    const records = (b: BankName) => batches[b].records;
    const held = BANK_NAMES.map((b) => ({ batchId: batches[b].batchId, records: records(b) }));
    const report = await f.operator.settlement.reconcile({ cycleId, batches: held });
    expect(report).to.deep.equal({ cycleId, ok: true, pairs: owed.size, batches: 4, mismatches: [] });

    const tampered = records("alpine").map((r) => (r.paymentId === "ALPN-TX-0002" ? { ...r, amount: 10_000n } : r));
    const bad = await f.operator.settlement.reconcile({
      cycleId,
      batches: [...held.slice(1), { batchId: batches.alpine.batchId, records: tampered }],
    });
    expect(bad.ok).to.equal(false);
    expect(bad.mismatches).to.deep.equal([
      {
        kind: "obligation",
        debtor: f.addr.alpine,
        creditor: f.addr.celtic,
        offChain: 10_000n,
        onChain: 9_999n,
        transaction: declared.get("alpine"),
      },
    ]);

    const late = paymentBatch(f, "alpine", [[f.addr.danube, 4_200n]], "2025-03-14-LATE");
    await submit(f.bank.alpine, late);
    const undeclared = await f.operator.settlement.reconcile({
      cycleId,
      batches: [...held, { batchId: late.batchId, records: late.records }],
    });
    expect(undeclared.ok).to.equal(false);
    expect(undeclared.mismatches).to.deep.include({
      kind: "undeclared-batch",
      batchId: late.batchId,
      offChain: 4_200n,
      onChain: 0n,
    });
    const pair = undeclared.mismatches.find((m) => m.kind === "obligation");
    expect(pair).to.deep.include({ debtor: f.addr.alpine, creditor: f.addr.danube, offChain: 25_001n + 4_200n });
    expect(pair?.onChain).to.equal(25_001n);
  });

  it("proves a payment's inclusion on-chain and names the payment edited in a batch file", async () => {
    const f = await loadFixture(settlementFixture);
    const batch = smallSampleBatch(f);
    const { batchId, header } = await submit(f.bank.alpine, batch);
    for (let i = 0; i < batch.records.length; i++) {
      const proof = batch.tree.proof(i);
      const leaf = batch.tree.leafHash(i);
      expect(leaf).to.equal(leafOf(batch.records[i]));
      expect(verifyInclusion(batch.header.root, batch.records[i], proof)).to.equal(true);
      expect(await f.operator.settlement.verifyInclusionOnChain({ batchId, header, leaf, proof })).to.equal(true);
    }
    const i = batch.tree.indexOf("ALPN-TX-0004");
    const forged = { ...batch.records[i], amount: batch.records[i].amount + 1n };
    const proof = batch.tree.proof(i);
    expect(verifyInclusion(batch.header.root, forged, proof)).to.equal(false);
    const onChain = await f.operator.settlement.verifyInclusionOnChain({
      batchId,
      header,
      leaf: leafOf(forged),
      proof,
    });
    expect(onChain).to.equal(false);
    const wrongHeader = await rejectsWith(
      f.operator.settlement.verifyInclusionOnChain({
        batchId,
        header: { ...header, grossTotal: header.grossTotal + 1n },
        leaf: batch.tree.leafHash(i),
        proof,
      }),
      ContractRevertError,
    );
    expect(wrongHeader.errorName).to.equal("LedgerHeaderMismatch");

    const path = join(mkdtempSync(join(tmpdir(), "clearhouse-sdk-batch-")), "alpine.json");
    writeBatchFile(path, batch);
    expect(verifyBatchFile(readBatchFile(path), batch.header)).to.deep.equal({
      ok: true,
      mismatches: [],
      problems: [],
    });
    const edited = readBatchFile(path);
    edited.records[i] = { ...edited.records[i], amount: edited.records[i].amount + 100n };
    const check = verifyBatchFile(edited, batch.header);
    expect(check.ok).to.equal(false);
    expect(check.mismatches).to.have.length(1);
    expect(check.mismatches[0].paymentId).to.equal("ALPN-TX-0004");
    expect(check.mismatches[0].problem).to.match(/was edited after anchoring/);
    expect(check.problems.join("\n")).to.match(/grossTotal is 100160150, anchored 100160050/);
    // The chain agrees: the edited records do not make the anchored header.
    const rebuilt = buildBatch(edited.records, {
      submitter: edited.submitter,
      key: edited.key,
      metadata: edited.metadata,
    });
    const rebuiltDigest = await f.operator.settlement.headerDigest(
      await f.operator.settlement.anchoredHeader(batchId, rebuilt.header),
    );
    expect(rebuiltDigest).not.to.equal((await f.operator.settlement.getBatch({ batchId })).digest);
  });

  it("refuses a batch from a suspended bank with RegistryMemberSuspended, before sending", async () => {
    const f = await loadFixture(settlementFixture);
    const owed = await submit(f.bank.baltic, paymentBatch(f, "baltic", [[f.addr.alpine, 500n]], "2025-03-14-B"));
    await f.gov.registry.suspendMember({ account: f.addr.alpine });
    const before = await blockNumber();
    const error = await rejectsWith(
      f.bank.alpine.settlement.submitBatch({ key: KEY, header: smallSampleBatch(f).header }),
      ContractRevertError,
    );
    expect(error.errorName).to.equal("RegistryMemberSuspended");
    expect(await blockNumber()).to.equal(before);
    const ack = await rejectsWith(
      f.bank.alpine.settlement.acknowledgeBatch({ batchId: owed.batchId }),
      ContractRevertError,
    );
    expect(ack.errorName).to.equal("RegistryMemberSuspended");
  });
});
