/**
 * Deterministic pacs.008.001.08 generator for demos and load tests: the same options give the same
 * file, byte for byte (amounts, IBANs with valid check digits, references from a seeded PRNG).
 *
 *   npx ts-node scripts/iso/generate-pacs008.ts --debtor ALPNCHZZXXX --count 2500 --out /tmp/x.xml
 */
import { writeFileSync } from "node:fs";
import { Command, InvalidArgumentError as CommanderArgumentError } from "commander";
import { DEFAULT_CURRENCY_DECIMALS, escapeXml } from "../../packages/sdk/src/settlement/iso20022";
import { mod97 } from "../../packages/sdk/src/settlement/iso20022/pacs008";

/** The four demo banks (samples/iso20022/banks.json). */
export const SAMPLE_BICS = ["ALPNCHZZXXX", "BALTLV22XXX", "CELTIE2DXXX", "DANUATWWXXX"] as const;

export interface GeneratePacs008Params {
  debtorBic: string;
  creditorBics: readonly string[];
  /** Number of transactions in the file. */
  count: number;
  /** PRNG seed (unsigned 32-bit integer). */
  seed: number;
  /** IntrBkSttlmDt, YYYY-MM-DD. */
  valueDate: string;
  /** Default EUR. */
  currency?: string;
  /** Largest amount in major units (default 100,000); amounts spread evenly over the decades up to it. */
  maxAmount?: number;
  /** Default derived from the debtor, value date and seed. */
  messageId?: string;
  /** Default `${valueDate}T07:00:00Z`. */
  creationDateTime?: string;
}

/** mulberry32: small, fast, good enough for test data, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** BBAN shape per country: bank code from the BIC's first four letters or not, then digits. */
const BBAN: Record<string, [letters: boolean, digits: number]> = {
  AT: [false, 16],
  BE: [false, 12],
  CH: [false, 17],
  DE: [false, 18],
  GB: [true, 14],
  IE: [true, 14],
  LV: [true, 13],
  NL: [true, 10],
};

function iban(bic: string, random: () => number): string {
  const country = bic.slice(4, 6);
  const [letters, digits] = BBAN[country] ?? [false, 18];
  let bban = letters ? bic.slice(0, 4) : "";
  for (let i = 0; i < digits; i++) bban += Math.floor(random() * 10).toString();
  const check = 98 - mod97(`${country}00${bban}`);
  return `${country}${check.toString().padStart(2, "0")}${bban}`;
}

const NAMES = ["Alpenglow Trading", "Nordlicht Logistik", "Harbour Foods", "Vltava Textiles", "Amber Coast Energy"];
const SUFFIXES = ["AG", "GmbH", "Ltd", "SIA", "KG", "SA", "BV", "OG"];

