/**
 * A resumable XML tokenizer over text that arrives in chunks. It checks well-formedness as it goes
 * (names, attributes, matching end tags, one root, nothing but comments and processing
 * instructions around it), refuses DTDs and undeclared entities before anything is expanded, and
 * keeps only the unconsumed tail of the input: a token cut by a chunk boundary is read again once
 * the next chunk has arrived. Every bound of `IsoReadLimits` it can see is enforced here.
 */
import { EntityRefused, decodeEntities } from "../entities";
import type { IsoReadLimits } from "./limits";
import { TextPosition } from "./position";

/** A qualified element or attribute name, split once and cached. */
export interface QName {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  /** The namespace scope `uri` was last resolved in (a cache of `NamespaceScopes`). */
  scope?: unknown;
  uri?: string;
}

/** What the tokenizer reports; `attrs` is a flat list of name, value pairs (values decoded). */
export interface TokenHandler {
  open(name: QName, attrs: string[] | null, at: number): void;
  close(name: QName, at: number): void;
  /** Character data that is not only whitespace, entities decoded. */
  text(value: string, at: number): void;
}

/** A well-formedness or limit violation at an offset of the tokenizer's buffer. */
export class TokenError extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
    readonly hint?: string,
  ) {
    super(reason);
  }
}

export const enum Progress {
  NeedInput,
  Paused,
  Done,
}

