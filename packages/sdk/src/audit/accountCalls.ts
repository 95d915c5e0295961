/**
 * What reached a contract through a member account (decision 045). A member account's `execute`
 * passes its `data` to `target` unchanged, so when a transaction calls `execute(emitter, data)` on
 * an account the deployment's MemberAccountFactory created, `data` is exactly what the emitter
 * received: the audit re-derives a proof from it as from a direct call. Any other contract in
 * between (a wallet, a multisig, a look-alike of an account) says nothing reliable about what it
 * forwarded (review21 F2), and is not read.
 */
import { decodeFunctionData, isAddressEqual, type Address, type Hex } from "viem";
import { memberAccountAbi, memberAccountFactoryAbi } from "@clearhouse/contracts";
import type { ClearhouseContext } from "../context";
import { queryLogs } from "../logs";

/** Whether `address` is a member account the deployment's factory created (its MemberAccountCreated event). */
export async function isFactoryAccount(ctx: ClearhouseContext, address: Address, toBlock?: bigint): Promise<boolean> {
  const accounts = ctx.deployment.contracts.MemberAccounts;
  if (!accounts) return false;
  const created = await queryLogs(
    ctx,
    "getLogs(MemberAccountCreated)",
    BigInt(accounts.blockNumber),
    (range) =>
      ctx.publicClient.getContractEvents({
        address: accounts.factory,
        abi: memberAccountFactoryAbi,
        eventName: "MemberAccountCreated",
        args: { account: address },
        ...range,
      }),
    toBlock === undefined ? {} : { toBlock },
  );
  return created.length > 0;
}

/**
 * The `data` of an `execute(target, data)` call in `input` when `target` is `emitter`; undefined
 * for any other input (not `execute`, another target, undecodable).
 */
export function executedInput(input: Hex, emitter: Address): Hex | undefined {
  try {
    const { functionName, args } = decodeFunctionData({ abi: memberAccountAbi, data: input });
    if (functionName !== "execute") return undefined;
    const [target, data] = args;
    return isAddressEqual(target, emitter) ? data : undefined;
  } catch {
    return undefined;
  }
}
