/**
 * Agreement terms as ConditionalEscrow takes them (its AgreementTerms struct, viem form) from the
 * spec people write (./terms.ts), and the attestation kinds' on-chain indexes.
 */
import { stringToHex, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";
import { ATTESTATION_KINDS, type AgreementSpec, type AttestationKindName } from "./terms";

/** ConditionalEscrow's AgreementTerms (viem form). */
export interface OnChainTerms {
  token: Address;
  arbiter: Address;
  attestors: Address[];
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
      attestorMask: number;
      threshold: number;
      circuitId: Hex;
      expected: bigint;
      limit: bigint;
    }[];
  }[];
}

const KIND_INDEX: Record<AttestationKindName, number> = { delivered: 0, accepted: 1, invoice_approved: 2 };

/** The escrow's AgreementTerms for a spec. */
export function toOnChainTerms(spec: AgreementSpec, token: Address): OnChainTerms {
  const zero = {
    attestation: 0,
    notBefore: 0n,
    attestorMask: 0,
    threshold: 0,
    circuitId: stringToHex("", { size: 32 }),
    expected: 0n,
    limit: 0n,
  };
  const maskOf = (attestors: Address[]): number =>
    attestors.reduce((mask, a) => {
      const i = spec.attestors.indexOf(a);
      if (i < 0) throw new InvalidArgumentError("attestors", `${a} is named by a condition but not listed`);
      return mask | (1 << i);
    }, 0);
  return {
    token,
    arbiter: spec.arbiter,
    attestors: spec.attestors,
    ref: spec.reference,
    milestones: spec.milestones.map((m) => ({
      payee: m.payee,
      amount: m.amount,
      deadline: m.deadline,
      combine: m.combine === "all" ? 0 : 1,
      conditions: m.conditions.map((c) => {
        if (c.type === "attestation")
          return {
            ...zero,
            kind: 0,
            attestation: KIND_INDEX[c.kind],
            attestorMask: maskOf(c.attestors),
            threshold: c.threshold,
          };
        if (c.type === "time") return { ...zero, kind: 1, notBefore: c.notBefore };
        if (c.circuit === "kyc_membership")
          return { ...zero, kind: 2, circuitId: stringToHex(c.circuit, { size: 32 }), expected: c.root };
        if (c.circuit === "kyc_tier")
          return {
            ...zero,
            kind: 2,
            circuitId: stringToHex(c.circuit, { size: 32 }),
            expected: c.root,
            limit: BigInt(c.minTier),
          };
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
