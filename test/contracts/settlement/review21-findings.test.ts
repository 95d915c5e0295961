/**
 * Findings of the adversarial review of private mode v2 (decisions 034, 035; review21), each with
 * the test that reproduced it, now asserting the fix: F1 a creditor's inclusion check did not see
 * that the header escapes the proofs (standard commitment); F2 the audit re-derived proofs from a
 * look-alike call to another contract; F3 an acknowledged v2 batch settles only if its debtor
 * declares it (kept, by design: decision 034); F4 an amount from 2^64 aliased into the creditor index
 * of the inclusion check; F5 the SDK built a batch of more chunks than the engine declares.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { concat, keccak256, toHex, type Address, type Hex } from "viem";
import { proofInputOf, type ChainSnapshot } from "../../../packages/sdk/src/audit/collect";
import { eventsOf } from "./auditEvents";
import { proofs } from "../../../packages/sdk/src/audit/proofs";
import { bucketWords } from "../../../packages/sdk/src/zk/privateWords";
import { proofVerifier } from "../../../packages/zk/src/verifier";
import { releaseProver } from "../../../packages/zk/src/prover";
import { circuitKey, deployZk, transcriptHash, vkHash } from "../zk/helpers";
import { chunk, chunksAt, makeChunkedBatch } from "./chunks";
import { proveChunk } from "./provedChunks";
import { poseidon8 } from "poseidon-lite/poseidon8";
import { poseidon16 } from "poseidon-lite/poseidon16";
import { encodeRecord } from "../../../packages/sdk/src/settlement";
import {
  CHUNK_SLOTS,
  MAX_PROVED_CHUNKS,
  buildPrivateBatch,
  chunkRootOf,
  groupHash,
  packedOf,
  privateChunksCommitmentOf,
} from "../../../packages/zk/src/privateBatch";
import { checkPrivateNetting } from "../../../packages/zk/src/privateInputs";
import { privateInclusionProof, verifyPrivateInclusion } from "../../../packages/zk/src/privateInclusion";
import { payments } from "../../sdk/settlementFixture";
import {
  admitBank,
  batchIdOf,
  declarationOf,
  deploySettlement,
  makeBatch,
  mined,
  submitFinal,
  Status,
  type SettlementFixture,
} from "./helpers";

/** Bank 0's private v2 batch: 3 payments to bank 1 (600), 1 to bank 2 (50); ledger indexes read from the chain. */
async function privateDay(f: SettlementFixture) {
  const [debtor, c1, c2] = f.banks;
  const index = new Map<string, number>();
  for (const b of [debtor, c1, c2]) index.set(b.address.toLowerCase(), Number((await f.ledger.bankOf(b.address))[0]));
  const records = payments(
    debtor.address as Address,
    [
      [c1.address as Address, 100n],
      [c1.address as Address, 200n],
      [c1.address as Address, 300n],
      [c2.address as Address, 50n],
    ],
    "r21",
  );
  const batch = buildPrivateBatch(records, {
    submitter: debtor.address as Address,
    key: "r21-day",
    indexOf: (b) => index.get(b.toLowerCase())!,
  });
  return { debtor, c1, c2, index, records, batch };
}

