/**
 * Private mode v2: `declareProvedChunks` (IPrivateChunks at the engine's address) declares a whole
 * private batch with one `private_netting_256` proof per chunk. Every refusal that comes before or
 * independently of a valid proof, and the gas bound. The circuit's ceremony has not produced its
 * verifier yet: the pre-verification refusals register the real BatchNetting16Verifier under the
 * new id (never called), and the verification paths the real AmountLimitVerifier (3 public signals,
 * like private_netting_256), which rejects a proof it did not make. The accepted path, with real
 * proofs, is netting-chunks-proved.test.ts.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployZk, transcriptHash, vkHash } from "../zk/helpers";
import { CIRCUIT_IDS } from "../../../packages/sdk/src/zk/circuits";
import {
  batchIdOf,
  deploySettlement,
  mined,
  Status,
  submitFinal,
  totalsCommitment,
  type Batch,
  type SettlementFixture,
} from "./helpers";
import {
  CURVE_POINTS_PROOF,
  PRIVATE_CHUNKS_TAG,
  PRIVATE_NETTING,
  asProof,
  chunk,
  chunksAt,
  makeChunkedBatch,
  type ProvedChunk,
} from "./chunks";

/** PrivateProofs.MAX_PROVED_CHUNKS (a fresh PrivateProofs answers it; the engine's is private). */
async function maxProvedChunks(): Promise<number> {
  return Number(await (await ethers.deployContract("PrivateProofs")).MAX_PROVED_CHUNKS());
}

type Zk = Awaited<ReturnType<typeof deployZk>>;

/** Put `verifier` under private_netting_256 with `publicInputs` signals (deployZk registered the real one). */
async function registerPrivateNetting(zk: Zk, verifier: string, publicInputs: number, vk: string): Promise<void> {
  await mined(zk.verifierRegistry.replaceCircuit(PRIVATE_NETTING, verifier, publicInputs, vk, transcriptHash()));
}

