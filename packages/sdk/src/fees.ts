/**
 * Free gas. A consortium network (Besu with `zeroBaseFee` / `--min-gas-price=0`) charges nothing
 * for gas: its blocks carry `baseFeePerGas` 0, yet its nodes may still suggest a 1 gwei tip
 * (`eth_maxPriorityFeePerGas`), and viem then builds a transaction whose tip is above its fee cap
 * and refuses it (`TipAboveFeeCapError`). On such a chain every write names its fees: zero.
 */
import type { Chain, PublicClient, Transport } from "viem";

/** Fees a write names explicitly, or none (let viem estimate them). */
export type FeeOverrides =
  { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint } | Record<string, never>;

/**
 * The fees every write on this chain should name. `freeGas` true: zero fees whatever the node
 * says; false: none (viem estimates). Undefined: zero fees when the latest block's
 * `baseFeePerGas` is 0 (EIP-1559: `maxFeePerGas` and `maxPriorityFeePerGas` 0), or, on a chain
 * without a base fee, when `eth_gasPrice` is 0 (legacy: `gasPrice` 0).
 */
export async function feeOverrides(
  client: Pick<PublicClient<Transport, Chain | undefined>, "getBlock" | "getGasPrice">,
  freeGas?: boolean,
): Promise<FeeOverrides> {
  if (freeGas === false) return {};
  const block = await client.getBlock({ blockTag: "latest" });
  const eip1559 = block.baseFeePerGas !== null && block.baseFeePerGas !== undefined;
  if (eip1559 && (freeGas === true || block.baseFeePerGas === 0n))
    return { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n };
  if (!eip1559 && (freeGas === true || (await client.getGasPrice()) === 0n)) return { gasPrice: 0n };
  return {};
}
