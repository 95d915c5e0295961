/**
 * Private mode v2 with real proofs: `declareProvedChunks` accepts a batch whose every chunk has a
 * valid `private_netting_256` proof, the close settles it, and the worst case at MAX_PROVED_CHUNKS
 * fits the gas budget. Uses the circuit's ceremony artifacts (packages/zk/circuits/build/
 * private_netting_256/) and its exported verifier contract (contracts/zk/PrivateNetting256Verifier.sol),
 * both shipped: a missing one fails the suite, naming it. The bound's 48 proofs are proved ahead of
 * time (fixtures/max-proved-chunks.json, `npm run fixtures:max-chunks`); the others here are proved
 * as the tests run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import { TRANSCRIPT_PATH } from "../../../packages/zk/src/artifacts";
import { releaseProver } from "../../../packages/zk/src/prover";
import { deployZk } from "../zk/helpers";
import {
  batchIdOf,
  closePending,
  deploySettlement,
  deployWide,
  inOneBlock,
  mined,
  netPositionsOf,
  Status,
  submitFinal,
  type SettlementFixture,
} from "./helpers";
import { PRIVATE_NETTING, asProof, chunksAt, makeChunkedBatch } from "./chunks";
import { CIRCUIT, DIR, VERIFIER, maxChunksFixture, maxChunksIndexes, proveChunk } from "./provedChunks";

const GAS_BUDGET = 15_000_000n;

/** What is missing to run these tests (empty when nothing is). */
async function missing(): Promise<string[]> {
  const out: string[] = [];
  for (const file of [`${CIRCUIT}.wasm`, `${CIRCUIT}.zkey`, "verification_key.json"])
    if (!existsSync(join(DIR, file))) out.push(join(DIR, file));
  if (!(await artifacts.artifactExists(VERIFIER))) out.push(`contracts/zk/${VERIFIER}.sol (compiled)`);
  return out;
}

