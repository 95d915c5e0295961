/**
 * ConditionalEscrow: PROOF conditions (kyc_membership, amount_limit) with real Groth16 proofs made
 * by the SDK, bound to one milestone by `bindingOf`; verified by the VerifierRegistry.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { poseidon2 } from "poseidon-lite/poseidon2";
import { amountInputs, kycInputs } from "../../../packages/zk/src/inputs";
import { identityCommitment, KycTree, nullifierOf } from "../../../packages/zk/src/kyc";
import { prove, releaseProver } from "../../../packages/zk/src/prover";
import { type ProofBundle } from "../../../packages/sdk/src/zk/proof";
import { KYC_SECRETS } from "../../zk/proofs";
import { calldata, deployZk } from "../zk/helpers";
import {
  AMOUNT_CIRCUIT,
  Attest,
  attestBy,
  attested,
  Combine,
  create,
  DAY,
  deployEscrow,
  KYC_CIRCUIT,
  milestone,
  MS,
  proven,
  standardTerms,
  type AgreementTerms,
  type EscrowFixture,
} from "./helpers";

const TREE = new KycTree(KYC_SECRETS.map(identityCommitment));
const ROOT = TREE.root;
const SECRET = KYC_SECRETS[1];
const AMOUNT = 250_000n;
const BLINDING = 31_337n;
const LIMIT = 1_000_000n;
const COMMITMENT = poseidon2([AMOUNT, BLINDING]);

/**
 * Agreement 1: 0. kyc; 1. amount_limit; 2. ALL(kyc, amount_limit); 3. ANY(Delivered, kyc) — every
 * milestone 1,000 × (index + 1), deadline +30 d.
 */
function proofTerms(f: EscrowFixture, now: number): AgreementTerms {
  const kyc = proven(KYC_CIRCUIT, ROOT);
  const amount = proven(AMOUNT_CIRCUIT, COMMITMENT, LIMIT);
  const plan = [[kyc], [amount], [kyc, amount], [attested(Attest.Delivered), kyc]];
  return {
    ...standardTerms(f, now),
    milestones: plan.map((conds, i) =>
      milestone(f.payees[i % 2].address, 1_000n * BigInt(i + 1), now + 30 * DAY, conds, i === 3 ? Combine.Any : 0),
    ),
  };
}

async function proofFixture() {
  const f = await deployEscrow();
  const zk = await deployZk();
  const zkAddress = await zk.verifierRegistry.getAddress();
  await f.escrow.setVerifierRegistry(zkAddress);
  await zk.verifierRegistry.setConsumer(f.escrowAddress, true);
  const now = await time.latest();
  const id = await create(f, proofTerms(f, now));
  return { ...f, ...zk, zkAddress, id, now };
}

type Fixture = Awaited<ReturnType<typeof proofFixture>>;

const cache = new Map<string, Promise<ProofBundle>>();
function kycProof(binding: bigint): Promise<ProofBundle> {
  const key = `kyc:${binding}`;
  if (!cache.has(key)) {
    const path = TREE.path(identityCommitment(SECRET));
    cache.set(key, prove("kyc_membership", kycInputs({ secret: SECRET, path, scope: binding, message: binding })));
  }
  return cache.get(key) as Promise<ProofBundle>;
}
function amountProof(binding: bigint): Promise<ProofBundle> {
  const key = `amount:${binding}`;
  if (!cache.has(key)) {
    cache.set(
      key,
      prove("amount_limit", amountInputs({ amount: AMOUNT, blinding: BLINDING, limit: LIMIT, message: binding })),
    );
  }
  return cache.get(key) as Promise<ProofBundle>;
}

/** The proof of `circuit` bound to (agreement 1, milestone `m`). */
async function proofFor(f: Fixture, circuit: "kyc" | "amount", m: number, id = f.id) {
  const binding = await f.escrow.bindingOf(id, m);
  return calldata(await (circuit === "kyc" ? kycProof(binding) : amountProof(binding)));
}

