/**
 * Circuit inputs: built from SDK objects, and validated before proving so a wrong input fails
 * with an error that names it ("Merkle path does not lead to root 0x…", "amount exceeds 64 bits")
 * instead of an opaque witness failure.
 */
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { encodeRecord, type EncodedRecord } from "@clearhouse/sdk/settlement";
import type { PrivateChunk } from "./chunk";
import { chunkRoot } from "./chunk";
import { KYC_MAX_DEPTH, NETTING_BUCKETS, NETTING_CHUNK, type CircuitId } from "@clearhouse/sdk/zk";
import { assertKycTierMeets, kycTier, toField } from "@clearhouse/sdk/zk";
import { identityCommitment, rootOfPath, tierCommitment, type KycPath } from "./kyc";

import type { CircuitInputs } from "./signals";
import { checkPrivateTraced } from "./tracedInputs";
import { checkPrivateNetting } from "./privateInputs";

export type { CircuitInputs, SignalValue } from "./signals";

const U64 = (1n << 64n) - 1n;
const U160 = (1n << 160n) - 1n;
const hex = (x: bigint): string => `0x${x.toString(16).padStart(64, "0")}`;
const dec = (x: bigint): string => x.toString();

function field(raw: CircuitInputs, name: string): bigint {
  if (!(name in raw)) throw new InvalidArgumentError(name, "is missing");
  return toField(raw[name], name);
}

function fieldArray(raw: CircuitInputs, name: string, length: number): bigint[] {
  const v = raw[name];
  if (!Array.isArray(v) || v.length !== length)
    throw new InvalidArgumentError(name, `must be an array of ${length} values`);
  return v.map((x, i) => toField(x, `${name}[${i}]`));
}

function knownOnly(raw: CircuitInputs, names: readonly string[]): void {
  for (const k of Object.keys(raw)) {
    if (!names.includes(k))
      throw new InvalidArgumentError(k, `is not an input of this circuit (inputs: ${names.join(", ")})`);
  }
}

// ------------------------------------------------------------------ kyc_membership

export interface KycProofRequest {
  secret: bigint;
  path: KycPath;
  scope: bigint;
  message: bigint;
}

export function kycInputs(r: KycProofRequest): CircuitInputs {
  return validateInputs("kyc_membership", {
    secret: dec(r.secret),
    depth: dec(BigInt(r.path.depth)),
    index: dec(BigInt(r.path.index)),
    siblings: r.path.siblings.map(dec),
    scope: dec(r.scope),
    message: dec(r.message),
    root: dec(r.path.root),
  });
}

function checkKyc(raw: CircuitInputs): CircuitInputs {
  const { root: expected, ...signals } = raw;
  knownOnly(signals, ["secret", "depth", "index", "siblings", "scope", "message"]);
  const secret = field(signals, "secret");
  field(signals, "scope");
  field(signals, "message");
  checkKycPath(signals, identityCommitment(secret), expected);
  return signals;
}

/** depth, index and siblings of a KYC proof's inputs, and (if given) the root they lead `leaf` to. */
function checkKycPath(signals: CircuitInputs, leaf: bigint, expected: CircuitInputs[string] | undefined): void {
  const depth = field(signals, "depth");
  const index = field(signals, "index");
  const siblings = fieldArray(signals, "siblings", KYC_MAX_DEPTH);
  if (depth > BigInt(KYC_MAX_DEPTH))
    throw new InvalidArgumentError("depth", `is above the circuit's maximum ${KYC_MAX_DEPTH}`);
  if (index >= 1n << BigInt(KYC_MAX_DEPTH))
    throw new InvalidArgumentError("index", `does not fit ${KYC_MAX_DEPTH} bits`);
  const root = rootOfPath(leaf, Number(depth), Number(index), siblings);
  if (expected !== undefined) {
    const want = toField(expected, "root");
    if (root !== want) {
      throw new InvalidArgumentError(
        "siblings",
        `Merkle path does not lead to root ${hex(want)} (it leads to ${hex(root)})`,
        "The secret is not enrolled in that tree, or the path is from an older tree: fetch the bank's current path.",
      );
    }
  }
}

