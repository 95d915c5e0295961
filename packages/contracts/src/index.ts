/**
 * @clearhouse/contracts: the consortium's contracts as TypeScript: their ABIs (`as const`, for
 * viem's type inference), the deployment file's type, and the contract manifest.
 * The Solidity sources ship in `contracts/` and the compiled artifacts in `artifacts/`; deploying
 * them is `deployConsortium` in `@clearhouse/contracts/deploy` (Node only: it reads the artifacts).
 */
export * from "./abis";
export * from "./deployment";
export * from "./manifest";
export {
  CONTRACT_ARTIFACTS,
  VERIFIER_ARTIFACTS,
  SIGNER_ARTIFACTS,
  CRYPTO_ARTIFACTS,
  PROXY_ARTIFACT,
} from "./artifactPaths";
