import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "../errors/base";
import { attestationFileOf, parseAttestationFile, type SignedAttestation } from "../payments/attestation";
import { writeJsonAtomic } from "./fileio";

/** Write an attestation file atomically. */
export function writeAttestationFile(path: string, a: SignedAttestation): void {
  writeJsonAtomic(path, attestationFileOf(a));
}

/** Read and check an attestation file: every field, and that the signature is the signer's. */
export async function readAttestationFile(path: string): Promise<SignedAttestation> {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError("attestation", `cannot read ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseAttestationFile(j, path);
}
