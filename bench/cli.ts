/**
 * `npm run bench:cli`: how fast the `clearhouse` command answers, compiled (what the package ships)
 * against the same sources run through ts-node (transpile-only, as the checkout's CLI ran before
 * the packages), in the same run. Targets: `--help` and `--version` ≤ 0.5 s median, `batch status`
 * against a local node ≤ 1.5 s median. The node is Hardhat's embedded chain served on 127.0.0.1,
 * with one anchored batch.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import hre from "hardhat";
import { custom, keccak256, toHex } from "viem";
import { createClearhouse, leiWithCheckDigits, renderTable, Role } from "../packages/sdk/src";
import { buildBatch } from "../packages/sdk/src/settlement/batch";
import { deployConsortium } from "../scripts/lib/deployConsortium";
import { serveProvider } from "../scripts/lib/rpcProxy";
import { account, participant } from "../scripts/demo/participants";
import { writeResult } from "./results";

const run = promisify(execFile);
const ROOT = join(__dirname, "..");
const RUNS = 7;
const TARGETS = { help: 0.5, version: 0.5, batchStatus: 1.5 } as const;

/** The same entry point through ts-node: sources transpiled at start, paths mapped. */
const TS_NODE = [
  "-e",
  `require("ts-node").register({ transpileOnly: true, project: ${JSON.stringify(join(ROOT, "tsconfig.json"))} });
   require("tsconfig-paths/register");
   require(${JSON.stringify(join(ROOT, "packages", "cli", "src", "main"))})
     .runCli(process.argv.slice(1), { out: (s) => process.stdout.write(s + "\\n"), err: (s) => process.stderr.write(s + "\\n"), env: process.env })
     .then((code) => (process.exitCode = code));`,
  "--",
];
const COMPILED = [join(ROOT, "packages", "cli", "bin", "clearhouse.js")];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Seconds per run of `node <entry> <args>` (one warm-up run first, not counted). */
async function time(entry: string[], args: string[], expect: RegExp): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = process.hrtime.bigint();
    const { stdout } = await run(process.execPath, [...entry, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    if (!expect.test(stdout)) throw new Error(`clearhouse ${args.join(" ")} printed ${stdout.slice(0, 200)}`);
    if (i > 0) seconds.push(s);
  }
  return seconds;
}

async function main(): Promise<void> {
  await run(process.execPath, [join(ROOT, "scripts", "build", "packages.mjs")], { cwd: ROOT });
  const deployment = await deployConsortium({ token: { name: "Bench Euro", symbol: "bEUR", decimals: 2 } });
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const owner = createClearhouse({ transport, deployment, account: account(0), pollingInterval: 10 });
  const [alpine, baltic] = ["alpine", "baltic"].map((k) => participant(k));
  for (const p of [alpine, baltic])
    await owner.registry.admitMember({
      account: account(p.index).address,
      roles: Role.MEMBER_BANK,
      lei: leiWithCheckDigits(p.lei),
      name: p.name,
      maxSingleTransfer: 10n ** 12n,
      maxDailyOutflow: 10n ** 13n,
    });
  const bank = owner.as(account(alpine.index));
  await bank.settlement.enroll();
  await owner.as(account(baltic.index)).settlement.enroll();
  const hash = (s: string) => keccak256(toHex(s));
  const records = Array.from({ length: 4 }, (_, i) => ({
    paymentId: `BENCH-${i}`,
    debtorBank: account(alpine.index).address,
    creditorBank: account(baltic.index).address,
    amount: BigInt(1_000 + i),
    currency: "EUR",
    valueDate: "2026-12-06",
    endToEndId: `E2E-${i}`,
    debtorAccountHash: hash(`DE-${i}`),
    creditorAccountHash: hash(`LV-${i}`),
  }));
  const batch = buildBatch(records, { submitter: account(alpine.index).address, key: "bench-cli" });
  const { batchId } = await bank.settlement.submitBatch({ key: batch.key, header: batch.header });

  const dir = mkdtempSync(join(tmpdir(), "clearhouse-bench-cli-"));
  const file = join(dir, "deployment.json");
  writeFileSync(file, JSON.stringify(deployment));
  const node = await serveProvider(hre.network.provider);
  const cases = [
    { name: "help", label: "clearhouse --help", args: ["--help"], expect: /^Usage: clearhouse/ },
    { name: "version", label: "clearhouse --version", args: ["--version"], expect: /^\d+\.\d+\.\d+/ },
    {
      name: "batchStatus",
      label: "clearhouse batch status <id>",
      args: ["--rpc-url", node.url, "--deployment", file, "batch", "status", batchId],
      expect: /status\s+Submitted/,
    },
  ] as const;
  const rows: { case: string; compiled: number; tsNode: number; ratio: number; target: number; met: boolean }[] = [];
  try {
    for (const c of cases) {
      const compiled = median(await time(COMPILED, [...c.args], c.expect));
      const tsNode = median(await time(TS_NODE, [...c.args], c.expect));
      const target = TARGETS[c.name];
      rows.push({ case: c.label, compiled, tsNode, ratio: tsNode / compiled, target, met: compiled <= target });
    }
  } finally {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nclearhouse CLI start-up, median of ${RUNS} runs after a warm-up (seconds)\n`);
  console.log(
    renderTable(rows, [
      { header: "command", value: (r) => r.case },
      { header: "compiled", value: (r) => r.compiled.toFixed(3), align: "right" },
      { header: "ts-node", value: (r) => r.tsNode.toFixed(3), align: "right" },
      { header: "ts-node / compiled", value: (r) => `${r.ratio.toFixed(1)}×`, align: "right" },
      { header: "target", value: (r) => `≤ ${r.target}`, align: "right" },
      { header: "met", value: (r) => (r.met ? "yes" : "NO") },
    ]),
  );
  writeResult("cli", { runs: RUNS, machine: `${process.platform} ${process.arch}, node ${process.version}`, rows });
  if (!rows.every((r) => r.met)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
