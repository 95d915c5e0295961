/**
 * The reference model of ConsortiumMultisig used by test/fuzz/campaigns/multisig.ts, written from
 * the documented rules (IConsortiumMultisig, decision 007), not from the contract's code: signers
 * in slot order, threshold, signer-set epoch, lane nonces, queue entries and on-chain approvals
 * per epoch, and the outcome (success or the exact custom error) of every call.
 */
import { ethers } from "hardhat";

/** A proposal as the model drafts it, with what the campaign needs to judge it. */
export interface Draft {
  target: string;
  value: bigint;
  data: string;
  lane: bigint;
  nonce: bigint;
  notBefore: bigint;
  expiry: bigint;
  hash: string;
  /** The call's delay (fixed by its target and selector in this campaign). */
  delay: number;
  /** What it does, for the model: a poke of a target, a refusal, or a signer-set change. */
  effect: Effect;
  /** Signatures collected off-chain so far: who signed, and the 65 bytes. */
  signatures: { signer: string; signature: string }[];
}

export type Effect =
  | { kind: "poke"; target: "fast" | "slow" }
  | { kind: "refuse" }
  | { kind: "addSigner"; signer: string; threshold: number }
  | { kind: "removeSigner"; signer: string; threshold: number }
  | { kind: "rotateSigner"; oldSigner: string; newSigner: string }
  | { kind: "changeThreshold"; threshold: number };

/** The outcome the model expects: success, or a custom error (for MultisigCallFailed, the inner one too). */
export type Expected = { ok: true } | { ok: false; error: string; inner?: string };

/** One entry of a signature blob, with what the model knows of it. */
export interface Entry {
  bytes: string;
  /** Who recovers from it for the digest it is checked against; undefined = not a valid ECDSA entry. */
  recovers?: string;
}

export const MAX_SIGNERS = 64;
const lower = (a: string) => a.toLowerCase();

export class MultisigModel {
  signers: string[];
  threshold: number;
  epoch = 0;
  readonly nonces = new Map<bigint, bigint>();
  /** proposal hash → queue entry (as the contract keeps it: entries outlive cancels). */
  readonly queued = new Map<string, { queuedAt: bigint; executableAt: bigint; epoch: number }>();
  /** `${epoch}:${hash}` → signers who approved on-chain. */
  readonly approvals = new Map<string, Set<string>>();
  pokes = { fast: 0n, slow: 0n };

  constructor(
    signers: string[],
    threshold: number,
    readonly self: string,
  ) {
    this.signers = signers.map(lower);
    this.threshold = threshold;
  }

  nonceOf(lane: bigint): bigint {
    return this.nonces.get(lane) ?? 0n;
  }

  isSigner(a: string): boolean {
    return this.signers.includes(lower(a));
  }

  approvalsOf(hash: string): Set<string> {
    const key = `${this.epoch}:${hash}`;
    let set = this.approvals.get(key);
    if (!set) this.approvals.set(key, (set = new Set()));
    return set;
  }

  /** approve(hash) by `who`. */
  approve(who: string, hash: string): Expected {
    if (!this.isSigner(who)) return { ok: false, error: "MultisigNotSigner" };
    const set = this.approvalsOf(hash);
    if (set.has(lower(who))) return { ok: false, error: "MultisigAlreadyApproved" };
    set.add(lower(who));
    return { ok: true };
  }

  /** The threshold rule over a blob: entries in order, then on-chain approvals of the current epoch. */
  threshold_(hash: string, entries: Entry[]): Expected {
    const seen = new Set<string>();
    for (const e of entries) {
      if (e.recovers === undefined) return { ok: false, error: "MultisigInvalidSignature" };
      const s = lower(e.recovers);
      if (!this.isSigner(s)) return { ok: false, error: "MultisigNotSigner" };
      if (seen.has(s)) return { ok: false, error: "MultisigDuplicateSigner" };
      seen.add(s);
    }
    let count = seen.size;
    if (count < this.threshold) for (const a of this.approvalsOf(hash)) if (!seen.has(a)) count += 1;
    if (count < this.threshold) return { ok: false, error: "MultisigThresholdNotMet" };
    return { ok: true };
  }

  private live(d: Draft, now: bigint): Expected | undefined {
    if (d.nonce !== this.nonceOf(d.lane)) return { ok: false, error: "MultisigStaleNonce" };
    if (now > d.expiry || d.expiry <= d.notBefore) return { ok: false, error: "MultisigExpired" };
    return undefined;
  }

