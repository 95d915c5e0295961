/**
 * bench/batchBuild: building a batch and its file, streaming (`buildBatchStream`,
 * `writeBatchStream`: clearhouse.batch/2) against today's in-memory path (`buildBatch`,
 * `writeBatchFile`: clearhouse.batch/1), same records, same run; and what `batch submit` reads
 * before sending: the seal check (`readBatchFileHead`) against the full re-verification
 * (`readBatchFile` + `verifyBatchFile`) it did before, and the streaming re-verification
 * (`verifyBatchFileStream`) that `--verify` and `batch verify` make now.
 *
 *   npm run bench:batch-build            (100,000 and 1,000,000 payments)
 *   BENCH_SIZES=100000 npm run bench:batch-build
 *
 * Each figure is one run (the machine is shared; the peer runs right before ours on the same
 * records). A step that fails (e.g. `Invalid string length`) is reported as failed, not skipped.
 * Prints a table and writes bench/results/batch-build.json. Target: hashing and tree of
 * 1,000,000 payments in ≤ 20 s.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { bytesToHex, getAddress, type Address, type Hex } from "viem";
import { writeResult } from "./results";
import { renderTable } from "../packages/sdk/src/format/table";
import { readBatchFile, writeBatchFile } from "../packages/sdk/src/node/batchFile";
import { readBatchFileHead, writeBatchStream } from "../packages/sdk/src/node/batchStreamFile";
import { verifyBatchFileStream } from "../packages/sdk/src/node/batchStreamVerify";
import { buildBatch } from "../packages/sdk/src/settlement/batch";
import { verifyBatchFile } from "../packages/sdk/src/settlement/batchFile";
import { buildBatchStream } from "../packages/sdk/src/settlement/batchStream";
import type { PaymentRecord } from "../packages/sdk/src/settlement/record";

const SIZES = (process.env.BENCH_SIZES ?? "100000,1000000").split(",").map(Number);
const TARGET_MS = 20_000;
const BANKS: Address[] = Array.from({ length: 12 }, () => getAddress(bytesToHex(randomBytes(20))));
const hash = (): Hex => bytesToHex(randomBytes(32));

function randomRecords(n: number): PaymentRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    paymentId: `PAY-${i}-${randomBytes(6).toString("hex")}`,
    debtorBank: BANKS[0],
    creditorBank: BANKS[1 + (i % (BANKS.length - 1))],
    amount: 1n + BigInt(`0x${randomBytes(5).toString("hex")}`),
    currency: "EUR",
    valueDate: `2026-11-${String(1 + (i % 28)).padStart(2, "0")}`,
    endToEndId: `E2E-${randomBytes(8).toString("hex")}`,
    debtorAccountHash: hash(),
    creditorAccountHash: hash(),
  }));
}

type Step = { ms: number } | { failed: string };
async function step<T>(run: () => T | Promise<T>): Promise<{ step: Step; value?: T }> {
  const start = performance.now();
  try {
    const value = await run();
    return { step: { ms: Math.round(performance.now() - start) }, value };
  } catch (error) {
    return { step: { failed: error instanceof Error ? error.message.split("\n")[0] : String(error) } };
  }
}

interface Row {
  payments: number;
  todayBuild: Step;
  todayWrite: Step;
  todayVerify: Step;
  streamBuild: Step;
  streamWrite: Step;
  sealCheck: Step;
  streamVerify: Step;
  fileMiB: number;
  sameRoot: boolean;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-bench-batch-"));
  const opts = { submitter: BANKS[0], key: "bench-batch-build" };
  await buildBatchStream(randomRecords(2_000), opts); // warm up the JIT
  buildBatch(randomRecords(2_000), opts);
  const rows: Row[] = [];
  try {
    for (const n of SIZES) {
      const records = randomRecords(n);
      const say = (what: string) => process.stdout.write(`  ${n.toLocaleString("en")}: ${what}…${" ".repeat(20)}\r`);
      say("buildBatch");
      const today = await step(() => buildBatch(records, opts));
      say("writeBatchFile");
      const v1 = join(dir, `v1-${n}.json`);
      const todayWrite = today.value
        ? (await step(() => writeBatchFile(v1, today.value!))).step
        : { failed: "no batch" };
      const rootToday = today.value?.header.root;
      today.value = undefined;
      say("readBatchFile + verifyBatchFile");
      const todayVerify =
        "ms" in todayWrite
          ? (
              await step(() => {
                const file = readBatchFile(v1);
                if (!verifyBatchFile(file, file.header).ok) throw new Error("verification failed");
              })
            ).step
          : { failed: "no file" };
      rmSync(v1, { force: true });
      say("buildBatchStream");
      const streamed = await step(() => buildBatchStream(records, opts));
      say("writeBatchStream");
      const v2 = join(dir, `v2-${n}.json`);
      const written = await step(() => writeBatchStream(v2, records, opts));
      say("readBatchFileHead");
      const seal = await step(() => {
        if (!readBatchFileHead(v2)?.seal.ok) throw new Error("seal does not match");
      });
      say("verifyBatchFileStream");
      const verified = await step(async () => {
        if (!(await verifyBatchFileStream(v2, "file"))?.ok) throw new Error("verification failed");
      });
      const fileMiB = "ms" in written.step ? statSync(v2).size / 2 ** 20 : 0;
      rmSync(v2, { force: true });
      const roots = [rootToday, streamed.value?.header.root, written.value?.batch.header.root];
      rows.push({
        payments: n,
        todayBuild: today.step,
        todayWrite,
        todayVerify,
        streamBuild: streamed.step,
        streamWrite: written.step,
        sealCheck: seal.step,
        streamVerify: verified.step,
        fileMiB: Math.round(fileMiB),
        sameRoot: roots[1] !== undefined && roots.every((r) => r === undefined || r === roots[1]),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\r${" ".repeat(80)}\r`);
  const show = (s: Step) => ("ms" in s ? `${(s.ms / 1000).toFixed(1)} s` : `failed: ${s.failed.slice(0, 30)}`);
  console.log(`\nBuilding a batch and its file: in memory (today) vs streaming (Node ${process.version})\n`);
  console.log(
    renderTable(rows, [
      { header: "payments", value: (r) => r.payments.toLocaleString("en"), align: "right" },
      { header: "buildBatch", value: (r) => show(r.todayBuild), align: "right" },
      { header: "buildBatchStream", value: (r) => show(r.streamBuild), align: "right" },
      { header: "writeBatchFile (v1)", value: (r) => show(r.todayWrite), align: "right" },
      { header: "writeBatchStream (v2)", value: (r) => show(r.streamWrite), align: "right" },
      { header: "re-verify (v1)", value: (r) => show(r.todayVerify), align: "right" },
      { header: "seal check (v2)", value: (r) => show(r.sealCheck), align: "right" },
      { header: "re-verify (v2, streaming)", value: (r) => show(r.streamVerify), align: "right" },
      { header: "v2 MiB", value: (r) => String(r.fileMiB), align: "right" },
      { header: "same root", value: (r) => (r.sameRoot ? "yes" : "NO"), align: "left" },
    ]),
  );
  const million = rows.find((r) => r.payments === 1_000_000);
  const met = million !== undefined && "ms" in million.streamBuild && million.streamBuild.ms <= TARGET_MS;
  console.log(
    `\nTarget (1,000,000 payments hashed into a tree in ≤ ${TARGET_MS / 1000} s): ` +
      (million ? (met ? "met" : "NOT met") : "not measured (no 1,000,000 row)"),
  );
  writeResult("batch-build", {
    benchmark: "batch-build",
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    today:
      "buildBatch (validate + tree, records kept), writeBatchFile (clearhouse.batch/1, one string), readBatchFile + verifyBatchFile (what batch submit did)",
    ours: "buildBatchStream (validate + leaves + tree, records not kept), writeBatchStream (clearhouse.batch/2 with seal), readBatchFileHead (seal check: what batch submit does now)",
    runs: "one run each, peer right before ours on the same records",
    rows,
    target: { rule: `buildBatchStream of 1,000,000 payments <= ${TARGET_MS} ms`, met },
  });
  if (!rows.every((r) => r.sameRoot)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
