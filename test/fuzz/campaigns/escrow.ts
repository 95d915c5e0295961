/**
 * Stateful fuzz campaign of ConditionalEscrow: random sequences of create / attest (on chain and
 * signed, some forged or expired) / release / refund / dispute / resolve / cancel consent and revoke /
 * time warps / attestors suspended, sanctioned and reinstated, each sent to a freshly deployed escrow
 * and compared with the reference model of the property tests (test/contracts/payments/model.ts,
 * driven by its Run). After every step:
 *  - the outcome is the one the model predicts: the exact custom error of a refusal, or the exact
 *    state change and token transfers of a success;
 *  - funds only ever leave the escrow to the agreement's payer or one of its payees;
 *  - the escrow's token balance equals Σ (total − released − refunded) over agreements;
 *  - the agreement the step addressed matches the model (statuses, sums, attestations); every open
 *    agreement is compared too, every `FULL_CHECK_EVERY` steps and at the end.
 * Every agreement is driven to Closed or Cancelled: the oldest when more than six are open, and all
 * at the end, after which the escrow must hold nothing.
 * The chain is snapshotted first and restored at the end, so the campaign leaves no trace (no time
 * warp) for whatever runs next in the same process. It needs no mocha (scripts/fuzz.ts runs it).
 */
import hre from "hardhat";
import { AssertionError } from "chai";
import type { Action, CondSpec, MsSpec } from "../../contracts/payments/actions";
import { popcount } from "../../contracts/payments/actions";
import { AS, MS } from "../../contracts/payments/helpers";
import { boundOf } from "../../contracts/payments/model";
import { Run, WINDOW } from "../../contracts/payments/run";
import { propFixture } from "../../contracts/payments/sequence";
import { InvariantViolation, Rng, Tally, type Campaign, type CampaignOptions, type CampaignResult } from "../campaign";

const DAY = 86_400;
/** Open agreements above which the oldest is finished. */
const MAX_OPEN = 6;
/** Invariants checked after every step: outcome as predicted, payees only, balance = Σ locked, model = chain. */
const INVARIANTS_PER_STEP = 4;
/** Steps between comparisons of every open agreement with the model (each step compares the one it touched). */
const FULL_CHECK_EVERY = 25;

