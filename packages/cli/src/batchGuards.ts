/** Guards the batch CLI applies before sending anything, and its shared option parsing. */
import { getAddress, type Address } from "viem";
import type { Clearhouse } from "@clearhouse/sdk";
import { readBatchFile } from "@clearhouse/sdk/node";
import { verifyBatchFile, type BatchFile } from "@clearhouse/sdk/settlement";
import { UINT64_MAX } from "@clearhouse/sdk";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";

/** The signing key must be the batch's submitter: otherwise it would anchor another bank's batch. */
function requireSubmitter(ch: Clearhouse, submitter: Address, path: string): void {
  const signer = ch.context.walletClient?.account.address;
  if (!signer || getAddress(signer) !== getAddress(submitter)) {
    throw new UsageError(
      `${path} belongs to ${submitter}, but the key signs as ${signer}.`,
      "Use the submitting bank's key.",
    );
  }
}

/** The file's header must still be what its records produce (an edited file is never anchored). */
export function requireIntact(file: BatchFile, path: string): void {
  const check = verifyBatchFile(file, file.header);
  if (!check.ok) {
    const first = check.mismatches[0]
      ? `payment ${check.mismatches[0].paymentId}: ${check.mismatches[0].problem}`
      : check.problems[0];
    throw new UsageError(`${path} is inconsistent: ${first}.`, "Rebuild the batch file from the original records.");
  }
}

/** The batch's currency must be the settlement token's (amounts settle 1:1 in minor units). */
function requireCurrency(ch: Clearhouse, currency: string, path: string): void {
  const { currency: tokenCurrency, decimals } = ch.deployment.token;
  const expected = tokenCurrency ?? "EUR";
  if (currency !== expected) {
    throw new UsageError(
      `${path} is in ${currency}, but the settlement token is ${expected} (${decimals} decimals).`,
      "Settle each currency on its own token deployment.",
    );
  }
}

/**
 * A batch file the signing bank may act on: its own, unedited, in the token's currency — checked
 * before anything is sent (anchoring or declaring anything else would settle the wrong money).
 */
export function ownBatch(path: string, g: GlobalOptions, io: CliIo): { file: BatchFile; ch: Clearhouse } {
  const file = readBatchFile(path);
  const ch = connect(g, io, true);
  requireSubmitter(ch, file.submitter, path);
  requireIntact(file, path);
  requireCurrency(ch, file.currency, path);
  return { file, ch };
}

/** A non-negative integer option that fits uint64. */
export function uint64Option(name: string, value: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) > UINT64_MAX)
    throw new UsageError(`--${name} ${value} is not a valid number.`);
  return BigInt(value);
}
