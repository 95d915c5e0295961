/**
 * bench/settlementScale: the close of a cycle at consortium scale (issue 15, decision 023).
 *
 *   npm run bench:scale            (SCALE_SIZES=4,16,32 and SCALE_CASES="all short" to choose)
 *
 * For n = 4, 16, 32, 64, 128 and 256 banks with dense obligations (every bank's batch pays each of
 * the n − 1 others), the operator closes the cycle through the SDK's `closeCycle` with a gas budget
 * of 15M per transaction (half a 30M block): in one transaction when it fits, else in several
 * (beginClose, closeSteps, finishClose). Three liquidity cases, each from the same chain state:
 * all liquid; half short (every other bank has revoked its allowance to the engine); all short
 * (every bank has). In the all-short case the next close (everything carried, still short) is
 * measured too. Reported: transactions, the largest transaction's gas, the close's total gas, banks
 * held. Target: every transaction ≤ 15,000,000 gas at 256 banks, all short. Gas is exact; set-up
 * (admission, enrolment, minting, approvals, anchoring) is not counted.
 * Prints a table and writes bench/results/settlement-scale.json.
 */
import hre from "hardhat";
import { custom, encodeAbiParameters, keccak256, stringToHex, type Address, type Hex } from "viem";
import { createClearhouse } from "../packages/sdk/src/client";
import { Role } from "../packages/sdk/src/registry/roles";
import type { CloseResult, PresentedBatch } from "../packages/sdk/src/settlement/close";
import { deployConsortium } from "../scripts/lib/deployConsortium";
import { account, participant } from "../scripts/demo/participants";
import { writeResult } from "./results";
import { fmt } from "./settlementReport";

const BUDGET = 15_000_000n;
const SIZES = (process.env.SCALE_SIZES ?? "4,16,32,64,128,256").split(",").map(Number);
const ALL_CASES = ["all liquid", "half short", "all short"] as const;
/** SCALE_CASES="all short" (comma-separated) to measure only some liquidity cases. */
const CASES = process.env.SCALE_CASES
  ? ALL_CASES.filter((c) => process.env.SCALE_CASES!.split(",").includes(c))
  : ALL_CASES;
const BALANCE = 10n ** 9n;

const send = (method: string, params: unknown[] = []) => hre.network.provider.send(method, params);

interface Row {
  banks: number;
  liquidity: (typeof ALL_CASES)[number];
  close: "first" | "next";
  transactions: number;
  maxTransactionGas: bigint;
  totalGas: bigint;
  held: number;
}

function measured(r: CloseResult): Pick<Row, "transactions" | "maxTransactionGas" | "totalGas" | "held"> {
  return {
    transactions: r.transactions.length,
    maxTransactionGas: r.transactions.reduce((m, t) => (t.gasUsed > m ? t.gasUsed : m), 0n),
    totalGas: r.gasUsed,
    held: r.held.length,
  };
}

