/**
 * The SDK's writes on a faulty Besu-like network (test/helpers/besuFront.ts over a Besu-like Anvil
 * with the example consortium): a transaction a node drops silently, a node that dies in the middle
 * of a submission, a node cut off while it holds a write.
 */
import { expect } from "chai";
import { createPublicClient, createWalletClient, http, parseEventLogs, type PublicClient } from "viem";
import { consortiumRegistryAbi, settlementLedgerAbi } from "../../packages/contracts/src";
import { buildBatch, createClearhouse, type ClearhouseSettings } from "../../packages/sdk/src";
import { InvalidArgumentError, TransactionDroppedError } from "../../packages/sdk/src/errors/base";
import { sendSigned } from "../../packages/sdk/src/send";
import { devKey } from "../helpers/besuAnvil";
import { startBesuConsortium, type BesuConsortium } from "../helpers/besuConsortium";
import { startBesuFront, type BesuFront } from "../helpers/besuFront";
import { payments } from "../sdk/settlementFixture";

const key = (i: number) => devKey(i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SDK writes on a faulty Besu-like network", function () {
  this.timeout(180_000);
  let net: BesuConsortium;
  let front: BesuFront;
  let direct: PublicClient;
  const OPERATOR = key(1).address;
  const ALPINE = key(2).address;
  const BALTIC = key(3).address;

  const bank = (i: number, urls: readonly string[], settings: Partial<ClearhouseSettings> = {}) =>
    createClearhouse({ rpcUrls: urls, deployment: net.deployment, account: key(i), pollingInterval: 200, ...settings });

  before(async () => {
    net = await startBesuConsortium();
    front = await startBesuFront({ upstream: net.anvil.url, endpoints: 3 });
    direct = createPublicClient({ chain: net.anvil.chain, transport: http(net.anvil.url), pollingInterval: 100 });
    const operator = bank(1, [net.anvil.url]);
    for (const to of [ALPINE, BALTIC]) await operator.token.mint({ bank: to, amount: 1_000_000_00n });
    await bank(2, [net.anvil.url]).settlement.enroll();
  });

  after(async () => {
    await front?.close();
    await net?.anvil.stop();
  });

  it("reports a transaction a node drops silently, with the registry's reason, and reuses its nonce", async () => {
    // endpoint 0's own allowlist has not caught up with the registry: Alpine's transactions vanish there
    front.allowlist(0, [OPERATOR]);
    const alpine = bank(2, [front.urls[0]], { dropTimeout: 2_000 });
    const nonce = await direct.getTransactionCount({ address: ALPINE });
    const started = Date.now();
    const error = await alpine.token.transfer({ to: BALTIC, amount: 1n }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TransactionDroppedError);
    const dropped = error as TransactionDroppedError;
    expect(front.dropped(0)).to.include(dropped.hash);
    expect(dropped.reason?.name, "the registry itself allows Alpine").to.equal("Allowed");
    expect(dropped.message).to.match(/was dropped: no node knows it/);
    expect(dropped.message).to.match(/a node's own rules or a full pool dropped it/);
    expect(Date.now() - started, "detected after the drop timeout, not the receipt timeout").to.be.below(20_000);
    expect(await direct.getTransactionCount({ address: ALPINE }), "nothing mined").to.equal(nonce);

    front.allowlist(0, null);
    const tx = await alpine.token.transfer({ to: BALTIC, amount: 1n });
    expect((await direct.getTransaction({ hash: tx.hash })).nonce, "the dropped nonce is used again").to.equal(nonce);
  });

  it("names the registry's refusal when a refused sender's transaction is dropped", async () => {
    // account 7 is no member: a node with permissioning drops what it sends; no contract call of the
    // SDK would get past simulation for it, so a call nothing refuses (a view, sent) stands in
    front.allowlist(0, [OPERATOR]);
    const outsider = key(7);
    const walletClient = createWalletClient({
      chain: net.anvil.chain,
      transport: http(front.urls[0]),
      account: outsider,
    });
    const publicClient = createPublicClient({
      chain: net.anvil.chain,
      transport: http(front.urls[0]),
      pollingInterval: 200,
    });
    const registry = net.deployment.contracts.ConsortiumRegistry.proxy;
    const error = await sendSigned(
      {
        publicClient,
        walletClient,
        deployment: net.deployment,
        confirmations: 0,
        dropTimeout: 2_000,
        receiptTimeout: 30_000,
      },
      {
        address: registry,
        abi: consortiumRegistryAbi,
        functionName: "memberCount",
        args: [],
        maxFeePerGas: 0n,
        maxPriorityFeePerGas: 0n,
      },
      "memberCount",
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    front.allowlist(0, null);
    expect(error).to.be.instanceOf(TransactionDroppedError);
    expect((error as TransactionDroppedError).reason).to.deep.equal({
      code: 1,
      name: "SenderNotMember",
      description: "the sender was never admitted to the consortium",
    });
    expect((error as Error).message).to.match(/The consortium registry refuses it: SenderNotMember/);
  });

  it("anchors a batch once when its node dies mid-submission: the next node has it, the write waits for it", async () => {
    const baltic = bank(3, [front.urls[1], front.urls[2]]);
    await baltic.settlement.enroll();
    const batch = buildBatch(payments(BALTIC, [[ALPINE, 12_345n]], "crash"), { submitter: BALTIC, key: "crash-1" });
    const nonce = await direct.getTransactionCount({ address: BALTIC });
    front.crashOnNextSend(1);
    const result = await baltic.settlement.submitBatch({ key: batch.key, header: batch.header });
    expect(result.created).to.equal(true);
    expect((await baltic.settlement.getBatch({ batchId: result.batchId })).status).to.equal("Submitted");
    expect(await direct.getTransactionCount({ address: BALTIC }), "one transaction").to.equal(nonce + 1);
    const receipt = await direct.getTransactionReceipt({ hash: result.tx!.hash });
    const anchored = parseEventLogs({ abi: settlementLedgerAbi, logs: receipt.logs, eventName: "BatchSubmitted" });
    expect(anchored).to.have.length(1);
    const down = createPublicClient({ transport: http(front.urls[1], { retryCount: 0 }) });
    expect(await down.getBlockNumber().catch(() => null), "the first node crashed on the send").to.equal(null);
    await front.restart(1);
    // a retry finds the batch anchored and sends nothing
    const retry = await baltic.settlement.submitBatch({ key: batch.key, header: batch.header });
    expect([retry.created, retry.batchId]).to.deep.equal([false, result.batchId]);
    expect(await direct.getTransactionCount({ address: BALTIC })).to.equal(nonce + 1);
  });

  it("keeps waiting for a write its node holds while cut off (not dropped), and lands it after heal", async () => {
    await front.partition(2);
    const alpine = bank(2, [front.urls[2]], { dropTimeout: 2_000 });
    const nonce = await direct.getTransactionCount({ address: ALPINE });
    const pending = alpine.token.transfer({ to: BALTIC, amount: 7n });
    await sleep(5_000); // two drop timeouts: the node still shows the transaction in its pool
    expect(front.held(2).map((t) => t.nonce)).to.deep.equal([nonce]);
    await front.heal(2);
    const tx = await pending;
    expect((await direct.getTransaction({ hash: tx.hash })).nonce).to.equal(nonce);
    expect(await direct.getTransactionCount({ address: ALPINE })).to.equal(nonce + 1);
  });

  it("checks the drop and receipt timeouts it is given", () => {
    for (const name of ["dropTimeout", "receiptTimeout"] as const)
      for (const bad of [5, 1.5, -1])
        expect(() => bank(2, [front.urls[0]], { [name]: bad }), `${name} ${bad}`).to.throw(
          InvalidArgumentError,
          new RegExp(`${name}.*whole number of milliseconds`),
        );
  });

  it("fails over for reads and writes when a node is down before the call", async () => {
    await front.kill(0);
    const alpine = bank(2, [front.urls[0], front.urls[1]]);
    const before = await alpine.token.getBalance({ account: BALTIC });
    await alpine.token.transfer({ to: BALTIC, amount: 5n });
    expect(await alpine.token.getBalance({ account: BALTIC })).to.equal(before + 5n);
    await front.restart(0);
  });
});
