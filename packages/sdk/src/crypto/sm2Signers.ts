/**
 * SM2Signer contracts on chain: the key one holds, and the check, before anything is sent, that a
 * signature file's SM2 public key is the key of the SM2Signer it names (otherwise the multisig or
 * the escrow would refuse the whole transaction).
 */
import { getAddress, type Address } from "viem";
import { sm2SignerAbi } from "@clearhouse/contracts";
import { readContract, rpc, type ClearhouseContext } from "../context";
import { ClearhouseError } from "../errors/base";
import { sm2PublicKeyFromCoordinates, type Sm2PublicKey } from "./sm2";

/** The SM2Signer named as signer does not hold the SM2 key that signed (or is no SM2Signer at all). */
export class Sm2SignerMismatchError extends ClearhouseError {
  override name = "Sm2SignerMismatchError";
  constructor(
    readonly signer: Address,
    problem: string,
  ) {
    super(`${signer} ${problem}.`, {
      category: "input",
      hint: "Name the SM2Signer deployed for this key (`clearhouse sm2 address --key-file <file> --signer <address>` checks it; `clearhouse sm2 deploy-signer` deploys one).",
    });
  }
}

const short = (k: Sm2PublicKey) => `${k.uncompressed.slice(0, 14)}…${k.uncompressed.slice(-8)}`;

/** The SM2 public key the contract at `signer` holds; Sm2SignerMismatchError when it is no SM2Signer. */
export async function getSm2SignerKey(ctx: ClearhouseContext, signer: Address): Promise<Sm2PublicKey> {
  const address = getAddress(signer);
  const code = await rpc(ctx, "eth_getCode", () => ctx.publicClient.getCode({ address }));
  if (!code || code === "0x") throw new Sm2SignerMismatchError(address, "is not a contract (no SM2Signer there)");
  let coordinates: readonly [bigint, bigint];
  try {
    coordinates = await readContract(ctx, { address, abi: sm2SignerAbi, functionName: "publicKey", args: [] });
  } catch (e) {
    if (e instanceof ClearhouseError && e.category === "network") throw e;
    throw new Sm2SignerMismatchError(address, "is a contract without publicKey(): not an SM2Signer");
  }
  return sm2PublicKeyFromCoordinates(coordinates[0], coordinates[1], `the key of ${address}`);
}

/** Refuse, before sending, an SM2 signature whose key is not the key of the SM2Signer it names. */
export async function requireSm2Signer(
  ctx: ClearhouseContext,
  signer: Address,
  publicKey: Sm2PublicKey,
): Promise<void> {
  const held = await getSm2SignerKey(ctx, signer);
  if (held.uncompressed.toLowerCase() !== publicKey.uncompressed.toLowerCase())
    throw new Sm2SignerMismatchError(
      getAddress(signer),
      `holds the SM2 key ${short(held)}, not the signing key ${short(publicKey)}`,
    );
}
