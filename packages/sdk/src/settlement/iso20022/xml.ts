/**
 * Hardened XML reading for ISO 20022 files, shared by the pacs.008 import and the pacs.002 reader:
 * size limit and DTD refusal before any parsing, well-formedness check with line/column, only the
 * five XML entities and character references decoded. Every problem is an `Iso20022Error` naming
 * the file and the element.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ClearhouseError } from "../../errors/base";
import { EntityRefused, decodeEntities } from "./entities";

type ErrorDetails = { hint?: string; line?: number; column?: number; cause?: unknown };

/** A file that is not an acceptable ISO 20022 message; `element` is an XPath-like path ("" for the file). */
export class Iso20022Error extends ClearhouseError {
  override name = "Iso20022Error";
  readonly line?: number;
  readonly column?: number;
  constructor(
    readonly file: string,
    readonly element: string,
    readonly reason: string,
    options: ErrorDetails = {},
  ) {
    const at =
      options.line === undefined ? "" : `line ${options.line}${options.column ? `, column ${options.column}` : ""}`;
    const path = element.replace(/^Document\/[^/]+\//, "");
    const where = path && at ? `${path} (${at})` : path || at;
    super(`${file}: ${where ? `${where}: ` : ""}${reason}`, {
      category: "input",
      hint: options.hint,
      cause: options.cause,
    });
    this.line = options.line;
    this.column = options.column;
  }
}

export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

/**
 * Read an XML message safely: refuse it over `maxBytes` or with a DTD before parsing, check it is
 * well-formed, parse it (only `arrays` elements become lists) and return its `Document` element
 * with the namespace declared for it.
 */
export function readXml(
  xml: string | Uint8Array,
  opts: { file: string; maxBytes: number; arrays: readonly string[] },
): { document: XmlNode; namespace: string } {
  const { file, maxBytes } = opts;
  const fail = (reason: string, more: ErrorDetails = {}) => new Iso20022Error(file, "", reason, more);
  const bytes = typeof xml === "string" ? new TextEncoder().encode(xml).length : xml.byteLength;
  if (bytes > maxBytes) {
    throw fail(`${bytes} bytes exceed the limit of ${maxBytes} bytes`, { hint: "Split the file or raise maxBytes." });
  }
  let text: string;
  try {
    text = typeof xml === "string" ? xml : new TextDecoder("utf-8", { fatal: true }).decode(xml);
  } catch (cause) {
    throw fail("not valid UTF-8", { cause });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const locate = (index: number) => {
    const before = text.slice(0, index).split(/\r?\n/);
    return { line: before.length, column: before[before.length - 1].length + 1 };
  };
  const dtd = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (dtd) {
    const hint = "ISO 20022 messages never need a DTD; ask the sender to remove it.";
    const reason = `<!${dtd[1].toUpperCase()} is refused: DTDs and entity declarations are not accepted (XXE, entity expansion)`;
    throw fail(reason, { ...locate(dtd.index), hint });
  }
  const encoding = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']/.exec(text);
  if (encoding && !/^utf-?8$/i.test(encoding[1])) {
    throw fail(`declares encoding ${encoding[1]}: ISO 20022 messages must be UTF-8`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    throw fail(`not well-formed XML: ${msg}`, { line, column: col });
  }
  const prefixes = new Set<string>();
  const arrays = new Set(opts.arrays);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: true,
    htmlEntities: false,
    entityDecoder: {
      decode: decodeEntities,
      addInputEntities: () => {
        throw new EntityRefused("DTD entities are not accepted");
      },
      setExternalEntities: () => undefined,
      reset: () => undefined,
      setXmlVersion: () => undefined,
    },
    transformTagName: (name) => {
      const colon = name.indexOf(":");
      prefixes.add(colon < 0 ? "" : name.slice(0, colon));
      return colon < 0 ? name : name.slice(colon + 1);
    },
    // Called with the "@" prefix: keep namespace declarations, drop the prefix of qualified names.
    transformAttributeName: (name) => (/^@?xmlns(:|$)/.test(name) ? name : name.replace(/^(@?)[^:]*:/, "$1")),
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && arrays.has(name),
  });
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw fail(cause instanceof EntityRefused ? message : `cannot be parsed: ${message}`, { cause });
  }
  const reader: XmlReader = new XmlReader(file);
  const top = isNode(parsed) ? Object.entries(parsed) : [];
  if (top.length !== 1 || top[0][0] !== "Document" || !isNode(top[0][1])) {
    const found = top.map(([k, v]) => (Array.isArray(v) ? `${v.length} × ${k}` : k)).join(", ");
    reader.fail("Document", `the root element must be one Document, found ${found || "none"}`);
  }
  const document = reader.asNode(top[0][1], "Document");
  const prefix = [...prefixes].find((p) => document[p ? `@xmlns:${p}` : "@xmlns"] !== undefined);
  if (prefix === undefined || prefixes.size !== 1) {
    const xmlns = Object.keys(document).filter((k) => k.startsWith("@xmlns"));
    const declared = xmlns.map((k) => `${k.slice(1)}="${String(document[k])}"`).join(" ") || "none";
    reader.fail("Document", `elements must all be in the namespace of Document (declared: ${declared})`);
  }
  return { document, namespace: String(document[prefix ? `@xmlns:${prefix}` : "@xmlns"]) };
}

