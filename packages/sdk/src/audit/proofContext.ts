/**
 * What the audit's proof checks share: the re-derived proof, and the ledger index each bank held
 * when a declaration was made (from the ledger's BankEnrolled events).
 */
import type { CircuitId } from "../zk/circuits";
import { bucketWords } from "../zk/privateWords";
import type { AuditEvent, ChainSnapshot } from "./collect";

/** A proof to re-verify: the circuit, the flattened proof and the public signals re-derived. */
export interface Derived {
  circuit: CircuitId;
  proof: readonly bigint[];
  signals: bigint[];
}

/** Where a bank enrolled in the SettlementLedger: its index and the event that gave it. */
export interface Enrolment {
  index: number;
  at: AuditEvent;
}

/**
 * Every bank's enrolment, read once from the ledger's BankEnrolled events. A bank enrols once and
 * keeps its index (a released index goes to a new bank, with its own BankEnrolled).
 */
export function enrolmentsOf(events: readonly AuditEvent[]): Map<string, Enrolment> {
  const out = new Map<string, Enrolment>();
  for (const e of events)
    if (e.contract === "SettlementLedger" && e.eventName === "BankEnrolled")
      out.set(String(e.args.bank).toLowerCase(), { index: Number(e.args.index), at: e });
  return out;
}

const before = (a: AuditEvent, b: AuditEvent) =>
  a.blockNumber < b.blockNumber || (a.blockNumber === b.blockNumber && a.logIndex < b.logIndex);

/** [word0, word1] of a chunk declared by `bank`, its buckets naming `counterparties` by position. */
export function chunkWords(
  bank: number,
  indexOf: (bank: string) => number,
  counterparties: readonly string[],
  c: { buckets: readonly number[]; amounts: readonly bigint[] },
): bigint[] {
  return bucketWords(
    bank,
    c.buckets.map((b) => indexOf(counterparties[Number(b)])),
    c.amounts,
  );
}

/**
 * The ledger index each bank held when the `BatchDeclared` of `e`'s transaction was emitted, and
 * that event (the debtor is its bank).
 */
export function indexerAt(
  s: ChainSnapshot,
  e: AuditEvent,
  enrolments: Map<string, Enrolment>,
): { declared: AuditEvent; indexOf: (bank: string) => number } {
  const declared = s.events.find((x) => x.transactionHash === e.transactionHash && x.eventName === "BatchDeclared");
  if (!declared) throw new Error("the transaction has no BatchDeclared event");
  const indexOf = (bank: string): number => {
    const enrolled = enrolments.get(bank.toLowerCase());
    if (!enrolled || !before(enrolled.at, declared))
      throw new Error(`${bank} held no ledger index at block ${declared.blockNumber}`);
    return enrolled.index;
  };
  return { declared, indexOf };
}
