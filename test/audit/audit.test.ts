/**
 * The auditor's report on a real deployment with activity in every layer: it passes on the honest
 * chain, and names the discrepancy when an off-chain record is tampered with, an event is missing,
 * a state value disagrees, or a proof the chain accepted does not verify.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, stringToHex, type Hex } from "viem";
import {
  auditSnapshot,
  collectSnapshot,
  reportHtml,
  reportMarkdown,
  type ChainSnapshot,
} from "../../packages/sdk/src/audit";
import { writeBatchFile, readBatchFile } from "../../packages/sdk/src/node/batchFile";
import { parseAgreement } from "../../packages/sdk/src/payments";
import {
  buildPrivateChunks,
  nettingInputs,
  proofVerifier,
  prove,
  releaseProver,
  toCalldata,
} from "../../packages/zk/src";
import { key } from "../sdk/fixture";
import { sampleRecords } from "../zk/proofs";
import { OPERATOR_INDEX, settlementFixture, smallSampleBatch } from "../sdk/settlementFixture";

/** The audit's proof verifier: snarkjs against the committed verification keys. */
const verifier = proofVerifier();

async function busyChain() {
  const f = await settlementFixture();
  const dir = mkdtempSync(join(tmpdir(), "audit-"));
  // A standard batch, acknowledged and settled in a cycle.
  const batch = smallSampleBatch(f);
  writeBatchFile(join(dir, "alpine.json"), batch);
  await f.bank.alpine.settlement.submitBatch({ key: batch.key, header: batch.header });
  for (const cp of ["baltic", "celtic", "danube"] as const)
    await f.bank[cp].settlement.acknowledgeBatch({ batchId: batch.batchId });
  // A private-mode chunk of Baltic's, declared with its proof.
  const [chunk] = buildPrivateChunks(sampleRecords(6, f.addr.baltic, [f.addr.alpine]), {
    submitter: f.addr.baltic,
    keyPrefix: "audit",
  });
  const bundle = await prove("batch_netting_16", nettingInputs(chunk));
  await f.bank.baltic.settlement.submitBatch({ key: chunk.key, header: chunk.header });
  await f.bank.alpine.settlement.acknowledgeBatch({ batchId: chunk.batchId });
  await f.operator.settlement.openCycle();
  await f.bank.alpine.settlement.declareBatch({ key: batch.key, header: batch.header });
  await f.bank.baltic.settlement.declareProvedBatch({
    key: chunk.key,
    header: chunk.header,
    proof: toCalldata(bundle).proof,
  });
  await f.operator.settlement.closeCycle();
  // An escrow agreement, half released.
  const block = await f.gov.context.publicClient.getBlock();
  const spec = parseAgreement(
    {
      format: "clearhouse.agreement/1",
      reference: "AUDIT-1",
      arbiter: f.addr.danube,
      attestors: [f.addr.celtic],
      threshold: 1,
      milestones: [
        { payee: f.addr.baltic, amount: "10.00", deadline: "+5d", conditions: [{ time: "+0s" }] },
        { payee: f.addr.baltic, amount: "20.00", deadline: "+5d", conditions: [{ attestation: "delivered" }] },
      ],
    },
    "audit",
    { now: block.timestamp, decimals: 2 },
  );
  const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
  await f.bank.baltic.payments.release({ agreementId, milestone: 0 });
  const snapshot = await collectSnapshot(f.gov.context);
  return { ...f, dir, batch, snapshot };
}

const failuresOf = async (s: ChainSnapshot, id: string, opts = {}) =>
  (await auditSnapshot(s, { verifier, ...opts })).checks.find((c) => c.id === id)!.failures.map((x) => x.detail);

