/**
 * ConditionalEscrow: PROOF conditions on kyc_tier ("a KYC credential of tier ≥ limit in the tree
 * `expected`") with real Groth16 proofs made by the SDK, bound to one milestone by `bindingOf`;
 * verified through the VerifierRegistry, the nullifier spent as for kyc_membership.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { KycTree, nullifierOf, tierCommitment } from "../../../packages/zk/src/kyc";
import { proveKycTier } from "../../../packages/zk/src/kycTier";
import { releaseProver } from "../../../packages/zk/src/prover";
import { type ProofBundle } from "../../../packages/sdk/src/zk/proof";
import { calldata, deployZk } from "../zk/helpers";
import {
  create,
  DAY,
  deployEscrow,
  KYC_TIER_CIRCUIT,
  milestone,
  proven,
  standardTerms,
  type AgreementTerms,
  type EscrowFixture,
} from "./helpers";

/** Three customers of tiers 1, 2 and 3 in one tree. */
const CUSTOMERS = [
  { secret: 501n, tier: 1 },
  { secret: 502n, tier: 2 },
  { secret: 503n, tier: 3 },
];
const TREE = new KycTree(CUSTOMERS.map((c) => tierCommitment(c.secret, c.tier)));
const ROOT = TREE.root;

/** Milestone 0: kyc_tier ≥ 2; milestone 1: kyc_tier ≥ 3 (1,000 and 2,000, deadline +30 d). */
function tierTerms(f: EscrowFixture, now: number): AgreementTerms {
  return {
    ...standardTerms(f, now),
    milestones: [2n, 3n].map((minTier, i) =>
      milestone(f.payees[i].address, 1_000n * BigInt(i + 1), now + 30 * DAY, [proven(KYC_TIER_CIRCUIT, ROOT, minTier)]),
    ),
  };
}

async function tierFixture() {
  const f = await deployEscrow();
  const zk = await deployZk();
  await f.escrow.setVerifierRegistry(await zk.verifierRegistry.getAddress());
  await zk.verifierRegistry.setConsumer(f.escrowAddress, true);
  const id = await create(f, tierTerms(f, await time.latest()));
  return { ...f, ...zk, id };
}
type Fixture = Awaited<ReturnType<typeof tierFixture>>;

const cache = new Map<string, Promise<ProofBundle>>();
/** Customer `who` proves tier ≥ `minTier`, bound to milestone `m` of the fixture's agreement. */
async function tierProof(f: Fixture, who: number, minTier: number, m: number) {
  const binding = await f.escrow.bindingOf(f.id, m);
  const key = `${who}:${minTier}:${binding}`;
  if (!cache.has(key)) {
    const c = CUSTOMERS[who];
    const credential = { secret: c.secret, tier: c.tier, commitment: tierCommitment(c.secret, c.tier) };
    cache.set(key, proveKycTier({ credential, tree: TREE, minTier, scope: binding, message: binding }));
  }
  return calldata(await (cache.get(key) as Promise<ProofBundle>));
}

describe("ConditionalEscrow — kyc_tier proof conditions", function () {
  this.timeout(180_000);
  before(async function () {
    const f = await loadFixture(tierFixture);
    await tierProof(f, 1, 2, 0);
    await tierProof(f, 2, 2, 0);
    await tierProof(f, 1, 1, 0);
    await tierProof(f, 2, 2, 1);
  });
  after(releaseProver);

  it("tier = minTier satisfies the milestone: ProofAccepted, nullifier spent, then release", async function () {
    const f = await loadFixture(tierFixture);
    const { proof, signals } = await tierProof(f, 1, 2, 0);
    const binding = await f.escrow.bindingOf(f.id, 0);
    expect(signals).to.deep.equal([ROOT, nullifierOf(CUSTOMERS[1].secret, binding), binding, binding, 2n]);
    const tx = f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, signals);
    await expect(tx)
      .to.emit(f.escrow, "ProofAccepted")
      .withArgs(f.id, 0, 0, KYC_TIER_CIRCUIT)
      .and.to.emit(f.verifierRegistry, "NullifierSpent")
      .withArgs(KYC_TIER_CIRCUIT, signals[1], f.escrowAddress);
    const receipt = await (await tx).wait();
    console.log(`      submitProof (kyc_tier, nullifier spent): ${receipt!.gasUsed} gas`);
    expect(await f.verifierRegistry.isSpent(KYC_TIER_CIRCUIT, signals[1])).to.equal(true);
    await expect(f.escrow.connect(f.keeper).release(f.id, 0)).to.changeTokenBalance(f.token, f.payees[0], 1_000n);
  });

  it("tier > minTier satisfies it too (a tier-3 credential proving tier ≥ 2)", async function () {
    const f = await loadFixture(tierFixture);
    const { proof, signals } = await tierProof(f, 2, 2, 0);
    await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, signals))
      .to.emit(f.escrow, "ProofAccepted")
      .withArgs(f.id, 0, 0, KYC_TIER_CIRCUIT);
    expect((await f.escrow.agreementOf(f.id)).milestones[0].conditionHolds).to.equal(true);
  });

  it("refuses a proof of another minimum tier: signal 4 must equal the condition's limit", async function () {
    const f = await loadFixture(tierFixture);
    // a valid proof of tier ≥ 1 where tier ≥ 2 is asked
    const low = await tierProof(f, 1, 1, 0);
    await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, low.proof, low.signals))
      .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
      .withArgs(f.id, 0, 4);
    // a valid proof of tier ≥ 2 where tier ≥ 3 is asked (milestone 1)
    const two = await tierProof(f, 2, 2, 1);
    await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, two.proof, two.signals))
      .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
      .withArgs(f.id, 1, 4);
    // the right minimum written over a proof of another one: the proof does not verify
    const forged = [...low.signals];
    forged[4] = 2n;
    await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, low.proof, forged))
      .to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof")
      .withArgs(KYC_TIER_CIRCUIT);
    expect((await f.escrow.agreementOf(f.id)).milestones[0].provenMask).to.equal(0n);
  });

  it("refuses a replayed nullifier (ZkNullifierSpent)", async function () {
    const f = await loadFixture(tierFixture);
    const { proof, signals } = await tierProof(f, 1, 2, 0);
    await f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, signals);
    await expect(f.escrow.connect(f.payer).submitProof(f.id, 0, 0, proof, signals))
      .to.be.revertedWithCustomError(f.verifierRegistry, "ZkNullifierSpent")
      .withArgs(KYC_TIER_CIRCUIT, signals[1]);
  });

  it("checks root 0, scope 2, message 3, minTier 4 and the count before verifying", async function () {
    const f = await loadFixture(tierFixture);
    const { proof, signals } = await tierProof(f, 1, 2, 0);
    for (const i of [0, 2, 3, 4]) {
      const bad = [...signals];
      bad[i] += 1n;
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, bad))
        .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
        .withArgs(f.id, 0, i);
    }
    for (const bad of [signals.slice(0, 4), [...signals, 0n]]) {
      await expect(f.escrow.connect(f.keeper).submitProof(f.id, 0, 0, proof, bad))
        .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
        .withArgs(f.id, 0, bad.length);
    }
    // a proof bound to milestone 0 is not one for milestone 1 (scope ≠ binding)
    await expect(f.escrow.connect(f.keeper).submitProof(f.id, 1, 0, proof, [...signals.slice(0, 4), 3n]))
      .to.be.revertedWithCustomError(f.escrow, "EscrowProofMismatch")
      .withArgs(f.id, 1, 2);
  });
});
