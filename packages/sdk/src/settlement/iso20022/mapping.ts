/**
 * What every message kind's per-transaction mapping shares: the context (file, bank map, currency
 * table), the payment id rule, accounts, amounts in minor units, value dates, and the final
 * `validateRecord` whose refusals are reported at the element they came from. Pure: no chain, no
 * file system.
 */
import type { Address, Hex } from "viem";
import { InvalidArgumentError } from "../../errors/base";
import {
  accountHash,
  NO_ACCOUNT_HASH,
  otherAccountHash,
  UETR_PATTERN,
  validateRecord,
  type PaymentRecord,
} from "../record";
import { createBankMap, type BankMap } from "./agents";
import { currencyTable, parseDecimal, rescale } from "./amounts";
import { IsoPaymentError } from "./reasons";
import { Iso20022Error, XmlReader, type XmlNode } from "./xml";

/** What a per-transaction mapping needs besides the transaction. */
export interface MappingContext {
  file: string;
  reader: XmlReader;
  banks: BankMap;
  /** ISO 4217 code → minor-unit digits. */
  decimals: Readonly<Record<string, number>>;
}

export interface MappingOptions {
  /** Name used in error messages. */
  file?: string;
  /** Financial-institution identifier (BIC, LEI, `<ClrSysCd>:<MmbId>`) → member bank address. */
  banks: Record<string, string> | BankMap;
  /** keccak256(LEI) → member address (the deployment's member table, `bankMapEntriesFromMembers`). */
  leiHashes?: Record<string, string>;
  /** Minor-unit digits per currency, merged over the ISO 4217 table (for codes it lacks). */
  currencyDecimals?: Record<string, number>;
}

const isBankMap = (b: MappingOptions["banks"]): b is BankMap => b.ids instanceof Map;

/** Validate the options once (bank keys, currency table) into a context. */
export function createMappingContext(opts: MappingOptions, defaultFile: string): MappingContext {
  const file = opts.file ?? defaultFile;
  const banks = isBankMap(opts.banks) ? opts.banks : createBankMap(opts.banks, opts.leiHashes);
  return { file, reader: new XmlReader(file), banks, decimals: currencyTable(opts.currencyDecimals) };
}

/** The payment id of a `PmtId`: TxId, else UETR, else EndToEndId unless NOTPROVIDED (decision 026). */
export function paymentIdOf(
  r: XmlReader,
  pmtId: XmlNode,
  path: string,
): { id: string; path: string; endToEndId: string } {
  const endToEndId = r.text(pmtId, path, "EndToEndId");
  const txId = r.text(pmtId, path, "TxId", true);
  const uetr = r.text(pmtId, path, "UETR", true);
  if (uetr !== undefined && !UETR_PATTERN.test(uetr)) {
    r.fail(`${path}/UETR`, `${uetr} is not a UETR (a lower-case UUIDv4)`);
  }
  if (txId !== undefined) return { id: txId, path: `${path}/TxId`, endToEndId };
  if (uetr !== undefined) return { id: uetr, path: `${path}/UETR`, endToEndId };
  if (endToEndId === "NOTPROVIDED") {
    r.fail(path, "has no TxId, no UETR and EndToEndId is NOTPROVIDED: nothing identifies the payment");
  }
  return { id: endToEndId, path: `${path}/EndToEndId`, endToEndId };
}

/** ISO 13616 mod-97 remainder of an IBAN-like string (country, check digits, BBAN). */
export function mod97(iban: string): number {
  let r = 0;
  for (let k = 0, n = iban.length; k < n; k++) {
    const c = iban.charCodeAt((k + 4) % n); // the BBAN first, then country and check digits
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : c >= 97 && c <= 122 ? c - 87 : NaN;
    r = v >= 10 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
  }
  return r;
}

/**
 * The account hash of the optional cash account `name` of `node`: NO_ACCOUNT_HASH when absent, an
 * IBAN (mod-97 checked) and an `Othr/Id` in distinct domains (decision 026).
 */
