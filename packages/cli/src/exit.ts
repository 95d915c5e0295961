/**
 * Exit codes, derived from the error's category (no list of error classes: a new error class
 * gets its exit code from the category it declares). Loaded only when a command fails, so it
 * imports nothing but the SDK's error layer.
 */
import { ClearhouseError, categoryOf, type ErrorCategory } from "@clearhouse/sdk/errors";

/** Exit codes: scripts can tell bad input from a refusal by the chain from a network failure. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  refusedByChain: 3,
  network: 4,
  /** `audit report` found a discrepancy. */
  auditFailed: 5,
} as const;

/** The exit code of each error category (`ErrorCategory` in the SDK says what each means). */
export const exitCodeOfCategory: Readonly<Record<ErrorCategory, number>> = {
  input: ExitCode.badInput,
  refused: ExitCode.refusedByChain,
  network: ExitCode.network,
  internal: ExitCode.unexpected,
};

/**
 * The exit code for an error: a `UsageError`'s own code, else its category's (that of the first
 * Clearhouse error in its cause chain; `unexpected` for anything else).
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return error.exitCode;
  return exitCodeOfCategory[categoryOf(error)];
}

/** A command line that cannot be acted on (missing option, bad value). */
export class UsageError extends ClearhouseError {
  override name = "UsageError";
  constructor(
    message: string,
    hint = "Run the command with --help for its usage and an example.",
    /** The command already printed its result (e.g. a failed verification): print nothing more. */
    readonly reported = false,
    /** The exit code: bad input unless told (`audit report` exits `auditFailed` through it). */
    readonly exitCode: number = ExitCode.badInput,
  ) {
    super(message, { category: "input", hint });
  }
}
