/**
 * `clearhouse node`: a local development chain (Anvil from npm) that keeps its state across
 * restarts, never lets block time go backwards, and writes its funded accounts' key files;
 * `--besu-like` starts it as a Besu QBFT node is configured (free gas, a fixed block period, FIFO,
 * Cancun, the kit's gas limit); `clearhouse node advance <seconds>` moves its clock forward.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { DEFAULT_GAS_LIMIT, MIN_GAS_LIMIT } from "@clearhouse/sdk";
import { NetworkError } from "@clearhouse/sdk/errors";
import { UsageError } from "./exit";
import { rpcUrlsOf, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

/** Anvil's development mnemonic: its first accounts are funded with 10,000 ETH each. PUBLIC keys. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** How many of the mnemonic's accounts Anvil funds (and `clearhouse node` writes key files for). */
export const DEV_ACCOUNTS = 10;

/** One JSON-RPC call; a NetworkError when the node does not answer. */
export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  let body: { result?: T; error?: { message: string } };
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    body = (await res.json()) as typeof body;
  } catch (e) {
    throw new NetworkError(url, e);
  }
  if (body.error) throw new UsageError(`The node refused ${method}: ${body.error.message}`);
  return body.result as T;
}

/**
 * Make the chain's clock at least its latest block's time: Anvil restarts at wall-clock time, so a
 * chain whose time was advanced (timelocks) would otherwise mint blocks dated before earlier ones.
 * Returns the latest block's timestamp and whether the clock was moved.
 */
export async function keepClockMonotonic(
  url: string,
  now = Math.floor(Date.now() / 1000),
): Promise<{ latest: number; moved: boolean }> {
  const block = await rpc<{ timestamp: string }>(url, "eth_getBlockByNumber", ["latest", false]);
  const latest = Number(BigInt(block.timestamp));
  if (latest < now) return { latest, moved: false };
  await rpc(url, "evm_setTime", [latest + 1]);
  return { latest, moved: true };
}

