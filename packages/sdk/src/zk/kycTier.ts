/**
 * KYC tiers (docs/spec/kyc-credential.md): an integer from 1 to 255, higher = better identified
 * (1: phone-only wallet, 2: ID and a linked bank account). A tier credential's leaf is
 * Poseidon(secret, tier); a `kyc_tier` proof shows tier ≥ minTier without revealing the tier.
 */
import { ClearhouseError, InvalidArgumentError } from "../errors/base";

/** The lowest KYC tier. */
export const KYC_MIN_TIER = 1;
/** The highest KYC tier: the circuit range-checks tiers to 8 bits. */
export const KYC_MAX_TIER = 255;

/** A tier (or minimum tier) that is not an integer from 1 to 255. */
export class KycTierOutOfRangeError extends InvalidArgumentError {
  override name = "KycTierOutOfRangeError";
  constructor(
    argument: string,
    readonly value: unknown,
  ) {
    super(
      argument,
      `${typeof value === "bigint" ? value.toString() : JSON.stringify(value)} is not a KYC tier (an integer from ${KYC_MIN_TIER} to ${KYC_MAX_TIER})`,
      "Tiers number identification levels: 1 = phone-only wallet, 2 = ID and a linked bank account, higher = better identified.",
    );
  }
}

/** The credential's tier is below the tier a proof must show: refused before any proving. */
export class KycTierBelowMinimumError extends ClearhouseError {
  override name = "KycTierBelowMinimumError";
  constructor(
    readonly tier: number,
    readonly minTier: number,
  ) {
    super(
      `The credential's KYC tier ${tier} is below the required minimum tier ${minTier}: no proof of tier ≥ ${minTier} exists.`,
      {
        category: "input",
        hint: `Ask the bank for a credential of tier ${minTier} or higher (more identification), or for a lower minimum.`,
      },
    );
  }
}

/** `value` as a tier (1..255), from a number, a bigint or a decimal / 0x-hex string. */
export function kycTier(value: unknown, argument: string): number {
  let v: bigint | undefined;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value.trim())) v = BigInt(value.trim());
  if (v === undefined || v < BigInt(KYC_MIN_TIER) || v > BigInt(KYC_MAX_TIER))
    throw new KycTierOutOfRangeError(argument, value);
  return Number(v);
}

/** Refuse, before proving, a credential whose tier cannot meet `minTier`. */
export function assertKycTierMeets(tier: number, minTier: number): void {
  kycTier(tier, "tier");
  kycTier(minTier, "minTier");
  if (tier < minTier) throw new KycTierBelowMinimumError(tier, minTier);
}