describe("NettingEngine — declareProvedChunks with real private_netting_256 proofs", function () {
  this.timeout(1_800_000);

  before(async function () {
    const gaps = await missing();
    if (gaps.length > 0)
      throw new Error(`the ${CIRCUIT} ceremony has not produced ${gaps.join(", ")} (transcript ${TRANSCRIPT_PATH})`);
  });
  after(releaseProver);

  /** Bank 0 (index 0) owes banks 1 and 2 over 3 chunks, sorted by root. */
  async function threeChunks(f: SettlementFixture) {
    const cps = [f.banks[1].address, f.banks[2].address];
    const proved = await Promise.all([
      proveChunk(
        0,
        [1, 2],
        [0, 1],
        [
          [0, 10n],
          [0, 20n],
          [1, 5n],
        ],
        1,
      ),
      proveChunk(0, [1, 2], [0, 1], [[1, 7n]], 2),
      proveChunk(
        0,
        [1, 2],
        [1, 0],
        [
          [0, 3n],
          [1, 4n],
        ],
        3,
      ),
    ]);
    proved.sort((x, y) => (x.root < y.root ? -1 : 1));
    return { cps, proved };
  }

  async function fixture() {
    const f = await deploySettlement();
    const zk = await deployZk(f.engine); // registers every shipped circuit, private_netting_256 with it
    await mined(f.engine.connect(f.operator).openCycle());
    return { ...f, ...zk, chunks: await chunksAt(f.engine) };
  }

  it("accepts the batch: pending, Netted, BatchDeclared and BatchProofAccepted; the close settles it", async () => {
    const f = await fixture();
    const { cps, proved } = await threeChunks(f);
    const b = await makeChunkedBatch(f.ledger, "proved", cps, proved);
    expect(b.totals).to.deep.equal([10n + 20n + 4n, 5n + 7n + 3n]);
    await submitFinal(f, f.banks[0], b, f.banks);
    const id = batchIdOf(f.banks[0].address, b.key);
    await expect(
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
    )
      .to.emit(f.engine, "BatchProofAccepted")
      .withArgs(1, id, PRIVATE_NETTING)
      .and.to.emit(f.engine, "BatchDeclared")
      .withArgs(1, id, f.banks[0].address, b.header.grossTotal, b.counterparties, b.totals);
    expect(await f.engine.pendingOf(1, id)).to.equal(b.header.counterpartyMask);
    expect(await f.ledger.statusOf(id, b.header)).to.equal(Status.Netted);
    // Presented again at the close with its v2-tagged commitment.
    await mined(closePending(f, 1));
    expect(await netPositionsOf(f.engine, 1, [f.banks[0].address, ...cps])).to.deep.equal([
      -b.header.grossTotal,
      b.totals[0],
      b.totals[1],
    ]);
  });

  it("refuses chunks whose proofs were swapped, or another bank's chunks: NettingChunkProofInvalid", async () => {
    const f = await fixture();
    const { cps, proved } = await threeChunks(f);
    const b = await makeChunkedBatch(f.ledger, "swapped", cps, proved);
    await submitFinal(f, f.banks[0], b, f.banks);
    const swapped = proved.map((c, i) => ({ ...c, proof: proved[(i + 1) % proved.length].proof }));
    await expect(
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, swapped),
    )
      .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
      .withArgs(PRIVATE_NETTING, 0);
    // Bank 3 anchors bank 0's chunks as its own: the bank index is in the public signals.
    await submitFinal(f, f.banks[3], b, f.banks);
    await expect(
      f.chunks.connect(f.banks[3]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
    )
      .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
      .withArgs(PRIVATE_NETTING, 0);
  });

  it("refuses two chunks whose proofs swapped their C points (a valid sum, caught by the batch's random coefficients)", async () => {
    const f = await fixture();
    const { cps, proved } = await threeChunks(f);
    const b = await makeChunkedBatch(f.ledger, "c-swapped", cps, proved);
    await submitFinal(f, f.banks[0], b, f.banks);
    const [p0, p1] = [proved[0].proof, proved[1].proof];
    const swapped = [
      { ...proved[0], proof: asProof([...p0.slice(0, 6), p1[6], p1[7]]) },
      { ...proved[1], proof: asProof([...p1.slice(0, 6), p0[6], p0[7]]) },
      proved[2],
    ];
    await expect(
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, swapped),
    )
      .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
      .withArgs(PRIVATE_NETTING, 0);
  });

  it("with a registered verifier that has no verifyBatch, checks each proof alone: accepts valid chunks, names a bad one", async () => {
    const f = await fixture();
    const plain = await ethers.deployContract("PrivateNetting256PlainVerifier");
    const current = await f.verifierRegistry.circuitOf(PRIVATE_NETTING);
    await mined(
      f.verifierRegistry.replaceCircuit(
        PRIVATE_NETTING,
        await plain.getAddress(),
        3,
        current.vkHash,
        current.transcriptHash,
      ),
    );
    const { cps, proved } = await threeChunks(f);
    const b = await makeChunkedBatch(f.ledger, "plain", cps, proved);
    await submitFinal(f, f.banks[0], b, f.banks);
    const bad = proved.map((c, i) => (i === 2 ? { ...c, proof: proved[0].proof } : c));
    await expect(f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, bad))
      .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
      .withArgs(PRIVATE_NETTING, 2);
    await expect(
      f.chunks.connect(f.banks[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
    ).to.emit(f.engine, "BatchProofAccepted");
  });

  /** deployWide with the registry wired, cycle 1 open, and the fixture's MAX_PROVED_CHUNKS chunks anchored (final). */
  async function atTheBound() {
    const f = await deployWide();
    await deployZk(f.engine); // registers every shipped circuit, private_netting_256 with it
    await mined(f.engine.connect(f.operator).openCycle());
    const max = Number(await (await ethers.deployContract("PrivateProofs")).MAX_PROVED_CHUNKS());
    const creditors = f.all.slice(1).map((s) => s.address);
    const cps = Array.from({ length: max * 4 }, (_, p) => creditors[p % creditors.length]);
    expect(maxChunksIndexes(max)).to.deep.equal(
      await Promise.all(cps.map(async (a) => Number((await f.ledger.bankOf(a))[0]))),
    );
    const proved = maxChunksFixture(max);
    const b = await makeChunkedBatch(f.ledger, "bound", cps, proved);
    await submitFinal(f, f.all[0], b, f.all);
    return { f, max, proved, b, c: await chunksAt(f.engine) };
  }

  it("at MAX_PROVED_CHUNKS chunks of 4 distinct creditors each, the declaration costs under the gas budget", async () => {
    const { f, max, proved, b, c } = await atTheBound();
    const receipt = await mined(
      c.connect(f.all[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, proved, {
        gasLimit: GAS_BUDGET,
      }),
    );
    console.log(`      ${max} chunks: ${receipt.gasUsed} gas`);
    expect(receipt.gasUsed).to.be.below(GAS_BUDGET);
  });

  it("at MAX_PROVED_CHUNKS, a bad last proof is named within the gas budget (the batch, then each proof alone)", async () => {
    const { f, max, proved, b, c } = await atTheBound();
    const bad = proved.map((x, i) => (i === max - 1 ? { ...x, proof: proved[0].proof } : x));
    const send = () =>
      c.connect(f.all[0]).declareProvedChunks(1, b.key, b.header, b.counterparties, b.totals, bad, {
        gasLimit: GAS_BUDGET,
      });
    await expect(send())
      .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
      .withArgs(PRIVATE_NETTING, max - 1);
    const [hash] = await inOneBlock([send]);
    const failed = await ethers.provider.getTransactionReceipt(hash);
    expect(failed?.status).to.equal(0);
    console.log(`      refused at chunk ${max - 1}: ${failed!.gasUsed} gas`);
    expect(failed!.gasUsed).to.be.below(GAS_BUDGET);
  });
});
