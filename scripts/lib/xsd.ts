/**
 * XSD validation of ISO 20022 messages with libxml2 (the `libxml2-wasm` WebAssembly build, a
 * development dependency) against the schemas shipped in packages/sdk/iso20022/xsd/.
 *
 * A message is validated against the schema of its namespace: a bare `Document` as a whole, and in
 * an envelope (a business application header `AppHdr` and a `Document` under any wrapper element,
 * a SWIFTNet `Request`, a SWIFT Alliance `DataPDU`) each ISO 20022 element found under the wrapper
 * against its own schema. Each schema is compiled once, when first needed, and kept.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  ISO20022_NAMESPACE_PREFIX,
  iso20022MessageId,
  iso20022SchemaPath,
} from "../../packages/sdk/src/node/iso20022Schemas";

type Libxml2 = typeof import("libxml2-wasm");
type XmlDocument = InstanceType<Libxml2["XmlDocument"]>;
type XmlElement = InstanceType<Libxml2["XmlElement"]>;
type XsdValidator = InstanceType<Libxml2["XsdValidator"]>;
type ErrorDetail = import("libxml2-wasm").ErrorDetail;

/** One problem libxml2 reported: a schema violation, or why the text is not a document at all. */
export interface XsdIssue {
  /** The message id whose schema was violated (`pacs.008.001.08`), or undefined for parse errors. */
  schema?: string;
  /** libxml2's message, e.g. "Element '{…}MsgId': [facet 'maxLength'] The value '…' has a length of 36…". */
  message: string;
  line: number;
  /** libxml2's XPath of the offending node, when it gives one. */
  path?: string;
}

/** The ISO 20022 messages found in a document and what their schemas say of them. */
export interface XsdReport {
  /** True when at least one ISO 20022 element was found and every one is valid. */
  valid: boolean;
  /** Message ids of the ISO 20022 elements validated (`head.001.001.02`, `pacs.008.001.08`…). */
  messages: string[];
  issues: XsdIssue[];
}

/**
 * libxml2-wasm is an ES module with top-level await (the WebAssembly instantiation), which
 * `require()` cannot load; this CommonJS code reaches it through a real dynamic `import()`, which
 * TypeScript would otherwise compile to `require()`.
 */
const importEsm = new Function("url", "return import(url)") as (url: string) => Promise<Libxml2>;
let libxml2: Promise<Libxml2> | undefined;

function loadLibxml2(): Promise<Libxml2> {
  libxml2 ??= importEsm(pathToFileURL(require.resolve("libxml2-wasm")).href);
  return libxml2;
}

const issueOf = (schema: string | undefined, d: ErrorDetail): XsdIssue => ({
  ...(schema === undefined ? {} : { schema }),
  message: d.message.trim(),
  line: d.line,
  ...(d.xpath ? { path: d.xpath } : {}),
});

/** Validates ISO 20022 messages against the shipped schemas; create with {@link Iso20022Validator.create}. */
export class Iso20022Validator {
  private readonly schemas = new Map<string, { xsd: XmlDocument; validator: XsdValidator }>();

  private constructor(private readonly lib: Libxml2) {}

  /** Load libxml2 (once per process); schemas are compiled on first use. */
  static async create(): Promise<Iso20022Validator> {
    return new Iso20022Validator(await loadLibxml2());
  }

  /**
   * The compiled schema of a message id, compiling it on first use.
   * @throws InvalidArgumentError (from the SDK) when no schema of that version is shipped.
   */
  private schema(id: string): XsdValidator {
    let entry = this.schemas.get(id);
    if (entry === undefined) {
      const { XmlDocument, XsdValidator } = this.lib;
      const xsd = XmlDocument.fromBuffer(readFileSync(iso20022SchemaPath(id)), { url: `${id}.xsd` });
      try {
        entry = { xsd, validator: XsdValidator.fromDoc(xsd) };
      } catch (e) {
        xsd.dispose();
        throw e;
      }
      this.schemas.set(id, entry);
    }
    return entry.validator;
  }

  /** Compile the schemas of these message ids now (a schema that does not compile throws here). */
  preload(ids: readonly string[]): void {
    for (const id of ids) this.schema(id);
  }

  /**
   * Validate one XML document. External entities and the network are never loaded; a text that is
   * not well-formed is reported as issues without `schema`.
   */
  validate(xml: string | Uint8Array): XsdReport {
    const { XmlDocument, XmlError, XmlLibError, XmlElement, ParseOption } = this.lib;
    const bytes = typeof xml === "string" ? new TextEncoder().encode(xml) : xml;
    let doc: XmlDocument;
    try {
      doc = XmlDocument.fromBuffer(bytes, { option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE });
    } catch (e) {
      if (e instanceof XmlLibError)
        return { valid: false, messages: [], issues: e.details.map((d) => issueOf(undefined, d)) };
      throw e;
    }
    try {
      const messages: string[] = [];
      const issues: XsdIssue[] = [];
      const root = doc.root;
      for (const element of isoElements(root, XmlElement)) {
        const id = iso20022MessageId(element.namespaceUri) ?? element.namespaceUri;
        messages.push(id);
        let validator: XsdValidator;
        try {
          validator = this.schema(id);
        } catch (e) {
          issues.push({ schema: id, message: e instanceof Error ? e.message : String(e), line: element.line });
          continue;
        }
        try {
          if (element === root) validator.validate(doc);
          else validator.validate(element);
        } catch (e) {
          if (e instanceof XmlLibError) issues.push(...e.details.map((d) => issueOf(id, d)));
          // libxml2 gives up without details on what it cannot validate (entity references).
          else if (e instanceof XmlError)
            issues.push({ schema: id, message: `not validated: ${e.message}`, line: element.line });
          else throw e;
        }
      }
      if (messages.length === 0) {
        issues.push({
          message: `no ISO 20022 element (namespace ${ISO20022_NAMESPACE_PREFIX}<id>) in the document; its root is {${root.namespaceUri}}${root.name}`,
          line: root.line,
        });
      }
      return { valid: messages.length > 0 && issues.length === 0, messages, issues };
    } finally {
      doc.dispose();
    }
  }

  /** Free the compiled schemas (the WebAssembly heap is not garbage-collected). */
  dispose(): void {
    for (const { xsd, validator } of this.schemas.values()) {
      validator.dispose();
      xsd.dispose();
    }
    this.schemas.clear();
  }
}

/**
 * The ISO 20022 elements of a document: the root when it is one, else the outermost ISO 20022
 * elements under the wrapper elements (an envelope's `AppHdr` and `Document`), in document order.
 */
function isoElements(root: XmlElement, Element: Libxml2["XmlElement"]): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (element: XmlElement): void => {
    if (element.namespaceUri.startsWith(ISO20022_NAMESPACE_PREFIX)) {
      found.push(element);
      return;
    }
    for (let child = element.firstChild; child !== null; child = child.next) {
      if (child instanceof Element) visit(child);
    }
  };
  visit(root);
  return found;
}

/**
 * Format a report's issues one a line, `line 21: pacs.008.001.08: Element 'DbtrAcct': This element
 * is not expected…`, without the namespaces libxml2 writes before each element name.
 */
export function formatXsdIssues(report: XsdReport): string {
  const namespaces = new RegExp(`\\{${ISO20022_NAMESPACE_PREFIX.replace(/\./g, "\\.")}[^}]*\\}`, "g");
  return report.issues
    .map((i) => `line ${i.line}${i.schema ? `: ${i.schema}` : ""}: ${i.message.replace(namespaces, "")}`)
    .join("\n");
}
