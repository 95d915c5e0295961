/**
 * Bulk redemption off chain: group a bank's accepted vouchers into per-allowance claims (serial
 * bitmask + vouchers in serial order), and rebuild the leaves the vault hashed, which a dispute or
 * a double-spend proof must present (docs/spec/offline-vouchers.md §5).
 */
import { encodeAbiParameters, encodePacked, keccak256, type Address, type Hex } from "viem";
import { voucherDigestOf, type OfflineDomain, type SignedVoucher } from "./typedData";

/** One allowance's vouchers in a bulk claim, as the vault takes them. */
export interface BulkClaim {
  allowanceId: Hex;
  /** Bit s-1 set for each serial s claimed. */
  serials: bigint;
  vouchers: { payee: Address; amount: bigint; expiry: bigint }[];
}

/** What `claimBulk` is given, and what was left out. */
export interface BulkPlan {
  claims: BulkClaim[];
  /** Each claim's leaf, in order (their packed keccak is the batch's claimsHash). */
  leaves: Hex[];
  claimsHash: Hex;
  /** How many vouchers the claims hold. */
  vouchers: number;
  /**
   * Vouchers left out because another voucher of the same serial came first: a double spend, to be
   * redeemed one by one (`redeem`), which pays it from the bank's guarantee.
   */
  duplicates: SignedVoucher[];
}

/** The leaf of one claim: keccak256(abi.encode(allowanceId, serials, keccak256(packed digests))). */
export function claimLeaf(d: OfflineDomain, claim: BulkClaim, device: Address): Hex {
  const digests: Hex[] = [];
  let rest = claim.serials;
  let i = 0;
  for (let serial = 1; rest !== 0n; serial++, rest >>= 1n) {
    if ((rest & 1n) === 0n) continue;
    const v = claim.vouchers[i++];
    digests.push(
      voucherDigestOf(d, {
        allowanceId: claim.allowanceId,
        device,
        payee: v.payee,
        amount: v.amount,
        serial,
        expiry: v.expiry,
      }),
    );
  }
  const packed =
    digests.length === 0
      ? "0x"
      : encodePacked(
          digests.map(() => "bytes32"),
          digests,
        );
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "bytes32" }],
      [claim.allowanceId, claim.serials, keccak256(packed)],
    ),
  );
}

/** keccak256 of the leaves packed in order. */
export function claimsHashOf(leaves: readonly Hex[]): Hex {
  return keccak256(
    encodePacked(
      leaves.map(() => "bytes32"),
      [...leaves],
    ),
  );
}

/**
 * Group vouchers (already checked offline) into claims, one per allowance, allowances and serials
 * ascending. The first voucher of a serial is claimed; later ones go to `duplicates`.
 */
export function planBulk(d: OfflineDomain, vouchers: readonly SignedVoucher[]): BulkPlan {
  const byAllowance = new Map<Hex, Map<number, SignedVoucher>>();
  const devices = new Map<Hex, Address>();
  const duplicates: SignedVoucher[] = [];
  for (const sv of vouchers) {
    const v = sv.voucher;
    let serials = byAllowance.get(v.allowanceId);
    if (!serials) byAllowance.set(v.allowanceId, (serials = new Map()));
    devices.set(v.allowanceId, v.device);
    if (serials.has(v.serial)) duplicates.push(sv);
    else serials.set(v.serial, sv);
  }
  const claims: BulkClaim[] = [...byAllowance.keys()].sort().map((allowanceId) => {
    const serials = [...byAllowance.get(allowanceId)!.entries()].sort(([a], [b]) => a - b);
    return {
      allowanceId,
      serials: serials.reduce((mask, [s]) => mask | (1n << BigInt(s - 1)), 0n),
      vouchers: serials.map(([, sv]) => ({
        payee: sv.voucher.payee,
        amount: sv.voucher.amount,
        expiry: sv.voucher.expiry,
      })),
    };
  });
  const leaves = claims.map((c) => claimLeaf(d, c, devices.get(c.allowanceId)!));
  const count = claims.reduce((n, c) => n + c.vouchers.length, 0);
  return { claims, leaves, claimsHash: claimsHashOf(leaves), vouchers: count, duplicates };
}
