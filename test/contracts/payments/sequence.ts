/**
 * Random action sequences against ConditionalEscrow for the property tests: the fast-check
 * arbitraries, and `Run`, which sends each action, compares the outcome with the reference model
 * (./model.ts) — exact error, exact payouts out of the escrow — and checks the books after every step.
 */
import { expect } from "chai";
import fc from "fast-check";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse, ErrorDescription } from "ethers";
import { Role } from "../../helpers/fixtures";
import * as model from "./model";
import {
  AS,
  attested,
  DAY,
  deployEscrow,
  EVIDENCE,
  milestone,
  MS,
  notBefore,
  signAttestation,
  standardTerms,
  type Condition,
  type EscrowFixture,
} from "./helpers";

const BIG = 1n << 100n;

/** deployEscrow, the payer holding 2^100 more. */
export async function propFixture(): Promise<EscrowFixture> {
  const f = await deployEscrow();
  await f.registry.setRoles(f.payer.address, Role.CORPORATE | Role.MEMBER_BANK);
  await f.token.connect(f.operator).mint(f.payer.address, BIG);
  await f.registry.setRoles(f.payer.address, Role.CORPORATE);
  return f;
}

/** A transaction's outcome: its receipt, or the custom error it reverted with. */
type Sent = { ok: true; receipt: ContractTransactionReceipt } | { ok: false; error: ErrorDescription };

export async function send(f: EscrowFixture, tx: () => Promise<ContractTransactionResponse>): Promise<Sent> {
  try {
    const receipt = await (await tx()).wait();
    if (!receipt) throw new Error("transaction not mined");
    return { ok: true, receipt };
  } catch (e) {
    const data = typeof e === "object" && e !== null && "data" in e ? (e as { data: unknown }).data : undefined;
    if (typeof data !== "string") throw e;
    const error = f.escrow.interface.parseError(data) ?? f.registry.interface.parseError(data);
    if (!error) throw new Error(`unexpected revert data ${data}`, { cause: e });
    return { ok: false, error };
  }
}

/** Token transfers out of the escrow in a receipt, as [to, amount]. */
function payoutsOf(f: EscrowFixture, receipt: ContractTransactionReceipt): model.Payout[] {
  const out: model.Payout[] = [];
  for (const log of receipt.logs) {
    if (log.address !== f.tokenAddress) continue;
    const ev = f.token.interface.parseLog(log);
    if (ev?.name === "Transfer" && ev.args.from === f.escrowAddress) out.push([ev.args.to, ev.args.value]);
  }
  return out;
}

// ---------------------------------------------------------------- actions

type CondSpec = { kind: "attestation" | "time"; attestation: number; at: number };
type MsSpec = { payee: number; amount: bigint; life: number; combine: number; conds: CondSpec[] };
type Action =
  | { t: "create"; threshold: number; milestones: MsSpec[] }
  | { t: "attest"; a: number; m: number; who: number; kind: number }
  | { t: "warp"; seconds: number }
  | { t: "warpTo"; a: number; m: number; deadline: boolean; offset: number; then: "release" | "refund" }
  | { t: "release"; a: number; m: number }
  | { t: "refund"; a: number; m: number }
  | { t: "dispute"; a: number; m: number; who: number }
  | { t: "resolve"; a: number; m: number; bps: number; byArbiter: boolean }
  | { t: "cancel"; a: number; who: number };

const condArb: fc.Arbitrary<CondSpec> = fc.record({
  kind: fc.constantFrom("attestation" as const, "time" as const),
  attestation: fc.nat({ max: 2 }),
  at: fc.integer({ min: -1, max: 100 }), // percent of the milestone's life; -1: notBefore 0
});
const msArb: fc.Arbitrary<MsSpec> = fc.record({
  payee: fc.nat({ max: 2 }),
  amount: fc.oneof(fc.bigInt({ min: 1n, max: 100_000n }), fc.constantFrom(1n, 2n, 9_999n)),
  life: fc.integer({ min: 1, max: 20 * DAY }),
  combine: fc.nat({ max: 1 }),
  conds: fc.array(condArb, { minLength: 1, maxLength: 3 }),
});
export const createArb = fc.record({
  t: fc.constant("create" as const),
  threshold: fc.integer({ min: 1, max: 3 }),
  milestones: fc.array(msArb, { minLength: 1, maxLength: 4 }),
});
const a = fc.nat({ max: 7 });
/** A milestone: taken modulo the agreement's milestone count, except 32 (always unknown). */
const m = fc.oneof({ arbitrary: fc.nat({ max: 3 }), weight: 12 }, { arbitrary: fc.constant(32), weight: 1 });
export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: createArb, weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant("attest" as const),
      a,
      m,
      who: fc.nat({ max: 3 }),
      kind: fc.nat({ max: 2 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ t: fc.constant("warp" as const), seconds: fc.integer({ min: 1, max: 12 * DAY }) }),
    weight: 2,
  },
  {
    // Release or refund a milestone just before, on or just after its deadline or date.
    arbitrary: fc.record({
      t: fc.constant("warpTo" as const),
      a,
      m,
      deadline: fc.boolean(),
      offset: fc.integer({ min: -1, max: 1 }),
      then: fc.constantFrom("release" as const, "refund" as const),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("release" as const), a, m }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("refund" as const), a, m }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant("dispute" as const), a, m, who: fc.nat({ max: 2 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("resolve" as const),
      a,
      m,
      bps: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 1, 3_333, 9_999, 10_000, 10_001)),
      byArbiter: fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("cancel" as const), a, who: fc.nat({ max: 4 }) }), weight: 2 },
);
/** How each agreement is finished at the end: release everything, refund everything, or cancel. */
export const finishArb = fc.array(fc.constantFrom("release" as const, "refund" as const, "cancel" as const), {
  minLength: 8,
  maxLength: 8,
});

