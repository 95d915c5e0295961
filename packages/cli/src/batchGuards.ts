/** Guards the batch CLI applies before sending anything, and its shared option parsing. */
import { getAddress, type Address } from "viem";
import type { Clearhouse } from "@clearhouse/sdk";
import {
  readBatchFile,
  readBatchFileHead,
  verifyBatchFileStream,
  type BatchFileCryptoOptions,
} from "@clearhouse/sdk/node";
import {
  batchFileHeadOf,
  verifyBatchFile,
  type BatchFile,
  type BatchFileHead,
  type BatchVerification,
} from "@clearhouse/sdk/settlement";
import { UINT64_MAX } from "@clearhouse/sdk";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { fileCrypto } from "./encryption";

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

/**
 * The file's header must still be what its records produce (an edited file is never anchored).
 * A `clearhouse.batch/2` file whose seal still matches (header and body as `batch build` wrote
 * and verified them) is trusted without recomputing; any other file, or `verify`, is recomputed
 * in full and refused naming the first payment or field that differs.
 */
export function requireIntact(file: BatchFile, path: string, opts: { verify?: boolean } = {}): void {
  if (!opts.verify && file.seal?.ok && file.records.length > 0) return;
  const check = verifyBatchFile(file, file.header);
  if (!check.ok) throw inconsistent(path, check);
}

/** The refusal of a batch file whose records do not produce its header, naming the first difference. */
function inconsistent(path: string, check: BatchVerification): UsageError {
  const first = check.mismatches[0]
    ? `payment ${check.mismatches[0].paymentId}: ${check.mismatches[0].problem}`
    : check.problems[0];
  return new UsageError(`${path} is inconsistent: ${first}.`, "Rebuild the batch file from the original records.");
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
 * A batch file's fields once it is known to be intact: a sealed `clearhouse.batch/2` file by its
 * header line and a SHA-256 of the rest (no record parsed or hashed with keccak); otherwise (a
 * `clearhouse.batch/1` file, a broken seal, or `verify`) the whole file is read and recomputed.
 */
export async function intactBatch(
  path: string,
  opts: { verify?: boolean } & BatchFileCryptoOptions = {},
): Promise<BatchFileHead> {
  const crypto: BatchFileCryptoOptions = opts.encryptionKey ? { encryptionKey: opts.encryptionKey } : {};
  const head = readBatchFileHead(path, crypto);
  if (head && head.records > 0) {
    if (!head.seal.ok || opts.verify) {
      // A clearhouse.batch/2 file is recomputed streaming: any size, no record held.
      const check = await verifyBatchFileStream(path, "file", crypto);
      if (check && !check.ok) throw inconsistent(path, check);
    }
    return batchFileHeadOf(head);
  }
  const file = readBatchFile(path, crypto);
  requireIntact(file, path, { verify: true });
  return file;
}

/**
 * A batch file the signing bank may act on: its own, unedited, in the token's currency — checked
 * before anything is sent (anchoring or declaring anything else would settle the wrong money).
 */
export async function ownBatch(
  path: string,
  g: GlobalOptions,
  io: CliIo,
  opts: { verify?: boolean } = {},
): Promise<{ file: BatchFileHead; ch: Clearhouse }> {
  const file = await intactBatch(path, { ...opts, ...fileCrypto(g, io) });
  const ch = connect(g, io, true);
  requireSubmitter(ch, file.submitter, path);
  requireCurrency(ch, file.currency, path);
  return { file, ch };
}

/** A non-negative integer option that fits uint64. */
export function uint64Option(name: string, value: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) > UINT64_MAX)
    throw new UsageError(`--${name} ${value} is not a valid number.`);
  return BigInt(value);
}

/** The pacs.008 size limit when neither --max-bytes nor CLEARHOUSE_MAX_XML_BYTES is given: 1 GiB. */
export const DEFAULT_MAX_XML_BYTES = 1024 ** 3;

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2 };
Object.assign(UNITS, { g: 1e9, gb: 1e9, gib: 1024 ** 3, t: 1e12, tb: 1e12, tib: 1024 ** 4 });

/**
 * The largest pacs.008 file `batch build` reads: `--max-bytes`, else `CLEARHOUSE_MAX_XML_BYTES`,
 * else 1 GiB. A size is a whole number of bytes, optionally with a unit (KB/MB/GB decimal,
 * KiB/MiB/GiB binary), e.g. 500MiB.
 */
export function maxXmlBytes(flag: string | undefined, env: string | undefined): number {
  const [value, source] = flag !== undefined ? [flag, "--max-bytes"] : [env, "CLEARHOUSE_MAX_XML_BYTES"];
  if (value === undefined || value.trim() === "") return DEFAULT_MAX_XML_BYTES;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(
      `${source} ${value} is not a size.`,
      "Give a number of bytes, optionally with a unit: 50000000, 500MiB, 2GiB.",
    );
  }
  return bytes;
}
