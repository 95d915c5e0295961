/**
 * Namespace scopes of the elements open while streaming: which URI each prefix (and the default,
 * "") stands for at each depth. A scope is copied only on an element that declares a namespace.
 */
import { TokenError, type QName } from "./tokenizer";

type Scope = ReadonlyMap<string, string>;

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const INITIAL: Scope = new Map([
  ["", ""],
  ["xml", XML_NAMESPACE],
]);

export class NamespaceScopes {
  /** scopes[d] is the scope in effect inside the element at depth d - 1 (scopes[0]: the document). */
  private readonly scopes: Scope[] = [INITIAL];

  /**
   * Enter an element at `depth` (0 for the root) with its attributes; returns the namespace URI of
   * the element ("" for none). Refuses a prefix that is not declared.
   */
  enter(depth: number, name: QName, attrs: string[] | null, at: number): string {
    let scope = this.scopes[depth];
    if (attrs) {
      let copy: Map<string, string> | null = null;
      for (let a = 0; a < attrs.length; a += 2) {
        const attr = attrs[a];
        if (attr !== "xmlns" && !attr.startsWith("xmlns:")) continue;
        const prefix = attr === "xmlns" ? "" : attr.slice(6);
        if (prefix === "xmlns" || prefix === "xml") throw new TokenError(`the prefix ${prefix} cannot be declared`, at);
        if (prefix && !attrs[a + 1]) throw new TokenError(`${attr}="" cannot undeclare a prefix in XML 1.0`, at);
        copy ??= new Map(scope);
        copy.set(prefix, attrs[a + 1]);
      }
      if (copy) scope = copy;
      for (let a = 0; a < attrs.length; a += 2) {
        const colon = attrs[a].indexOf(":");
        const prefix = colon < 0 ? "" : attrs[a].slice(0, colon);
        if (prefix && prefix !== "xmlns" && !scope.has(prefix)) {
          throw new TokenError(`the prefix of attribute ${attrs[a]} is not declared`, at);
        }
      }
    }
    this.scopes[depth + 1] = scope;
    if (name.scope === scope) return name.uri as string;
    const uri = scope.get(name.prefix);
    if (uri === undefined) throw new TokenError(`the prefix ${name.prefix}: of <${name.qname}> is not declared`, at);
    name.scope = scope;
    name.uri = uri;
    return uri;
  }
}
