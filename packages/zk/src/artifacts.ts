/**
 * Where the ceremony's outputs are: `circuits/build/` inside the `@clearhouse/zk` package, found
 * from this module's own location (so it works from the sources, the build and an installed copy).
 */
import { join } from "node:path";
import { findPackageRoot } from "@clearhouse/sdk/node";
import { circuitSpec, type CircuitId } from "@clearhouse/sdk/zk";

/** The `@clearhouse/zk` package root (where package.json and circuits/ are). */
export const PACKAGE_ROOT = findPackageRoot(__dirname, "@clearhouse/zk");

/** Directory of the committed ceremony outputs. */
export const ARTIFACT_DIR = join(PACKAGE_ROOT, "circuits", "build");

export interface ArtifactPaths {
  wasm: string;
  zkey: string;
  verificationKey: string;
}

/** The witness generator, proving key and verification key of a circuit. */
export function artifactPaths(id: CircuitId, dir: string = ARTIFACT_DIR): ArtifactPaths {
  circuitSpec(id);
  return {
    wasm: join(dir, id, `${id}.wasm`),
    zkey: join(dir, id, `${id}.zkey`),
    verificationKey: join(dir, id, "verification_key.json"),
  };
}

/** The ceremony transcript (committed next to the artifacts). */
export const TRANSCRIPT_PATH = join(ARTIFACT_DIR, "transcript.json");
