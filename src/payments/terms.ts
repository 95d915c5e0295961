/**
 * Agreement terms as people write them (an agreement file or a template: JSON or YAML, amounts in
 * currency units, times relative to creation) and as ConditionalEscrow takes them.
 *
 *   format: clearhouse.agreement/1
 *   reference: PO-2026-118            # text (hashed) or a 32-byte hex
 *   arbiter: "0x…"
 *   attestors: ["0x…", "0x…"]
 *   threshold: 1
 *   milestones:
 *     - name: balance
 *       payee: "0x…"
 *       amount: "7500.00"
 *       deadline: "+60d"              # or an ISO date, or unix seconds
 *       combine: all                  # or any
 *       conditions:
 *         - attestation: delivered    # delivered | accepted | invoice_approved
 *         - time: "+30d"
 *         - proof: { circuit: kyc_membership, root: "0x…" }
 *         - proof: { circuit: amount_limit, commitment: "0x…", limit: "10000.00" }
 *     - repeat: { count: 12, every: 30d }   # installments: milestone i gets time "+i·every"
 *       name: installment
 *       ...
 *
 * `${name}` placeholders are filled from variables before parsing (templates/).
 */
import { getAddress, isAddress, isHex, keccak256, stringToHex, type Address, type Hex } from "viem";
import { parse as parseYaml } from "yaml";
import { InvalidArgumentError } from "../errors/base";
import { toMinorUnits } from "../validate";
import { FIELD_MODULUS } from "../zk/field";

export const AGREEMENT_FORMAT = "clearhouse.agreement/1";
export const ATTESTATION_KINDS = ["delivered", "accepted", "invoice_approved"] as const;
export type AttestationKindName = (typeof ATTESTATION_KINDS)[number];

export type ConditionTerms =
  | { type: "attestation"; kind: AttestationKindName }
  | { type: "time"; notBefore: bigint }
  | { type: "proof"; circuit: "kyc_membership"; root: bigint }
  | { type: "proof"; circuit: "amount_limit"; commitment: bigint; limit: bigint };

export interface MilestoneSpec {
  name: string;
  payee: Address;
  amount: bigint;
  deadline: bigint;
  combine: "all" | "any";
  conditions: ConditionTerms[];
}

export interface AgreementSpec {
  name: string;
  reference: Hex;
  arbiter: Address;
  attestors: Address[];
  threshold: number;
  milestones: MilestoneSpec[];
}

/** ConditionalEscrow's AgreementTerms (viem form). */
export interface OnChainTerms {
  token: Address;
  arbiter: Address;
  attestors: Address[];
  threshold: number;
  ref: Hex;
  milestones: {
    payee: Address;
    amount: bigint;
    deadline: bigint;
    combine: number;
    conditions: {
      kind: number;
      attestation: number;
      notBefore: bigint;
      circuitId: Hex;
      expected: bigint;
      limit: bigint;
    }[];
  }[];
}

const DURATION = /^\+?(\d+)\s*([smhd])$/;
const UNIT: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86_400n };

/** Fill `${name}` placeholders; every placeholder must have a value. */
export function fillTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  const missing = new Set<string>();
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    if (!(name in vars)) {
      missing.add(name);
      return "";
    }
    return vars[name];
  });
  if (missing.size) {
    throw new InvalidArgumentError(
      "template",
      `needs values for ${[...missing].join(", ")}`,
      `Pass them with --set name=value.`,
    );
  }
  return out;
}

