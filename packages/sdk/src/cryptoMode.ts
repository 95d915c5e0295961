/**
 * The consortium's crypto mode (`crypto:` in the consortium file; decision 046, docs/crypto.md
 * "Modes"): which algorithm protects what. `international` is what Clearhouse always ran;
 * `national` puts the Chinese national algorithms (SM2, SM3, SM4) where the consortium chooses;
 * `both` accepts either, with the international ones as the default of what is written.
 */
import { CRYPTO_MODES, type CryptoMode } from "@clearhouse/contracts";
import { InvalidArgumentError } from "./errors/base";
import type { TreeHash } from "./settlement/treeHash";

export { CRYPTO_MODES, type CryptoMode };

/** The default when a consortium file names no mode. */
export const DEFAULT_CRYPTO_MODE: CryptoMode = "international";

/** What a mode selects. */
export interface CryptoProfile {
  mode: CryptoMode;
  /** The ledger's tree hash of new batches at deployment (governance may change it: `setTreeHash`). */
  treeHash: TreeHash;
  /** Whether the deployment deploys SM3MerkleVerifier (so SM3 batches can be verified on chain). */
  sm3Verifier: boolean;
  /** The algorithm new encrypted envelopes (batch files, webhooks) use when a key of either kind could. */
  envelope: "AES-256-GCM" | "SM4-GCM";
  /** The envelope algorithms accepted when reading. */
  envelopesAccepted: readonly ("AES-256-GCM" | "SM4-GCM")[];
  /** The keys of governance signers and attestors the deployment tools accept: ECDSA accounts, SM2Signer contracts. */
  signerKinds: readonly ("ecdsa" | "sm2")[];
}

const PROFILES: Record<CryptoMode, CryptoProfile> = {
  international: {
    mode: "international",
    treeHash: "keccak256",
    sm3Verifier: false,
    envelope: "AES-256-GCM",
    envelopesAccepted: ["AES-256-GCM"],
    signerKinds: ["ecdsa"],
  },
  national: {
    mode: "national",
    treeHash: "sm3",
    sm3Verifier: true,
    envelope: "SM4-GCM",
    envelopesAccepted: ["SM4-GCM"],
    signerKinds: ["ecdsa", "sm2"],
  },
  both: {
    mode: "both",
    treeHash: "keccak256",
    sm3Verifier: true,
    envelope: "AES-256-GCM",
    envelopesAccepted: ["AES-256-GCM", "SM4-GCM"],
    signerKinds: ["ecdsa", "sm2"],
  },
};

/** What `mode` selects. */
export function cryptoProfile(mode: CryptoMode = DEFAULT_CRYPTO_MODE): CryptoProfile {
  return PROFILES[mode];
}

/** Parse a mode named in a file or flag (`undefined`: the default, international). */
export function parseCryptoMode(value: unknown, where = "crypto"): CryptoMode {
  if (value === undefined) return DEFAULT_CRYPTO_MODE;
  if (typeof value === "string" && (CRYPTO_MODES as readonly string[]).includes(value)) return value as CryptoMode;
  throw new InvalidArgumentError(
    where,
    `${JSON.stringify(value)} is not a crypto mode (${CRYPTO_MODES.join(", ")})`,
    "Write crypto: international (the default), national or both.",
  );
}
