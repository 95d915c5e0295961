/**
 * The world of the settlement fuzz campaign (test/fuzz/campaigns/settlement.ts): the settlement
 * fixture (test/contracts/settlement/helpers.ts) widened to 4–64 banks on Hardhat's in-process
 * chain, transactions at a block time the campaign controls, refusals decoded and compared with the
 * model's, and the invariant checks made after every step.
 */
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse, Interface } from "ethers";
import {
  INITIAL_BALANCE,
  MAX_UINT256,
  bytes32,
  deploySettlement,
  extraBanks,
  giveOperator,
  mined,
  totalsCommitment,
  type Batch,
  type SettlementFixture,
} from "../contracts/settlement/helpers";
import { capacityOf, type Capacity } from "../contracts/settlement/netting-model";
import { Tally } from "./campaign";
import { SettlementModel, bit, type BankState, type BatchState, type Expect } from "./settlementModel";

/** Tokens the operator holds for the credit pool. */
export const OPERATOR_FUNDS = 50_000_000n;
/** The fixture's acknowledgement window, and the margin stamped past it. */
const WINDOW = 3_600n;
const STAMP = 600n;

/** A failed invariant (the campaign turns it into an InvariantViolation naming seed and step). */
export class Broken extends Error {
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(detail);
  }
}

export interface World {
  f: SettlementFixture;
  signers: HardhatEthersSigner[];
  model: SettlementModel;
  ifaces: Interface[];
  /** Every account that may hold tokens: banks, engine, operator, fixture owner, corporate, outsider. */
  holders: string[];
  supply: bigint;
  labels: number;
  /** What the closes did (held short / inactive, barred, cleared, carried, begun again), for the report. */
  stats: Tally;
}

/** Deploy the fixture with `n` banks (bank i has ledger index i), fund the operator, set the deferral limit. */
export async function setupWorld(n: number, maxDeferrals: number): Promise<World> {
  const f = await deploySettlement();
  const extra = await extraBanks(f, n - 4);
  for (const bank of extra) {
    await mined(f.ledger.connect(bank).enroll());
    await mined(f.token.connect(f.operator).mint(bank.address, INITIAL_BALANCE));
    await mined(f.token.connect(bank).approve(f.engineAddress, MAX_UINT256));
  }
  await giveOperator(f, OPERATOR_FUNDS);
  await mined(f.token.connect(f.operator).approve(f.engineAddress, MAX_UINT256));
  await mined(f.engine.connect(f.owner).setMaxConsecutiveDeferrals(maxDeferrals));
  await mined(f.engine.connect(f.operator).openCycle());
  const signers = [...f.banks, ...extra];
  for (const [i, s] of signers.entries()) {
    const [index] = await f.ledger.bankOf(s.address);
    if (Number(index) !== i) throw new Error(`setup: bank ${i} has ledger index ${index}`);
  }
  const model = new SettlementModel(
    signers.map((s) => s.address),
    maxDeferrals,
  );
  model.cycle = { id: 1n, open: true };
  const holders = [
    ...signers.map((s) => s.address),
    f.engineAddress,
    f.operator.address,
    f.owner.address,
    f.corporate.address,
    f.outsider.address,
  ];
  for (const h of holders) model.balances.set(h.toLowerCase(), await f.token.balanceOf(h));
  const ifaces = [f.engine.interface, f.ledger.interface, f.registry.interface, f.token.interface];
  const w: World = {
    f,
    signers,
    model,
    ifaces,
    holders,
    supply: await f.token.totalSupply(),
    labels: 0,
    stats: new Tally(),
  };
  model.now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 1n;
  return w;
}

/** Move the clock: the next transaction's block is `seconds` later than it would have been. */
export async function warp(w: World, seconds: bigint): Promise<void> {
  w.model.now += seconds;
  await network.provider.send("evm_mine", [Number(w.model.now)]);
  w.model.now += 1n;
}

function revertData(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== "object" || depth > 6) return undefined;
  const o = e as Record<string, unknown>;
  if (typeof o.data === "string" && o.data.startsWith("0x") && o.data.length >= 10) return o.data;
  for (const k of ["error", "info", "cause", "data"]) {
    const d = revertData(o[k], depth + 1);
    if (d) return d;
  }
  return undefined;
}

