/**
 * The model of the settlement fuzz campaign (test/fuzz/campaigns/settlement.ts), kept in TypeScript
 * independently of the chain: each bank's standing, allowance, credit line, deferral count and bar;
 * each batch's ledger status, acknowledgements and, once it entered a cycle, the creditors whose
 * entries are still live, settled or written off; the cycle and the credit pool; every account's
 * token balance. It predicts every action's outcome (success or the exact custom error) and, with
 * the reference rule (closeByRule, test/contracts/settlement/netting-model.ts), every close.
 */
import type { Batch } from "../contracts/settlement/helpers";
import { SANCTION_CODE, Status } from "../contracts/settlement/helpers";
import { closeByRule, type ModelBatch, type ModelClose } from "../contracts/settlement/netting-model";

/** An expected refusal: the custom error's name and, when given, its arguments. */
export interface Refusal {
  name: string;
  args?: unknown[];
}
/** null: the action must succeed. */
export type Expect = Refusal | null;

export interface BankState {
  address: string;
  /** Ledger index (banks are enrolled in order). */
  index: number;
  /** Block of the suspension, or null when not suspended. */
  suspendedSince: number | null;
  sanctioned: boolean;
  /** The allowance to the engine is 0 (revoked) rather than unlimited. */
  revoked: boolean;
  creditLimit: bigint;
  creditUsed: bigint;
  /** Consecutive closes held short (deferralsOf) and whether the engine barred it. */
  deferrals: number;
  barred: boolean;
}

export interface BatchState {
  id: string;
  debtor: number;
  batch: Batch;
  creditors: number[];
  amounts: bigint[];
  mask: bigint;
  /** The ledger's stored status (Submitted, Disputed, Rejected, Final, Netted). */
  stored: bigint;
  acks: bigint;
  /** Bit i: the entries to creditor i wait in the current cycle (pendingOf). */
  live: bigint;
  /** Creditors whose entries settled, and those governance wrote off. */
  settled: bigint;
  writtenOff: bigint;
}

export interface CycleState {
  id: bigint;
  open: boolean;
}

export const bit = (i: number): bigint => 1n << BigInt(i);

export class SettlementModel {
  readonly banks: BankState[];
  readonly batches: BatchState[] = [];
  readonly balances = new Map<string, bigint>();
  cycle: CycleState = { id: 0n, open: false };
  pool = 0n;
  maxDeferrals: number;
  /** Batches whose cycle state the current step changed (checked against pendingOf after it). */
  touched = new Set<BatchState>();
  /** Time of the block the next transaction will be mined in. */
  now = 0n;

  constructor(addresses: readonly string[], maxDeferrals: number) {
    this.banks = addresses.map((address, index) => ({
      address,
      index,
      suspendedSince: null,
      sanctioned: false,
      revoked: false,
      creditLimit: 0n,
      creditUsed: 0n,
      deferrals: 0,
      barred: false,
    }));
    this.maxDeferrals = maxDeferrals;
  }

  balance(account: string): bigint {
    return this.balances.get(account.toLowerCase()) ?? 0n;
  }
  move(account: string, delta: bigint): void {
    this.balances.set(account.toLowerCase(), this.balance(account) + delta);
  }

  unused(b: BankState): bigint {
    return b.creditLimit > b.creditUsed ? b.creditLimit - b.creditUsed : 0n;
  }
  unusedCredit(): bigint {
    return this.banks.reduce((s, b) => s + this.unused(b), 0n);
  }

  /** The registry's refusal of `requireMember(bank, MEMBER_BANK)` / `requireActive`, or null. */
  registryError(b: BankState): Expect {
    if (b.sanctioned) return { name: "RegistryAccountSanctioned", args: [b.address, BigInt(SANCTION_CODE)] };
    if (b.suspendedSince !== null)
      return { name: "RegistryMemberSuspended", args: [b.address, BigInt(b.suspendedSince)] };
    return null;
  }
  inactive(i: number): boolean {
    const b = this.banks[i]!;
    return b.sanctioned || b.suspendedSince !== null;
  }

  /** The ledger's effective status at the next block. */
  effective(x: BatchState): bigint {
    if (x.stored !== Status.Submitted) return x.stored;
    if (this.now > x.batch.header.closesAt || x.acks === x.mask) return Status.Final;
    return Status.Submitted;
  }