const isNode = (v: unknown): v is XmlNode => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The non-empty text at `steps` below `node` (an element's text, also when it has attributes), or
 * undefined — a lenient lookup for reporting (ids of a refused payment, AppHdr fields), where a
 * missing or repeated element is not an error; `XmlReader` is the strict one.
 */
export function textAt(node: XmlNode | undefined, ...steps: string[]): string | undefined {
  let v: unknown = node;
  for (const s of steps) v = isNode(v) ? v[s] : undefined;
  if (isNode(v)) v = v["#text"];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Typed access to parsed elements; every failure names the file and the element's path. */
export class XmlReader {
  constructor(readonly file: string) {}

  fail(element: string, reason: string, hint?: string): never {
    throw new Iso20022Error(this.file, element, reason, { hint });
  }

  /** The child element `name`, if present once; refused if repeated. */
  optional(node: XmlNode, path: string, name: string): XmlValue | undefined {
    if (!Object.hasOwn(node, name)) return undefined;
    const value = node[name];
    if (Array.isArray(value)) this.fail(`${path}/${name}`, `appears ${value.length} times, expected once`);
    return value;
  }

  required(node: XmlNode, path: string, name: string): XmlValue {
    return this.optional(node, path, name) ?? this.fail(`${path}/${name}`, "missing");
  }

  /** A child element with elements inside. */
  node(node: XmlNode, path: string, name: string): XmlNode {
    return this.asNode(this.required(node, path, name), `${path}/${name}`);
  }

  asNode(value: XmlValue, path: string): XmlNode {
    if (value === "") return {};
    if (!isNode(value)) return this.fail(path, "must contain elements, not text");
    return value;
  }

  /** A repeatable child element, as a list (empty when absent). */
  list(node: XmlNode, path: string, name: string): XmlNode[] {
    const value = Object.hasOwn(node, name) ? node[name] : [];
    const items = Array.isArray(value) ? value : [value];
    return items.map((item, i) => this.asNode(item, `${path}/${name}[${i + 1}]`));
  }

  /** The text of a child element (trimmed); `undefined` when optional and absent. */
  text(node: XmlNode, path: string, name: string): string;
  text(node: XmlNode, path: string, name: string, optional: true): string | undefined;
  text(node: XmlNode, path: string, name: string, optional = false): string | undefined {
    const value = optional ? this.optional(node, path, name) : this.required(node, path, name);
    return value === undefined ? undefined : this.textOf(value, `${path}/${name}`);
  }

  textOf(value: XmlValue, path: string): string {
    if (typeof value === "string") return value;
    if (!isNode(value) || Object.keys(value).some((k) => k !== "#text" && !k.startsWith("@"))) {
      return this.fail(path, "must be text, not elements");
    }
    const text = value["#text"] ?? "";
    return typeof text === "string" ? text : this.fail(path, "must be text");
  }

  attr(value: XmlValue, path: string, name: string): string {
    const attr = isNode(value) ? value[`@${name}`] : undefined;
    return typeof attr === "string" ? attr : this.fail(`${path}/@${name}`, "missing");
  }
}
