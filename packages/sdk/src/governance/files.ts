/**
 * Offline governance files. A proposal (or lane cancel) is written as a JSON file holding its
 * EIP-712 typed data; a signer on an air-gapped machine needs only that file and a key to produce a
 * signature file; anyone merges the signature files and submits them. Nothing here talks to a node.
 */
import {
  concat,
  getAddress,
  numberToHex,
  pad,
  hashTypedData,
  isAddress,
  isHex,
  recoverTypedDataAddress,
  type Abi,
  type Address,
  type Hex,
  type LocalAccount,
  type TypedDataDefinition,
} from "viem";
import { ClearhouseError, InvalidArgumentError } from "../errors/base";
import { cancelTypes, proposalTypes, type Proposal } from "./typedData";
import { CONTRACTS, CONTRACT_NAMES, deployedContract, type ContractName, type Deployment } from "@clearhouse/contracts";
import { decodeCall, describeCallData, type CallUnits } from "./describe";
import { signHashSm2, sm2PublicKeyOf, verifyHashSm2, type Sm2KeyPair } from "../crypto/sm2";

export const PROPOSAL_FORMAT = "clearhouse.proposal/1";
export const SIGNATURE_FORMAT = "clearhouse.signature/1";

/** A decimal string: bigints travel through JSON as strings. */
type Dec = string;

interface Domain {
  name: "ClearhouseMultisig";
  version: "1";
  chainId: number;
  verifyingContract: Address;
}

export interface ProposalTypedData {
  domain: Domain;
  types: typeof proposalTypes;
  primaryType: "Proposal";
  message: { target: Address; value: Dec; data: Hex; lane: Dec; nonce: Dec; notBefore: Dec; expiry: Dec };
}

export interface CancelTypedData {
  domain: Domain;
  types: typeof cancelTypes;
  primaryType: "Cancel";
  message: { lane: Dec; nonce: Dec };
}

/** What `gov propose` / `gov cancel` write and `gov sign` reads. */
export interface GovernanceFile {
  format: typeof PROPOSAL_FORMAT;
  description: string;
  /** The EIP-712 digest the signers sign; re-derived from `typedData` on every read. */
  hash: Hex;
  typedData: ProposalTypedData | CancelTypedData;
  /** The decoded call, for humans reviewing the file before signing. */
  call?: { contract: string; functionName: string; args: string[] };
  /**
   * The settlement token's symbol and decimals when the file was built, for showing amounts in
   * currency units. Not signed: a reviewer prefers the deployment's (see `describeGovernanceFile`).
   */
  units?: CallUnits;
  createdAt: string;
}

/** What `gov sign` writes. */
export interface SignatureFile {
  format: typeof SIGNATURE_FORMAT;
  hash: Hex;
  /** The key's address (ECDSA), or the SM2Signer contract that stands for the SM2 key (`scheme: "sm2"`). */
  signer: Address;
  /** ECDSA: 65 bytes `r‖s‖v`. SM2: `abi.encode(r, s)`, 64 bytes, checked by the SM2Signer (ERC-1271). */
  signature: Hex;
  /** Absent for an ECDSA signature; `"sm2"` for an SM2Signer's. */
  scheme?: "sm2";
  /** With `scheme: "sm2"`: the signing SM2 key, uncompressed (`0x04‖x‖y`), to check the signature offline. */
  publicKey?: Hex;
  signedAt: string;
}

/** A governance or signature file is malformed or does not match what it claims. */
export class GovernanceFileError extends ClearhouseError {
  override name = "GovernanceFileError";
  constructor(
    readonly file: string,
    problem: string,
    hint = "Use the file exactly as `gov propose`/`gov sign` wrote it.",
  ) {
    super(`${file}: ${problem}.`, { category: "input", hint });
  }
}

const dec = (field: string, value: unknown, file: string): bigint => {
  if (typeof value !== "string" || !/^\d+$/.test(value))
    throw new GovernanceFileError(file, `${field} is not a decimal string`);
  return BigInt(value);
};

/** The proposal a file describes (throws for a cancel file). */
export function proposalOf(file: GovernanceFile, name = "proposal"): Proposal {
  const td = file.typedData;
  if (td.primaryType !== "Proposal") throw new GovernanceFileError(name, "is a cancel, not a proposal");
  const m = td.message;
  return {
    target: m.target,
    value: dec("value", m.value, name),
    data: m.data,
    lane: dec("lane", m.lane, name),
    nonce: dec("nonce", m.nonce, name),
    notBefore: dec("notBefore", m.notBefore, name),
    expiry: dec("expiry", m.expiry, name),
  };
}

