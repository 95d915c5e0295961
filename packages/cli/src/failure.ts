/**
 * How `clearhouse` reports a failed command: one line (or JSON with the error's name, message,
 * hint, category and exit code), a hint, and the exit code its category gives.
 */
import { ClearhouseError, categoryOf } from "@clearhouse/sdk/errors";
import { exitCodeOf, UsageError } from "./exit";
import type { CliIo, GlobalOptions } from "./options";
import { toJson } from "./output";

/** Print `error` as the user should see it and return the exit code (never throws). */
export function reportFailure(error: unknown, io: CliIo, opts: GlobalOptions): number {
  const code = exitCodeOf(error);
  if (error instanceof UsageError && error.reported) return code;
  if (opts.json) {
    const e = error instanceof ClearhouseError ? error : undefined;
    io.out(
      toJson({
        ok: false,
        error: {
          name: error instanceof Error ? error.name : "Error",
          message: e ? e.shortMessage : String(error instanceof Error ? error.message : error),
          hint: e?.hint,
          category: categoryOf(error),
          exitCode: code,
        },
      }),
    );
  } else if (error instanceof ClearhouseError) {
    io.err(`error: ${error.shortMessage}${error.hint ? `\n  ${error.hint}` : ""}`);
  } else {
    io.err(`error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (opts.verbose && error instanceof Error && error.stack) io.err(error.stack);
  return code;
}
