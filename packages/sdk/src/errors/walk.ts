/**
 * Walking an error's `cause` chain, with viem's semantics (viem's `BaseError.walk`): the SDK wraps
 * viem's errors and keeps them as `cause`, so a chain runs from a Clearhouse error through viem's
 * errors down to the transport's or the revert's. Dependency-free.
 */

/**
 * Visit `error`, then its `cause`, then the cause's `cause`… and return the first one `fn` accepts
 * (null if none does); without `fn`, return the last one (the root cause). This is viem's
 * `walk(err, fn)`, with one addition: a chain that loops back on itself ends where it loops
 * instead of recursing forever.
 */
export function walkCauses(error: unknown, fn?: (err: unknown) => boolean): unknown {
  const seen = new Set<unknown>();
  let current = error;
  for (;;) {
    if (fn?.(current)) return current;
    seen.add(current);
    const next =
      current !== null && typeof current === "object" && "cause" in current
        ? (current as { cause?: unknown }).cause
        : undefined;
    if (next === undefined || seen.has(next)) return fn ? null : current;
    current = next;
  }
}

/**
 * The first error in `error`'s cause chain (itself included) that is an instance of `type`, or
 * undefined. Works on anything thrown — a Clearhouse error, a viem error, a plain `Error` — e.g.
 * `findError(e, ContractFunctionRevertedError)?.data` or `findError(e, ContractRevertError)?.revert`.
 */
export function findError<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  return (walkCauses(error, (e) => e instanceof type) as T | null) ?? undefined;
}
