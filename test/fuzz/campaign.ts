/**
 * Stateful fuzz campaigns: model-based random action sequences run against the contracts on
 * Hardhat's in-process chain, every invariant checked after every step. `npm run fuzz` runs one
 * campaign long (scripts/fuzz.ts); test/fuzz/campaigns.test.ts runs each one short in `npm test`.
 * A campaign lives in test/fuzz/campaigns/<name>.ts and exports `campaign`.
 */

/** What a campaign run is given. The same seed and step count replay the same run. */
export interface CampaignOptions {
  /** Seed of the run's pseudo-random generator (printed, so a failure can be replayed). */
  readonly seed: number;
  /** Number of actions to take. */
  readonly steps: number;
  /** Called now and then with the number of steps done, for progress output. */
  readonly onProgress?: (done: number) => void;
}

/** What a run did: counts per action kind, how many were refused (as the model predicted), checks made. */
export interface CampaignResult {
  readonly campaign: string;
  readonly seed: number;
  readonly steps: number;
  /** Invariant evaluations made (each after a step counts once per invariant). */
  readonly checks: number;
  /** Actions taken, by kind. */
  readonly actions: Readonly<Record<string, number>>;
  /** Actions the contracts refused, by kind (each refusal matched the model's expected error). */
  readonly refused: Readonly<Record<string, number>>;
}

/** A campaign: throws (naming seed, step and invariant) as soon as an invariant fails. */
export interface Campaign {
  readonly name: string;
  readonly description: string;
  run(options: CampaignOptions): Promise<CampaignResult>;
}

/**
 * A small seeded generator (mulberry32): fast, reproducible across machines, and enough for
 * choosing actions (not for keys).
 */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A bigint in [0, n). */
  big(n: bigint): bigint {
    const hi = BigInt(this.int(2 ** 32));
    const lo = BigInt(this.int(2 ** 32));
    return ((hi << 32n) | lo) % n;
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick: nothing to pick from");
    return items[this.int(items.length)] as T;
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Counts per kind, for CampaignResult. */
export class Tally {
  readonly counts: Record<string, number> = {};
  add(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }
}

/** The error a campaign throws when an invariant fails: it names what to replay. */
export class InvariantViolation extends Error {
  constructor(campaign: string, seed: number, step: number, invariant: string, detail: string) {
    super(
      `${campaign}: invariant "${invariant}" failed at step ${step} (seed ${seed}): ${detail}. ` +
        `Replay with: npm run fuzz -- --campaign ${campaign} --seed ${seed} --steps ${step + 1}`,
    );
    this.name = "InvariantViolation";
  }
}
