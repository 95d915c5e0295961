/**
 * `npm run bench:sm3-merkle` — gas of an SM3 batch-tree inclusion proof on chain (decision 046)
 * beside the keccak256 peer (OpenZeppelin MerkleProof) in the same run, at proof depths 4, 10 and
 * 16 (batches of 16, 1,024 and 65,536 payments), plus the SM3 leaf of a record and the ledger's
 * `verifyRecord` end to end for both hashes. Library rows are the gas inside the call (`gasleft()`
 * around it, SM3MerkleHarness); the ledger rows are the execution gas of an eth_call
 * (estimateGas minus the intrinsic 21,000 + calldata). Prints a table, writes bench/results/sm3-merkle.json.
 */
import hre from "hardhat";
import { renderTable } from "../packages/sdk/src/format/table";
import { buildBatchTree, encodeRecord, type PaymentRecord } from "../packages/sdk/src/settlement";
import { deploySettlement, makeBatch, submit } from "../test/contracts/settlement/helpers";
import { writeResult } from "./results";

const { ethers } = hre;
const DEPTHS = [4, 10, 16];

interface Row {
  what: string;
  depth: number | null;
  keccak: number;
  sm3: number;
}

function intrinsic(data: string): number {
  let gas = 21_000;
  for (const byte of ethers.getBytes(data)) gas += byte === 0 ? 4 : 16;
  return gas;
}

/** A random path of `depth` siblings and a leaf: the check folds all of it whatever the values. */
function randomProof(depth: number): { proof: string[]; leaf: string } {
  return {
    proof: Array.from({ length: depth }, () => ethers.hexlify(ethers.randomBytes(32))),
    leaf: ethers.hexlify(ethers.randomBytes(32)),
  };
}

async function main(): Promise<void> {
  const harness = await (await ethers.getContractFactory("SM3MerkleHarness")).deploy();
  const rows: Row[] = [];
  for (const depth of DEPTHS) {
    const { proof, leaf } = randomProof(depth);
    const root = ethers.ZeroHash;
    const [, sm3] = await harness.verifyGas(proof, root, leaf);
    const [, keccak] = await harness.keccakVerifyGas(proof, root, leaf);
    rows.push({ what: "inclusion proof (library)", depth, keccak: Number(keccak), sm3: Number(sm3) });
  }

  // The ledger end to end: one real batch of 16 payments per hash, verifyRecord of one payment (depth 4).
  const f = await deploySettlement();
  const { ledger, banks } = f;
  const records: PaymentRecord[] = Array.from({ length: 16 }, (_, i) => ({
    paymentId: `BENCH-${i}`,
    debtorBank: banks[0].address as `0x${string}`,
    creditorBank: banks[1].address as `0x${string}`,
    amount: 1_000n + BigInt(i),
    currency: "EUR",
    valueDate: "2026-12-07",
    endToEndId: `E2E-${i}`,
    debtorAccountHash: ethers.id(`d${i}`) as `0x${string}`,
    creditorAccountHash: ethers.id(`c${i}`) as `0x${string}`,
  }));
  const words = [...encodeRecord(records[5])];
  const [, leafGas] = await harness.leafOfGas(words as never);
  const ledgerGas: Record<string, number> = {};
  for (const treeHash of ["keccak256", "sm3"] as const) {
    if (treeHash === "sm3") {
      const verifier = await (await ethers.getContractFactory("SM3MerkleVerifier")).deploy();
      await (await ledger.setTreeHash(1, await verifier.getAddress())).wait();
    }
    const tree = buildBatchTree(records, { treeHash });
    const batch = await makeBatch(ledger, `bench-${treeHash}`, [[banks[1].address, 16_120n]], {
      root: tree.root,
      entryCount: 16n,
    });
    const id = await submit(ledger, banks[0], batch);
    const proof = tree.proof(5);
    if (!(await ledger.verifyRecord(id, batch.header, words, proof))) throw new Error(`${treeHash} proof refused`);
    const data = ledger.interface.encodeFunctionData("verifyRecord", [id, batch.header, words, proof]);
    const estimate = await ethers.provider.estimateGas({ to: await ledger.getAddress(), data });
    ledgerGas[treeHash] = Number(estimate) - intrinsic(data);
  }
  rows.push({
    what: "ledger verifyRecord (leaf + proof, eth_call)",
    depth: 4,
    keccak: ledgerGas.keccak256,
    sm3: ledgerGas.sm3,
  });

  const fmt = (n: number) => n.toLocaleString("en");
  console.log(
    "\n" +
      renderTable(rows, [
        { header: "check", value: (r) => r.what },
        { header: "depth", value: (r) => (r.depth === null ? "" : String(r.depth)), align: "right" },
        { header: "keccak256", value: (r) => fmt(r.keccak), align: "right" },
        { header: "SM3", value: (r) => fmt(r.sm3), align: "right" },
        { header: "÷", value: (r) => `${Math.round(r.sm3 / r.keccak)}×`, align: "right" },
      ]),
  );
  console.log(`\nSM3 leaf of a record (SM3(SM3(256 bytes)), library): ${fmt(Number(leafGas))} gas`);
  const perLevel = (rows[2].sm3 - rows[0].sm3) / (DEPTHS[2] - DEPTHS[0]);
  console.log(`SM3 per proof level: ${fmt(Math.round(perLevel))} gas`);
  writeResult("sm3-merkle", { rows, sm3LeafOf: Number(leafGas), sm3PerLevel: Math.round(perLevel) });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