const WEIGHTS: [Action["t"] | "finish", number][] = [
  ["create", 2],
  ["attest", 4],
  ["submit", 3],
  ["warp", 2],
  ["warpTo", 2],
  ["release", 3],
  ["refund", 2],
  ["dispute", 1],
  ["resolve", 2],
  ["cancel", 3],
  ["revoke", 1],
  ["standing", 1],
  ["finish", 1],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((s, [, w]) => s + w, 0);

function kindOf(rng: Rng): Action["t"] | "finish" {
  let r = rng.int(TOTAL_WEIGHT);
  for (const [k, w] of WEIGHTS) {
    if (r < w) return k;
    r -= w;
  }
  return "warp";
}

function condition(rng: Rng): CondSpec {
  if (rng.chance(0.4)) {
    return { kind: "time", attestation: 0, mask: 0, threshold: 0, at: rng.chance(0.15) ? -1 : rng.int(101) };
  }
  const mask = 1 + rng.int(7);
  return { kind: "attestation", attestation: rng.int(3), mask, threshold: 1 + rng.int(popcount(mask)), at: 0 };
}

function milestoneSpec(rng: Rng): MsSpec {
  const amount = rng.chance(0.1) ? BigInt(1 + rng.int(3)) : 1n + rng.big(100_000n);
  return {
    payee: rng.int(3),
    amount,
    life: 1 + rng.int(20 * DAY),
    combine: rng.int(2),
    conds: Array.from({ length: 1 + rng.int(3) }, () => condition(rng)),
  };
}

/** A milestone index: usually one of the agreement's (taken modulo its count), now and then 32 (unknown). */
const ms = (rng: Rng): number => (rng.chance(0.03) ? 32 : rng.int(4));

function action(rng: Rng, t: Action["t"]): Action {
  const a = rng.int(8);
  switch (t) {
    case "create":
      return { t, milestones: Array.from({ length: 1 + rng.int(4) }, () => milestoneSpec(rng)) };
    case "attest":
      return { t, a, m: ms(rng), who: rng.int(4), kind: rng.int(3) };
    case "submit": {
      const deadline = rng.chance(0.15) ? -rng.int(3) : rng.int(3 * DAY);
      return {
        t,
        a,
        m: ms(rng),
        kind: rng.int(3),
        signers: rng.int(16),
        deadline,
        forge: rng.chance(0.1) ? rng.int(4) : -1,
      };
    }
    case "warp":
      return { t, seconds: rng.chance(0.5) ? 1 + rng.int(3_600) : 1 + rng.int(12 * DAY) };
    case "warpTo":
      return {
        t,
        a,
        m: ms(rng),
        deadline: rng.chance(0.5),
        offset: rng.int(3) - 1,
        then: rng.chance(0.5) ? "release" : "refund",
      };
    case "release":
    case "refund":
      return { t, a, m: ms(rng) };
    case "dispute":
      return { t, a, m: ms(rng), who: rng.int(3) };
    case "resolve":
      return {
        t,
        a,
        m: ms(rng),
        bps: rng.chance(0.1) ? rng.pick([0, 1, 9_999, 10_000, 10_001]) : rng.int(10_001),
        byArbiter: rng.chance(0.85),
      };
    case "cancel":
      return {
        t,
        a,
        who: rng.int(5),
        expiresIn: rng.chance(0.1) ? rng.pick([0, -1, 30 * DAY + 1, 30 * DAY]) : 1 + rng.int(10 * DAY),
      };
    case "revoke":
      return { t, a, who: rng.int(5) };
    case "standing":
      return { t, who: rng.int(3), how: rng.pick(["suspend", "sanction", "restore", "restore"] as const) };
  }
}

/**
 * Steer an action towards what can succeed, most of the time: a pending milestone of the agreement,
 * a kind it asks for and the attestors bound to it, a disputed milestone to resolve. The rest stays
 * blind, so that refusals are exercised too.
 */
function steer(rng: Rng, r: Run, x: Action): Action {
  if (!("a" in x) || !rng.chance(0.7)) return x;
  // An open agreement of the window `pick` chooses from.
  const n = Math.min(r.agreements.length, WINDOW);
  const window = r.agreements.slice(r.agreements.length - n);
  const open = window.flatMap((ag, i) => (ag.status === AS.Active ? [i] : []));
  if (open.length) x = { ...x, a: rng.pick(open) };
  const ag = r.pick(x.a);
  const index = (pred: (m: (typeof ag.milestones)[number]) => boolean) => {
    const hits = ag.milestones.flatMap((m, i) => (pred(m) ? [i] : []));
    return hits.length ? rng.pick(hits) : undefined;
  };
  if (x.t === "attest" || x.t === "submit") {
    const m = index((m) => m.status === MS.Pending && m.conditions.some((c) => c.kind === "attestation"));
    if (m === undefined) return x;
    const kinds = boundOf(ag.milestones[m]!).flatMap((mask, kind) => (mask ? [{ kind, mask }] : []));
    const { kind, mask } = rng.pick(kinds);
    if (x.t === "attest") return { ...x, m, kind, who: rng.pick([0, 1, 2].filter((i) => (mask >> i) & 1)) };
    return { ...x, m, kind, signers: mask & rng.int(8) || mask };
  }
  if (x.t === "release") {
    const m = index((m) => m.status === MS.Pending);
    return m === undefined ? x : { ...x, m };
  }
  if (x.t === "resolve" || x.t === "dispute") {
    const m = index((m) => m.status === (x.t === "resolve" ? MS.Disputed : MS.Pending));
    return m === undefined ? x : { ...x, m };
  }
  return x;
}

function invariantOf(e: Error): string {
  const m = e.message;
  if (m.includes("funds only")) return "funds only to the payer or the payees";
  if (m.includes("escrow balance")) return "escrow balance = Σ locked";
  if (m.includes("terminal") || m.includes("must be possible")) return "every agreement reaches a terminal state";
  return "every outcome is the one the model predicts";
}

async function run({ seed, steps, onProgress }: CampaignOptions): Promise<CampaignResult> {
  const rng = new Rng(seed);
  const actions = new Tally();
  const refused = new Tally();
  const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
  let step = 0;
  let checks = 0;
  try {
    const f = await propFixture();
    const r = new Run(f, [f.payees[0], f.payees[1], f.keeper]);
    const finishOne = async (ag: (typeof r.agreements)[number]) =>
      r.finish(ag, rng.pick(["release", "refund", "cancel"] as const), rng.int(10_001));
    try {
      for (; step < steps; step++) {
        let kind = r.agreements.length === 0 ? "create" : kindOf(rng);
        const open = r.active();
        if (kind === "finish" && open.length === 0) kind = "create";
        if (kind === "finish" || open.length > MAX_OPEN) {
          await finishOne(open[0]!);
          actions.add("finish");
        } else {
          await r.act(steer(rng, r, action(rng, kind as Action["t"])));
          // Warps and registry changes address no agreement: still, nothing may have left the escrow.
          if (kind === "warp" || kind === "standing") await r.checkBooks(null);
          actions.add(kind);
          if (r.lastRefused) refused.add(kind);
        }
        if (step % FULL_CHECK_EVERY === FULL_CHECK_EVERY - 1) await r.checkBooks();
        checks += INVARIANTS_PER_STEP;
        if (onProgress && step % 100 === 99) onProgress(step + 1);
      }
      // Every agreement reaches a terminal state, and then the escrow holds nothing.
      for (const ag of r.active()) await finishOne(ag);
      await r.checkBooks();
      const held = await f.token.balanceOf(f.escrowAddress);
      const stuck = r.agreements.filter((ag) => ag.status === AS.Active);
      if (stuck.length || held !== 0n)
        throw new AssertionError(`terminal: ${stuck.length} agreements still active, escrow holds ${held}`);
      checks += 2;
    } catch (e) {
      if (e instanceof AssertionError) throw new InvariantViolation("escrow", seed, step, invariantOf(e), e.message);
      throw e;
    }
    return { campaign: "escrow", seed, steps, checks, actions: actions.counts, refused: refused.counts };
  } finally {
    await hre.network.provider.send("evm_revert", [snapshot]);
  }
}

export const campaign: Campaign = {
  name: "escrow",
  description:
    "ConditionalEscrow against its reference model: exact refusals, payouts only to payer or payees, balance = Σ locked, every agreement terminal",
  run,
};
