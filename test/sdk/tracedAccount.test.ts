/**
 * A traced private batch declared by a bank that is a member account (decision 045): the
 * declaration reaches the engine through the account's `execute`, and the regulator's reader and
 * the audit's proof check read it from the transaction as from a direct call (review 23, finding 2
 * stays closed for wallets and look-alikes: only accounts the deployment's factory created count).
 */
import { expect } from "chai";
import { keccak256, toHex } from "viem";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { auditSnapshot, collectSnapshot, tracedDeclarations, unreadableTraced } from "../../packages/sdk/src/audit";
import { leiWithCheckDigits, Role } from "../../packages/sdk/src";
import {
  buildTracedBatch,
  decryptDeclaration,
  proofVerifier,
  proveTracedBatch,
  releaseProver,
} from "../../packages/zk/src";
import { sampleRecords } from "../zk/proofs";
import { key } from "./fixture";
import { BANK_FUNDS, BANK_LIMIT, settlementFixture } from "./settlementFixture";

const SECRET = 0x5eed4321n;
const THRESHOLD = 1_100n;
const KEY = 16;

describe("SDK: a traced batch declared through a member account", function () {
  this.timeout(600_000);
  after(releaseProver);

  it("is read by the regulator and its proofs re-derived by the audit, from the account's execute", async () => {
    const f = await settlementFixture();
    const [x, y] = mulPointEscalar(Base8, SECRET);
    await f.gov.zk.rotateRegulatorKey({ x, y });
    await f.gov.zk.setTraceThreshold({ threshold: THRESHOLD });
    const { account } = await f.gov
      .as(key(KEY))
      .accounts.createMemberAccount({ firstKey: key(KEY).address, salt: keccak256(toHex("fjord")) });
    await f.gov.registry.admitMember({
      account,
      roles: Role.MEMBER_BANK,
      lei: leiWithCheckDigits("5493000FJORDBANK00"),
      name: "Fjord Bank",
      maxSingleTransfer: BANK_LIMIT,
      maxDailyOutflow: BANK_LIMIT,
    });
    const fjord = f.gov.as(key(KEY), account);
    await fjord.settlement.enroll();
    await f.operator.token.mint({ bank: account, amount: BANK_FUNDS });

    const indexes = new Map<string, number>();
    for (const b of [account, f.addr.alpine])
      indexes.set(b.toLowerCase(), (await f.operator.settlement.ledgerIndexOf({ bank: b }))!);
    // 5 payments of 1,000 + 37·i: i ≥ 3 are at or above 1,100 (2 of them)
    const records = sampleRecords(5, account, [f.addr.alpine]);
    const traced = buildTracedBatch(records, {
      submitter: account,
      key: "traced-account",
      indexOf: (b) => indexes.get(b.toLowerCase())!,
    });
    const policy = await f.operator.zk.getTracePolicy();
    const chunks = await proveTracedBatch(traced, policy);
    await fjord.settlement.submitBatch({ key: traced.key, header: traced.header });
    await f.bank.alpine.settlement.acknowledgeBatch({ batchId: traced.batchId });
    await f.operator.settlement.openCycle();
    const declared = await fjord.settlement.declareTracedChunks({ key: traced.key, header: traced.header, chunks });

    const snapshot = await collectSnapshot(f.gov.context);
    expect(snapshot.proofTransactions[declared.hash].slice(0, 10)).to.not.equal("0x");
    expect(unreadableTraced(snapshot, { cycleId: 1n })).to.deep.equal([]);
    const [d, ...more] = tracedDeclarations(snapshot, { batchId: traced.batchId });
    expect(more).to.have.length(0);
    const reading = decryptDeclaration(d, { epoch: 1, secret: SECRET, public: [x, y] });
    expect(reading.rootMatches).to.equal(true);
    expect(reading.payments.map((p) => p.amount).sort()).to.deep.equal(
      records
        .filter((r) => r.amount >= THRESHOLD)
        .map((r) => r.amount)
        .sort(),
    );
    const report = await auditSnapshot(snapshot, { verifier: proofVerifier() });
    const proofs = report.checks.find((c) => c.id === "proofs")!;
    expect(proofs.failures).to.deep.equal([]);
    expect(proofs.result).to.equal("passed");
    expect(proofs.title).to.not.match(/sent through other contracts/);
  });
});
