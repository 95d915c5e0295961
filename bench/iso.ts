/**
 * `npm run bench:iso`: reading a large pacs.008 file. Generates pacs.008.001.08 files of 100,000
 * and 1,000,000 payments (≈120 MB and ≈1.2 GB, written a block at a time to a temporary folder)
 * and measures, in the same run and each in a fresh child process (wall time of the read, peak
 * RSS of the process): the streaming reader (`openIsoFile`, every transaction iterated) and the
 * peer, fast-xml-parser's whole-document parse of the same file, and the whole path `batch build`
 * takes: read, map each transaction to a record (`streamIsoMessage`), hash, tree, sealed batch file
 * (`writeBatchStream`). Targets: the reader 1,000,000 transactions in ≤ 25 s; the whole path
 * 1,000,000 payments in ≤ 60 s (issue 18); peak RSS ≤ 1 GiB for both. The file is one bank's
 * outgoing payments (Alpine pays the three others), as a batch has one submitter.
 *
 * More cases: add an entry to `CASES` (a name and a function that reads the file in the child and
 * returns the transactions it handled); every case runs on every size.
 * Options: `--sizes 100000,1000000` (payments per file), `--keep` (leave the files in the temp folder).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { XMLParser } from "fast-xml-parser";
import { renderTable } from "../packages/sdk/src";
import { openIsoFile } from "../packages/sdk/src/node/isoMessageFile";
import { openIsoFileThreaded } from "../packages/sdk/src/node/isoMessageThreaded";
import { writeBatchStream } from "../packages/sdk/src/node/batchStreamFile";
import { streamIsoMessage } from "../packages/sdk/src/settlement/iso20022/streamImport";
import { batchKey } from "../packages/sdk/src/settlement/ledger";
import { writePacs008File } from "./isoGenerate";
import { writeResult } from "./results";

const run = promisify(execFile);
const TARGET = { seconds: 25, payments: 1_000_000, rssMiB: 1024 } as const;
/** Issue 18's target: 1,000,000 payments from pacs.008 to a built batch in ≤ 60 s, peak RSS ≤ 1 GiB. */
const PIPELINE_TARGET = { seconds: 60, payments: 1_000_000, rssMiB: 1024 } as const;
const PIPELINE = "pacs.008 → batch file (read, map, hash, tree, write)";

/** A way of reading the benchmark file; `read` runs in a child process and returns the transactions seen. */
export interface IsoBenchCase {
  name: string;
  read(file: string): Promise<number>;
}

/** pacs.008 file → sealed batch file, as `batch build` does it; returns the batch's entry count. */
async function pipeline(file: string, open: typeof openIsoFile): Promise<number> {
  const banks = JSON.parse(readFileSync(join(__dirname, "..", "samples", "iso20022", "banks.json"), "utf8")) as Record<
    string,
    `0x${string}`
  >;
  const imported = streamIsoMessage(await open(file), { banks });
  const out = `${file}.batch.json`;
  try {
    const { batch } = await writeBatchStream(out, imported.records, {
      submitter: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      key: batchKey("bench"),
      metadata: { source: `pacs.008 ${imported.messageId}` },
    });
    return batch.header.entryCount;
  } finally {
    rmSync(out, { force: true });
  }
}

export const CASES: IsoBenchCase[] = [
  {
    name: "stream reader (openIsoFile)",
    async read(file) {
      const message = await openIsoFile(file);
      let count = 0;
      for await (const tx of message.transactions("CdtTrfTxInf")) if (tx.node) count++;
      return count;
    },
  },
  {
    name: "fast-xml-parser (whole document)",
    async read(file) {
      const parser = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: "@",
        parseTagValue: false,
        isArray: (name) => name === "CdtTrfTxInf",
      });
      const parsed = parser.parse(readFileSync(file, "utf8")) as {
        Document: { FIToFICstmrCdtTrf: { CdtTrfTxInf: unknown[] } };
      };
      return parsed.Document.FIToFICstmrCdtTrf.CdtTrfTxInf.length;
    },
  },
  {
    // The issue's target path, as `batch build` runs it on a large file: the XML read on a worker
    // thread (openIsoFileThreaded), mapped to records (`streamIsoMessage`), leaf hashes, tree,
    // sealed clearhouse.batch/2 written (`writeBatchStream`) on this one.
    name: PIPELINE,
    read: (file) => pipeline(file, openIsoFileThreaded),
  },
  {
    // The same path on one thread (openIsoFile): what the second core buys.
    name: `${PIPELINE}, one thread`,
    read: (file) => pipeline(file, openIsoFile),
  },
];

interface Measure {
  payments: number;
  fileBytes: number;
  case: string;
  ok: boolean;
  transactions?: number;
  seconds?: number;
  /** CPU seconds (user + system) of the read: less sensitive than wall time to other load on the machine. */
  cpuSeconds?: number;
  peakRssMiB?: number;
  error?: string;
}

