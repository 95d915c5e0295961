/**
 * Why an encrypted envelope (docs/spec/encrypted-envelope.md) cannot be written or opened. Each is
 * bad input (category `input`, the CLI exits 2): nothing was written or sent.
 */
import { ClearhouseError } from "../../errors/base";

/** What every envelope error has. */
export class EnvelopeError extends ClearhouseError {
  override name = "EnvelopeError";
  constructor(shortMessage: string, hint: string) {
    super(shortMessage, { category: "input", hint });
  }
}

/** The key cannot be read, or does not fit the algorithm (16 bytes for SM4-GCM, 32 for AES-256-GCM). */
export class EnvelopeKeyError extends EnvelopeError {
  override name = "EnvelopeKeyError";
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(
      `Encryption key ${source}: ${problem}.`,
      "A key file holds 32 bytes for AES-256-GCM or 16 for SM4-GCM, raw or as hex (`openssl rand -hex 32 > batch.key`); an AES-256 key in an HSM comes from `clearhouse hsm aes-keygen`.",
    );
  }
}

/** The envelope names an algorithm this reader does not know, or is malformed. */
export class EnvelopeFormatError extends EnvelopeError {
  override name = "EnvelopeFormatError";
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(
      `Encrypted envelope ${source}: ${problem}.`,
      'An envelope starts with {"format":"clearhouse.enc/1" and names "AES-256-GCM" or "SM4-GCM" (docs/spec/encrypted-envelope.md).',
    );
  }
}

/** The key is not the one the envelope was sealed with. */
export class EnvelopeWrongKeyError extends EnvelopeError {
  override name = "EnvelopeWrongKeyError";
  constructor(
    readonly source: string,
    readonly sealedWith: string,
    readonly given: string,
  ) {
    super(
      `Encrypted envelope ${source} was sealed with key ${sealedWith}, not with the key given (${given}).`,
      "Pass the key it was encrypted with (--encrypt-key, or CLEARHOUSE_ENCRYPT_KEY).",
    );
  }
}

/** The tag does not verify: the ciphertext, the nonce or the header was changed (or the key is another with the same id). */
export class EnvelopeTamperedError extends EnvelopeError {
  override name = "EnvelopeTamperedError";
  constructor(readonly source: string) {
    super(
      `Encrypted envelope ${source} does not authenticate: its ciphertext or header was changed after it was sealed.`,
      "Nothing was decrypted. Fetch the original file again; do not use this copy.",
    );
  }
}
