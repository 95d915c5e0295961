/**
 * Stateful fuzz campaign of ConsortiumMultisig: random sequences of propose / sign (valid, by a
 * non-signer, over another proposal, malformed, high-s) / approve / queue / execute / cancel, signer
 * changes through proposals (add, remove, rotate, threshold: each bumps the epoch), and time warps
 * across the timelocks. After every step the chain is compared with test/fuzz/multisigModel.ts
 * (every outcome, refusals by their exact error, and the signers, threshold, epoch, lane nonces and
 * call counts), and three invariants are checked independently of the model:
 * - no execution without threshold valid signatures (or on-chain approvals) of the current epoch;
 * - no execution before its delay (and notBefore);
 * - each proposal executed at most once.
 * It deploys its own multisig on Hardhat's in-process chain (3 signers of a pool of 8, threshold 2,
 * no minimum delay, sensitive delay 1 day, one target whose poke waits 1 hour).
 */
import { ethers } from "hardhat";
import { CANCEL_TYPES, DAY, HOUR, PROPOSAL_TYPES } from "../../contracts/governance/helpers";
import { InvariantViolation, Rng, Tally, type Campaign, type CampaignOptions, type CampaignResult } from "../campaign";
import type { Draft, Effect, Expected } from "../multisigModel";
import {
  blob,
  deploy,
  GAS,
  independentApprovals,
  LANES,
  MAX_DRAFTS,
  proposalOf,
  send,
  SENSITIVE,
  SLOW_DELAY,
  type Outcome,
  type World,
} from "../multisigWorld";

const NAME = "multisig";
function drawEffect(rng: Rng, w: World): { effect: Effect; target: string; data: string; delay: number } {
  const m = w.model;
  const signersNow = w.pool.filter((s) => m.isSigner(s.address));
  const others = w.pool.filter((s) => !m.isSigner(s.address));
  // Mostly a current signer (to remove or rotate out) or a newcomer (to add or rotate in); sometimes anyone.
  const current = () => rng.pick(rng.chance(0.8) && signersNow.length ? signersNow : w.pool).address;
  const newcomer = () => rng.pick(rng.chance(0.8) && others.length ? others : w.pool).address;
  const threshold = (count: number) => (rng.chance(0.85) ? 1 + rng.int(Math.max(count, 1)) : rng.int(count + 3));
  const roll = rng.int(10);
  let effect: Effect;
  if (roll < 4) effect = { kind: "poke", target: "fast" };
  else if (roll < 6) effect = { kind: "poke", target: "slow" };
  else if (roll < 7 && rng.chance(0.5)) effect = { kind: "refuse" };
  else {
    const k = rng.int(4);
    if (k === 0) effect = { kind: "addSigner", signer: newcomer(), threshold: threshold(m.signers.length + 1) };
    else if (k === 1) effect = { kind: "removeSigner", signer: current(), threshold: threshold(m.signers.length - 1) };
    else if (k === 2) effect = { kind: "rotateSigner", oldSigner: current(), newSigner: newcomer() };
    else effect = { kind: "changeThreshold", threshold: threshold(m.signers.length) };
  }
  const i = w.multisig.interface;
  switch (effect.kind) {
    case "poke": {
      const t = effect.target === "fast" ? w.fast : w.slow;
      return {
        effect,
        target: String(t.target),
        data: t.interface.encodeFunctionData("poke"),
        delay: effect.target === "fast" ? 0 : SLOW_DELAY,
      };
    }
    case "refuse":
      return {
        effect,
        target: String(w.fast.target),
        data: w.fast.interface.encodeFunctionData("refuse", [7]),
        delay: 0,
      };
    case "addSigner":
      return {
        effect,
        target: w.address,
        data: i.encodeFunctionData("addSigner", [effect.signer, effect.threshold]),
        delay: SENSITIVE,
      };
    case "removeSigner":
      return {
        effect,
        target: w.address,
        data: i.encodeFunctionData("removeSigner", [effect.signer, effect.threshold]),
        delay: SENSITIVE,
      };
    case "rotateSigner":
      return {
        effect,
        target: w.address,
        data: i.encodeFunctionData("rotateSigner", [effect.oldSigner, effect.newSigner]),
        delay: SENSITIVE,
      };
    case "changeThreshold":
      return {
        effect,
        target: w.address,
        data: i.encodeFunctionData("changeThreshold", [effect.threshold]),
        delay: SENSITIVE,
      };
  }
}

function propose(rng: Rng, w: World): void {
  const { effect, target, data, delay } = drawEffect(rng, w);
  const lane = rng.pick(LANES);
  const next = w.model.nonceOf(lane);
  const nonce = rng.chance(0.9) ? next : rng.chance(0.5) ? next + 1n : next > 0n ? next - 1n : next + 2n;
  const clock = w.now + w.warp; // the time the next block will have, at least
  const notBefore = rng.chance(0.8) ? 0n : clock + BigInt(rng.int(2 * HOUR));
  const expiry = rng.chance(0.1) ? notBefore : clock + BigInt(rng.chance(0.8) ? 7 * DAY : HOUR + rng.int(2 * DAY));
  const p = { target, value: 0n, data, lane, nonce, notBefore, expiry };
  const hash = ethers.TypedDataEncoder.hash(w.domain, PROPOSAL_TYPES, p);
  w.drafts.push({ ...p, hash, delay, effect, signatures: [] });
  if (w.drafts.length > MAX_DRAFTS) w.drafts.splice(rng.int(w.drafts.length), 1);
}