describe("NettingEngine — declareProvedChunks (private mode v2): refusals", function () {
  this.timeout(180_000);

  /** Settlement, registry wired, cycle 1 open; private_netting_256 → BatchNetting16Verifier (6 signals). */
  async function fixture() {
    const f = await deploySettlement();
    const zk = await deployZk(f.engine);
    await registerPrivateNetting(zk, zk.verifiers.batch_netting_16, 6, vkHash("batch_netting_16"));
    await mined(f.engine.connect(f.operator).openCycle());
    const chunks = await chunksAt(f.engine);
    const cps = [f.banks[1].address, f.banks[2].address];
    return { ...f, ...zk, chunks, cps };
  }

  /** Bank 0 anchors (final) a v2 batch over `proved` to `cps` (totals: the sums unless given). */
  async function anchored(
    f: SettlementFixture,
    label: string,
    cps: string[],
    proved: ProvedChunk[],
    totals?: bigint[],
  ): Promise<Batch> {
    const b = await makeChunkedBatch(f.ledger, label, cps, proved, totals);
    await submitFinal(f, f.banks[0], b, f.banks);
    return b;
  }

  /** Two chunks, roots 1 and 2: 100 + 30 to position 0, 50 + 20 to position 1. */
  const two = (): ProvedChunk[] => [chunk(1n, [0, 1], [100n, 50n]), chunk(2n, [0, 1], [30n, 20n])];

  it("no verifier registry: NettingNoVerifierRegistry", async () => {
    const f = await deploySettlement();
    await mined(f.engine.connect(f.operator).openCycle());
    const b = await makeChunkedBatch(f.ledger, "no-registry", [f.banks[1].address, f.banks[2].address], two());
    const c = await chunksAt(f.engine);
    await expect(
      c.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, two()),
    ).to.be.revertedWithCustomError(f.engine, "NettingNoVerifierRegistry");
  });

  it("no chunk, or more than MAX_PROVED_CHUNKS: NettingChunkCount(given, max)", async () => {
    const f = await loadFixture(fixture);
    const MAX_PROVED_CHUNKS = await maxProvedChunks();
    const many = Array.from({ length: MAX_PROVED_CHUNKS + 1 }, (_, i) => chunk(BigInt(i + 1), [0], [1n]));
    for (const proved of [[], many]) {
      const b = await makeChunkedBatch(f.ledger, `count-${proved.length}`, f.cps.slice(0, 1), proved, [1n]);
      await expect(
        f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
      )
        .to.be.revertedWithCustomError(f.engine, "NettingChunkCount")
        .withArgs(proved.length, MAX_PROVED_CHUNKS);
    }
  });

  it("as many totals as counterparties: NettingLengthMismatch(counterparties, totals)", async () => {
    const f = await loadFixture(fixture);
    const b = await makeChunkedBatch(f.ledger, "lengths", f.cps, two());
    await expect(f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, [130n], two()))
      .to.be.revertedWithCustomError(f.engine, "NettingLengthMismatch")
      .withArgs(2, 1);
  });

  it("a duplicated chunk, or roots out of order: NettingChunkRootsUnordered(chunk, previous, root)", async () => {
    const f = await loadFixture(fixture);
    const [first, second] = two();
    const cases: Array<[ProvedChunk[], [number, bigint, bigint]]> = [
      [
        [first, first],
        [1, 1n, 1n],
      ], // the same payments counted twice
      [
        [second, first],
        [1, 2n, 1n],
      ],
      [[chunk(0n, [0], [1n])], [0, 0n, 0n]], // a root of 0 is no Poseidon root
    ];
    for (const [proved, args] of cases) {
      const b = await makeChunkedBatch(f.ledger, `order-${args.join("-")}`, f.cps, proved);
      await expect(
        f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
      )
        .to.be.revertedWithCustomError(f.engine, "NettingChunkRootsUnordered")
        .withArgs(...args);
    }
  });

  it("a bucket past the counterparties, an amount from 2^72, an unused bucket off position 0: NettingChunkBucketInvalid", async () => {
    const f = await loadFixture(fixture);
    const big = 1n << 72n;
    const cases: Array<[ProvedChunk, [number, number, number, bigint]]> = [
      [chunk(5n, [0, 2], [10n, 10n]), [1, 1, 2, 10n]],
      [chunk(5n, [0, 1], [10n, big]), [1, 1, 1, big]],
      [chunk(5n, [0, 1, 1], [10n, 10n, 0n]), [1, 2, 1, 0n]],
    ];
    for (const [bad, args] of cases) {
      const proved = [chunk(1n, [0, 1], [5n, 5n]), bad];
      const totals = [15n, 15n];
      const b = await makeChunkedBatch(f.ledger, `bucket-${args.join("-")}`, f.cps, proved, totals);
      await expect(
        f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
      )
        .to.be.revertedWithCustomError(f.engine, "NettingChunkBucketInvalid")
        .withArgs(1, ...args.slice(1));
    }
  });

  it("a header root that is not keccak256 of the chunk roots: NettingChunkRootsMismatch(header, chunks)", async () => {
    const f = await loadFixture(fixture);
    const b = await makeChunkedBatch(f.ledger, "roots", f.cps, two());
    const other = [two()[0], chunk(3n, [0, 1], [30n, 20n])]; // same totals, another second chunk
    const expected = ethers.keccak256(ethers.solidityPacked(["uint256", "uint256"], [1n, 3n]));
    await expect(
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, other),
    )
      .to.be.revertedWithCustomError(f.engine, "NettingChunkRootsMismatch")
      .withArgs(b.header.root, expected);
  });

  it("totals other than the chunks' sums: NettingChunkTotalsMismatch(position, proved, declared)", async () => {
    const f = await loadFixture(fixture);
    const b = await makeChunkedBatch(f.ledger, "totals", f.cps, two(), [130n, 71n]);
    await expect(
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, two()),
    )
      .to.be.revertedWithCustomError(f.engine, "NettingChunkTotalsMismatch")
      .withArgs(1, 70n, 71n);
  });

  it("the circuit unregistered, retired or not of 3 signals: ZkUnknownCircuit / NettingCircuitUnusable", async () => {
    const f = await loadFixture(fixture);
    const b = await anchored(f, "circuit", f.cps, two());
    const send = () =>
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, two());
    await expect(send())
      .to.be.revertedWithCustomError(f.engine, "NettingCircuitUnusable")
      .withArgs(PRIVATE_NETTING, 6, false);
    await mined(f.verifierRegistry.retireCircuit(PRIVATE_NETTING));
    await expect(send())
      .to.be.revertedWithCustomError(f.engine, "NettingCircuitUnusable")
      .withArgs(PRIVATE_NETTING, 6, true);
    // A registry that never heard of the circuit answers for itself.
    const fresh = await deployZk(
      f.engine,
      CIRCUIT_IDS.filter((id) => id !== "private_netting_256"),
    );
    await expect(send())
      .to.be.revertedWithCustomError(fresh.verifierRegistry, "ZkUnknownCircuit")
      .withArgs(PRIVATE_NETTING);
  });

  it("a proof the verifier rejects: NettingChunkProofInvalid(circuit, chunk); nothing declared", async () => {
    const f = await loadFixture(fixture);
    await mined(
      f.verifierRegistry.replaceCircuit(
        PRIVATE_NETTING,
        f.verifiers.amount_limit,
        3,
        vkHash("amount_limit"),
        transcriptHash(),
      ),
    );
    const b = await anchored(f, "invalid", f.cps, two());
    for (const proof of [CURVE_POINTS_PROOF, [...CURVE_POINTS_PROOF.slice(0, 7), 3n]]) {
      const proved = two().map((c) => ({ ...c, proof: asProof(proof) }));
      await expect(
        f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
      )
        .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
        .withArgs(PRIVATE_NETTING, 0);
    }
    const id = batchIdOf(f.banks[0].address, b.key);
    expect(await f.ledger.statusOf(id, b.header)).to.equal(Status.Final);
    expect(await f.engine.pendingOf(1, id)).to.equal(0n);
  });

  it("a v2 batch cannot be declared by `declare` or `declareProved` (its commitment is tagged /2)", async () => {
    const f = await loadFixture(fixture);
    const b = await anchored(f, "tagged", f.cps, two());
    const id = batchIdOf(f.banks[0].address, b.key);
    await expect(f.engine.connect(f.banks[0]).declare(1, b.key, b.header, b.counterparties, b.totals))
      .to.be.revertedWithCustomError(f.engine, "NettingTotalsMismatch")
      .withArgs(id, b.header.totalsCommitment, totalsCommitment(b.counterparties, b.totals));
    await expect(
      f.engine
        .connect(f.banks[0])
        .declareProved(1, b.key, b.header, b.counterparties, b.totals, [...CURVE_POINTS_PROOF]),
      // declareProved checks its batch_netting_16 proof first (a static call, before any effect):
      // no such proof exists for a v2 root, and its commitment would not be the /1 one either
    ).to.be.revertedWithCustomError(f.verifierRegistry, "ZkInvalidProof");
    expect(await f.engine.PRIVATE_CHUNKS_TAG()).to.equal(PRIVATE_CHUNKS_TAG);
  });

  it("while paused: EnforcedPause; any other unknown call to the engine is refused", async () => {
    const f = await loadFixture(fixture);
    const b = await anchored(f, "paused", f.cps, two());
    await mined(f.engine.pause());
    await expect(
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, two()),
    ).to.be.revertedWithCustomError(f.engine, "EnforcedPause");
    await expect(f.banks[0].sendTransaction({ to: f.engineAddress, data: "0x12345678" }))
      .to.be.revertedWithCustomError(f.engine, "NettingUnknownFunction")
      .withArgs("0x12345678");
  });
});