describe("ConditionalEscrow — proof conditions", function () {
  this.timeout(120_000);

  before(async function () {
    // Prove once up front (fixture addresses are deterministic, so the bindings are too).
    const f = await loadFixture(proofFixture);
    await Promise.all([0, 2, 3].map(async (m) => proofFor(f, "kyc", m)));
    await Promise.all([1, 2].map(async (m) => proofFor(f, "amount", m)));
  });
  after(releaseProver);

  it("bindingOf is keccak256(chainid, escrow, agreement, milestone) >> 8, below the BN254 field", async function () {
    const f = await loadFixture(proofFixture);
    const { chainId } = await ethers.provider.getNetwork();
    const coder = ethers.AbiCoder.defaultAbiCoder();
    for (const [id, m] of [
      [1n, 0n],
      [1n, 3n],
      [7n, 31n],
    ]) {
      const raw = ethers.keccak256(
        coder.encode(["uint256", "address", "uint256", "uint256"], [chainId, f.escrowAddress, id, m]),
      );
      expect(await f.escrow.bindingOf(id, m)).to.equal(BigInt(raw) >> 8n);
    }
    expect(await f.escrow.bindingOf(1n, 0n)).to.not.equal(await f.escrow.bindingOf(1n, 1n));
  });

  describe("kyc_membership", function () {
    it("a proof bound to the milestone satisfies it: ProofAccepted, nullifier spent, then release", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "kyc", 0);
      expect(signals[0]).to.equal(ROOT);
      expect(signals[1]).to.equal(nullifierOf(SECRET, await f.escrow.bindingOf(f.id, 0)));
      await expect(f.escrow.connect(f.keeper).release(f.id, 0))
        .to.be.revertedWithCustomError(f.escrow, "EscrowConditionNotMet")
        .withArgs(f.id, 0);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, signals))
        .to.emit(f.escrow, "ProofAccepted")
        .withArgs(f.id, 0, 0, KYC_CIRCUIT)
        .and.to.emit(f.verifierRegistry, "NullifierSpent")
        .withArgs(KYC_CIRCUIT, signals[1], f.escrowAddress);
      const m = (await f.escrow.agreementOf(f.id)).milestones[0];
      expect([m.provenMask, m.conditionHolds]).to.deep.equal([1n, true]);
      await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], 1_000n);
    });

    it("the same proof cannot satisfy another milestone or agreement (scope ≠ binding: EscrowProofMismatch 2)", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "kyc", 0);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 2, 0, proof, signals))
        .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
        .withArgs(f.id, 2, 2);
      const id2 = await create(f, proofTerms(f, f.now));
      await expect(f.escrow.connect(f.keeper).submitProof(id2, 0, 0, proof, signals))
        .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
        .withArgs(id2, 0, 2);
    });

    it("resubmitting a spent proof to its milestone fails (ZkNullifierSpent)", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "kyc", 0);
      await f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, signals);
      await expect(f.escrow.connect(f.payer).submitProof(f.id, 0, 0, proof, signals))
        .to.be.revertedWithCustomError(f.verifierRegistry, "ZkNullifierSpent")
        .withArgs(KYC_CIRCUIT, signals[1]);
    });

    it("checks every bound signal before verifying: root 0, scope 2, message 3, and the count", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "kyc", 0);
      for (const i of [0, 2, 3]) {
        const bad = [...signals];
        bad[i] += 1n;
        await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, bad))
          .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
          .withArgs(f.id, 0, i);
      }
      for (const bad of [signals.slice(0, 3), [...signals, 0n]]) {
        await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, bad))
          .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
          .withArgs(f.id, 0, bad.length);
      }
    });

    it("refuses a tampered proof or nullifier (ZkInvalidProof); nothing is spent or proven", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "kyc", 0);
      const badProof = [...proof];
      badProof[7] += 1n;
      const badNullifier = [...signals];
      badNullifier[1] += 1n;
      for (const [p, s] of [
        [badProof, signals],
        [proof, badNullifier],
      ]) {
        await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, p, s))
          .to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof")
          .withArgs(KYC_CIRCUIT);
      }
      expect(await f.verifierRegistry.isSpent(KYC_CIRCUIT, signals[1])).to.equal(false);
      expect((await f.escrow.agreementOf(f.id)).milestones[0].provenMask).to.equal(0n);
    });

    it("needs the escrow to be a nullifier consumer (ZkNotConsumer)", async function () {
      const f = await loadFixture(proofFixture);
      await f.verifierRegistry.setConsumer(f.escrowAddress, false);
      const { proof, signals } = await proofFor(f, "kyc", 0);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, signals))
        .to.be.revertedWithCustomError(f.verifierRegistry, "ZkNotConsumer")
        .withArgs(f.escrowAddress);
    });
  });

  describe("amount_limit", function () {
    it("a proof of the committed amount under the limit, bound to the milestone, satisfies it", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "amount", 1);
      expect(signals).to.deep.equal([COMMITMENT, LIMIT, await f.escrow.bindingOf(f.id, 1)]);
      await expect(f.escrow.connect(f.keeper).release(f.id, 1)).to.be.revertedWithCustomError(
        f.escrow,
        "EscrowConditionNotMet",
      );
      await expect(f.escrow.connect(f.payees[1]).submitProof(f.id, 1, 0, proof, signals))
        .to.emit(f.escrow, "ProofAccepted")
        .withArgs(f.id, 1, 0, AMOUNT_CIRCUIT);
      await expect(f.escrow.connect(f.keeper).release(f.id, 1)).to.changeTokenBalance(f.token, f.payees[1], 2_000n);
    });

    it("checks commitment 0, limit 1, message 2 and the count (EscrowProofMismatch)", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "amount", 1);
      for (const i of [0, 1, 2]) {
        const bad = [...signals];
        bad[i] += 1n;
        await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, proof, bad))
          .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
          .withArgs(f.id, 1, i);
      }
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, proof, [...signals, 1n]))
        .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
        .withArgs(f.id, 1, 4);
      // Milestone 2's proof is bound elsewhere.
      const other = await proofFor(f, "amount", 2);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, other.proof, other.signals))
        .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
        .withArgs(f.id, 1, 2);
    });

    it("refuses a tampered proof (ZkInvalidProof) and a retired circuit (ZkUnknownCircuit)", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "amount", 1);
      const bad = [...proof];
      bad[0] += 1n;
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, bad, signals))
        .to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof")
        .withArgs(AMOUNT_CIRCUIT);
      await f.verifierRegistry.retireCircuit(AMOUNT_CIRCUIT);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, proof, signals))
        .to.be.revertedWithCustomError(f.verifierRegistry, "ZkUnknownCircuit")
        .withArgs(AMOUNT_CIRCUIT);
    });

    it("has no nullifier: resubmitting is accepted again and changes nothing", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "amount", 1);
      await f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, proof, signals);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, proof, signals)).to.emit(
        f.escrow,
        "ProofAccepted",
      );
      expect((await f.escrow.agreementOf(f.id)).milestones[1].provenMask).to.equal(1n);
    });
  });

  describe("combinations", function () {
    it("ALL(kyc, amount_limit): either proof alone is not enough, both release", async function () {
      const f = await loadFixture(proofFixture);
      const kyc = await proofFor(f, "kyc", 2);
      const amount = await proofFor(f, "amount", 2);
      await f.escrow.connect(f.keeper).submitProof(f.id, 2, 1, amount.proof, amount.signals);
      expect((await f.escrow.agreementOf(f.id)).milestones[2].provenMask).to.equal(0b10n);
      await expect(f.escrow.connect(f.keeper).release(f.id, 2))
        .to.be.revertedWithCustomError(f.escrow, "EscrowConditionNotMet")
        .withArgs(f.id, 2);
      await f.escrow.connect(f.keeper).submitProof(f.id, 2, 0, kyc.proof, kyc.signals);
      expect((await f.escrow.agreementOf(f.id)).milestones[2].provenMask).to.equal(0b11n);
      await expect(f.escrow.connect(f.keeper).release(f.id, 2)).to.changeTokenBalance(f.token, f.payees[0], 3_000n);
    });

    it("a proof is checked against its own condition: kyc at amount_limit's index is a mismatch", async function () {
      const f = await loadFixture(proofFixture);
      const kyc = await proofFor(f, "kyc", 2);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 2, 1, kyc.proof, kyc.signals))
        .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
        .withArgs(f.id, 2, 4);
    });

    it("ANY(Delivered, kyc): not met with one attestation, met by the proof alone", async function () {
      const f = await loadFixture(proofFixture);
      await attestBy(f, f.id, 3, Attest.Delivered, 1);
      await expect(f.escrow.connect(f.keeper).release(f.id, 3))
        .to.be.revertedWithCustomError(f.escrow, "EscrowConditionNotMet")
        .withArgs(f.id, 3);
      const kyc = await proofFor(f, "kyc", 3);
      await f.escrow.connect(f.keeper).submitProof(f.id, 3, 1, kyc.proof, kyc.signals);
      await expect(f.escrow.connect(f.keeper).release(f.id, 3)).to.changeTokenBalance(f.token, f.payees[1], 4_000n);
    });
  });

  describe("refusals", function () {
    it("EscrowNotProofCondition for an attestation condition or an index past the conditions", async function () {
      const f = await loadFixture(proofFixture);
      const kyc = await proofFor(f, "kyc", 3);
      for (const [m, c] of [
        [3, 0],
        [3, 2],
        [0, 1],
        [0, 4],
      ]) {
        await expect(f.escrow.connect(f.keeper).submitProof(f.id, m, c, kyc.proof, kyc.signals))
          .to.be.revertedWithCustomError(f.escrow, "EscrowNotProofCondition")
          .withArgs(f.id, m, c);
      }
    });

    it("EscrowNoVerifierRegistry when none is set", async function () {
      const f = await loadFixture(deployEscrow);
      const id = await create(f, proofTerms(f, await time.latest()));
      await expect(f.escrow.connect(f.keeper).submitProof(id, 0, 0, new Array(8).fill(0n), [1n, 2n, 3n, 4n]))
        .to.be.revertedWithCustomError(f.escrow, "EscrowNoVerifierRegistry")
        .withArgs();
    });

    it("a proof for a settled milestone is refused (EscrowMilestoneNotPending), a non-member's too", async function () {
      const f = await loadFixture(proofFixture);
      const { proof, signals } = await proofFor(f, "kyc", 0);
      await expect(f.escrow.connect(f.outsider).submitProof(f.id, 0, 0, proof, signals))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotMember")
        .withArgs(f.outsider.address);
      await f.escrow.connect(f.payees[0]).dispute(f.id, 0, ethers.ZeroHash);
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, signals))
        .to.be.revertedWithCustomError(f.escrow, "EscrowMilestoneNotPending")
        .withArgs(f.id, 0, MS.Disputed);
    });
  });
});
