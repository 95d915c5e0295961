/**
 * Group checks of one message, kept incrementally so a streaming driver can call them one
 * transaction at a time: NbOfTxs, CtrlSum and the total settlement amount (TtlIntrBkSttlmAmt,
 * TtlRtrdIntrBkSttlmAmt) against the transactions, and duplicate ids (TxId, UETR, EndToEndId
 * other than NOTPROVIDED, RtrId, and the resulting payment ids) within the message. The state is
 * the running count and sums and one compact `IdIndex` per id kind — never the transactions themselves.
 */
import { addDecimal, formatDecimal, parseDecimal, sameDecimal, ZERO, type Decimal } from "./amounts";
import { IdIndex } from "../idIndex";
import { IsoPaymentError } from "./reasons";
import type { XmlNode, XmlReader } from "./xml";

/** Where a message kind keeps what the checks read. */
export interface CheckSpec {
  /** The repeated transaction element, e.g. "CdtTrfTxInf". */
  transaction: string;
  /** The transaction's settlement amount element, e.g. "IntrBkSttlmAmt". */
  amount: string;
  /** The group header's total of those amounts, e.g. "TtlIntrBkSttlmAmt". */
  total: string;
  /** Ids unique within a message: [label, path below the transaction]. */
  ids: readonly (readonly [string, readonly string[]])[];
}

export class MessageChecks {
  private count = 0;
  private sum: Decimal = ZERO;
  /** False once an amount could not be read (then the sums cannot be checked). */
  private sumsKnown = true;
  private readonly seen = new Map<string, IdIndex>();
  private readonly declared: string;
  private readonly ctrlSum?: Decimal;
  private readonly ctrlSumText?: string;
  private readonly total?: { value: Decimal; text: string; currency: string };

  constructor(
    private readonly r: XmlReader,
    private readonly spec: CheckSpec,
    header: XmlNode,
    private readonly headerPath: string,
    private readonly root: string,
  ) {
    this.declared = r.text(header, headerPath, "NbOfTxs");
    if (!/^\d{1,15}$/.test(this.declared)) {
      r.fail(`${headerPath}/NbOfTxs`, `${this.declared} is not a number of transactions`);
    }
    this.ctrlSumText = r.text(header, headerPath, "CtrlSum", true);
    if (this.ctrlSumText !== undefined) {
      this.ctrlSum =
        parseDecimal(this.ctrlSumText) ??
        r.fail(`${headerPath}/CtrlSum`, `${this.ctrlSumText} is not a decimal number`);
    }
    const total = r.optional(header, headerPath, spec.total);
    if (total !== undefined) {
      const path = `${headerPath}/${spec.total}`;
      const text = r.textOf(total, path);
      const value = parseDecimal(text) ?? r.fail(path, `${text} is not a decimal amount of at most 18 digits`);
      this.total = { value, text, currency: r.attr(total, path, "Ccy") };
    }
  }

  /**
   * Count transaction `index` (1-based), add its amount to the sums and refuse an id it repeats
   * (AM05, naming the first occurrence). Call for every transaction, valid or not.
   */
  transaction(tx: XmlNode, index: number): void {
    this.count++;
    const path = `${this.root}/${this.spec.transaction}[${index}]`;
    const amount = tx[this.spec.amount];
    const text =
      typeof amount === "string"
        ? amount
        : typeof amount === "object" && !Array.isArray(amount)
          ? amount["#text"]
          : undefined;
    const value = typeof text === "string" ? parseDecimal(text) : undefined;
    if (value === undefined) this.sumsKnown = false;
    else {
      this.sum = addDecimal(this.sum, value);
      if (
        this.total &&
        !Array.isArray(amount) &&
        typeof amount === "object" &&
        amount["@Ccy"] !== this.total.currency
      ) {
        throw new IsoPaymentError(
          this.r.file,
          `${path}/${this.spec.amount}/@Ccy`,
          `is ${String(amount["@Ccy"])} but ${this.spec.total} is in ${this.total.currency}`,
          "AM03",
        );
      }
    }
    for (const [label, steps] of this.spec.ids) {
      let node: unknown = tx;
      for (const step of steps)
        node = typeof node === "object" && node !== null && !Array.isArray(node) ? (node as XmlNode)[step] : undefined;
      if (typeof node !== "string" || (label === "EndToEndId" && node === "NOTPROVIDED")) continue;
      this.unique(label, node, `${path}/${steps.join("/")}`, index);
    }
  }

  /** Refuse a payment id (after mapping) that another transaction of the message already has. */
  payment(paymentId: string, element: string, index: number): void {
    this.unique("paymentId", paymentId, element, index);
  }

  private unique(label: string, id: string, element: string, index: number): void {
    let ids = this.seen.get(label);
    if (!ids) this.seen.set(label, (ids = new IdIndex()));
    const first = ids.firstOrAdd(id, index);
    if (first !== undefined) {
      throw new IsoPaymentError(this.r.file, element, `${id} repeats ${this.spec.transaction}[${first}]`, "AM05");
    }
  }

  /** Check NbOfTxs, CtrlSum and the total against the transactions counted. */
  finish(): void {
    const r = this.r;
    if (this.count === 0) r.fail(`${this.root}/${this.spec.transaction}`, "missing: the message has no transaction");
    if (Number(this.declared) !== this.count) {
      r.fail(
        `${this.headerPath}/NbOfTxs`,
        `says ${this.declared} transactions but the message has ${this.count} ${this.spec.transaction}`,
      );
    }
    if (!this.sumsKnown) return;
    if (this.ctrlSum && !sameDecimal(this.ctrlSum, this.sum)) {
      r.fail(
        `${this.headerPath}/CtrlSum`,
        `is ${this.ctrlSumText} but the amounts add up to ${formatDecimal(this.sum)}`,
      );
    }
    if (this.total && !sameDecimal(this.total.value, this.sum)) {
      r.fail(
        `${this.headerPath}/${this.spec.total}`,
        `is ${this.total.text} ${this.total.currency} but the ${this.spec.amount} add up to ${formatDecimal(this.sum)}`,
      );
    }
  }
}