export function accountOf(r: XmlReader, node: XmlNode, path: string, name: string): [Hex, string] {
  const acct = r.optional(node, path, name);
  if (acct === undefined) return [NO_ACCOUNT_HASH, `${path}/${name}`];
  const idPath = `${path}/${name}/Id`;
  const id = r.node(r.asNode(acct, `${path}/${name}`), `${path}/${name}`, "Id");
  const iban = r.text(id, idPath, "IBAN", true);
  if (iban === undefined) {
    if (id.Othr === undefined) r.fail(idPath, "has neither IBAN nor Othr/Id");
    const other = r.text(r.node(id, idPath, "Othr"), `${idPath}/Othr`, "Id");
    if (!/^\S.{0,33}$/.test(other)) r.fail(`${idPath}/Othr/Id`, "must be 1–34 characters");
    return [otherAccountHash(other), `${idPath}/Othr/Id`];
  }
  const normal = iban.replace(/\s+/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(normal) || mod97(normal) !== 1) {
    r.fail(`${idPath}/IBAN`, `${iban} is not a valid IBAN (format or check digits)`);
  }
  return [accountHash(normal), `${idPath}/IBAN`];
}

/** An `ActiveCurrencyAndAmount` in the currency's minor units (ISO 4217), exactly. */
export function amountOf(
  ctx: MappingContext,
  node: XmlNode,
  path: string,
  name: string,
): { amount: bigint; currency: string; path: string } {
  const r = ctx.reader;
  const amountPath = `${path}/${name}`;
  const amountNode = r.required(node, path, name);
  const text = r.textOf(amountNode, amountPath);
  const currency = r.attr(amountNode, amountPath, "Ccy");
  if (!/^[A-Z]{3}$/.test(currency)) r.fail(`${amountPath}/@Ccy`, `${currency} is not an ISO 4217 code`);
  const digits = ctx.decimals[currency];
  if (digits === undefined) {
    throw new IsoPaymentError(ctx.file, `${amountPath}/@Ccy`, `${currency} has no known minor unit`, "AM03", {
      hint: "Pass currencyDecimals, e.g. { XYZ: 2 }, for a code newer than the ISO 4217 table.",
    });
  }
  const value = parseDecimal(text) ?? r.fail(amountPath, `${text} is not a decimal amount of at most 18 digits`);
  if (value.scale > digits) {
    throw new IsoPaymentError(
      ctx.file,
      amountPath,
      `${text} ${currency} has more decimals than ${currency}'s ${digits}`,
      "AM02",
    );
  }
  return { amount: rescale(value, digits), currency, path: amountPath };
}

/** The transaction's IntrBkSttlmDt, else the group header's (decision 026). */
export function valueDateOf(
  r: XmlReader,
  header: XmlNode,
  headerPath: string,
  tx: XmlNode,
  path: string,
): [string, string] {
  const own = r.text(tx, path, "IntrBkSttlmDt", true);
  if (own !== undefined) return [own, `${path}/IntrBkSttlmDt`];
  const group = r.text(header, headerPath, "IntrBkSttlmDt", true);
  if (group === undefined) r.fail(`${path}/IntrBkSttlmDt`, "missing (neither in the transaction nor in GrpHdr)");
  return [group, `${headerPath}/IntrBkSttlmDt`];
}

/** A record's fields and the element each came from. */
export type SourcedRecord = { [K in keyof PaymentRecord]: [PaymentRecord[K], string] };

/**
 * `validateRecord` of the fields, its refusal reported at the field's element (the intra-bank
 * refusal as AGNT, zero as AM01).
 */
export function toRecord(ctx: MappingContext, fields: SourcedRecord, path: string): PaymentRecord {
  const value = Object.fromEntries(Object.entries(fields).map(([k, [v]]) => [k, v]));
  try {
    return validateRecord(value, path);
  } catch (e) {
    if (!(e instanceof InvalidArgumentError)) throw e;
    const field = e.argument.slice(e.argument.lastIndexOf(".") + 1) as keyof PaymentRecord;
    const element = Object.hasOwn(fields, field) ? fields[field][1] : path;
    const code = field === "creditorBank" ? "AGNT" : field === "amount" && fields.amount[0] === 0n ? "AM01" : undefined;
    if (code) throw new IsoPaymentError(ctx.file, element, e.problem, code, { cause: e });
    throw new Iso20022Error(ctx.file, element, e.problem, { cause: e });
  }
}

/** Address of a mapped agent, with its path. */
export type Agent = [Address, string];
