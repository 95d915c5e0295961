/**
 * Import of ISO 20022 pacs.008 (FI-to-FI customer credit transfer, versions 02–13) into payment
 * records (the hardened XML reading is in ./xml.ts). Every problem is an `Iso20022Error` naming
 * the file and the element.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../../errors/base";
import {
  accountHash,
  NO_ACCOUNT_HASH,
  otherAccountHash,
  UETR_PATTERN,
  validateRecord,
  type PaymentRecord,
} from "../record";
import { Iso20022Error, XmlReader, readXml, type XmlNode } from "./xml";

export { Iso20022Error };

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Minor-unit digits per ISO 4217 code; `currencyDecimals` adds to or overrides these. */
export const DEFAULT_CURRENCY_DECIMALS: Readonly<Record<string, number>> = Object.freeze({
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  CNY: 2,
  HKD: 2,
  SGD: 2,
  CAD: 2,
  AUD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  JPY: 0,
  KRW: 0,
  BHD: 3,
  KWD: 3,
});

export interface ImportPacs008Options {
  /** Name used in error messages (default "pacs.008"). */
  file?: string;
  /** BIC (8 or 11 characters) → member bank address. */
  banks: Record<string, Address>;
  /** Refuse larger input before parsing (default 10 MiB). */
  maxBytes?: number;
  /** Minor-unit digits per currency, merged over DEFAULT_CURRENCY_DECIMALS. */
  currencyDecimals?: Record<string, number>;
}

export interface Pacs008Import {
  messageId: string;
  creationDateTime: string;
  records: PaymentRecord[];
}

const ROOT = "Document/FIToFICstmrCdtTrf";
const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:pacs\.008\.001\.(0[2-9]|1[0-3])$/;
const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const DECIMAL = /^\+?(?=\.?\d)(\d*)(?:\.(\d*))?$/;
const normalizeBic = (bic: string): string => (bic.length === 8 ? `${bic}XXX` : bic);

/** A non-negative decimal as integer units of 10^-scale. */
type Decimal = { units: bigint; scale: number };

function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m || m[1].length + (m[2] ?? "").length > 18) return undefined;
  return { units: BigInt(`${m[1]}${m[2] ?? ""}` || "0"), scale: (m[2] ?? "").length };
}

const rescale = (d: Decimal, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale);
const addDecimal = (a: Decimal, b: Decimal): Decimal => {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
};

/** ISO 13616 mod-97 remainder of an IBAN-like string (country, check digits, BBAN). */
export function mod97(iban: string): number {
  const s = iban.slice(4) + iban.slice(0, 4);
  let r = 0;
  for (const ch of s) {
    const v = parseInt(ch, 36);
    r = v >= 10 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
  }
  return r;
}

/**
 * Import a pacs.008 FI-to-FI customer credit transfer as payment records. Amounts are converted
 * to minor units exactly; more decimals than the currency has, an unknown BIC, a count that
 * differs from NbOfTxs or a record validateRecord refuses is an Iso20022Error. The payment id is
 * TxId, else UETR, else EndToEndId unless NOTPROVIDED; an absent DbtrAcct/CdtrAcct hashes to
 * NO_ACCOUNT_HASH; a transaction's IntrBkSttlmDt overrides GrpHdr's (decision 026,
 * docs/spec/batch-encoding.md).
 */