const show = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? "undefined";

/** Decoded custom error of a failed send. */
function decode(w: World, e: unknown): { name: string; args: unknown[] } {
  const data = revertData(e);
  if (!data) throw e;
  for (const iface of w.ifaces) {
    const parsed = iface.parseError(data);
    if (parsed) return { name: parsed.name, args: [...parsed.args] };
  }
  return { name: `unknown(${data.slice(0, 10)})`, args: [] };
}

/**
 * Send a transaction at the model's clock and compare its outcome with `expected`: a receipt when
 * it must succeed, null when it was refused with exactly the expected error.
 */
export async function send(
  w: World,
  what: string,
  tx: () => Promise<ContractTransactionResponse>,
  expected: Expect,
): Promise<ContractTransactionReceipt | null> {
  await network.provider.send("evm_setNextBlockTimestamp", [Number(w.model.now)]);
  let receipt: ContractTransactionReceipt | null = null;
  let refusal: { name: string; args: unknown[] } | null = null;
  try {
    receipt = await mined(tx());
  } catch (e) {
    refusal = decode(w, e);
  }
  if (receipt) {
    w.model.now += 1n;
    if (expected) throw new Broken("outcome", `${what} succeeded; the model expected ${show(expected)}`);
    return receipt;
  }
  // A refused transaction may still have been mined (reverted in a block): keep the clock ahead.
  const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  if (latest >= w.model.now) w.model.now = latest + 1n;
  if (process.env.FUZZ_TRACE) console.log(`    ${what} refused: ${show(refusal)}`);
  if (!expected) throw new Broken("outcome", `${what} refused with ${show(refusal)}; the model expected success`);
  const argsMatch = expected.args === undefined || show(expected.args) === show(refusal!.args);
  if (refusal!.name !== expected.name || !argsMatch) {
    throw new Broken("outcome", `${what} refused with ${show(refusal)}; the model expected ${show(expected)}`);
  }
  return null;
}

/** A batch of `debtor` paying `payments` (creditor index, amount), stamped for the next block. */
export function buildBatch(w: World, debtor: number, payments: ReadonlyArray<[number, bigint]>): BatchState {
  const label = `fuzz-${w.labels++}`;
  const counterparties = payments.map(([c]) => w.signers[c]!.address);
  const totals = payments.map(([, a]) => a);
  const mask = payments.reduce((m, [c]) => m | bit(c), 0n);
  const batch: Batch = {
    key: bytes32(`key:${label}`),
    header: {
      root: bytes32(`root:${label}`),
      entryCount: BigInt(payments.length),
      grossTotal: totals.reduce((a, b) => a + b, 0n),
      totalsCommitment: totalsCommitment(counterparties, totals),
      metadataDigest: bytes32(`meta:${label}`),
      counterpartyMask: mask,
      closesAt: w.model.now + WINDOW + STAMP,
    },
    counterparties,
    totals,
  };
  const id = ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [w.signers[debtor]!.address, batch.key]),
  );
  return {
    id,
    debtor,
    batch,
    creditors: payments.map(([c]) => c),
    amounts: totals,
    mask,
    stored: 0n,
    acks: 0n,
    live: 0n,
    settled: 0n,
    writtenOff: 0n,
  };
}

/** What the close takes of a batch. */
export const declarationOf = (w: World, x: BatchState) => ({
  bank: w.signers[x.debtor]!.address,
  key: x.batch.key,
  header: x.batch.header,
  counterparties: x.batch.counterparties,
  totals: x.batch.totals,
});

/** Capacities of `indexes` as the engine will read them in the next block. */
export async function capacities(w: World, indexes: readonly number[]): Promise<Map<number, Capacity>> {
  const out = new Map<number, Capacity>();
  for (const i of indexes) out.set(i, await capacityOf(w.f, w.signers[i]!.address));
  return out;
}

