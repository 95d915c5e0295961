/**
 * The SDK's payments module against the real escrow deployed by the deploy code: terms and
 * templates, creation funded by permit or allowance, on-chain and offline attestations (bound to
 * their kind, expiring, screened), proof conditions, release, refund, disputes, cancellation with
 * expiring and revocable consents, and the agreement view.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { hashTypedData, keccak256, stringToHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { ContractRevertError } from "../../packages/sdk/src/errors/revert";
import {
  ATTESTATION_KINDS,
  ATTESTATION_TYPES,
  AttestationConflictError,
  AttestationExpiredError,
  attestationTypedData,
  fillTemplate,
  parseAgreement,
  signAttestation,
  toOnChainTerms,
  type AgreementSpec,
  type SignedAttestation,
} from "../../packages/sdk/src/payments";
import {
  agreementFromTemplate,
  readAttestationFile,
  templateNames,
  writeAttestationFile,
} from "../../packages/sdk/src/node";
import { amountInputs, prove, releaseProver } from "../../packages/zk/src";
import { leiWithCheckDigits } from "../../packages/sdk/src/registry/identifiers";
import { Role } from "../../packages/sdk/src/registry/roles";
import { blockNumber, key, rejectsWith } from "./fixture";
import { settlementFixture, type SettlementFixture } from "./settlementFixture";

const CARRIER = key(10);
const QA = key(11);
const EVIDENCE = keccak256(stringToHex("proof of delivery"));

/** The settlement fixture, the carrier and the buyer's QA admitted: attestors are screened as members. */
async function fixture() {
  const f = await settlementFixture();
  for (const [i, who] of [CARRIER, QA].entries()) {
    await f.gov.registry.admitMember({
      account: who.address,
      roles: Role.CORPORATE,
      lei: leiWithCheckDigits(`5493000ATTEST${i}0000`),
      name: i === 0 ? "Carrier" : "Buyer QA",
      maxSingleTransfer: 1n,
      maxDailyOutflow: 1n,
    });
  }
  return f;
}

async function specFor(
  f: SettlementFixture,
  milestones: unknown[],
  extra: Record<string, unknown> = {},
): Promise<AgreementSpec> {
  const block = await f.gov.context.publicClient.getBlock();
  return parseAgreement(
    {
      format: "clearhouse.agreement/1",
      reference: "PO-TEST",
      arbiter: f.addr.danube,
      attestors: [CARRIER.address, QA.address, f.addr.celtic],
      threshold: 1,
      milestones,
      ...extra,
    },
    "test",
    { now: block.timestamp, decimals: 2 },
  );
}

const balance = (f: SettlementFixture, a: Address) => f.gov.token.getBalance({ account: a });