// ------------------------------------------------------------------ kyc_tier

export interface KycTierProofRequest extends KycProofRequest {
  /** The credential's tier (1..255): its leaf is Poseidon(secret, tier). */
  tier: number;
  /** The tier the proof shows the credential reaches (1..255), public signal 4. */
  minTier: number;
}

/**
 * The inputs of a kyc_tier proof. Refuses, before any proving, a tier or minimum outside 1..255
 * (KycTierOutOfRangeError) and a tier below the minimum (KycTierBelowMinimumError).
 */
export function kycTierInputs(r: KycTierProofRequest): CircuitInputs {
  return validateInputs("kyc_tier", {
    secret: dec(r.secret),
    tier: dec(BigInt(kycTier(r.tier, "tier"))),
    depth: dec(BigInt(r.path.depth)),
    index: dec(BigInt(r.path.index)),
    siblings: r.path.siblings.map(dec),
    scope: dec(r.scope),
    message: dec(r.message),
    minTier: dec(BigInt(kycTier(r.minTier, "minTier"))),
    root: dec(r.path.root),
  });
}

function checkKycTier(raw: CircuitInputs): CircuitInputs {
  const { root: expected, ...signals } = raw;
  knownOnly(signals, ["secret", "tier", "depth", "index", "siblings", "scope", "message", "minTier"]);
  const secret = field(signals, "secret");
  const tier = kycTier(field(signals, "tier"), "tier");
  const minTier = kycTier(field(signals, "minTier"), "minTier");
  field(signals, "scope");
  field(signals, "message");
  assertKycTierMeets(tier, minTier);
  checkKycPath(signals, tierCommitment(secret, tier), expected);
  return signals;
}

// ------------------------------------------------------------------ amount_limit

export interface AmountProofRequest {
  amount: bigint;
  blinding: bigint;
  limit: bigint;
  message: bigint;
}

export function amountInputs(r: AmountProofRequest): CircuitInputs {
  return validateInputs("amount_limit", {
    amount: dec(r.amount),
    blinding: dec(r.blinding),
    limit: dec(r.limit),
    message: dec(r.message),
  });
}

function checkAmount(raw: CircuitInputs): CircuitInputs {
  knownOnly(raw, ["amount", "blinding", "limit", "message"]);
  const amount = field(raw, "amount");
  const limit = field(raw, "limit");
  field(raw, "blinding");
  field(raw, "message");
  if (amount > U64) throw new InvalidArgumentError("amount", "exceeds 64 bits");
  if (limit > U64) throw new InvalidArgumentError("limit", "exceeds 64 bits");
  if (amount === 0n) throw new InvalidArgumentError("amount", "is 0 (the circuit proves 0 < amount ≤ limit)");
  if (amount > limit) throw new InvalidArgumentError("amount", `exceeds the limit ${limit}`);
  return raw;
}

// ------------------------------------------------------------------ batch_netting_16

/** The inputs that prove a private chunk's totals (buckets in the order of its header's counterparties). */
export function nettingInputs(chunk: PrivateChunk): CircuitInputs {
  const cps = chunk.header.counterparties;
  if (cps.length > NETTING_BUCKETS) {
    throw new InvalidArgumentError(
      "chunk",
      `has ${cps.length} counterparties; a proof covers at most ${NETTING_BUCKETS}`,
    );
  }
  const records = chunk.records.map(encodeRecord);
  const pad = NETTING_CHUNK - records.length;
  if (pad < 0)
    throw new InvalidArgumentError("chunk", `has ${records.length} payments; a proof covers at most ${NETTING_CHUNK}`);
  const bucket = chunk.records.map((r) => cps.indexOf(r.creditorBank));
  return validateInputs("batch_netting_16", {
    records: [...records.map((r) => r.map(dec)), ...new Array<string[]>(pad).fill(new Array<string>(8).fill("0"))],
    bucket: [...bucket.map((b) => dec(BigInt(b))), ...new Array<string>(pad).fill("0")],
    counterparty: [...cps.map((c) => dec(BigInt(c))), ...new Array<string>(NETTING_BUCKETS - cps.length).fill("0")],
    total: [...chunk.header.totals.map(dec), ...new Array<string>(NETTING_BUCKETS - cps.length).fill("0")],
    bank: dec(BigInt(chunk.submitter)),
    root: dec(BigInt(chunk.header.root)),
  });
}

