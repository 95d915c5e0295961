import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { subtask, task, type HardhatUserConfig } from "hardhat/config";
import type { SolcUserConfig } from "hardhat/types";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-chai-matchers";
import "@typechain/hardhat";
import "@openzeppelin/hardhat-upgrades";
import "hardhat-gas-reporter";

/**
 * Offline compiler: Hardhat normally downloads solc. These machines have no internet, so the
 * WASM build shipped inside the npm `solc` package is used instead (see docs/decisions/001).
 */
const SOLC_VERSION = "0.8.28";
/** Safe 1.4.1 is compiled as its users compile it (0.7.6, 200 runs), only as a benchmark peer. */
const SAFE_SOLC_VERSION = "0.7.6";
const LOCAL_SOLC: Record<string, { pkg: string }> = {
  [SOLC_VERSION]: { pkg: "solc" },
  [SAFE_SOLC_VERSION]: { pkg: "solc-0.7.6" },
};

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  const local = LOCAL_SOLC[args.solcVersion];
  if (!local) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require(local.pkg) as { version(): string };
  const longVersion = solc.version().replace(/\.Emscripten\.clang$/, "");
  return {
    compilerPath: require.resolve(`${local.pkg}/soljson.js`),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion,
  };
});

const runtimeOptimized: SolcUserConfig = {
  version: SOLC_VERSION,
  settings: { optimizer: { enabled: true, runs: 1_000_000 }, evmVersion: "cancun" },
};

const sizeOptimized: SolcUserConfig = {
  version: SOLC_VERSION,
  settings: { optimizer: { enabled: true, runs: 1 }, viaIR: true, evmVersion: "cancun" },
};

const viaIrDefault: SolcUserConfig = {
  version: SOLC_VERSION,
  settings: { optimizer: { enabled: true, runs: 200 }, viaIR: true, evmVersion: "cancun" },
};

/** Every Safe source is its own compilation root, so each file needs the override. */
function safeOverrides(): Record<string, SolcUserConfig> {
  const settings: SolcUserConfig = {
    version: SAFE_SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 } },
  };
  const root = join(dirname(require.resolve("@safe-global/safe-contracts/package.json")), "contracts");
  const overrides: Record<string, SolcUserConfig> = {
    "contracts/bench/SafePeer.sol": settings,
    // Governance and anchoring run on every proposal and batch and are deployed once: optimize
    // for runtime gas.
    "contracts/governance/ConsortiumMultisig.sol": runtimeOptimized,
    "contracts/settlement/SettlementLedger.sol": runtimeOptimized,
    // The engine is the largest contract: optimized for size so that it stays under EIP-170's
    // 24,576-byte limit (decision 023); its close is paid once a cycle, not per batch.
    "contracts/settlement/NettingEngine.sol": sizeOptimized,
    // The offline vault's entry points and their custom errors pass EIP-170's limit without the IR
    // pipeline; with it the code fits (24,257 of 24,576 bytes) and bulk redemption stays cheap
    // (bench/offline.ts).
    "contracts/offline/OfflineVault.sol": viaIrDefault,
    // The SM2/SM3 harness once more through the IR pipeline, for bench/sm2.ts's comparison.
    "contracts/test/SM2HarnessViaIR.sol": viaIrDefault,
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".sol")) {
        overrides[`@safe-global/safe-contracts/contracts/${relative(root, path).split(sep).join("/")}`] = settings;
      }
    }
  };
  walk(root);
  return overrides;
}

/**
 * `localhost` is a development node with unlocked accounts (`clearhouse node`, `hardhat node`): at
 * CLEARHOUSE_RPC_URL when set, as the CLI reads it, so a node on another port works; else port 8545.
 */
const LOCALHOST_URL = process.env.CLEARHOUSE_RPC_URL ?? "http://127.0.0.1:8545";

/** Remote networks come from the environment: CLEARHOUSE_RPC_URL and CLEARHOUSE_PRIVATE_KEY. */
const remote = process.env.CLEARHOUSE_RPC_URL
  ? {
      remote: {
        url: process.env.CLEARHOUSE_RPC_URL,
        accounts: process.env.CLEARHOUSE_PRIVATE_KEY ? [process.env.CLEARHOUSE_PRIVATE_KEY] : [],
      },
    }
  : {};

/**
 * Tests write key files, deployments, tokens and node data under the system's temporary directory.
 * Each `hardhat test` run points TMPDIR (which `os.tmpdir()` reads at every call, and every child
 * process inherits) at a directory of its own, removed when the run ends, so nothing is left behind.
 */
task(TASK_TEST, async (args, _hre, runSuper) => {
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-test-"));
  // Others must pass through it: tests run PostgreSQL as its own user in a directory below.
  chmodSync(dir, 0o755);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await runSuper(args);
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  }
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } }],
    overrides: safeOverrides(),
  },
  networks: {
    hardhat: { hardfork: "cancun" },
    localhost: { url: LOCALHOST_URL },
    ...remote,
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "1",
    offline: true,
    currency: "USD",
    outputFile: process.env.GAS_REPORT_FILE,
    noColors: Boolean(process.env.GAS_REPORT_FILE),
    reportFormat: "markdown",
  },
  mocha: { timeout: 120_000 },
};

export default config;