describe("SDK payments", function () {
  this.timeout(120_000);
  after(releaseProver);

  describe("terms and templates", () => {
    const a = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const vars: Record<string, string> = {
      reference: "PO-1",
      supplier: a,
      arbiter: a,
      carrier: a,
      buyer_qa: a,
      deposit: "2500.00",
      balance: "7500.00",
      approver1: a,
      approver2: a,
      approver3: a,
      amount: "100.00",
      payee: a,
      monthly: "99.99",
      kyc_root: "0x1234",
      amount_commitment: "0x5678",
      limit: "1000.00",
    };

    it("every shipped template fills and parses; the installment plan expands to 12 monthly milestones", () => {
      expect(templateNames()).to.deep.equal([
        "collateral-on-proof",
        "installments-12",
        "invoice-autopay",
        "purchase-order",
      ]);
      for (const t of templateNames()) agreementFromTemplate(t, vars, { now: 1_000n, decimals: 2 });
      // The purchase order binds delivery to the carrier alone and acceptance to the buyer's QA alone.
      const [carrier, qa] = [CARRIER.address, QA.address];
      const po = agreementFromTemplate("purchase-order", { ...vars, carrier, buyer_qa: qa }, { now: 0n, decimals: 2 });
      expect(po.attestors).to.deep.equal([carrier, qa]);
      const balanceTerms = toOnChainTerms(po, a).milestones[1].conditions;
      expect(balanceTerms.map((c) => [c.attestation, c.attestorMask, c.threshold])).to.deep.equal([
        [0, 0b01, 1],
        [1, 0b10, 1],
      ]);
      const plan = agreementFromTemplate("installments-12", vars, { now: 1_000n, decimals: 2 });
      expect(plan.milestones).to.have.length(12);
      plan.milestones.forEach((m, i) => {
        expect(m.amount).to.equal(9_999n);
        expect(m.conditions[0]).to.deep.equal({ type: "time", notBefore: 1_000n + BigInt(i) * 30n * 86_400n });
        expect(m.deadline).to.equal(1_000n + BigInt(i) * 30n * 86_400n + 60n * 86_400n);
      });
    });

    it("names what is wrong: missing variables, bad fields", () => {
      expect(() => fillTemplate("a: ${x} ${y}", { x: "1" })).to.throw(InvalidArgumentError, /needs values for y/);
      const bad = (doc: Record<string, unknown>, re: RegExp) =>
        expect(() =>
          parseAgreement(
            {
              format: "clearhouse.agreement/1",
              reference: "r",
              arbiter: a,
              milestones: [{ payee: a, amount: "1.00", deadline: "+1d", conditions: [{ time: "+0s" }] }],
              ...doc,
            },
            "t",
            { now: 0n, decimals: 2 },
          ),
        ).to.throw(InvalidArgumentError, re);
      bad({ format: "x" }, /t\.format/);
      bad({ arbiter: "nope" }, /t\.arbiter.*not an address/);
      bad({ threshold: 3 }, /t\.threshold/);
      bad({ milestones: [] }, /t\.milestones.*non-empty/);
      bad(
        { milestones: [{ payee: a, amount: "1.001", deadline: "+1d", conditions: [{ time: "+0s" }] }] },
        /milestones\[0\]\.amount/,
      );
      bad(
        { milestones: [{ payee: a, amount: "1", deadline: "soon", conditions: [{ time: "+0s" }] }] },
        /milestones\[0\]\.deadline/,
      );
      bad(
        { milestones: [{ payee: a, amount: "1", deadline: "+1d", conditions: [{ attestation: "signed" }] }] },
        /conditions\[0\]\.attestation/,
      );
      bad(
        { milestones: [{ payee: a, amount: "1", deadline: "+1d", conditions: [{ proof: { circuit: "x" } }] }] },
        /proof\.circuit/,
      );
      bad({ milestones: [{ payee: a, amount: "1", deadline: "+1d", conditions: [] }] }, /1–4 conditions/);
      const attest = (...conditions: unknown[]) => ({
        attestors: [a],
        threshold: 1,
        milestones: [{ payee: a, amount: "1", deadline: "+1d", combine: "all", conditions }],
      });
      bad(
        attest({ attestation: "delivered" }, { attestation: "accepted" }),
        /delivered and accepted all take the agreement's attestors/,
      );
      bad(
        { milestones: [{ payee: a, amount: "1", deadline: "+1d", conditions: [{ attestation: "delivered" }] }] },
        /names no attestors/,
      );
      bad(attest({ attestation: { kind: "accepted", by: [] } }), /attestation\.by.*1–16/);
      bad(attest({ attestation: { kind: "accepted", by: [a, a] } }), /attestation\.by.*twice/);
      bad(attest({ attestation: { kind: "accepted", by: [a], threshold: 2 } }), /attestation\.threshold.*1–1/);
      bad(attest({ attestation: { kind: "accepted", by: [a], who: 1 } }), /attestation\.who.*not one of/);
      const p = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
      const proof = (x: Record<string, unknown>) => ({
        milestones: [{ payee: a, amount: "1", deadline: "+1d", conditions: [{ proof: x }] }],
      });
      bad(proof({ circuit: "kyc_membership", root: String(p) }), /proof\.root.*BN254 field/);
      bad(proof({ circuit: "kyc_membership", root: "0" }), /proof\.root.*non-zero/);
      bad(proof({ circuit: "kyc_tier", root: "0x12" }), /proof\.minTier.*not a KYC tier/);
      bad(proof({ circuit: "kyc_tier", root: "0x12", minTier: 256 }), /proof\.minTier.*256 is not a KYC tier/);
      bad(proof({ circuit: "kyc_tier", root: "0", minTier: 2 }), /proof\.root.*non-zero/);
      bad(proof({ circuit: "kyc_member", root: "0x12" }), /not kyc_membership, kyc_tier or amount_limit/);
      bad(
        proof({ circuit: "amount_limit", commitment: "0x1234", limit: "184467440737095516.16" }),
        /proof\.limit.*below 2\^64/,
      );
      bad(
        {
          milestones: [
            {
              repeat: { count: 33, every: "1d" },
              payee: a,
              amount: "1",
              deadline: "+1d",
              conditions: [{ time: "+0s" }],
            },
          ],
        },
        /repeat\.count/,
      );
    });
  });

  it("signs the test vector of docs/spec/escrow-attestation.md (viem), and ethers hashes it alike", async () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "spec", "escrow-attestation.md"), "utf8");
    const v = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(doc)![1]) as {
      privateKey: Hex;
      signer: Address;
      domain: { chainId: number; verifyingContract: Address };
      message: { agreement: string; milestone: string; kind: number; evidenceHash: Hex; deadline: string };
      typeHash: Hex;
      digest: Hex;
      signature: Hex;
    };
    expect(v.message.evidenceHash).to.equal(keccak256(stringToHex("QA report PO-2026-118")));
    const account = privateKeyToAccount(v.privateKey);
    const signed = await signAttestation(account, {
      escrow: v.domain.verifyingContract,
      chainId: v.domain.chainId,
      agreementId: BigInt(v.message.agreement),
      milestone: Number(v.message.milestone),
      kind: ATTESTATION_KINDS[v.message.kind]!,
      evidenceHash: v.message.evidenceHash,
      deadline: BigInt(v.message.deadline),
    });
    expect([signed.signer, signed.signature]).to.deep.equal([v.signer, v.signature]);
    expect(hashTypedData(attestationTypedData(signed))).to.equal(v.digest);
    const { ethers } = await import("hardhat");
    const domain = { name: "Clearhouse ConditionalEscrow", version: "1", ...v.domain };
    const types = { Attestation: [...ATTESTATION_TYPES.Attestation] };
    expect(ethers.TypedDataEncoder.hash(domain, types, v.message)).to.equal(v.digest);
    expect(keccak256(stringToHex(ethers.TypedDataEncoder.from(types).encodeType("Attestation")))).to.equal(v.typeHash);
  });

  describe("on chain", () => {
    it("creates an agreement funded by permit (no allowance), and by allowance", async () => {
      const f = await loadFixture(fixture);
      const spec = await specFor(f, [
        { payee: f.addr.baltic, amount: "100.00", deadline: "+10d", conditions: [{ attestation: "delivered" }] },
      ]);
      const escrow = f.deployment.contracts.ConditionalEscrow!.proxy;
      const before = await balance(f, f.addr.alpine);
      const r = await f.bank.alpine.payments.createAgreement({ spec });
      expect(r.agreementId).to.equal(1n);
      expect(await balance(f, f.addr.alpine)).to.equal(before - 10_000n);
      expect(await balance(f, escrow)).to.equal(10_000n);
      await f.bank.celtic.token.approve({ spender: escrow, amount: 10_000n });
      const r2 = await f.bank.celtic.payments.createAgreement({ spec });
      expect(r2.agreementId).to.equal(2n);
      const info = await f.gov.payments.getAgreement({ agreementId: 2n });
      expect(info).to.deep.include({
        payer: f.addr.celtic,
        status: "Active",
        total: 10_000n,
        locked: 10_000n,
      });
      expect(info.milestones[0]).to.deep.include({ payee: f.addr.baltic, status: "Pending", releasable: false });
      expect(info.milestones[0].conditions[0]).to.deep.include({
        met: false,
        attestors: [CARRIER.address, QA.address, f.addr.celtic],
        threshold: 1,
      });
      expect(info.milestones[0].conditions[0].description).to.match(/^delivered attested by 0 of 1 needed \(by 0x/);
    });

    it("on-chain attestation, then release by anyone pays the payee", async () => {
      const f = await loadFixture(fixture);
      const spec = await specFor(f, [
        { payee: f.addr.baltic, amount: "50.00", deadline: "+10d", conditions: [{ attestation: "delivered" }] },
      ]);
      const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
      const early = await rejectsWith(
        f.bank.danube.payments.release({ agreementId, milestone: 0 }),
        ContractRevertError,
      );
      expect(early.message).to.match(/condition of milestone 0 of agreement 1 does not hold yet/);
      await f.bank.celtic.payments.attest({ agreementId, milestone: 0, kind: "delivered", evidenceHash: EVIDENCE });
      const before = await balance(f, f.addr.baltic);
      await f.bank.danube.payments.release({ agreementId, milestone: 0 });
      expect(await balance(f, f.addr.baltic)).to.equal(before + 5_000n);
      expect((await f.gov.payments.getAgreement({ agreementId })).status).to.equal("Closed");
    });

    it("offline attestation files: signed without a node, checked when read, submitted by anyone", async () => {
      const f = await loadFixture(fixture);
      const spec = await specFor(f, [
        {
          payee: f.addr.baltic,
          amount: "10.00",
          deadline: "+10d",
          combine: "all",
          conditions: [
            { attestation: { kind: "delivered", by: [CARRIER.address] } },
            { attestation: { kind: "accepted", by: [QA.address] } },
          ],
        },
      ]);
      const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
      const escrow = f.deployment.contracts.ConditionalEscrow!.proxy;
      const dir = mkdtempSync(join(tmpdir(), "att-"));
      // Deadlines from the chain's clock: earlier tests may have moved it far past the machine's.
      const now = (await f.gov.context.publicClient.getBlock()).timestamp;
      const base = {
        escrow,
        chainId: f.deployment.chainId,
        agreementId,
        milestone: 0,
        evidenceHash: EVIDENCE,
        deadline: now + 7n * 86_400n,
      };
      writeAttestationFile(join(dir, "d.json"), await signAttestation(CARRIER, { ...base, kind: "delivered" }));
      writeAttestationFile(join(dir, "a.json"), await signAttestation(QA, { ...base, kind: "accepted" }));
      const tampered = JSON.parse(readFileSync(join(dir, "d.json"), "utf8")) as Record<string, unknown>;
      tampered.milestone = 1;
      writeFileSync(join(dir, "t.json"), JSON.stringify(tampered));
      await rejectsWith(readAttestationFile(join(dir, "t.json")), InvalidArgumentError);
      tampered.milestone = 0;
      tampered.deadline = (BigInt(tampered.deadline as string) + 86_400n).toString(); // stretched after signing
      writeFileSync(join(dir, "t.json"), JSON.stringify(tampered));
      await rejectsWith(readAttestationFile(join(dir, "t.json")), InvalidArgumentError);
      // The carrier may not attest acceptance: the escrow names the kind's attestors.
      const overreach = await signAttestation(CARRIER, { ...base, kind: "accepted" });
      const notBound = await rejectsWith(
        f.bank.baltic.payments.submitAttestations({ attestations: [overreach] }),
        ContractRevertError,
      );
      expect(notBound.message).to.match(/may not attest "accepted" for milestone 0/);
      // A signature whose deadline has passed is refused before anything is sent.
      const stale = await signAttestation(QA, { ...base, kind: "accepted", deadline: now - 1n });
      const n0 = await blockNumber();
      const expired = await rejectsWith(
        f.bank.baltic.payments.submitAttestations({ attestations: [stale] }),
        AttestationExpiredError,
      );
      expect(expired.message).to.match(/Ask 0x.* to sign it again/);
      expect(await blockNumber()).to.equal(n0);
      const d = await readAttestationFile(join(dir, "d.json"));
      const wrongChain = { ...d, chainId: 1 };
      const n = await blockNumber();
      await rejectsWith(
        f.bank.baltic.payments.submitAttestations({ attestations: [wrongChain] }),
        InvalidArgumentError,
      );
      expect(await blockNumber()).to.equal(n);
      await f.bank.baltic.payments.submitAttestations({ attestations: [d] });
      await f.bank.baltic.payments.submitAttestations({
        attestations: [await readAttestationFile(join(dir, "a.json"))],
      });
      await f.bank.baltic.payments.release({ agreementId, milestone: 0 });
      expect((await f.gov.payments.getAgreement({ agreementId })).milestones[0].status).to.equal("Released");
    });

    it("submitMissingAttestations sends only what the escrow has not recorded, and checks all before sending", async () => {
      const f = await loadFixture(fixture);
      const spec = await specFor(f, [
        {
          payee: f.addr.baltic,
          amount: "10.00",
          deadline: "+10d",
          combine: "all",
          conditions: [
            { attestation: { kind: "delivered", by: [CARRIER.address] } },
            { attestation: { kind: "accepted", by: [QA.address] } },
          ],
        },
      ]);
      const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
      const now = (await f.gov.context.publicClient.getBlock()).timestamp;
      const base = {
        escrow: f.deployment.contracts.ConditionalEscrow!.proxy,
        chainId: f.deployment.chainId,
        agreementId,
        milestone: 0,
        evidenceHash: EVIDENCE,
        deadline: now + 7n * 86_400n,
      };
      const d = await signAttestation(CARRIER, { ...base, kind: "delivered" });
      const dLater = await signAttestation(CARRIER, { ...base, kind: "delivered", deadline: base.deadline + 60n });
      const a = await signAttestation(QA, { ...base, kind: "accepted" });
      const other = await signAttestation(CARRIER, {
        ...base,
        kind: "delivered",
        evidenceHash: keccak256(stringToHex("another delivery note")),
      });
      const payments = f.bank.baltic.payments;
      const statuses = async (attestations: SignedAttestation[]) =>
        (await payments.checkAttestations({ attestations })).map((c) => c.status);
      expect(await statuses([d, a, other])).to.deep.equal(["pending", "pending", "pending"]);

      // Nothing is sent unless every transaction would go through: an expired signature, or one the
      // escrow refuses (the carrier may not attest acceptance), stops the whole set.
      const n0 = await blockNumber();
      const stale = await signAttestation(QA, { ...base, kind: "accepted", deadline: now - 1n });
      await rejectsWith(payments.submitMissingAttestations({ attestations: [d, stale] }), AttestationExpiredError);
      const overreach = await signAttestation(CARRIER, { ...base, kind: "accepted", evidenceHash: keccak256("0x01") });
      const refused = await rejectsWith(
        payments.submitMissingAttestations({ attestations: [d, overreach] }),
        ContractRevertError,
      );
      expect(refused.message).to.match(/may not attest "accepted" for milestone 0/);
      expect(await blockNumber()).to.equal(n0);

      // The same attestation twice (signed twice): sent once, with the later deadline.
      const first = await payments.submitMissingAttestations({ attestations: [d, dLater] });
      expect(first.sent).to.have.length(1);
      expect(first.sent[0].indexes).to.deep.equal([1]);
      expect(first.skipped).to.deep.equal([{ index: 0, attestation: d, reason: "duplicate", duplicateOf: 1 }]);
      const recorded = await payments.checkAttestations({ attestations: [d, a, other] });
      expect(recorded.map((c) => c.status)).to.deep.equal(["recorded", "pending", "conflict"]);
      const record = {
        agreementId,
        milestone: 0,
        attestor: CARRIER.address,
        kind: "delivered",
        evidenceHash: EVIDENCE,
        blockNumber: first.sent[0].tx.blockNumber,
        transactionHash: first.sent[0].tx.hash,
      };
      expect(recorded[0]).to.deep.equal({ attestation: d, status: "recorded", record });
      expect(recorded[2]).to.deep.equal({ attestation: other, status: "conflict", record });

      const n1 = await blockNumber();
      const conflict = await rejectsWith(
        payments.submitMissingAttestations({ attestations: [a, other] }),
        AttestationConflictError,
      );
      expect(conflict.category).to.equal("refused");
      expect(conflict.conflicts.map((c) => c.attestation)).to.deep.equal([other]);
      expect(await blockNumber()).to.equal(n1);

      const second = await payments.submitMissingAttestations({ attestations: [d, a] });
      expect(second.sent.map((s) => s.attestations)).to.deep.equal([[a]]);
      expect(second.skipped.map((s) => [s.index, s.reason])).to.deep.equal([[0, "recorded"]]);
      const n2 = await blockNumber();
      const third = await payments.submitMissingAttestations({ attestations: [a, d, dLater] });
      expect(third.sent).to.deep.equal([]);
      expect(third.skipped.map((s) => s.reason)).to.deep.equal(["recorded", "recorded", "recorded"]);
      expect(await blockNumber()).to.equal(n2);
      await payments.release({ agreementId, milestone: 0 });
    });

    it("an amount_limit proof bound to the milestone satisfies a proof condition", async () => {
      const f = await loadFixture(fixture);
      const amount = 420_000n;
      const blinding = 777n;
      const { poseidon2 } = await import("poseidon-lite/poseidon2");
      const commitment = poseidon2([amount, blinding]);
      const spec = await specFor(f, [
        {
          payee: f.addr.baltic,
          amount: "25.00",
          deadline: "+10d",
          conditions: [
            { proof: { circuit: "amount_limit", commitment: `0x${commitment.toString(16)}`, limit: "5000.00" } },
          ],
        },
      ]);
      const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec });
      const message = await f.gov.payments.bindingOf({ agreementId, milestone: 0 });
      const wrong = await prove(
        "amount_limit",
        amountInputs({ amount, blinding, limit: 500_000n, message: message + 1n }),
      );
      const refused = await rejectsWith(
        f.bank.baltic.payments.submitProof({ agreementId, milestone: 0, condition: 0, proof: wrong }),
        ContractRevertError,
      );
      expect(refused.message).to.match(/public signal 2 of the proof does not match/);
      const proof = await prove("amount_limit", amountInputs({ amount, blinding, limit: 500_000n, message }));
      await f.bank.baltic.payments.submitProof({ agreementId, milestone: 0, condition: 0, proof });
      expect((await f.gov.payments.getAgreement({ agreementId })).milestones[0].conditions[0].met).to.equal(true);
      await f.bank.baltic.payments.release({ agreementId, milestone: 0 });
    });

    it("refund after the deadline, dispute and a 60/40 split, cancellation by consent", async () => {
      const f = await loadFixture(fixture);
      const ms = [0, 1, 2].map(() => ({
        payee: f.addr.baltic,
        amount: "10.01",
        deadline: "+1d",
        conditions: [{ attestation: "accepted" }],
      }));
      const { agreementId } = await f.bank.alpine.payments.createAgreement({ spec: await specFor(f, ms) });
      const early = await rejectsWith(
        f.bank.celtic.payments.refund({ agreementId, milestone: 0 }),
        ContractRevertError,
      );
      expect(early.message).to.match(/can be refunded only after its deadline/);
      await f.bank.baltic.payments.dispute({
        agreementId,
        milestone: 1,
        reason: keccak256(stringToHex("short delivery")),
      });
      await time.increase(2 * 86_400);
      const payer0 = await balance(f, f.addr.alpine);
      await f.bank.celtic.payments.refund({ agreementId, milestone: 0 });
      expect(await balance(f, f.addr.alpine)).to.equal(payer0 + 1_001n);
      await rejectsWith(
        f.bank.celtic.payments.resolveDispute({ agreementId, milestone: 1, payeeBps: 6_000 }),
        ContractRevertError,
      );
      const payee0 = await balance(f, f.addr.baltic);
      await f.bank.danube.payments.resolveDispute({ agreementId, milestone: 1, payeeBps: 6_000 });
      expect(await balance(f, f.addr.baltic)).to.equal(payee0 + 600n); // floor(1001 · 0.6)
      expect(await balance(f, f.addr.alpine)).to.equal(payer0 + 1_001n + 401n);
      await rejectsWith(
        f.bank.alpine.payments.cancelAgreement({ agreementId, validFor: 31n * 86_400n }),
        InvalidArgumentError,
      );
      // The payee consents, then thinks better of it: its revoked consent no longer counts.
      await f.bank.baltic.payments.cancelAgreement({ agreementId, validFor: 3_600n });
      await f.bank.baltic.payments.revokeCancel({ agreementId });
      await f.bank.alpine.payments.cancelAgreement({ agreementId });
      expect((await f.gov.payments.getAgreement({ agreementId })).status).to.equal("Active");
      await f.bank.baltic.payments.cancelAgreement({ agreementId });
      const info = await f.gov.payments.getAgreement({ agreementId });
      expect(info).to.deep.include({ status: "Cancelled", locked: 0n, released: 600n, refunded: 2_403n });
      await rejectsWith(
        f.bank.danube.payments.resolveDispute({ agreementId, milestone: 1, payeeBps: 10_001 }),
        InvalidArgumentError,
      );
    });
  });
});
