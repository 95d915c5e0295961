/**
 * The circuits Clearhouse ships and what their public signals are: one table for the SDK, the
 * prover (`@clearhouse/zk`, which also locates the artifacts), the ceremony and the tests.
 */
import { hexToString, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";

export type CircuitId =
  "kyc_membership" | "kyc_tier" | "amount_limit" | "batch_netting_16" | "private_netting_256" | "private_traced_32";

export interface CircuitSpec {
  id: CircuitId;
  /** The main component's source, relative to the `@clearhouse/zk` package root. */
  main: string;
  /** Name of the exported Solidity verifier contract (contracts/zk/<contract>.sol). */
  contract: string;
  /** Public signals in snarkjs order (outputs first, then public inputs). */
  publicSignals: readonly string[];
  /** One line: what a valid proof says. */
  proves: string;
  /**
   * The verifier also has `verifyBatch(uint256[8][] proofs, uint256[n][] signals)`: n proofs of this
   * key in one pairing product (packages/zk/circuits/verifier_groth16_batch.sol.ejs, decision 036).
   */
  batchVerify?: true;
}

/** Counterparty buckets of a batch_netting chunk (each is one public signal). */
export const NETTING_BUCKETS = 4;
/** Payment slots per batch_netting chunk (decision 012). */
export const NETTING_CHUNK = 16;
/** Maximum depth of a KYC credential tree. */
export const KYC_MAX_DEPTH = 20;

export const CIRCUITS: Readonly<Record<CircuitId, CircuitSpec>> = {
  kyc_membership: {
    id: "kyc_membership",
    main: "circuits/main/kyc_membership.circom",
    contract: "KycMembershipVerifier",
    publicSignals: ["root", "nullifier", "scope", "message"],
    proves:
      "Poseidon(secret) is a leaf of the KYC tree `root`; nullifier = Poseidon(secret, scope); bound to `message`",
  },
  kyc_tier: {
    id: "kyc_tier",
    main: "circuits/main/kyc_tier.circom",
    contract: "KycTierVerifier",
    publicSignals: ["root", "nullifier", "scope", "message", "minTier"],
    proves:
      "Poseidon(secret, tier) is a leaf of the KYC tree `root` with minTier ≤ tier ≤ 255; nullifier = Poseidon(secret, scope); bound to `message`",
  },
  amount_limit: {
    id: "amount_limit",
    main: "circuits/main/amount_limit.circom",
    contract: "AmountLimitVerifier",
    publicSignals: ["commitment", "limit", "message"],
    proves: "commitment = Poseidon(amount, blinding) with 0 < amount ≤ limit < 2^64; bound to `message`",
  },
  batch_netting_16: {
    id: "batch_netting_16",
    main: "circuits/main/batch_netting_16.circom",
    contract: "BatchNetting16Verifier",
    publicSignals: ["root", "packed0", "packed1", "packed2", "packed3", "bank"],
    proves:
      "the 16 records under Poseidon root `root` are owed by `bank`, each amount < 2^64, and sum per creditor to the packed (total << 160 | counterparty) buckets",
  },
  private_netting_256: {
    id: "private_netting_256",
    main: "circuits/main/private_netting_256.circom",
    contract: "PrivateNetting256Verifier",
    publicSignals: ["root", "word0", "word1"],
    batchVerify: true,
    proves:
      "the 256 slots under chunk root `root` are owed by the bank of word0, each amount < 2^64, and sum per creditor to the four (total << 16 | counterparty index) buckets of word0 and word1",
  },
  private_traced_32: {
    id: "private_traced_32",
    main: "circuits/main/private_traced_32.circom",
    contract: "PrivateTraced32Verifier",
    publicSignals: [
      "root",
      "word0",
      "word1",
      "ephemeralX",
      "ephemeralY",
      "evaluation",
      "regulatorX",
      "regulatorY",
      "threshold",
      "challenge",
    ],
    batchVerify: true,
    proves:
      "private_netting over the 32 slots under chunk root `root`, and each slot's ciphertext under ECDH(ephemeral, regulator key) encrypts (paymentIdHash, debtor and creditor account hashes, amount) when amount ≥ threshold, zeros otherwise; `evaluation` is the ciphertexts' sum at `challenge`",
  },
};

export const CIRCUIT_IDS = Object.keys(CIRCUITS) as CircuitId[];

export function circuitSpec(id: string): CircuitSpec {
  if (!Object.prototype.hasOwnProperty.call(CIRCUITS, id)) {
    throw new InvalidArgumentError(
      "circuit",
      `${JSON.stringify(id)} is not a Clearhouse circuit`,
      `Use one of: ${CIRCUIT_IDS.join(", ")}.`,
    );
  }
  return CIRCUITS[id as CircuitId];
}

/** The text of a bytes32 circuit id as registered on chain ("kyc_membership"), trailing zeros dropped. */
export function circuitNameOf(id: Hex): string {
  return hexToString(id, { size: 32 }).replace(/\0+$/, "");
}