  /** queue(d, entries) at block time `now`; applies the effect on success. */
  queue(d: Draft, entries: Entry[], now: bigint): Expected {
    const dead = this.live(d, now);
    if (dead) return dead;
    const q = this.queued.get(d.hash);
    if (q && q.epoch === this.epoch) return { ok: false, error: "MultisigAlreadyQueued" };
    if (d.delay === 0) return { ok: false, error: "MultisigNothingToQueue" };
    const t = this.threshold_(d.hash, entries);
    if (!t.ok) return t;
    const readyAt = now + BigInt(d.delay);
    const executableAt = readyAt > d.notBefore ? readyAt : d.notBefore;
    if (executableAt > d.expiry) return { ok: false, error: "MultisigExpired" };
    this.queued.set(d.hash, { queuedAt: now, executableAt, epoch: this.epoch });
    return { ok: true };
  }

  /** execute(d, entries) at block time `now`; applies the effect on success. */
  execute(d: Draft, entries: Entry[], now: bigint): Expected {
    const dead = this.live(d, now);
    if (dead) return dead;
    if (d.delay === 0) {
      if (now < d.notBefore) return { ok: false, error: "MultisigTimelocked" };
      const t = this.threshold_(d.hash, entries);
      if (!t.ok) return t;
    } else {
      const q = this.queued.get(d.hash);
      if (!q) return { ok: false, error: "MultisigNotQueued" };
      if (q.epoch !== this.epoch) return { ok: false, error: "MultisigSignerSetChanged" };
      if (now < q.executableAt) return { ok: false, error: "MultisigTimelocked" };
    }
    const inner = this.innerFailure(d.effect);
    if (inner) return { ok: false, error: "MultisigCallFailed", inner };
    if (d.delay !== 0) this.queued.delete(d.hash);
    this.nonces.set(d.lane, d.nonce + 1n);
    this.apply(d.effect);
    return { ok: true };
  }

  /** cancel(lane, nonce, entries). */
  cancel(lane: bigint, nonce: bigint, hash: string, entries: Entry[]): Expected {
    if (nonce !== this.nonceOf(lane)) return { ok: false, error: "MultisigStaleNonce" };
    const t = this.threshold_(hash, entries);
    if (!t.ok) return t;
    this.nonces.set(lane, nonce + 1n);
    return { ok: true };
  }

  /** Why the proposal's own call would revert now, if it would. */
  private innerFailure(e: Effect): string | undefined {
    const invalidNew = (s: string) => s === ethers.ZeroAddress || lower(s) === lower(this.self) || this.isSigner(s);
    const badThreshold = (t: number, count: number) => t === 0 || t > count;
    switch (e.kind) {
      case "poke":
        return undefined;
      case "refuse":
        return "TargetRefused";
      case "addSigner":
        if (this.signers.length >= MAX_SIGNERS) return "MultisigTooManySigners";
        if (invalidNew(e.signer)) return "MultisigInvalidSigner";
        return badThreshold(e.threshold, this.signers.length + 1) ? "MultisigInvalidThreshold" : undefined;
      case "removeSigner":
        if (!this.isSigner(e.signer)) return "MultisigNotSigner";
        return badThreshold(e.threshold, this.signers.length - 1) ? "MultisigInvalidThreshold" : undefined;
      case "rotateSigner":
        if (!this.isSigner(e.oldSigner)) return "MultisigNotSigner";
        return invalidNew(e.newSigner) ? "MultisigInvalidSigner" : undefined;
      case "changeThreshold":
        return badThreshold(e.threshold, this.signers.length) ? "MultisigInvalidThreshold" : undefined;
    }
  }

  private apply(e: Effect): void {
    switch (e.kind) {
      case "poke":
        this.pokes[e.target] += 1n;
        return;
      case "refuse":
        return;
      case "addSigner":
        this.signers.push(lower(e.signer));
        this.epoch += 1;
        this.threshold = e.threshold;
        return;
      case "removeSigner": {
        const i = this.signers.indexOf(lower(e.signer));
        const last = this.signers.pop()!;
        if (i < this.signers.length) this.signers[i] = last;
        this.epoch += 1;
        this.threshold = e.threshold;
        return;
      }
      case "rotateSigner":
        this.signers[this.signers.indexOf(lower(e.oldSigner))] = lower(e.newSigner);
        this.epoch += 1;
        return;
      case "changeThreshold":
        this.epoch += 1;
        this.threshold = e.threshold;
        return;
    }
  }
}
