/** Replies (pacs.002) with the original's AppHdr when it can be answered, else without, saying so. */
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import type { AppHdrSummary } from "@clearhouse/sdk/settlement";
import type { CliIo } from "./options";

/**
 * `build` with `{ appHdr }` when the original had an AppHdr; if the reply AppHdr cannot be written
 * (the original names a party by an identifier the reply cannot answer, or lacks a field), `build`
 * again without it and warn on stderr: a bare pacs.002 beats none.
 */
export function withAppHdrIfPossible(
  appHdr: AppHdrSummary | undefined,
  io: CliIo,
  build: (extra: { appHdr?: AppHdrSummary }) => string,
): string {
  if (!appHdr) return build({});
  try {
    return build({ appHdr });
  } catch (error) {
    if (!(error instanceof InvalidArgumentError) || !error.argument.startsWith("appHdr.")) throw error;
    io.err(`warning: no reply AppHdr (${error.argument} ${error.problem}): the pacs.002 is a bare Document`);
    return build({});
  }
}
