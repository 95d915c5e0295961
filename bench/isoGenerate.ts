/**
 * Writes a pacs.008.001.08 file of N customer credit transfers for the ISO 20022 benchmark, a
 * block of transactions at a time (the file is never held in memory). Banks, accounts, amounts and
 * ids vary with the index; the group header's NbOfTxs and CtrlSum match the transactions.
 */
import { closeSync, openSync, writeSync } from "node:fs";

const BANKS = ["ALPNCHZZXXX", "BALTLV22XXX", "CELTIE2DXXX", "DANUATWWXXX"];
const IBANS = ["CH9300762011623852957", "LV92BALT0002345678901", "IE39CELT93115212345678", "AT611904300234573201"];
const BLOCK = 2_000;

/** Minor units of payment `i` (1.00 to 100,000.00 EUR, deterministic). */
const cents = (i: number): number => 100 + ((i * 7_919) % 9_999_900);

function transaction(i: number): string {
  // One bank's outgoing file (a batch has one submitter, the debtor bank): Alpine pays the others.
  const from = 0;
  const to = 1 + (i % (BANKS.length - 1));
  const c = cents(i);
  const id = String(i + 1).padStart(8, "0");
  return `    <CdtTrfTxInf>
      <PmtId>
        <InstrId>INSTR-${id}</InstrId>
        <EndToEndId>E2E-${id}</EndToEndId>
        <TxId>TX-${id}</TxId>
        <UETR>${uetr(i)}</UETR>
      </PmtId>
      <IntrBkSttlmAmt Ccy="EUR">${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}</IntrBkSttlmAmt>
      <ChrgBr>SLEV</ChrgBr>
      <Dbtr>
        <Nm>Debtor ${id} &amp; Co</Nm>
        <PstlAdr>
          <StrtNm>Bahnhofstrasse</StrtNm>
          <BldgNb>${(i % 200) + 1}</BldgNb>
          <PstCd>8001</PstCd>
          <TwnNm>Zürich</TwnNm>
          <Ctry>CH</Ctry>
        </PstlAdr>
      </Dbtr>
      <DbtrAcct>
        <Id>
          <IBAN>${IBANS[from]}</IBAN>
        </Id>
      </DbtrAcct>
      <DbtrAgt>
        <FinInstnId>
          <BICFI>${BANKS[from]}</BICFI>
        </FinInstnId>
      </DbtrAgt>
      <CdtrAgt>
        <FinInstnId>
          <BICFI>${BANKS[to]}</BICFI>
        </FinInstnId>
      </CdtrAgt>
      <Cdtr>
        <Nm>Creditor ${id}</Nm>
      </Cdtr>
      <CdtrAcct>
        <Id>
          <IBAN>${IBANS[to]}</IBAN>
        </Id>
      </CdtrAcct>
      <RmtInf>
        <Ustrd>Invoice ${id} for goods delivered</Ustrd>
      </RmtInf>
    </CdtTrfTxInf>
`;
}

function uetr(i: number): string {
  const h = ((i * 2_654_435_761) >>> 0).toString(16).padStart(8, "0");
  const n = String(i).padStart(12, "0");
  return `${h}-0000-4000-8000-${n}`;
}

/** Write the file; returns its size in bytes. */
export function writePacs008File(path: string, count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += cents(i);
  const ctrlSum = `${Math.floor(total / 100)}.${String(total % 100).padStart(2, "0")}`;
  const fd = openSync(path, "w");
  let bytes = 0;
  const write = (s: string) => (bytes += writeSync(fd, s));
  try {
    write(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
  <FIToFICstmrCdtTrf>
    <GrpHdr>
      <MsgId>BENCH-${count}</MsgId>
      <CreDtTm>2026-01-02T07:00:00Z</CreDtTm>
      <NbOfTxs>${count}</NbOfTxs>
      <CtrlSum>${ctrlSum}</CtrlSum>
      <IntrBkSttlmDt>2026-01-02</IntrBkSttlmDt>
      <SttlmInf>
        <SttlmMtd>CLRG</SttlmMtd>
      </SttlmInf>
    </GrpHdr>
`);
    for (let start = 0; start < count; start += BLOCK) {
      let block = "";
      for (let i = start; i < Math.min(count, start + BLOCK); i++) block += transaction(i);
      write(block);
    }
    write(`  </FIToFICstmrCdtTrf>
</Document>
`);
  } finally {
    closeSync(fd);
  }
  return bytes;
}