describe("audit", function () {
  this.timeout(180_000);
  after(releaseProver);

  it("passes on the honest chain, with every check covering something", async () => {
    const f = await loadFixture(busyChain);
    const report = await auditSnapshot(f.snapshot, {
      verifier,
      batchFiles: [{ path: "alpine.json", file: readBatchFile(join(f.dir, "alpine.json")) }],
    });
    expect(report.checks.filter((c) => !c.passed).map((c) => c.failures)).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    const by = Object.fromEntries(report.checks.map((c) => [c.id, c.checked]));
    expect(by["ledger-batches"]).to.equal(2);
    expect(by["netting-cycles"]).to.equal(1);
    expect(by["escrow-agreements"]).to.equal(1);
    expect(by.proofs).to.equal(4); // three registered keys + the accepted netting proof
    expect(by["batch-files"]).to.equal(1);
    expect(reportMarkdown(report)).to.match(/\*\*Verdict: every check passed\.\*\*/);
    expect(reportHtml(report)).to.match(/Every check passed/);
  });

  it("shows the supply: total, ceiling, and issuance and redemption per issuer per UTC day", async () => {
    const f = await loadFixture(busyChain);
    const report = await auditSnapshot(f.snapshot, { verifier });
    const x = report.supply;
    expect(x.totalSupply).to.equal(f.snapshot.state.totalSupply.toString());
    expect(BigInt(x.issuedTotal) - BigInt(x.redeemedTotal)).to.equal(f.snapshot.state.totalSupply);
    expect(x.issuanceCeiling).to.equal((10n ** 11n).toString());
    expect(x.days.length).to.be.greaterThan(0);
    const operatorAddress = key(OPERATOR_INDEX).address.toLowerCase();
    const operator = x.days.find((d) => d.issuer.toLowerCase() === operatorAddress);
    expect(operator && BigInt(operator.issued) > 0n).to.equal(true);
    expect(operator!.date).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(report.checks.find((c) => c.id === "token-issuance")!.checked).to.be.greaterThan(0);
    const md = reportMarkdown(report);
    expect(md).to.match(
      /## Supply\n\nTotal supply \d+ minor units; issued \d+, redeemed \d+ since deployment; daily issuance ceiling 100000000000\./,
    );
    expect(md).to.contain(`| ${operator!.date} | ${operator!.issuer} | ${operator!.issued} | ${operator!.redeemed} |`);
    expect(reportHtml(report)).to.match(/<h2>Supply<\/h2>/);
  });

  it("detects an operator issuance above the ceiling in force, naming its transaction", async () => {
    const f = await loadFixture(busyChain);
    const events = f.snapshot.events.map((e) =>
      e.eventName === "IssuanceCeilingSet" ? { ...e, args: { ...e.args, ceiling: 1n } } : e,
    );
    const firstMint = f.snapshot.events.find((e) => e.eventName === "Issued")!;
    const failures = await failuresOf({ ...f.snapshot, events }, "token-issuance");
    expect(failures.length).to.be.greaterThan(0);
    expect(failures[0]).to.match(
      /issued \d+ on \d{4}-\d{2}-\d{2}, taking the day's issuance to \d+, above the ceiling of 1$/,
    );
    const report = await auditSnapshot({ ...f.snapshot, events }, { verifier });
    expect(report.ok).to.equal(false);
    expect(report.checks.find((c) => c.id === "token-issuance")!.failures[0].transactionHash).to.equal(
      firstMint.transactionHash,
    );
  });

  it("detects an IssuanceCounted total that disagrees with the Issued events", async () => {
    const f = await loadFixture(busyChain);
    let tampered = false;
    const events = f.snapshot.events.map((e) => {
      if (tampered || e.eventName !== "IssuanceCounted") return e;
      tampered = true;
      return { ...e, args: { ...e.args, issuedToday: 1n } };
    });
    const failures = await failuresOf({ ...f.snapshot, events }, "token-issuance");
    expect(failures.join("\n")).to.match(/IssuanceCounted says day \d+ total 1; Issued events give day \d+ total \d+/);
  });

  it("names the payment of a tampered off-chain record", async () => {
    const f = await loadFixture(busyChain);
    const file = readBatchFile(join(f.dir, "alpine.json"));
    file.records[2] = { ...file.records[2], amount: file.records[2].amount + 1n };
    const failures = await failuresOf(f.snapshot, "batch-files", { batchFiles: [{ path: "alpine.json", file }] });
    expect(failures.join("\n")).to.match(new RegExp(`payment ${file.records[2].paymentId}`));
  });

  it("detects a missing event (a Transfer, a NetPosition, a BatchDeclared)", async () => {
    const f = await loadFixture(busyChain);
    const without = (name: string, nth = 0): ChainSnapshot => {
      const idx = f.snapshot.events.map((e, i) => [e, i] as const).filter(([e]) => e.eventName === name)[nth][1];
      return { ...f.snapshot, events: f.snapshot.events.filter((_, i) => i !== idx) };
    };
    expect((await failuresOf(without("Transfer", 3), "token-supply")).length).to.be.greaterThan(0);
    expect(await failuresOf(without("NetPosition"), "netting-cycles")).to.satisfy((x: string[]) =>
      x.some((d) => /NetPosition events sum to|token Transfers in the close/.test(d)),
    );
    expect((await failuresOf(without("BatchDeclared"), "netting-cycles")).length).to.be.greaterThan(0);
    // A settlement transfer missing from a close: the money moved disagrees with the positions.
    const closes = new Set(
      f.snapshot.events.filter((e) => e.eventName === "CycleClosed").map((e) => e.transactionHash),
    );
    const nth = f.snapshot.events
      .filter((e) => e.eventName === "Transfer")
      .findIndex((e) => closes.has(e.transactionHash));
    expect(nth).to.be.at.least(0);
    expect((await failuresOf(without("Transfer", nth), "netting-cycles")).join()).to.match(
      /token Transfers in the close move/,
    );
    expect((await failuresOf(without("MilestoneReleased"), "escrow-agreements")).join()).to.match(
      /agreement 1: events give/,
    );
  });

  it("counts only the close's own settlement transfers (a pool top-up in the same transaction is not one)", async () => {
    const f = await loadFixture(busyChain);
    const close = f.snapshot.events.find((e) => e.eventName === "CycleClosed" && e.contract === "NettingEngine")!;
    const engine = f.snapshot.addresses.NettingEngine!;
    const topUp = (logIndex: number): ChainSnapshot => ({
      ...f.snapshot,
      events: [
        ...f.snapshot.events,
        {
          contract: "SettlementToken",
          eventName: "Transfer",
          args: { from: f.snapshot.addresses.ConsortiumRegistry!, to: engine, value: 5n },
          blockNumber: close.blockNumber,
          logIndex,
          transactionHash: close.transactionHash,
        },
      ],
    });
    expect(await failuresOf(topUp(-1), "netting-cycles")).to.deep.equal([]);
    expect((await failuresOf(topUp(close.logIndex - 0.5), "netting-cycles")).join()).to.match(
      /token Transfers in the close move -5/,
    );
  });

  it("detects state that disagrees with the events (a batch digest, a balance)", async () => {
    const f = await loadFixture(busyChain);
    const s = structuredClone(f.snapshot);
    const id = Object.keys(s.state.batches)[0] as Hex;
    s.state.batches[id].digest = keccak256(stringToHex("forged"));
    expect((await failuresOf(s, "ledger-batches")).join()).to.match(/stored digest/);
    const holder = Object.keys(s.state.balances)[1] as Hex;
    s.state.balances[holder] += 1n;
    expect((await failuresOf(s, "token-supply")).join()).to.match(new RegExp(holder.slice(2, 10), "i"));
  });

  it("detects a proof that does not verify against the committed key, naming its transaction", async () => {
    const f = await loadFixture(busyChain);
    const s = structuredClone(f.snapshot);
    const [tx, input] = Object.entries(s.proofTransactions)[0] as [Hex, Hex];
    // Flip a bit of the calldata's last word (a declared total): the public signals re-derived
    // from the transaction no longer match the proof the chain accepted with the original.
    const last = input.slice(-2);
    s.proofTransactions[tx] = `${input.slice(0, -2)}${(parseInt(last, 16) ^ 1).toString(16).padStart(2, "0")}` as Hex;
    const failures = (await auditSnapshot(s, { verifier })).checks.find((c) => c.id === "proofs")!.failures;
    expect(failures.map((x) => x.transactionHash)).to.include(tx);
  });

  it("a proof submitted through another contract is counted as not re-derived, not as a failure", async () => {
    const f = await loadFixture(busyChain);
    const s = structuredClone(f.snapshot);
    const [tx, input] = Object.entries(s.proofTransactions)[0] as [Hex, Hex];
    s.proofTransactions[tx] = `0x12345678${input.slice(10)}` as Hex; // e.g. a multisig's execute(...)
    const check = (await auditSnapshot(s, { verifier })).checks.find((c) => c.id === "proofs")!;
    expect(check.failures).to.deep.equal([]);
    expect(check.title).to.match(/1 sent through other contracts not re-derived/);
  });

  it("detects a contract not owned by governance", async () => {
    const f = await loadFixture(busyChain);
    const s = structuredClone(f.snapshot);
    s.addresses.ConsortiumMultisig = key(9).address;
    expect((await failuresOf(s, "governance")).length).to.equal(Object.keys(s.state.owners).length);
  });
});
