/**
 * Attestations signed offline (EIP-712), like governance signatures: the attestor needs only the
 * agreement id, the deployment file and a key — no node. Anyone submits the files later.
 */
import { readFileSync } from "node:fs";
import {
  getAddress,
  isAddress,
  isHex,
  keccak256,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type LocalAccount,
} from "viem";
import { InvalidArgumentError } from "../errors/base";
import { writeJsonAtomic } from "../fileio";
import { ATTESTATION_KINDS, attestationKindIndex, type AttestationKindName } from "./terms";

export const ATTESTATION_FORMAT = "clearhouse.attestation/1";

export interface AttestationMessage {
  escrow: Address;
  chainId: number;
  agreementId: bigint;
  milestone: number;
  kind: AttestationKindName;
  evidenceHash: Hex;
}

export interface SignedAttestation extends AttestationMessage {
  signer: Address;
  signature: Hex;
}

const TYPES = {
  Attestation: [
    { name: "agreement", type: "uint256" },
    { name: "milestone", type: "uint256" },
    { name: "kind", type: "uint8" },
    { name: "evidenceHash", type: "bytes32" },
  ],
} as const;

function typedData(m: AttestationMessage) {
  return {
    domain: { name: "Clearhouse ConditionalEscrow", version: "1", chainId: m.chainId, verifyingContract: m.escrow },
    types: TYPES,
    primaryType: "Attestation" as const,
    message: {
      agreement: m.agreementId,
      milestone: BigInt(m.milestone),
      kind: attestationKindIndex(m.kind),
      evidenceHash: m.evidenceHash,
    },
  };
}

/** keccak256 of an evidence document's bytes (a delivery note, an acceptance report, an invoice). */
export function evidenceHashOf(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}

/** Sign an attestation with a local key (offline). */
export async function signAttestation(account: LocalAccount, m: AttestationMessage): Promise<SignedAttestation> {
  const signature = await account.signTypedData(typedData(m));
  return { ...m, signer: account.address, signature };
}

/** Who signed an attestation (checks the signature against its own content). */
export async function attestationSigner(a: SignedAttestation): Promise<Address> {
  return recoverTypedDataAddress({ ...typedData(a), signature: a.signature });
}

export function writeAttestationFile(path: string, a: SignedAttestation): void {
  writeJsonAtomic(path, {
    format: ATTESTATION_FORMAT,
    ...a,
    agreementId: a.agreementId.toString(),
  });
}

/** Read and check an attestation file: every field, and that the signature is the signer's. */
export async function readAttestationFile(path: string): Promise<SignedAttestation> {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidArgumentError("attestation", `cannot read ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  const bad = (field: string, problem: string) => new InvalidArgumentError(`${path}: ${field}`, problem);
  if (j.format !== ATTESTATION_FORMAT) throw bad("format", `must be "${ATTESTATION_FORMAT}"`);
  for (const f of ["escrow", "signer"])
    if (typeof j[f] !== "string" || !isAddress(j[f] as string)) throw bad(f, "is not an address");
  if (!Number.isInteger(j.chainId)) throw bad("chainId", "is not an integer");
  if (typeof j.agreementId !== "string" || !/^\d+$/.test(j.agreementId))
    throw bad("agreementId", "is not a decimal integer");
  if (!Number.isInteger(j.milestone) || (j.milestone as number) < 0) throw bad("milestone", "is not a milestone index");
  if (!ATTESTATION_KINDS.includes(j.kind as AttestationKindName))
    throw bad("kind", `must be one of ${ATTESTATION_KINDS.join(", ")}`);
  if (typeof j.evidenceHash !== "string" || !isHex(j.evidenceHash) || j.evidenceHash.length !== 66)
    throw bad("evidenceHash", "is not 32 bytes of hex");
  if (typeof j.signature !== "string" || !isHex(j.signature)) throw bad("signature", "is not hex");
  const a: SignedAttestation = {
    escrow: getAddress(j.escrow as string),
    chainId: j.chainId as number,
    agreementId: BigInt(j.agreementId),
    milestone: j.milestone as number,
    kind: j.kind as AttestationKindName,
    evidenceHash: j.evidenceHash as Hex,
    signer: getAddress(j.signer as string),
    signature: j.signature as Hex,
  };
  const recovered = await attestationSigner(a).catch(() => undefined);
  if (recovered !== a.signer)
    throw bad("signature", `is not ${a.signer}'s signature of this attestation (edited after signing?)`);
  return a;
}
