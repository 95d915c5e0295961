/**
 * Payment input files the CLI reads: a bank map (financial-institution identifier → address), and
 * records from an ISO 20022 message (pacs.008, pacs.009, pacs.004) or a JSON array.
 */
import { basename } from "node:path";
import { openIsoFile, openIsoFileThreaded } from "@clearhouse/sdk/node";
import { readFileSync, statSync } from "node:fs";
import { getAddress, isAddress, type Address } from "viem";
import {
  importIsoMessage,
  parseBankKey,
  streamIsoMessage,
  validateRecord,
  type AppHdrSummary,
  type IsoImport,
  type RefusedPayment,
  type PaymentRecord,
} from "@clearhouse/sdk/settlement";
import { UsageError } from "./exit";

/**
 * Read a bank map: a JSON object whose keys are BICs (8 or 11), LEIs or `<ClrSysCd>:<MmbId>`
 * clearing-system member ids, and whose values are member addresses. A bad key or value is a
 * UsageError naming it.
 */
export function readBanks(path: string): Record<string, Address> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`Cannot read the bank map ${path}: ${(e as Error).message}`);
  }
  const out: Record<string, Address> = {};
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UsageError(
      `${path} must be a JSON object mapping bank identifiers (BIC, LEI, <ClrSysCd>:<MmbId>) to addresses.`,
    );
  }
  for (const [key, address] of Object.entries(json as Record<string, unknown>)) {
    const parsed = parseBankKey(key);
    if ("problem" in parsed) throw new UsageError(`${path}: key ${JSON.stringify(key)} ${parsed.problem}.`);
    if (typeof address !== "string" || !isAddress(address))
      throw new UsageError(`${path}: ${key} maps to a non-address.`);
    out[key] = getAddress(address);
  }
  return out;
}

export interface ReadRecordsOptions {
  /** List refused payments instead of refusing the message (ISO input only). */
  skipInvalid?: boolean;
  /** keccak256(LEI) → member, from the deployment's member table. */
  leiHashes?: Record<string, Address>;
  /** Refuse an XML file larger than this (bytes); default DEFAULT_MAX_BYTES of the importer. */
  maxBytes?: number;
}

/** Payment records from an ISO 20022 XML file (pacs.008, pacs.009, pacs.004) or a JSON array of records. */
export function readRecords(
  path: string,
  banksPath: string | undefined,
  opts: ReadRecordsOptions = {},
): { records: PaymentRecord[]; source: string; messageId?: string; imported?: IsoImport } {
  if (/\.xml$/i.test(path)) {
    if (!banksPath && !opts.leiHashes) {
      throw new UsageError(
        "An ISO 20022 file needs --banks <bank-map.json> to map its agents (BIC, LEI, <ClrSysCd>:<MmbId>) to bank addresses.",
      );
    }
    let xml: Buffer;
    try {
      xml = readFileSync(path);
    } catch {
      throw new UsageError(`Cannot read ${path}.`, "Check the path of the ISO 20022 file.");
    }
    const imported = importIsoMessage(xml, {
      file: path,
      banks: banksPath ? readBanks(banksPath) : {},
      ...(opts.leiHashes ? { leiHashes: opts.leiHashes } : {}),
      skipInvalid: opts.skipInvalid,
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
    });
    const { records, messageId, kind } = imported;
    return { records, source: `${kind} ${messageId}`, messageId, imported };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`Cannot read records from ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(json)) throw new UsageError(`${path} must hold a JSON array of payment records.`);
  return { records: json.map((r, i) => validateRecord(r, `${path}[${i}]`)), source: basename(path) };
}

/** What `openRecords` gives: the records as a stream, and what the batch's metadata says of them. */
export interface OpenedRecords {
  records: AsyncIterable<PaymentRecord> | Iterable<PaymentRecord>;
  /** How many there are, when known before reading them (a JSON array), for progress. */
  count?: number;
  source: string;
  /** The batch metadata the input contributes: the ISO MsgId, message name id, envelope and AppHdr fields. */
  metadata: Record<string, unknown>;
  /** ISO input: the message, and (with `skipInvalid`) the payments refused, complete once `records` is read. */
  iso?: { messageId: string; namespace: string; appHdr?: AppHdrSummary; refused: RefusedPayment[] };
  /** Stop reading (ISO input): call when giving up before `records` has been read to its end. */
  close?(): Promise<void>;
}

/** Files from this size are read on a worker thread: below it the thread's start-up is not repaid. */
const THREADED_FROM_BYTES = 8 * 2 ** 20;

/** The file's size, or 0 when it cannot be read (the opener then refuses it with the reason). */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Payment records for `batch build`, streamed: an ISO 20022 file (pacs.008/.009/.004, bare or in
 * an AppHdr envelope, a SWIFTNet Request or an Alliance DataPDU) is read one transaction at a time
 * with bounded memory, so a million-payment file builds without being held whole; a JSON array is
 * read as before. An ISO problem surfaces as an Iso20022Error from the iteration (exit 2).
 */
export async function openRecords(
  path: string,
  banksPath: string | undefined,
  opts: ReadRecordsOptions = {},
): Promise<OpenedRecords> {
  if (!/\.xml$/i.test(path)) {
    if (opts.skipInvalid) throw new UsageError("--skip-invalid applies to ISO 20022 input (.xml) only.");
    const { records, source } = readRecords(path, banksPath, opts);
    return { records, count: records.length, source, metadata: {} };
  }
  if (!banksPath && !opts.leiHashes) {
    throw new UsageError(
      "An ISO 20022 file needs --banks <bank-map.json> to map its agents (BIC, LEI, <ClrSysCd>:<MmbId>) to bank addresses.",
    );
  }
  const banks = banksPath ? readBanks(banksPath) : {};
  // From 8 MiB (~7,000 payments) the XML is read on the second core (openIsoFileThreaded).
  const open = fileSize(path) >= THREADED_FROM_BYTES ? openIsoFileThreaded : openIsoFile;
  const message = await open(path, opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes });
  let imported: ReturnType<typeof streamIsoMessage>;
  try {
    imported = streamIsoMessage(message, {
      file: path,
      banks,
      ...(opts.leiHashes ? { leiHashes: opts.leiHashes } : {}),
      ...(opts.skipInvalid ? { skipInvalid: true } : {}),
    });
  } catch (error) {
    await message.close(); // refused before any transaction: stop reading (and the reader thread)
    throw error;
  }
  const { kind, messageId, envelope, appHdr, namespace } = imported;
  const messageNameId = namespace.slice(namespace.lastIndexOf(":") + 1); // e.g. pacs.008.001.08
  return {
    records: imported.records,
    source: `${kind} ${messageId}`,
    metadata: {
      messageId,
      messageNameId,
      ...(envelope === "bare" ? {} : { envelope }),
      ...(appHdr ? { appHdr } : {}),
    },
    iso: { messageId, namespace, ...(appHdr ? { appHdr } : {}), refused: imported.refused },
    close: () => message.close(),
  };
}
