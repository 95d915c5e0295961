/**
 * The SDK and CLI against a real node started like a Besu QBFT node (Anvil with free gas, a fixed
 * block period, FIFO ordering: test/helpers/besuAnvil.ts): zero fees on every write (deploy
 * included), several RPC URLs, a nonce manager for concurrent writes from one key, confirmations,
 * and log queries split into bounded ranges.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  BaseError,
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  http,
  TipAboveFeeCapError,
  type Address,
  type EIP1193Parameters,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { runCli } from "../../packages/cli/src/main";
import { loadKey } from "../../packages/cli/src/options";
import { createClearhouse, parseDeployment, type Deployment } from "../../packages/sdk/src";
import { auditedContracts, fetchEvents } from "../../packages/sdk/src/audit";
import { DuplicateWriteError, InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { ANVIL_KEYS, startBesuLikeAnvil, type BesuLikeAnvil } from "../helpers/besuAnvil";
import { freePort } from "../helpers/net";

const EXAMPLE = join(__dirname, "..", "..", "config", "consortium.example.yaml");
const OPERATOR = privateKeyToAccount(ANVIL_KEYS[1]).address; // the example's settlement operator
const ALPINE: Address = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"; // a member bank in the example
const DEAD: Address = "0x000000000000000000000000000000000000dEaD";

/** The CLI in-process over HTTP (no in-process chain), with `env`. */
async function cli(env: Record<string, string>, ...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (s) => (out += s + "\n"), err: (s) => (err += s + "\n"), env });
  return { code, out, err };
}

/** A transport to `url` that records the params of every `eth_getLogs` it forwards. */
function recordingTransport(url: string, getLogs: Array<{ fromBlock: bigint; toBlock: bigint }>) {
  const inner = createPublicClient({ transport: http(url) });
  return custom({
    async request({ method, params }: EIP1193Parameters) {
      if (method === "eth_getLogs") {
        const [filter] = params as [{ fromBlock: `0x${string}`; toBlock: `0x${string}` }];
        getLogs.push({ fromBlock: BigInt(filter.fromBlock), toBlock: BigInt(filter.toBlock) });
      }
      return inner.request({ method, params } as never);
    },
  });
}

