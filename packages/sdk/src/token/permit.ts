import { parseSignature, type Address } from "viem";
import { InvalidArgumentError } from "../errors/base";
import { keyAddress, readContract, type ClearhouseContext } from "../context";
import { settlementTokenAbi } from "@clearhouse/contracts";
import { requireAddress, requireAmount } from "../validate";
import type { SignedPermit } from "./actions";

export interface SignPermitParameters {
  spender: Address;
  /** The most `spender` may move, in minor units (a bigint). */
  value: bigint;
  /** Unix seconds (a bigint) after which the permit is refused. */
  deadline: bigint;
}
export type SignPermitReturnType = SignedPermit;

/**
 * Sign an EIP-2612 permit with the context's account (the holder): `spender` may then move up to
 * `value` until `deadline` (unix seconds). The domain and nonce are read from the token itself.
 */
export async function signPermit(ctx: ClearhouseContext, p: SignPermitParameters): Promise<SignPermitReturnType> {
  const owner = keyAddress(ctx, "signPermit");
  if (ctx.memberAccount)
    throw new InvalidArgumentError(
      "memberAccount",
      "an EIP-2612 permit is an ECDSA signature of the holder, and a member account holds through its keys: approve through the account instead (`token.approve`)",
    );
  const spender = requireAddress("spender", p.spender);
  const value = requireAmount("value", p.value);
  const deadline = requireAmount("deadline", p.deadline);
  const address = ctx.deployment.contracts.SettlementToken.proxy;
  const [[, name, version, chainId, verifyingContract], nonce] = await Promise.all([
    readContract(ctx, { address, abi: settlementTokenAbi, functionName: "eip712Domain", args: [] }),
    readContract(ctx, { address, abi: settlementTokenAbi, functionName: "nonces", args: [owner] }),
  ]);
  const wallet = ctx.walletClient!;
  const signature = await wallet.signTypedData({
    account: wallet.account,
    domain: { name, version, chainId, verifyingContract },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner, spender, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { owner, spender, value, deadline, signature: { r, s, v: Number(v ?? BigInt(yParity + 27)) } };
}