function checkNetting(raw: CircuitInputs): CircuitInputs {
  const { root: expected, ...signals } = raw;
  knownOnly(signals, ["records", "bucket", "counterparty", "total", "bank"]);
  const rv = signals.records;
  if (!Array.isArray(rv) || rv.length !== NETTING_CHUNK) {
    throw new InvalidArgumentError("records", `must be ${NETTING_CHUNK} records of 8 values (pad with zero records)`);
  }
  const records = rv.map((r, i) => {
    if (!Array.isArray(r) || r.length !== 8) throw new InvalidArgumentError(`records[${i}]`, "must be 8 values");
    return r.map((x, j) => toField(x, `records[${i}][${j}]`));
  });
  const bucket = fieldArray(signals, "bucket", NETTING_CHUNK);
  const counterparty = fieldArray(signals, "counterparty", NETTING_BUCKETS);
  const total = fieldArray(signals, "total", NETTING_BUCKETS);
  const bank = field(signals, "bank");
  counterparty.forEach((c, k) => {
    if (c > U160) throw new InvalidArgumentError(`counterparty[${k}]`, "is not an address (exceeds 160 bits)");
  });
  const sums = new Array<bigint>(NETTING_BUCKETS).fill(0n);
  records.forEach((r, i) => {
    const amount = r[3];
    if (amount > U64) throw new InvalidArgumentError(`records[${i}].amount`, "exceeds 64 bits");
    if (bucket[i] >= BigInt(NETTING_BUCKETS))
      throw new InvalidArgumentError(`bucket[${i}]`, `must be 0–${NETTING_BUCKETS - 1}`);
    if (amount === 0n) return;
    if (r[1] !== bank) {
      throw new InvalidArgumentError(
        `records[${i}].debtorBank`,
        `is ${hex(r[1])}, not the submitting bank ${hex(bank)}`,
      );
    }
    const k = Number(bucket[i]);
    if (r[2] !== counterparty[k]) {
      throw new InvalidArgumentError(`records[${i}].creditorBank`, `is not counterparty[${k}] of its bucket`);
    }
    sums[k] += amount;
  });
  sums.forEach((s, k) => {
    if (s !== total[k])
      throw new InvalidArgumentError(`total[${k}]`, `is ${total[k]} but the payments in bucket ${k} sum to ${s}`);
  });
  if (expected !== undefined) {
    const want = toField(expected, "root");
    const got = chunkRoot(records as unknown as EncodedRecord[]);
    if (got !== want)
      throw new InvalidArgumentError("records", `lead to root ${hex(got)}, not the anchored root ${hex(want)}`);
  }
  return signals;
}

/**
 * Validate a circuit's raw inputs (snarkjs input.json form). An optional `root` entry (not a
 * circuit input) is checked against the root the inputs lead to, then dropped. Returns the inputs
 * to prove with.
 */
export function validateInputs(circuit: CircuitId, raw: unknown): CircuitInputs {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InvalidArgumentError("inputs", "must be a JSON object");
  const inputs = raw as CircuitInputs;
  switch (circuit) {
    case "kyc_membership":
      return checkKyc(inputs);
    case "kyc_tier":
      return checkKycTier(inputs);
    case "amount_limit":
      return checkAmount(inputs);
    case "batch_netting_16":
      return checkNetting(inputs);
    case "private_netting_256":
      return checkPrivateNetting(inputs);
    case "private_traced_32":
      return checkPrivateTraced(inputs);
  }
}
