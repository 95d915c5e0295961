/** The Besu-like front (test/helpers/besuFront.ts): each fault, with viem clients, over a real Anvil. */
import { expect } from "chai";
import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  parseEther,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionSerialized,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { startBesuLikeAnvil, type BesuLikeAnvil } from "../helpers/besuAnvil";
import { startBesuFront, type BesuFront } from "../helpers/besuFront";

const MNEMONIC = "test test test test test test test test test test test junk";
const DEAD: Address = "0x000000000000000000000000000000000000dEaD";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Besu-like front", function () {
  this.timeout(60_000);
  let anvil: BesuLikeAnvil;
  let front: BesuFront;
  let direct: PublicClient;

  const client = (i: number): PublicClient =>
    createPublicClient({ chain: anvil.chain, transport: http(front.urls[i], { retryCount: 0 }), pollingInterval: 100 });
  const wallet = (i: number, account: HDAccount) =>
    createWalletClient({ chain: anvil.chain, transport: http(front.urls[i], { retryCount: 0 }), account });
  const account = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
  /** A free-gas transfer (explicit zero fees: the node suggests a 1 gwei tip over a zero base fee). */
  const pay = (i: number, from: HDAccount, value = parseEther("1")) =>
    wallet(i, from).sendTransaction({ to: DEAD, value, gasPrice: 0n });
  const blocksPass = async (n: bigint) => {
    const target = (await direct.getBlockNumber()) + n;
    while ((await direct.getBlockNumber()) < target) await sleep(100);
  };

  before(async () => {
    anvil = await startBesuLikeAnvil({ blockTime: 1 });
    front = await startBesuFront({ upstream: anvil.url, endpoints: 3 });
    direct = createPublicClient({ chain: anvil.chain, transport: http(anvil.url), pollingInterval: 100 });
    await blocksPass(3n); // Anvil's own finalized (latest - 2) differs from latest from here on
  });

  after(async () => {
    await front?.close();
    await anvil?.stop();
  });

  it("reports finalized = safe = latest (QBFT), where Anvil alone says latest - 2", async () => {
    const c = client(0);
    const before = await c.getBlockNumber();
    const finalized = await c.getBlock({ blockTag: "finalized" });
    const safe = await c.getBlock({ blockTag: "safe" });
    const after = await c.getBlockNumber();
    for (const b of [finalized, safe]) expect(Number(b.number)).to.be.within(Number(before), Number(after));
    const anvilLatest = await direct.getBlockNumber();
    expect(Number((await direct.getBlock({ blockTag: "finalized" })).number)).to.be.lessThan(Number(anvilLatest));
  });

  it("answers a batch in order, with each request's id and the tag rewritten", async () => {
    const batch = [
      { jsonrpc: "2.0", id: 7, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: "b", method: "eth_getBlockByNumber", params: ["finalized", false] },
      { jsonrpc: "2.0", id: 9, method: "eth_blockNumber", params: [] },
    ];
    const res = await fetch(front.urls[1], {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch),
    });
    const out = (await res.json()) as { id: number | string; result: Hex | { number: Hex } }[];
    expect(out.map((r) => r.id)).to.deep.equal([7, "b", 9]);
    expect(Number(out[0].result)).to.equal(anvil.chainId);
    const finalized = BigInt((out[1].result as { number: Hex }).number);
    expect(Number(BigInt(out[2].result as Hex) - finalized)).to.be.within(0, 1);
    const garbled = await fetch(front.urls[1], { method: "POST", body: "{not json" });
    expect(((await garbled.json()) as { error: { code: number } }).error.code).to.equal(-32700);
    // viem's own batching goes through too
    const batching = createPublicClient({ chain: anvil.chain, transport: http(front.urls[1], { batch: true }) });
    const [id, n] = await Promise.all([batching.getChainId(), batching.getBlockNumber()]);
    expect(id).to.equal(anvil.chainId);
    expect(n > 0n).to.equal(true);
  });

  it("kill: the endpoint refuses connections, the others answer; restart: back on the same URL", async () => {
    await front.kill(0);
    const refused = await client(0)
      .getBlockNumber()
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(refused, "a dead node must not answer").to.be.instanceOf(Error);
    expect(JSON.stringify(refused, Object.getOwnPropertyNames(refused)) + String(refused)).to.match(
      /ECONNREFUSED|fetch failed|HTTP request failed/,
    );
    expect((await client(1).getBlockNumber()) > 0n).to.equal(true);
    await front.restart(0);
    expect((await client(0).getBlockNumber()) > 0n).to.equal(true);
  });

  it("partition: the head freezes, sends are held, then land once, in order, after heal", async () => {
    const from = account(3);
    const frozen = await front.partition(1);
    const c = client(1);
    const nonce = await direct.getTransactionCount({ address: from.address });
    const balance = await direct.getBalance({ address: DEAD });

    // two sends through the cut-off node: its pending nonce counts what it holds
    const first = await pay(1, from);
    const second = await pay(1, from);
    expect(front.held(1).map((t) => [t.hash, t.nonce])).to.deep.equal([
      [first, nonce],
      [second, nonce + 1],
    ]);
    // meanwhile another node's transaction is mined: visible there, not on the frozen node (its
    // init code PUSH1 0 PUSH1 0 LOG0 leaves one log)
    const logger = account(4);
    const other = await wallet(0, logger).sendTransaction({ data: "0x60006000a0", gasPrice: 0n });
    const mined = await client(0).waitForTransactionReceipt({ hash: other });
    await blocksPass(1n);

    expect(await c.getBlockNumber()).to.equal(frozen);
    expect((await c.getBlock()).number).to.equal(frozen);
    expect((await c.getBlock({ blockTag: "finalized" })).number).to.equal(frozen);
    expect(await c.getBlock({ blockNumber: mined.blockNumber }).catch(() => null)).to.equal(null);
    expect(await c.getTransactionReceipt({ hash: other }).catch(() => null)).to.equal(null);
    expect((await client(0).getTransactionReceipt({ hash: other })).status).to.equal("success");
    const range = { fromBlock: mined.blockNumber, toBlock: mined.blockNumber };
    expect(await c.getLogs(range)).to.deep.equal([]);
    // QBFT's finalized includes the block just mined (Anvil's, latest - 2, would not yet)
    expect(await client(0).getLogs({ fromBlock: mined.blockNumber, toBlock: "finalized" })).to.have.length(1);
    // state is read at the frozen head
    expect(await c.getTransactionCount({ address: logger.address })).to.equal(0);
    expect(await client(0).getTransactionCount({ address: logger.address })).to.equal(1);
    expect(await c.getTransactionReceipt({ hash: first }).catch(() => null)).to.equal(null);
    expect(await direct.getTransactionCount({ address: from.address }), "nothing forwarded").to.equal(nonce);
    // the cut-off node knows what its pool holds: pending, no block (the others don't know it)
    const pooled = await c.getTransaction({ hash: second });
    expect([pooled.from, pooled.nonce, pooled.to, pooled.blockNumber]).to.deep.equal([
      from.address,
      nonce + 1,
      DEAD,
      null,
    ]);
    expect(pooled.value).to.equal(parseEther("1"));
    expect(
      await client(0)
        .getTransaction({ hash: second })
        .catch(() => null),
    ).to.equal(null);

    const sent = await front.heal(1);
    expect(sent).to.deep.equal([{ hash: first }, { hash: second }]);
    const [r1, r2] = await Promise.all([
      c.waitForTransactionReceipt({ hash: first }),
      c.waitForTransactionReceipt({ hash: second }),
    ]);
    expect([r1.status, r2.status]).to.deep.equal(["success", "success"]);
    expect(await front.heal(1), "nothing left to forward").to.deep.equal([]);
    await blocksPass(1n);
    expect(await direct.getTransactionCount({ address: from.address })).to.equal(nonce + 2);
    expect(await direct.getBalance({ address: DEAD })).to.equal(balance + parseEther("2"));
    expect(Number(await c.getBlockNumber())).to.be.greaterThan(Number(frozen));
  });

  it("a held transaction also sent through another node lands once; heal reports the refusal", async () => {
    const from = account(5);
    await front.partition(2);
    const hash = await pay(2, from);
    const raw = front.held(2)[0].raw;
    await direct.waitForTransactionReceipt({
      hash: await client(0).sendRawTransaction({ serializedTransaction: raw as TransactionSerialized }),
    });
    const sent = await front.heal(2);
    expect(sent).to.have.length(1);
    expect(sent[0].hash).to.equal(hash);
    expect(sent[0].error).to.be.a("string");
    await blocksPass(1n);
    expect(await direct.getTransactionCount({ address: from.address })).to.equal(1);
  });

  it("kill drops what a partitioned endpoint held (a restarted node's pool is empty)", async () => {
    const from = account(6);
    await front.partition(2);
    await pay(2, from);
    expect(front.held(2)).to.have.length(1);
    await front.kill(2);
    await front.restart(2);
    expect(front.held(2)).to.deep.equal([]);
    expect(await front.heal(2)).to.deep.equal([]);
    await blocksPass(2n);
    expect(await direct.getTransactionCount({ address: from.address })).to.equal(0);
  });

  it("crashOnNextSend: the node forwards the transaction, then dies before answering", async () => {
    const from = account(10); // unfunded: free gas, nothing sent
    front.crashOnNextSend(2);
    const failed = await pay(2, from, 0n).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failed, "the client never hears back").to.be.instanceOf(Error);
    await blocksPass(2n);
    expect(await direct.getTransactionCount({ address: from.address }), "yet the chain has it").to.equal(1);
    expect(front.crashes(2)).to.equal(1);
    expect(
      await client(2)
        .getBlockNumber()
        .catch(() => null),
      "down until restarted",
    ).to.equal(null);
    await front.restart(2);
    expect((await client(2).getBlockNumber()) > 0n).to.equal(true);
    // one crash only: the next send through it is answered
    const hash = await pay(2, from, 0n);
    expect((await client(2).waitForTransactionReceipt({ hash })).status).to.equal("success");
  });

  it("allowlist: another sender's transaction gets its hash back and is silently dropped", async () => {
    const member = account(7);
    const outsider = account(8);
    front.allowlist(2, [member.address]);
    try {
      const balance = await direct.getBalance({ address: outsider.address });
      const outsiderWallet = wallet(2, outsider);
      const request = await outsiderWallet.prepareTransactionRequest({ to: DEAD, value: 1n, gasPrice: 0n });
      const raw = await outsiderWallet.signTransaction(request);
      const hash = await client(2).sendRawTransaction({ serializedTransaction: raw });
      expect(hash).to.equal(keccak256(raw));
      expect(front.dropped(2)).to.deep.equal([hash]);
      const allowed = await pay(2, member);
      await direct.waitForTransactionReceipt({ hash: allowed });
      await blocksPass(2n);
      expect(
        await client(0)
          .getTransactionReceipt({ hash })
          .catch(() => null),
      ).to.equal(null);
      expect(await direct.getTransactionCount({ address: outsider.address })).to.equal(0);
      expect(await direct.getBalance({ address: outsider.address })).to.equal(balance);
    } finally {
      front.allowlist(2, null);
    }
  });

  it("answers Method not found for what Besu lacks (sending unsigned, eth_fillTransaction)", async () => {
    for (const method of ["eth_sendTransaction", "eth_signTransaction", "eth_fillTransaction"]) {
      const res = await fetch(front.urls[0], {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [{ from: account(9).address, to: DEAD }] }),
      });
      const body = (await res.json()) as { error?: { code: number; message: string } };
      expect(body.error, method).to.deep.equal({ code: -32601, message: "Method not found" });
    }
  });
});
