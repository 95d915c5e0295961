/** `clearhouse node --besu-like`: a real Anvil started as a Besu QBFT node of the kit is configured. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createPublicClient, createWalletClient, defineChain, http, parseEther, parseGwei } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { freePort } from "../helpers/net";

const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
const MNEMONIC = "test test test test test test test test test test test junk";
const DEAD = "0x000000000000000000000000000000000000dEaD";

function cli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync("node", [BIN, ...args], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("CLI node --besu-like", function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let out = "";
  let port = 0;
  let state = "";
  let url = "";

  async function start(): Promise<void> {
    out = "";
    child = spawn(
      "node",
      [BIN, "node", "--besu-like", "--block-time", "1", "--chain-id", "2026", "--port", String(port), "--state", state],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !out.includes("funded development accounts"); i++)
      await new Promise((r) => setTimeout(r, 50));
  }

  async function stop(): Promise<number | null> {
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child!.on("exit", resolve));
    child.kill("SIGINT");
    return exited;
  }

  before(async () => {
    port = await freePort();
    state = join(mkdtempSync(join(tmpdir(), "clearhouse-besu-node-")), "chain.json");
    url = `http://127.0.0.1:${port}`;
  });
  after(stop);

  it("mines a block every period, free of gas, in arrival order, with the kit's gas limit", async () => {
    await start();
    expect(out).to.match(/Besu-like: a block every 1 s, free gas \(send zero fees\), FIFO, Cancun, gas limit 30000000/);

    const chain = defineChain({
      id: 2026,
      name: "besu-like",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [url] } },
    });
    const client = createPublicClient({ chain, transport: http(url), pollingInterval: 100 });

    // a block every period whether or not anything is sent (QBFT's blockperiodseconds)
    // (sampled two blocks after start: the first interval blocks follow the genesis timestamp)
    const first = (await client.getBlockNumber()) + 2n;
    for (let i = 0; i < 80 && (await client.getBlockNumber()) < first + 2n; i++)
      await new Promise((r) => setTimeout(r, 100));
    const a = await client.getBlock({ blockNumber: first + 1n });
    const b = await client.getBlock({ blockNumber: first + 2n });
    expect(b.timestamp - a.timestamp).to.equal(1n);
    expect(b.transactions).to.have.length(0);
    expect(b.baseFeePerGas).to.equal(0n);
    expect(b.gasLimit).to.equal(30_000_000n);

    // just after a block: a zero-fee transfer, then one paying a tip; FIFO mines them as sent
    const head = await client.getBlockNumber();
    for (let i = 0; i < 30 && (await client.getBlockNumber()) === head; i++)
      await new Promise((r) => setTimeout(r, 50));
    const poor = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
    const rich = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
    const balance = await client.getBalance({ address: poor.address });
    const send = (account: typeof poor, gasPrice: bigint) =>
      createWalletClient({ chain, transport: http(url), account }).sendTransaction({
        to: DEAD,
        value: parseEther("1"),
        gasPrice,
      });
    const free = await send(poor, 0n);
    const tipped = await send(rich, parseGwei("5"));
    const [r1, r2] = await Promise.all([
      client.waitForTransactionReceipt({ hash: free }),
      client.waitForTransactionReceipt({ hash: tipped }),
    ]);
    expect(r2.blockNumber, "both in one block").to.equal(r1.blockNumber);
    expect(r1.transactionIndex).to.equal(0);
    expect(r2.transactionIndex).to.equal(1);
    expect(r1.effectiveGasPrice).to.equal(0n);
    expect(await client.getBalance({ address: poor.address })).to.equal(balance - parseEther("1"));
  });

  it("keeps its chain across a restart, and block time still only goes forward", async () => {
    const client = createPublicClient({ transport: http(url, { retryCount: 0 }), pollingInterval: 100 });
    const before = await client.getBlock();
    expect(await stop()).to.equal(0);
    await start();
    expect(out).to.match(/state restored from/);
    expect(await client.getBalance({ address: DEAD })).to.equal(parseEther("2"));
    for (let i = 0; i < 50 && (await client.getBlockNumber()) <= before.number + 1n; i++)
      await new Promise((r) => setTimeout(r, 100));
    const next = await client.getBlock({ blockNumber: before.number + 1n });
    expect(next.timestamp > before.timestamp, `${next.timestamp} after ${before.timestamp}`).to.equal(true);
    expect(next.baseFeePerGas).to.equal(0n);
  });

  it("refuses --block-time without --besu-like and a gas limit below the close's budget (exit 2)", () => {
    const alone = cli(["node", "--block-time", "1", "--port", "1"]);
    expect(alone.status).to.equal(2);
    expect(alone.stderr).to.match(/--besu-like node only/);
    const small = cli(["node", "--besu-like", "--gas-limit", "10000000", "--port", "1"]);
    expect(small.status).to.equal(2);
    expect(small.stderr).to.match(/below the settlement close's gas budget/);
  });
});
