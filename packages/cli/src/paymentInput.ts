import { basename } from "node:path";
/** Payment input files the CLI reads: a BIC → address map, and records from pacs.008 or JSON. */
import { readFileSync } from "node:fs";
import { getAddress, isAddress, type Address } from "viem";
import { importPacs008, validateRecord, type PaymentRecord } from "@clearhouse/sdk/settlement";
import { UsageError } from "./exit";

export function readBanks(path: string): Record<string, Address> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`Cannot read the BIC map ${path}: ${(e as Error).message}`);
  }
  const out: Record<string, Address> = {};
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UsageError(`${path} must be a JSON object mapping BICs to addresses.`);
  }
  for (const [bic, address] of Object.entries(json as Record<string, unknown>)) {
    if (typeof address !== "string" || !isAddress(address))
      throw new UsageError(`${path}: ${bic} maps to a non-address.`);
    out[bic] = getAddress(address);
  }
  return out;
}

/** Payment records from a pacs.008 XML file or a JSON array of records. */
export function readRecords(
  path: string,
  banksPath: string | undefined,
  opts: { maxBytes?: number } = {},
): { records: PaymentRecord[]; source: string; messageId?: string } {
  if (/\.xml$/i.test(path)) {
    if (!banksPath) throw new UsageError("A pacs.008 file needs --banks <bic-map.json> to map BICs to bank addresses.");
    let xml: Buffer;
    try {
      xml = readFileSync(path);
    } catch {
      throw new UsageError(`Cannot read ${path}.`, "Check the path of the pacs.008 file.");
    }
    const { records, messageId } = importPacs008(xml, {
      file: path,
      banks: readBanks(banksPath),
      maxBytes: opts.maxBytes,
    });
    return { records, source: `pacs.008 ${messageId}`, messageId };
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
