/**
 * The settlement benchmarks' chain: a consortium deployed on the in-process Hardhat network, the
 * operator and four banks admitted (single-transfer limit SINGLE_LIMIT, daily outflow DAILY_LIMIT,
 * BALANCE each), enrolled in the ledger, each with an unlimited allowance to the netting engine and
 * one earlier-day transfer (its daily outflow record exists), then moved to a fresh UTC day with a
 * cycle open. None of this is measured; `fresh()` brings the chain back to that state.
 */
import hre from "hardhat";
import { custom, type Address } from "viem";
import { createClearhouse, type Clearhouse } from "../packages/sdk/src/client";
import { settlementLedgerAbi } from "../packages/contracts/src/abis";
import { leiWithCheckDigits } from "../packages/sdk/src/registry/identifiers";
import { Role } from "../packages/sdk/src/registry/roles";
import { STAMP_GRANULE, STAMP_MARGIN } from "../packages/sdk/src/settlement/submit";
import { UNLIMITED } from "../packages/sdk/src/validate";
import { deployConsortium } from "../scripts/lib/deployConsortium";
import { account, participant } from "../scripts/demo/participants";
import { BALANCE, BANK_KEYS, DAILY_LIMIT, SINGLE_LIMIT } from "./settlementReport";

export const send = async (method: string, params: unknown[] = []): Promise<unknown> =>
  hre.network.provider.send(method, params);

export interface BenchChain {
  owner: Clearhouse;
  operator: Clearhouse;
  /** The four banks of BANK_KEYS, in that order. */
  banks: Clearhouse[];
  bankAddress: Address[];
  engine: Address;
  ledger: Address;
  deployment: Awaited<ReturnType<typeof deployConsortium>>;
  /** Gas of the banks' enrolments and approvals. */
  setupGas: bigint;
  /** Move past every batch's acknowledgement window end. */
  passWindow: () => Promise<void>;
  /** Back to the state right after set-up. */
  fresh: () => Promise<void>;
}

export async function setupBenchChain(): Promise<BenchChain> {
  // Benchmarks issue more than a day's default ceiling to set up: no ceiling in the way.
  const deployment = await deployConsortium({
    token: { name: "Bench Euro", symbol: "bEUR", decimals: 2, dailyIssuanceCeiling: 10n ** 30n },
  });
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const owner = createClearhouse({ transport, deployment, account: account(0), pollingInterval: 10 });
  const as = (key: string): Clearhouse => owner.as(account(participant(key).index));
  const operator = as("operator");
  const banks = BANK_KEYS.map(as);
  const bankAddress: Address[] = BANK_KEYS.map((k) => account(participant(k).index).address);
  const engine = deployment.contracts.NettingEngine!.proxy;
  const ledger = deployment.contracts.SettlementLedger!.proxy;

  for (const key of ["operator", ...BANK_KEYS]) {
    const p = participant(key);
    await owner.registry.admitMember({
      account: account(p.index).address,
      roles: key === "operator" ? Role.OPERATOR : Role.MEMBER_BANK,
      lei: leiWithCheckDigits(p.lei),
      name: p.name,
      maxSingleTransfer: key === "operator" ? UNLIMITED : SINGLE_LIMIT,
      maxDailyOutflow: key === "operator" ? UNLIMITED : DAILY_LIMIT,
    });
  }
  let setupGas = 0n;
  for (const [i, bank] of banks.entries()) {
    await operator.token.mint({ bank: bankAddress[i], amount: BALANCE });
    const enrolled = await bank.settlement.enroll();
    setupGas += enrolled.tx?.gasUsed ?? 0n;
    // A bank's standing consent to be debited for net settlement: an unlimited allowance, which the
    // token never has to decrease.
    setupGas += (await bank.token.approve({ spender: engine, amount: 2n ** 256n - 1n })).gasUsed;
  }
  // Every bank has sent money before (its daily outflow record exists, as on any day but its
  // first), then the chain moves to the next UTC day: the measured day starts from steady state.
  for (const [i, bank] of banks.entries()) {
    await bank.token.transfer({ to: bankAddress[(i + 1) % banks.length], amount: 1n });
  }
  const latest = await owner.context.publicClient.getBlock();
  await send("evm_setNextBlockTimestamp", [Number((latest.timestamp / 86_400n + 1n) * 86_400n + 3_600n)]);
  await send("evm_mine");
  // Steady state: yesterday's close opened today's cycle.
  await operator.settlement.openCycle();
  const ackWindow = await owner.context.publicClient.readContract({
    address: ledger,
    abi: settlementLedgerAbi,
    functionName: "ackWindow",
  });
  const passWindow = async () => {
    // Past every batch's window end (stamped by the SDK at most STAMP_MARGIN + STAMP_GRANULE later).
    await send("evm_increaseTime", [ackWindow + STAMP_MARGIN + STAMP_GRANULE]);
    await send("evm_mine");
  };
  let snapshot = (await send("evm_snapshot")) as string;
  const fresh = async () => {
    if ((await send("evm_revert", [snapshot])) !== true) throw new Error("evm_revert failed");
    snapshot = (await send("evm_snapshot")) as string;
  };
  return { owner, operator, banks, bankAddress, engine, ledger, deployment, setupGas, passWindow, fresh };
}