/** The typed data with bigints restored, ready for viem. */
function typedDataOf(file: GovernanceFile, name: string): TypedDataDefinition {
  const td = file.typedData;
  if (td.primaryType === "Proposal") {
    return { domain: td.domain, types: proposalTypes, primaryType: "Proposal", message: { ...proposalOf(file, name) } };
  }
  const message = { lane: dec("lane", td.message.lane, name), nonce: dec("nonce", td.message.nonce, name) };
  return { domain: td.domain, types: cancelTypes, primaryType: "Cancel", message };
}

/** The EIP-712 digest of a file's typed data. */
export function digestOf(file: GovernanceFile, name = "proposal"): Hex {
  return hashTypedData(typedDataOf(file, name));
}

/** Validate a parsed governance file: shape, and that `hash` is the digest of `typedData`. */
export function parseGovernanceFile(value: unknown, name = "proposal"): GovernanceFile {
  const f = value as Partial<GovernanceFile> | null;
  if (!f || typeof f !== "object" || f.format !== PROPOSAL_FORMAT) {
    throw new GovernanceFileError(name, `is not a ${PROPOSAL_FORMAT} file`);
  }
  // Not signed, and printed above the decoded call: a newline or a terminal escape in it would
  // forge review lines or hide the real ones (ESC[8m conceals what follows).
  if (typeof f.description !== "string" || /[\p{Cc}\p{Cf}]/u.test(f.description)) {
    throw new GovernanceFileError(
      name,
      "description must be one line of text without control or formatting characters (newlines, escapes, bidi marks)",
      "Do not sign it: the description is not signed and could forge the review. Ask the proposer for the original file.",
    );
  }
  const td = f.typedData as GovernanceFile["typedData"] | undefined;
  if (!td || (td.primaryType !== "Proposal" && td.primaryType !== "Cancel")) {
    throw new GovernanceFileError(name, "has no Proposal or Cancel typed data");
  }
  const d = td.domain;
  if (!d || d.name !== "ClearhouseMultisig" || d.version !== "1" || !Number.isInteger(d.chainId)) {
    throw new GovernanceFileError(name, "has a domain that is not the Clearhouse multisig's");
  }
  if (typeof d.verifyingContract !== "string" || !isAddress(d.verifyingContract)) {
    throw new GovernanceFileError(name, "domain.verifyingContract is not an address");
  }
  if (td.primaryType === "Proposal") {
    const m = td.message;
    if (!m || typeof m.target !== "string" || !isAddress(m.target)) {
      throw new GovernanceFileError(name, "message.target is not an address");
    }
    if (typeof m.data !== "string" || !isHex(m.data)) throw new GovernanceFileError(name, "message.data is not hex");
  }
  const file = f as GovernanceFile;
  const digest = digestOf(file, name);
  if (file.hash !== digest) {
    throw new GovernanceFileError(
      name,
      `hash ${file.hash} does not match its typed data (digest ${digest}): the file was altered`,
      "Do not sign it. Ask the proposer for the original file.",
    );
  }
  checkCallDescription(file, name);
  if (file.units !== undefined) checkUnits(file.units, name);
  return file;
}

function checkUnits(units: unknown, name: string): void {
  const u = units as Partial<CallUnits> | null;
  const ok =
    u !== null &&
    typeof u === "object" &&
    typeof u.symbol === "string" &&
    /^[\p{L}\p{N}.$€£¥-]{1,11}$/u.test(u.symbol) &&
    Number.isInteger(u.decimals) &&
    (u.decimals as number) >= 0 &&
    (u.decimals as number) <= 18;
  if (!ok) throw new GovernanceFileError(name, "units must be { symbol: 1–11 letters or digits, decimals: 0–18 }");
}

