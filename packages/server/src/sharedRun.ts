/**
 * One run of an expensive read (the audit), shared by every request that waits for it, kept for
 * `maxAgeMs` once done, and aborted when the last request waiting for it goes away (its client
 * closed the connection): nobody would read its answer, so it must not keep the node and the CPU
 * busy.
 */

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
  startedAt: number;
  done: boolean;
}

export class SharedRun<T> {
  private run: Run<T> | undefined;
  /** Runs stopped because nobody waited any more. */
  abandoned = 0;

  constructor(
    private readonly work: (signal: AbortSignal) => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The current run's answer (a new run if there is none, the last failed, or the last is older
   * than `maxAgeMs`). When `signal` aborts, this request stops waiting (rejecting with the
   * signal's reason); if it was the last one waiting, the run is aborted too.
   */
  get(signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    let run = this.run;
    if (!run || (run.done && this.now() - run.startedAt > this.maxAgeMs)) run = this.start();
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
      r.answer.then(
        (v) => {
          signal.removeEventListener("abort", leave);
          r.waiting--;
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener("abort", leave);
          r.waiting--;
          reject(e as Error);
        },
      );
    });
  }

  private start(): Run<T> {
    const controller = new AbortController();
    const answer = this.work(controller.signal);
    const run: Run<T> = { answer, controller, waiting: 0, pinned: false, startedAt: this.now(), done: false };
    this.run = run;
    answer.then(
      () => (run.done = true),
      () => {
        run.done = true;
        if (this.run === run) this.run = undefined; // a failed run is not kept: the next request retries
      },
    );
    return run;
  }
}
