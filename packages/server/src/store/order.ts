import { DeliveryStoreError } from "./errors";

/**
 * Delivery order within a subscription: by block, then log index, as one integer (what the stores
 * index and compare to find a subscription's head).
 */
export function orderKey(blockNumber: bigint, logIndex: number): number {
  const ord = Number(blockNumber) * 1_000_000 + logIndex;
  if (!Number.isSafeInteger(ord) || logIndex >= 1_000_000 || logIndex < 0)
    throw new DeliveryStoreError(
      `Event at block ${blockNumber}, log ${logIndex} is outside what the store orders.`,
      "Block numbers up to 9·10⁹ and log indexes below 10⁶ are supported.",
    );
  return ord;
}