/** Validate a parsed signature file against the governance file it signs (recovers the signer). */
export async function parseSignatureFile(
  value: unknown,
  proposal: GovernanceFile,
  name = "signature",
): Promise<SignatureFile> {
  const s = value as Partial<SignatureFile> | null;
  if (!s || typeof s !== "object" || s.format !== SIGNATURE_FORMAT) {
    throw new GovernanceFileError(name, `is not a ${SIGNATURE_FORMAT} file`);
  }
  if (typeof s.signer !== "string" || !isAddress(s.signer))
    throw new GovernanceFileError(name, "signer is not an address");
  if (s.hash !== proposal.hash) {
    throw new GovernanceFileError(
      name,
      `signs ${s.hash}, not this proposal (${proposal.hash})`,
      "Collect signatures of this very file.",
    );
  }
  if (s.scheme === "sm2") {
    checkSm2Signature(s, proposal.hash, name);
    return s as SignatureFile;
  }
  if (s.scheme !== undefined) throw new GovernanceFileError(name, `scheme ${JSON.stringify(s.scheme)} is not "sm2"`);
  if (typeof s.signature !== "string" || !isHex(s.signature) || s.signature.length !== 132) {
    throw new GovernanceFileError(name, "signature is not 65 bytes of hex");
  }
  const recovered = await recoverTypedDataAddress({ ...typedDataOf(proposal, name), signature: s.signature });
  if (getAddress(recovered) !== getAddress(s.signer)) {
    throw new GovernanceFileError(name, `signature was made by ${recovered}, not by the declared signer ${s.signer}`);
  }
  return s as SignatureFile;
}

/**
 * Sign a governance file offline with a local key. The file's hash is re-derived first, so a
 * tampered file is refused before anything is signed.
 */
export async function signGovernanceFile(file: GovernanceFile, account: LocalAccount): Promise<SignatureFile> {
  const checked = parseGovernanceFile(file);
  const signature = await account.signTypedData(typedDataOf(checked, "proposal"));
  return {
    format: SIGNATURE_FORMAT,
    hash: checked.hash,
    signer: account.address,
    signature,
    signedAt: new Date().toISOString(),
  };
}

/** An SM2 signature file: its key well-formed, its signature that key's SM2 signature of `hash`. */
function checkSm2Signature(s: Partial<SignatureFile>, hash: Hex, name: string): void {
  if (typeof s.publicKey !== "string") throw new GovernanceFileError(name, "an SM2 signature needs its publicKey");
  let key;
  try {
    key = sm2PublicKeyOf(s.publicKey, `${name}: publicKey`);
  } catch (e) {
    throw new GovernanceFileError(name, (e as Error).message.split("\n")[0].replace(/\.$/, ""));
  }
  if (typeof s.signature !== "string" || !isHex(s.signature) || s.signature.length !== 130)
    throw new GovernanceFileError(name, "an SM2 signature is 64 bytes of hex (abi.encode(r, s))");
  if (!verifyHashSm2(hash, s.signature, key))
    throw new GovernanceFileError(
      name,
      `signature is not the SM2 key ${s.publicKey.slice(0, 14)}…'s signature of ${hash} (it signs another message, or was edited)`,
      "Sign this very file again: `clearhouse gov sign <proposal> --sm2-key <file> --signer <SM2Signer>`.",
    );
}

/**
 * Sign a governance file offline with an SM2 key, for the SM2Signer contract `signer` that holds
 * it (a signer of the multisig): the SM2 signature of the file's EIP-712 digest with the default
 * identity, `abi.encode(r, s)`. Whether `signer` holds this key is checked when the signatures are
 * submitted (`queueProposal`, `executeProposal`), not here: this needs no node.
 */
export function signGovernanceFileSm2(file: GovernanceFile, key: Sm2KeyPair, signer: Address): SignatureFile {
  const checked = parseGovernanceFile(file);
  if (!isAddress(signer)) throw new InvalidArgumentError("signer", `${String(signer)} is not an address`);
  return {
    format: SIGNATURE_FORMAT,
    hash: checked.hash,
    signer: getAddress(signer),
    signature: signHashSm2(checked.hash, key),
    scheme: "sm2",
    publicKey: key.publicKey.uncompressed,
    signedAt: new Date().toISOString(),
  };
}

/**
 * The multisig's entry for one signature: ECDSA's 65 bytes as they are; an SM2Signer's as a
 * contract signature, `r = signer`, `s = 64`, `v = 0`, then its 64 bytes.
 */
function signatureEntry(sig: SignatureFile): Hex {
  if (sig.scheme !== "sm2") return sig.signature;
  return concat([pad(sig.signer), numberToHex(64, { size: 32 }), "0x00", sig.signature]);
}

/**
 * Concatenate signature files into the multisig's signature blob, in any order. Each is checked
 * against the proposal; a signer appearing twice is refused (the contract would refuse it too).
 */
