/**
 * PKCS#11 URIs (RFC 7512) naming a signing key in a token:
 * `pkcs11:token=<label>;object=<label>[;id=%01%02][;serial=…][;model=…][;manufacturer=…][;type=private][?module-path=/path/lib.so]`.
 * Values are percent-decoded (text as UTF-8, `id` as bytes). The PIN never travels in the URI:
 * `pin-value` and `pin-source` are refused (it comes from CLEARHOUSE_PKCS11_PIN or a prompt).
 */
import { Pkcs11UriError } from "./errors";

/** A parsed `pkcs11:` URI: which token, which key in it, and optionally which module loads it. */
export interface Pkcs11Uri {
  /** The token's label (CKA_LABEL of the token, `token=`). */
  token: string;
  /** The key's label (CKA_LABEL, `object=`); undefined when only `id` names it. */
  object?: string;
  /** The key's CKA_ID (`id=`, percent-encoded bytes). */
  id?: Uint8Array;
  serial?: string;
  model?: string;
  manufacturer?: string;
  /** The PKCS#11 module to load (`?module-path=`). */
  modulePath?: string;
}

const PATH_TEXT = ["token", "object", "serial", "model", "manufacturer"] as const;
/** Attributes RFC 7512 defines that say nothing about which key signs here: accepted, not used. */
const PATH_IGNORED = new Set([
  "library-manufacturer",
  "library-description",
  "library-version",
  "slot-manufacturer",
  "slot-description",
  "slot-id",
]);
const QUERY_REFUSED: Record<string, string> = {
  "pin-value": "the PIN must not be written in the URI (set CLEARHOUSE_PKCS11_PIN or answer the prompt)",
  "pin-source": "pin-source is not supported (set CLEARHOUSE_PKCS11_PIN or answer the prompt)",
  "module-name": "module-name is not supported (use module-path=/full/path/to/module.so)",
};
/** What RFC 7512 allows unencoded in a path value (pk11-pchar) and in a query value (pk11-qchar). */
const PATH_VALUE = /^(?:[A-Za-z0-9\-._~:[\]@!$'()*+,=&]|%[0-9A-Fa-f]{2})*$/;
const QUERY_VALUE = /^(?:[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|]|%[0-9A-Fa-f]{2})*$/;

function percentDecode(uri: string, name: string, raw: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "%") {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Pkcs11UriError(uri, `"${name}" has a bad escape "%${hex}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...new TextEncoder().encode(c));
  }
  return Uint8Array.from(bytes);
}

function text(uri: string, name: string, raw: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(percentDecode(uri, name, raw));
  } catch (e) {
    if (e instanceof Pkcs11UriError) throw e;
    throw new Pkcs11UriError(uri, `"${name}" is not UTF-8 once percent-decoded`);
  }
}

/** Split `a=b<sep>c=d` into [name, raw value] pairs, refusing repeats and parts without `=`. */
function pairs(uri: string, part: string, sep: string, allowed: RegExp): [string, string][] {
  if (part === "") return [];
  const seen = new Set<string>();
  return part.split(sep).map((item) => {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new Pkcs11UriError(uri, `"${item}" is not attribute=value`);
    const name = item.slice(0, eq).toLowerCase();
    const raw = item.slice(eq + 1);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Pkcs11UriError(uri, `"${name}" is not an attribute name`);
    const badEscape = /%(?![0-9A-Fa-f]{2})(.{0,2})/.exec(raw);
    if (badEscape) throw new Pkcs11UriError(uri, `"${name}" has a bad escape "%${badEscape[1]}"`);
    if (!allowed.test(raw)) throw new Pkcs11UriError(uri, `the value of "${name}" has characters to percent-encode`);
    if (seen.has(name)) throw new Pkcs11UriError(uri, `"${name}" is given twice`);
    seen.add(name);
    return [name, raw];
  });
}

/** Parse an RFC 7512 URI naming a key; throws `Pkcs11UriError` saying what is wrong. */
export function parsePkcs11Uri(uri: string): Pkcs11Uri {
  if (!/^pkcs11:/i.test(uri)) throw new Pkcs11UriError(uri, 'it does not start with "pkcs11:"');
  const body = uri.slice("pkcs11:".length);
  const q = body.indexOf("?");
  const path = q < 0 ? body : body.slice(0, q);
  const query = q < 0 ? "" : body.slice(q + 1);
  if (/[#\s]/.test(body)) throw new Pkcs11UriError(uri, "it holds a space or '#' (percent-encode them)");
  const out: Pkcs11Uri = { token: "" };
  for (const [name, raw] of pairs(uri, path, ";", PATH_VALUE)) {
    if ((PATH_TEXT as readonly string[]).includes(name)) out[name as (typeof PATH_TEXT)[number]] = text(uri, name, raw);
    else if (name === "id") out.id = percentDecode(uri, name, raw);
    else if (name === "type") {
      const type = text(uri, name, raw);
      if (type !== "private")
        throw new Pkcs11UriError(uri, `type=${type} names no signing key (use type=private or leave it out)`);
    } else if (!PATH_IGNORED.has(name) && !name.startsWith("x-"))
      throw new Pkcs11UriError(uri, `unknown attribute "${name}"`);
  }
  for (const [name, raw] of pairs(uri, query, "&", QUERY_VALUE)) {
    if (QUERY_REFUSED[name]) throw new Pkcs11UriError(uri, QUERY_REFUSED[name]);
    if (name === "module-path") out.modulePath = text(uri, name, raw);
    else if (!name.startsWith("x-")) throw new Pkcs11UriError(uri, `unknown query attribute "${name}"`);
  }
  if (!out.token) throw new Pkcs11UriError(uri, "it names no token (token=<label>)");
  if (out.object === undefined && out.id === undefined)
    throw new Pkcs11UriError(uri, "it names no key (object=<label> or id=<bytes>)");
  if (out.object === "") throw new Pkcs11UriError(uri, "object= is empty");
  if (out.modulePath === "") throw new Pkcs11UriError(uri, "module-path= is empty");
  return out;
}

/** How a key is named in messages: its label, else its id in hex. */
export function describeKey(uri: Pkcs11Uri): string {
  if (uri.object !== undefined) return `"${uri.object}"`;
  return `id ${Buffer.from(uri.id ?? []).toString("hex")}`;
}
