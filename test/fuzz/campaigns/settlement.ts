/**
 * Stateful fuzz campaign of settlement (SettlementLedger + NettingEngine, decision 023): 4–64 banks
 * (the count chosen from the seed) and random sequences of batches submitted, acknowledged,
 * disputed and resolved, time warps, declarations, closes in one transaction (every pending batch
 * and some fresh final ones) or several (beginClose / closeStep / finishClose with the rule's held
 * set, sometimes refused after a bank's allowance or standing changed, then begun again), credit
 * lines, pool funding and repayments, allowances revoked and restored, banks suspended, reinstated,
 * sanctioned and cleared, write-offs by governance. Each outcome (success or the exact custom error)
 * is predicted by the model (test/fuzz/settlementModel.ts). After every step:
 *  1. supply: the token's total supply is the set-up's and equals the sum of all balances; every
 *     account a Transfer of the step touched holds what the model says (every account, every
 *     FULL_CHECK_EVERY steps and at the end), and no token left the known holders;
 *  2. pool: the engine's token balance equals its credit pool, which covers the unused credit;
 *  3. obligations conserved: each batch that entered a cycle has each creditor's entry exactly once
 *     settled, carried (pendingOf in the next cycle, one BatchCarried with exactly the held mask) or
 *     written off; the cycle's pending count and CycleClosed's gross settled agree;
 *  4. close = rule: every close equals closeByRule (held set, capacities and consecutive counts in
 *     BankHeld, NetPosition and where it was paid from, balances moved, escalation bars and clears).
 * The chain is snapshotted first and restored at the end. It needs no mocha.
 */
import hre from "hardhat";
import { InvariantViolation, Rng, Tally, type Campaign, type CampaignOptions, type CampaignResult } from "../campaign";
import { MAX_UINT256, SANCTION_CODE, Status } from "../../contracts/settlement/helpers";
import { capacityOf } from "../../contracts/settlement/netting-model";
import type { BankState, BatchState } from "../settlementModel";
import { closeInOne, closeInSteps } from "../settlementClose";
import {
  Broken,
  buildBatch,
  checkBanks,
  checkBooks,
  checkPending,
  declarationOf,
  send,
  setupWorld,
  touchedBy,
  warp,
  type World,
} from "../settlementWorld";

const NAME = "settlement";
const INVARIANTS_PER_STEP = 4;
const FULL_CHECK_EVERY = 50;
/** Batches the campaign keeps addressing (the newest); older ones only wait in cycles. */
const WINDOW = 24;

const WEIGHTS: [string, number][] = [
  ["submit", 8],
  ["acknowledge", 4],
  ["dispute", 1],
  ["resolve", 1],
  ["warp", 3],
  ["declare", 4],
  ["close", 3],
  ["closeInSteps", 2],
  ["openCycle", 1],
  ["creditLine", 2],
  ["fundPool", 1],
  ["repay", 1],
  ["allowance", 2],
  ["standing", 2],
  ["writeOff", 1],
  ["deferralLimit", 1],
];
const TOTAL = WEIGHTS.reduce((s, [, w]) => s + w, 0);

function kindOf(rng: Rng): string {
  let r = rng.int(TOTAL);
  for (const [k, w] of WEIGHTS) {
    if (r < w) return k;
    r -= w;
  }
  return "warp";
}

const recent = (w: World): BatchState[] => w.model.batches.slice(-WINDOW);
const anyBank = (w: World, rng: Rng): BankState => rng.pick(w.model.banks);
const amount = (rng: Rng): bigint => (rng.chance(0.1) ? 1n + rng.big(10n) : 1n + rng.big(600_000n));

