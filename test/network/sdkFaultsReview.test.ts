/**
 * Review of the SDK's write path on a faulty Besu-like network (packages/sdk/src/send.ts, docs/network.md
 * §9): scenarios where a write is reported wrongly. Each test states what should happen; each failed
 * on the write path as of fe8051d and passes since its fix. The chain mines on demand here (one block per transaction), so the
 * block a transaction lands in is known and the scenarios are deterministic.
 */
import { expect } from "chai";
import { createNonceManager, createPublicClient, http, toHex, type Hash, type PublicClient } from "viem";
import { jsonRpc } from "viem/nonce";
import { mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { createClearhouse, type ClearhouseSettings } from "../../packages/sdk/src";
import { categoryOf, TransactionDroppedError, TransactionPendingError } from "../../packages/sdk/src/errors/base";
import { DEV_MNEMONIC, devKey } from "../helpers/besuAnvil";
import { startBesuConsortium, type BesuConsortium } from "../helpers/besuConsortium";
import { startBesuFront, type BesuFront } from "../helpers/besuFront";

const plainKey = (i: number) => devKey(i, { nonceManager: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every 50 ms until it holds (at most `ms`). */
async function until(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(50);
  }
}

/** A write's outcome, resolved or rejected. */
type Outcome<T> = { result: T; error?: undefined } | { result?: undefined; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Outcome<T>> =>
  p.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );

describe("review: SDK writes reported wrongly on a faulty network", function () {
  this.timeout(120_000);
  let net: BesuConsortium;
  let front: BesuFront;
  let direct: PublicClient;
  const ALPINE = plainKey(2);
  const BALTIC = plainKey(3).address;

  const client = (account: PrivateKeyAccount, urls: readonly string[], settings: Partial<ClearhouseSettings> = {}) =>
    createClearhouse({ rpcUrls: urls, deployment: net.deployment, account, pollingInterval: 100, ...settings });

  before(async () => {
    net = await startBesuConsortium();
    // one block per transaction from here on
    await fetch(net.anvil.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_setAutomine", params: [true] }),
    });
    front = await startBesuFront({ upstream: net.anvil.url, endpoints: 2 });
    direct = createPublicClient({ chain: net.anvil.chain, transport: http(net.anvil.url), pollingInterval: 100 });
    const operator = client(plainKey(1), [net.anvil.url]);
    await operator.token.mint({ bank: ALPINE.address, amount: 1_000_000_00n });
  });

  afterEach(async () => {
    for (let i = 0; i < 2; i++) {
      await front.restart(i);
      await front.heal(i);
    }
  });

  after(async () => {
    await front?.close();
    await net?.anvil.stop();
  });

  it("does not report dropped a write that a cut-off node holds when the client's first node came back empty", async () => {
    // node 0 is down when the write is sent: the fallback sends it to node 1, which is cut off and
    // holds it (docs/network.md §9: "a transaction still in some node's pool ... is not dropped").
    // Node 0 restarts (empty pool) while the write waits; the drop check asks node 0 only.
    await front.kill(0);
    await front.partition(1);
    const alpine = client(ALPINE, front.urls, { dropTimeout: 2_000 });
    const nonce = await direct.getTransactionCount({ address: ALPINE.address });
    const write = settle(alpine.token.transfer({ to: BALTIC, amount: 3n }));
    await until(() => front.held(1).length === 1);
    const held = front.held(1)[0]!;
    await front.restart(0);
    await sleep(5_000); // two drop timeouts: node 1 still holds the transaction
    await front.heal(1);
    const receipt = await direct.waitForTransactionReceipt({ hash: held.hash, timeout: 10_000 });
    expect(receipt.status, "the held transaction is mined after heal").to.equal("success");
    expect(held.nonce).to.equal(nonce);
    const outcome = await write;
    expect(
      outcome.error,
      `the write ended in ${(outcome.error as Error | undefined)?.name} ("nothing changed on chain, send it again") for a transaction that was mined`,
    ).to.not.be.instanceOf(TransactionDroppedError);
    expect(outcome.result?.hash).to.equal(held.hash);
  });

  it("does not report a write done with the receipt of another transaction that took its nonce", async () => {
    // one key, two clients in one process (a service and a worker, say): the first's transfer is held
    // by its cut-off node; the second's transfer, sent through a healthy node, takes the same nonce
    const viaCutOff = client(ALPINE, [front.urls[0]], { dropTimeout: 30_000 });
    const viaHealthy = client(ALPINE, [front.urls[1]]);
    const before = await viaHealthy.token.getBalance({ account: BALTIC });
    await front.partition(0);
    const first = settle(viaCutOff.token.transfer({ to: BALTIC, amount: 5n }));
    await until(() => front.held(0).length === 1);
    const firstHash: Hash = front.held(0)[0]!.hash;
    const second = await viaHealthy.token.transfer({ to: BALTIC, amount: 7n });
    await front.heal(0); // the held transfer of 5 is refused upstream: its nonce is used
    const outcome = await first;
    expect(await viaHealthy.token.getBalance({ account: BALTIC }), "only the transfer of 7 happened").to.equal(
      before + 7n,
    );
    expect(await direct.getTransactionReceipt({ hash: firstHash }).catch(() => null), "5 never mined").to.equal(null);
    expect(
      outcome.result?.hash,
      "the transfer of 5 is reported done with the transfer of 7's transaction hash",
    ).to.not.equal(second.hash);
    expect(outcome.error, "the transfer of 5 should fail: its transaction will never be mined").to.be.instanceOf(Error);
  });

  it("makes two identical payments two transactions when the second goes through a lagging node (nonce manager)", async () => {
    // two payments of the same amount to the same bank from one key in one process, the second through
    // a node that is behind (its pending nonce is stale). With a nonce manager (as the CLI loads keys)
    // the second gets the next nonce, not the stale one: two transactions, each reported with its own
    // hash. (Without one, the node's stale nonce signs the same bytes as the first payment; the SDK
    // refuses that only when a node it asks has the first transaction: docs/network.md §9.)
    const managed = privateKeyToAccount(
      toHex(mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 2 }).getHdKey().privateKey!),
      {
        nonceManager: createNonceManager({ source: jsonRpc() }),
      },
    );
    await front.partition(1); // node 1 lags from here
    const viaUpToDate = client(managed, [front.urls[0]]);
    const viaLagging = client(managed, [front.urls[1]], { dropTimeout: 30_000 });
    const before = await viaUpToDate.token.getBalance({ account: BALTIC });
    const first = await viaUpToDate.token.transfer({ to: BALTIC, amount: 9n });
    const second = settle(viaLagging.token.transfer({ to: BALTIC, amount: 9n }));
    await until(() => front.held(1).length === 1);
    expect(front.held(1)[0]!.hash, "the second payment is its own transaction").to.not.equal(first.hash);
    await front.heal(1); // node 1 catches up and forwards the second payment
    const outcome = await second;
    expect(outcome.error, String(outcome.error)).to.equal(undefined);
    expect(outcome.result?.hash).to.not.equal(first.hash);
    expect(await viaUpToDate.token.getBalance({ account: BALTIC }), "two payments of 9").to.equal(before + 18n);
  });

  it("names the hash when a send's node dies after taking it and nothing can be asked", async () => {
    // one node: it forwards the transfer, then dies before answering; the lookup by hash cannot reach
    // anyone. The SDK knows the hash, and the transaction is mined: the error must say so, not
    // "cannot reach the chain" (a blind retry then transfers twice)
    const alpine = client(ALPINE, [front.urls[0]]);
    const nonce = await direct.getTransactionCount({ address: ALPINE.address });
    front.crashOnNextSend(0);
    const outcome = await settle(alpine.token.transfer({ to: BALTIC, amount: 11n }));
    await until(async () => (await direct.getTransactionCount({ address: ALPINE.address })) === nonce + 1);
    const block = await direct.getBlock({ blockTag: "latest" });
    const mined = block.transactions[0]!;
    expect(front.crashes(0)).to.equal(1);
    expect(
      outcome.error,
      `the write ended in ${(outcome.error as Error | undefined)?.name}: ${(outcome.error as Error | undefined)?.message.split("\n")[0]}`,
    ).to.be.instanceOf(TransactionPendingError);
    expect((outcome.error as TransactionPendingError).hash).to.equal(mined);
  });

  it("types the node's refusal of a write whose nonce another write of the key took", async () => {
    // one key without a nonce manager, three different transfers at once: one lands, the node refuses
    // the others (same nonce). What the user gets should say so and what to do, not "internal"
    const alpine = client(ALPINE, [net.anvil.url]);
    const raced = await Promise.allSettled([1n, 2n, 3n].map((amount) => alpine.token.transfer({ to: BALTIC, amount })));
    const refused = raced
      .filter((r) => r.status === "rejected")
      .map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(refused.length, "the node refuses the copies that reuse a nonce").to.be.greaterThan(0);
    for (const e of refused) {
      expect(categoryOf(e), `${e.name}: ${e.message.split("\n")[0]}`).to.not.equal("internal");
      expect(e.message, "the message names the nonce conflict").to.match(/nonce/i);
    }
  });
});
