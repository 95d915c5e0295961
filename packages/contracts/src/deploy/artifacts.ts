/**
 * The compiled contracts `@clearhouse/contracts` ships in its `artifacts/` directory (abi and
 * creation bytecode of each contract `deployConsortium` deploys, and of OpenZeppelin's ERC-1967
 * proxy), found from this module's own location: from the sources, the build or an installed copy.
 * `node scripts/build/packages.mjs` copies them from Hardhat's `artifacts/`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Hex } from "viem";
import { findPackageRoot } from "./packageRoot";

/** What a shipped artifact holds. */
export interface ShippedArtifact {
  contractName: string;
  abi: Abi;
  /** Creation bytecode (constructor included). */
  bytecode: Hex;
}

/** A shipped artifact is missing or unreadable (the package was built without compiled contracts). */
export class ContractArtifactError extends Error {
  override name = "ContractArtifactError";
  constructor(
    readonly contract: string,
    readonly path: string,
    problem: string,
  ) {
    super(
      `@clearhouse/contracts: the compiled ${contract} (${path}) ${problem}. ` +
        "In a checkout run `npm run build` (compile, then copy the artifacts into the package); " +
        "otherwise reinstall @clearhouse/contracts.",
    );
  }
}

/** Directory of the shipped artifacts. */
export function artifactsDir(): string {
  return join(findPackageRoot(__dirname, "@clearhouse/contracts"), "artifacts");
}

const cache = new Map<string, ShippedArtifact>();

/** The shipped artifact of `contract` (a manifest name, a verifier's name, or `ERC1967Proxy`). */
export function loadArtifact(contract: string): ShippedArtifact {
  const hit = cache.get(contract);
  if (hit) return hit;
  const path = join(artifactsDir(), `${contract}.json`);
  let parsed: Partial<ShippedArtifact>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<ShippedArtifact>;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new ContractArtifactError(contract, path, missing ? "is missing" : "is not valid JSON");
  }
  if (!Array.isArray(parsed.abi) || typeof parsed.bytecode !== "string" || !/^0x[0-9a-f]+$/i.test(parsed.bytecode))
    throw new ContractArtifactError(contract, path, "has no abi or no creation bytecode");
  const artifact: ShippedArtifact = {
    contractName: parsed.contractName ?? contract,
    abi: parsed.abi,
    bytecode: parsed.bytecode,
  };
  cache.set(contract, artifact);
  return artifact;
}
