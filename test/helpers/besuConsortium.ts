/**
 * The example consortium (config/consortium.example.yaml) deployed on a Besu-like Anvil, for tests
 * that run the product against it. The deployment (about 60 transactions, none of them under test)
 * is mined on demand; the chain then switches to a fixed block period, as a QBFT network's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../packages/cli/src/main";
import { parseDeployment, type Deployment } from "../../packages/sdk/src";
import { ANVIL_KEYS, startBesuLikeAnvil, type BesuLikeAnvil } from "./besuAnvil";

const EXAMPLE = join(__dirname, "..", "..", "config", "consortium.example.yaml");

/** A Besu-like Anvil with the example consortium on it. */
export interface BesuConsortium {
  anvil: BesuLikeAnvil;
  deployment: Deployment;
  /** The deployment file. */
  deploymentFile: string;
  /** A scratch directory for the test's files. */
  dir: string;
}

/** One JSON-RPC call to the Anvil itself (its own methods: mining mode). */
async function anvilCall(url: string, method: string, params: unknown[]): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
}

/**
 * Start a Besu-like Anvil (`blockTime` seconds per block), deploy the example consortium on it with
 * `clearhouse deploy` (account 0; members are accounts 1–6), and return once blocks come every
 * `blockTime` seconds again.
 */
export async function startBesuConsortium(o: { blockTime?: number; chainId?: number } = {}): Promise<BesuConsortium> {
  const blockTime = o.blockTime ?? 1;
  const anvil = await startBesuLikeAnvil({ blockTime, chainId: o.chainId ?? 1337 });
  try {
    const dir = mkdtempSync(join(tmpdir(), "clearhouse-besu-consortium-"));
    const keyFile = join(dir, "deployer.key");
    writeFileSync(keyFile, ANVIL_KEYS[0]);
    const deploymentFile = join(dir, "deployment.json");
    await anvilCall(anvil.url, "evm_setAutomine", [true]);
    let err = "";
    const io = { out: () => undefined, err: (s: string) => (err += s + "\n"), env: {} };
    const argv = ["--rpc-url", anvil.url, "--key-file", keyFile, "deploy", EXAMPLE, "--out", deploymentFile];
    const code = await runCli(argv, io);
    if (code !== 0) throw new Error(`clearhouse deploy exited ${code}: ${err}`);
    await anvilCall(anvil.url, "evm_setIntervalMining", [blockTime]);
    const deployment = parseDeployment(JSON.parse(readFileSync(deploymentFile, "utf8")) as Deployment);
    return { anvil, deployment, deploymentFile, dir };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