async function sign(rng: Rng, w: World, d: Draft): Promise<void> {
  // Mostly current signers; sometimes anyone of the pool (a non-signer, or a removed one).
  const signed = new Set(d.signatures.map((x) => x.signer));
  const fresh = w.pool.filter((s) => w.model.isSigner(s.address) && !signed.has(s.address));
  const outsiders = w.pool.filter((s) => !w.model.isSigner(s.address));
  const who =
    rng.chance(0.85) && fresh.length > 0
      ? rng.pick(fresh)
      : rng.chance(0.7) && outsiders.length > 0
        ? rng.pick(outsiders)
        : rng.pick(w.pool);
  const signature = await who.signTypedData(w.domain, PROPOSAL_TYPES, proposalOf(d));
  d.signatures.push({ signer: who.address, signature });
}

/** A blob from the draft's signatures (random subset and order), sometimes with a bad entry. */
function fail(o: CampaignOptions, step: number, invariant: string, detail: string): never {
  throw new InvariantViolation(NAME, o.seed, step, invariant, detail);
}

function sameOutcome(a: Outcome, b: Expected): boolean {
  if (a.ok || b.ok) return a.ok === b.ok;
  return a.error === b.error && (b.inner === undefined || a.inner === b.inner);
}

const show = (x: Outcome | Expected) => (x.ok ? "success" : `${x.error}${x.inner ? `(${x.inner})` : ""}`);