export async function combineSignatures(
  file: GovernanceFile,
  /** Signature files, parsed or not: each is validated against `file`. */
  signatures: readonly unknown[],
): Promise<{ blob: Hex; signers: Address[] }> {
  const seen = new Set<string>();
  const parts: Hex[] = [];
  const signers: Address[] = [];
  for (const [i, raw] of signatures.entries()) {
    const sig = await parseSignatureFile(raw, file, `signature #${i + 1}`);
    const signer = getAddress(sig.signer);
    if (seen.has(signer)) {
      throw new InvalidArgumentError("signatures", `${signer} appears twice`, "Pass each signer's file once.");
    }
    seen.add(signer);
    parts.push(signatureEntry(sig));
    signers.push(signer);
  }
  return { blob: parts.length ? concat(parts) : "0x", signers };
}

/**
 * Refuse a file whose human-readable `call` does not describe its calldata (a file can be edited
 * to show a harmless description over a harmful call, and the description is not signed).
 */
export function checkCallDescription(file: GovernanceFile, name = "proposal"): void {
  if (file.typedData.primaryType !== "Proposal" || !file.call) return;
  const decoded = decodeCall(file.typedData.message.data);
  if (!decoded) return; // a call to a contract outside Clearhouse: nothing to compare with
  const same =
    decoded.functionName === file.call.functionName &&
    decoded.args.length === file.call.args.length &&
    decoded.args.every((a, i) => a === file.call!.args[i]);
  if (!same) {
    throw new GovernanceFileError(
      name,
      `its description says ${file.call.functionName}(${file.call.args.join(", ")}) but its data calls ${decoded.functionName}(${decoded.args.join(", ")})`,
      "Do not sign it. Ask the proposer for the original file.",
    );
  }
}

export interface DescribeGovernanceFileOptions {
  /**
   * Show amounts in these currency units (the deployment's token, or the file's own `units`); the
   * minor units, which are what is signed, stay beside them in brackets.
   */
  units?: CallUnits;
  /** Where `units` come from, shown to the signer (e.g. "the deployment deployments/localhost.json"). */
  unitsFrom?: string;
  /**
   * The deployment of the proposal's multisig, when the reviewer has it: the call is then decoded
   * with the ABI of the contract at its target only, the target is named, and amounts get currency
   * units only when the target is one of its contracts (and a `token` argument, as in `rescue`, is
   * the settlement token). A target outside the deployment is said so, amounts as plain integers.
   */
  deployment?: Deployment;
}

/** The deployment's contract at `address`, if any. */
function contractAt(deployment: Deployment, address: Address): ContractName | undefined {
  return CONTRACT_NAMES.find((n) => deployedContract(deployment, n)?.address.toLowerCase() === address.toLowerCase());
}

/** Lines describing exactly what signing the file authorizes, all decoded from the signed data. */
export function describeGovernanceFile(file: GovernanceFile, options: DescribeGovernanceFileOptions = {}): string[] {
  const { domain } = file.typedData;
  const where = `multisig ${domain.verifyingContract} on chain ${domain.chainId}`;
  if (file.typedData.primaryType === "Cancel") {
    const m = file.typedData.message;
    return [`Cancel: burn lane ${m.lane} nonce ${m.nonce} of ${where}`];
  }
  const p = proposalOf(file);
  const { deployment } = options;
  const targetName = deployment && contractAt(deployment, p.target);
  const settlementToken = deployment && deployedContract(deployment, "SettlementToken")?.address;
  const decoded =
    deployment === undefined
      ? describeCallData(p.data, options.units)
      : targetName === undefined
        ? describeCallData(p.data) // not ours: decoded for a hint, amounts as integers
        : describeCallData(p.data, options.units, { abis: [CONTRACTS[targetName].abi as Abi], settlementToken });
  const target =
    deployment === undefined
      ? `${p.target} (not checked against a deployment)`
      : targetName === undefined
        ? `${p.target} — NOT a contract of the deployment: review the call yourself`
        : `${p.target} (${targetName})`;
  const call =
    decoded ??
    `raw calldata ${p.data.slice(0, 74)}${p.data.length > 74 ? "…" : ""} (not a Clearhouse function: review it yourself)`;
  const when = (s: bigint) => (s === 0n ? "—" : new Date(Number(s) * 1000).toISOString());
  const lines = [`Call:      ${call}`];
  if (decoded && options.units && decoded.includes("["))
    lines.push(
      `Amounts:   in ${options.units.symbol}, ${options.units.decimals} decimals${options.unitsFrom ? ` (from ${options.unitsFrom})` : ""}; [minor units] are what is signed`,
    );
  lines.push(
    `Target:    ${target}`,
    `Value:     ${p.value} wei`,
    `Lane:      ${p.lane}, nonce ${p.nonce}`,
    `Window:    not before ${when(p.notBefore)}, expires ${when(p.expiry)}`,
    `Authority: ${where}`,
  );
  return lines;
}
