/**
 * The deployment file: where each contract of one consortium deployment lives. Written by
 * `deployConsortium`, read by every client (validated by `parseDeployment` in `@clearhouse/sdk`).
 */
import type { Address, Hex } from "viem";

/** One proxied contract in a deployment. */
export interface ContractDeployment {
  /** The address users call (the ERC-1967 proxy). */
  proxy: Address;
  /** The implementation behind the proxy at deployment time. */
  implementation: Address;
  /** keccak256 of the canonical ABI JSON, so a client can tell it is talking to the same version. */
  abiHash: Hex;
  /** Block in which the proxy was deployed (where event scans start). */
  blockNumber: number;
}

/** A contract deployed without a proxy (the multisig is replaced, never upgraded). */
export interface PlainDeployment {
  address: Address;
  abiHash: Hex;
  blockNumber: number;
}

/** Member accounts (decision 045): where accounts are created and the beacon they follow. */
export interface MemberAccountsDeployment {
  /** MemberAccountFactory: `createAccount(firstKey, roles, salt)`. */
  factory: Address;
  /** The UpgradeableBeacon every account follows (owner: governance). */
  beacon: Address;
  /** The MemberAccount implementation behind the beacon at deployment time. */
  implementation: Address;
  /** keccak256 of MemberAccount's canonical ABI JSON. */
  abiHash: Hex;
  blockNumber: number;
}

/** What `deployments/<network>.json` holds. */
export interface Deployment {
  network: string;
  chainId: number;
  deployer: Address;
  deployedAt: string;
  blockNumber: number;
  /** `currency` is the ISO 4217 code the token represents (batches in other currencies are refused). */
  token: { name: string; symbol: string; decimals: number; currency?: string };
  contracts: {
    ConsortiumRegistry: ContractDeployment;
    SettlementToken: ContractDeployment;
    /** Present once governance is deployed; it then owns the other contracts. */
    ConsortiumMultisig?: PlainDeployment;
    /** The settlement layer (batch anchoring and netting), when deployed. */
    SettlementLedger?: ContractDeployment;
    NettingEngine?: ContractDeployment;
    /** The zk layer's registry of circuits and nullifiers, deployed with the settlement layer. */
    VerifierRegistry?: ContractDeployment;
    /** Conditional payments (milestone escrow), deployed with the zk layer. */
    ConditionalEscrow?: ContractDeployment;
    /** Offline payments (allowances, vouchers, guarantee funds), deployed with the escrow. */
    OfflineVault?: ContractDeployment;
    /** Member accounts' factory and beacon, deployed with the settlement layer. */
    MemberAccounts?: MemberAccountsDeployment;
  };
  /** The exported Groth16 verifier of each circuit (circuit id → address). */
  verifiers?: Record<string, Address>;
  /**
   * Most gas one transaction of a cycle's close may use (decimal string; default 15000000, half a
   * 30M block): `closeCycle` closes in several transactions beyond it. Set it to half the chain's
   * block gas limit at most.
   */
  closeGasBudget?: string;
  /**
   * How far `clearhouse deploy` got: `contracts` (deployed, members not all admitted), `members`
   * (admitted, ownership not yet with the multisig), `complete`. Absent in files written by other
   * tools (read as complete). `clearhouse deploy --resume` finishes a file that is not complete.
   */
  setup?: "contracts" | "members" | "complete";
  /**
   * The consortium's crypto mode (decision 046; absent: international, keccak256 trees): the tree
   * hash the ledger was set to at deployment and the SM3 verifier it calls (national and both).
   */
  crypto?: DeploymentCrypto;
}

/** Which algorithms a consortium runs (docs/crypto.md, "Modes"). */
export type CryptoMode = "international" | "national" | "both";
export const CRYPTO_MODES: readonly CryptoMode[] = ["international", "national", "both"];

/** What a deployment records of its crypto mode. */
export interface DeploymentCrypto {
  mode: CryptoMode;
  /** The ledger's tree hash for new batches as deployed (governance may change it: `setTreeHash`). */
  treeHash: "keccak256" | "sm3";
  /** The stateless SM3MerkleVerifier the ledger calls for SM3 batches (national and both). */
  sm3MerkleVerifier?: Address;
}