export const campaign: Campaign = {
  name: NAME,
  description: "ConsortiumMultisig: propose/sign/approve/queue/execute/cancel, signer rotation, time warps",
  async run(options: CampaignOptions): Promise<CampaignResult> {
    const rng = new Rng(options.seed);
    const w = await deploy();
    const actions = new Tally();
    const refused = new Tally();
    let checks = 0;
    for (let step = 0; step < options.steps; step++) {
      const roll = rng.next();
      // Mostly a live draft (its lane's next nonce, not expired), so that paths get to succeed.
      const live = w.drafts.filter((d) => d.nonce === w.model.nonceOf(d.lane) && d.expiry > w.now + w.warp);
      const draft =
        live.length > 0 && rng.chance(0.85) ? rng.pick(live) : w.drafts.length > 0 ? rng.pick(w.drafts) : undefined;
      const queuedNow = draft !== undefined && w.model.queued.get(draft.hash)?.epoch === w.model.epoch;
      let kind: string;
      if (!draft || roll < 0.1 || (live.length === 0 && roll < 0.85)) kind = "propose";
      else if (roll < 0.38) kind = "sign";
      else if (roll < 0.44) kind = "approve";
      // The step that moves the draft along its path: queue it if it waits and is not queued, else execute.
      else if (roll < 0.68) {
        const q = w.model.queued.get(draft.hash);
        const backers = new Set([
          ...draft.signatures.map((x) => x.signer.toLowerCase()).filter((a) => w.model.isSigner(a)),
          ...w.model.approvalsOf(draft.hash),
        ]);
        if (!queuedNow && backers.size < w.model.threshold) kind = "sign";
        else if (draft.delay > 0 && !queuedNow) kind = "queue";
        else if (queuedNow && q && q.executableAt > w.now + w.warp && rng.chance(0.6)) {
          kind = "warp"; // wait out the timelock, or stop just short of it
          const toward = q.executableAt - w.now - (rng.chance(0.2) ? 2n : 1n);
          if (toward > w.warp) w.warp = toward; // only forward: the chain's clock never goes back
        } else kind = "execute";
      } else if (roll < 0.73) kind = "queue";
      else if (roll < 0.8) kind = "execute";
      else if (roll < 0.84) kind = "cancel";
      else kind = "warp";
      let expected: Expected | undefined;
      let outcome: Outcome | undefined;
      if (kind === "propose" || !draft) {
        propose(rng, w);
      } else if (kind === "sign") {
        await sign(rng, w, draft);
      } else if (kind === "approve") {
        const unapproved = w.pool.filter(
          (s) => w.model.isSigner(s.address) && !w.model.approvalsOf(draft.hash).has(s.address.toLowerCase()),
        );
        const who = rng.chance(0.85) && unapproved.length > 0 ? rng.pick(unapproved) : rng.pick(w.pool);
        expected = w.model.approve(who.address, draft.hash);
        outcome = (await send(w, () => w.multisig.connect(who).approve(draft.hash, { gasLimit: GAS }))).outcome;
      } else if (kind === "queue") {
        const b = blob(rng, w, draft);
        const before = await independentApprovals(w, draft.hash, b.entries);
        const { at, outcome: o } = await send(w, () =>
          w.multisig.connect(w.relayer).queue(proposalOf(draft), b.bytes, { gasLimit: GAS }),
        );
        expected = w.model.queue(draft, b.entries, at);
        outcome = o;
        if (o.ok) {
          checks++;
          if (before.count < before.threshold)
            fail(
              options,
              step,
              "no queue without threshold",
              `${draft.hash} queued with ${before.count} of ${before.threshold}`,
            );
          const [, executableAt, epoch] = await w.multisig.queuedOf(draft.hash);
          if (executableAt < at + BigInt(draft.delay) || executableAt < draft.notBefore)
            fail(
              options,
              step,
              "no execution before its delay",
              `${draft.hash} executable at ${executableAt}, queued at ${at}`,
            );
          w.queuedSeen.set(draft.hash, { epoch: Number(epoch), executableAt });
        }
      } else if (kind === "execute") {
        const b = blob(rng, w, draft);
        const before = await independentApprovals(w, draft.hash, b.entries);
        const { at, outcome: o } = await send(w, () =>
          w.multisig.connect(w.relayer).execute(proposalOf(draft), b.bytes, { gasLimit: GAS }),
        );
        expected = w.model.execute(draft, b.entries, at);
        outcome = o;
        if (o.ok) {
          checks += 3;
          actions.add(`executed ${draft.effect.kind}`);
          if (w.executed.has(draft.hash)) fail(options, step, "each proposal executed at most once", draft.hash);
          w.executed.add(draft.hash);
          if (at < draft.notBefore)
            fail(options, step, "no execution before its delay", `notBefore ${draft.notBefore}, ran at ${at}`);
          if (draft.delay === 0) {
            if (before.count < before.threshold)
              fail(
                options,
                step,
                "no execution without threshold",
                `${before.count} of ${before.threshold} valid approvals`,
              );
          } else {
            const seen = w.queuedSeen.get(draft.hash);
            if (!seen || seen.epoch !== before.epoch)
              fail(
                options,
                step,
                "no execution without threshold",
                `not queued by the current signer set (epoch ${before.epoch})`,
              );
            if (at < seen.executableAt)
              fail(options, step, "no execution before its delay", `ran at ${at} < ${seen.executableAt}`);
            w.queuedSeen.delete(draft.hash);
          }
        }
      } else if (kind === "cancel") {
        const lane = rng.pick(LANES);
        const next = w.model.nonceOf(lane);
        const nonce = rng.chance(0.85) ? next : next + 1n;
        const hash = ethers.TypedDataEncoder.hash(w.domain, CANCEL_TYPES, { lane, nonce });
        const signers = w.pool.filter((s) => rng.chance(w.model.isSigner(s.address) ? 0.8 : 0.1));
        const signatures = await Promise.all(
          signers.map(async (s) => ({
            signer: s.address,
            signature: await s.signTypedData(w.domain, CANCEL_TYPES, { lane, nonce }),
          })),
        );
        const b = blob(rng, w, { hash, signatures });
        const { outcome: o } = await send(w, () =>
          w.multisig.connect(w.relayer).cancel(lane, nonce, b.bytes, { gasLimit: GAS }),
        );
        expected = w.model.cancel(lane, nonce, hash, b.entries);
        outcome = o;
      } else if (roll >= 0.84) {
        w.warp += BigInt(rng.pick([1, 60, 10 * 60, HOUR - 1, HOUR, HOUR + 1, DAY - 1, DAY, DAY + 1, 2 * DAY, 8 * DAY]));
      }
      actions.add(kind);
      if (expected && outcome) {
        checks++;
        if (!sameOutcome(outcome, expected))
          fail(
            options,
            step,
            "the chain does what the model says",
            `${kind}: model expected ${show(expected)}, chain gave ${show(outcome)}`,
          );
        if (!outcome.ok) refused.add(kind);
      }
      // The chain's state against the model, after every step.
      checks++;
      const [signers, threshold, epoch] = await w.multisig.signers();
      const m = w.model;
      const nonces = await Promise.all(LANES.map((l) => w.multisig.nonceOf(l)));
      const pokes = [await w.fast.pokes(), await w.slow.pokes()];
      const got = JSON.stringify(
        [signers.map((s) => s.toLowerCase()), Number(threshold), Number(epoch), nonces, pokes],
        (_, v) => (typeof v === "bigint" ? v.toString() : v),
      );
      const want = JSON.stringify(
        [m.signers, m.threshold, m.epoch, LANES.map((l) => m.nonceOf(l)), [m.pokes.fast, m.pokes.slow]],
        (_, v) => (typeof v === "bigint" ? v.toString() : v),
      );
      if (got !== want) fail(options, step, "state equals the model", `chain ${got}, model ${want}`);
      if (options.onProgress && step % 50 === 0) options.onProgress(step);
    }
    return {
      campaign: NAME,
      seed: options.seed,
      steps: options.steps,
      checks,
      actions: actions.counts,
      refused: refused.counts,
    };
  },
};
