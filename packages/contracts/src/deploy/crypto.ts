/**
 * The consortium's crypto mode at deployment (decision 046, docs/crypto.md "Modes"): `national` and
 * `both` deploy the stateless `SM3MerkleVerifier` and give it to the ledger (`setTreeHash`), with
 * SM3 as the tree hash of new batches in `national` and keccak256 (SM3 one governance proposal
 * away) in `both`; `international` changes nothing. Runs while the deployer still owns the ledger,
 * before the hand-over; a resumed run that already did it does nothing.
 */
import { settlementLedgerAbi } from "../abis";
import type { CryptoMode, Deployment, DeploymentCrypto } from "../deployment";
import { loadArtifact } from "./artifacts";
import { deploy, write, type DeployClients } from "./transactions";

/** The ledger's `TreeHash` enum. */
const TREE_HASH_CODE = { keccak256: 0, sm3: 1 } as const;

/** Apply `mode` to a deployment whose ledger the deployer still owns; returns it with `crypto` recorded. */
export async function applyCryptoMode(
  c: DeployClients,
  deployment: Deployment,
  mode: CryptoMode,
  log: (line: string) => void = () => undefined,
): Promise<Deployment> {
  if (deployment.crypto?.mode === mode) return deployment;
  if (mode === "international") return { ...deployment, crypto: { mode, treeHash: "keccak256" } };
  const ledger = deployment.contracts.SettlementLedger?.proxy;
  if (!ledger) throw new Error(`crypto mode ${mode} needs the settlement ledger, which this deployment lacks`);
  const verifier = deployment.crypto?.sm3MerkleVerifier
    ? { address: deployment.crypto.sm3MerkleVerifier }
    : await deploy(c, "deploying SM3MerkleVerifier", loadArtifact("SM3MerkleVerifier"), []);
  const treeHash = mode === "national" ? "sm3" : "keccak256";
  await write(c, `setting the ledger's tree hash to ${treeHash}`, {
    address: ledger,
    abi: settlementLedgerAbi,
    functionName: "setTreeHash",
    args: [TREE_HASH_CODE[treeHash], verifier.address],
  });
  log(`crypto mode ${mode}: batch trees ${treeHash}, SM3MerkleVerifier ${verifier.address}`);
  const crypto: DeploymentCrypto = { mode, treeHash, sm3MerkleVerifier: verifier.address };
  return { ...deployment, crypto };
}
