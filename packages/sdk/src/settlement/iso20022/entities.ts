/**
 * XML character data decoding shared by the whole-document and the streaming reader: only the five
 * predefined entities and character references; any other entity (one a DTD would declare) is refused.
 */

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Whether `c` is a character XML 1.0 allows in a document. */
export const isXmlChar = (c: number): boolean =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

/** An entity reference that is not one of the five XML entities or a valid character reference. */
export class EntityRefused extends Error {}

/** Decodes the five XML entities and character references; anything else (a DTD entity) is refused. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[^;&\s]*);|&/g, (ref: string, name: string | undefined) => {
    if (name === undefined || name === "") {
      throw new EntityRefused("a bare & must be written &amp;");
    }
    if (name[0] !== "#") {
      if (Object.hasOwn(XML_ENTITIES, name)) return XML_ENTITIES[name];
      throw new EntityRefused(`undeclared entity ${ref}: only &amp; &lt; &gt; &quot; &apos; are accepted`);
    }
    const code = name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    if (!isXmlChar(code)) throw new EntityRefused(`character reference ${ref} is not an XML character`);
    return String.fromCodePoint(code);
  });
}