/** One step of kind `kind`; returns whether the contracts refused it. */
async function act(w: World, rng: Rng, kind: string, receipts: unknown[]): Promise<boolean> {
  const { model, f, signers } = w;
  const keep = (r: unknown) => (receipts.push(r), r === null);
  switch (kind) {
    case "submit": {
      const debtor = anyBank(w, rng);
      const n = 1 + rng.int(Math.min(4, model.banks.length - 1));
      const others = model.banks.filter((b) => b !== debtor);
      const payments: [number, bigint][] = Array.from({ length: n }, () => [rng.pick(others).index, amount(rng)]);
      const x = buildBatch(w, debtor.index, payments);
      const expected = model.expectSubmit(debtor);
      const r = await send(
        w,
        "submitBatch",
        () => f.ledger.connect(signers[debtor.index]!).submitBatch(x.batch.key, x.batch.header),
        expected,
      );
      if (r) {
        x.stored = Status.Submitted;
        model.batches.push(x);
      }
      return keep(r);
    }
    case "acknowledge":
    case "dispute": {
      const pool = recent(w).filter((x) => model.effective(x) === Status.Submitted);
      const x = pool.length && rng.chance(0.9) ? rng.pick(pool) : rng.pick(recent(w));
      const who = rng.chance(0.9) ? model.banks[rng.pick(x.creditors)]! : anyBank(w, rng);
      const signer = f.ledger.connect(signers[who.index]!);
      if (kind === "acknowledge") {
        const r = await send(
          w,
          "acknowledge",
          () => signer.acknowledge(x.id, x.batch.header),
          model.expectAcknowledge(x, who),
        );
        if (r) x.acks |= 1n << BigInt(who.index);
        return keep(r);
      }
      const r = await send(w, "dispute", () => signer.dispute(x.id, x.batch.header, 1), model.expectDispute(x, who));
      if (r) x.stored = Status.Disputed;
      return keep(r);
    }
    case "resolve": {
      const disputed = recent(w).filter((x) => x.stored === Status.Disputed);
      const x = disputed.length && rng.chance(0.9) ? rng.pick(disputed) : rng.pick(recent(w));
      const upheld = rng.chance(0.5);
      const r = await send(
        w,
        "resolveDispute",
        () => f.ledger.connect(f.operator).resolveDispute(x.id, upheld),
        model.expectResolve(x),
      );
      if (r) x.stored = upheld ? Status.Rejected : Status.Final;
      return keep(r);
    }
    case "warp": {
      let seconds = BigInt(rng.chance(0.7) ? 60 + rng.int(5_000) : 3_600 + rng.int(30_000));
      // Never land in the last 15 minutes of a UTC day: a close's capacities are read for its own day.
      const at = (model.now + seconds) % 86_400n;
      if (at > 86_400n - 900n) seconds += 1_800n;
      await warp(w, seconds);
      return false;
    }
    case "declare": {
      const finals = model.fresh();
      const x = finals.length && rng.chance(0.85) ? rng.pick(finals) : rng.pick(recent(w));
      const debtor = f.engine.connect(signers[x.debtor]!);
      const d = declarationOf(w, x);
      const cycle = model.cycle.id;
      const r = await send(
        w,
        "declare",
        () => debtor.declare(cycle, d.key, d.header, d.counterparties, d.totals),
        model.expectDeclare(x),
      );
      if (r) model.enter(x);
      return keep(r);
    }
    case "close": {
      const out = await closeInOne(w, rng);
      receipts.push(...out.receipts);
      return out.refused;
    }
    case "closeInSteps": {
      const out = await closeInSteps(w, rng);
      receipts.push(...out.receipts);
      if (out.restarted) w.stats.add("closes begun again");
      return out.refused;
    }
    case "openCycle": {
      const expected = model.cycle.open ? { name: "NettingCycleStillOpen", args: [model.cycle.id] } : null;
      const r = await send(w, "openCycle", () => f.engine.connect(f.operator).openCycle(), expected);
      if (r) model.cycle.open = true;
      return keep(r);
    }
    case "creditLine": {
      const b = anyBank(w, rng);
      const limit = rng.chance(0.2) ? 0n : rng.big(800_000n);
      const expected = model.expectSetCreditLine(b, limit);
      const r = await send(
        w,
        "setCreditLine",
        () => f.engine.connect(f.operator).setCreditLine(b.address, limit),
        expected,
      );
      if (r) b.creditLimit = limit;
      return keep(r);
    }
    case "fundPool": {
      const value = 1n + rng.big(1_500_000n);
      if (model.balance(f.operator.address) < value) return false;
      const r = await send(w, "fundCreditPool", () => f.engine.connect(f.operator).fundCreditPool(value), null);
      model.pool += value;
      model.move(f.operator.address, -value);
      model.move(f.engineAddress, value);
      return keep(r);
    }
    case "repay": {
      const owing = model.banks.filter((b) => b.creditUsed > 0n && model.registryError(b) === null && !b.revoked);
      const b = owing.length && rng.chance(0.9) ? rng.pick(owing) : anyBank(w, rng);
      if (model.registryError(b) === null && b.revoked) return false; // the token would refuse the pull
      const { funds } = await capacityOf(f, b.address);
      let value = rng.chance(0.5) ? b.creditUsed : rng.big(b.creditUsed + 1n);
      if (value > funds) value = funds;
      if (rng.chance(0.05)) value = rng.chance(0.5) ? 0n : b.creditUsed + 1n;
      const r = await send(
        w,
        "repayCredit",
        () => f.engine.connect(signers[b.index]!).repayCredit(value),
        model.expectRepay(b, value),
      );
      if (r) {
        b.creditUsed -= value;
        model.pool += value;
        model.move(b.address, -value);
        model.move(f.engineAddress, value);
      }
      return keep(r);
    }
    case "allowance": {
      const b = anyBank(w, rng);
      const revoke = !b.revoked && rng.chance(0.5);
      const expected = revoke ? null : model.registryError(b);
      const value = revoke ? 0n : MAX_UINT256;
      const r = await send(
        w,
        "approve",
        () => f.token.connect(signers[b.index]!).approve(f.engineAddress, value),
        expected,
      );
      if (r) b.revoked = revoke;
      return keep(r);
    }
    case "standing": {
      // Mostly restore an impaired bank, so that about a fifth of the banks are impaired at a time.
      const impaired = model.banks.filter((x) => x.sanctioned || x.suspendedSince !== null);
      const restore = impaired.length > 0 && rng.chance(0.5);
      const b = restore ? rng.pick(impaired) : anyBank(w, rng);
      const reg = f.registry.connect(f.owner);
      const how = restore
        ? b.sanctioned
          ? "unsanction"
          : "reinstate"
        : rng.pick(["suspend", "reinstate", "sanction", "unsanction"] as const);
      if (how === "suspend") {
        const expected =
          b.suspendedSince === null
            ? null
            : { name: "RegistryMemberSuspended", args: [b.address, BigInt(b.suspendedSince)] };
        const r = await send(w, "suspendMember", () => reg.suspendMember(b.address), expected);
        if (r) b.suspendedSince = r.blockNumber;
        return keep(r);
      }
      if (how === "reinstate") {
        const expected =
          b.suspendedSince !== null ? null : { name: "RegistryMemberNotSuspended", args: [b.address, 1n] };
        const r = await send(w, "reinstateMember", () => reg.reinstateMember(b.address), expected);
        if (r) b.suspendedSince = null;
        return keep(r);
      }
      if (how === "sanction") {
        const expected = b.sanctioned
          ? { name: "RegistryAccountSanctioned", args: [b.address, BigInt(SANCTION_CODE)] }
          : null;
        const r = await send(w, "addSanction", () => reg.addSanction(b.address, SANCTION_CODE), expected);
        if (r) b.sanctioned = true;
        return keep(r);
      }
      const expected = b.sanctioned ? null : { name: "RegistryNotSanctioned", args: [b.address] };
      const r = await send(w, "removeSanction", () => reg.removeSanction(b.address, SANCTION_CODE), expected);
      if (r) b.sanctioned = false;
      return keep(r);
    }
    case "deferralLimit": {
      const limit = rng.chance(0.1) ? 0 : 1 + rng.int(4);
      const expected = limit === 0 ? { name: "NettingInvalidDeferralLimit", args: [0n] } : null;
      const r = await send(
        w,
        "setMaxConsecutiveDeferrals",
        () => f.engine.connect(f.owner).setMaxConsecutiveDeferrals(limit),
        expected,
      );
      if (r) model.maxDeferrals = limit;
      return keep(r);
    }
    case "writeOff": {
      const pending = model.pending();
      const x = pending.length && rng.chance(0.8) ? rng.pick(pending) : rng.pick(recent(w));
      const cycle = model.cycle.id;
      const r = await send(
        w,
        "writeOff",
        () => f.engine.connect(f.owner).writeOff(cycle, x.id),
        model.expectWriteOff(x, x.id),
      );
      if (r) [x.writtenOff, x.live] = [x.writtenOff | x.live, 0n];
      if (r) model.touched.add(x);
      return keep(r);
    }
  }
  throw new Error(`unknown action ${kind}`);
}

