/**
 * A throw-away Anvil started with `clearhouse node --besu-like`'s flags (free gas, a fixed block
 * period, FIFO, Cancun, the kit's gas limit), for tests that put the Besu-like front before it.
 */
import { spawn } from "node:child_process";
import { defineChain, type Chain } from "viem";
import { anvilBinary, besuLikeAnvilArgs } from "../../packages/cli/src/node";
import { freePort } from "./net";

/** A running Besu-like Anvil. */
export interface BesuLikeAnvil {
  /** Its own JSON-RPC URL (the front's upstream). */
  url: string;
  chainId: number;
  /** A viem chain for it (the URL is the Anvil's; clients of the front pass their own transport). */
  chain: Chain;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Start a Besu-like Anvil on a free port; resolves once it answers `eth_chainId`. */
export async function startBesuLikeAnvil(o: { blockTime?: number; chainId?: number } = {}): Promise<BesuLikeAnvil> {
  const port = await freePort();
  const chainId = o.chainId ?? 2026;
  const url = `http://127.0.0.1:${port}`;
  const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--silent"];
  const child = spawn(anvilBinary(), [...args, ...besuLikeAnvilArgs({ blockTime: o.blockTime ?? 1 })], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    const up = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) {
      const chain = defineChain({
        id: chainId,
        name: "besu-like",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [url] } },
      });
      return { url, chainId, chain, stop };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`the Besu-like Anvil did not start: ${stderr.trim()}`);
}
