/**
 * Files of the KYC flow: the bank's credential tree (public: commitments only) and the customer's
 * credential (private: the secret). Both written atomically; both refused with the field named
 * when malformed.
 */
import { readFileSync } from "node:fs";
import { toHex } from "viem";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { writeJsonAtomic } from "@clearhouse/sdk/node";
import { toField } from "@clearhouse/sdk/zk";
import { identityCommitment, KycTree } from "./kyc";

export const KYC_TREE_FORMAT = "clearhouse.kyc-tree/1";
export const KYC_CREDENTIAL_FORMAT = "clearhouse.kyc-credential/1";

export interface KycCredential {
  secret: bigint;
  commitment: bigint;
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
  if (j.format !== KYC_CREDENTIAL_FORMAT)
    throw new InvalidArgumentError("credential", `${path} is not a ${KYC_CREDENTIAL_FORMAT} file`);
  const secret = toField(j.secret, `${path}: secret`);
  const commitment = identityCommitment(secret);
  if (j.commitment !== undefined && toField(j.commitment, `${path}: commitment`) !== commitment) {
    throw new InvalidArgumentError("credential.commitment", `${path}: the commitment is not Poseidon(secret)`);
  }
  return { secret, commitment };
}

export function writeKycCredential(path: string, c: KycCredential): void {
  writeJsonAtomic(path, {
    format: KYC_CREDENTIAL_FORMAT,
    secret: toHex(c.secret, { size: 32 }),
    commitment: toHex(c.commitment, { size: 32 }),
  });
}
