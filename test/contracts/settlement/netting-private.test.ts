/**
 * Private-mode batches: a chunk anchored under a Poseidon root whose totals the engine accepts only
 * with a valid batch_netting_16 proof, checked through the VerifierRegistry.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { privateTotalsCommitmentOf, type PrivateChunk } from "../../../packages/zk/src/chunk";
import { releaseProver } from "../../../packages/zk/src/prover";
import { type ProofBundle } from "../../../packages/sdk/src/zk/proof";
import { nettingProof, sampleRecords } from "../../zk/proofs";
import { calldata, circuitKey, deployZk } from "../zk/helpers";
import {
  batchIdOf,
  closePending,
  engineEvents,
  deploySettlement,
  deployWide,
  makeBatch,
  maskOf,
  mined,
  nettedCyclesOf,
  stampedCloseAt,
  Status,
  submitFinal,
  type Batch,
  type SettlementFixture,
  netPositionsOf,
} from "./helpers";

const CIRCUIT = circuitKey("batch_netting_16");

/** A private chunk as the contract tests' Batch (header with the ledger mask). */
async function asBatch(f: SettlementFixture, chunk: PrivateChunk): Promise<Batch> {
  const h = chunk.header;
  return {
    key: chunk.key,
    counterparties: [...h.counterparties],
    totals: [...h.totals],
    header: {
      root: h.root,
      entryCount: BigInt(h.entryCount),
      grossTotal: h.grossTotal,
      totalsCommitment: h.totalsCommitment,
      metadataDigest: h.metadataDigest,
      counterpartyMask: await maskOf(f.ledger, h.counterparties),
      closesAt: await stampedCloseAt(),
    },
  };
}

