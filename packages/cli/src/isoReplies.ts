/**
 * How the CLI answers an import's refusals and its original AppHdr: the refused payments listed
 * (the first few in text; all of them in --json and the pacs.002), and replies (pacs.002) with
 * the original's AppHdr when it can be answered, else without, saying so.
 */
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import type { AppHdrSummary, RefusedPayment } from "@clearhouse/sdk/settlement";
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

/** Refused payments listed in text output, at most. */
const LISTED = 10;

/** "#3 AM02 <reason>; …" for the first refused payments, then how many more there are. */
export function refusedSummary(refused: readonly RefusedPayment[]): string {
  const shown = refused.slice(0, LISTED).map((p) => `#${p.index} ${p.reasonCode} ${p.error.shortMessage}`);
  const more = refused.length > LISTED ? `; and ${refused.length - LISTED} more (all in --json and the pacs.002)` : "";
  return `${shown.join("; ")}${more}`;
}