// ---------------------------------------------------------------- the run

export class Run {
  readonly agreements: model.ModelAgreement[] = [];
  readonly delta = new Map<string, bigint>();
  now = 0;
  constructor(
    readonly f: EscrowFixture,
    readonly pool: HardhatEthersSigner[],
  ) {}

  /** Next block's timestamp: one second on (the prediction uses it). */
  async tick(): Promise<void> {
    this.now = Math.max(this.now, await time.latest()) + 1;
    await time.setNextBlockTimestamp(this.now);
  }

  /** Send, compare with the prediction, apply it, check the books. */
  async step(ag: model.ModelAgreement, p: model.Prediction, tx: () => Promise<ContractTransactionResponse>) {
    const out = await send(this.f, tx);
    if (!p.ok) {
      expect(out.ok, `expected ${p.name}`).to.equal(false);
      if (out.ok) return;
      expect([out.error.name, ...out.error.args.map(String)]).to.deep.equal([p.name, ...p.args.map(String)]);
    } else {
      if (!out.ok) expect.fail(`expected success, got ${out.error.name}(${out.error.args.join(", ")})`);
      const paid = payoutsOf(this.f, out.receipt);
      expect(paid).to.deep.equal(p.payouts);
      const parties = [ag.payer, ...ag.milestones.map((x) => x.payee)];
      for (const [to, amount] of paid) {
        expect(parties).to.include(to);
        this.delta.set(to, (this.delta.get(to) ?? 0n) + amount);
      }
      p.apply();
    }
    await this.checkBooks();
  }

  /** The escrow holds Σ (total − released − refunded); each agreement matches the model. */
  async checkBooks(): Promise<void> {
    let outstanding = 0n;
    for (const ag of this.agreements) {
      const v = await this.f.escrow.agreementOf(ag.id);
      outstanding += v.total - v.released - v.refunded;
      expect([v.status, v.total, v.released, v.refunded]).to.deep.equal([
        ag.status,
        ag.total,
        ag.released,
        ag.refunded,
      ]);
      expect(v.milestones.map((x) => x.status)).to.deep.equal(ag.milestones.map((x) => x.status));
      expect(v.milestones.map((x) => x.attestedBy.map(Number))).to.deep.equal(ag.milestones.map((x) => x.attested));
    }
    expect(await this.f.token.balanceOf(this.f.escrowAddress)).to.equal(outstanding);
  }

  async create(spec: Extract<Action, { t: "create" }>): Promise<void> {
    const { f } = this;
    await this.tick();
    const now = this.now;
    const ms = spec.milestones.map((s) => {
      const deadline = now + s.life;
      const conds: model.ModelCondition[] = s.conds.map((c) =>
        c.kind === "time"
          ? { kind: "time", notBefore: c.at < 0 ? 0 : now + Math.floor((s.life * c.at) / 100) }
          : { kind: "attestation", attestation: c.attestation },
      );
      return { s, deadline, conds };
    });
    const onChain = ms.map(({ s, deadline, conds }) =>
      milestone(
        this.pool[s.payee].address,
        s.amount,
        deadline,
        conds.map((c): Condition => (c.kind === "time" ? notBefore(c.notBefore) : attested(c.attestation))),
        s.combine,
      ),
    );
    const out = await send(f, () =>
      f.escrow
        .connect(f.payer)
        .createAgreement({ ...standardTerms(f, now), threshold: spec.threshold, milestones: onChain }),
    );
    if (!out.ok) expect.fail(`create reverted with ${out.error.name}`);
    const total = spec.milestones.reduce((s, x) => s + x.amount, 0n);
    this.delta.set(f.payer.address, (this.delta.get(f.payer.address) ?? 0n) - total);
    this.agreements.push({
      id: BigInt(this.agreements.length + 1),
      payer: f.payer.address,
      arbiter: f.arbiter.address,
      attestors: f.attestors.map((x) => x.address),
      threshold: spec.threshold,
      status: AS.Active,
      total,
      released: 0n,
      refunded: 0n,
      consents: new Set(),
      milestones: ms.map(({ s, deadline, conds }) => ({
        payee: this.pool[s.payee].address,
        amount: s.amount,
        deadline,
        combine: s.combine,
        conditions: conds,
        status: MS.Pending,
        attested: [0, 0, 0],
      })),
    });
    await this.checkBooks();
  }