describe("NettingEngine — private-mode batches", function () {
  this.timeout(180_000);
  // Proofs are made once (fixture addresses are deterministic): bank 0 pays banks 1 and 2, and
  // bank 1 pays bank 0 — each 8 payments in one chunk.
  let signers: HardhatEthersSigner[];
  let p0: { chunk: PrivateChunk; bundle: ProofBundle };
  let p1: { chunk: PrivateChunk; bundle: ProofBundle };

  before(async () => {
    signers = await ethers.getSigners();
    const [b0, b1, b2] = [signers[2], signers[3], signers[4]];
    p0 = await nettingProof(
      b0.address as `0x${string}`,
      sampleRecords(8, b0.address as `0x${string}`, [b1.address, b2.address] as `0x${string}`[]),
      "p0",
    );
    p1 = await nettingProof(
      b1.address as `0x${string}`,
      sampleRecords(8, b1.address as `0x${string}`, [b0.address] as `0x${string}`[]),
      "p1",
    );
  });
  after(releaseProver);

  async function fixture() {
    const f = await deploySettlement();
    if (f.banks[0].address !== signers[2].address) throw new Error("fixture banks moved");
    const zk = await deployZk(f.engine);
    await mined(f.engine.connect(f.operator).openCycle());
    const batch0 = await asBatch(f, p0.chunk);
    const batch1 = await asBatch(f, p1.chunk);
    await submitFinal(f, f.banks[0], batch0, f.banks);
    await submitFinal(f, f.banks[1], batch1, f.banks);
    return { ...f, ...zk, batch0, batch1 };
  }

  it("accepts a chunk's totals with its proof: pending in the cycle, BatchProofAccepted emitted", async () => {
    const f = await loadFixture(fixture);
    const { proof } = calldata(p0.bundle);
    const b = f.batch0;
    const id = batchIdOf(f.banks[0].address, b.key);
    await expect(f.engine.connect(f.banks[0]).declareProved(1, b.key, b.header, b.counterparties, b.totals, proof))
      .to.emit(f.engine, "BatchProofAccepted")
      .withArgs(1, id, CIRCUIT)
      .and.to.emit(f.engine, "BatchDeclared")
      .withArgs(1, id, f.banks[0].address, b.header.grossTotal, b.counterparties, b.totals);
    expect(await f.engine.pendingOf(1, id)).to.equal(b.header.counterpartyMask);
    expect(await nettedCyclesOf(f.ledger, id)).to.deep.equal([1n]);
    expect(await f.ledger.statusOf(id, b.header)).to.equal(Status.Netted);
  });

  it("settles a cycle of proved chunks: net positions sum to zero", async () => {
    const f = await loadFixture(fixture);
    for (const [bank, b, p] of [
      [f.banks[0], f.batch0, p0],
      [f.banks[1], f.batch1, p1],
    ] as const) {
      await mined(
        f.engine.connect(bank).declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p.bundle).proof),
      );
    }
    const before = await Promise.all(f.banks.map((x) => f.token.balanceOf(x.address)));
    // Presented again at the close with their private-mode (tagged) commitment.
    await mined(closePending(f, 1));
    const after = await Promise.all(f.banks.map((x) => f.token.balanceOf(x.address)));
    const deltas = after.map((a, i) => a - before[i]);
    expect(deltas.reduce((a, d) => a + d, 0n)).to.equal(0n);
    for (const [i, bank] of f.banks.entries())
      expect(await netPositionsOf(f.engine, 1, [bank.address])).to.deep.equal([deltas[i]]);
  });

  it("a held private chunk is carried and presented again with its tagged commitment", async () => {
    const f = await loadFixture(fixture);
    const b = f.batch0;
    const id = batchIdOf(f.banks[0].address, b.key);
    await mined(
      f.engine
        .connect(f.banks[0])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p0.bundle).proof),
    );
    await mined(f.token.connect(f.banks[0]).approve(f.engineAddress, 0n));
    const first = await mined(closePending(f, 1, [], true));
    expect(engineEvents(f, first, "BatchCarried").map((e) => [e.batchId, e.creditorMask])).to.deep.equal([
      [id, b.header.counterpartyMask],
    ]);
    expect(await f.engine.pendingOf(2, id)).to.equal(b.header.counterpartyMask);
    await mined(f.token.connect(f.banks[0]).approve(f.engineAddress, ethers.MaxUint256));
    const second = await mined(closePending(f, 2));
    const [closed] = engineEvents(f, second, "CycleClosed");
    expect([closed.grossSettled, closed.heldBanks]).to.deep.equal([b.header.grossTotal, 0n]);
    expect(engineEvents(f, second, "BatchDeclared")).to.have.length(0);
  });

  it("a private chunk cannot be declared without a proof (its commitment is tagged)", async () => {
    const f = await loadFixture(fixture);
    const b = f.batch0;
    await expect(
      f.engine.connect(f.banks[0]).declare(1, b.key, b.header, b.counterparties, b.totals),
    ).to.be.revertedWithCustomError(f.engine, "NettingTotalsMismatch");
  });

  it("a standard batch cannot be declared as a proved one (the proof, checked first, is refused)", async () => {
    const f = await loadFixture(fixture);
    const std = await makeBatch(f.ledger, "standard", [[f.banks[1].address, 500n]]);
    await submitFinal(f, f.banks[0], std, f.banks);
    await expect(
      f.engine
        .connect(f.banks[0])
        .declareProved(1, std.key, std.header, std.counterparties, std.totals, calldata(p0.bundle).proof),
    ).to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof");
    // The proof is checked first (a static call, before any effect); were it valid, the untagged
    // commitment would still not be the private/1 one: declareProved checks its tag as declare does.
  });

  it("refuses a tampered proof and another chunk's proof", async () => {
    const f = await loadFixture(fixture);
    const b = f.batch0;
    const bad = calldata(p0.bundle).proof;
    bad[7] += 1n;
    await expect(f.engine.connect(f.banks[0]).declareProved(1, b.key, b.header, b.counterparties, b.totals, bad))
      .to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof")
      .withArgs(CIRCUIT);
    await expect(
      f.engine
        .connect(f.banks[0])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p1.bundle).proof),
    ).to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof");
    const id = batchIdOf(f.banks[0].address, b.key);
    expect(await nettedCyclesOf(f.ledger, id)).to.deep.equal([]);
    expect(await f.ledger.statusOf(id, b.header)).to.equal(Status.Final);
  });

  it("refuses totals the proof does not prove, even when the header commits to them", async () => {
    const f = await loadFixture(fixture);
    // Bank 0 anchors a chunk with the same root but inflated totals, and reuses the honest proof.
    const b = structuredClone(f.batch0);
    b.key = ethers.id("inflated");
    b.totals = b.totals.map((t, i) => (i === 0 ? t + 1n : t));
    b.header.grossTotal += 1n;
    b.header.totalsCommitment = privateTotalsCommitmentOf(b.counterparties as `0x${string}`[], b.totals);
    await submitFinal(f, f.banks[0], b, f.banks);
    await expect(
      f.engine
        .connect(f.banks[0])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p0.bundle).proof),
    ).to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof");
  });

  it("refuses a proof of another bank's payments (the bank is a public input)", async () => {
    const f = await loadFixture(fixture);
    // Bank 2 anchors bank 0's chunk as its own and presents bank 0's proof.
    const b = structuredClone(f.batch0);
    b.counterparties = [f.banks[1].address];
    b.totals = [b.header.grossTotal];
    b.header.totalsCommitment = privateTotalsCommitmentOf(b.counterparties as `0x${string}`[], b.totals);
    b.header.counterpartyMask = await maskOf(f.ledger, b.counterparties);
    await submitFinal(f, f.banks[2], b, f.banks);
    await expect(
      f.engine
        .connect(f.banks[2])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p0.bundle).proof),
    ).to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof");
  });

  it("refuses more counterparties than a proof has buckets", async () => {
    const f = await deployWide();
    await deployZk(f.engine);
    await mined(f.engine.connect(f.operator).openCycle());
    const five = f.all.slice(1, 6).map((s): readonly [string, bigint] => [s.address, 10n]);
    const b = await makeBatch(f.ledger, "five", five);
    await expect(
      f.engine
        .connect(f.all[0])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p0.bundle).proof),
    )
      .to.be.revertedWithCustomError(f.engine, "NettingTooManyCounterparties")
      .withArgs(5, 4);
  });

  it("refuses a total from 2^90 on (it could not be proven and would not fit a public input)", async () => {
    const f = await loadFixture(fixture);
    const huge = 1n << 90n;
    const cps = [f.banks[1].address as `0x${string}`];
    const b = await makeBatch(f.ledger, "huge", [[cps[0], huge]], {
      totalsCommitment: privateTotalsCommitmentOf(cps, [huge]),
    });
    await submitFinal(f, f.banks[0], b, f.banks);
    await expect(
      f.engine
        .connect(f.banks[0])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p0.bundle).proof),
    )
      .to.be.revertedWithCustomError(f.engine, "NettingInvalidObligation")
      .withArgs(f.banks[0].address, cps[0]);
  });

  it("refuses private-mode declarations while no verifier registry is set", async () => {
    const f = await deploySettlement();
    await mined(f.engine.connect(f.operator).openCycle());
    const b = await asBatch(f, p0.chunk);
    await expect(
      f.engine
        .connect(f.banks[0])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, calldata(p0.bundle).proof),
    ).to.be.revertedWithCustomError(f.engine, "NettingNoVerifierRegistry");
  });

  it("setVerifierRegistry: owner only, contracts only, emits", async () => {
    const f = await deploySettlement();
    const zk = await deployZk();
    const address = await zk.verifierRegistry.getAddress();
    await expect(f.engine.connect(f.operator).setVerifierRegistry(address))
      .to.be.revertedWithCustomError(f.engine, "OwnableUnauthorizedAccount")
      .withArgs(f.operator.address);
    await expect(f.engine.setVerifierRegistry(f.operator.address))
      .to.be.revertedWithCustomError(f.engine, "NettingInvalidAddress")
      .withArgs(f.operator.address);
    await expect(f.engine.setVerifierRegistry(address)).to.emit(f.engine, "VerifierRegistrySet").withArgs(address);
    expect(await f.engine.verifierRegistry()).to.equal(address);
  });
});
