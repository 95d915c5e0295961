/**
 * The actions of the escrow's random sequences (property tests and fuzz campaign), as data: indices
 * into the fixture's cast and the run's agreements, so that a generator needs no chain access.
 */

/** A condition: an attestation of `attestation` by `threshold` of the attestors in `mask`, or a date. */
export type CondSpec = {
  kind: "attestation" | "time";
  attestation: number;
  /** Attestation: bit i = attestor i (of 3) may attest it. */
  mask: number;
  /** Attestation: 1..popcount(mask). */
  threshold: number;
  /** Time: percent of the milestone's life; -1: notBefore 0. */
  at: number;
};
export type MsSpec = { payee: number; amount: bigint; life: number; combine: number; conds: CondSpec[] };

export type Action =
  | { t: "create"; milestones: MsSpec[] }
  /** On-chain attestation by attestor `who` (3: the stranger, not an attestor). */
  | { t: "attest"; a: number; m: number; who: number; kind: number }
  /**
   * Signed attestations submitted by the keeper: `signers` a bitmask over [attestors…, stranger];
   * each signs with deadline now + `deadline` seconds; the signer at position `forge` (−1: none)
   * is forged by someone else.
   */
  | { t: "submit"; a: number; m: number; kind: number; signers: number; deadline: number; forge: number }
  | { t: "warp"; seconds: number }
  | { t: "warpTo"; a: number; m: number; deadline: boolean; offset: number; then: "release" | "refund" }
  | { t: "release"; a: number; m: number }
  | { t: "refund"; a: number; m: number }
  | { t: "dispute"; a: number; m: number; who: number }
  | { t: "resolve"; a: number; m: number; bps: number; byArbiter: boolean }
  /** Cancel consent by [payer, pool…, stranger][who], expiring `expiresIn` seconds after now. */
  | { t: "cancel"; a: number; who: number; expiresIn: number }
  | { t: "revoke"; a: number; who: number }
  /** The registry suspends, sanctions or restores attestor `who`. */
  | { t: "standing"; who: number; how: "suspend" | "sanction" | "restore" };

export type ActionKind = Action["t"];

export const popcount = (x: number): number => {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
};
