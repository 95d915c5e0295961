/**
 * `Run`: sends escrow actions (./actions.ts) to ConditionalEscrow one by one, compares each outcome
 * with the reference model (./model.ts) — exact error, exact payouts out of the escrow, payouts only
 * to the agreement's payer or payees — and checks the books after every step. Shared by the
 * property tests (./properties.test.ts) and the stateful fuzz campaign (test/fuzz/campaigns/escrow.ts).
 * It asserts with chai, which throws plain AssertionErrors: it needs no mocha.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse, ErrorDescription } from "ethers";
import * as model from "./model";
import type { Action } from "./actions";
import {
  AS,
  attested,
  EVIDENCE,
  milestone,
  MS,
  notBefore,
  SANCTION_CODE,
  signAttestation,
  standardTerms,
  type Condition,
  type EscrowFixture,
} from "./helpers";

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

/** Actions pick among the most recent agreements: older ones are finished by then. */
export const WINDOW = 8;

export class Run {
  /** Every agreement created, in order (its id is its index + 1). */
  readonly agreements: model.ModelAgreement[] = [];
  /** Net token movement per account caused by the run (creations and payouts). */
  readonly delta = new Map<string, bigint>();
  /** Attestors' registry standing: suspended since a block, or sanctioned. */
  readonly impaired = new Map<string, { suspendedAt?: number; sanctioned?: boolean }>();
  /** Whether the last action was refused (as predicted). */
  lastRefused = false;
  now = 0;
  constructor(
    readonly f: EscrowFixture,
    readonly pool: HardhatEthersSigner[],
  ) {}

  /** The registry's verdict on an account, as `_requireMember` gives it (sanction first). */
  readonly screen: model.Screen = (account) => {
    const s = this.impaired.get(account);
    if (s?.sanctioned) return { ok: false, name: "RegistryAccountSanctioned", args: [account, SANCTION_CODE] };
    if (s?.suspendedAt !== undefined)
      return { ok: false, name: "RegistryMemberSuspended", args: [account, s.suspendedAt] };
    return undefined;
  };

  /** Next block's timestamp: one second on (the prediction uses it). */
  async tick(): Promise<void> {
    this.now = Math.max(this.now, await time.latest()) + 1;
    await time.setNextBlockTimestamp(this.now);
  }

  /** The agreements still checked after every step: not yet terminal, or terminal but not yet verified. */
  private open = new Set<model.ModelAgreement>();

  /** Send, compare with the prediction, apply it, check the books. */
  async step(ag: model.ModelAgreement, p: model.Prediction, tx: () => Promise<ContractTransactionResponse>) {
    const out = await send(this.f, tx);
    this.lastRefused = !out.ok;
    if (!p.ok) {
      expect(out.ok, `expected ${p.name}(${p.args.join(", ")})`).to.equal(false);
      if (out.ok) return;
      expect([out.error.name, ...out.error.args.map(String)]).to.deep.equal([p.name, ...p.args.map(String)]);
    } else {
      if (!out.ok) expect.fail(`expected success, got ${out.error.name}(${out.error.args.join(", ")})`);
      const paid = payoutsOf(this.f, out.receipt);
      expect(paid).to.deep.equal(p.payouts);
      const parties = [ag.payer, ...ag.milestones.map((x) => x.payee)];
      for (const [to, amount] of paid) {
        expect(parties, "funds only to the payer or a payee").to.include(to);
        this.delta.set(to, (this.delta.get(to) ?? 0n) + amount);
      }
      p.apply();
    }
    await this.checkBooks(ag);
  }

