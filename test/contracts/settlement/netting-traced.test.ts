/**
 * Traced private batches (issue 23, decision 041): `declareTracedChunks` (IPrivateChunks at the
 * engine's address) with real `private_traced_32` proofs made by the SDK (buildTracedBatch,
 * proveTracedBatch). The regulator reads the large payments from the transaction's calldata and
 * nothing of the small ones; published ciphertexts other than the proven ones, proofs made under a
 * rotated key, and an identity ephemeral key are refused; once a regulator key is registered the
 * untraced declarations are refused; the close settles a traced batch. Gas measured per chunk.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Address } from "viem";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import type { TracePolicy } from "../../../packages/sdk/src/zk";
import { releaseProver } from "../../../packages/zk/src/prover";
import { buildTracedBatch } from "../../../packages/zk/src/tracedBatch";
import { proveTracedBatch } from "../../../packages/zk/src/tracedProve";
import { decryptSlot, isZeroSlot } from "../../../packages/zk/src/regulator/decrypt";
import { FIELD_MODULUS } from "../../../packages/sdk/src/zk/field";
import { payments } from "../../sdk/settlementFixture";
import { deployZk } from "../zk/helpers";
import {
  batchIdOf,
  closePending,
  deploySettlement,
  makeBatch,
  mined,
  netPositionsOf,
  Status,
  submitFinal,
  type SettlementFixture,
} from "./helpers";
import { chunk, chunksAt, makeChunkedBatch, tracedArgs } from "./chunks";

const TRACED = ethers.encodeBytes32String("private_traced_32");
const THRESHOLD = 1_000n; // small payments are 100 + i, large ones 1,000 + i
const SECRET_1 = 0x1234567890abcdefn;
const SECRET_2 = 0xfedcba0987654321n;
const GAS_BUDGET = 15_000_000n;

describe("NettingEngine — declareTracedChunks (traced private batches)", function () {
  this.timeout(600_000);
  after(releaseProver);

  async function fixture(withKey = true) {
    const f = await deploySettlement();
    const zk = await deployZk(f.engine);
    await mined(f.engine.connect(f.operator).openCycle());
    if (withKey) {
      const [x, y] = mulPointEscalar(Base8, SECRET_1);
      await mined(zk.verifierRegistry.rotateRegulatorKey(x, y));
      await mined(zk.verifierRegistry.setTraceThreshold(THRESHOLD));
    }
    return { ...f, ...zk, chunks: await chunksAt(f.engine) };
  }
  type F = Awaited<ReturnType<typeof fixture>>;

  async function policyOf(f: F): Promise<TracePolicy> {
    const [epoch, x, y, threshold] = await f.verifierRegistry.tracePolicy();
    return { epoch: Number(epoch), key: epoch === 0n ? null : { x, y }, threshold };
  }

  /** Bank 0's traced batch of `n` payments to banks 1 and 2 (every 4th large), anchored and final. */
  async function anchoredTraced(f: SettlementFixture, label: string, n: number) {
    const indexes = new Map<string, number>();
    for (const b of f.banks.slice(0, 3))
      indexes.set(b.address.toLowerCase(), Number((await f.ledger.bankOf(b.address))[0]));
    const to: [Address, bigint][] = [];
    for (let i = 0; i < n; i++)
      to.push([f.banks[1 + (i % 2)].address as Address, i % 4 === 0 ? THRESHOLD + BigInt(i) : 100n + BigInt(i)]);
    const records = payments(f.banks[0].address as Address, to, label);
    const traced = buildTracedBatch(records, {
      submitter: f.banks[0].address as Address,
      key: label,
      indexOf: (a) => indexes.get(a.toLowerCase()) ?? -1,
    });
    const { header } = traced;
    const b = await makeBatch(
      f.ledger,
      label,
      header.counterparties.map((c, i) => [c, header.totals[i]] as const),
      { root: header.root, entryCount: BigInt(header.entryCount), totalsCommitment: header.totalsCommitment },
    );
    b.key = traced.key;
    await submitFinal(f, f.banks[0], b, f.banks);
    return { traced, b, records, id: batchIdOf(f.banks[0].address, b.key) };
  }

  it("accepts a traced batch: BatchProofAccepted, BatchTraced; the regulator reads the large payments only", async () => {
    const f = await fixture();
    const { traced, b, id } = await anchoredTraced(f, "traced-ok", 40);
    const policy = await policyOf(f);
    const proved = await proveTracedBatch(traced, policy);
    expect(proved).to.have.length(2);
    const tx = f.chunks
      .connect(f.banks[0])
      .declareTracedChunks(1, b.key, b.header, b.counterparties, b.totals, tracedArgs(proved));
    await expect(tx)
      .to.emit(f.engine, "BatchProofAccepted")
      .withArgs(1, id, TRACED)
      .and.to.emit(f.engine, "BatchTraced")
      .withArgs(1, id, 1, THRESHOLD, 2, ...mulPointEscalar(Base8, SECRET_1));
    const receipt = (await (await tx).wait())!;
    console.log(`      declareTracedChunks, 2 chunks of 32 slots (40 payments): ${receipt.gasUsed} gas`);
    expect(await f.engine.pendingOf(1, id)).to.equal(b.header.counterpartyMask);
    expect(await f.ledger.statusOf(id, b.header)).to.equal(Status.Netted);

    // The regulator, from the transaction's calldata alone.
    const sent = await ethers.provider.getTransaction(receipt.hash);
    const decoded = f.chunks.interface.decodeFunctionData("declareTracedChunks", sent!.data);
    let large = 0;
    let zero = 0;
    for (const c of decoded[5] as { ephemeral: bigint[]; ciphertexts: bigint[] }[]) {
      const shared = mulPointEscalar([c.ephemeral[0], c.ephemeral[1]], SECRET_1);
      for (let i = 0; i < 32; i++) {
        const m = decryptSlot(c.ciphertexts.slice(7 * i, 7 * i + 7), shared, i);
        if (isZeroSlot(m)) zero++;
        else {
          expect(m.amount >= THRESHOLD).to.equal(true);
          large++;
        }
      }
    }
    expect(large).to.equal(10);
    expect(zero).to.equal(64 - 10);

    await mined(closePending(f, 1));
    expect(await netPositionsOf(f.engine, 1, [f.banks[0].address, ...b.counterparties])).to.deep.equal([
      -b.header.grossTotal,
      ...b.totals,
    ]);
  });

  it("refuses published ciphertexts other than the proven ones, and proofs made under a rotated key", async () => {
    const f = await fixture();
    const { traced, b } = await anchoredTraced(f, "traced-bad", 12);
    const proved = await proveTracedBatch(traced, await policyOf(f));
    const garbage = tracedArgs(proved);
    garbage[0].ciphertexts[5] = (garbage[0].ciphertexts[5] + 1n) % FIELD_MODULUS;
    const declare = (cs: ReturnType<typeof tracedArgs>) =>
      f.chunks.connect(f.banks[0]).declareTracedChunks(1, b.key, b.header, b.counterparties, b.totals, cs);
    await expect(declare(garbage))
      .to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid")
      .withArgs(TRACED, 0);
    // the key rotates to epoch 2 after proving: the epoch-1 proofs no longer hold
    const [x2, y2] = mulPointEscalar(Base8, SECRET_2);
    await mined(f.verifierRegistry.rotateRegulatorKey(x2, y2));
    await expect(declare(tracedArgs(proved))).to.be.revertedWithCustomError(f.engine, "NettingChunkProofInvalid");
    // proved again under epoch 2: accepted, and epoch 1's key cannot read it
    const again = await proveTracedBatch(traced, await policyOf(f));
    await expect(declare(tracedArgs(again)))
      .to.emit(f.engine, "BatchTraced")
      .withArgs(1, batchIdOf(f.banks[0].address, b.key), 2, THRESHOLD, 1, x2, y2);
    const read = (secret: bigint) =>
      again.flatMap((c) => {
        const shared = mulPointEscalar([c.ephemeral[0], c.ephemeral[1]], secret);
        return Array.from({ length: 32 }, (_, i) => decryptSlot(c.ciphertexts.slice(7 * i, 7 * i + 7), shared, i));
      });
    expect(() => read(SECRET_1)).to.throw(/does not decrypt under this key/);
    expect(
      read(SECRET_2)
        .filter((m) => !isZeroSlot(m))
        .map((m) => m.amount)
        .sort(),
    ).to.deep.equal([THRESHOLD, THRESHOLD + 4n, THRESHOLD + 8n]);
  });

  it("refuses an identity or repeated ephemeral key, an element not below p, no chunk or too many", async () => {
    const f = await fixture();
    const { traced, b } = await anchoredTraced(f, "traced-shape", 5);
    const proved = tracedArgs(await proveTracedBatch(traced, await policyOf(f)));
    const declare = (cs: ReturnType<typeof tracedArgs>) =>
      f.chunks.connect(f.banks[0]).declareTracedChunks(1, b.key, b.header, b.counterparties, b.totals, cs);
    await expect(declare([{ ...proved[0], ephemeral: [0n, 1n] }]))
      .to.be.revertedWithCustomError(f.engine, "NettingTraceEphemeralInvalid")
      .withArgs(0);
    const big = { ...proved[0], ciphertexts: [...proved[0].ciphertexts] };
    big.ciphertexts[17] = FIELD_MODULUS;
    await expect(declare([big]))
      .to.be.revertedWithCustomError(f.engine, "NettingTraceCiphertextNotInField")
      .withArgs(17, FIELD_MODULUS);
    // review 23, finding 6: two chunks under one E would leak their plaintexts' difference
    const again = { ...proved[0], root: proved[0].root + 1n };
    await expect(declare([proved[0], again]))
      .to.be.revertedWithCustomError(f.engine, "NettingTraceEphemeralReused")
      .withArgs(1, 0);
    const max = Number(await (await ethers.deployContract("PrivateProofs")).MAX_TRACED_CHUNKS());
    expect(max).to.equal(24);
    await expect(declare([])).to.be.revertedWithCustomError(f.engine, "NettingChunkCount").withArgs(0, max);
    const many = Array.from({ length: max + 1 }, (_, i) => ({ ...proved[0], root: BigInt(i + 1) }));
    await expect(declare(many))
      .to.be.revertedWithCustomError(f.engine, "NettingChunkCount")
      .withArgs(max + 1, max);
  });

  it("without a regulator key a traced batch is refused (NettingTraceOff); with one, untraced ones are (NettingTraceRequired)", async () => {
    const off = await fixture(false);
    const { traced, b } = await anchoredTraced(off, "traced-off", 3);
    const [x, y] = mulPointEscalar(Base8, SECRET_1);
    const proved = tracedArgs(await proveTracedBatch(traced, { epoch: 1, key: { x, y }, threshold: THRESHOLD }));
    await expect(
      off.chunks.connect(off.banks[0]).declareTracedChunks(1, b.key, b.header, b.counterparties, b.totals, proved),
    ).to.be.revertedWithCustomError(off.engine, "NettingTraceOff");

    const on = await fixture();
    const cps = [on.banks[1].address, on.banks[2].address];
    const v2 = [chunk(1n, [0, 1], [100n, 50n])];
    const plain = await makeChunkedBatch(on.ledger, "untraced", cps, v2);
    await submitFinal(on, on.banks[0], plain, on.banks);
    await expect(
      on.chunks
        .connect(on.banks[0])
        .declareProvedChunks(1, plain.key, plain.header, plain.counterparties, plain.totals, v2),
    )
      .to.be.revertedWithCustomError(on.engine, "NettingTraceRequired")
      .withArgs(1);
    // a first-design private batch (one batch_netting_16 proof, commitment tagged /1)
    const coder = ethers.AbiCoder.defaultAbiCoder();
    const totals = [10n, 20n];
    const tagged = ethers.keccak256(
      coder.encode(["bytes32", "address[]", "uint256[]"], [ethers.id("clearhouse.batch.private/1"), cps, totals]),
    );
    const v1 = await makeBatch(
      on.ledger,
      "untraced-v1",
      [
        [cps[0], 10n],
        [cps[1], 20n],
      ],
      { totalsCommitment: tagged },
    );
    await submitFinal(on, on.banks[0], v1, on.banks);
    await expect(
      on.engine.connect(on.banks[0]).declareProved(1, v1.key, v1.header, v1.counterparties, v1.totals, v2[0].proof),
    )
      .to.be.revertedWithCustomError(on.engine, "NettingTraceRequired")
      .withArgs(1);
  });

  it("costs under 300k gas a chunk to verify, and MAX_TRACED_CHUNKS stays within the 15M budget", async () => {
    const f = await fixture();
    const one = await anchoredTraced(f, "traced-gas-1", 8);
    const p1 = tracedArgs(await proveTracedBatch(one.traced, await policyOf(f)));
    const g1 = await f.chunks
      .connect(f.banks[0])
      .declareTracedChunks.estimateGas(1, one.b.key, one.b.header, one.b.counterparties, one.b.totals, p1);
    const three = await anchoredTraced(f, "traced-gas-3", 96);
    const p3 = tracedArgs(await proveTracedBatch(three.traced, await policyOf(f)));
    expect(p3).to.have.length(3);
    const g3 = await f.chunks
      .connect(f.banks[0])
      .declareTracedChunks.estimateGas(1, three.b.key, three.b.header, three.b.counterparties, three.b.totals, p3);
    const perChunk = (g3 - g1) / 2n;
    const at24 = g1 + 23n * perChunk;
    // An estimate; the bound is measured with 24 real proofs in netting-traced-max.test.ts.
    console.log(`      1 chunk ${g1} gas, 3 chunks ${g3} gas: ${perChunk} a further chunk, ~${at24} at 24 chunks`);
    expect(g1).to.be.below(GAS_BUDGET);
    expect(at24).to.be.below(GAS_BUDGET);
    expect(perChunk).to.be.below(300_000n);
  });
});
