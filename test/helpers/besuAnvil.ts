/**
 * Anvil started like a Besu QBFT node (docs/network.md, /work/shared/TOOLCHAIN.md): free gas
 * (base fee 0, gas price 0, no minimum tip), a fixed 2 s block period, FIFO ordering, Cancun.
 * Anvil still suggests a 1 gwei tip on such a chain, as a free-gas Besu network can, which is
 * what the SDK's free-gas handling is tested against.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createPublicClient, http } from "viem";
import { anvilBinary } from "../../packages/cli/src/node";
import { freePort } from "./net";

/** A running Besu-like Anvil: its URL, its port and how to stop it. */
export interface BesuLikeNode {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Anvil's development accounts' private keys (the public test mnemonic), index 0–9. */
export const ANVIL_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
] as const;

/** Start Anvil Besu-like on a free 127.0.0.1 port; resolves once it answers eth_chainId. */
export async function startBesuLike(options: { chainId?: number; blockTime?: number } = {}): Promise<BesuLikeNode> {
  const port = await freePort();
  const args = [
    ...["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(options.chainId ?? 1337)],
    ...["--hardfork", "cancun", "--base-fee", "0", "--gas-price", "0", "--disable-min-priority-fee"],
    ...["--gas-limit", "100000000", "--order", "fifo", "--block-time", String(options.blockTime ?? 2)],
  ];
  let out = "";
  const child: ChildProcess = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  for (let i = 0; i < 100; i++) {
    try {
      await client.getChainId();
      return { url, port, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop();
  throw new Error(`Anvil did not start: ${out}`);
}