/** Parse agreement terms from JSON or YAML text. */
export function parseAgreementText(
  text: string,
  where: string,
  opts: { now: bigint; decimals: number },
): AgreementSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0 }); // YAML is a superset of JSON; no alias bombs
  } catch (e) {
    throw new InvalidArgumentError(where, `is not valid JSON or YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseAgreement(doc, where, opts);
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new InvalidArgumentError(where, "must be an object");
  return v as Record<string, unknown>;
}

function str(v: unknown, where: string): string {
  if (typeof v === "number") return String(v);
  if (typeof v !== "string" || v.trim() === "") throw new InvalidArgumentError(where, "must be a non-empty string");
  return v.trim();
}

function address(v: unknown, where: string): Address {
  const s = str(v, where);
  if (!isAddress(s, { strict: false })) throw new InvalidArgumentError(where, `${JSON.stringify(s)} is not an address`);
  return getAddress(s);
}

/** "+30d" (relative to `now`), an ISO date/time, or unix seconds. */
export function parseTimeTerm(v: unknown, where: string, now: bigint): bigint {
  const s = str(v, where);
  const d = DURATION.exec(s);
  if (d) return now + BigInt(d[1]) * UNIT[d[2]];
  if (/^\d+$/.test(s)) return BigInt(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError(where, `${JSON.stringify(s)} is not "+30d", an ISO date or unix seconds`);
  return BigInt(Math.floor(ms / 1000));
}

function durationOf(v: unknown, where: string): bigint {
  const d = DURATION.exec(str(v, where));
  if (!d) throw new InvalidArgumentError(where, "must be a duration like 30d, 12h, 15m or 45s");
  return BigInt(d[1]) * UNIT[d[2]];
}

function field(v: unknown, where: string): bigint {
  const s = str(v, where);
  if (!/^(0x[0-9a-fA-F]{1,64}|\d{1,78})$/.test(s))
    throw new InvalidArgumentError(where, "must be a number or 0x-hex field element");
  const x = BigInt(s);
  // A value no proof can carry would make the condition unsatisfiable (funds only back by refund).
  if (x === 0n || x >= FIELD_MODULUS)
    throw new InvalidArgumentError(where, "must be a non-zero element of the BN254 field");
  return x;
}

function condition(v: unknown, where: string, now: bigint, decimals: number): ConditionTerms {
  const c = obj(v, where);
  const keys = Object.keys(c);
  if (keys.length !== 1) throw new InvalidArgumentError(where, "must have exactly one of attestation, time, proof");
  if ("attestation" in c) {
    const kind = str(c.attestation, `${where}.attestation`).toLowerCase() as AttestationKindName;
    if (!ATTESTATION_KINDS.includes(kind))
      throw new InvalidArgumentError(`${where}.attestation`, `must be one of ${ATTESTATION_KINDS.join(", ")}`);
    return { type: "attestation", kind };
  }
  if ("time" in c) return { type: "time", notBefore: parseTimeTerm(c.time, `${where}.time`, now) };
  if ("proof" in c) {
    const p = obj(c.proof, `${where}.proof`);
    const circuit = str(p.circuit, `${where}.proof.circuit`);
    if (circuit === "kyc_membership") return { type: "proof", circuit, root: field(p.root, `${where}.proof.root`) };
    if (circuit === "amount_limit") {
      const limit = toMinorUnits(`${where}.proof.limit`, str(p.limit, `${where}.proof.limit`), decimals);
      if (limit === 0n || limit >= 1n << 64n)
        throw new InvalidArgumentError(
          `${where}.proof.limit`,
          "must be above 0 and below 2^64 minor units (what amount_limit proves)",
        );
      return { type: "proof", circuit, commitment: field(p.commitment, `${where}.proof.commitment`), limit };
    }
    throw new InvalidArgumentError(
      `${where}.proof.circuit`,
      `${JSON.stringify(circuit)} is not kyc_membership or amount_limit`,
    );
  }
  throw new InvalidArgumentError(where, `unknown condition ${keys[0]} (attestation, time or proof)`);
}

function milestones(v: unknown, where: string, now: bigint, decimals: number): MilestoneSpec[] {
  if (!Array.isArray(v) || v.length === 0) throw new InvalidArgumentError(where, "must be a non-empty list");
  const out: MilestoneSpec[] = [];
  v.forEach((raw, i) => {
    const w = `${where}[${i}]`;
    const m = obj(raw, w);
    const repeat =
      m.repeat === undefined
        ? { count: 1, every: 0n }
        : (() => {
            const r = obj(m.repeat, `${w}.repeat`);
            const count = Number(r.count);
            if (!Number.isInteger(count) || count < 1 || count > 32)
              throw new InvalidArgumentError(`${w}.repeat.count`, "must be 1–32");
            return { count, every: durationOf(r.every, `${w}.repeat.every`) };
          })();
    for (let k = 0; k < repeat.count; k++) {
      const shift = repeat.every * BigInt(k); // installment k is due k periods after the first
      const base = now + shift;
      const conditions = m.conditions;
      if (!Array.isArray(conditions) || conditions.length === 0 || conditions.length > 4) {
        throw new InvalidArgumentError(`${w}.conditions`, "must list 1–4 conditions");
      }
      const combine = m.combine === undefined ? "all" : str(m.combine, `${w}.combine`).toLowerCase();
      if (combine !== "all" && combine !== "any") throw new InvalidArgumentError(`${w}.combine`, "must be all or any");
      out.push({
        name:
          repeat.count > 1
            ? `${m.name === undefined ? "installment" : str(m.name, `${w}.name`)} ${k + 1}`
            : m.name === undefined
              ? `milestone ${out.length + 1}`
              : str(m.name, `${w}.name`),
        payee: address(m.payee, `${w}.payee`),
        amount: toMinorUnits(`${w}.amount`, str(m.amount, `${w}.amount`), decimals),
        deadline: parseTimeTerm(m.deadline, `${w}.deadline`, base),
        combine,
        conditions: conditions.map((c, j) => condition(c, `${w}.conditions[${j}]`, base, decimals)),
      });
    }
  });
  if (out.length > 32)
    throw new InvalidArgumentError(where, `expand to ${out.length} milestones; an agreement has at most 32`);
  return out;
}

/** Validate a parsed agreement document (from a file or a filled template). */
export function parseAgreement(doc: unknown, where: string, opts: { now: bigint; decimals: number }): AgreementSpec {
  const d = obj(doc, where);
  if (d.format !== AGREEMENT_FORMAT) throw new InvalidArgumentError(`${where}.format`, `must be "${AGREEMENT_FORMAT}"`);
  const refText = str(d.reference, `${where}.reference`);
  const reference = isHex(refText) && refText.length === 66 ? (refText as Hex) : keccak256(stringToHex(refText));
  const attestors = d.attestors === undefined ? [] : d.attestors;
  if (!Array.isArray(attestors)) throw new InvalidArgumentError(`${where}.attestors`, "must be a list of addresses");
  const threshold = d.threshold === undefined ? 0 : Number(d.threshold);
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > attestors.length) {
    throw new InvalidArgumentError(`${where}.threshold`, `must be 0–${attestors.length} (the number of attestors)`);
  }
  return {
    name: d.name === undefined ? refText : str(d.name, `${where}.name`),
    reference,
    arbiter: address(d.arbiter, `${where}.arbiter`),
    attestors: attestors.map((a, i) => address(a, `${where}.attestors[${i}]`)),
    threshold,
    milestones: milestones(d.milestones, `${where}.milestones`, opts.now, opts.decimals),
  };
}

const KIND_INDEX: Record<AttestationKindName, number> = { delivered: 0, accepted: 1, invoice_approved: 2 };

/** The escrow's AgreementTerms for a spec. */
export function toOnChainTerms(spec: AgreementSpec, token: Address): OnChainTerms {
  const zero = { attestation: 0, notBefore: 0n, circuitId: stringToHex("", { size: 32 }), expected: 0n, limit: 0n };
  return {
    token,
    arbiter: spec.arbiter,
    attestors: spec.attestors,
    threshold: spec.threshold,
    ref: spec.reference,
    milestones: spec.milestones.map((m) => ({
      payee: m.payee,
      amount: m.amount,
      deadline: m.deadline,
      combine: m.combine === "all" ? 0 : 1,
      conditions: m.conditions.map((c) => {
        if (c.type === "attestation") return { ...zero, kind: 0, attestation: KIND_INDEX[c.kind] };
        if (c.type === "time") return { ...zero, kind: 1, notBefore: c.notBefore };
        if (c.circuit === "kyc_membership")
          return { ...zero, kind: 2, circuitId: stringToHex(c.circuit, { size: 32 }), expected: c.root };
        return {
          ...zero,
          kind: 2,
          circuitId: stringToHex(c.circuit, { size: 32 }),
          expected: c.commitment,
          limit: c.limit,
        };
      }),
    })),
  };
}

export const attestationKindIndex = (kind: AttestationKindName): number => KIND_INDEX[kind];

export function parseAttestationKind(value: string): AttestationKindName {
  const k = value.toLowerCase().replace(/-/g, "_") as AttestationKindName;
  if (!ATTESTATION_KINDS.includes(k))
    throw new InvalidArgumentError("kind", `${JSON.stringify(value)} is not one of ${ATTESTATION_KINDS.join(", ")}`);
  return k;
}