  // ---------------------------------------------------------------- ledger actions

  expectSubmit(debtor: BankState): Expect {
    return this.registryError(debtor) ?? (debtor.barred ? { name: "LedgerBankBarred", args: [debtor.address] } : null);
  }

  /** `_answerable` of the ledger, after the caller's own screening. */
  private answerable(x: BatchState, who: BankState): Expect {
    if ((x.mask & bit(who.index)) === 0n) return { name: "LedgerNotCounterparty", args: [x.id, who.address] };
    if (x.stored !== Status.Submitted) return { name: "LedgerWrongStatus", args: [x.id, this.effective(x)] };
    if (this.now > x.batch.header.closesAt) {
      return { name: "LedgerWindowClosed", args: [x.id, x.batch.header.closesAt] };
    }
    if (x.acks & bit(who.index)) return { name: "LedgerAlreadyAnswered", args: [x.id, who.address] };
    return null;
  }

  expectAcknowledge(x: BatchState, who: BankState): Expect {
    return this.registryError(who) ?? this.answerable(x, who);
  }

  /** A suspended bank may dispute; a sanctioned one may not. */
  expectDispute(x: BatchState, who: BankState): Expect {
    if (who.sanctioned) return { name: "RegistryAccountSanctioned", args: [who.address, BigInt(SANCTION_CODE)] };
    return this.answerable(x, who);
  }

  expectResolve(x: BatchState): Expect {
    return x.stored === Status.Disputed ? null : { name: "LedgerWrongStatus", args: [x.id, x.stored] };
  }

  /** `markNetted`'s refusal of a batch entering a cycle, or null. */
  private nettable(x: BatchState): Expect {
    const status = this.effective(x);
    if (status === Status.Netted) return { name: "LedgerAlreadyNetted", args: [x.id] };
    if (status !== Status.Final) return { name: "LedgerWrongStatus", args: [x.id, status] };
    return null;
  }

  expectDeclare(x: BatchState): Expect {
    const debtor = this.banks[x.debtor]!;
    return (
      this.registryError(debtor) ??
      (this.cycle.open ? null : { name: "NettingNoOpenCycle", args: [this.cycle.id] }) ??
      this.nettable(x)
    );
  }

  /** A batch enters the cycle (declared, or presented fresh at a close). */
  enter(x: BatchState): void {
    x.stored = Status.Netted;
    x.live = x.mask;
    this.touched.add(x);
  }

  /** Batches pending in the current cycle (declared on chain or carried in). */
  pending(): BatchState[] {
    return this.batches.filter((x) => x.live !== 0n);
  }
  /** Final batches never in a cycle, that a close may present fresh. */
  fresh(): BatchState[] {
    return this.batches.filter((x) => x.stored !== Status.Netted && this.effective(x) === Status.Final);
  }

  /** closeCycleWith's refusal of `presented` (pending ones first, in order), or null. */
  expectClose(presented: readonly BatchState[]): Expect {
    if (!this.cycle.open) return { name: "NettingNoOpenCycle", args: [this.cycle.id] };
    let count = 0;
    for (const x of presented) {
      if (x.live !== 0n) {
        count += 1;
        continue;
      }
      const refusal = this.nettable(x);
      if (refusal) return refusal;
    }
    const pending = this.pending().length;
    if (count !== pending) {
      return { name: "NettingPendingNotPresented", args: [this.cycle.id, BigInt(pending), BigInt(count)] };
    }
    return null;
  }

  /** What the reference rule makes of `presented` (live masks: pending ones' own, fresh ones' header masks). */
  rule(presented: readonly BatchState[], capacity: (i: number) => bigint): ModelClose {
    const batches: ModelBatch[] = presented.map((x) => ({
      id: x.id,
      debtor: x.debtor,
      creditors: x.creditors,
      amounts: x.amounts,
      live: x.live !== 0n ? x.live : x.mask,
    }));
    return closeByRule(batches, capacity, (i) => this.inactive(i));
  }

