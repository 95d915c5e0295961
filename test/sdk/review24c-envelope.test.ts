/**
 * Review 24c (attacker review of decision 046): encrypted envelopes. Each test asserts the CORRECT
 * behaviour; the skipped ones fail until the finding they name is fixed.
 */
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EnvelopeFormatError,
  EnvelopeKeyError,
  EnvelopeTamperedError,
  envelopeKeyFromBytes,
  openEnvelope,
  parseEnvelopeFile,
  parseEnvelopeJson,
  readEnvelopeKeyFile,
  sealEnvelopeFile,
  sealEnvelopeJson,
} from "../../packages/sdk/src/node/envelope";

const dir = mkdtempSync(join(tmpdir(), "review24c-envelope-"));
const aes = () => envelopeKeyFromBytes(Buffer.alloc(32, 7), "aes");
const sm4 = () => envelopeKeyFromBytes(Buffer.alloc(16, 9), "sm4");
const plain = Buffer.from('{"format":"clearhouse.batch/2"}\n', "utf8");

/** Open the file form, or the error it throws. */
function tryOpen(bytes: Buffer, key = aes()): Uint8Array | Error {
  try {
    return openEnvelope(key, parseEnvelopeFile(bytes, "f.enc", "clearhouse.batch"), "f.enc");
  } catch (e) {
    return e as Error;
  }
}

describe("review24c: encrypted envelopes (attacker findings)", function () {
  it("a changed nonce, kind, kid or algorithm in the header fails the tag or is refused", function () {
    const sealed = sealEnvelopeFile(aes(), "clearhouse.batch", plain);
    const nl = sealed.indexOf(0x0a);
    const line = sealed.subarray(0, nl).toString("utf8");
    const body = sealed.subarray(nl);
    const nonce = JSON.parse(line).nonce as string;
    const other = nonce.replace(/^./, nonce[0] === "0" ? "1" : "0");
    expect(tryOpen(Buffer.concat([Buffer.from(line.replace(nonce, other)), body]))).to.be.instanceOf(
      EnvelopeTamperedError,
    );
    expect(tryOpen(Buffer.concat([Buffer.from(line.replace('"AES-256-GCM"', '"SM4-GCM"')), body]))).to.be.an("error");
    expect(
      tryOpen(Buffer.concat([Buffer.from(line.replace("clearhouse.batch", "clearhouse.webhook")), body])),
    ).to.be.instanceOf(EnvelopeFormatError);
  });

  it("a truncated tag (fewer than 16 bytes after the header) is refused, not opened", function () {
    const sealed = sealEnvelopeFile(sm4(), "clearhouse.batch", Buffer.alloc(0));
    const short = sealed.subarray(0, sealed.length - 1);
    expect(tryOpen(short, sm4())).to.be.instanceOf(EnvelopeFormatError);
  });

  // LOW: the associated data is re-derived from the PARSED header (five members, canonical JSON), not
  // from the header bytes. So the header line is malleable without touching the tag: extra members,
  // reordered members, whitespace — all open. The spec (§2, §3) says a header has exactly five members
  // and the file form's line is "members in the order of §2, no whitespace". Envelope bytes are not
  // unique (a sealed file can be rewritten into other bytes that still open, e.g. changing its
  // SHA-256 for anyone deduplicating or pinning files by hash), and an attacker can smuggle data
  // into an "authenticated" header that other readers may display or act on.
  it("fails until fixed: a header line with a sixth member is refused (the spec's header has five)", function () {
    const sealed = sealEnvelopeFile(aes(), "clearhouse.batch", plain);
    const nl = sealed.indexOf(0x0a);
    const line = sealed.subarray(0, nl).toString("utf8");
    const smuggled = line.replace(/}$/, ',"note":"approved by the regulator"}');
    const result = tryOpen(Buffer.concat([Buffer.from(smuggled), sealed.subarray(nl)]));
    expect(result).to.be.instanceOf(EnvelopeFormatError);
  });

  // LOW: duplicate members. JSON.parse keeps the LAST `kind`; a reader in another language that keeps
  // the first (or refuses) sees a different header than the one the tag was checked against. The
  // envelope still opens here with an extra, unauthenticated `"kind":"clearhouse.batch"` in it.
  it("fails until fixed: a JSON-form envelope with a duplicate member is refused", function () {
    const body = sealEnvelopeJson(aes(), "clearhouse.webhook", Buffer.from('{"type":"x"}'));
    const dup = body.replace('"kind":"clearhouse.webhook"', '"kind":"clearhouse.batch","kind":"clearhouse.webhook"');
    expect(dup).to.not.equal(body);
    let error: unknown;
    try {
      openEnvelope(aes(), parseEnvelopeJson(dup, "body", "clearhouse.webhook"), "body");
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(EnvelopeFormatError);
  });

  // LOW: a key file of exactly 32 bytes is taken as a raw AES-256 key. `printf %s <32 hex digits>`
  // (an SM4 key written as hex without a newline — what `echo -n` or most secret stores produce) is
  // 32 bytes, so it becomes an AES-256-GCM key made of the ASCII of the hex digits: a consortium in
  // `national` mode silently writes AES-256-GCM envelopes, and a non-Clearhouse reader that parses
  // the hex gets another key. A random 32-byte key is all hex digits with probability (22/256)^32,
  // so "32 hex digits" can safely mean the 16-byte key they spell (or be refused as ambiguous).
  it("fails until fixed: a 32-byte key file of 32 hex digits is the SM4 key they spell, or refused", function () {
    const path = join(dir, "sm4-hex-no-newline.key");
    writeFileSync(path, "0123456789abcdeffedcba9876543210");
    let key;
    try {
      key = readEnvelopeKeyFile(path);
    } catch (e) {
      expect(e).to.be.instanceOf(EnvelopeKeyError);
      return;
    }
    expect(key.algorithm).to.equal("SM4-GCM");
  });
});