async function run({ seed, steps, onProgress }: CampaignOptions): Promise<CampaignResult> {
  const rng = new Rng(seed);
  const actions = new Tally();
  const refused = new Tally();
  const banks = 4 + (seed % 61);
  const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
  let step = 0;
  let checks = 0;
  try {
    const w = await setupWorld(banks, 1 + rng.int(3));
    try {
      for (; step < steps; step++) {
        let kind = kindOf(rng);
        // A closed cycle is mostly opened again at once (the refusals of the other way stay exercised).
        if (!w.model.cycle.open && rng.chance(0.6)) kind = "openCycle";
        if (w.model.batches.length === 0 && !["warp", "creditLine", "fundPool", "allowance", "standing"].includes(kind))
          kind = "submit";
        const receipts: unknown[] = [];
        if (process.env.FUZZ_TRACE) console.log(`  step ${step}: ${kind} (t ${w.model.now})`);
        const no = await act(w, rng, kind, receipts);
        actions.add(kind);
        if (no) refused.add(kind);
        const full = step % FULL_CHECK_EVERY === FULL_CHECK_EVERY - 1 || step === steps - 1;
        const touched = touchedBy(w, receipts as never[]);
        if (kind.startsWith("close")) for (const b of w.model.banks) touched.add(b.address.toLowerCase());
        await checkBooks(w, touched, full);
        if (kind.startsWith("close") || kind === "writeOff" || kind === "declare" || full) {
          await checkPending(w, [...new Set([...w.model.pending(), ...w.model.touched])]);
        }
        if (full) {
          for (const x of w.model.batches) {
            const err = w.model.conservationError(x);
            if (err) throw new Broken("obligations conserved", err);
          }
        }
        w.model.touched.clear();
        if (kind.startsWith("close") || kind === "creditLine" || kind === "repay" || full)
          await checkBanks(w, w.model.banks);
        checks += INVARIANTS_PER_STEP;
        if (onProgress && step % 100 === 99) onProgress(step + 1);
      }
    } catch (e) {
      if (e instanceof Broken)
        throw new InvariantViolation(NAME, seed, step, e.invariant, `${e.message} (${banks} banks)`);
      throw e;
    }
    const counts: Record<string, number> = { ...actions.counts, "(banks)": banks };
    for (const [k, v] of Object.entries(w.stats.counts)) counts[`(${k})`] = v;
    return { campaign: NAME, seed, steps, checks, actions: counts, refused: refused.counts };
  } finally {
    await hre.network.provider.send("evm_revert", [snapshot]);
  }
}

export const campaign: Campaign = {
  name: NAME,
  description:
    "SettlementLedger + NettingEngine against a model and the reference gridlock rule: supply, pool = engine balance, obligations conserved, every close = the rule",
  run,
};