describe("review21 — private mode v2 findings", function () {
  this.timeout(300_000);

  it("F1: a v2 root anchored under a STANDARD totals commitment is declared with `declare` and any totals, yet every creditor's inclusion check passes", async () => {
    const f = await loadFixture(deploySettlement);
    const { debtor, c1, c2, index, records, batch } = await privateDay(f);
    expect(batch.header.totals).to.have.members([600n, 50n]);
    // The bank anchors the honest v2 root (keccak of the chunk roots) but commits to totals of 1 per
    // creditor WITHOUT the v2 tag: nothing on chain ties the root to the commitment's mode.
    const cps = batch.header.counterparties as string[];
    const lowered = cps.map(() => 1n);
    const forged = await makeBatch(
      f.ledger,
      "r21-forged",
      cps.map((c, i) => [c, lowered[i]] as const),
      { root: batch.header.root, entryCount: BigInt(records.length) },
    );
    forged.key = batch.key;
    await submitFinal(f, debtor, forged, [c1, c2]);
    // Each creditor runs the spec's check (§7) before acknowledging, against an anchored header.
    type Anchored = { root: string; totalsCommitment: string; counterpartyMask: bigint | number };
    const checkAll = (h: Anchored) =>
      records.forEach((r) =>
        verifyPrivateInclusion(privateInclusionProof(batch, r.paymentId), {
          record: r,
          bankIndex: index.get(debtor.address.toLowerCase())!,
          creditorIndex: index.get(r.creditorBank.toLowerCase())!,
          header: {
            root: h.root as Hex,
            totalsCommitment: h.totalsCommitment as Hex,
            counterpartyMask: BigInt(h.counterpartyMask),
          },
        }),
      );
    // Standard `declare` accepts the header with totals of 1 (650 owed): no proof was ever checked.
    await mined(f.engine.connect(f.operator).openCycle());
    const cycle = await f.engine.currentCycle();
    await mined(f.engine.connect(debtor).declare(cycle, forged.key, forged.header, forged.counterparties, lowered));
    expect(await f.ledger.statusOf(batch.batchId, forged.header)).to.equal(Status.Netted);
    // What should happen: a creditor's check must refuse a header whose totals commitment is not the
    // v2-tagged one (only `declareProvedChunks` can declare such a header), so the proofs bind the totals.
    expect(() => checkAll(forged.header), "the creditor's check accepted an unproven batch").to.throw(
      /totalsCommitment/,
    );
    // The honest v2 header passes the same check.
    const honest = await makeChunkedBatch(
      f.ledger,
      "r21-honest",
      cps,
      batch.chunks.map((c) => chunk(c.root, c.buckets, c.amounts)),
    );
    expect(honest.header.root).to.equal(batch.header.root);
    expect(honest.header.totalsCommitment).to.equal(batch.header.totalsCommitment);
    checkAll(honest.header);
  });

  it("F2: the audit re-derives a v2 declaration from the transaction's own input even when it was not sent to the engine: a wallet's look-alike call hides an unverifiable proof", async () => {
    const f = await loadFixture(deploySettlement);
    const zk = await deployZk(f.engine);
    // The registry's private_netting_256 verifier accepts anything (what the audit's re-verification
    // exists to catch: the registry records the committed vkHash, not the verifier's behaviour).
    const acceptAll = await (await ethers.getContractFactory("AcceptAllVerifier")).deploy();
    await mined(
      zk.verifierRegistry.replaceCircuit(
        circuitKey("private_netting_256"),
        await acceptAll.getAddress(),
        3,
        vkHash("private_netting_256"),
        transcriptHash(),
      ),
    );
    // A member bank operating through a smart wallet whose method has declareProvedChunks' selector.
    const wallet = await (await ethers.getContractFactory("ChunksForwarder")).deploy(f.engineAddress);
    const walletAddress = await wallet.getAddress();
    await admitBank(f, walletAddress, "Wallet Bank");
    const ledgerAddress = await f.ledger.getAddress();
    await mined(wallet.exec(ledgerAddress, f.ledger.interface.encodeFunctionData("enroll")));
    const bank = Number((await f.ledger.bankOf(walletAddress))[0]);
    const creditor = f.banks[1];
    const creditorIndex = Number((await f.ledger.bankOf(creditor.address))[0]);
    // What reaches the engine: one chunk owing 1 to the creditor, its "proof" curve generators.
    const bogus = chunk(123_456_789n, [0], [1n]);
    const batch = await makeChunkedBatch(f.ledger, "r21-wallet", [creditor.address], [bogus]);
    await mined(
      wallet.exec(ledgerAddress, f.ledger.interface.encodeFunctionData("submitBatch", [batch.key, batch.header])),
    );
    await mined(f.ledger.connect(creditor).acknowledge(batchIdOf(walletAddress, batch.key), batch.header));
    await mined(f.engine.connect(f.operator).openCycle());
    const cycle = await f.engine.currentCycle();
    const chunks = await chunksAt(f.engine);
    await mined(
      wallet.setForwarded(
        chunks.interface.encodeFunctionData("declareProvedChunks", [
          cycle,
          batch.key,
          batch.header,
          [creditor.address],
          [1n],
          [bogus],
        ]),
      ),
    );
    // The wallet's own arguments: another chunk, with a real proof for this bank and creditor.
    const real = await proveChunk(bank, [creditorIndex], [0], [[0, 1_000n]], 21);
    const receipt = await mined(
      wallet.declareProvedChunks(cycle, batch.key, batch.header, [creditor.address], [1_000n], [real]),
    );
    const { verifyProof } = proofVerifier();
    // The engine accepted a proof that does not verify against the committed key.
    const signals = [
      bogus.root,
      ...bucketWords(bank, [creditorIndex, creditorIndex, creditorIndex, creditorIndex], bogus.amounts),
    ];
    expect(await verifyProof("private_netting_256", bogus.proof, signals)).to.equal(false);
    // The audit reads the wallet's calldata as the engine's and re-verifies the real proof instead.
    const tx = await ethers.provider.getTransaction(receipt.hash);
    const snapshot = {
      events: await eventsOf([
        ["NettingEngine", f.engine],
        ["SettlementLedger", f.ledger],
      ]),
      // As collectSnapshot keeps it: the input only if the transaction went to the emitting engine.
      proofTransactions: {
        [receipt.hash]: proofInputOf({ to: tx!.to as Address, input: tx!.data as Hex }, f.engineAddress as Address),
      },
      state: { circuits: {} },
    } as unknown as ChainSnapshot;
    const check = await proofs(snapshot, { verifyProof, verificationKeys: {} });
    // What should happen: a proof sent through another contract is not re-derived from the outer
    // call (counted "sent through other contracts"), or the audit names it; never "re-verified".
    const flagged = check.failures.length > 0 || /sent through other contracts/.test(check.title);
    expect(flagged, `the audit passed: ${check.title}, ${check.checked} proof(s) re-verified`).to.equal(true);
  });

  it("F3 (by design, decision 034): an acknowledged private batch settles only if its debtor declares it; the operator's close cannot bring it in", async () => {
    const f = await loadFixture(deploySettlement);
    const [debtor, c1, c2] = f.banks;
    const op = f.engine.connect(f.operator);
    // Control: a final standard batch the debtor never declares is brought in by the operator's close.
    const standard = await makeBatch(f.ledger, "r21-standard", [[c1.address, 70n]]);
    await submitFinal(f, debtor, standard, [c1]);
    // A final private v2 batch (its creditors acknowledged it), never declared by its debtor.
    const v2 = await makeChunkedBatch(
      f.ledger,
      "r21-withheld",
      [c1.address, c2.address],
      [chunk(5n, [0, 1], [40n, 60n])],
    );
    await submitFinal(f, debtor, v2, [c1, c2]);
    await mined(op.openCycle());
    await mined(op.closeCycleWith(1, [declarationOf(debtor, standard)], true));
    expect(await f.ledger.statusOf(batchIdOf(debtor.address, standard.key), standard.header)).to.equal(Status.Netted);
    // Only declareProvedChunks brings a v2 batch in, and only its debtor holds the proofs: the close
    // refuses it as it refuses a private v1 chunk. Withholding is a rulebook matter (the batch shows
    // as final and undeclared in pendingBatches / getBatchSettlement; governance can bar the bank).
    await expect(op.closeCycleWith(2, [declarationOf(debtor, v2)], true)).to.be.revertedWithCustomError(
      f.engine,
      "NettingTotalsMismatch",
    );
  });

  it("F5: buildPrivateBatch builds (and the SDK anchors) a batch of more chunks than MAX_PROVED_CHUNKS, which can never be declared", async () => {
    // 193 creditors with one payment each: 4 creditors a chunk, so 49 chunks for 193 payments.
    const bank = "0x1000000000000000000000000000000000000001" as Address;
    const creditors = Array.from(
      { length: 193 },
      (_, i) => `0x${(0x2000 + i).toString(16).padStart(40, "0")}` as Address,
    );
    const index = new Map<string, number>([
      [bank.toLowerCase(), 0],
      ...creditors.map((c, i) => [c.toLowerCase(), i + 1] as [string, number]),
    ]);
    const records = payments(
      bank,
      creditors.map((c) => [c, 10n] as [Address, bigint]),
      "wide",
    );
    const max = Number(await (await ethers.deployContract("PrivateProofs")).MAX_PROVED_CHUNKS());
    expect(MAX_PROVED_CHUNKS, "the SDK's bound is the engine's").to.equal(max);
    // What should happen: refused before anything is proved or anchored (declareProvedChunks would
    // revert NettingChunkCount(49, 48) once the creditors have acknowledged it), naming the bound.
    let built: number | undefined;
    try {
      built = buildPrivateBatch(records, { submitter: bank, key: "wide", indexOf: (b) => index.get(b.toLowerCase())! })
        .chunks.length;
    } catch (e) {
      expect((e as Error).message).to.match(/48|MAX_PROVED_CHUNKS/);
    }
    expect(built, `built a batch of ${built} chunks; the engine declares at most ${max}`).to.equal(undefined);
  });

  it("F4 (hardening): verifyPrivateInclusion takes a record amount of 2^64 or more, which aliases into the creditor index of the slot", () => {
    const [bank, c, next] = [3, 10, 11];
    const [creditor] = payments(
      "0x1000000000000000000000000000000000000001",
      [["0x2222222222222222222222222222222222222222", (1n << 64n) + 5n]],
      "alias",
    );
    // The bank's slot: the creditor's record digest, packed as 5 owed to ledger index 11 (not 10).
    const slot = { digest: poseidon8([...encodeRecord(creditor)]), packed: packedOf(bank, next, 5n) };
    // The circuit accepts it (the SDK's replica of its constraints): 5 counted for index 11.
    const zeros = (n: number) => new Array<string>(n).fill("0");
    const inputs = {
      digest: [String(slot.digest), ...zeros(CHUNK_SLOTS - 1)],
      amount: ["5", ...zeros(CHUNK_SLOTS - 1)],
      used: ["1", ...zeros(CHUNK_SLOTS - 1)],
      bucket: zeros(CHUNK_SLOTS),
      counterparty: [String(next), "0", "0", "0"],
      total: ["5", "0", "0", "0"],
      bankIndex: String(bank),
    };
    const empty = { digest: 0n, packed: 0n };
    const group = groupHash([slot, ...new Array(7).fill(empty)]);
    const emptyGroup = groupHash(new Array(8).fill(empty));
    const root = chunkRootOf([group, ...new Array<bigint>(31).fill(emptyGroup)]);
    expect(() => checkPrivateNetting({ ...inputs, root: String(root) })).not.to.throw();
    const proof = {
      chunk: 0,
      group: 0,
      slot: 0,
      groupSlots: [slot, ...new Array(7).fill(empty)],
      halfGroups: [group, ...new Array<bigint>(15).fill(emptyGroup)],
      otherHalf: poseidon16(new Array<bigint>(16).fill(emptyGroup)),
      chunkRoots: [root],
      counterparties: [creditor.creditorBank],
      totals: [5n],
    };
    const header = {
      root: keccak256(concat([toHex(root, { size: 32 })])),
      totalsCommitment: privateChunksCommitmentOf([creditor.creditorBank], [5n]),
      counterpartyMask: 1n << BigInt(c),
    };
    // What should happen: the check refuses a record outside 1 … 2^64 − 1 (validateRecord), as every
    // other entry point does; today it says the slot owes index 10 the record's amount.
    expect(() =>
      verifyPrivateInclusion(proof, { record: creditor, bankIndex: bank, creditorIndex: c, header }),
    ).to.throw();
  });

  after(releaseProver);
});