  /**
   * The escrow holds exactly Σ (total − released − refunded) over the open agreements, as the model
   * has them (a terminal agreement holds nothing); each open agreement — or only `touched`, the one
   * the last action addressed (an action changes no other) — matches the model; a terminal one is
   * checked once more and then left alone. `null`: the balance only (an action that addressed no agreement).
   */
  async checkBooks(touched?: model.ModelAgreement | null): Promise<void> {
    let outstanding = 0n;
    for (const ag of this.open) outstanding += ag.total - ag.released - ag.refunded;
    const compared = touched === undefined ? [...this.open] : touched && this.open.has(touched) ? [touched] : [];
    for (const ag of compared) {
      const v = await this.f.escrow.agreementOf(ag.id);
      expect([v.status, v.total, v.released, v.refunded]).to.deep.equal([
        ag.status,
        ag.total,
        ag.released,
        ag.refunded,
      ]);
      expect(v.milestones.map((x) => x.status)).to.deep.equal(ag.milestones.map((x) => x.status));
      expect(v.milestones.map((x) => x.attestedBy.map(Number))).to.deep.equal(ag.milestones.map((x) => x.attested));
      if (ag.status !== AS.Active) {
        expect(v.total - v.released - v.refunded, "a terminal agreement holds nothing").to.equal(0n);
        this.open.delete(ag);
      }
    }
    expect(await this.f.token.balanceOf(this.f.escrowAddress), "escrow balance = Σ locked").to.equal(outstanding);
  }

  /** The agreement an action's index designates: one of the `WINDOW` most recent. */
  pick(a: number): model.ModelAgreement {
    const n = Math.min(this.agreements.length, WINDOW);
    return this.agreements[this.agreements.length - n + (a % n)];
  }