const NAME = /^(?:([A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*):)?([A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)$/;
/**
 * Characters XML 1.0 forbids (surrogates cannot occur: the text comes from a UTF-8 decoder). Names
 * exclude them by their pattern, whitespace is checked where it is skipped, and character data
 * (text, attribute values, comments, processing instructions) is tested with this.
 */
// eslint-disable-next-line no-control-regex -- finding the control characters XML forbids is the point
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;
const NAME_CACHE_SIZE = 4096;
const DTD_HINT = "ISO 20022 messages never need a DTD; ask the sender to remove it.";

/** A copy of `s` that does not keep the (large) string it was sliced from alive. */
export const detach = (s: string): string => (s.length < 13 ? s : (" " + s).slice(1));

export class XmlTokenizer {
  /** Set by the handler to stop after the current token; `run` then returns `Paused`. */
  paused = false;
  readonly position = new TextPosition();
  private buf = "";
  private pos = 0;
  private eof = false;
  private readonly stack: QName[] = [];
  private rootSeen = false;
  private nextAmp = -1;
  private readonly names = new Map<string, QName>();
  /** Element names seen, by length (names up to 64 characters). */
  private readonly byLength: (QName[] | undefined)[] = new Array<QName[] | undefined>(65);
  private readonly maxTag: number;

  constructor(
    private readonly handler: TokenHandler,
    private readonly limits: IsoReadLimits,
  ) {
    this.maxTag = limits.maxNameLength * (limits.maxAttributes + 1) + 2 * limits.maxTextLength;
  }

  /** The element names open at the moment, outermost first. */
  get depth(): number {
    return this.stack.length;
  }

  /** Append decoded text; `last` marks the end of the input. */
  feed(text: string, last: boolean): void {
    this.position.advance(this.buf, this.pos);
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text;
    this.pos = 0;
    this.nextAmp = -1;
    this.eof = last;
  }

  /** The buffer offset just past the text received so far. */
  get end(): number {
    return this.buf.length;
  }

  /** Line and column (1-based) of a buffer offset. */
  locate(at: number): { line: number; column: number } {
    return this.position.locate(this.buf, at);
  }

  /** Read tokens until the buffer runs out, the handler pauses, or the document ends. */
  run(): Progress {
    this.paused = false;
    const buf = this.buf;
    const n = buf.length;
    for (;;) {
      if (this.paused) return Progress.Paused;
      const pos = this.pos;
      if (pos >= n) return this.eof ? this.finish(pos) : Progress.NeedInput;
      let next: number;
      let c = buf.charCodeAt(pos);
      if (c !== 60) {
        // Indentation between tags is the commonest text: skip it without searching.
        let ws = pos;
        while (isSpace(c) && ++ws < n) c = buf.charCodeAt(ws);
        if (ws < n && c === 60) {
          this.pos = ws;
          continue;
        }
        const lt = buf.indexOf("<", ws);
        if (lt < 0 && !this.eof) {
          if (n - pos > this.limits.maxTextLength) this.tooLong("text", pos);
          return Progress.NeedInput;
        }
        next = lt < 0 ? n : lt;
        this.textRun(pos, next);
      } else if (pos + 1 >= n) {
        next = -1;
      } else {
        c = buf.charCodeAt(pos + 1);
        next = c === 47 ? this.endTag(pos) : c === 33 ? this.bang(pos) : c === 63 ? this.pi(pos) : this.startTag(pos);
      }
      if (next < 0) {
        if (this.eof) throw new TokenError("the file ends inside a tag (truncated?)", pos);
        if (n - pos > this.maxTag) throw new TokenError(`a tag longer than ${this.maxTag} characters`, pos);
        return Progress.NeedInput;
      }
      this.pos = next;
    }
  }

  private finish(at: number): Progress {
    const open = this.stack[this.stack.length - 1];
    if (open) {
      const where = this.stack.map((s) => s.local).join("/");
      throw new TokenError(`the file ends before </${open.qname}> (truncated?): ${where} is not closed`, at);
    }
    if (!this.rootSeen) throw new TokenError("no root element", at);
    return Progress.Done;
  }

  private tooLong(what: string, at: number): never {
    throw new TokenError(`${what} longer than ${this.limits.maxTextLength} characters`, at, "Raise maxTextLength.");
  }

  private textRun(start: number, end: number): void {
    const buf = this.buf;
    let k = start;
    while (k < end) {
      const c = buf.charCodeAt(k);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      k++;
    }
    if (k === end) return;
    if (this.stack.length === 0) throw new TokenError("text outside the root element", k);
    if (end - start > this.limits.maxTextLength) this.tooLong("text", start);
    if (this.nextAmp < start) {
      const amp = buf.indexOf("&", start);
      this.nextAmp = amp < 0 ? Infinity : amp;
    }
    let value = buf.slice(start, end);
    this.checkChars(value, start);
    if (this.nextAmp < end) value = this.decode(value, start);
    if (value.includes("\r")) value = value.replace(/\r\n?/g, "\n");
    this.handler.text(value, start);
  }

  private checkChars(raw: string, at: number): void {
    const bad = FORBIDDEN.exec(raw);
    if (bad) {
      const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      throw new TokenError(`character U+${code} is not allowed in XML`, at + bad.index);
    }
  }

  private decode(raw: string, at: number): string {
    try {
      return decodeEntities(raw);
    } catch (error) {
      if (error instanceof EntityRefused) throw new TokenError(error.message, at);
      throw error;
    }
  }

  /** The element name at buf[from, to): found among the names seen, compared in place (no slice). */
  private elementName(from: number, to: number): QName {
    const candidates = this.byLength[to - from];
    if (candidates) {
      for (let k = 0; k < candidates.length; k++) {
        if (this.buf.startsWith(candidates[k].qname, from)) return candidates[k];
      }
    }
    const name = this.name(this.buf.slice(from, to), from);
    if (to - from < this.byLength.length) {
      const bucket = (this.byLength[to - from] ??= []);
      if (bucket.length < 64) bucket.push(name);
    }
    return name;
  }

  private name(raw: string, at: number): QName {
    const cached = this.names.get(raw);
    if (cached) return cached;
    if (raw.length > this.limits.maxNameLength) {
      throw new TokenError(`a name longer than ${this.limits.maxNameLength} characters`, at);
    }
    const m = NAME.exec(raw);
    if (!m) throw new TokenError(`"${raw.slice(0, 40)}" is not an XML name`, at);
    if (m[2] === "__proto__") throw new TokenError("the name __proto__ is not accepted", at);
    const qname = detach(raw);
    const name: QName = { qname, prefix: m[1] ?? "", local: m[1] ? qname.slice(m[1].length + 1) : qname };
    if (this.names.size < NAME_CACHE_SIZE) this.names.set(qname, name);
    return name;
  }

  /** Returns the offset after the tag, or -1 when the tag is not complete in the buffer. */
  private startTag(start: number): number {
    const buf = this.buf;
    const n = buf.length;
    let j = start + 1;
    let c = 0;
    while (j < n) {
      c = buf.charCodeAt(j);
      if (c === 62 || c === 47 || c <= 32) break;
      j++;
    }
    if (j >= n) return -1;
    const name = this.elementName(start + 1, j);
    if (this.stack.length === 0 && this.rootSeen) throw new TokenError("a second root element", start);
    let attrs: string[] | null = null;
    for (;;) {
      const ws = j;
      while (j < n && isSpace(buf.charCodeAt(j))) j++;
      if (j >= n) return -1;
      c = buf.charCodeAt(j);
      if (c === 62 || c === 47) {
        if (c === 47) {
          if (j + 1 >= n) return -1;
          if (buf.charCodeAt(j + 1) !== 62) throw new TokenError(`expected "/>" in <${name.qname}>`, j);
        }
        this.emitOpen(name, attrs, start);
        if (c === 62) return j + 1;
        this.emitClose(start);
        return j + 2;
      }
      if (j === ws) throw new TokenError(`attributes of <${name.qname}> must be separated by whitespace`, j);
      let k = j;
      while (k < n && (c = buf.charCodeAt(k)) !== 61 && c > 32 && c !== 62 && c !== 47) k++;
      if (k >= n) return -1;
      const attr = this.name(buf.slice(j, k), j).qname;
      while (k < n && isSpace(buf.charCodeAt(k))) k++;
      if (k >= n) return -1;
      if (buf.charCodeAt(k) !== 61) throw new TokenError(`attribute ${attr} of <${name.qname}> has no value`, k);
      k++;
      while (k < n && isSpace(buf.charCodeAt(k))) k++;
      if (k >= n) return -1;
      const quote = buf.charCodeAt(k);
      if (quote !== 34 && quote !== 39) throw new TokenError(`the value of ${attr} must be quoted`, k);
      const end = buf.indexOf(quote === 34 ? '"' : "'", k + 1);
      if (end < 0) return -1;
      if (end - k > this.limits.maxTextLength) this.tooLong(`the value of ${attr}`, k);
      let value = buf.slice(k + 1, end);
      this.checkChars(value, k + 1);
      if (value.includes("<")) throw new TokenError(`the value of ${attr} contains "<"`, k);
      if (value.includes("&")) value = this.decode(value, k);
      value = detach(value.replace(/[\t\n\r]/g, " "));
      attrs ??= [];
      for (let a = 0; a < attrs.length; a += 2) {
        if (attrs[a] === attr) throw new TokenError(`attribute ${attr} appears twice in <${name.qname}>`, j);
      }
      if (attrs.length / 2 >= this.limits.maxAttributes) {
        throw new TokenError(`<${name.qname}> has more than ${this.limits.maxAttributes} attributes`, j);
      }
      attrs.push(attr, value);
      j = end + 1;
    }
  }

  private emitOpen(name: QName, attrs: string[] | null, at: number): void {
    if (this.stack.length >= this.limits.maxDepth) {
      const reason = `elements nested deeper than ${this.limits.maxDepth} levels`;
      throw new TokenError(reason, at, "ISO 20022 messages are far shallower; raise maxDepth only for a known sender.");
    }
    this.rootSeen = true;
    this.stack.push(name);
    this.handler.open(name, attrs, at);
  }

  private emitClose(at: number): void {
    const name = this.stack[this.stack.length - 1];
    this.handler.close(name, at);
    this.stack.pop();
  }

  private endTag(start: number): number {
    const buf = this.buf;
    const n = buf.length;
    const open = this.stack[this.stack.length - 1];
    let k = start + 2;
    if (open && buf.startsWith(open.qname, k)) {
      k += open.qname.length;
      while (k < n && isSpace(buf.charCodeAt(k))) k++;
      if (k >= n) return -1;
      if (buf.charCodeAt(k) === 62) {
        this.emitClose(start);
        return k + 1;
      }
    }
    const gt = buf.indexOf(">", start);
    if (gt < 0) return -1;
    const found = buf.slice(start + 2, gt).trim();
    if (!open) throw new TokenError(`</${found}> closes no element`, start);
    throw new TokenError(`</${found}> does not close <${open.qname}>`, start);
  }

  /** Comments and CDATA; anything else starting with "<!" is a DTD and refused. */
  private bang(start: number): number {
    const buf = this.buf;
    if (buf.startsWith("<!--", start)) {
      const end = buf.indexOf("-->", start + 4);
      if (end < 0) return this.incomplete("comment", start);
      const dashes = buf.indexOf("--", start + 4);
      if (dashes < end) throw new TokenError('"--" inside a comment', dashes);
      this.checkChars(buf.slice(start + 4, end), start + 4);
      return end + 3;
    }
    if (buf.startsWith("<![CDATA[", start)) {
      if (this.stack.length === 0) throw new TokenError("CDATA outside the root element", start);
      const end = buf.indexOf("]]>", start + 9);
      if (end < 0) return this.incomplete("CDATA section", start);
      if (end - start > this.limits.maxTextLength) this.tooLong("CDATA section", start);
      const text = buf.slice(start + 9, end);
      this.checkChars(text, start + 9);
      if (/\S/.test(text)) this.handler.text(text.replace(/\r\n?/g, "\n"), start);
      return end + 3;
    }
    if (buf.length - start < 9 && !this.eof) return -1;
    const what = /^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.exec(buf.slice(start, start + 9))?.[1] ?? "";
    const reason = what
      ? `<!${what.toUpperCase()} is refused: DTDs and entity declarations are not accepted (XXE, entity expansion)`
      : `"${buf.slice(start, start + 9)}" is not XML markup`;
    throw new TokenError(reason, start, what ? DTD_HINT : undefined);
  }

  private incomplete(what: string, start: number): number {
    if (this.buf.length - start > this.limits.maxTextLength) this.tooLong(what, start);
    return -1;
  }

  /** Processing instructions: ignored, but the XML declaration must come first and say UTF-8. */
  private pi(start: number): number {
    const end = this.buf.indexOf("?>", start + 2);
    if (end < 0) return this.incomplete("processing instruction", start);
    const body = this.buf.slice(start + 2, end);
    this.checkChars(body, start + 2);
    const target = /^[^\s?]*/.exec(body)?.[0] ?? "";
    if (target.toLowerCase() !== "xml") return end + 2;
    if (target !== "xml" || this.position.offset(start) !== 0) {
      throw new TokenError("the XML declaration must come first, written <?xml", start);
    }
    const encoding = /\sencoding\s*=\s*["']([^"']*)["']/.exec(body)?.[1];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      throw new TokenError(`declares encoding ${encoding}: ISO 20022 messages must be UTF-8`, start);
    }
    return end + 2;
  }
}
