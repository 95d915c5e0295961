/**
 * Attestations signed offline (EIP-712), like governance signatures: the attestor needs only the
 * agreement id, the deployment file and a key — no node. Anyone submits the files later, before
 * the deadline the attestor signed; the escrow then screens the attestor like an on-chain one
 * (an active member, bound to the kind in that milestone).
 *
 * Typed data (docs/payments.md gives a test vector):
 *   domain  { name: "Clearhouse ConditionalEscrow", version: "1", chainId, verifyingContract: escrow }
 *   Attestation(uint256 agreement,uint256 milestone,uint8 kind,bytes32 evidenceHash,uint64 deadline)
 */
import {
  getAddress,
  hashTypedData,
  isAddress,
  isHex,
  keccak256,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type LocalAccount,
} from "viem";
import { ClearhouseError, InvalidArgumentError } from "../errors/base";
import { ATTESTATION_KINDS, type AttestationKindName } from "./terms";
import { attestationKindIndex } from "./onChainTerms";
import { signHashSm2, sm2PublicKeyOf, verifyHashSm2, type Sm2KeyPair } from "../crypto/sm2";

export const ATTESTATION_FORMAT = "clearhouse.attestation/2";

/** How long a signed attestation stays submittable when the signer gives no deadline: 7 days. */
export const DEFAULT_ATTESTATION_LIFETIME = 7n * 86_400n;

export interface AttestationMessage {
  escrow: Address;
  chainId: number;
  agreementId: bigint;
  milestone: number;
  kind: AttestationKindName;
  evidenceHash: Hex;
  /** The last second (unix time) at which the signature may be submitted. */
  deadline: bigint;
}

/** What `signAttestation` takes: the message, its deadline optional (default: 7 days from the local clock). */
export type AttestationRequest = Omit<AttestationMessage, "deadline"> & { deadline?: bigint };

export interface SignedAttestation extends AttestationMessage {
  /** The attestor: a key's address (ECDSA), or the SM2Signer contract standing for an SM2 key. */
  signer: Address;
  /** ECDSA: 65 bytes. SM2: `abi.encode(r, s)` (64 bytes), checked by the SM2Signer (ERC-1271). */
  signature: Hex;
  /** Only for an SM2 signature: the signing key, uncompressed (`0x04‖x‖y`), to check it offline. */
  publicKey?: Hex;
}