async function main(): Promise<void> {
  // Keep the process alive while a provider request is outstanding (a request that is never
  // answered would otherwise end the script silently, with exit code 0).
  const keepAlive = setInterval(() => undefined, 1_000);
  const rows: Row[] = [];
  for (const n of SIZES) {
    const base = (await send("evm_snapshot")) as string;
    const deployment = await deployConsortium({
      token: { name: "Scale Euro", symbol: "sEUR", decimals: 2, dailyIssuanceCeiling: 10n ** 30n },
    });
    const transport = custom(hre.network.provider, { retryCount: 0 });
    const owner = createClearhouse({ transport, deployment, account: account(0), pollingInterval: 10 });
    const operatorAccount = account(participant("operator").index);
    const operator = owner.as(operatorAccount);
    const registry = await hre.ethers.getContractAt(
      "ConsortiumRegistry",
      deployment.contracts.ConsortiumRegistry.proxy,
    );
    const token = await hre.ethers.getContractAt("SettlementToken", deployment.contracts.SettlementToken.proxy);
    const ledger = await hre.ethers.getContractAt("SettlementLedger", deployment.contracts.SettlementLedger!.proxy);
    const engine = deployment.contracts.NettingEngine!.proxy;
    const unlimited = 2n ** 128n - 1n;
    await (
      await registry.admitMember(
        operatorAccount.address,
        Role.OPERATOR | Role.MEMBER_BANK,
        keccak256(stringToHex("op")),
        "Operator",
        unlimited,
        unlimited,
      )
    ).wait();
    process.stdout.write(`  ${n} banks: set-up…`);
    const banks: Address[] = [];
    for (let i = 0; i < n; i++) {
      const wallet = new hre.ethers.Wallet(hre.ethers.id(`scale-bank-${i}`));
      const address = wallet.address as Address;
      await send("hardhat_impersonateAccount", [address]);
      await send("hardhat_setBalance", [address, "0x56BC75E2D63100000"]);
      await (
        await registry.admitMember(
          address,
          Role.MEMBER_BANK,
          keccak256(stringToHex(`lei-${i}`)),
          `Bank ${i}`,
          unlimited,
          unlimited,
        )
      ).wait();
      const signer = await hre.ethers.getSigner(address);
      await (await ledger.connect(signer).enroll()).wait();
      await (await token.connect(await hre.ethers.getSigner(operatorAccount.address)).mint(address, BALANCE)).wait();
      await (await token.connect(signer).approve(engine, hre.ethers.MaxUint256)).wait();
      banks.push(address);
    }
    await operator.settlement.openCycle();
    const index = new Map<Address, bigint>();
    for (const b of banks) index.set(b, (await ledger.bankOf(b))[0]);
    const ackWindow = Number(await ledger.ackWindow());
    const batches: PresentedBatch[] = [];
    for (const [i, bank] of banks.entries()) {
      const counterparties = banks.filter((_, j) => j !== i);
      const totals = counterparties.map((_, j) => BigInt(1_000 + ((i * 7 + j * 13) % 997)));
      const totalsCommitment = keccak256(
        encodeAbiParameters([{ type: "address[]" }, { type: "uint256[]" }], [counterparties, totals]),
      );
      const key = keccak256(stringToHex(`scale-${n}-${i}`));
      const latest = await hre.ethers.provider.getBlock("latest");
      const closesAt = Number(latest!.timestamp) + ackWindow + 60;
      const header = {
        root: keccak256(stringToHex(`root-${i}`)),
        entryCount: counterparties.length,
        grossTotal: totals.reduce((a, b) => a + b, 0n),
        totalsCommitment,
        metadataDigest: keccak256(stringToHex(`meta-${i}`)),
        counterparties,
        totals,
        closesAt,
      };
      const mask = counterparties.reduce((m, c) => m | (1n << index.get(c)!), 0n);
      const signer = await hre.ethers.getSigner(bank);
      await (await ledger.connect(signer).submitBatch(key, { ...header, counterpartyMask: mask })).wait();
      batches.push({ bank, key: key as Hex, header });
    }
    await send("evm_increaseTime", [ackWindow + 3_600]);
    await send("evm_mine");
    console.log(" done");
    const ready = (await send("evm_snapshot")) as string;
    for (const liquidity of CASES) {
      const short = banks.filter((_, i) => liquidity === "all short" || (liquidity === "half short" && i % 2 === 0));
      for (const b of short) await (await token.connect(await hre.ethers.getSigner(b)).approve(engine, 0)).wait();
      const onProgress = (p: { phase: string; presented: number; total: number }) =>
        process.stdout.write(`    ${p.phase} ${p.presented}/${p.total}\n`);
      const first = await operator.settlement.closeCycle({ batches, openNext: true, gasBudget: BUDGET, onProgress });
      rows.push({ banks: n, liquidity, close: "first", ...measured(first) });
      console.log(
        `  ${n} banks, ${liquidity}: ${first.transactions.length} tx, max ${fmt(measured(first).maxTransactionGas)} gas`,
      );
      if (liquidity === "all short") {
        const next = await operator.settlement.closeCycle({ openNext: true, gasBudget: BUDGET, onProgress });
        rows.push({ banks: n, liquidity, close: "next", ...measured(next) });
        console.log(
          `  ${n} banks, ${liquidity}, next close: ${next.transactions.length} tx, max ${fmt(measured(next).maxTransactionGas)} gas`,
        );
      }
      await send("evm_revert", [ready]);
      await send("evm_snapshot");
    }
    await send("evm_revert", [base]);
  }
  const header = [
    "banks",
    "liquidity",
    "close",
    "transactions",
    "largest transaction (gas)",
    "whole close (gas)",
    "held",
  ];
  const table = [
    header,
    ...rows.map((r) => [
      String(r.banks),
      r.liquidity,
      r.close,
      String(r.transactions),
      fmt(r.maxTransactionGas),
      fmt(r.totalGas),
      String(r.held),
    ]),
  ];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  console.log(`\nClose of a dense cycle (every bank owes every other), gas budget ${fmt(BUDGET)} per transaction\n`);
  for (const [k, r] of table.entries()) {
    console.log(r.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  "));
    if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  const worst = rows.filter((r) => r.banks === 256 && r.liquidity === "all short");
  const met = worst.length > 0 && worst.every((r) => r.maxTransactionGas <= BUDGET);
  console.log(
    `\nTarget (every transaction ≤ ${fmt(BUDGET)} gas at 256 banks, all short): ${worst.length === 0 ? "not measured here (no 256-bank all-short row in this run)" : met ? "met" : "NOT met"}`,
  );
  clearInterval(keepAlive);
  writeResult("settlement-scale", {
    benchmark: "settlement-scale",
    date: new Date().toISOString(),
    network: hre.network.name === "hardhat" ? "hardhat (in-process)" : hre.network.name,
    gasBudget: Number(BUDGET),
    rows: rows.map((r) => ({ ...r, maxTransactionGas: Number(r.maxTransactionGas), totalGas: Number(r.totalGas) })),
    target: { description: "every transaction ≤ 15M gas at 256 banks, all short", met },
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
