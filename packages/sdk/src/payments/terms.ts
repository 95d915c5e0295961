/**
 * Agreement terms as people write them (an agreement file or a template: JSON or YAML, amounts in
 * currency units, times relative to creation) and as ConditionalEscrow takes them.
 *
 *   format: clearhouse.agreement/1
 *   reference: PO-2026-118            # text (hashed) or a 32-byte hex
 *   arbiter: "0x…"
 *   attestors: ["0x…", "0x…"]       # optional: the default attestors of `attestation: <kind>`
 *   threshold: 1                     # optional: their default threshold
 *   milestones:
 *     - name: balance
 *       payee: "0x…"
 *       amount: "7500.00"
 *       deadline: "+60d"              # or an ISO date, or unix seconds
 *       combine: all                  # or any
 *       conditions:
 *         - attestation: { kind: delivered, by: ["0x…carrier"], threshold: 1 }
 *         - attestation: accepted     # shorthand: the agreement's attestors and threshold
 *         - time: "+30d"
 *         - proof: { circuit: kyc_membership, root: "0x…" }
 *         - proof: { circuit: kyc_tier, root: "0x…", minTier: 2 }   # a tier credential, tier ≥ 2
 *         - proof: { circuit: amount_limit, commitment: "0x…", limit: "10000.00" }
 *     - repeat: { count: 12, every: 30d }   # installments: milestone i gets time "+i·every"
 *       name: installment
 *       ...
 *
 * Each attestation condition is bound on chain to its own attestors and threshold: `by` names them
 * (threshold defaults to all of them); the shorthand `attestation: <kind>` takes the agreement's
 * `attestors` and `threshold`, and may be used for one kind only — with two kinds, any of those
 * attestors could attest both, so each kind must name its own (`by`).
 *
 * `${name}` placeholders are filled from variables before parsing (templates/).
 */
import { getAddress, isAddress, isHex, keccak256, stringToHex, type Address, type Hex } from "viem";
import { parse as parseYaml } from "yaml";
import { InvalidArgumentError } from "../errors/base";
import { toMinorUnits } from "../validate";
import { FIELD_MODULUS } from "../zk/field";
import { kycTier } from "../zk/kycTier";

export const AGREEMENT_FORMAT = "clearhouse.agreement/1";
export const ATTESTATION_KINDS = ["delivered", "accepted", "invoice_approved"] as const;
export type AttestationKindName = (typeof ATTESTATION_KINDS)[number];

export type ConditionTerms =
  | { type: "attestation"; kind: AttestationKindName; attestors: Address[]; threshold: number }
  | { type: "time"; notBefore: bigint }
  | { type: "proof"; circuit: "kyc_membership"; root: bigint }
  | { type: "proof"; circuit: "kyc_tier"; root: bigint; minTier: number }
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
  /** Every attestor any condition names (at most 16): the agreement's list, then each `by` in order. */
  attestors: Address[];
  milestones: MilestoneSpec[];
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

/** A duration like 30d, 12h, 15m or 45s, in seconds. */
export function parseDuration(v: unknown, where: string): bigint {
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

/** The agreement's default attestors and threshold, for `attestation: <kind>`. */
interface AttestorDefaults {
  attestors: Address[];
  threshold: number;
  where: string;
}

function attestationCondition(v: unknown, where: string, defaults: AttestorDefaults): ConditionTerms {
  const kindOf = (x: unknown, w: string): AttestationKindName => {
    const kind = str(x, w).toLowerCase() as AttestationKindName;
    if (!ATTESTATION_KINDS.includes(kind))
      throw new InvalidArgumentError(w, `must be one of ${ATTESTATION_KINDS.join(", ")}`);
    return kind;
  };
  if (typeof v !== "object" || v === null) {
    const kind = kindOf(v, where);
    if (defaults.attestors.length === 0 || defaults.threshold === 0) {
      throw new InvalidArgumentError(
        where,
        `names no attestors: the agreement has ${defaults.attestors.length ? "no threshold" : "no attestors"}`,
        `Write \`attestation: { kind: ${kind}, by: ["0x…"] }\`, or set the agreement's attestors and threshold.`,
      );
    }
    return { type: "attestation", kind, attestors: defaults.attestors, threshold: defaults.threshold };
  }
  const a = obj(v, where);
  for (const k of Object.keys(a))
    if (!["kind", "by", "threshold"].includes(k))
      throw new InvalidArgumentError(`${where}.${k}`, "is not one of kind, by, threshold");
  const kind = kindOf(a.kind, `${where}.kind`);
  if (!Array.isArray(a.by) || a.by.length === 0 || a.by.length > 16)
    throw new InvalidArgumentError(`${where}.by`, "must list 1–16 attestor addresses");
  const by = a.by.map((x, i) => address(x, `${where}.by[${i}]`));
  if (new Set(by).size !== by.length) throw new InvalidArgumentError(`${where}.by`, "lists an attestor twice");
  const threshold = a.threshold === undefined ? by.length : Number(a.threshold);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > by.length)
    throw new InvalidArgumentError(`${where}.threshold`, `must be 1–${by.length} (the attestors in \`by\`)`);
  return { type: "attestation", kind, attestors: by, threshold };
}

