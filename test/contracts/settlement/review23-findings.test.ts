/**
 * Review 23, finding 2: a member bank that is a contract (a wallet, a multisig) declares a traced
 * batch through itself. The engine accepts it (the proofs are real), but the transaction's input is
 * the wallet's, not the engine's: the regulator's reader must report the batch as unreadable from
 * its transaction, never drop it and say nothing was traced.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Address, Hex } from "viem";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { proofInputOf, type ChainSnapshot } from "../../../packages/sdk/src/audit/collect";
import { tracedDeclarations, unreadableTraced } from "../../../packages/sdk/src/audit/tracedProofs";
import { releaseProver } from "../../../packages/zk/src/prover";
import { buildTracedBatch } from "../../../packages/zk/src/tracedBatch";
import { proveTracedBatch } from "../../../packages/zk/src/tracedProve";
import { payments } from "../../sdk/settlementFixture";
import { deployZk } from "../zk/helpers";
import { admitBank, batchIdOf, deploySettlement, makeBatch, mined } from "./helpers";
import { chunksAt, tracedArgs } from "./chunks";
import { eventsOf } from "./auditEvents";

describe("review23 — a traced batch declared through a wallet", function () {
  this.timeout(300_000);
  after(releaseProver);

  it("is accepted by the engine, and reported unreadable (not dropped) by the regulator's reader", async () => {
    const f = await deploySettlement();
    const zk = await deployZk(f.engine);
    const [x, y] = mulPointEscalar(Base8, 0x1234567890abcdefn);
    await mined(zk.verifierRegistry.rotateRegulatorKey(x, y));
    await mined(zk.verifierRegistry.setTraceThreshold(1_000n));
    const wallet = await (await ethers.getContractFactory("ChunksForwarder")).deploy(f.engineAddress);
    const walletAddress = (await wallet.getAddress()) as Address;
    await admitBank(f, walletAddress, "Wallet Bank");
    const ledgerAddress = await f.ledger.getAddress();
    await mined(wallet.exec(ledgerAddress, f.ledger.interface.encodeFunctionData("enroll")));
    const creditor = f.banks[1];
    const indexes = new Map<string, number>();
    for (const a of [walletAddress, creditor.address])
      indexes.set(a.toLowerCase(), Number((await f.ledger.bankOf(a))[0]));
    const records = payments(
      walletAddress,
      [
        [creditor.address as Address, 5_000n],
        [creditor.address as Address, 200n],
      ],
      "r23-wallet",
    );
    const traced = buildTracedBatch(records, {
      submitter: walletAddress,
      key: "r23-wallet",
      indexOf: (a) => indexes.get(a.toLowerCase()) ?? -1,
    });
    const { header } = traced;
    const b = await makeBatch(
      f.ledger,
      "r23-wallet",
      header.counterparties.map((c, i) => [c, header.totals[i]] as const),
      { root: header.root, entryCount: BigInt(header.entryCount), totalsCommitment: header.totalsCommitment },
    );
    b.key = traced.key;
    await mined(wallet.exec(ledgerAddress, f.ledger.interface.encodeFunctionData("submitBatch", [b.key, b.header])));
    await mined(f.ledger.connect(creditor).acknowledge(batchIdOf(walletAddress, b.key), b.header));
    await mined(f.engine.connect(f.operator).openCycle());
    const [epoch, kx, ky, threshold] = await zk.verifierRegistry.tracePolicy();
    const chunks = await proveTracedBatch(traced, { epoch: Number(epoch), key: { x: kx, y: ky }, threshold });
    const asArgs = tracedArgs(chunks);
    const args: [bigint, string, typeof b.header, string[], bigint[], typeof asArgs] = [
      1n,
      b.key,
      b.header,
      b.counterparties,
      b.totals,
      asArgs,
    ];
    const engineChunks = await chunksAt(f.engine);
    await mined(wallet.setForwarded(engineChunks.interface.encodeFunctionData("declareTracedChunks", args)));
    const receipt = await mined(wallet.declareTracedChunks(...args));
    expect(receipt.logs.some((l) => l.address === f.engineAddress)).to.equal(true);

    const tx = await ethers.provider.getTransaction(receipt.hash);
    const snapshot = {
      events: await eventsOf([
        ["NettingEngine", f.engine],
        ["SettlementLedger", f.ledger],
        ["VerifierRegistry", zk.verifierRegistry],
      ]),
      // As collectSnapshot keeps it: the input only if the transaction went to the emitting engine.
      proofTransactions: {
        [receipt.hash]: proofInputOf({ to: tx!.to as Address, input: tx!.data as Hex }, f.engineAddress as Address),
      },
    } as unknown as ChainSnapshot;
    expect(snapshot.events.some((e) => e.eventName === "BatchTraced")).to.equal(true);
    expect(tracedDeclarations(snapshot, { cycleId: 1n })).to.deep.equal([]);
    const [unreadable, ...more] = unreadableTraced(snapshot, { cycleId: 1n });
    expect(more).to.deep.equal([]);
    expect(unreadable).to.deep.include({
      cycleId: 1n,
      batchId: batchIdOf(walletAddress, b.key).toLowerCase(),
      transactionHash: receipt.hash,
      epoch: 1,
    });
    expect(unreadable.reason).to.match(/sent through another contract/);
  });
});