/** In the child: run one case on one file and print its figures as JSON. */
async function child(caseName: string, file: string): Promise<void> {
  const bench = CASES.find((c) => c.name === caseName);
  if (!bench) throw new Error(`no case ${caseName}`);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const transactions = await bench.read(file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { user, system } = process.cpuUsage(cpu);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ transactions, seconds, cpuSeconds: (user + system) / 1e6, peakRssMiB })}\n`);
}

async function measure(caseName: string, file: string): Promise<Omit<Measure, "payments" | "fileBytes" | "case">> {
  const args = ["-r", "ts-node/register/transpile-only", __filename, "--child", caseName, file];
  try {
    const { stdout } = await run(process.execPath, args, {
      cwd: join(__dirname, ".."),
      maxBuffer: 1 << 20,
      timeout: 15 * 60_000,
    });
    return { ok: true, ...(JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as object) };
  } catch (error) {
    const e = error as { stderr?: string; message: string; signal?: string };
    const lines = (e.stderr ?? e.message).split("\n").filter((l) => /Error|heap|string/i.test(l));
    return { ok: false, error: e.signal ? `killed by ${e.signal}` : (lines[0] ?? e.message).trim().slice(0, 160) };
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const sizesArg = argv.includes("--sizes") ? argv[argv.indexOf("--sizes") + 1] : "100000,1000000";
  const sizes = sizesArg.split(",").map(Number);
  const dir = mkdtempSync(join(tmpdir(), "clearhouse-bench-iso-"));
  const rows: Measure[] = [];
  try {
    for (const payments of sizes) {
      const file = join(dir, `pacs008-${payments}.xml`);
      const started = Date.now();
      const fileBytes = writePacs008File(file, payments);
      console.log(
        `generated ${payments} payments (${(fileBytes / 2 ** 20).toFixed(0)} MiB) in ${(Date.now() - started) / 1000} s`,
      );
      for (const c of CASES) {
        const m = await measure(c.name, file);
        rows.push({ payments, fileBytes, case: c.name, ...m });
        console.log(
          `  ${c.name}: ${m.ok ? `${m.seconds?.toFixed(2)} s, ${m.peakRssMiB?.toFixed(0)} MiB` : `failed: ${m.error}`}`,
        );
      }
      if (!argv.includes("--keep")) rmSync(file, { force: true });
    }
  } finally {
    if (!argv.includes("--keep")) rmSync(dir, { recursive: true, force: true });
  }
  const reader = rows.find((r) => r.case === CASES[0].name && r.payments === TARGET.payments);
  const met = reader?.ok === true && reader.seconds! <= TARGET.seconds && reader.peakRssMiB! <= TARGET.rssMiB;
  const peer = (payments: number) => rows.find((r) => r.case === CASES[1].name && r.payments === payments);
  const ratioAt = [...sizes].reverse().find((p) => peer(p)?.ok);
  const mine = rows.find((r) => r.case === CASES[0].name && r.payments === ratioAt);
  const ratio = ratioAt && mine?.ok ? peer(ratioAt)!.seconds! / mine.seconds! : undefined;
  const load = loadavg()[0];
  console.log(
    `\nISO 20022 pacs.008 reading (one child process per case; wall and CPU time of the read; load average ${load.toFixed(1)} on ${cpus().length} CPUs)\n`,
  );
  console.log(
    renderTable(rows, [
      { header: "payments", value: (r) => r.payments.toLocaleString("en-US"), align: "right" },
      { header: "file MiB", value: (r) => (r.fileBytes / 2 ** 20).toFixed(0), align: "right" },
      { header: "case", value: (r) => r.case },
      { header: "transactions", value: (r) => (r.ok ? r.transactions!.toLocaleString("en-US") : "-"), align: "right" },
      { header: "seconds", value: (r) => (r.ok ? r.seconds!.toFixed(2) : "-"), align: "right" },
      { header: "CPU s", value: (r) => (r.ok ? r.cpuSeconds!.toFixed(2) : "-"), align: "right" },
      {
        header: "tx/s",
        value: (r) => (r.ok ? Math.round(r.transactions! / r.seconds!).toLocaleString("en-US") : "-"),
        align: "right",
      },
      { header: "peak RSS MiB", value: (r) => (r.ok ? r.peakRssMiB!.toFixed(0) : "-"), align: "right" },
      { header: "result", value: (r) => (r.ok ? "ok" : `FAILED: ${r.error}`) },
    ]),
  );
  if (ratio)
    console.log(
      `\nfast-xml-parser / stream reader at ${ratioAt!.toLocaleString("en-US")} payments: ${ratio.toFixed(1)}× the time`,
    );
  console.log(
    `target: the reader reads ${TARGET.payments.toLocaleString("en-US")} payments in ≤ ${TARGET.seconds} s with peak RSS ≤ ${TARGET.rssMiB} MiB: ${reader ? (met ? "met" : "NOT met") : "not measured"}`,
  );
  const pipeline = rows.find((r) => r.case === PIPELINE && r.payments === PIPELINE_TARGET.payments);
  const pipelineMet =
    pipeline?.ok === true &&
    pipeline.seconds! <= PIPELINE_TARGET.seconds &&
    pipeline.peakRssMiB! <= PIPELINE_TARGET.rssMiB;
  console.log(
    `target: ${PIPELINE_TARGET.payments.toLocaleString("en-US")} payments from pacs.008 to a built batch in ≤ ${PIPELINE_TARGET.seconds} s, peak RSS ≤ ${PIPELINE_TARGET.rssMiB} MiB: ${pipeline ? (pipelineMet ? "met" : "NOT met") : "not measured"}`,
  );
  writeResult("iso", {
    pipelineTarget: PIPELINE_TARGET,
    pipelineMet: pipeline ? pipelineMet : null,
    machine: `${process.platform} ${process.arch}, ${cpus().length} CPUs, node ${process.version}`,
    loadAverage: loadavg()[0],
    target: TARGET,
    met: reader ? met : null,
    ratio: ratio ? { payments: ratioAt, peerOverReader: ratio } : null,
    rows,
  });
  if ((reader && !met) || (pipeline && !pipelineMet)) process.exitCode = 1;
}

if (process.argv[2] === "--child") {
  child(process.argv[3], process.argv[4]).catch((e: unknown) => {
    console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
    process.exitCode = 1;
  });
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