  /** finishClose's refusal under `held` (participants ascending), with positions from `rule` and `capacity`. */
  expectFinish(close: ModelClose, held: ReadonlySet<number>, capacity: (i: number) => bigint): Expect {
    for (const i of close.participants) {
      const b = this.banks[i]!;
      if (this.inactive(i)) {
        if (!held.has(i)) return { name: "NettingMustHold", args: [this.cycle.id, b.address] };
        continue;
      }
      if (held.has(i)) continue;
      const net = close.net.get(i) ?? 0n;
      if (net < 0n && -net > capacity(i)) {
        return { name: "NettingNotCovered", args: [this.cycle.id, b.address, -net, capacity(i)] };
      }
    }
    return null;
  }

  /**
   * Apply a close the rule computed: positions paid (funds first, then credit), entries settled or
   * carried, deferrals counted, cleared and barred. Returns, per bank, what it pays from its funds
   * and draws on credit. `funds(i)` is what the bank can pay in from its balance.
   */
  applyClose(
    presented: readonly BatchState[],
    close: ModelClose,
    funds: (i: number) => bigint,
    engine: string,
  ): { fromBalance: Map<number, bigint>; fromCredit: Map<number, bigint>; settledGross: bigint } {
    const fromBalance = new Map<number, bigint>();
    const fromCredit = new Map<number, bigint>();
    for (const [i, net] of close.net) {
      const b = this.banks[i]!;
      if (net > 0n) this.move(b.address, net);
      if (net >= 0n) continue;
      const fb = -net < funds(i) ? -net : funds(i);
      const fc = -net - fb;
      fromBalance.set(i, fb);
      fromCredit.set(i, fc);
      this.move(b.address, -fb);
      if (fc > 0n) {
        b.creditUsed += fc;
        this.pool -= fc;
        this.move(engine, -fc);
      }
    }
    const carried = new Map(close.carried);
    let settledGross = 0n;
    for (const x of presented) {
      const live = x.live !== 0n ? x.live : x.mask;
      if (x.live === 0n) this.enter(x);
      const keep = carried.get(x.id) ?? 0n;
      const settled = live & ~keep;
      x.creditors.forEach((c, k) => {
        if (settled & bit(c)) settledGross += x.amounts[k]!;
      });
      x.settled |= settled;
      x.live = keep;
      this.touched.add(x);
    }
    for (const i of close.participants) {
      const b = this.banks[i]!;
      if (!close.held.has(i)) {
        if (b.deferrals > 0) [b.deferrals, b.barred] = [0, false];
      } else if (!close.inactive.has(i)) {
        b.deferrals += 1;
        if (b.deferrals >= this.maxDeferrals) b.barred = true;
      }
    }
    return { fromBalance, fromCredit, settledGross };
  }

  // ---------------------------------------------------------------- credit and governance

  expectSetCreditLine(b: BankState, limit: bigint): Expect {
    if (limit > b.creditLimit) {
      const refusal = this.registryError(b);
      if (refusal) return refusal;
    }
    const after = this.unusedCredit() - this.unused(b) + (limit > b.creditUsed ? limit - b.creditUsed : 0n);
    if (this.pool < after) return { name: "NettingCreditUncovered", args: [this.pool, after] };
    return null;
  }

  expectRepay(b: BankState, amount: bigint): Expect {
    const refusal = this.registryError(b);
    if (refusal) return refusal;
    if (amount === 0n) return { name: "NettingZeroAmount", args: [] };
    if (amount > b.creditUsed) return { name: "NettingRepayTooMuch", args: [b.address, amount, b.creditUsed] };
    return null;
  }

  expectWriteOff(x: BatchState | undefined, id: string): Expect {
    if (!this.cycle.open) return { name: "NettingNoOpenCycle", args: [this.cycle.id] };
    if (!x || x.live === 0n) return { name: "NettingNothingPending", args: [this.cycle.id, id] };
    return null;
  }

  /**
   * Obligations conservation of one batch that entered a cycle: every creditor of its header is
   * exactly one of live (carried), settled or written off.
   */
  conservationError(x: BatchState): string | null {
    if (x.stored !== Status.Netted) return null;
    const { live, settled, writtenOff: off } = x;
    if ((live & settled) | (live & off) | (settled & off)) return `batch ${x.id}: an entry is in two states`;
    if ((live | settled | off) !== x.mask) {
      return `batch ${x.id}: live ${live} | settled ${settled} | written off ${off} != mask ${x.mask}`;
    }
    return null;
  }
}
