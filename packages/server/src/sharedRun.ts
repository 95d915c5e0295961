/**
 * One run of an expensive read (the audit), shared by every request that waits for it, kept for
 * `maxAgeMs` once done, and aborted when the last request waiting for it goes away (its client
 * closed the connection): nobody would read its answer, so it must not keep the node and the CPU
 * busy.
 */
import type { ProofVerifier } from "@clearhouse/sdk/audit";

/** Why a shared run stopped: every request waiting for it was abandoned. */
export class RunAbandonedError extends Error {
  override readonly name = "RunAbandonedError";
  constructor() {
    super("Every request waiting for this run went away; it was stopped.");
  }
}

interface Run<T> {
  answer: Promise<T>;
  controller: AbortController;
  waiting: number;
  /** A caller without a signal waits for it: it is never aborted. */
  pinned: boolean;
  /** When it finished (successfully): what `maxAgeMs` counts from. */
  doneAt: number;
  done: boolean;
}

export interface SharedRunOptions {
  /** The clock (ms), for `maxAgeMs`. */
  now?: () => number;
  /**
   * Called once no run's work is going on any more: when the last one settles. An aborted run
   * works on until it notices its signal, possibly beside the next run, so what the work holds
   * that runs share (the prover's threads) is released here, not at the end of each run. What it
   * throws or rejects with is ignored.
   */
  onIdle?: () => unknown;
}

export class SharedRun<T> {
  private run: Run<T> | undefined;
  /** Runs whose work has not settled (the current one, and aborted ones still winding down). */
  private working = 0;
  private readonly now: () => number;
  /** Runs stopped because nobody waited any more. */
  abandoned = 0;

  constructor(
    private readonly work: (signal: AbortSignal) => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly options: SharedRunOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The current run's answer (a new run if there is none, the last failed, or the last finished
   * more than `maxAgeMs` ago). When `signal` aborts, this request stops waiting (rejecting with the
   * signal's reason); if it was the last one waiting, the run is aborted too.
   */
  get(signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    let run = this.run;
    if (!run || (run.done && this.now() - run.doneAt > this.maxAgeMs)) run = this.start();
    if (!signal) run.pinned = true;
    if (run.done || !signal) return run.answer;
    const r = run;
    r.waiting++;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        r.waiting--;
        if (r.waiting === 0 && !r.done && !r.pinned) {
          this.abandoned++;
          if (this.run === r) this.run = undefined;
          r.controller.abort(new RunAbandonedError());
        }
        reject(signal.reason as Error);
      };
      signal.addEventListener("abort", leave, { once: true });
      // A request that left was counted out by `leave`; one still waiting is counted out here.
      const stay = () => {
        if (signal.aborted) return false;
        signal.removeEventListener("abort", leave);
        r.waiting--;
        return true;
      };
      r.answer.then(
        (v) => stay() && resolve(v),
        (e: unknown) => stay() && reject(e as Error),
      );
    });
  }

  private start(): Run<T> {
    const controller = new AbortController();
    this.working++;
    let answer: Promise<T>;
    try {
      answer = this.work(controller.signal);
    } catch (e) {
      answer = Promise.reject(e as Error);
    }
    const run: Run<T> = { answer, controller, waiting: 0, pinned: false, doneAt: 0, done: false };
    this.run = run;
    answer
      .then(
        () => {
          run.done = true;
          run.doneAt = this.now();
        },
        () => {
          run.done = true;
          if (this.run === run) this.run = undefined; // a failed run is not kept: the next request retries
        },
      )
      .finally(() => {
        if (--this.working > 0) return;
        try {
          void Promise.resolve(this.options.onIdle?.()).catch(() => undefined);
        } catch {
          // releasing is best effort: the next run works all the same
        }
      });
    return run;
  }
}

/**
 * `verifier`, stopping (rejecting with the signal's reason) at its next proof once `signal`
 * aborts: the audit's proof phase reads nothing from the node, so without it an abandoned audit
 * would verify every proof before it noticed.
 */
export function abortableVerifier(verifier: ProofVerifier, signal: AbortSignal): ProofVerifier {
  return {
    verificationKeys: verifier.verificationKeys,
    verifyProof: async (circuit, proof, publicSignals) => {
      signal.throwIfAborted();
      return verifier.verifyProof(circuit, proof, publicSignals);
    },
  };
}

/**
 * What the works that verify proofs (the audit, the regulator's reads) share: the prover's worker
 * threads, released once the last of them has settled, never while another one still verifies.
 */
export class ProverUsers {
  private users = 0;

  constructor(private readonly release: () => unknown) {}

  /** Run `work` holding the prover; the last one to settle releases it (best effort: errors ignored). */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.users++;
    try {
      return await work();
    } finally {
      if (--this.users === 0)
        try {
          void Promise.resolve(this.release()).catch(() => undefined);
        } catch {
          // releasing is best effort: the next work starts the threads again
        }
    }
  }
}