/** A signed attestation submitted after its deadline: the escrow would refuse it. */
export class AttestationExpiredError extends ClearhouseError {
  override name = "AttestationExpiredError";
  constructor(
    readonly signer: Address,
    readonly deadline: bigint,
    readonly now: bigint,
  ) {
    super(
      `${signer}'s attestation expired at ${new Date(Number(deadline) * 1000).toISOString()} (the chain's time is ${new Date(Number(now) * 1000).toISOString()}).`,
      {
        category: "input",
        hint: `Ask ${signer} to sign it again (\`clearhouse pay attest … --out\`, with --valid-for if needed).`,
      },
    );
  }
}

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "agreement", type: "uint256" },
    { name: "milestone", type: "uint256" },
    { name: "kind", type: "uint8" },
    { name: "evidenceHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

/** The EIP-712 typed data of an attestation (domain, types, message), as any EIP-712 signer takes it. */
export function attestationTypedData(m: AttestationMessage) {
  return {
    domain: { name: "Clearhouse ConditionalEscrow", version: "1", chainId: m.chainId, verifyingContract: m.escrow },
    types: ATTESTATION_TYPES,
    primaryType: "Attestation" as const,
    message: {
      agreement: m.agreementId,
      milestone: BigInt(m.milestone),
      kind: attestationKindIndex(m.kind),
      evidenceHash: m.evidenceHash,
      deadline: m.deadline,
    },
  };
}

/** keccak256 of an evidence document's bytes (a delivery note, an acceptance report, an invoice). */
export function evidenceHashOf(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}

/**
 * Sign an attestation with a local key (offline). Without a deadline it is submittable for
 * `DEFAULT_ATTESTATION_LIFETIME` from the local clock (no node is asked).
 */
export async function signAttestation(account: LocalAccount, r: AttestationRequest): Promise<SignedAttestation> {
  const deadline = r.deadline ?? BigInt(Math.floor(Date.now() / 1000)) + DEFAULT_ATTESTATION_LIFETIME;
  if (deadline <= 0n || deadline >= 1n << 64n) throw new InvalidArgumentError("deadline", "is not a uint64 unix time");
  const m: AttestationMessage = { ...r, deadline };
  const signature = await account.signTypedData(attestationTypedData(m));
  return { ...m, signer: account.address, signature };
}

/**
 * Sign an attestation offline with an SM2 key, for the SM2Signer contract `signer` that holds it
 * (an attestor of the agreement): the SM2 signature of the attestation's EIP-712 digest with the
 * default identity (docs/crypto.md). Whether `signer` holds the key is checked on submission.
 */
export function signAttestationSm2(key: Sm2KeyPair, signer: Address, r: AttestationRequest): SignedAttestation {
  const deadline = r.deadline ?? BigInt(Math.floor(Date.now() / 1000)) + DEFAULT_ATTESTATION_LIFETIME;
  if (deadline <= 0n || deadline >= 1n << 64n) throw new InvalidArgumentError("deadline", "is not a uint64 unix time");
  if (!isAddress(signer)) throw new InvalidArgumentError("signer", `${String(signer)} is not an address`);
  const m: AttestationMessage = { ...r, deadline };
  const signature = signHashSm2(hashTypedData(attestationTypedData(m)), key);
  return { ...m, signer: getAddress(signer), signature, publicKey: key.publicKey.uncompressed };
}

/** Who signed an attestation (checks the signature against its own content). */
export async function attestationSigner(a: SignedAttestation): Promise<Address> {
  return recoverTypedDataAddress({ ...attestationTypedData(a), signature: a.signature });
}

/** The JSON an attestation file holds (`clearhouse.attestation/2`). */
export function attestationFileOf(a: SignedAttestation): Record<string, unknown> {
  return {
    format: ATTESTATION_FORMAT,
    ...a,
    agreementId: a.agreementId.toString(),
    deadline: a.deadline.toString(),
  };
}

/**
 * Check a parsed attestation file: every field, and that the signature is the signer's. `path`
 * names the file in errors.
 */
export async function parseAttestationFile(value: unknown, path = "attestation"): Promise<SignedAttestation> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidArgumentError("attestation", `${path} is not a JSON object`);
  const j = value as Record<string, unknown>;
  const bad = (field: string, problem: string) => new InvalidArgumentError(`${path}: ${field}`, problem);
  if (j.format !== ATTESTATION_FORMAT)
    throw bad(
      "format",
      j.format === "clearhouse.attestation/1"
        ? `is the old "clearhouse.attestation/1" (no deadline), which the escrow no longer accepts: sign again`
        : `must be "${ATTESTATION_FORMAT}"`,
    );
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
  if (typeof j.deadline !== "string" || !/^\d{1,20}$/.test(j.deadline) || BigInt(j.deadline) >= 1n << 64n)
    throw bad("deadline", "is not a decimal uint64 unix time");
  if (j.publicKey !== undefined && typeof j.publicKey !== "string") throw bad("publicKey", "is not hex");
  const a: SignedAttestation = {
    escrow: getAddress(j.escrow as string),
    chainId: j.chainId as number,
    agreementId: BigInt(j.agreementId),
    milestone: j.milestone as number,
    kind: j.kind as AttestationKindName,
    evidenceHash: j.evidenceHash as Hex,
    deadline: BigInt(j.deadline),
    signer: getAddress(j.signer as string),
    signature: j.signature as Hex,
  };
  if (j.publicKey !== undefined) return checkSm2Attestation({ ...a, publicKey: j.publicKey as Hex }, path);
  const recovered = await attestationSigner(a).catch(() => undefined);
  if (recovered !== a.signer)
    throw bad("signature", `is not ${a.signer}'s signature of this attestation (edited after signing?)`);
  return a;
}

/** An SM2 attestation: its key well-formed, its signature that key's signature of its content. */
function checkSm2Attestation(a: SignedAttestation & { publicKey: Hex }, path: string): SignedAttestation {
  let key;
  try {
    key = sm2PublicKeyOf(a.publicKey, `${path}: publicKey`);
  } catch (e) {
    throw new InvalidArgumentError(`${path}: publicKey`, (e as Error).message.split("\n")[0].replace(/^[^:]*: /, ""));
  }
  if (!verifyHashSm2(hashTypedData(attestationTypedData(a)), a.signature, key))
    throw new InvalidArgumentError(
      `${path}: signature`,
      `is not the SM2 key ${a.publicKey.slice(0, 14)}…'s signature of this attestation (it signs another message, or was edited after signing)`,
    );
  return { ...a, publicKey: key.uncompressed };
}
