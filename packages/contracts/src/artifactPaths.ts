/**
 * Where each contract's compiled artifact is, relative to Hardhat's `artifacts/` directory. Plain
 * data without imports, so that `scripts/gen-abi.ts` (which writes ./abis.ts from these artifacts),
 * the contract manifest (./manifest.ts) and the package build (which ships the artifacts in the
 * package's `artifacts/`) read one list without depending on the generated ABIs.
 */

/** The consortium's contracts, in the order their ABIs appear in ./abis.ts. */
export const CONTRACT_ARTIFACTS = {
  ConsortiumRegistry: "contracts/access/ConsortiumRegistry.sol/ConsortiumRegistry.json",
  SettlementToken: "contracts/token/SettlementToken.sol/SettlementToken.json",
  ConsortiumMultisig: "contracts/governance/ConsortiumMultisig.sol/ConsortiumMultisig.json",
  SettlementLedger: "contracts/settlement/SettlementLedger.sol/SettlementLedger.json",
  NettingEngine: "contracts/settlement/NettingEngine.sol/NettingEngine.json",
  VerifierRegistry: "contracts/zk/VerifierRegistry.sol/VerifierRegistry.json",
  ConditionalEscrow: "contracts/payments/ConditionalEscrow.sol/ConditionalEscrow.json",
  OfflineVault: "contracts/offline/OfflineVault.sol/OfflineVault.json",
  MemberAccount: "contracts/access/MemberAccount.sol/MemberAccount.json",
  MemberAccountFactory: "contracts/access/MemberAccountFactory.sol/MemberAccountFactory.json",
} as const;

/** The Groth16 verifiers exported from the ceremony's keys (one per circuit, not upgradeable). */
export const VERIFIER_ARTIFACTS = {
  KycMembershipVerifier: "contracts/zk/KycMembershipVerifier.sol/KycMembershipVerifier.json",
  AmountLimitVerifier: "contracts/zk/AmountLimitVerifier.sol/AmountLimitVerifier.json",
  BatchNetting16Verifier: "contracts/zk/BatchNetting16Verifier.sol/BatchNetting16Verifier.json",
  PrivateNetting256Verifier: "contracts/zk/PrivateNetting256Verifier.sol/PrivateNetting256Verifier.json",
  KycTierVerifier: "contracts/zk/KycTierVerifier.sol/KycTierVerifier.json",
  PrivateTraced32Verifier: "contracts/zk/PrivateTraced32Verifier.sol/PrivateTraced32Verifier.json",
} as const;

/**
 * Contracts deployed per official rather than once per consortium (not in a `Deployment`): an
 * `SM2Signer` stands for one SM2 key (docs/crypto.md). Their ABIs and errors are exported beside
 * the consortium's; `deploySm2Signer` (`@clearhouse/sdk/node`) deploys one from the shipped artifact.
 */
export const SIGNER_ARTIFACTS = {
  SM2Signer: "contracts/crypto/SM2Signer.sol/SM2Signer.json",
} as const;

/** Stateless helpers a crypto mode deploys (decision 046): the SM3 batch-tree verifier the ledger calls. */
export const CRYPTO_ARTIFACTS = {
  SM3MerkleVerifier: "contracts/crypto/SM3MerkleVerifier.sol/SM3MerkleVerifier.json",
} as const;

/** OpenZeppelin's ERC-1967 proxy, compiled through contracts/proxy/ClearhouseProxy.sol. */
export const PROXY_ARTIFACT = "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol/ERC1967Proxy.json";

/** OpenZeppelin's upgrade beacon member accounts follow (decision 045). */
export const BEACON_ARTIFACT = "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol/UpgradeableBeacon.json";

/** Every artifact `@clearhouse/contracts` ships (what `deployConsortium` deploys), by the name it is shipped as. */
export const SHIPPED_ARTIFACTS: Readonly<Record<string, string>> = {
  ...CONTRACT_ARTIFACTS,
  ...VERIFIER_ARTIFACTS,
  ...SIGNER_ARTIFACTS,
  ...CRYPTO_ARTIFACTS,
  ERC1967Proxy: PROXY_ARTIFACT,
  UpgradeableBeacon: BEACON_ARTIFACT,
};
