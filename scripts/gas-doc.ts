/**
 * Turns the gas reporter's markdown (written by `npm run gas` to cache/gas-report.md) into
 * docs/gas.md with a header that says how it was measured.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..");
const table = readFileSync(join(root, "cache", "gas-report.md"), "utf8");
const solc = (JSON.parse(readFileSync(require.resolve("solc/package.json"), "utf8")) as { version: string }).version;
const header = [
  "# Gas report",
  "",
  "Gas of every state-changing external function, measured by `hardhat-gas-reporter` over the",
  "contract test suite (`npm run gas` regenerates this file). Min/max span the cases the tests",
  "exercise: e.g. `transfer` is cheapest when both balances and the sender's outflow slot are",
  "already warm, and dearest for a first transfer of the day to a new holder. View functions",
  "(`check`, `requireActive`, `requireHolder`, `transactionAllowed`, `connectionAllowed`, …) cost nothing off-chain;",
  "their cost inside a transaction is included in the callers' figures below (the token calls",
  "`requireHolder` twice per transfer). The multisig's self-only functions (signer, delay and",
  "guardian changes) run inside `execute` and are included in its figures. The V2 rows come from",
  "the upgrade tests.",
  "",
  `Compiler: solc ${solc}, optimizer 200 runs, evmVersion cancun. Generated ${new Date().toISOString().slice(0, 10)}.`,
  "",
];
writeFileSync(join(root, "docs", "gas.md"), header.join("\n") + table.replace(/^\s+/, ""));
console.log("wrote docs/gas.md");