/** Write `account-<i>.key` (0x + 64 hex, the `--key-file` format) for each funded account. */
function writeDevKeys(dir: string): { index: number; address: string; keyFile: string }[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: DEV_ACCOUNTS }, (_, index) => {
    const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
    const keyFile = join(dir, `account-${index}.key`);
    writeFileSync(keyFile, `${bytesToHex(account.getHdKey().privateKey!)}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    return { index, address: account.address, keyFile };
  });
}

/** How `--besu-like` shapes the chain. */
export interface BesuLikeOptions {
  /** Seconds between blocks, as QBFT's `blockperiodseconds` (a block every period, empty or not). */
  blockTime: number;
  /** The block gas limit; the network kit's default (30,000,000) unless told otherwise. */
  gasLimit?: bigint;
}

/** The default block period of `--besu-like`, in seconds (the network kit's default too). */
export const BESU_LIKE_BLOCK_TIME = 2;

/**
 * Anvil's flags for a chain that behaves as a Besu QBFT node of the consortium's kit does (see
 * docs/network.md, "A Besu-like network on this machine"): free gas (base fee 0, gas price 0, no
 * minimum tip), a block every `blockTime` seconds instead of one per transaction, first-in
 * first-out ordering instead of by tip, the Cancun rules, and the kit's block gas limit (30M by
 * default, not Anvil's: a transaction too large for the consortium's blocks fails here too).
 */
export function besuLikeAnvilArgs(o: BesuLikeOptions): string[] {
  return [
    "--hardfork",
    "cancun",
    "--base-fee",
    "0",
    "--gas-price",
    "0",
    "--disable-min-priority-fee",
    "--gas-limit",
    String(o.gasLimit ?? DEFAULT_GAS_LIMIT),
    "--order",
    "fifo",
    "--block-time",
    String(o.blockTime),
  ];
}

/**
 * How many past blocks' states a node keeps on disk beyond those in memory: Besu's Bonsai default
 * (`--bonsai-historical-block-limit`, 512). Anvil's own default keeps every state of every block
 * under ~/.foundry/anvil/tmp and never deletes them (about 230 KB per empty block: a day of 1 s
 * blocks is ~20 GB), so the node and the tests bound it and put it where they delete it.
 */
export const KEPT_STATES = 512;

/** Anvil's flags that keep at most {@link KEPT_STATES} past states, in `cacheDir` (deleted by the caller). */
export function anvilHistoryArgs(cacheDir: string): string[] {
  return ["--cache-path", cacheDir, "--max-persisted-states", String(KEPT_STATES)];
}

async function waitForNode(url: string, exited: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !exited(); i++) {
    try {
      await rpc(url, "eth_chainId");
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The Anvil binary shipped in the platform package of @foundry-rs/anvil (no download). */
export function anvilBinary(env: Record<string, string | undefined> = process.env): string {
  if (env.CLEARHOUSE_ANVIL) return env.CLEARHOUSE_ANVIL;
  const arch = process.arch === "x64" ? "amd64" : process.arch === "arm64" ? "arm64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let dir: string;
  try {
    // createRequire: the ES module build has no `require` of its own
    dir = dirname(createRequire(join(__dirname, "node.js")).resolve(`${pkg}/package.json`));
  } catch {
    throw new UsageError(
      `No Anvil binary for ${process.platform}-${process.arch} (${pkg} is not installed).`,
      "Run `npm ci`, or point CLEARHOUSE_ANVIL at an anvil binary.",
    );
  }
  const bin = join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!existsSync(bin)) throw new UsageError(`${bin} is missing.`, "Run `npm ci` again.");
  return bin;
}

interface NodeOptions {
  port: string;
  host: string;
  state: string;
  chainId: string;
  saveEvery: string;
  besuLike?: boolean;
  blockTime?: string;
  gasLimit?: string;
}

export function nodeCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const node = new Command("node")
    .description("run a local development chain (Anvil) that keeps its state across restarts")
    .option("--port <port>", "JSON-RPC port", "8545")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--state <file>", "where the chain state is loaded from and saved to", ".clearhouse/node-state.json")
    .option("--chain-id <id>", "chain id", "31337")
    .option("--save-every <seconds>", "also save the state this often (a crash loses at most this much)", "5")
    .option("--besu-like", "behave as a Besu QBFT node of the network kit: free gas, fixed block period, FIFO, Cancun")
    .option("--block-time <seconds>", `with --besu-like: seconds between blocks (default ${BESU_LIKE_BLOCK_TIME})`)
    .option("--gas-limit <gas>", `with --besu-like: block gas limit (default ${DEFAULT_GAS_LIMIT}, the kit's)`)
    .addHelpText(
      "after",
      "\nThe funded development accounts' key files (the --key-file format: 0x + 64 hex digits) are\n" +
        "written to <state dir>/keys/account-<i>.key. They are Anvil's PUBLIC development keys.\n" +
        `\nState at past blocks is kept for the last ${KEPT_STATES} blocks or so (Besu's Bonsai default), in\n` +
        "<state file>.states while the node runs; older blocks keep their transactions, logs and\n" +
        "receipts, but a call at such a block fails (BlockOutOfRangeError).\n" +
        "\nWithout --besu-like, every transaction is mined at once in a block of its own. With it, the\n" +
        "node mines a block every --block-time seconds (empty or not) in arrival order, charges no gas\n" +
        "(base fee 0, gas price 0, no minimum tip: send explicit zero fees) and keeps the kit's 30M\n" +
        "block gas limit, so what runs here fits the consortium's blocks. It is ONE node: no validators,\n" +
        "round changes or partitions, and its `finalized` block is latest - 2, not latest as on QBFT\n" +
        '(docs/network.md, "A Besu-like network on this machine").\n' +
        "\nExample:\n  clearhouse node --state .clearhouse/node-state.json   # Ctrl-C saves and stops; run again to resume\n" +
        "  clearhouse node advance 3600                           # in another terminal: one hour later\n" +
        "  clearhouse node --besu-like --block-time 1 --chain-id 2026 --state .clearhouse/besu-state.json",
    )
    .action(async (o: NodeOptions) => {
      const g = globals();
      for (const [name, v] of [
        ["--port", o.port],
        ["--chain-id", o.chainId],
        ["--save-every", o.saveEvery],
        ["--block-time", o.blockTime],
        ["--gas-limit", o.gasLimit],
      ] as const) {
        if (v !== undefined && (!/^\d+$/.test(v) || Number(v) <= 0))
          throw new UsageError(`${name} "${v}" is not a positive integer.`);
      }
      if (!o.besuLike && (o.blockTime !== undefined || o.gasLimit !== undefined))
        throw new UsageError(
          "--block-time and --gas-limit shape a --besu-like node only.",
          "Add --besu-like, or leave them out.",
        );
      if (o.gasLimit !== undefined && BigInt(o.gasLimit) < MIN_GAS_LIMIT)
        throw new UsageError(
          `--gas-limit ${o.gasLimit} is below the settlement close's gas budget (${MIN_GAS_LIMIT}): a close could never be mined.`,
        );
      const probeUrl = `http://${o.host === "0.0.0.0" || o.host === "::" ? "127.0.0.1" : o.host}:${o.port}`;
      const occupied = await rpc(probeUrl, "eth_chainId").then(
        () => true,
        () => false,
      );
      if (occupied)
        throw new UsageError(
          `A node already answers on ${probeUrl}: this one would not start (and must not touch that one).`,
          "Stop it, or pass --port <another>.",
        );
      if (!/^(127\.|localhost$|::1$)/.test(o.host))
        io.err(
          `warning: --host ${o.host} exposes the node beyond this machine, with the PUBLIC development keys unlocked`,
        );
      const besu: Required<BesuLikeOptions> | undefined = o.besuLike
        ? {
            blockTime: o.blockTime === undefined ? BESU_LIKE_BLOCK_TIME : Number(o.blockTime),
            gasLimit: o.gasLimit === undefined ? DEFAULT_GAS_LIMIT : BigInt(o.gasLimit),
          }
        : undefined;
      mkdirSync(dirname(o.state) || ".", { recursive: true });
      const restored = existsSync(o.state);
      // past states beyond memory: left behind by a node that was killed, never read again
      const cacheDir = `${o.state}.states`;
      rmSync(cacheDir, { recursive: true, force: true });
      const args = [
        "--port",
        o.port,
        "--host",
        o.host,
        "--chain-id",
        o.chainId,
        "--state",
        o.state,
        "--state-interval",
        o.saveEvery,
        "--silent",
        ...anvilHistoryArgs(cacheDir),
        ...(besu ? besuLikeAnvilArgs(besu) : []),
      ];
      const child = spawn(anvilBinary(io.env), args, { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      let exited = false;
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exit = new Promise<number | null>((resolve) =>
        child.on("exit", (c) => {
          exited = true;
          resolve(c);
        }),
      );
      const url = `http://${o.host === "0.0.0.0" ? "127.0.0.1" : o.host}:${o.port}`;
      await waitForNode(url, () => exited);
      // a new chain has no earlier block to stay after (and at a 1 s period its latest is often "now")
      const clock = exited || !restored ? undefined : await keepClockMonotonic(url);
      const accounts = writeDevKeys(join(dirname(o.state) || ".", "keys"));
      const lines = [
        `Clearhouse local node on ${url} (chain ${o.chainId}), state ${restored ? "restored from" : "new, saved to"} ${o.state}; Ctrl-C saves and stops`,
        ...(clock?.moved
          ? [
              `  clock set after the latest block (${new Date(clock.latest * 1000).toISOString()}): block time never goes back`,
            ]
          : []),
        ...(besu
          ? [
              `  Besu-like: a block every ${besu.blockTime} s, free gas (send zero fees), FIFO, Cancun, gas limit ${besu.gasLimit}`,
            ]
          : []),
        `  funded development accounts (10,000 ETH each; PUBLIC keys, never use them on a real network):`,
        ...accounts.map((a) => `    ${String(a.index).padStart(2)}  ${a.address}  --key-file ${a.keyFile}`),
      ];
      print(io, g, lines.join("\n"), {
        url,
        chainId: Number(o.chainId),
        state: o.state,
        restored,
        pid: child.pid,
        latestBlockTime: clock?.latest,
        besuLike: besu ? { blockTime: besu.blockTime, gasLimit: besu.gasLimit.toString() } : undefined,
        accounts,
      });
      const stop = (signal: NodeJS.Signals) => child.kill(signal);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const code = await exit;
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      rmSync(cacheDir, { recursive: true, force: true });
      if (code !== 0 && code !== null) {
        throw new UsageError(
          `The node exited with code ${code}: ${stderr.trim().split("\n").slice(-1)[0] ?? ""}`,
          "Is the port already in use?",
        );
      }
      if (!g.json) io.err(`node stopped; state saved to ${o.state}`);
    });

  node
    .command("advance <seconds>")
    .description("move the local node's clock forward and mine a block (development only)")
    .addHelpText(
      "after",
      "\nTimelocks, acknowledgement windows, deadlines and refunds wait for block time: this moves it.\n" +
        "\nExample:\n  clearhouse node advance 86400   # one day later\n  clearhouse --rpc-url http://127.0.0.1:9545 node advance 3600",
    )
    .action(async (seconds: string) => {
      const g = globals();
      if (!/^\d+$/.test(seconds) || Number(seconds) <= 0 || Number(seconds) > 10 * 365 * 86_400)
        throw new UsageError(`"${seconds}" is not a number of seconds (1 to ten years).`);
      // The clock is one node's: with several URLs (a,b,c) it is moved on the first.
      const [url] = rpcUrlsOf(g, io);
      await rpc(url, "evm_increaseTime", [Number(seconds)]);
      await rpc(url, "evm_mine");
      const block = await rpc<{ number: string; timestamp: string }>(url, "eth_getBlockByNumber", ["latest", false]);
      const time = Number(BigInt(block.timestamp));
      print(io, g, `Advanced ${seconds} s: block ${BigInt(block.number)} at ${new Date(time * 1000).toISOString()}`, {
        block: Number(BigInt(block.number)),
        timestamp: time,
      });
    });
  return node;
}
