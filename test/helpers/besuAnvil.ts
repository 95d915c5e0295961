/**
 * A throw-away Anvil started with `clearhouse node --besu-like`'s flags (free gas, a fixed block
 * period, FIFO, Cancun, the kit's gas limit), for tests that put the Besu-like front before it and
 * for the SDK's tests on a free-gas chain (Anvil still suggests a 1 gwei tip there, as a free-gas
 * Besu network can: what the SDK's free-gas handling must survive).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNonceManager, defineChain, toHex, type Chain } from "viem";
import { mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { jsonRpc } from "viem/nonce";
import { anvilBinary, anvilHistoryArgs, besuLikeAnvilArgs } from "../../packages/cli/src/node";
import { freePort } from "./net";

/** Anvil's development accounts' private keys (the public test mnemonic), index 0–2. */
export const ANVIL_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
] as const;

/** The public test mnemonic of Anvil's and Hardhat's development accounts. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * Development account `i` as a local key: with a nonce manager, as the CLI loads keys, or without
 * (`{ nonceManager: false }`), as a user's plain `privateKeyToAccount` builds it.
 */
export function devKey(i: number, o: { nonceManager?: boolean } = {}): PrivateKeyAccount {
  const key = toHex(mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }).getHdKey().privateKey!);
  return o.nonceManager === false
    ? privateKeyToAccount(key)
    : privateKeyToAccount(key, { nonceManager: createNonceManager({ source: jsonRpc() }) });
}

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
  // Anvil never deletes the past states it writes to disk (~230 KB a block): bound them, and
  // delete them with the node
  const cacheDir = mkdtempSync(join(tmpdir(), "clearhouse-anvil-states-"));
  const child = spawn(
    anvilBinary(),
    [...args, ...anvilHistoryArgs(cacheDir), ...besuLikeAnvilArgs({ blockTime: o.blockTime ?? 1 })],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(cacheDir, { recursive: true, force: true });
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
