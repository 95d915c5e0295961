/**
 * kyc_tier proofs: "I hold a KYC credential of tier ≥ minTier in this tree", without saying which
 * credential or which tier (docs/spec/kyc-credential.md). Public signals, in order: root, nullifier,
 * scope, message, minTier.
 */
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { checkBundle, kycTier, type ProofBundle } from "@clearhouse/sdk/zk";
import type { KycCredential } from "./credentials";
import { kycTierInputs } from "./inputs";
import type { KycTree } from "./kyc";
import { prove, verify } from "./prover";

export interface ProveKycTierParameters {
  /** A tier credential (`clearhouse.kyc-credential/2`). */
  credential: KycCredential;
  /** The tree its commitment is enrolled in (a bank's or the consortium's). */
  tree: KycTree;
  /** The tier the proof shows the credential reaches (1..255). */
  minTier: number;
  /** What the nullifier is unique for. */
  scope: bigint;
  /** What the proof is bound to (e.g. an escrow agreement's binding). */
  message: bigint;
}

/** The public signals of a kyc_tier proof, by name. */
export interface KycTierSignals {
  root: bigint;
  nullifier: bigint;
  scope: bigint;
  message: bigint;
  minTier: number;
}

/**
 * Prove that `credential` (tier t) is in `tree` with t ≥ `minTier`. Refused before proving: a
 * credential without a tier (InvalidArgumentError), a tier or minimum outside 1..255
 * (KycTierOutOfRangeError), a tier below the minimum (KycTierBelowMinimumError), a credential not
 * in the tree. Call `releaseProver()` when done.
 */
export async function proveKycTier(p: ProveKycTierParameters): Promise<ProofBundle> {
  if (p.credential.tier === undefined) {
    throw new InvalidArgumentError(
      "credential",
      "has no KYC tier (it is a kyc_membership credential, leaf Poseidon(secret))",
      "Prove membership with kyc_membership, or ask the bank for a tier credential (clearhouse kyc issue --tier N).",
    );
  }
  const inputs = kycTierInputs({
    secret: p.credential.secret,
    tier: p.credential.tier,
    path: p.tree.path(p.credential.commitment),
    scope: p.scope,
    message: p.message,
    minTier: p.minTier,
  });
  return prove("kyc_tier", inputs);
}

/** The named public signals of a kyc_tier proof bundle. */
export function kycTierSignals(bundle: ProofBundle): KycTierSignals {
  const b = checkBundle(bundle);
  if (b.circuit !== "kyc_tier") throw new InvalidArgumentError("proof.circuit", `is ${b.circuit}, not kyc_tier`);
  const [root, nullifier, scope, message, minTier] = b.publicSignals.map(BigInt);
  return { root, nullifier, scope, message, minTier: kycTier(minTier, "proof.publicSignals[4] (minTier)") };
}

/**
 * Whether `bundle` is a valid kyc_tier proof whose public signals are the `expected` ones given
 * (root, scope, message, and a minTier at least the one asked for).
 */
export async function verifyKycTier(
  bundle: ProofBundle,
  expected: { root?: bigint; scope?: bigint; message?: bigint; minTier?: number } = {},
): Promise<boolean> {
  const s = kycTierSignals(bundle);
  if (expected.root !== undefined && s.root !== expected.root) return false;
  if (expected.scope !== undefined && s.scope !== expected.scope) return false;
  if (expected.message !== undefined && s.message !== expected.message) return false;
  if (expected.minTier !== undefined && s.minTier < kycTier(expected.minTier, "minTier")) return false;
  return verify(bundle);
}
