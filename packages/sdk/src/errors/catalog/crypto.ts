/** Messages of the errors of contracts/crypto/: the SM2Signer and the SM2 library it uses. */
import type { sm2SignerAbi } from "@clearhouse/contracts";
import type { CatalogPart, OwnErrorName } from "./types";

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(64, "0")}`;

/** The SM2Signer's errors, and SM2IdentityTooLong of the SM2 library it links. */
export const cryptoErrors: CatalogPart<OwnErrorName<typeof sm2SignerAbi>> = {
  SM2SignerInvalidKey: ([px, py]) => ({
    message: `(${hex64(px)}, ${hex64(py)}) is not an SM2 public key: not a point of sm2p256v1 with coordinates below p, or ±G (private key 1 or n − 1)`,
    hint: "Deploy the signer for the 64 bytes after the 04 of the official's uncompressed sm2p256v1 public key (`clearhouse sm2 address --key-file <file>` prints it).",
  }),
  SM2IdentityTooLong: ([length]) => ({
    message: `an SM2 identity of ${length} bytes is longer than the 8,191 bytes its 16-bit bit length can state`,
    hint: "Use an identity of at most 8,191 bytes; SM2Signer itself uses the default identity 1234567812345678.",
  }),
};
