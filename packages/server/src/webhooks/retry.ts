/**
 * The retry policy of webhook deliveries: exponential backoff with full jitter, then the dead-letter
 * queue after a maximum number of attempts or a maximum age, whichever comes first.
 */
import type { AttemptOutcome } from "../store/types";

/**
 * The wait before the next attempt after the `failures`-th failed one (1, 2, …): full jitter,
 * `floor(random() · min(capMs, baseMs · 2^(failures − 1)))` with random() uniform in [0, 1).
 */
export function retryDelay(
  failures: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1)));
}

export interface RetryPolicy {
  retryBaseMs: number;
  maxRetryMs: number;
}

/**
 * What a failed attempt leads to: dead once `maxAttempts` attempts have failed or the delivery has
 * been pending `maxAgeMs` (since it was enqueued or replayed); otherwise another attempt after
 * `retryDelay`, or after the receiver's `Retry-After` if that is longer (capped at `maxRetryMs`).
 * Every delivery gets at least one attempt.
 */
export function afterFailure(
  delivery: { attempts: number; pendingSince: number },
  limits: { maxAttempts: number; maxAgeMs: number },
  policy: RetryPolicy,
  error: string,
  now: number,
  random: () => number = Math.random,
  retryAfterMs = 0,
): AttemptOutcome {
  const failures = delivery.attempts + 1;
  if (failures >= limits.maxAttempts)
    return { kind: "dead", at: now, error: `${error} (attempt ${failures} of ${limits.maxAttempts})` };
  if (now - delivery.pendingSince >= limits.maxAgeMs)
    return {
      kind: "dead",
      at: now,
      error: `${error} (pending ${now - delivery.pendingSince} ms, limit ${limits.maxAgeMs} ms)`,
    };
  return {
    kind: "retry",
    at: now,
    error,
    nextAttemptAt:
      now +
      Math.max(
        retryDelay(failures, policy.retryBaseMs, policy.maxRetryMs, random),
        Math.min(retryAfterMs, policy.maxRetryMs),
      ),
  };
}