function formatAmount(minor: bigint, decimals: number): string {
  if (decimals === 0) return minor.toString();
  const s = minor.toString().padStart(decimals + 1, "0");
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/** A pacs.008.001.08 with `count` credit transfers from `debtorBic` to the creditor banks. */
export function generatePacs008(params: GeneratePacs008Params): string {
  const { debtorBic, creditorBics, count, seed, valueDate } = params;
  const currency = params.currency ?? "EUR";
  const decimals = DEFAULT_CURRENCY_DECIMALS[currency];
  if (decimals === undefined) throw new Error(`no minor unit known for ${currency}`);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error("count must be a positive integer");
  if (creditorBics.length === 0) throw new Error("at least one creditor BIC is needed");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(valueDate)) throw new Error("valueDate must be YYYY-MM-DD");
  const maxAmount = params.maxAmount ?? 100_000;
  if (!Number.isSafeInteger(maxAmount) || maxAmount < 1) throw new Error("maxAmount must be a positive integer");
  const unit = 10 ** decimals;
  const maxMinor = BigInt(maxAmount) * BigInt(unit);
  const decades = String(maxAmount).length;
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const name = () => `${pick(NAMES)} ${pick(SUFFIXES)}`;
  // Each bank has a pool of customer accounts, so accounts repeat as they do in real files.
  const pool = (bic: string) => Array.from({ length: 50 }, () => ({ iban: iban(bic, random), name: name() }));
  const debtors = pool(debtorBic);
  const creditors = new Map(creditorBics.map((bic) => [bic, pool(bic)]));

  const day = valueDate.replace(/-/g, "").slice(2);
  const tag = `${debtorBic.slice(0, 8)}-${day}-${(seed >>> 0).toString(36)}`;
  const messageId = params.messageId ?? `MSG-${tag}`;
  const txs: string[] = [];
  let total = 0n;
  for (let i = 1; i <= count; i++) {
    // As many payments in each decade (1–10, 10–100, …): mostly small ones, a few large. Integer
    // arithmetic only, so the output does not depend on the platform's Math.exp/log.
    const magnitude = 10 ** Math.floor(random() * decades);
    let minor = BigInt(unit) + BigInt(Math.floor(random() * magnitude * unit));
    if (minor > maxMinor) minor = maxMinor;
    total += minor;
    const creditorBic = pick(creditorBics);
    const debtor = pick(debtors);
    const creditor = pick(creditors.get(creditorBic) ?? []);
    const ref = `${tag}-${i.toString().padStart(6, "0")}`;
    txs.push(
      `    <CdtTrfTxInf>
      <PmtId>
        <InstrId>I-${ref}</InstrId>
        <EndToEndId>E2E-${ref}</EndToEndId>
        <TxId>TX-${ref}</TxId>
      </PmtId>
      <IntrBkSttlmAmt Ccy="${currency}">${formatAmount(minor, decimals)}</IntrBkSttlmAmt>
      <ChrgBr>SLEV</ChrgBr>
      <Dbtr>
        <Nm>${escapeXml(debtor.name)}</Nm>
      </Dbtr>
      <DbtrAcct>
        <Id>
          <IBAN>${debtor.iban}</IBAN>
        </Id>
      </DbtrAcct>
      <DbtrAgt>
        <FinInstnId>
          <BICFI>${debtorBic}</BICFI>
        </FinInstnId>
      </DbtrAgt>
      <CdtrAgt>
        <FinInstnId>
          <BICFI>${creditorBic}</BICFI>
        </FinInstnId>
      </CdtrAgt>
      <Cdtr>
        <Nm>${escapeXml(creditor.name)}</Nm>
      </Cdtr>
      <CdtrAcct>
        <Id>
          <IBAN>${creditor.iban}</IBAN>
        </Id>
      </CdtrAcct>
    </CdtTrfTxInf>
`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
  <FIToFICstmrCdtTrf>
    <GrpHdr>
      <MsgId>${escapeXml(messageId)}</MsgId>
      <CreDtTm>${params.creationDateTime ?? `${valueDate}T07:00:00Z`}</CreDtTm>
      <NbOfTxs>${count}</NbOfTxs>
      <CtrlSum>${formatAmount(total, decimals)}</CtrlSum>
      <IntrBkSttlmDt>${valueDate}</IntrBkSttlmDt>
      <SttlmInf>
        <SttlmMtd>CLRG</SttlmMtd>
      </SttlmInf>
    </GrpHdr>
${txs.join("")}  </FIToFICstmrCdtTrf>
</Document>
`;
}

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new CommanderArgumentError("must be a non-negative integer");
  return Number(value);
}

function main(argv: string[]): void {
  const program = new Command("generate-pacs008")
    .description("Write a deterministic pacs.008.001.08 file of pseudo-random credit transfers")
    .requiredOption("--debtor <bic>", "debtor agent BIC, e.g. ALPNCHZZXXX")
    .option("--creditors <bics>", "comma-separated creditor agent BICs (default: the other demo banks)")
    .option("--count <n>", "number of transactions", integer, 2500)
    .option("--seed <n>", "PRNG seed", integer, 1)
    .option("--value-date <date>", "IntrBkSttlmDt (default: today, UTC)")
    .option("--currency <code>", "ISO 4217 currency", "EUR")
    .option("--max-amount <n>", "largest amount in major units", integer, 100_000)
    .option("--out <file>", "output file (default: stdout)")
    .parse(argv);
  const o = program.opts<{
    debtor: string;
    creditors?: string;
    count: number;
    seed: number;
    valueDate?: string;
    currency: string;
    maxAmount: number;
    out?: string;
  }>();
  const creditorBics = o.creditors?.split(",").map((b) => b.trim()) ?? SAMPLE_BICS.filter((b) => b !== o.debtor);
  const valueDate = o.valueDate ?? new Date().toISOString().slice(0, 10);
  const xml = generatePacs008({
    debtorBic: o.debtor,
    creditorBics,
    count: o.count,
    seed: o.seed,
    valueDate,
    currency: o.currency,
    maxAmount: o.maxAmount,
  });
  if (!o.out) {
    process.stdout.write(xml);
    return;
  }
  writeFileSync(o.out, xml);
  console.error(`${o.out}: ${o.count} transactions from ${o.debtor}, ${(xml.length / 1024).toFixed(0)} KiB`);
}

if (require.main === module) {
  try {
    main(process.argv);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