function condition(
  v: unknown,
  where: string,
  now: bigint,
  decimals: number,
  defaults: AttestorDefaults,
): ConditionTerms {
  const c = obj(v, where);
  const keys = Object.keys(c);
  if (keys.length !== 1) throw new InvalidArgumentError(where, "must have exactly one of attestation, time, proof");
  if ("attestation" in c) return attestationCondition(c.attestation, `${where}.attestation`, defaults);
  if ("time" in c) return { type: "time", notBefore: parseTimeTerm(c.time, `${where}.time`, now) };
  if ("proof" in c) {
    const p = obj(c.proof, `${where}.proof`);
    const circuit = str(p.circuit, `${where}.proof.circuit`);
    if (circuit === "kyc_membership") return { type: "proof", circuit, root: field(p.root, `${where}.proof.root`) };
    if (circuit === "kyc_tier") {
      const root = field(p.root, `${where}.proof.root`);
      return { type: "proof", circuit, root, minTier: kycTier(p.minTier, `${where}.proof.minTier`) };
    }
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
      `${JSON.stringify(circuit)} is not kyc_membership, kyc_tier or amount_limit`,
    );
  }
  throw new InvalidArgumentError(where, `unknown condition ${keys[0]} (attestation, time or proof)`);
}

function milestones(
  v: unknown,
  where: string,
  now: bigint,
  decimals: number,
  defaults: AttestorDefaults,
): MilestoneSpec[] {
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
            return { count, every: parseDuration(r.every, `${w}.repeat.every`) };
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
        conditions: conditions.map((c, j) => condition(c, `${w}.conditions[${j}]`, base, decimals, defaults)),
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
  const listed = attestors.map((a, i) => address(a, `${where}.attestors[${i}]`));
  const defaults = { attestors: listed, threshold, where };
  const ms = milestones(d.milestones, `${where}.milestones`, opts.now, opts.decimals, defaults);
  // The shorthand binds every kind to the same attestors: only sound when one kind uses it.
  const shared = new Set(
    ms.flatMap((m) =>
      m.conditions.flatMap((c) => (c.type === "attestation" && c.attestors === listed ? [c.kind] : [])),
    ),
  );
  if (shared.size > 1) {
    throw new InvalidArgumentError(
      `${where}.milestones`,
      `attestation conditions of ${[...shared].join(" and ")} all take the agreement's attestors, so any of them could attest every kind`,
      `Name who attests each kind: \`attestation: { kind: ${[...shared][0]}, by: ["0x…"], threshold: 1 }\`.`,
    );
  }
  const all = [...listed];
  for (const m of ms)
    for (const c of m.conditions)
      if (c.type === "attestation") for (const a of c.attestors) if (!all.includes(a)) all.push(a);
  if (all.length > 16)
    throw new InvalidArgumentError(
      `${where}.attestors`,
      `name ${all.length} attestors in all; an agreement has at most 16`,
    );
  return {
    name: d.name === undefined ? refText : str(d.name, `${where}.name`),
    reference,
    arbiter: address(d.arbiter, `${where}.arbiter`),
    attestors: all,
    milestones: ms,
  };
}