describe("SDK on a Besu-like node (free gas, block period, FIFO)", function () {
  this.timeout(240_000);
  let node: BesuLikeAnvil;
  let dir: string;
  let deployment: Deployment;
  let operatorKey: string;
  let publicClient: PublicClient;

  before(async () => {
    node = await startBesuLikeAnvil({ blockTime: 1, chainId: 1337 });
    dir = mkdtempSync(join(tmpdir(), "clearhouse-besu-like-"));
    const deployerKey = join(dir, "deployer.key");
    operatorKey = join(dir, "operator.key");
    writeFileSync(deployerKey, ANVIL_KEYS[0]);
    writeFileSync(operatorKey, ANVIL_KEYS[1]);
    publicClient = createPublicClient({ transport: http(node.url) });
  });

  after(async () => {
    await node?.stop();
  });

  it("refuses, in plain viem, a write that names no fees (the node suggests a tip above the zero fee cap)", async () => {
    expect((await publicClient.getBlock()).baseFeePerGas).to.equal(0n);
    const wallet = createWalletClient({
      chain: defineChain({
        id: 1337,
        name: "besu-like",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [node.url] } },
      }),
      transport: http(node.url),
      account: privateKeyToAccount(ANVIL_KEYS[2]),
    });
    const error = await wallet.sendTransaction({ to: DEAD, value: 1n }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(BaseError);
    expect((error as BaseError).walk((e) => e instanceof TipAboveFeeCapError)).to.be.instanceOf(TipAboveFeeCapError);
  });

  it("`clearhouse deploy` with CLEARHOUSE_FREE_GAS=false fails at its first transaction (the tip above the cap)", async () => {
    const out = join(dir, "refused.json");
    const r = await cli(
      { CLEARHOUSE_FREE_GAS: "false" },
      ...["--rpc-url", node.url, "--key-file", join(dir, "deployer.key"), "deploy", EXAMPLE, "--out", out],
    );
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/error: The deployment failed: deploying [^:]+: .*tip/i);
    const bad = await cli({ CLEARHOUSE_FREE_GAS: "maybe" }, "--rpc-url", node.url, "deploy", EXAMPLE, "--out", out);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.match(/freeGas "maybe"/);
  });

  it("`clearhouse deploy` deploys the consortium with zero fees", async () => {
    const out = join(dir, "deployment.json");
    const r = await cli(
      {},
      "--rpc-url",
      node.url,
      "--key-file",
      join(dir, "deployer.key"),
      "deploy",
      EXAMPLE,
      "--out",
      out,
    );
    expect(r.code, r.err).to.equal(0);
    deployment = parseDeployment(JSON.parse(readFileSync(out, "utf8")) as Deployment);
    expect(deployment.setup).to.equal("complete");
    const block = await publicClient.getBlock({
      blockNumber: BigInt(deployment.contracts.SettlementToken.blockNumber),
      includeTransactions: true,
    });
    expect(block.transactions.length).to.be.greaterThan(0);
    for (const tx of block.transactions) {
      expect(tx.maxFeePerGas, tx.hash).to.equal(0n);
      expect(tx.maxPriorityFeePerGas, tx.hash).to.equal(0n);
    }
  });

  it("sends every SDK write with zero fees when the latest block's base fee is 0 (freeGas: false fails)", async () => {
    const account = privateKeyToAccount(ANVIL_KEYS[1]);
    const forced = createClearhouse({ rpcUrl: node.url, deployment, account, pollingInterval: 200, freeGas: false });
    const refused = await forced.token.mint({ bank: OPERATOR, amount: 1n }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).to.match(/tip/i);
    const ch = createClearhouse({ rpcUrl: node.url, deployment, account, pollingInterval: 200 });
    const tx = await ch.token.mint({ bank: OPERATOR, amount: 100_000_000n });
    const sent = await publicClient.getTransaction({ hash: tx.hash });
    expect([sent.maxFeePerGas, sent.maxPriorityFeePerGas]).to.deep.equal([0n, 0n]);
    const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash });
    expect(receipt.effectiveGasPrice).to.equal(0n);
    expect(await ch.token.getBalance({ account: OPERATOR })).to.equal(100_000_000n);
  });

  it("lands 10 concurrent writes from one key loaded by the CLI (nonce manager); a plain account does not", async () => {
    const io = { out: () => undefined, err: () => undefined, env: {} };
    const plain = createClearhouse({
      rpcUrl: node.url,
      deployment,
      account: privateKeyToAccount(ANVIL_KEYS[1]),
      pollingInterval: 200,
    });
    const start = await plain.token.getBalance({ account: ALPINE });
    const raced = await Promise.allSettled(
      Array.from({ length: 10 }, () => plain.token.transfer({ to: ALPINE, amount: 1n })),
    );
    const refused = raced.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    expect(refused.length, "a plain account reuses nonces").to.be.greaterThan(0);
    // the same key, nonce and call sign the same transaction: the copies are refused, not reported as done
    for (const e of refused) expect(e).to.be.instanceOf(DuplicateWriteError);
    const before = await plain.token.getBalance({ account: ALPINE });
    expect(before - start, "one transfer per success").to.equal(BigInt(10 - refused.length));

    const ch = createClearhouse({
      rpcUrl: node.url,
      deployment,
      account: loadKey({ keyFile: operatorKey }, io),
      pollingInterval: 200,
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ch.token.transfer({ to: ALPINE, amount: BigInt(100 + i) })),
    );
    const nonces = await Promise.all(
      results.map(async (r) => (await publicClient.getTransaction({ hash: r.hash })).nonce),
    );
    expect(new Set(nonces).size).to.equal(10);
    expect(await ch.token.getBalance({ account: ALPINE })).to.equal(before + 1045n);
  });

  it("waits for `confirmations` more blocks after the one a write is mined in", async () => {
    const ch = createClearhouse({
      rpcUrl: node.url,
      deployment,
      account: privateKeyToAccount(ANVIL_KEYS[1]),
      pollingInterval: 100,
      confirmations: 2,
    });
    const tx = await ch.token.transfer({ to: ALPINE, amount: 1n });
    expect(await publicClient.getBlockNumber()).to.be.at.least(tx.blockNumber + 2n);
    expect(() => createClearhouse({ rpcUrl: node.url, deployment, confirmations: -1 })).to.throw(
      InvalidArgumentError,
      /confirmations/,
    );
  });

  it("splits a 12,000-block log query into ranges of at most maxLogRange blocks, with the same events", async () => {
    const from = BigInt(deployment.contracts.ConsortiumRegistry.blockNumber);
    // 12,000 empty blocks (anvil_mine takes ~20 s for that many on a busy machine)
    const miner = createPublicClient({ transport: http(node.url, { timeout: 150_000, retryCount: 0 }) });
    await miner.request({ method: "anvil_mine" as never, params: ["0x2ee0"] as never });
    const ch = createClearhouse({
      rpcUrl: node.url,
      deployment,
      account: privateKeyToAccount(ANVIL_KEYS[1]),
      pollingInterval: 200,
    });
    await ch.token.transfer({ to: ALPINE, amount: 7n }); // an event after the mined blocks
    const to = await publicClient.getBlockNumber();
    expect(to - from).to.be.greaterThan(12_000n);

    const paged: Array<{ fromBlock: bigint; toBlock: bigint }> = [];
    const small = createClearhouse({ transport: recordingTransport(node.url, paged), deployment, maxLogRange: 5_000 });
    const whole: Array<{ fromBlock: bigint; toBlock: bigint }> = [];
    const big = createClearhouse({
      transport: recordingTransport(node.url, whole),
      deployment,
      maxLogRange: 1_000_000n,
    });
    const split = await fetchEvents(small.context, auditedContracts(small.context), from, to);
    const once = await fetchEvents(big.context, auditedContracts(big.context), from, to);
    expect(whole).to.have.length(1);
    expect(paged.length).to.equal(Math.ceil(Number(to - from + 1n) / 5_000));
    for (const r of paged) expect(r.toBlock - r.fromBlock + 1n).to.be.at.most(5_000n);
    expect(paged[0]!.fromBlock).to.equal(from);
    expect(paged.at(-1)!.toBlock).to.equal(to);
    expect(split.length).to.be.greaterThan(20);
    expect(split.map((e) => e.transactionHash + e.logIndex)).to.deep.equal(
      once.map((e) => e.transactionHash + e.logIndex),
    );
    expect(split.at(-1)!.eventName).to.equal("Transfer");
    expect(() => createClearhouse({ rpcUrl: node.url, deployment, maxLogRange: 0 })).to.throw(
      InvalidArgumentError,
      /maxLogRange/,
    );
  });

  it("reads and writes through the next RPC URL when the first refuses connections (SDK rpcUrls, CLI --rpc-url a,b)", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const ch = createClearhouse({
      rpcUrls: [dead, node.url],
      deployment,
      account: privateKeyToAccount(ANVIL_KEYS[1]),
      pollingInterval: 200,
    });
    const before = await ch.token.getBalance({ account: ALPINE });
    await ch.token.transfer({ to: ALPINE, amount: 5n });
    expect(await ch.token.getBalance({ account: ALPINE })).to.equal(before + 5n);

    const file = join(dir, "deployment.json");
    const read = await cli(
      {},
      "--rpc-url",
      `${dead},${node.url}`,
      "--deployment",
      file,
      "--json",
      "token",
      "balance",
      ALPINE,
    );
    expect(read.code, read.err).to.equal(0);
    expect(read.out).to.match(/"balance"/);
    const write = await cli(
      { CLEARHOUSE_RPC_URL: `${dead}, ${node.url}` },
      ...["--deployment", file, "--key-file", operatorKey, "token", "transfer", "--to", ALPINE, "--amount", "0.05"],
    );
    expect(write.code, write.err).to.equal(0);
    expect(await ch.token.getBalance({ account: ALPINE })).to.equal(before + 10n);
    expect(() => createClearhouse({ rpcUrls: [], deployment })).to.throw(InvalidArgumentError, /rpcUrls/);
  });
});
