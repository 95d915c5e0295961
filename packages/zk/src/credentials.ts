/**
 * Files of the KYC flow: the bank's credential tree (public: commitments only) and the customer's
 * credential (private: the secret). Both written atomically; both refused with the field named
 * when malformed.
 *
 * Credential files: `clearhouse.kyc-credential/1` holds `secret` and `commitment` =
 * Poseidon(secret) (a kyc_membership credential); `clearhouse.kyc-credential/2` adds `tier` (1..255)
 * and its `commitment` is Poseidon(secret, tier) (a kyc_tier credential). Both are read; a credential
 * without a tier is still written as /1, so older tools keep reading it (docs/spec/kyc-credential.md).
 */
import { readFileSync } from "node:fs";
import { toHex } from "viem";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { writeJsonAtomic } from "@clearhouse/sdk/node";
import { kycTier, randomFieldElement, toField } from "@clearhouse/sdk/zk";
import { identityCommitment, KycTree, tierCommitment } from "./kyc";

export const KYC_TREE_FORMAT = "clearhouse.kyc-tree/1";
export const KYC_CREDENTIAL_FORMAT = "clearhouse.kyc-credential/1";
/** A credential with a KYC tier (its leaf is Poseidon(secret, tier)). */
export const KYC_TIER_CREDENTIAL_FORMAT = "clearhouse.kyc-credential/2";

export interface KycCredential {
  secret: bigint;
  /** The leaf in the bank's tree: Poseidon(secret), or Poseidon(secret, tier) with a tier. */
  commitment: bigint;
  /** 1..255 for a tier credential (proven with kyc_tier); absent for a kyc_membership one. */
  tier?: number;
}

/** A new credential from its secret (and tier): the commitment is computed. */
export function kycCredential(secret: bigint, tier?: number): KycCredential {
  if (tier === undefined) return { secret, commitment: identityCommitment(secret) };
  const t = kycTier(tier, "tier");
  return { secret, tier: t, commitment: tierCommitment(secret, t) };
}

/** A fresh credential for a customer: a random secret (and the tier the bank vouches for, 1..255). */
export function issueKycCredential(tier?: number): KycCredential {
  return kycCredential(randomFieldElement(), tier);
}

function readJson(path: string, what: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError(what, `cannot read ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new InvalidArgumentError(what, `${path} is not a JSON object`);
  return json as Record<string, unknown>;
}

export function readKycTree(path: string): KycTree {
  const j = readJson(path, "tree");
  if (j.format !== KYC_TREE_FORMAT) throw new InvalidArgumentError("tree", `${path} is not a ${KYC_TREE_FORMAT} file`);
  if (!Array.isArray(j.commitments))
    throw new InvalidArgumentError("tree.commitments", `${path} has no commitments array`);
  const tree = new KycTree(j.commitments.map((c, i) => toField(c, `${path}: commitments[${i}]`)));
  if (j.root !== undefined && toField(j.root, `${path}: root`) !== tree.root) {
    throw new InvalidArgumentError(
      "tree.root",
      `${path} records a root that its commitments do not give (edited by hand?)`,
    );
  }
  return tree;
}

export function writeKycTree(path: string, tree: KycTree): void {
  writeJsonAtomic(path, {
    format: KYC_TREE_FORMAT,
    size: tree.size,
    root: toHex(tree.root, { size: 32 }),
    commitments: tree.commitments.map((c) => toHex(c, { size: 32 })),
  });
}

export function readKycCredential(path: string): KycCredential {
  const j = readJson(path, "credential");
  if (j.format !== KYC_CREDENTIAL_FORMAT && j.format !== KYC_TIER_CREDENTIAL_FORMAT) {
    throw new InvalidArgumentError(
      "credential",
      `${path} is not a ${KYC_CREDENTIAL_FORMAT} or ${KYC_TIER_CREDENTIAL_FORMAT} file`,
    );
  }
  const secret = toField(j.secret, `${path}: secret`);
  const tiered = j.format === KYC_TIER_CREDENTIAL_FORMAT;
  if (tiered && j.tier === undefined) throw new InvalidArgumentError("credential.tier", `${path} has no tier`);
  const credential = kycCredential(secret, tiered ? kycTier(j.tier, `${path}: tier`) : undefined);
  if (j.commitment !== undefined && toField(j.commitment, `${path}: commitment`) !== credential.commitment) {
    throw new InvalidArgumentError(
      "credential.commitment",
      `${path}: the commitment is not ${tiered ? "Poseidon(secret, tier)" : "Poseidon(secret)"}`,
    );
  }
  return credential;
}

export function writeKycCredential(path: string, c: KycCredential): void {
  const checked = kycCredential(c.secret, c.tier);
  if (checked.commitment !== c.commitment)
    throw new InvalidArgumentError("credential.commitment", "does not match the secret (and tier)");
  writeJsonAtomic(path, {
    format: c.tier === undefined ? KYC_CREDENTIAL_FORMAT : KYC_TIER_CREDENTIAL_FORMAT,
    secret: toHex(c.secret, { size: 32 }),
    ...(c.tier === undefined ? {} : { tier: c.tier }),
    commitment: toHex(c.commitment, { size: 32 }),
  });
}
