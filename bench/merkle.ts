/**
 * bench/merkle: building a batch's Merkle tree with Clearhouse's `buildBatchTree` against
 * OpenZeppelin's `StandardMerkleTree.of` (@openzeppelin/merkle-tree 1.0.8), same records.
 *
 *   npx hardhat run bench/merkle.ts
 *
 * For 2^16 and 100,000 random payment records: ours from the records (encoding included), median
 * of 3 runs after a warm-up; OpenZeppelin once, from the already encoded values (`encodeRecord`,
 * addresses as hex — its encoder refuses addresses given as integers), so its time excludes the
 * encoding, which is shown apart. The roots must be equal. Prints a table and writes
 * bench/results/merkle.json.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { writeResult } from "./results";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { bytesToHex, getAddress, toHex, type Address, type Hex } from "viem";
import { renderTable } from "../packages/sdk/src/format/table";
import { buildBatchTree } from "../packages/sdk/src/settlement/merkle";
import { encodeRecord, RECORD_LEAF_TYPES, type PaymentRecord } from "../packages/sdk/src/settlement/record";

const SIZES = [2 ** 16, 100_000];
const RUNS = 3;
const TARGET = 5;

const BANKS: Address[] = Array.from({ length: 12 }, () => getAddress(bytesToHex(randomBytes(20))));
const hash = (): Hex => bytesToHex(randomBytes(32));

function randomRecords(n: number): PaymentRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const debtor = i % BANKS.length;
    return {
      paymentId: `PAY-${i}-${randomBytes(6).toString("hex")}`,
      debtorBank: BANKS[debtor],
      creditorBank: BANKS[(debtor + 1 + (i % (BANKS.length - 1))) % BANKS.length],
      amount: 1n + BigInt(`0x${randomBytes(6).toString("hex")}`),
      currency: "EUR",
      valueDate: `2026-11-${String(1 + (i % 28)).padStart(2, "0")}`,
      endToEndId: `E2E-${randomBytes(8).toString("hex")}`,
      debtorAccountHash: hash(),
      creditorAccountHash: hash(),
    };
  });
}

/** The values StandardMerkleTree takes: encodeRecord's words with the two addresses as hex. */
function ozValue(r: PaymentRecord): (bigint | string)[] {
  const w = encodeRecord(r);
  return [w[0], toHex(w[1], { size: 20 }), toHex(w[2], { size: 20 }), w[3], w[4], w[5], w[6], w[7]];
}

function timed<T>(run: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = run();
  return { ms: performance.now() - start, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  leaves: number;
  encodeMs: number;
  ozMs: number;
  oursMs: number;
  oursRunsMs: number[];
  speedup: number;
  sameRoot: boolean;
  root: Hex;
}

async function main(): Promise<void> {
  buildBatchTree(randomRecords(2_000)); // warm up the JIT
  const rows: Row[] = [];
  for (const n of SIZES) {
    const records = randomRecords(n);
    const ours = Array.from({ length: RUNS }, () => timed(() => buildBatchTree(records)));
    const encoded = timed(() => records.map(ozValue));
    process.stdout.write(`  ${n} leaves: ours done, StandardMerkleTree.of running…\r`);
    const oz = timed(() => StandardMerkleTree.of(encoded.value, [...RECORD_LEAF_TYPES]));
    const oursMs = median(ours.map((r) => r.ms));
    rows.push({
      leaves: n,
      encodeMs: encoded.ms,
      ozMs: oz.ms,
      oursMs,
      oursRunsMs: ours.map((r) => Math.round(r.ms)),
      speedup: oz.ms / oursMs,
      sameRoot: ours.every((r) => r.value.root === oz.value.root),
      root: oz.value.root as Hex,
    });
  }
  process.stdout.write(`\r${" ".repeat(70)}\r`);
  const ms = (v: number) => Math.round(v).toLocaleString("en");
  console.log(
    `\nMerkle tree of a settlement batch: StandardMerkleTree.of vs buildBatchTree (Node ${process.version})\n`,
  );
  console.log(
    renderTable(rows, [
      { header: "leaves", value: (r) => r.leaves.toLocaleString("en"), align: "right" },
      { header: "OZ ms", value: (r) => ms(r.ozMs), align: "right" },
      { header: "ours ms", value: (r) => ms(r.oursMs), align: "right" },
      { header: "speed-up ×", value: (r) => r.speedup.toFixed(1), align: "right" },
      { header: "same root", value: (r) => (r.sameRoot ? "yes" : "NO"), align: "left" },
      { header: "(encodeRecord ms, not in OZ ms)", value: (r) => ms(r.encodeMs), align: "right" },
    ]),
  );
  const sameRoots = rows.every((r) => r.sameRoot);
  const worst = Math.min(...rows.map((r) => r.speedup));
  console.log(
    `\nTarget (same root, at least as fast as OZ; aim ${TARGET}×): ${sameRoots && worst >= 1 ? "met" : "NOT met"}; ` +
      `worst speed-up ${worst.toFixed(1)}×${worst >= TARGET ? "" : ` (below the ${TARGET}× aim)`}.`,
  );
  writeResult("merkle", {
    benchmark: "merkle",
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    oz: "@openzeppelin/merkle-tree 1.0.8 StandardMerkleTree.of, from encoded values, 1 run",
    ours: `buildBatchTree from records (encoding included), median of ${RUNS} runs`,
    rows: rows.map((r) => ({
      leaves: r.leaves,
      ozMs: Math.round(r.ozMs),
      oursMs: Math.round(r.oursMs),
      oursRunsMs: r.oursRunsMs,
      encodeRecordMs: Math.round(r.encodeMs),
      speedup: Number(r.speedup.toFixed(2)),
      sameRoot: r.sameRoot,
      root: r.root,
    })),
    target: {
      rule: "same root and speed-up >= 1 at every size (aim 5)",
      met: sameRoots && worst >= 1,
      worst: Number(worst.toFixed(2)),
    },
  });
  if (!sameRoots) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
