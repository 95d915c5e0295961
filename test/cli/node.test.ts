/** `clearhouse node`: a real Anvil from npm that keeps its chain across restarts. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  parseEther,
  type Hex,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";

const MNEMONIC = "test test test test test test test test test test test junk";
import { freePort } from "../helpers/net";

const BIN = join(__dirname, "..", "..", "packages", "cli", "bin", "clearhouse.js");
const DEAD = "0x000000000000000000000000000000000000dEaD";

async function startNode(port: number, state: string): Promise<{ child: ChildProcess; out: () => string }> {
  let out = "";
  const child = spawn("node", [BIN, "node", "--port", String(port), "--state", state], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const client = createPublicClient({ transport: http(`http://127.0.0.1:${port}`, { retryCount: 0 }) });
  for (let i = 0; i < 100; i++) {
    try {
      await client.getChainId();
      // the command prints once it has checked the clock and written the key files
      for (let j = 0; j < 100 && !out.includes("funded development accounts"); j++)
        await new Promise((r) => setTimeout(r, 50));
      return { child, out: () => out };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`node did not start: ${out}`);
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

describe("CLI node", function () {
  this.timeout(60_000);

  it("keeps balances, blocks and transactions across a stop (SIGINT or SIGTERM) and a restart", async () => {
    const port = await freePort();
    const state = join(mkdtempSync(join(tmpdir(), "clearhouse-node-")), "chain.json");
    const url = `http://127.0.0.1:${port}`;
    const chain = defineChain({
      id: 31337,
      name: "anvil",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [url] } },
    });
    const first = await startNode(port, state);
    expect(first.out()).to.match(/state new, saved to/);
    const account = mnemonicToAccount("test test test test test test test test test test test junk");
    const wallet = createWalletClient({ chain, transport: http(url), account });
    const client = createPublicClient({ chain, transport: http(url) });
    const hash = await wallet.sendTransaction({ to: DEAD, value: parseEther("1.5") });
    await client.waitForTransactionReceipt({ hash });
    const block = await client.getBlockNumber();
    expect(await stop(first.child, "SIGINT")).to.equal(0);

    const second = await startNode(port, state);
    expect(second.out()).to.match(/state restored from/);
    expect(await client.getBalance({ address: DEAD })).to.equal(parseEther("1.5"));
    expect(Number(await client.getBlockNumber())).to.be.at.least(Number(block));
    expect((await client.getTransactionReceipt({ hash })).status).to.equal("success");
    expect(await stop(second.child, "SIGTERM")).to.equal(0);
  });

  it("keeps past states of the last 512 blocks only, in <state>.states, deleted at stop and at start", async () => {
    const port = await freePort();
    const state = join(mkdtempSync(join(tmpdir(), "clearhouse-node-")), "chain.json");
    const url = `http://127.0.0.1:${port}`;
    // left behind by a node that was killed: the next start clears it
    mkdirSync(`${state}.states`);
    writeFileSync(join(`${state}.states`, "stale"), "x");
    const node = await startNode(port, state);
    expect(existsSync(join(`${state}.states`, "stale"))).to.equal(false);
    const test = createTestClient({ mode: "anvil", transport: http(url) });
    await test.mine({ blocks: 2_000 });
    const client = createPublicClient({ transport: http(url) });
    const head = await client.getBlockNumber();
    expect(head).to.equal(2_000n);
    // Anvil's default would be one file per block (~230 KB each), never deleted
    expect(readdirSync(`${state}.states`).length).to.be.at.most(512);
    expect(await client.getBalance({ address: DEAD, blockNumber: head - 500n })).to.equal(0n);
    const old = await client.getBalance({ address: DEAD, blockNumber: 10n }).then(
      () => "answered",
      (e: Error) => e.message,
    );
    expect(old).to.match(/BlockOutOfRange/);
    // blocks themselves are kept
    expect((await client.getBlock({ blockNumber: 10n })).number).to.equal(10n);
    expect(await stop(node.child, "SIGTERM")).to.equal(0);
    expect(existsSync(`${state}.states`)).to.equal(false);
  });

  it("never lets block time go back across a restart (time advanced by `node advance` first)", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-node-"));
    const state = join(dir, "chain.json");
    const url = `http://127.0.0.1:${port}`;
    const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
    const first = await startNode(port, state);
    // the funded accounts are listed with their key files, in the --key-file format
    expect(first.out()).to.match(/funded development accounts/);
    const key = readFileSync(join(dir, "keys", "account-0.key"), "utf8").trim();
    expect(privateKeyToAccount(key as Hex).address).to.equal(mnemonicToAccount(MNEMONIC).address);
    const advanced = spawnSync("node", [BIN, "--rpc-url", url, "node", "advance", String(10 * 86_400)], {
      encoding: "utf8",
    });
    expect(advanced.status, advanced.stderr).to.equal(0);
    expect(advanced.stdout).to.match(/^Advanced 864000 s: block \d+ at /);
    const before = await client.getBlock();
    expect(Number(before.timestamp)).to.be.greaterThan(Date.now() / 1000 + 9 * 86_400);
    expect(await stop(first.child, "SIGINT")).to.equal(0);

    const second = await startNode(port, state);
    expect(second.out()).to.match(/clock set after the latest block/);
    await createTestClient({ mode: "anvil", transport: http(url) }).mine({ blocks: 1 });
    const after = await client.getBlock();
    expect(after.number).to.equal(before.number + 1n);
    expect(after.timestamp > before.timestamp, `${after.timestamp} after ${before.timestamp}`).to.equal(true);
    expect(await stop(second.child, "SIGTERM")).to.equal(0);
  });

  it("node advance refuses a bad number of seconds (exit 2) and an unreachable node (exit 4)", () => {
    const bad = spawnSync("node", [BIN, "node", "advance", "-5"], { encoding: "utf8" });
    expect(bad.status).to.equal(2);
    const down = spawnSync("node", [BIN, "--rpc-url", "http://127.0.0.1:9", "node", "advance", "60"], {
      encoding: "utf8",
    });
    expect(down.status, down.stderr).to.equal(4);
    expect(down.stderr.trim().split("\n")[0]).to.match(/^error: /);
  });

  it("refuses bad options with exit code 2", async () => {
    const code = await new Promise<number | null>((resolve) =>
      spawn("node", [BIN, "node", "--port", "x"], { stdio: "ignore" }).on("exit", resolve),
    );
    expect(code).to.equal(2);
  });
});
