/**
 * Encrypted envelopes (`clearhouse.enc/1`, docs/spec/encrypted-envelope.md): a batch file at rest
 * or a webhook payload in transit, sealed with AES-256-GCM or SM4-GCM under a named key, with the
 * header (format, algorithm, key id, kind, nonce) as associated data, so that changing any of it
 * fails the tag like changing the ciphertext does.
 *
 * Two encodings of one envelope: the **file** form is the header as one JSON line, "\n", then the
 * ciphertext and the 16-byte tag as raw bytes; the **JSON** form (a webhook body) is the header
 * object with one more member, `ciphertext`, the base64 of ciphertext ‖ tag. In both the
 * associated data is the UTF-8 of the header's canonical JSON (members sorted, no whitespace).
 */
import { randomBytes } from "node:crypto";
import { canonicalJson } from "../../settlement/batch";
import { EnvelopeFormatError, EnvelopeTamperedError, EnvelopeWrongKeyError } from "./errors";

/** The format tag of an envelope. */
export const ENVELOPE_FORMAT = "clearhouse.enc/1";
/** The algorithms an envelope names. */
export type EnvelopeAlgorithm = "AES-256-GCM" | "SM4-GCM";
export const ENVELOPE_ALGORITHMS: readonly EnvelopeAlgorithm[] = ["AES-256-GCM", "SM4-GCM"];
/** What an envelope holds: a batch file (either format, or a shared file) or a webhook payload. */
export type EnvelopeKind = "clearhouse.batch" | "clearhouse.webhook";
export const ENVELOPE_KINDS: readonly EnvelopeKind[] = ["clearhouse.batch", "clearhouse.webhook"];

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** A key that seals and opens envelopes (a key file's bytes, or a secret key in an HSM). */
export interface EnvelopeKey {
  readonly algorithm: EnvelopeAlgorithm;
  /** What the envelope's `kid` names: `sha256:<16 hex digits>` of a key file's bytes, or a PKCS#11 URI. */
  readonly id: string;
  /** ciphertext ‖ 16-byte tag of `plaintext` under `nonce` (12 bytes) and `aad`. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** The plaintext, or undefined when the tag does not verify. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
}

/** An envelope's header: everything but the ciphertext, all of it authenticated. */
export interface EnvelopeHeader {
  format: typeof ENVELOPE_FORMAT;
  alg: EnvelopeAlgorithm;
  kid: string;
  kind: EnvelopeKind;
  /** 12 bytes, 24 lower-case hex digits. */
  nonce: string;
}

const utf8 = new TextEncoder();

/** The associated data of a header: the UTF-8 of its canonical JSON. */
export function envelopeAad(header: EnvelopeHeader): Uint8Array {
  const { format, alg, kid, kind, nonce } = header;
  return utf8.encode(canonicalJson({ format, alg, kid, kind, nonce }, "envelope header"));
}

/** The header line of the file form (members in the spec's order, no newline). */
function headerLine(h: EnvelopeHeader): string {
  return JSON.stringify({ format: h.format, alg: h.alg, kid: h.kid, kind: h.kind, nonce: h.nonce });
}

/** The file form's first bytes: what `isEnvelope` looks for. */
const FILE_START = /^\s*\{\s*"format"\s*:\s*"clearhouse\.enc\/1"/;

/** Whether `bytes` (a file's first bytes, or a whole body) begin an envelope. */
export function isEnvelope(bytes: Uint8Array | string): boolean {
  const head = typeof bytes === "string" ? bytes.slice(0, 64) : Buffer.from(bytes.subarray(0, 64)).toString("latin1");
  return FILE_START.test(head);
}

/** Validate a parsed header object; `source` names it in errors. */
export function parseEnvelopeHeader(raw: unknown, source: string, kind?: EnvelopeKind): EnvelopeHeader {
  const fail = (problem: string): never => {
    throw new EnvelopeFormatError(source, problem);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("the header is not a JSON object");
  const h = raw as Record<string, unknown>;
  if (h.format !== ENVELOPE_FORMAT)
    return fail(`has format ${JSON.stringify(h.format)}, expected "${ENVELOPE_FORMAT}"`);
  if (!ENVELOPE_ALGORITHMS.includes(h.alg as EnvelopeAlgorithm)) {
    return fail(`names the unknown algorithm ${JSON.stringify(h.alg)} (known: ${ENVELOPE_ALGORITHMS.join(", ")})`);
  }
  if (typeof h.kid !== "string" || h.kid.length === 0 || h.kid.length > 512) return fail("kid is not a key id");
  if (!ENVELOPE_KINDS.includes(h.kind as EnvelopeKind)) return fail(`holds the unknown kind ${JSON.stringify(h.kind)}`);
  if (kind !== undefined && h.kind !== kind) return fail(`holds a ${String(h.kind)}, not a ${kind}`);
  if (typeof h.nonce !== "string" || !/^[0-9a-f]{24}$/.test(h.nonce)) {
    return fail("nonce is not 12 bytes as 24 lower-case hex digits");
  }
  return {
    format: ENVELOPE_FORMAT,
    alg: h.alg as EnvelopeAlgorithm,
    kid: h.kid,
    kind: h.kind as EnvelopeKind,
    nonce: h.nonce,
  };
}

/** A fresh header for `key` and `kind` with a random 12-byte nonce (never reused: 96 random bits per envelope). */
function newHeader(key: EnvelopeKey, kind: EnvelopeKind, nonce?: Uint8Array): EnvelopeHeader {
  const n = nonce ?? randomBytes(NONCE_BYTES);
  return { format: ENVELOPE_FORMAT, alg: key.algorithm, kid: key.id, kind, nonce: Buffer.from(n).toString("hex") };
}

/** Seal `plaintext` in the file form. `nonce` is for test vectors only: leave it out. */
export function sealEnvelopeFile(
  key: EnvelopeKey,
  kind: EnvelopeKind,
  plaintext: Uint8Array,
  nonce?: Uint8Array,
): Buffer {
  const header = newHeader(key, kind, nonce);
  const sealed = key.seal(Buffer.from(header.nonce, "hex"), plaintext, envelopeAad(header));
  return Buffer.concat([Buffer.from(`${headerLine(header)}\n`, "utf8"), sealed]);
}

/** Seal `plaintext` in the JSON form (a webhook body). `nonce` is for test vectors only. */
export function sealEnvelopeJson(
  key: EnvelopeKey,
  kind: EnvelopeKind,
  plaintext: Uint8Array,
  nonce?: Uint8Array,
): string {
  const header = newHeader(key, kind, nonce);
  const sealed = key.seal(Buffer.from(header.nonce, "hex"), plaintext, envelopeAad(header));
  const { format, alg, kid, nonce: n } = header;
  return JSON.stringify({ format, alg, kid, kind, nonce: n, ciphertext: Buffer.from(sealed).toString("base64") });
}

/** Split the file form into its header and ciphertext ‖ tag. */
export function parseEnvelopeFile(
  bytes: Uint8Array,
  source: string,
  kind?: EnvelopeKind,
): { header: EnvelopeHeader; sealed: Uint8Array } {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0 || newline > 4096) throw new EnvelopeFormatError(source, "has no header line");
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.subarray(0, newline)).toString("utf8"));
  } catch {
    throw new EnvelopeFormatError(source, "its header line is not JSON");
  }
  const header = parseEnvelopeHeader(raw, source, kind);
  // The header line is exactly the canonical one: no other member, order, spacing or duplicate
  // (the tag covers the parsed header, so anything else would be unauthenticated; review 24c, F4).
  if (Buffer.from(bytes.subarray(0, newline)).toString("utf8") !== headerLine(header))
    throw new EnvelopeFormatError(source, "its header line is not the canonical one (members, order or spacing)");
  const sealed = bytes.subarray(newline + 1);
  if (sealed.length < TAG_BYTES) throw new EnvelopeFormatError(source, "is shorter than its 16-byte tag (truncated)");
  return { header, sealed };
}