export function importPacs008(xml: string | Uint8Array, opts: ImportPacs008Options): Pacs008Import {
  const file = opts.file ?? "pacs.008";
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new InvalidArgumentError("maxBytes", "must be a positive integer");
  const decimals: Record<string, number> = { ...DEFAULT_CURRENCY_DECIMALS, ...opts.currencyDecimals };
  for (const [code, d] of Object.entries(decimals)) {
    if (!/^[A-Z]{3}$/.test(code) || !Number.isInteger(d) || d < 0 || d > 5) {
      throw new InvalidArgumentError(`currencyDecimals.${code}`, "must map an ISO 4217 code to 0–5 decimals");
    }
  }
  const banks = new Map<string, Address>();
  for (const [bic, address] of Object.entries(opts.banks)) {
    if (!BIC.test(bic) || !isAddress(address, { strict: false })) {
      throw new InvalidArgumentError(`banks.${bic}`, "must map a BIC to a bank address");
    }
    banks.set(normalizeBic(bic), getAddress(address));
  }

  const { document, namespace } = readXml(xml, { file, maxBytes, arrays: ["CdtTrfTxInf"] });
  const r: XmlReader = new XmlReader(file);
  if (!NAMESPACE.test(namespace)) r.fail("Document", `namespace ${namespace} is not pacs.008.001.02 to .13`);
  const body = r.node(document, "Document", "FIToFICstmrCdtTrf");
  const group = r.node(body, ROOT, "GrpHdr");
  const GRP = `${ROOT}/GrpHdr`;
  const messageId = r.text(group, GRP, "MsgId");
  if (!/^[^\r\n\t]{1,35}$/.test(messageId)) r.fail(`${GRP}/MsgId`, "must be 1–35 characters");
  const creationDateTime = r.text(group, GRP, "CreDtTm");
  if (!DATE_TIME.test(creationDateTime)) r.fail(`${GRP}/CreDtTm`, `${creationDateTime} is not an ISO date-time`);
  const declared = r.text(group, GRP, "NbOfTxs");
  const groupDate = r.text(group, GRP, "IntrBkSttlmDt", true);
  const ctrlSum = r.text(group, GRP, "CtrlSum", true);
  const txs = r.list(body, ROOT, "CdtTrfTxInf");
  if (txs.length === 0) r.fail(`${ROOT}/CdtTrfTxInf`, "missing: the message has no transaction");
  if (!/^\d{1,15}$/.test(declared)) r.fail(`${GRP}/NbOfTxs`, `${declared} is not a number of transactions`);
  if (Number(declared) !== txs.length) {
    r.fail(`${GRP}/NbOfTxs`, `says ${declared} transactions but the message has ${txs.length} CdtTrfTxInf`);
  }

  const agent = (tx: XmlNode, path: string, name: string): [Address, string] => {
    const fin = r.node(r.node(tx, path, name), `${path}/${name}`, "FinInstnId");
    const finPath = `${path}/${name}/FinInstnId`;
    const field = fin.BICFI === undefined && fin.BIC !== undefined ? "BIC" : "BICFI"; // BIC in versions 02–04
    const bic = r.text(fin, finPath, field);
    if (!BIC.test(bic)) r.fail(`${finPath}/${field}`, `${bic} is not a BIC`);
    const address = banks.get(normalizeBic(bic));
    if (!address)
      r.fail(`${finPath}/${field}`, `${bic} is not a known member bank`, "Add it to the BIC → address map (banks).");
    return [address, `${finPath}/${field}`];
  };
  // An absent account is NO_ACCOUNT_HASH; an IBAN and an Othr/Id hash in distinct domains (decision 026).
  const account = (tx: XmlNode, path: string, name: string): [Hex, string] => {
    const acct = r.optional(tx, path, name);
    if (acct === undefined) return [NO_ACCOUNT_HASH, `${path}/${name}`];
    const idPath = `${path}/${name}/Id`;
    const id = r.node(r.asNode(acct, `${path}/${name}`), `${path}/${name}`, "Id");
    const iban = r.text(id, idPath, "IBAN", true);
    if (iban === undefined) {
      if (id.Othr === undefined) r.fail(`${idPath}`, "has neither IBAN nor Othr/Id");
      const other = r.text(r.node(id, idPath, "Othr"), `${idPath}/Othr`, "Id");
      if (!/^\S.{0,33}$/.test(other)) r.fail(`${idPath}/Othr/Id`, "must be 1–34 characters");
      return [otherAccountHash(other), `${idPath}/Othr/Id`];
    }
    const normal = iban.replace(/\s+/g, "").toUpperCase();
    if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(normal) || mod97(normal) !== 1) {
      r.fail(`${idPath}/IBAN`, `${iban} is not a valid IBAN (format or check digits)`);
    }
    return [accountHash(normal), `${idPath}/IBAN`];
  };
  // The payment id: TxId, else UETR, else EndToEndId unless NOTPROVIDED (decision 026).
  const paymentIdOf = (pmtId: XmlNode, path: string, endToEndId: string): [string, string] => {
    const txId = r.text(pmtId, path, "TxId", true);
    if (txId !== undefined) return [txId, `${path}/TxId`];
    const uetr = r.text(pmtId, path, "UETR", true);
    if (uetr !== undefined) {
      if (!UETR_PATTERN.test(uetr)) r.fail(`${path}/UETR`, `${uetr} is not a UETR (a lower-case UUIDv4)`);
      return [uetr, `${path}/UETR`];
    }
    if (endToEndId === "NOTPROVIDED") {
      r.fail(path, "has no TxId, no UETR and EndToEndId is NOTPROVIDED: nothing identifies the payment");
    }
    return [endToEndId, `${path}/EndToEndId`];
  };

  const seen = new Map<string, number>();
  let total: Decimal = { units: 0n, scale: 0 };
  const records = txs.map((tx, i): PaymentRecord => {
    const path = `${ROOT}/CdtTrfTxInf[${i + 1}]`;
    const pmtId = r.node(tx, path, "PmtId");
    const endToEndId = r.text(pmtId, `${path}/PmtId`, "EndToEndId");
    const [paymentId, paymentIdPath] = paymentIdOf(pmtId, `${path}/PmtId`, endToEndId);

    const amountPath = `${path}/IntrBkSttlmAmt`;
    const amountNode = r.required(tx, path, "IntrBkSttlmAmt");
    const amountText = r.textOf(amountNode, amountPath);
    const currency = r.attr(amountNode, amountPath, "Ccy");
    if (!/^[A-Z]{3}$/.test(currency)) r.fail(`${amountPath}/@Ccy`, `${currency} is not an ISO 4217 code`);
    const digits = decimals[currency];
    if (digits === undefined) {
      r.fail(`${amountPath}/@Ccy`, `${currency} has no known minor unit`, "Pass currencyDecimals, e.g. { SEK: 2 }.");
    }
    const value = parseDecimal(amountText);
    if (!value) r.fail(amountPath, `${amountText} is not a decimal amount of at most 18 digits`);
    if (value.scale > digits)
      r.fail(amountPath, `${amountText} ${currency} has more decimals than ${currency}'s ${digits}`);
    total = addDecimal(total, value);

    const txDate = r.text(tx, path, "IntrBkSttlmDt", true);
    const datePath = txDate === undefined ? `${GRP}/IntrBkSttlmDt` : `${path}/IntrBkSttlmDt`;
    const valueDate = txDate ?? groupDate;
    if (valueDate === undefined) r.fail(`${path}/IntrBkSttlmDt`, "missing (neither in the transaction nor in GrpHdr)");
    const [debtorBank, debtorPath] = agent(tx, path, "DbtrAgt");
    const [creditorBank, creditorPath] = agent(tx, path, "CdtrAgt");
    const [debtorAccountHash, debtorAcctPath] = account(tx, path, "DbtrAcct");
    const [creditorAccountHash, creditorAcctPath] = account(tx, path, "CdtrAcct");

    const fields: Record<string, string> = {
      paymentId: paymentIdPath,
      endToEndId: `${path}/PmtId/EndToEndId`,
      amount: amountPath,
      currency: `${amountPath}/@Ccy`,
      valueDate: datePath,
      debtorBank: debtorPath,
      creditorBank: creditorPath,
      debtorAccountHash: debtorAcctPath,
      creditorAccountHash: creditorAcctPath,
    };
    let record: PaymentRecord;
    try {
      record = validateRecord(
        {
          paymentId,
          debtorBank,
          creditorBank,
          amount: rescale(value, digits),
          currency,
          valueDate,
          endToEndId,
          debtorAccountHash,
          creditorAccountHash,
        },
        path,
      );
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      const field = e.argument.slice(e.argument.lastIndexOf(".") + 1);
      throw new Iso20022Error(file, fields[field] ?? path, e.problem, { cause: e });
    }
    const first = seen.get(record.paymentId);
    if (first !== undefined) r.fail(fields.paymentId, `${record.paymentId} repeats CdtTrfTxInf[${first}]`);
    seen.set(record.paymentId, i + 1);
    return record;
  });

  if (ctrlSum !== undefined) {
    const expected = parseDecimal(ctrlSum);
    if (!expected) r.fail(`${GRP}/CtrlSum`, `${ctrlSum} is not a decimal number`);
    const scale = Math.max(expected.scale, total.scale);
    if (rescale(expected, scale) !== rescale(total, scale)) {
      const sum = total.units.toString().padStart(total.scale + 1, "0");
      const shown = total.scale ? `${sum.slice(0, -total.scale)}.${sum.slice(-total.scale)}` : sum;
      r.fail(`${GRP}/CtrlSum`, `is ${ctrlSum} but the amounts add up to ${shown}`);
    }
  }
  return { messageId, creationDateTime, records };
}
