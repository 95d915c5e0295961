/**
 * What a deployment registers in the VerifierRegistry, from the committed ceremony outputs: the
 * `zk` option of `deployConsortium` (`@clearhouse/contracts/deploy`), which does not read them itself
 * so that the contracts package does not depend on this one.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256 } from "viem";
import type { VerifierContract, ZkKeys } from "@clearhouse/contracts/deploy";
import { ClearhouseError } from "@clearhouse/sdk/errors";
import { CIRCUIT_IDS, circuitSpec, vkHashOf, type VerificationKey } from "@clearhouse/sdk/zk";
import { ARTIFACT_DIR, artifactPaths } from "./artifacts";
import { ZkArtifactsMissingError } from "./prover";

/**
 * The keccak256 of the ceremony transcript and, per circuit, its exported verifier contract, its
 * number of public signals and the hash of its verification key (`vkHashOf`).
 * @throws ZkArtifactsMissingError when a verification key is missing, ClearhouseError when the transcript is.
 */
export function verifierKeys(dir: string = ARTIFACT_DIR): ZkKeys {
  const transcript = join(dir, "transcript.json");
  if (!existsSync(transcript))
    throw new ClearhouseError(`The ceremony transcript ${transcript} is missing.`, {
      hint: "Run `npm run ceremony` to produce circuits/build/, or restore it from git.",
    });
  const circuits = CIRCUIT_IDS.map((id) => {
    const path = artifactPaths(id, dir).verificationKey;
    if (!existsSync(path)) throw new ZkArtifactsMissingError(id, path);
    const spec = circuitSpec(id);
    return {
      id,
      contract: spec.contract as VerifierContract,
      publicInputs: spec.publicSignals.length,
      vkHash: vkHashOf(JSON.parse(readFileSync(path, "utf8")) as VerificationKey),
    };
  });
  return { transcriptHash: keccak256(readFileSync(transcript)), circuits };
}