/** Split the JSON form into its header and ciphertext ‖ tag. */
export function parseEnvelopeJson(
  text: string,
  source: string,
  kind?: EnvelopeKind,
): { header: EnvelopeHeader; sealed: Uint8Array } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new EnvelopeFormatError(source, "is not JSON");
  }
  const header = parseEnvelopeHeader(raw, source, kind);
  // Exactly the six members (the tag covers the five header ones; review 24c, F4).
  const members = Object.keys(raw as object).sort();
  if (members.join(",") !== "alg,ciphertext,format,kid,kind,nonce")
    throw new EnvelopeFormatError(
      source,
      `has members ${members.join(", ")}; an envelope has exactly alg, ciphertext, format, kid, kind, nonce`,
    );
  if (duplicateMember(text)) throw new EnvelopeFormatError(source, "repeats a member");
  const ct = (raw as { ciphertext?: unknown }).ciphertext;
  if (typeof ct !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(ct)) {
    throw new EnvelopeFormatError(source, "ciphertext is not base64");
  }
  const sealed = Buffer.from(ct, "base64");
  if (sealed.length < TAG_BYTES) throw new EnvelopeFormatError(source, "is shorter than its 16-byte tag (truncated)");
  return { header, sealed };
}

/** Open a parsed envelope with `key`: the plaintext, or a typed error (wrong key, tampered). */
export function openEnvelope(
  key: EnvelopeKey,
  parsed: { header: EnvelopeHeader; sealed: Uint8Array },
  source: string,
): Uint8Array {
  const { header, sealed } = parsed;
  if (header.alg !== key.algorithm || header.kid !== key.id) {
    throw new EnvelopeWrongKeyError(source, `${header.kid} (${header.alg})`, `${key.id} (${key.algorithm})`);
  }
  const plain = key.open(Buffer.from(header.nonce, "hex"), sealed, envelopeAad(header));
  if (plain === undefined) throw new EnvelopeTamperedError(source);
  return plain;
}

/** Whether a top-level member name appears twice in `text` (JSON.parse would keep the last). */
function duplicateMember(text: string): boolean {
  const names = [...text.matchAll(/"(format|alg|kid|kind|nonce|ciphertext)"\s*:/g)].map((m) => m[1]);
  return new Set(names).size !== names.length;
}