/** Accounts whose balance a receipt's token Transfer events changed. */
export function touchedBy(w: World, receipts: ReadonlyArray<ContractTransactionReceipt | null>): Set<string> {
  const token = (w.f.token.target as string).toLowerCase();
  const out = new Set<string>();
  for (const r of receipts) {
    for (const log of r?.logs ?? []) {
      if (log.address.toLowerCase() !== token) continue;
      const parsed = w.f.token.interface.parseLog(log);
      if (parsed?.name !== "Transfer") continue;
      for (const a of [parsed.args[0] as string, parsed.args[1] as string]) out.add(a.toLowerCase());
    }
  }
  return out;
}

/**
 * Invariants 1 and 2 (and the model's credit): the supply is what it was after set-up and equals
 * the sum of the model's balances; every account a Transfer of this step touched (and, with
 * `all`, every account) holds what the model says, and no account outside the holders was touched;
 * the engine holds exactly its credit pool, which covers the unused credit; each bank's line.
 */
export async function checkBooks(w: World, touched: ReadonlySet<string>, all: boolean): Promise<void> {
  const { f, model } = w;
  const supply = await f.token.totalSupply();
  const modelSum = w.holders.reduce((s, h) => s + model.balance(h), 0n);
  if (supply !== w.supply || modelSum !== supply) {
    throw new Broken("supply", `total supply ${supply} (set-up ${w.supply}), sum of balances ${modelSum}`);
  }
  const known = new Set(w.holders.map((h) => h.toLowerCase()));
  for (const t of touched) {
    if (t !== ethers.ZeroAddress && !known.has(t)) throw new Broken("supply", `tokens moved to or from ${t}`);
    if (t === ethers.ZeroAddress) throw new Broken("supply", `tokens minted or burnt`);
  }
  const check = all ? w.holders : [...touched];
  let sum = 0n;
  for (const h of check) {
    const got = await f.token.balanceOf(h);
    sum += got;
    if (got !== model.balance(h))
      throw new Broken("supply", `balance of ${h}: chain ${got}, model ${model.balance(h)}`);
  }
  if (all && sum !== supply) throw new Broken("supply", `Σ balances ${sum} != total supply ${supply}`);
  const [pool, unused] = await f.engine.creditPool();
  const held = await f.token.balanceOf(f.engineAddress);
  if (held !== pool) throw new Broken("pool", `engine holds ${held}, credit pool ${pool}`);
  if (pool < unused) throw new Broken("pool", `pool ${pool} below unused credit ${unused}`);
  if (pool !== model.pool || unused !== model.unusedCredit()) {
    throw new Broken("pool", `pool/unused ${pool}/${unused}, model ${model.pool}/${model.unusedCredit()}`);
  }
}

/** Each bank's credit line, deferral count and bar against the model (after a close, or every few steps). */
export async function checkBanks(w: World, banks: readonly BankState[]): Promise<void> {
  for (const b of banks) {
    const line = await w.f.engine.creditOf(b.address);
    if (line.limit !== b.creditLimit || line.used !== b.creditUsed) {
      throw new Broken(
        "pool",
        `credit of bank ${b.index}: ${line.limit}/${line.used}, model ${b.creditLimit}/${b.creditUsed}`,
      );
    }
    const deferrals = Number(await w.f.engine.deferralsOf(b.address));
    const barred = await w.f.ledger.isBarred(b.address);
    if (deferrals !== b.deferrals || barred !== b.barred) {
      throw new Broken(
        "close = rule",
        `bank ${b.index}: deferrals ${deferrals} barred ${barred}, model ${b.deferrals} ${b.barred}`,
      );
    }
  }
}

/** Invariant 3 on chain: what is pending in the current cycle is exactly the model's live masks. */
export async function checkPending(w: World, batches: readonly BatchState[]): Promise<void> {
  const { f, model } = w;
  for (const x of batches) {
    const err = model.conservationError(x);
    if (err) throw new Broken("obligations conserved", err);
    const got = await f.engine.pendingOf(model.cycle.id, x.id);
    if (got !== x.live) {
      throw new Broken("obligations conserved", `pendingOf(${model.cycle.id}, ${x.id}) = ${got}, model ${x.live}`);
    }
  }
  const count = (await f.engine.cycleOf(model.cycle.id)).pending;
  const expected = model.pending().length;
  if (Number(count) !== expected) {
    throw new Broken(
      "obligations conserved",
      `cycle ${model.cycle.id} has ${count} pending batches, model ${expected}`,
    );
  }
}
