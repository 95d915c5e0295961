/**
 * Deploying an SM2Signer (contracts/crypto/SM2Signer.sol) for an official's SM2 public key, from
 * the artifact `@clearhouse/contracts` ships. The signer has no owner and its key never changes:
 * deploying twice for one key gives two equivalent contracts at two addresses, so record the address
 * this returns (it is what the multisig's signer list or an agreement's attestors name).
 */
import { getAddress, type Address, type Hash } from "viem";
import { loadArtifact } from "@clearhouse/contracts/deploy";
import { accountAddress, ensureNetwork, feesOf, type ClearhouseContext } from "../context";
import { TransactionFailedError } from "../errors/base";
import { toClearhouseError } from "../errors/revert";
import { requireSm2Signer } from "../crypto/sm2Signers";
import type { Sm2PublicKey } from "../crypto/sm2";

export interface DeploySm2SignerParameters {
  /** The official's SM2 public key (`sm2PublicKeyOf`, or a key file's `publicKey`). */
  publicKey: Sm2PublicKey;
}
export interface DeploySm2SignerReturnType {
  /** The new SM2Signer's address. */
  address: Address;
  hash: Hash;
  blockNumber: bigint;
  gasUsed: bigint;
}

/**
 * Deploy an SM2Signer for `publicKey` from the context's account, and check that the deployed
 * contract holds that key. The key was checked on sm2p256v1 when `publicKey` was made, so the
 * constructor's SM2SignerInvalidKey cannot happen.
 */
export async function deploySm2Signer(
  ctx: ClearhouseContext,
  p: DeploySm2SignerParameters,
): Promise<DeploySm2SignerReturnType> {
  accountAddress(ctx, "deploySm2Signer");
  const wallet = ctx.walletClient!;
  await ensureNetwork(ctx);
  const artifact = loadArtifact("SM2Signer");
  const fees = await feesOf(ctx);
  let hash: Hash;
  try {
    hash = await wallet.deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args: [p.publicKey.px, p.publicKey.py],
      account: wallet.account,
      chain: wallet.chain,
      ...fees,
    });
  } catch (error) {
    throw toClearhouseError(error, "deploySm2Signer", ctx.rpcUrl);
  }
  const receipt = await ctx.publicClient.waitForTransactionReceipt({
    hash,
    confirmations: 1 + (ctx.settings?.confirmations ?? 0),
  });
  if (receipt.status !== "success" || !receipt.contractAddress)
    throw new TransactionFailedError(hash, "deploySm2Signer");
  const address = getAddress(receipt.contractAddress);
  await requireSm2Signer(ctx, address, p.publicKey); // reads its key back
  return { address, hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}
