/**
 * `npm run bench:offline` — gas of redeeming offline vouchers: in bulk (a bank claims its
 * customers' vouchers by allowance, no signature checked on chain, then settles the batch once its
 * dispute window is over) against one-by-one redemption (signature check + serial store + transfer
 * to the payee) measured in the same run. Target (issue 22): ≤ 15,000 gas per voucher redeemed in
 * bulk batches of 1,000. Two shapes: e-CNY's 10 vouchers per allowance, and the worst case of one
 * voucher per allowance.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { renderTable } from "../packages/sdk/src/format/table";
import {
  anchored,
  certFor,
  claimOf,
  newDevice,
  vaultFixture,
  voucher,
  type Claim,
  type VaultFixture,
} from "../test/contracts/offline/helpers";
import { writeResult } from "./results";

const TARGET_PER_VOUCHER = 15_000;
const BATCH = 1_000;
const WORST_BATCH = 500;
const ONE_BY_ONE_SAMPLE = 100;

interface Row {
  shape: string;
  path: string;
  vouchers: number;
  transactions: number;
  gas: bigint;
  perVoucher: number;
}

async function mined(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("not mined");
  return receipt.gasUsed;
}

/** `allowances` live allowances from the fixture's payers (bank A), each with `perAllowance` vouchers to shop1/shop2. */
async function vouchersFor(f: VaultFixture, allowances: number, perAllowance: number) {
  const payers = (await ethers.getSigners()).slice(12, 20);
  const out: { claim: Claim; signed: Awaited<ReturnType<typeof voucher>>[] }[] = [];
  for (let i = 0; i < allowances; i++) {
    const payer = payers[i % payers.length];
    const device = newDevice();
    const cert = await certFor(f, payer, device, { count: perAllowance });
    const id = await anchored(f, cert);
    const signed = [];
    for (let s = 1; s <= perAllowance; s++)
      signed.push(await voucher(f, device, id, cert, s % 2 ? f.shop1.address : f.shop2.address, 1_000n + BigInt(s), s));
    out.push({ claim: claimOf(id, signed), signed });
    if ((i + 1) % 100 === 0) process.stdout.write(`  ${i + 1}/${allowances} allowances anchored\n`);
  }
  return out;
}

async function setUp(): Promise<VaultFixture> {
  const f = await vaultFixture();
  const { UNLIMITED } = await import("../packages/sdk/src/validate");
  const payers = (await ethers.getSigners()).slice(12, 20);
  // Room for 1,000+ allowances: a large guarantee, funded payers, no ratio in the way of setup.
  await f.token.connect(f.operator).mint(f.bankA.address, 10n ** 12n);
  await f.vault.connect(f.bankA).postGuarantee(10n ** 11n, 0);
  for (const p of payers) {
    await f.registry.connect(f.bankA).openWallet(p.address, 2);
    await f.token.connect(f.bankA).transfer(p.address, 40_000_000n);
    await f.token.connect(p).approve(f.vaultAddress, UNLIMITED);
  }
  return f;
}

async function bulk(f: VaultFixture, shape: string, allowances: number, perAllowance: number): Promise<Row> {
  console.log(`bulk, ${shape}: anchoring ${allowances} allowances…`);
  const set = await vouchersFor(f, allowances, perAllowance);
  const claimGas = await mined(f.vault.connect(f.bankB).claimBulk(set.map((s) => s.claim)));
  const batchId = await f.vault.batchCount();
  await time.increaseTo((await f.vault.batchOf(batchId)).disputeEnd + 1n);
  const settleGas = await mined(f.vault.settleBulk(batchId));
  const n = allowances * perAllowance;
  const gas = claimGas + settleGas;
  return { shape, path: "bulk (claim + settle)", vouchers: n, transactions: 2, gas, perVoucher: Number(gas) / n };
}

async function oneByOne(f: VaultFixture, shape: string, perAllowance: number): Promise<Row> {
  const allowances = Math.ceil(ONE_BY_ONE_SAMPLE / perAllowance);
  console.log(`one by one, ${shape}: ${ONE_BY_ONE_SAMPLE} vouchers…`);
  const set = await vouchersFor(f, allowances, perAllowance);
  let gas = 0n;
  let n = 0;
  for (const { signed } of set)
    for (const s of signed) {
      if (n === ONE_BY_ONE_SAMPLE) break;
      gas += await mined(f.vault.connect(f.stranger).redeem(s.v, s.sig));
      n++;
    }
  return { shape, path: "one by one (peer)", vouchers: n, transactions: n, gas, perVoucher: Number(gas) / n };
}

async function main(): Promise<void> {
  const f = await setUp();
  const rows: Row[] = [];
  const shapes = [
    { shape: "10 vouchers per allowance", perAllowance: 10, batch: BATCH },
    // One allowance per voucher: each claim reads and writes its allowance; 1,000 of them do not fit
    // a 30M-gas block, so the worst case is measured on a batch of WORST_BATCH.
    { shape: "1 voucher per allowance", perAllowance: 1, batch: WORST_BATCH },
  ];
  for (const { shape, perAllowance, batch } of shapes) {
    rows.push(await oneByOne(f, shape, perAllowance));
    rows.push(await bulk(f, shape, batch / perAllowance, perAllowance));
  }
  const fmt = (n: number) => Math.round(n).toLocaleString("en");
  const ratio = (r: Row) => {
    const peer = rows.find((p) => p.shape === r.shape && p.path.startsWith("one"))!;
    return (peer.perVoucher / r.perVoucher).toFixed(2);
  };
  console.log(
    "\n" +
      renderTable(rows, [
        { header: "shape", value: (r) => r.shape },
        { header: "path", value: (r) => r.path },
        { header: "vouchers", value: (r) => fmt(r.vouchers), align: "right" },
        { header: "transactions", value: (r) => fmt(r.transactions), align: "right" },
        { header: "gas", value: (r) => fmt(Number(r.gas)), align: "right" },
        { header: "gas / voucher", value: (r) => fmt(r.perVoucher), align: "right" },
        { header: "peer ÷ this", value: ratio, align: "right" },
      ]),
  );
  const target = rows.find((r) => r.shape.startsWith("10") && r.path.startsWith("bulk"))!;
  const met = target.perVoucher <= TARGET_PER_VOUCHER;
  console.log(
    `\ntarget: ≤ ${fmt(TARGET_PER_VOUCHER)} gas per voucher in bulk batches of ${fmt(BATCH)} — ${met ? "met" : "NOT met"} (${fmt(target.perVoucher)})`,
  );
  writeResult("offline", {
    target: { perVoucher: TARGET_PER_VOUCHER, batch: BATCH, met, measured: target.perVoucher },
    rows: rows.map((r) => ({ ...r, gas: r.gas.toString(), peerRatio: Number(ratio(r)) })),
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