  async act(x: Action): Promise<void> {
    const { f } = this;
    if (x.t === "create") return this.create(x);
    if (x.t === "warp") {
      this.now = Math.max(this.now, await time.latest()) + x.seconds;
      return time.increaseTo(this.now);
    }
    const ag = this.agreements[x.a % this.agreements.length];
    const id = ag.id;
    if ("m" in x && x.m < 32) x = { ...x, m: x.m % ag.milestones.length };
    if (x.t === "warpTo") {
      const target = ag.milestones[x.m];
      const date = target?.conditions.find((c) => c.kind === "time");
      const at = !target ? 0 : x.deadline ? target.deadline : date?.kind === "time" ? date.notBefore : 0;
      const next = at + x.offset - 1; // the next transaction is one second later
      if (next > Math.max(this.now, await time.latest())) {
        this.now = next;
        await time.increaseTo(next);
      }
      x = { t: x.then, a: x.a, m: x.m };
    }
    await this.tick();
    switch (x.t) {
      case "attest": {
        const who = [...f.attestors, f.stranger][x.who];
        return this.step(ag, model.attest(ag, x.m, who.address, x.kind), () =>
          f.escrow.connect(who).attest(id, x.m, x.kind, EVIDENCE),
        );
      }
      case "release":
        return this.step(ag, model.release(ag, x.m, this.now), () => f.escrow.connect(f.keeper).release(id, x.m));
      case "refund":
        return this.step(ag, model.refund(ag, x.m, this.now), () => f.escrow.connect(f.keeper).refund(id, x.m));
      case "dispute": {
        const payee = ag.milestones[x.m]?.payee ?? f.payees[0].address;
        const who = [f.payer, this.pool.find((p) => p.address === payee) ?? f.payees[0], this.pool[x.m % 3]][x.who];
        return this.step(ag, model.dispute(ag, x.m, who.address), () =>
          f.escrow.connect(who).dispute(id, x.m, EVIDENCE),
        );
      }
      case "resolve": {
        const who = x.byArbiter ? f.arbiter : f.keeper;
        return this.step(ag, model.resolve(ag, x.m, who.address, x.bps), () =>
          f.escrow.connect(who).resolve(id, x.m, x.bps),
        );
      }
      case "cancel": {
        const who = [f.payer, ...this.pool, f.stranger][x.who];
        return this.step(ag, model.cancel(ag, who.address), () => f.escrow.connect(who).cancel(id));
      }
    }
  }

  /** Drive `ag` to Closed or Cancelled the way `how` says (disputes resolved first). */
  async finish(ag: model.ModelAgreement, how: "release" | "refund" | "cancel", bps: number): Promise<void> {
    const { f } = this;
    for (const [i, x] of ag.milestones.entries()) {
      if (x.status !== MS.Disputed || ag.status !== AS.Active) continue;
      await this.tick();
      await this.step(ag, model.resolve(ag, i, f.arbiter.address, bps), () =>
        f.escrow.connect(f.arbiter).resolve(ag.id, i, bps),
      );
    }
    if (ag.status !== AS.Active) return;
    if (how === "cancel") {
      const parties = [ag.payer, ...ag.milestones.filter((x) => x.status === MS.Pending).map((x) => x.payee)];
      for (const who of [...new Set(parties)]) {
        if (ag.status !== AS.Active) break;
        const signer = [f.payer, ...this.pool].find((s) => s.address === who) as HardhatEthersSigner;
        await this.tick();
        await this.step(ag, model.cancel(ag, who), () => f.escrow.connect(signer).cancel(ag.id));
      }
      return;
    }
    const open = ag.milestones.map((x, i) => [x, i] as const).filter(([x]) => x.status === MS.Pending);
    const last = Math.max(
      ...open.map(([x]) =>
        how === "refund"
          ? x.deadline + 1
          : Math.max(0, ...x.conditions.map((c) => (c.kind === "time" ? c.notBefore : 0))),
      ),
    );
    if (last > this.now) {
      this.now = Math.max(last, (await time.latest()) + 1);
      await time.increaseTo(this.now);
    }
    for (const [x, i] of open) {
      if (how === "release") {
        for (const kind of new Set(x.conditions.flatMap((c) => (c.kind === "attestation" ? [c.attestation] : [])))) {
          const msg = { agreement: ag.id, milestone: i, kind, evidenceHash: EVIDENCE };
          const sigs = await Promise.all(f.attestors.map((s) => signAttestation(f, s, msg)));
          await this.tick();
          const out = await send(f, () =>
            f.escrow.connect(f.keeper).submitAttestations(ag.id, i, kind, EVIDENCE, ag.attestors, sigs),
          );
          expect(out.ok).to.equal(true);
          x.attested[kind] = 0b111;
        }
      }
      await this.tick();
      const p = how === "release" ? model.release(ag, i, this.now) : model.refund(ag, i, this.now);
      expect(p.ok, `${how} of ${ag.id}/${i} must be possible`).to.equal(true);
      await this.step(ag, p, () =>
        how === "release" ? f.escrow.connect(f.keeper).release(ag.id, i) : f.escrow.connect(f.keeper).refund(ag.id, i),
      );
    }
  }
}
