/**
 * Would a token transfer go through? The answer comes from the token itself: the transfer is
 * simulated (`eth_call`) from the sender's address, so the preflight and the token agree on every
 * rule — membership, suspension, removal, sanctions, pause, limits, balance — by construction.
 */
import type { Address } from "viem";
import { settlementTokenAbi } from "@clearhouse/contracts";
import { amountFormat, type ClearhouseContext } from "../context";
import { ContractRevertError, UnknownRevertError, toClearhouseError } from "../errors/revert";
import { requireAddress, requireAmount } from "../validate";

export interface CheckTransferParameters {
  from: Address;
  to: Address;
  /** Minor units; 0 checks who may pay whom (limits and balance need an amount). */
  amount: bigint;
}

export type CheckTransferReturnType =
  | { allowed: true }
  | {
      allowed: false;
      /** The token's custom error (e.g. `RegistryMemberSuspended`), or undefined if unrecognised. */
      errorName: string | undefined;
      /** One line, amounts in currency units, as the token's revert is explained everywhere. */
      message: string;
      hint: string | undefined;
    };

/**
 * Whether `from` may transfer `amount` to `to` now, and if not the token's reason. Network failures
 * throw (NetworkError); a refusal is an answer, not an error. Needs no key: nothing is signed.
 */
export async function checkTransfer(
  ctx: ClearhouseContext,
  p: CheckTransferParameters,
): Promise<CheckTransferReturnType> {
  const from = requireAddress("from", p.from, { allowZero: true });
  const to = requireAddress("to", p.to, { allowZero: true });
  const amount = requireAmount("amount", p.amount);
  try {
    await ctx.publicClient.simulateContract({
      address: ctx.deployment.contracts.SettlementToken.proxy,
      abi: settlementTokenAbi,
      functionName: "transfer",
      args: [to, amount],
      account: from,
    });
    return { allowed: true };
  } catch (error) {
    const e = toClearhouseError(error, "transfer", ctx.rpcUrl, amountFormat(ctx));
    if (e instanceof ContractRevertError)
      return { allowed: false, errorName: e.errorName, message: e.shortMessage, hint: e.hint };
    if (e instanceof UnknownRevertError)
      return { allowed: false, errorName: undefined, message: e.shortMessage, hint: e.hint };
    throw e;
  }
}
