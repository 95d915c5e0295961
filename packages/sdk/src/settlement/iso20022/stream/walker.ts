/**
 * Walks the tokens of an ISO 20022 file: finds the `Document` (bare, or under any envelope — a
 * business envelope, a SWIFTNet `Request`, a SWIFT Alliance `DataPDU`), keeps the head.001 `AppHdr`
 * beside it, the group header, and one transaction at a time; everything else of the envelope is
 * checked for well-formedness and dropped. Elements of the Document and of the AppHdr must be in
 * their own namespace.
 */
import type { XmlNode, XmlValue } from "../xml";
import type { IsoReadLimits } from "./limits";
import { NamespaceScopes } from "./namespaces";
import { TokenError, type QName, type TokenHandler, type XmlTokenizer } from "./tokenizer";
import { SubtreeBuilder, attach } from "./tree";

/** One transaction element, in document order. */
export interface IsoTransaction {
  node: XmlNode;
  /** 1-based position among the transactions of this name. */
  index: number;
  /** Line of its start tag. */
  line: number;
}

/** ISO 20022 message namespaces, e.g. urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08. */
export const ISO_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:[a-z]{4}\.\d{3}\.\d{3}\.\d{2}$/;
/** The business application header's namespaces (head.001.001.01 to .03 and later versions). */
export const HEAD_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:head\.001\.001\.\d{2}$/;

const enum Capture {
  None,
  AppHdr,
  Header,
  Transaction,
  Other,
}

export class MessageWalker implements TokenHandler {
  tokenizer!: XmlTokenizer;
  /** Local names of the open elements, outermost first. */
  private readonly path: string[] = [];
  private readonly scopes = new NamespaceScopes();
  private readonly parents: number[] = [];
  private elementSeq = 0;
  private readonly builder: SubtreeBuilder;
  private capture = Capture.None;
  private captureNamespace = "";
  private captureLine = 0;
  private appHdrParent = -1;
  private docDepth = -1;
  private docClosed = false;
  private otherElements = 0;

  rootElement = "";
  wrapper: string[] = [];
  namespace = "";
  root = "";
  appHdr?: { namespace: string; node: XmlNode };
  header?: XmlNode;
  readonly others: XmlNode = {};
  /** The transaction element name, set before the walk passes the group header. */
  transactionName: string | null = null;
  transactionCount = 0;
  /** Transactions read and not yet taken. */
  queue: IsoTransaction[] = [];

  constructor(private readonly limits: IsoReadLimits) {
    this.builder = new SubtreeBuilder(limits.arrays, limits.maxSubtreeElements);
  }

  /** The path of the element being read, from Document on when inside it ("CdtTrfTxInf[7]/…"). */
  elementPath(): string {
    if (this.docDepth < 0 || this.path.length <= this.docDepth) return this.path.join("/");
    const inside = this.path.slice(this.docDepth);
    if (this.capture === Capture.Transaction && inside.length > 2) inside[2] += `[${this.transactionCount}]`;
    return inside.join("/");
  }

  open(name: QName, attrs: string[] | null, at: number): void {
    const depth = this.path.length;
    const uri = this.scopes.enter(depth, name, attrs, at);
    this.path.push(name.local);
    if (this.capture !== Capture.None) {
      if (uri !== this.captureNamespace && !this.inSupplementaryEnvelope()) this.wrongNamespace(uri, at);
      this.openCaptured(name.local, attrs, at);
      return;
    }
    if (this.docDepth < 0 || this.docClosed) return this.openWrapper(name, uri, attrs, depth, at);
    if (uri !== this.namespace) this.wrongNamespace(uri, at);
    const level = depth - this.docDepth;
    if (level === 1) {
      if (this.root) throw new TokenError(`Document holds a second message element <${name.local}>`, at);
      this.root = name.local;
      return;
    }
    if (!this.header) {
      if (name.local !== "GrpHdr") throw new TokenError(`expected GrpHdr first, found <${name.local}>`, at);
      this.startCapture(Capture.Header, uri, at);
    } else if (name.local === this.transactionName) {
      this.transactionCount++;
      this.startCapture(Capture.Transaction, uri, at);
      this.captureLine = this.tokenizer.locate(at).line;
    } else this.startCapture(Capture.Other, uri, at);
    this.openCaptured(name.local, attrs, at);
  }