  /** Agreements not yet Closed or Cancelled. */
  active(): model.ModelAgreement[] {
    return this.agreements.filter((ag) => ag.status === AS.Active);
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
          : { kind: "attestation", attestation: c.attestation, mask: c.mask, threshold: c.threshold },
      );
      return { s, deadline, conds };
    });
    const onChain = ms.map(({ s, deadline, conds }) =>
      milestone(
        this.pool[s.payee].address,
        s.amount,
        deadline,
        conds.map((c): Condition =>
          c.kind === "time" ? notBefore(c.notBefore) : attested(c.attestation, c.mask, c.threshold),
        ),
        s.combine,
      ),
    );
    const out = await send(f, () =>
      f.escrow.connect(f.payer).createAgreement({ ...standardTerms(f, now), milestones: onChain }),
    );
    if (!out.ok) expect.fail(`create reverted with ${out.error.name}(${out.error.args.join(", ")})`);
    this.lastRefused = false;
    const total = spec.milestones.reduce((s, x) => s + x.amount, 0n);
    this.delta.set(f.payer.address, (this.delta.get(f.payer.address) ?? 0n) - total);
    const ag: model.ModelAgreement = {
      id: BigInt(this.agreements.length + 1),
      payer: f.payer.address,
      arbiter: f.arbiter.address,
      attestors: f.attestors.map((x) => x.address),
      status: AS.Active,
      total,
      released: 0n,
      refunded: 0n,
      consents: new Map(),
      milestones: ms.map(({ s, deadline, conds }) => ({
        payee: this.pool[s.payee].address,
        amount: s.amount,
        deadline,
        combine: s.combine,
        conditions: conds,
        status: MS.Pending,
        attested: [0, 0, 0],
      })),
    };
    this.agreements.push(ag);
    this.open.add(ag);
    await this.checkBooks(ag);
  }

  /** Suspend, sanction or restore attestor `who` (the registry owner acts; no escrow call). */
  async setStanding(who: HardhatEthersSigner, how: "suspend" | "sanction" | "restore"): Promise<void> {
    const { registry } = this.f;
    const s = this.impaired.get(who.address) ?? {};
    await this.tick();
    if (how === "suspend" && s.suspendedAt === undefined) {
      const r = await (await registry.suspendMember(who.address)).wait();
      s.suspendedAt = r!.blockNumber;
    } else if (how === "sanction" && !s.sanctioned) {
      await (await registry.addSanction(who.address, SANCTION_CODE)).wait();
      s.sanctioned = true;
    } else if (how === "restore") {
      if (s.sanctioned) await (await registry.removeSanction(who.address, SANCTION_CODE)).wait();
      if (s.suspendedAt !== undefined) await (await registry.reinstateMember(who.address)).wait();
      s.sanctioned = undefined;
      s.suspendedAt = undefined;
    }
    this.impaired.set(who.address, s);
    this.lastRefused = false;
  }

  async act(x: Action): Promise<void> {
    const { f } = this;
    if (x.t === "create") return this.create(x);
    if (x.t === "warp") {
      this.now = Math.max(this.now, await time.latest()) + x.seconds;
      this.lastRefused = false;
      return time.increaseTo(this.now);
    }
    if (x.t === "standing") return this.setStanding(f.attestors[x.who], x.how);
    const ag = this.pick(x.a);
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
        return this.step(ag, model.attest(ag, x.m, who.address, x.kind, this.screen), () =>
          f.escrow.connect(who).attest(id, x.m, x.kind, EVIDENCE),
        );
      }
      case "submit": {
        const cast = [...f.attestors, f.stranger];
        const signers = cast.filter((_, i) => (x.signers >> i) & 1);
        const deadline = this.now + x.deadline;
        const entries = await Promise.all(
          signers.map(async (s, i) => {
            // A forgery: someone else signs in this signer's name.
            const by = i === x.forge ? cast[(cast.indexOf(s) + 1) % cast.length] : s;
            const msg = { agreement: id, milestone: x.m, kind: x.kind, evidenceHash: EVIDENCE, deadline };
            return { signer: s.address, deadline, signature: await signAttestation(f, by, msg), genuine: by === s };
          }),
        );
        const p = model.submit(ag, x.m, x.kind, entries, this.now, this.screen);
        return this.step(ag, p, () =>
          f.escrow.connect(f.keeper).submitAttestations(
            id,
            x.m,
            x.kind,
            EVIDENCE,
            entries.map(({ genuine: _, ...e }) => e),
          ),
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
        const expiresAt = this.now + x.expiresIn;
        return this.step(ag, model.cancel(ag, who.address, this.now, expiresAt, this.screen), () =>
          f.escrow.connect(who).cancel(id, expiresAt),
        );
      }
      case "revoke": {
        const who = [f.payer, ...this.pool, f.stranger][x.who];
        return this.step(ag, model.revoke(ag, who.address, this.now), () => f.escrow.connect(who).revokeCancel(id));
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
        const until = this.now + 86_400;
        await this.step(ag, model.cancel(ag, who, this.now, until, this.screen), () =>
          f.escrow.connect(signer).cancel(ag.id, until),
        );
      }
      // A cancellation keeps what is due: release the milestones whose condition held.
      if (ag.status === AS.Active) await this.finish(ag, "release", bps);
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
      if (how === "release") await this.attestAll(ag, x, i);
      await this.tick();
      const p = how === "release" ? model.release(ag, i, this.now) : model.refund(ag, i, this.now);
      expect(p.ok, `${how} of ${ag.id}/${i} must be possible`).to.equal(true);
      await this.step(ag, p, () =>
        how === "release" ? f.escrow.connect(f.keeper).release(ag.id, i) : f.escrow.connect(f.keeper).refund(ag.id, i),
      );
    }
  }

  /** Every bound attestor in good standing signs every kind milestone `i` asks for; submitted at once. */
  private async attestAll(ag: model.ModelAgreement, x: model.ModelMilestone, i: number): Promise<void> {
    const { f } = this;
    for (const [kind, bound] of model.boundOf(x).entries()) {
      const signers = f.attestors.filter((s, k) => (bound >> k) & 1 && !this.screen(s.address));
      if (signers.length === 0) continue;
      await this.tick();
      const deadline = this.now + 3_600;
      const msg = { agreement: ag.id, milestone: i, kind, evidenceHash: EVIDENCE, deadline };
      const entries = await Promise.all(
        signers.map(async (s) => ({
          signer: s.address,
          deadline,
          signature: await signAttestation(f, s, msg),
          genuine: true,
        })),
      );
      await this.step(ag, model.submit(ag, i, kind, entries, this.now, this.screen), () =>
        f.escrow.connect(f.keeper).submitAttestations(
          ag.id,
          i,
          kind,
          EVIDENCE,
          entries.map(({ genuine: _, ...e }) => e),
        ),
      );
    }
    // Attestors suspended or sanctioned may leave a condition short: restore them and try again.
    if (
      !model.holds(x, Number.MAX_SAFE_INTEGER) &&
      [...this.impaired.values()].some((s) => s.sanctioned || s.suspendedAt !== undefined)
    ) {
      for (const a of f.attestors) await this.setStanding(a, "restore");
      await this.attestAll(ag, x, i);
    }
  }
}
