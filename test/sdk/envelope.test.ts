/**
 * Encrypted envelopes (docs/spec/encrypted-envelope.md): the spec's vectors checked against the
 * SDK and against independent implementations (WebCrypto AES-GCM, sm-crypto-v2's SM4-GCM called
 * directly, RFC 8998's SM4-GCM example); every refusal (wrong key, tampered ciphertext or header,
 * unknown algorithm, key of the wrong length, a webhook envelope given as a batch file); batch
 * files written encrypted and read back transparently; and AES-256-GCM with a key generated inside
 * SoftHSM2 (skipped with the reason when SoftHSM2 is absent, mandatory under CLEARHOUSE_REQUIRE_HSM=1).
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sm4 } from "sm-crypto-v2";
import { getAddress, keccak256, stringToHex, type Address } from "viem";
import {
  EnvelopeFormatError,
  EnvelopeKeyError,
  EnvelopeTamperedError,
  EnvelopeWrongKeyError,
  envelopeKeyFromBytes,
  generatePkcs11AesKey,
  openEnvelope,
  parseEnvelopeFile,
  parseEnvelopeJson,
  pkcs11EnvelopeKey,
  readEnvelopeKeyFile,
  sealEnvelopeFile,
  sealEnvelopeJson,
  type EnvelopeKey,
} from "../../packages/sdk/src/node/envelope";
import {
  readBatchFile,
  readBatchFileHead,
  verifyBatchFileStream,
  writeBatchFile,
  writeBatchStream,
  writeSharedBatchFile,
} from "../../packages/sdk/src/node";
import { Pkcs11PinError } from "../../packages/sdk/src/node/pkcs11";
import { buildBatch, type PaymentRecord } from "../../packages/sdk/src/settlement";
import { computeEnvelopeVectors, ENVELOPE_VECTORS_JSON } from "../../scripts/spec/envelope-vectors";
import { requireSoftHsm, TOKENS, USER_PIN } from "../helpers/softhsm";

interface AlgVectors {
  key: string;
  kid: string;
  nonce: string;
  file: { plaintext: string; headerLine: string; aad: string; ciphertext: string; tag: string; bytes: string };
  json: { plaintext: string; body: string };
}
const vectors = JSON.parse(readFileSync(ENVELOPE_VECTORS_JSON, "utf8")) as Record<
  "AES-256-GCM" | "SM4-GCM",
  AlgVectors
>;
const hex = (h: string) => Buffer.from(h, "hex");
const dir = mkdtempSync(join(tmpdir(), "envelope-"));
const aes = () => envelopeKeyFromBytes(hex(vectors["AES-256-GCM"].key), "aes");
const sm4Key = () => envelopeKeyFromBytes(hex(vectors["SM4-GCM"].key), "sm4");

describe("encrypted envelopes (clearhouse.enc/1)", function () {
  describe("vectors and independent implementations", function () {
    it("the vectors file is what the generator computes now, and the spec page shows it", function () {
      expect(JSON.parse(JSON.stringify(computeEnvelopeVectors()))).to.deep.equal(vectors);
      const spec = readFileSync(join(__dirname, "..", "..", "docs", "spec", "encrypted-envelope.md"), "utf8");
      for (const v of Object.values(vectors).filter((x): x is AlgVectors => typeof x === "object")) {
        for (const value of [v.key, v.kid, v.file.headerLine, v.file.aad, v.file.ciphertext, v.file.tag, v.json.body])
          expect(spec, value).to.contain(value);
      }
    });

    it("AES-256-GCM: WebCrypto decrypts the vector's ciphertext ‖ tag under the vector's AAD", async function () {
      const v = vectors["AES-256-GCM"];
      const key = await webcrypto.subtle.importKey("raw", hex(v.key), "AES-GCM", false, ["decrypt"]);
      const plain = await webcrypto.subtle.decrypt(
        { name: "AES-GCM", iv: hex(v.nonce), additionalData: Buffer.from(v.file.aad, "utf8"), tagLength: 128 },
        key,
        Buffer.concat([hex(v.file.ciphertext), hex(v.file.tag)]),
      );
      expect(Buffer.from(plain).toString("utf8")).to.equal(v.file.plaintext);
    });

    it("SM4-GCM: sm-crypto-v2 called directly gives the vector; the SDK gives RFC 8998's example", function () {
      const v = vectors["SM4-GCM"];
      const out = sm4.encrypt(Buffer.from(v.file.plaintext, "utf8"), hex(v.key), {
        mode: "gcm",
        iv: hex(v.nonce),
        associatedData: Buffer.from(v.file.aad, "utf8"),
        outputTag: true,
        output: "array",
      });
      expect(Buffer.from(out.output).toString("hex")).to.equal(v.file.ciphertext);
      expect(Buffer.from(out.tag!).toString("hex")).to.equal(v.file.tag);
      // RFC 8998 appendix A.1 (SM4-GCM): key, IV, AAD, plaintext, ciphertext and tag.
      const rfc = envelopeKeyFromBytes(hex("0123456789abcdeffedcba9876543210"), "rfc8998");
      const sealed = rfc.seal(
        hex("00001234567800000000abcd"),
        hex(
          "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccddddddddddddddddeeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
        ),
        hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
      );
      expect(Buffer.from(sealed).toString("hex")).to.equal(
        "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d" +
          "83de3541e4c2b58177e065a9bf7b62ec",
      );
    });

    for (const alg of ["AES-256-GCM", "SM4-GCM"] as const) {
      it(`${alg}: opens both vector forms; a fresh seal uses a new random nonce`, function () {
        const v = vectors[alg];
        const key = alg === "AES-256-GCM" ? aes() : sm4Key();
        expect(key.id).to.equal(v.kid);
        const file = openEnvelope(key, parseEnvelopeFile(hex(v.file.bytes), "vector", "clearhouse.batch"), "vector");
        expect(Buffer.from(file).toString("utf8")).to.equal(v.file.plaintext);
        const json = openEnvelope(key, parseEnvelopeJson(v.json.body, "vector", "clearhouse.webhook"), "vector");
        expect(Buffer.from(json).toString("utf8")).to.equal(v.json.plaintext);
        const a = parseEnvelopeJson(sealEnvelopeJson(key, "clearhouse.webhook", Buffer.from("x")), "a");
        const b = parseEnvelopeJson(sealEnvelopeJson(key, "clearhouse.webhook", Buffer.from("x")), "b");
        expect(a.header.nonce).to.not.equal(b.header.nonce);
      });
    }
  });

  describe("refusals", function () {
    const sealed = () => sealEnvelopeFile(aes(), "clearhouse.batch", Buffer.from("secret batch\n"));

    it("another key: EnvelopeWrongKeyError naming both key ids", function () {
      const other = envelopeKeyFromBytes(Buffer.alloc(32, 7), "other");
      expect(() => openEnvelope(other, parseEnvelopeFile(sealed(), "f"), "f")).to.throw(
        EnvelopeWrongKeyError,
        new RegExp(
          `sealed with key ${vectors["AES-256-GCM"].kid} \\(AES-256-GCM\\), not with the key given \\(${other.id}`,
        ),
      );
      expect(() => openEnvelope(sm4Key(), parseEnvelopeFile(sealed(), "f"), "f")).to.throw(EnvelopeWrongKeyError);
    });

    it("a flipped ciphertext byte, tag byte, or nonce: EnvelopeTamperedError", function () {
      for (const at of [-1, -17, -20]) {
        const bytes = sealed();
        bytes[bytes.length + at] ^= 1;
        expect(() => openEnvelope(aes(), parseEnvelopeFile(bytes, "f"), "f"), `at ${at}`).to.throw(
          EnvelopeTamperedError,
          /does not authenticate/,
        );
      }
      const text = sealed().toString("latin1");
      const nonce = /"nonce":"([0-9a-f]{24})"/.exec(text)![1];
      const changed = Buffer.from(
        text.replace(nonce, `${nonce.slice(0, 23)}${nonce[23] === "0" ? "1" : "0"}`),
        "latin1",
      );
      expect(() => openEnvelope(aes(), parseEnvelopeFile(changed, "f"), "f")).to.throw(EnvelopeTamperedError);
      const sm4Sealed = sealEnvelopeFile(sm4Key(), "clearhouse.batch", Buffer.from("secret"));
      sm4Sealed[sm4Sealed.length - 1] ^= 0x80;
      expect(() => openEnvelope(sm4Key(), parseEnvelopeFile(sm4Sealed, "f"), "f")).to.throw(EnvelopeTamperedError);
    });

    it("a changed kind (webhook envelope given as a batch file) is refused before decrypting", function () {
      const body = sealEnvelopeJson(aes(), "clearhouse.webhook", Buffer.from("{}"));
      expect(() => parseEnvelopeJson(body, "w", "clearhouse.batch")).to.throw(
        EnvelopeFormatError,
        /holds a clearhouse.webhook, not a clearhouse.batch/,
      );
      // Relabelled kind: the AAD differs, the tag fails.
      const relabelled = body.replace('"kind":"clearhouse.webhook"', '"kind":"clearhouse.batch"');
      expect(() => openEnvelope(aes(), parseEnvelopeJson(relabelled, "w"), "w")).to.throw(EnvelopeTamperedError);
    });

    it("an unknown algorithm, a malformed nonce, a truncated file: EnvelopeFormatError", function () {
      const text = sealed().toString("latin1");
      expect(() =>
        parseEnvelopeFile(Buffer.from(text.replace("AES-256-GCM", "ChaCha20-Poly1305"), "latin1"), "f"),
      ).to.throw(EnvelopeFormatError, /unknown algorithm "ChaCha20-Poly1305"/);
      expect(() =>
        parseEnvelopeFile(Buffer.from(text.replace(/"nonce":"[0-9a-f]+"/, '"nonce":"00"'), "latin1"), "f"),
      ).to.throw(EnvelopeFormatError, /nonce is not 12 bytes/);
      const bytes = sealed();
      expect(() => parseEnvelopeFile(bytes.subarray(0, bytes.indexOf(0x0a) + 5), "f")).to.throw(
        EnvelopeFormatError,
        /truncated/,
      );
    });

    it("a key of the wrong length, and key files raw or hex", function () {
      expect(() => envelopeKeyFromBytes(Buffer.alloc(24), "k")).to.throw(
        EnvelopeKeyError,
        /24 bytes long, expected 32 \(AES-256-GCM\) or 16/,
      );
      expect(() => envelopeKeyFromBytes(Buffer.alloc(32), "k", "SM4-GCM")).to.throw(
        EnvelopeKeyError,
        /expected 16 for SM4-GCM/,
      );
      const raw = join(dir, "raw.key");
      writeFileSync(raw, hex(vectors["SM4-GCM"].key));
      expect(readEnvelopeKeyFile(raw).id).to.equal(vectors["SM4-GCM"].kid);
      const hexFile = join(dir, "hex.key");
      writeFileSync(hexFile, `0x${vectors["AES-256-GCM"].key}\n`);
      expect(readEnvelopeKeyFile(hexFile).algorithm).to.equal("AES-256-GCM");
      expect(() => readEnvelopeKeyFile(join(dir, "missing.key"))).to.throw(
        EnvelopeKeyError,
        /cannot be read \(ENOENT\)/,
      );
    });
  });

  describe("batch files at rest", function () {
    const bank = getAddress(keccak256(stringToHex("bank a")).slice(0, 42)) as Address;
    const other = getAddress(keccak256(stringToHex("bank b")).slice(0, 42)) as Address;
    const records: PaymentRecord[] = Array.from({ length: 3 }, (_, i) => ({
      paymentId: `SECRET-PAY-${i}`,
      debtorBank: bank,
      creditorBank: other,
      amount: 1000n + BigInt(i),
      currency: "EUR",
      valueDate: "2026-12-07",
      endToEndId: `E2E-${i}`,
      debtorAccountHash: keccak256(stringToHex(`d${i}`)),
      creditorAccountHash: keccak256(stringToHex(`c${i}`)),
    }));

    for (const [name, key] of [
      ["AES-256-GCM", aes],
      ["SM4-GCM", sm4Key],
    ] as const) {
      it(`${name}: clearhouse.batch/2 written sealed, read and verified with the key, refused without it`, async function () {
        const path = join(dir, `v2-${name}.batch`);
        const { batch } = await writeBatchStream(path, records, {
          submitter: bank,
          key: "ENC-1",
          encryptionKey: key(),
        });
        const onDisk = readFileSync(path);
        expect(onDisk.toString("latin1")).to.match(/^\{"format":"clearhouse\.enc\/1"/);
        expect(onDisk.toString("latin1")).to.not.contain("SECRET-PAY");
        const head = readBatchFileHead(path, { encryptionKey: key() });
        expect(head?.seal.ok).to.equal(true);
        expect(head?.header.root).to.equal(batch.header.root);
        expect(readBatchFile(path, { encryptionKey: key() }).records.map((r) => r.paymentId)).to.deep.equal(
          records.map((r) => r.paymentId),
        );
        const verified = await verifyBatchFileStream(path, batch.header, {
          encryptionKey: key(),
          payment: "SECRET-PAY-1",
        });
        expect(verified?.ok).to.equal(true);
        expect(() => readBatchFileHead(path)).to.throw(
          EnvelopeKeyError,
          /is encrypted \(.*\) and no decryption key was given/,
        );
        const wrong = envelopeKeyFromBytes(Buffer.alloc(name === "SM4-GCM" ? 16 : 32, 9), "wrong");
        expect(() => readBatchFile(path, { encryptionKey: wrong })).to.throw(EnvelopeWrongKeyError);
        const tampered = Buffer.from(onDisk);
        tampered[tampered.length - 40] ^= 1;
        writeFileSync(path, tampered);
        expect(() => readBatchFile(path, { encryptionKey: key() })).to.throw(EnvelopeTamperedError);
      });
    }

    it("clearhouse.batch/1 and shared files sealed; a plain file still reads with a key configured", function () {
      const batch = buildBatch(records, { submitter: bank, key: "ENC-2" });
      const v1 = join(dir, "v1.json");
      writeBatchFile(v1, batch, { encryptionKey: sm4Key() });
      expect(readFileSync(v1, "latin1")).to.not.contain("SECRET-PAY");
      const file = readBatchFile(v1, { encryptionKey: sm4Key() });
      expect(file.header.root).to.equal(batch.header.root);
      const shared = join(dir, "shared.batch");
      writeSharedBatchFile(shared, file, { encryptionKey: aes() });
      expect(readBatchFileHead(shared, { encryptionKey: aes() })?.seal.ok).to.equal(true);
      const plain = join(dir, "plain.json");
      writeBatchFile(plain, batch);
      expect(readBatchFile(plain, { encryptionKey: aes() }).batchId).to.equal(batch.batchId);
    });
  });

  describe("AES-256-GCM in an HSM (SoftHSM2, CKM_AES_GCM)", function () {
    let module: string;
    let key: EnvelopeKey;
    const uri = `pkcs11:token=${TOKENS.other};object=envelope-aes`;
    before(function () {
      module = requireSoftHsm(this).module;
      expect(generatePkcs11AesKey({ token: TOKENS.other, label: "envelope-aes", pin: USER_PIN, module })).to.equal(uri);
      key = pkcs11EnvelopeKey({ uri, pin: USER_PIN, module });
    });

    it("seals and opens in the token; the key id is the URI; tampering and a wrong PIN are refused", function () {
      expect(key.algorithm).to.equal("AES-256-GCM");
      expect(key.id).to.equal(uri);
      const body = sealEnvelopeJson(key, "clearhouse.webhook", Buffer.from('{"type":"test"}'));
      expect(Buffer.from(openEnvelope(key, parseEnvelopeJson(body, "w"), "w")).toString()).to.equal('{"type":"test"}');
      const file = sealEnvelopeFile(key, "clearhouse.batch", Buffer.from("batch text\n"));
      file[file.length - 3] ^= 4;
      expect(() => openEnvelope(key, parseEnvelopeFile(file, "f"), "f")).to.throw(EnvelopeTamperedError);
      expect(() => pkcs11EnvelopeKey({ uri, pin: "0000", module })).to.throw(Pkcs11PinError);
    });

    it("the key was generated in the token: a secret key object, sensitive, never extractable", function () {
      const listing = requireSoftHsm(this).tool(TOKENS.other, "--list-objects", "--type", "secrkey");
      expect(listing).to.contain("envelope-aes");
      expect(listing).to.match(/AES length 32/);
      expect(listing).to.match(/never extractable/);
    });
  });
});
