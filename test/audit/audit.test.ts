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
import { decodeFunctionData, encodeFunctionData, keccak256, stringToHex, type Hex } from "viem";
import { privateChunksAbi } from "../../packages/contracts/src";
import {
  auditSnapshot,
  collectSnapshot,
  reportHtml,
  reportMarkdown,
  type ChainSnapshot,
} from "../../packages/sdk/src/audit";
import { writeBatchFile, readBatchFile } from "../../packages/sdk/src/node/batchFile";
import { parseAgreement } from "../../packages/sdk/src/payments";
import { signAllowance, signVoucherWithSerial } from "../../packages/sdk/src/offline";
import { UNLIMITED, fromMinorUnits } from "../../packages/sdk/src/validate";
import {
  buildPrivateBatch,
  buildPrivateChunks,
  nettingInputs,
  proofVerifier,
  prove,
  provePrivateBatch,
  releaseProver,
  toCalldata,
} from "../../packages/zk/src";
import { key } from "../sdk/fixture";
import { sampleRecords } from "../zk/proofs";
import { BANK_INDEX, OPERATOR_INDEX, settlementFixture, smallSampleBatch } from "../sdk/settlementFixture";

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
  // A private-mode v2 batch of Danube's (decision 034): its chunk proofs declared in one transaction.
  const indexes = new Map<string, number>();
  for (const b of [f.addr.danube, f.addr.alpine, f.addr.celtic])
    indexes.set(b.toLowerCase(), (await f.operator.settlement.ledgerIndexOf({ bank: b }))!);
  const v2 = buildPrivateBatch(sampleRecords(12, f.addr.danube, [f.addr.alpine, f.addr.celtic]), {
    submitter: f.addr.danube,
    key: "audit-v2",
    indexOf: (b) => indexes.get(b.toLowerCase())!,
  });
  const v2Chunks = await provePrivateBatch(v2);
  await f.bank.danube.settlement.submitBatch({ key: v2.key, header: v2.header });
  await f.bank.alpine.settlement.acknowledgeBatch({ batchId: v2.batchId });
  await f.bank.celtic.settlement.acknowledgeBatch({ batchId: v2.batchId });
  await f.operator.settlement.openCycle();
  await f.bank.alpine.settlement.declareBatch({ key: batch.key, header: batch.header });
  const v2Declared = await f.bank.danube.settlement.declareProvedChunks({
    key: v2.key,
    header: v2.header,
    chunks: v2Chunks,
  });
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
        { payee: f.addr.baltic, amount: "5.00", deadline: "+7d", conditions: [{ attestation: "delivered" }] },
      ],
    },
    "audit",
    { now: block.timestamp, decimals: 2 },
  );
  const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
  await f.bank.baltic.payments.release({ agreementId, milestone: 0 });
  // The payer disputes milestone 1 (left open); the payee disputes milestone 2 and the arbiter
  // splits it 60/40.
  await f.bank.alpine.payments.dispute({ agreementId, milestone: 1, reason: keccak256(stringToHex("late")) });
  await f.bank.baltic.payments.dispute({ agreementId, milestone: 2, reason: keccak256(stringToHex("partial")) });
  await f.bank.danube.payments.resolveDispute({ agreementId, milestone: 2, payeeBps: 6_000 });
  // One member with a finite single-transfer limit and no daily limit.
  await f.gov.registry.setLimits({
    account: f.unenrolledAddress,
    maxSingleTransfer: 25_000_000n,
    maxDailyOutflow: UNLIMITED,
  });
  // Offline payments: a customer of Alpine pays a shop of Baltic; a second voucher of the same
  // serial, to Baltic itself, is a double spend paid from Alpine's guarantee.
  const [customer, shop] = [key(13), key(14)];
  await f.bank.alpine.registry.openWallet({ wallet: customer.address, tier: 2 });
  await f.bank.baltic.registry.openWallet({ wallet: shop.address, tier: 2 });
  await f.bank.alpine.token.transfer({ to: customer.address, amount: 100_000n });
  await f.bank.alpine.offline.postGuarantee({ amount: 50_000n });
  const vault = f.deployment.contracts.OfflineVault!.proxy;
  const domain = { chainId: f.deployment.chainId, vault };
  const phone = key(15);
  const allowance = await signAllowance(key(BANK_INDEX.alpine), domain, {
    wallet: customer.address,
    device: phone.address,
    bank: f.addr.alpine,
    cap: 5_000n,
    count: 5,
    expiry: block.timestamp + 30n * 86_400n,
    nonce: 1n,
  });
  await f.gov.as(customer).offline.anchorAllowance({ allowance });
  const paid = await signVoucherWithSerial(allowance, phone, { payee: shop.address, amount: 1_250n, serial: 1 });
  const twice = await signVoucherWithSerial(allowance, phone, { payee: f.addr.baltic, amount: 2_000n, serial: 1 });
  await f.gov.offline.redeemVoucher({ voucher: paid });
  await f.gov.offline.redeemVoucher({ voucher: twice });
  const snapshot = await collectSnapshot(f.gov.context);
  return { ...f, dir, batch, snapshot, v2Tx: v2Declared.hash };
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
    // The settlement fixture deploys no governance multisig: that check has nothing to look at.
    expect(
      report.checks.filter((c) => c.result !== "passed").map((c) => [c.id, c.result, c.notRunReason]),
    ).to.deep.equal([["governance", "not run", "the deployment has no governance multisig"]]);
    expect(report.ok).to.equal(true);
    const by = Object.fromEntries(report.checks.map((c) => [c.id, c.checked]));
    expect(by["ledger-batches"]).to.equal(3);
    expect(by["netting-cycles"]).to.equal(1);
    expect(by["escrow-agreements"]).to.equal(1);
    // one allowance, Alpine's book, no bulk batch
    expect(by["offline-vault"]).to.equal(2);
    // six registered keys + the accepted batch_netting_16 proof + the v2 batch's one chunk proof
    expect(by.proofs).to.equal(8);
    expect(by["batch-files"]).to.equal(1);
    expect(by["contract-implementations"]).to.equal(7);
    expect(report.summary).to.deep.equal({ passed: report.checks.length - 1, failed: 0, notRun: 1 });
    expect(reportMarkdown(report)).to.match(
      /\*\*Verdict: every check that ran passed — \d+ passed, 0 failed, 1 not run\.\*\*/,
    );
    expect(reportHtml(report)).to.match(/✔ Every check that ran passed/);
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
      /## Supply\n\nTotal supply [\d,]+\.\d\d tEUR; issued [\d,]+\.\d\d tEUR, redeemed [\d,]+\.\d\d tEUR since deployment; daily issuance ceiling 1,000,000,000\.00 tEUR\./,
    );
    const units = (v: string) => `${fromMinorUnits(BigInt(v), 2)} tEUR`;
    expect(md).to.contain(
      `| ${operator!.date} | ${operator!.issuer} | ${units(operator!.issued)} | ${units(operator!.redeemed)} |`,
    );
    expect(reportHtml(report)).to.match(/<h2 id="supply">Supply<\/h2>/);
  });

  it("lists every contract with its proxy, the deployment's implementation and the one in its EIP-1967 slot", async () => {
    const f = await loadFixture(busyChain);
    const report = await auditSnapshot(f.snapshot, { verifier });
    const proxied = Object.entries(f.deployment.contracts).filter(([, c]) => "proxy" in c) as [
      string,
      { proxy: string; implementation: string },
    ][];
    expect(proxied.length).to.equal(7);
    for (const [name, c] of proxied) {
      const entry = report.contracts.find((x) => x.name === name)!;
      expect(entry, name).to.deep.include({
        kind: "proxy",
        address: c.proxy,
        implementation: c.implementation,
        implementationOnChain: c.implementation,
        matchesDeployment: true,
      });
      expect(entry.upgrades.map((u) => u.implementation)).to.deep.equal([c.implementation]);
    }
    for (const [circuit, address] of Object.entries(f.deployment.verifiers ?? {}))
      expect(report.contracts.find((x) => x.name === `Verifier ${circuit}`)).to.deep.include({
        kind: "plain",
        address,
      });
    const md = reportMarkdown(report);
    const ledger = f.deployment.contracts.SettlementLedger!;
    expect(md).to.contain(
      `| SettlementLedger | ${ledger.proxy} | ${ledger.implementation} | ${ledger.implementation} | yes |`,
    );
    expect(reportHtml(report)).to.contain(`<td>${ledger.proxy}</td>`);
  });

  it("flags a proxy whose implementation is not the deployment file's, naming the upgrade that explains it", async () => {
    const f = await loadFixture(busyChain);
    const other = key(8).address;
    // Not explained by any Upgraded event: both the file and the events disagree with the slot.
    const s = structuredClone(f.snapshot);
    s.state.implementations.SettlementLedger = other;
    const failures = await failuresOf(s, "contract-implementations");
    expect(failures).to.have.length(2);
    expect(failures.join("\n")).to.match(/SettlementLedger: its last Upgraded event installed 0x[0-9a-fA-F]{40}, but/);
    expect(failures.join("\n")).to.match(
      /the deployment file says implementation 0x[0-9a-fA-F]{40}, the proxy's EIP-1967 slot holds 0x[0-9a-fA-F]{40} and no Upgraded event installed it/,
    );
    // An upgrade on chain the deployment file does not record: flagged, naming the upgrade.
    const upgradeTx = keccak256(stringToHex("upgrade")) as Hex;
    const t = structuredClone(f.snapshot);
    t.state.implementations.SettlementLedger = other;
    t.events.push({
      contract: "SettlementLedger",
      eventName: "Upgraded",
      args: { implementation: other },
      blockNumber: t.toBlock,
      logIndex: 0,
      transactionHash: upgradeTx,
    });
    const check = (await auditSnapshot(t, { verifier })).checks.find((c) => c.id === "contract-implementations")!;
    expect(check.result).to.equal("failed");
    expect(check.failures).to.have.length(1);
    expect(check.failures[0].detail).to.match(
      /installed in block \d+, not by a governance proposal\): find who upgraded it/,
    );
    expect(check.failures[0].transactionHash).to.equal(upgradeTx);
    const entry = (await auditSnapshot(t, { verifier })).contracts.find((c) => c.name === "SettlementLedger")!;
    expect(entry).to.deep.include({ matchesDeployment: false, upgradedByGovernance: null });
    expect(reportMarkdown(await auditSnapshot(t, { verifier }))).to.match(/\| SettlementLedger \|[^\n]*\| NO \|/);

    // The same upgrade while the multisig owned the ledger (only a proposal could have made it): the
    // chain is right and the file is out of date — said in the report, not a failure.
    const multisig = key(9).address;
    t.addresses.ConsortiumMultisig = multisig;
    const upgradeAt = t.events.findIndex((e) => e.transactionHash === upgradeTx);
    t.events.splice(upgradeAt, 0, {
      contract: "SettlementLedger",
      eventName: "OwnershipTransferred",
      args: { previousOwner: f.deployment.deployer, newOwner: multisig },
      blockNumber: t.toBlock,
      logIndex: 0,
      transactionHash: keccak256(stringToHex("handover")) as Hex,
    });
    const governed = await auditSnapshot(t, { verifier });
    expect(governed.checks.find((c) => c.id === "contract-implementations")!.result).to.equal("passed");
    const upgraded = governed.contracts.find((c) => c.name === "SettlementLedger")!;
    expect(upgraded.matchesDeployment).to.equal(false);
    expect(upgraded.upgradedByGovernance).to.deep.include({ implementation: other, transactionHash: upgradeTx });
    expect(reportMarkdown(governed)).to.match(
      /\| SettlementLedger \|[^\n]*\| upgraded by governance in block \d+: update the file \|/,
    );
  });

  it("does not call an upgrade governed because an unrelated proposal executed in the same transaction", async () => {
    // `execute` is permissionless for a matured proposal: whoever holds upgrade rights outside
    // governance (a key never handed over) can, from a contract, execute any pending proposal and
    // upgrade a proxy in one transaction. Here the upgrade comes after the Executed log, so it
    // cannot be that proposal's call; the check must still fail and the row must not say governed.
    const f = await loadFixture(busyChain);
    const other = key(8).address;
    const tx = keccak256(stringToHex("execute something, then upgrade")) as Hex;
    const t = structuredClone(f.snapshot);
    t.state.implementations.SettlementLedger = other;
    t.addresses.ConsortiumMultisig = key(9).address; // a multisig exists, but never owned the ledger
    t.events.push(
      {
        contract: "ConsortiumMultisig",
        eventName: "Executed",
        args: { proposalHash: keccak256(stringToHex("unrelated proposal")), lane: 2n, nonce: 0n },
        blockNumber: t.toBlock,
        logIndex: 0,
        transactionHash: tx,
      },
      {
        contract: "SettlementLedger",
        eventName: "Upgraded",
        args: { implementation: other },
        blockNumber: t.toBlock,
        logIndex: 1,
        transactionHash: tx,
      },
    );
    const report = await auditSnapshot(t, { verifier });
    expect(report.contracts.find((c) => c.name === "SettlementLedger")).to.deep.include({ upgradedByGovernance: null });
    expect(report.checks.find((c) => c.id === "contract-implementations")!.result).to.equal("failed");
  });

  it("lists every agreement: payer, payee, arbiter, amounts, deadlines, milestones and disputes", async () => {
    const f = await loadFixture(busyChain);
    const report = await auditSnapshot(f.snapshot, { verifier });
    expect(report.agreements).to.have.length(1);
    const a = report.agreements[0];
    expect(a).to.deep.include({
      agreementId: "1",
      status: "Active",
      payer: f.addr.alpine,
      arbiter: f.addr.danube,
      payees: [f.addr.baltic],
      inSettlementToken: true,
      total: "3500",
      funded: "3500",
      released: "1300", // milestone 0 (10.00) + 60 % of milestone 2 (3.00)
      refunded: "200",
      locked: "2000",
    });
    expect(a.createdAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    expect(a.milestones.map((m) => [m.index, m.amount, m.status])).to.deep.equal([
      [0, "1000", "Released"],
      [1, "2000", "Disputed"],
      [2, "500", "Split"],
    ]);
    // Deadlines are ISO dates: five and seven days after creation.
    const created = Date.parse(a.createdAt);
    expect(Date.parse(a.milestones[1].deadline) - created).to.be.closeTo(5 * 86_400_000, 60_000);
    expect(Date.parse(a.milestones[2].deadline) - created).to.be.closeTo(7 * 86_400_000, 60_000);
    expect(a.disputes).to.have.length(2);
    const [open, resolved] = a.disputes;
    expect(open).to.deep.include({ milestone: 1, openedBy: f.addr.alpine, state: "open", resolution: null });
    expect(open.reason).to.equal(keccak256(stringToHex("late")));
    expect(open.openedAt).to.match(/^\d{4}-\d{2}-\d{2}T/);
    expect(resolved).to.deep.include({ milestone: 2, openedBy: f.addr.baltic, state: "resolved" });
    expect(resolved.resolution).to.deep.include({ by: f.addr.danube, toPayee: "300", toPayer: "200" });
    // What a person reads: currency units and dates.
    const md = reportMarkdown(report);
    expect(md).to.contain(
      `| 1 | Active | ${f.addr.alpine} | ${f.addr.danube} | ${f.addr.baltic} | ${a.createdAt} | 35.00 tEUR | 35.00 tEUR | 13.00 tEUR | 2.00 tEUR | 20.00 tEUR |`,
    );
    expect(md).to.contain(
      `| 1 | 1 | ${f.addr.baltic} | 20.00 tEUR | ${a.milestones[1].deadline} | Disputed | does not hold |`,
    );
    expect(md).to.contain(`| 1 | 1 | ${f.addr.alpine} | ${open.openedAt!.slice(0, 10)} | open | — |`);
    expect(md).to.contain(
      `by ${f.addr.danube} on ${resolved.resolution!.resolvedAt!.slice(0, 10)}: 3.00 tEUR to the payee, 2.00 tEUR to the payer`,
    );
    expect(reportHtml(report)).to.match(/<h2 id="disputes">Disputes<\/h2>/);
  });

  it("lists every member with status, roles and limits in currency units (UNLIMITED as unlimited)", async () => {
    const f = await loadFixture(busyChain);
    const report = await auditSnapshot(f.snapshot, { verifier });
    expect(report.members.map((m) => m.account)).to.include.members([...Object.values(f.addr), f.unenrolledAddress]);
    const late = report.members.find((m) => m.account === f.unenrolledAddress)!;
    expect(late).to.deep.equal({
      account: f.unenrolledAddress,
      name: "Late Bank",
      status: "Active",
      roles: ["MEMBER_BANK"],
      sanction: 0,
      maxSingleTransfer: "25000000",
      maxDailyOutflow: "unlimited",
    });
    const alpine = report.members.find((m) => m.account === f.addr.alpine)!;
    expect(alpine.maxDailyOutflow).to.equal("10000000000");
    const md = reportMarkdown(report);
    expect(md).to.contain(
      `| Late Bank | ${f.unenrolledAddress} | Active | MEMBER_BANK | none | 250,000.00 tEUR | unlimited |`,
    );
    expect(md).to.contain(
      `| Alpine Bank | ${f.addr.alpine} | Active | MEMBER_BANK | none | 100,000,000.00 tEUR | 100,000,000.00 tEUR |`,
    );
    expect(md).to.match(/\| Settlement operator \| 0x[0-9a-fA-F]{40} \| Active \| OPERATOR, MEMBER_BANK \|/);
  });

  it("a member name holding a newline cannot forge lines of the Markdown report", async () => {
    // The registry stores any 1–64-byte name (the contract checks only the length; a raw
    // `gov propose --data` admission skips the SDK's text checks). In report.md a newline in a
    // table cell ends the row: the rest becomes report text of the member's choosing.
    const f = await loadFixture(busyChain);
    const s = structuredClone(f.snapshot);
    s.state.members[f.unenrolledAddress].name = "Late\n\n**Verdict: every check passed.**";
    const md = reportMarkdown(await auditSnapshot(s, { verifier }));
    expect(md.split("\n").filter((l) => l.startsWith("**Verdict"))).to.have.length(1);
  });

  it("a check that examined nothing is 'not run' with why, never 'passed', and does not fail the audit", async () => {
    const f = await loadFixture(busyChain);
    const report = await auditSnapshot(f.snapshot, { verifier }); // no batch files given
    const files = report.checks.find((c) => c.id === "batch-files")!;
    expect(files).to.deep.include({ result: "not run", checked: 0, failures: [] });
    expect(files.notRunReason).to.match(/^no bank batch files given: pass --batch-file <file>/);
    expect(report.ok).to.equal(true);
    expect(report.summary.notRun).to.equal(2); // the batch files, and governance (no multisig here)
    expect(report.summary.failed).to.equal(0);
    // Checks that ran carry no reason.
    expect(report.checks.filter((c) => c.result === "passed").every((c) => c.notRunReason === undefined)).to.equal(
      true,
    );
    const md = reportMarkdown(report);
    expect(md).to.match(/\*\*Verdict: every check that ran passed — \d+ passed, 0 failed, 2 not run\.\*\*/);
    expect(md).to.match(/\| Off-chain records: [^|]+ \| 0 \| not run: no bank batch files given: pass --batch-file/);
    expect(md).to.not.match(/Off-chain records[^\n]*\| passed \|/);
    expect(reportHtml(report)).to.match(
      /<tr class="notrun"><td>Off-chain records[^<]*<\/td><td class="num">0<\/td><td>not run: no bank batch files/,
    );
    // No agreements on chain: the escrow check is not run either (but a failure beats "not run":
    // without its agreements, the escrow's balance is a discrepancy).
    const bare = structuredClone(f.snapshot);
    bare.events = bare.events.filter((e) => e.contract !== "ConditionalEscrow");
    bare.state.agreements = {};
    const escrow = (await auditSnapshot(bare, { verifier })).checks.find((c) => c.id === "escrow-agreements")!;
    expect(escrow.result).to.equal("failed");
    expect(escrow.failures[0].detail).to.match(/^the escrow holds 20\.00 tEUR, but its agreements lock 0\.00 tEUR$/);
    bare.state.balances = Object.fromEntries(
      Object.entries(bare.state.balances).filter(
        ([a]) => a.toLowerCase() !== bare.addresses.ConditionalEscrow!.toLowerCase(),
      ),
    );
    const none = (await auditSnapshot(bare, { verifier })).checks.find((c) => c.id === "escrow-agreements")!;
    expect(none).to.deep.include({ result: "not run", notRunReason: "no agreement was created", checked: 0 });
  });

  it("rebuilds the offline vault from its events and names each discrepancy", async () => {
    const f = await loadFixture(busyChain);
    const alpine = f.addr.alpine;
    expect(await failuresOf(f.snapshot, "offline-vault")).to.deep.equal([]);
    // A compensation the vault's state forgot: the guarantee it reports is not what events give.
    const book = structuredClone(f.snapshot);
    const key_ = (Object.keys(book.state.offline!.books) as `0x${string}`[]).find(
      (b) => b.toLowerCase() === alpine.toLowerCase(),
    )!;
    book.state.offline!.books[key_].guarantee += 1n;
    const bookFailures = await failuresOf(book, "offline-vault");
    expect(bookFailures[0]).to.match(
      /: events give guarantee 480\.00 tEUR and debt 0\.00 tEUR; the vault says 480\.01 tEUR/,
    );
    // A redemption missing from the events: the vault holds less than its events add up to.
    const lost = structuredClone(f.snapshot);
    lost.events = lost.events.filter((e) => !(e.contract === "OfflineVault" && e.eventName === "VoucherRedeemed"));
    expect(await failuresOf(lost, "offline-vault")).to.deep.equal([
      "the vault holds 717.50 tEUR, but its events add up to 730.00 tEUR",
    ]);
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
      /issued [\d,]+\.\d\d tEUR on \d{4}-\d{2}-\d{2}, taking the day's issuance to [\d,]+\.\d\d tEUR, above the ceiling of 0\.01 tEUR$/,
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
    expect(failures.join("\n")).to.match(
      /IssuanceCounted says day \d+ total 0\.01 tEUR; Issued events give day \d+ total [\d,]+\.\d\d tEUR/,
    );
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
      /token Transfers in the close move -0\.05 tEUR/,
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

  it("re-derives a private-mode v2 batch's chunk proofs: a changed bucket amount fails to re-verify", async () => {
    const f = await loadFixture(busyChain);
    const s = structuredClone(f.snapshot);
    const input = s.proofTransactions[f.v2Tx];
    expect(input, "the v2 declaration's transaction was collected").to.be.a("string");
    const { args } = decodeFunctionData({ abi: privateChunksAbi, data: input });
    const [cycleId, batchKey, header, counterparties, totals, chunks] = args;
    // Move one unit between the chunk's two buckets: the per-position sums still match the totals,
    // only the proof's public words differ (the chain would refuse it; the audit must too).
    const moved = chunks.map((c) => ({
      ...c,
      amounts: [c.amounts[0] + 1n, c.amounts[1] - 1n, c.amounts[2], c.amounts[3]] as const,
    }));
    s.proofTransactions[f.v2Tx] = encodeFunctionData({
      abi: privateChunksAbi,
      functionName: "declareProvedChunks",
      args: [cycleId, batchKey, header, counterparties, totals, moved],
    });
    const failures = (await auditSnapshot(s, { verifier })).checks.find((c) => c.id === "proofs")!.failures;
    expect(failures.map((x) => [x.transactionHash, x.detail])).to.deep.equal([
      [
        f.v2Tx,
        "the private_netting_256 proof accepted on chain does not verify against the committed verification key",
      ],
    ]);
  });

  it("names a v2 declaration whose bank held no ledger index", async () => {
    const f = await loadFixture(busyChain);
    const s = structuredClone(f.snapshot);
    s.events = s.events.filter(
      (e) => !(e.eventName === "BankEnrolled" && String(e.args.bank).toLowerCase() === f.addr.danube.toLowerCase()),
    );
    const failures = (await auditSnapshot(s, { verifier })).checks.find((c) => c.id === "proofs")!.failures;
    expect(failures.map((x) => x.transactionHash)).to.deep.equal([f.v2Tx]);
    expect(failures[0].detail).to.match(/cannot re-derive the proof of BatchProofAccepted: .* held no ledger index/i);
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