  private openWrapper(name: QName, uri: string, attrs: string[] | null, depth: number, at: number): void {
    this.parents[depth] = ++this.elementSeq;
    if (depth === 0) this.rootElement = name.local;
    const parent = depth > 0 ? this.parents[depth - 1] : 0;
    if (name.local === "Document") {
      if (this.docDepth >= 0) throw new TokenError("a second Document: one message per file", at);
      if (!ISO_NAMESPACE.test(uri) || HEAD_NAMESPACE.test(uri)) {
        const reason = `Document must be in an ISO 20022 message namespace (urn:iso:std:iso:20022:tech:xsd:…), found ${uri ? `"${uri}"` : "no namespace"}`;
        throw new TokenError(reason, at);
      }
      if (this.appHdr && this.appHdrParent !== parent) {
        throw new TokenError("the AppHdr and the Document must be children of the same element", at);
      }
      this.docDepth = depth;
      this.namespace = uri;
      this.wrapper = this.path.slice(0, -1);
    } else if (name.local === "AppHdr") {
      if (!HEAD_NAMESPACE.test(uri)) {
        const reason = `AppHdr in ${uri ? `namespace "${uri}"` : "no namespace"} is not an ISO 20022 business application header (urn:iso:std:iso:20022:tech:xsd:head.001.001.xx)`;
        throw new TokenError(reason, at);
      }
      if (this.appHdr || this.capture !== Capture.None) throw new TokenError("a second AppHdr", at);
      if (this.docDepth >= 0) throw new TokenError("the AppHdr must come before the Document", at);
      this.appHdrParent = parent;
      this.startCapture(Capture.AppHdr, uri, at);
      this.openCaptured(name.local, attrs, at);
    }
  }

  private startCapture(kind: Capture, uri: string, at: number): void {
    this.capture = kind;
    this.captureNamespace = uri;
    if (kind === Capture.Other && this.otherElements >= this.limits.maxOtherElements) {
      throw new TokenError(`more than ${this.limits.maxOtherElements} elements beside the transactions`, at);
    }
  }

  private openCaptured(local: string, attrs: string[] | null, at: number): void {
    if (!this.builder.open(local, attrs)) {
      const reason = `more than ${this.limits.maxSubtreeElements} elements in one ${this.path[this.docDepth + 2] ?? local}`;
      throw new TokenError(reason, at, "Raise maxSubtreeElements only for a known sender.");
    }
  }

  /**
   * Whether the element just opened is inside a `SplmtryData/Envlp`: ISO 20022's one open content
   * (xs:any, any namespace), where a scheme puts its own elements (Clearhouse's batch id).
   */
  private inSupplementaryEnvelope(): boolean {
    if (this.docDepth < 0 || this.capture === Capture.AppHdr) return false; // only inside the Document
    const p = this.path;
    for (let i = this.docDepth + 2; i < p.length - 2; i++)
      if (p[i] === "SplmtryData" && p[i + 1] === "Envlp") return true;
    return false;
  }

  private wrongNamespace(uri: string, at: number): never {
    const expected = this.capture === Capture.AppHdr ? "the AppHdr" : "the Document";
    const reason = `in ${uri ? `namespace "${uri}"` : "no namespace"}, not in the namespace of ${expected} ("${this.capture === Capture.None ? this.namespace : this.captureNamespace}")`;
    throw new TokenError(reason, at);
  }

  close(_name: QName, at: number): void {
    if (this.capture === Capture.None) {
      if (this.path.length - 1 === this.docDepth) {
        if (!this.root) throw new TokenError("Document is empty", at);
        if (!this.header) throw new TokenError(`${this.root} has no GrpHdr`, at);
        this.docClosed = true;
      }
      this.path.pop();
      return;
    }
    const elements = this.builder.elements;
    const value = this.builder.close();
    if (value === undefined) {
      this.path.pop();
      return;
    }
    const local = this.path.pop() as string;
    if (this.capture === Capture.Transaction) {
      const node = this.asNode(value, at);
      this.queue.push({ node, index: this.transactionCount, line: this.captureLine });
    } else if (this.capture === Capture.Header) {
      this.header = this.asNode(value, at);
      this.tokenizer.paused = true;
    } else if (this.capture === Capture.AppHdr) {
      this.appHdr = { namespace: this.captureNamespace, node: this.asNode(value, at) };
    } else {
      this.otherElements += elements;
      attach(this.others, local, value, this.limits.arrays);
    }
    this.capture = Capture.None;
  }

  private asNode(value: XmlValue, at: number): XmlNode {
    if (value === "") return {};
    if (typeof value === "string" || Array.isArray(value)) throw new TokenError("must contain elements, not text", at);
    return value;
  }

  text(value: string, at: number): void {
    if (this.capture !== Capture.None) this.builder.text(value);
    else if (this.docDepth >= 0 && !this.docClosed) throw new TokenError("text is not allowed here", at);
  }

  /** At the end of the input: refuse a file without a Document. */
  finish(at: number): void {
    if (this.docDepth < 0) {
      throw new TokenError(`no ISO 20022 Document element found (the root element is <${this.rootElement}>)`, at);
    }
  }
}
